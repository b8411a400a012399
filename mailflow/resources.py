"""Where the shipped templates, rules and samples are.

In a wheel they are installed inside the package (mailflow/templates, mailflow/rules); in a source
checkout or an editable install they are the top-level templates/ and rules/ folders.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """The shipped folder `name` ("templates", "rules" or "samples")."""
    inside = _HERE / name
    if inside.is_dir():
        return inside
    return _HERE.parent / name
