"""README is the manual: every command and option the CLI has is in its CLI reference, every key the
config accepts is in its configuration table, and the two commands at the top (quick start, tests)
are the ones that work — the sqlite-utils way of keeping documentation honest."""

import os
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mailflow.cli import main
from mailflow.config import SECTIONS, settings_from_dict

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def walk(command: click.Command, path: tuple[str, ...] = ("mailflow",)):
    """Every command below `command` (itself included) with the words that call it."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from walk(sub, path + (name,))


COMMANDS = dict(walk(main))


def long_flags(command: click.Command) -> list[str]:
    """The options a user types, each by its longest spelling; --help is everywhere and says so itself."""
    return [max(p.opts, key=len) for p in command.params
            if isinstance(p, click.Option) and "--help" not in p.opts]


def section(title: str) -> str:
    """The README text under `## title`, up to the next heading of any level."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^#{{2,3}} )", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


CLI_REFERENCE = section("CLI reference")


def reference_rows() -> dict[tuple[str, ...], str]:
    """CLI reference table rows by the command they describe: the leading lower-case words of the
    first code span (`mailflow tasks show ID` describes ("mailflow", "tasks", "show"))."""
    rows = {}
    for line in CLI_REFERENCE.splitlines():
        code = re.match(r"\| `([^`]*)`", line)
        if not code:
            continue
        words = []
        for word in code.group(1).split():
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            words.append(word)
        rows[tuple(words)] = line
    return rows


ROWS = reference_rows()


def is_pure_group(command: click.Command) -> bool:
    """A group that does nothing itself (`mailflow meeting`): its subcommands' rows document it."""
    return (isinstance(command, click.Group) and not command.invoke_without_command
            and not long_flags(command))


@pytest.mark.parametrize("path", [p for p in COMMANDS if len(p) > 1], ids=" ".join)
def test_every_command_has_its_row_in_the_cli_reference(path):
    if is_pure_group(COMMANDS[path]):
        assert any(row[:len(path)] == path for row in ROWS), f"no row of the CLI reference starts with {' '.join(path)}"
    else:
        assert path in ROWS, f"README's CLI reference has no row for `{' '.join(path)}`"


@pytest.mark.parametrize("path", list(COMMANDS), ids=" ".join)
def test_every_option_is_in_its_commands_row(path):
    command = COMMANDS[path]
    # the global options are listed in the sentence above the table; the others in the command's row
    where = CLI_REFERENCE.split("\n|", 1)[0] if len(path) == 1 else ROWS.get(path, "")
    missing = [flag for flag in long_flags(command) if not re.search(rf"{re.escape(flag)}\b", where)]
    assert not missing, f"`{' '.join(path)}`: {', '.join(missing)} not in README's CLI reference"


def test_the_cli_reference_names_no_command_or_option_that_does_not_exist():
    stale = [" ".join(words) for words in ROWS if words not in COMMANDS]
    assert not stale, f"README's CLI reference describes commands mailflow does not have: {stale}"
    for words, row in ROWS.items():
        usage = re.match(r"\| `([^`]*)`", row).group(1)
        unknown = set(re.findall(r"--[a-z][a-z-]*", usage)) - set(long_flags(COMMANDS[words]))
        assert not unknown, f"`{' '.join(words)}` has no option {sorted(unknown)}"


@pytest.mark.parametrize("path", list(COMMANDS), ids=" ".join)
def test_every_command_says_what_it_does(path):
    command = COMMANDS[path]
    out = CliRunner().invoke(main, [*path[1:], "--help"])
    assert out.exit_code == 0, out.output
    first = (command.help or "").strip().split("\n\n")[0]
    assert len(first.split()) >= 3, f"`{' '.join(path)} --help` has no first line saying what it does"
    assert first.rstrip().endswith((".", "…")), f"`{' '.join(path)} --help`: the first paragraph is not a sentence"
    for param in command.params:
        if isinstance(param, click.Option) and "--help" not in param.opts:
            assert (param.help or "").strip(), f"`{' '.join(path)} {max(param.opts, key=len)}` has no help"


def shell_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)]


