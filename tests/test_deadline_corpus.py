"""The development deadline corpus (../shared/corpora/dev/deadlines/) through the Python API, by class.

Every row must be right (the corpus target is 100 %, none silently wrong), so a regression in one
class — holidays, working-day counts, times, ranges, vague spans, the 2027 gap — fails its own test.
The scorer `score.py deadlines` measures the same rows through the installed CLI.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from mailflow.read.dates import DEFAULT_CALENDAR, resolve

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dev" / "deadlines" / "deadlines.jsonl"

_HOLIDAY = re.compile(r"节|節|国庆|國慶|十一[前后後]|五一|劳动|元旦|春|年[前后後]|端午|中秋|清明|holiday|national|new year"
                      r"|festival", re.I)
_COUNT = re.compile(r"工作日|天内|天內|周内|週內|周之内|business|working|within", re.I)
_CHANGE = re.compile(r"至|到|~|原定|由|moved|\d\s*-\s*\D|[a-z]\s+-\s+[a-z]", re.I)


def _class(row: dict) -> str:
    """The class a row exercises (one each; the first that applies)."""
    if row["vague"]:
        return "vague"
    if row["calendar_gap"]:
        return "calendar_gap"
    text = row["text"]
    if _HOLIDAY.search(text):
        return "holiday"
    if _COUNT.search(text):
        return "count"
    if _CHANGE.search(text):
        return "range_or_change"
    if row["time"]:
        return "time"
    return "date"


def _rows() -> dict[str, list[dict]]:
    if not CORPUS.exists():
        return {}
    by = defaultdict(list)
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            by[_class(row)].append(row)
    return by


ROWS = _rows()
CLASSES = ["date", "time", "count", "holiday", "range_or_change", "vague", "calendar_gap"]
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason=f"the development corpus is not here: {CORPUS}")


def _miss(row: dict) -> str | None:
    dl = resolve(row["text"], datetime.fromisoformat(row["now"]), DEFAULT_CALENDAR)
    due = dl.due.isoformat() if dl and dl.due else None
    tm = dl.time.strftime("%H:%M") if dl and dl.time else None
    if row["vague"]:
        ok = bool(dl and dl.vague) and due is None
    elif row["due"] is None:
        ok = due is None and bool(dl and dl.calendar_gap)
    else:
        ok = due == row["due"] and tm == row["time"] and bool(dl.calendar_gap) == row["calendar_gap"]
    if ok:
        return None
    return f"{row['text']!r} @ {row['now']}: want {row['due']} {row['time']}; got {due} {tm} " \
           f"vague={dl.vague if dl else None} gap={dl.calendar_gap if dl else None}  ({row['why']})"


@needs_corpus
@pytest.mark.parametrize("cls", CLASSES)
def test_every_row_of_the_class_is_right(cls):
    rows = ROWS.get(cls, [])
    assert rows, f"no {cls} rows: the classifier or the corpus changed"
    misses = [m for m in map(_miss, rows) if m]
    assert not misses, f"{len(misses)}/{len(rows)} {cls} rows wrong:\n" + "\n".join(misses)


@needs_corpus
def test_the_classes_cover_the_corpus():
    assert sum(len(v) for v in ROWS.values()) == 327
