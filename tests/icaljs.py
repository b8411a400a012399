"""Mozilla's ical.js (the parser inside Thunderbird) over the .ics files mailflow wrote.

    require_ical_js()                    # first: skips the test when node or ical.js is missing
    ...write the files...
    done = run_ical_js(files)
    assert done.returncode == 0, done.stderr or done.stdout

tests/js/check_ics.mjs exits 0 when every file parses and each VEVENT has UID, DTSTART, DTEND and
ORGANIZER, else 1 with one line per problem. Install it with `npm ci --prefix tests/js`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Iterable

import pytest

JS = Path(__file__).resolve().parent / "js"


def require_ical_js() -> str:
    """The node command; the test is skipped when node or tests/js/node_modules is missing."""
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "ical.js").is_dir():
        pytest.skip("node or tests/js/node_modules is missing: install Node 20 and run npm ci --prefix tests/js")
    return node


def run_ical_js(files: Iterable[str | Path]) -> subprocess.CompletedProcess:
    return subprocess.run([require_ical_js(), str(JS / "check_ics.mjs"), *map(str, files)],
                          capture_output=True, text=True, timeout=60)