def test_the_quick_start_and_the_test_command_are_the_first_two_commands():
    top = README.split("\n## How it works", 1)[0]
    quick_start, tests = shell_blocks(README)[:2]
    assert quick_start in top and tests in top
    assert "pip install ." in quick_start and "mailflow init demo" in quick_start
    assert "mailflow run --once" in quick_start
    assert "pip install '.[test]'" in tests and tests.endswith("&& pytest -q")


def test_ci_runs_exactly_the_readme_test_command():
    tests = shell_blocks(README)[1]
    readme_pytest = tests.rsplit("&&", 1)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == readme_pytest
    assert 'pip install -q ".[test]"' in ci and "npm ci --prefix tests/js" in ci
    assert "set -euo pipefail" in ci  # a failing step (and pytest's exit 5: no tests ran) fails CI


def test_the_quick_start_works_as_written(tmp_path):
    """Everything after the install, run as README gives it (mailflow from this interpreter)."""
    quick_start = shell_blocks(README)[0]
    steps = [s.strip() for s in quick_start.split("&&")]
    steps = steps[[i for i, s in enumerate(steps) if s.startswith("pip install")][-1] + 1:]
    cwd = tmp_path
    env = {**os.environ, "MAILFLOW_CONFIG": ""}
    for step in steps:
        words = shlex.split(step)
        if words[0] == "cd":
            cwd = cwd / words[1]
            continue
        assert words[0] == "mailflow", step
        res = subprocess.run([sys.executable, "-m", "mailflow", *words[1:]], cwd=cwd, env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, f"{step}: {res.stderr}"
    assert list((tmp_path / "demo" / "mail" / "sent" / "new").iterdir()), "the quick start sent no notice"


def config_table() -> set[tuple[str, str]]:
    """(section, key) pairs of the configuration table; a blank section cell continues the one above."""
    pairs, current = set(), None
    for line in section("Configuration reference").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or set(cells[0]) <= {"-"} and cells[0]:
            continue
        named = re.fullmatch(r"`\[(\w+)\]`", cells[0])
        if named:
            current = named.group(1)
        for key in re.findall(r"`(\w+)`", cells[1]):
            pairs.add((current, key))
    return pairs


CONFIG_KEYS = [(name, f.name) for name, cls in SECTIONS.items() for f in fields(cls) if f.name != "password"]


@pytest.mark.parametrize("section_name,key", CONFIG_KEYS, ids=[f"[{s}] {k}" for s, k in CONFIG_KEYS])
def test_every_config_key_is_in_the_configuration_table(section_name, key):
    assert (section_name, key) in config_table(), f"README's configuration table has no row for [{section_name}] {key}"


def test_the_configuration_table_names_no_key_the_config_rejects():
    assert config_table() - set(CONFIG_KEYS) == set()


def test_every_environment_variable_the_code_reads_is_documented():
    used = {name for f in (ROOT / "mailflow").rglob("*.py")
            for name in re.findall(r"MAILFLOW_[A-Z_]+", f.read_text(encoding="utf-8"))}
    documented = set(re.findall(r"MAILFLOW_[A-Z_]+", section("Configuration reference")))
    assert used - documented == set()


def test_init_writes_a_config_that_shows_every_key_with_its_default(tmp_path):
    """README: `mailflow init` writes a commented copy of the configuration table."""
    assert CliRunner().invoke(main, ["init", str(tmp_path), "--now", "2026-12-01T09:00"]).exit_code == 0
    written = tomllib.loads((tmp_path / "mailflow.toml").read_text(encoding="utf-8"))
    missing = [f"[{s}] {k}" for s, k in CONFIG_KEYS if k not in written.get(s, {})]
    assert not missing, f"the config `mailflow init` writes leaves out {missing}"
    # [org] is filled in as an example; everything else is the embedded default, as the header says
    defaults, sample = settings_from_dict({}), settings_from_dict({s: v for s, v in written.items() if s != "org"})
    changed = [f"[{s}] {k}" for s, k in CONFIG_KEYS
               if getattr(getattr(sample, s), k) != getattr(getattr(defaults, s), k)]
    assert not changed, f"the sample says a default that is not the embedded one: {changed}"
