"""The suite tests mailflow as pip installed it, not the checkout it sits in.

CI installs the package non-editable (`pip install ".[test]"`), so a subpackage missing from
pyproject's `packages` or a template missing from a package-data glob is missing from the install.
That only shows if the tests import the installed copy: `python -m pytest` or a sys.path insertion
would put the checkout's `mailflow/` first and hide the gap. During development the install is
editable (`pip install -e .`), and then the checkout IS the installation, which is fine.
"""

from __future__ import annotations

import json
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import mailflow
from mailflow.resources import shipped

CHECKOUT = Path(__file__).resolve().parent.parent
IMPORTED = Path(mailflow.__file__).resolve()


def _distribution() -> metadata.Distribution:
    """The installed mailflow. A build leaves mailflow.egg-info in the checkout too, which
    importlib.metadata finds first when the checkout is on sys.path: that one is not an installation."""
    found = [d for d in metadata.distributions(name="mailflow")
             if Path(d.locate_file("")).resolve() != CHECKOUT]
    if not found:
        pytest.fail("mailflow is not installed: pip install '.[test]' (or -e for development)")
    return found[0]


def _editable_source(dist: metadata.Distribution) -> Path | None:
    """The folder an editable install points at (PEP 610's direct_url.json), or None."""
    recorded = json.loads(dist.read_text("direct_url.json") or "{}")
    if not recorded.get("dir_info", {}).get("editable"):
        return None
    return Path(recorded["url"].removeprefix("file://")).resolve()


def _files(folder: Path) -> set[str]:
    """The files under `folder`, relative to it, without bytecode caches."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def test_mailflow_is_imported_from_its_installation():
    dist = _distribution()
    source = _editable_source(dist)
    if source is not None:
        assert IMPORTED.is_relative_to(source), f"mailflow imported from {IMPORTED}, the editable install is {source}"
        return
    installed = {Path(dist.locate_file(f)).resolve() for f in dist.files or ()}
    assert IMPORTED in installed, (
        f"mailflow imported from {IMPORTED}, not from its installation in {dist.locate_file('')}: "
        "the checkout shadows it (run `pytest`, not `python -m pytest`)")


@pytest.mark.parametrize("source, installed", [
    ("mailflow", Path(mailflow.__file__).resolve().parent),   # every module and subpackage, samples/
    ("templates", shipped("templates")),
    ("rules", shipped("rules")),
], ids=["package", "templates", "rules"])
def test_the_installation_has_every_file_of_the_checkout(source, installed):
    if not (CHECKOUT / source).is_dir():
        pytest.skip("not run from a checkout")
    missing = sorted(_files(CHECKOUT / source) - _files(installed))
    assert not missing, f"not installed (pyproject `packages` / package-data): {missing}"


# The same gaps, found from pyproject.toml itself, so they show in an editable install too.

def _setuptools() -> dict:
    pyproject = CHECKOUT / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("not run from a checkout")
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_subpackage_is_in_pyproject_packages():
    found = {".".join(p.parent.relative_to(CHECKOUT).parts) for p in (CHECKOUT / "mailflow").rglob("__init__.py")}
    missing = sorted(found - set(_setuptools()["packages"]))
    assert not missing, f"add to [tool.setuptools] packages: {missing}"


def test_every_data_file_matches_a_package_data_glob():
    setup = _setuptools()
    for package, patterns in setup["package-data"].items():
        folder = CHECKOUT / setup["package-dir"].get(package, package.replace(".", "/"))
        shipped_files = {p for pattern in patterns for p in folder.glob(pattern)}
        data = {p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")}
        missing = sorted(p.relative_to(CHECKOUT).as_posix() for p in data - shipped_files)
        assert not missing, f"no [tool.setuptools.package-data] glob of {package} takes {missing}"
