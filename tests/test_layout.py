"""The layout's contract (DESIGN.md "Layout"): read/, flows/, timeline/ and write/ never import
edges/; the folders show the flow (read/ -> flows/ -> write/): a reader imports only readers and the
model, a writer never imports the flows or the timeline; and `import mailflow` has no side effects.

The contract is checked on the source, statically and transitively: a pure module that imports a
top-level module (app, daemon ...) that imports edges/ breaks it as much as a direct import; imports
inside functions count too. There is no list of tolerated breaks: every pure module passes.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import mailflow

PACKAGE = Path(mailflow.__file__).resolve().parent
PURE = ("read", "flows", "timeline", "write")


def _module(path: Path) -> str:
    parts = ["mailflow", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every mailflow module `path` names in an import, wherever the import stands."""
    here = _module(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m.startswith("mailflow.")}


GRAPH = {_module(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _chain_to_edges(start: str) -> list[str] | None:
    """The shortest import chain from `start` to a module of edges/, or None."""
    seen, queue = {start}, [[start]]
    while queue:
        path = queue.pop(0)
        for dep in sorted(GRAPH.get(path[-1], ())):
            if dep == "mailflow.edges" or dep.startswith("mailflow.edges."):
                return path + [dep]
            if dep in GRAPH and dep not in seen:
                seen.add(dep)
                queue.append(path + [dep])
    return None


PURE_MODULES = [name for name in sorted(GRAPH) if name.split(".")[1:2] and name.split(".")[1] in PURE]


def test_every_folder_of_the_layout_is_there():
    for folder in (*PURE, "edges"):
        assert (PACKAGE / folder / "__init__.py").is_file(), folder


@pytest.mark.parametrize("name", PURE_MODULES)
def test_pure_module_never_reaches_edges(name):
    chain = _chain_to_edges(name)
    assert chain is None, "imports edges/: " + " -> ".join(chain)


# What each pure folder may import besides itself: the flow runs read/ -> flows/ (+ timeline/) -> write/.
ALLOWED = {
    "read": {"model"},
    "write": {"model", "read", "resources"},
}


def _outside(layer: str) -> dict[str, set[str]]:
    """Modules of `layer` and what they import from outside it and outside ALLOWED."""
    found: dict[str, set[str]] = {}
    for name, deps in GRAPH.items():
        if name.split(".")[1:2] != [layer]:
            continue
        bad = {d for d in deps if d.split(".")[1:2] and d.split(".")[1] not in {layer, *ALLOWED[layer]}}
        if bad:
            found[name] = bad
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_the_folders_show_the_flow(layer):
    assert _outside(layer) == {}


PROBE = r"""
import builtins, io, json, logging, socket, sys
opened, connected = [], []
real_open = builtins.open
def spy_open(file, *a, **k):
    opened.append(str(file))
    return real_open(file, *a, **k)
builtins.open = io.open = spy_open
real_connect = socket.socket.connect
def spy_connect(self, address):
    connected.append(str(address))
    return real_connect(self, address)
socket.socket.connect = spy_connect
before = set(sys.modules)
handlers = list(logging.getLogger().handlers)
import mailflow, mailflow.read, mailflow.flows, mailflow.timeline, mailflow.write, mailflow.edges
loggers = [n for n, l in logging.Logger.manager.loggerDict.items()
           if isinstance(l, logging.Logger) and l.handlers]
print(json.dumps({
    "modules": sorted(m for m in set(sys.modules) - before if m.startswith("mailflow")),
    "opened": opened, "connected": connected, "loggers": loggers,
    "root_handlers_added": len(logging.getLogger().handlers) - len(handlers),
}))
"""


def test_import_mailflow_has_no_side_effects():
    out = subprocess.run([sys.executable, "-P", "-c", PROBE], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    # the package and its folders are only namespaces: none of them imports a module with work in it
    assert seen["modules"] == sorted(["mailflow", "mailflow.read", "mailflow.flows", "mailflow.timeline",
                                      "mailflow.write", "mailflow.edges"])
    assert seen["opened"] == [] and seen["connected"] == []
    assert seen["loggers"] == [] and seen["root_handlers_added"] == 0


def test_no_test_file_imports_another_test_file():
    """What tests share lives in helper modules (apphelp, taskhelp, minuteshelp, mailclient …), so a
    test file can be read, run and deleted on its own."""
    here = Path(__file__).resolve().parent
    offenders = []
    for path in sorted([*here.glob("*.py"), *here.parent.joinpath("bench").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name} imports {n}" for n in names if n.split(".")[0].startswith("test_")]
    assert offenders == []
