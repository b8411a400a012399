"""The development reply corpus (../shared/corpora/dev/replies) read the way `mailflow explain` reads it:
inbound.parse -> context_from_quote(msg.text) -> replies.classify(msg.visible, msg.date, cal, context).

A reply is right when its intent is, and for a delay its new date, for progress its percent; a
numbered reply when every item's intent is. FLOORS pins, per expected intent, how many we read
right today, so a regression in one class fails even when another class improves; and no reply
may ever be read as done or confirm when it is not. Auto-replies are the inbound reader's job
(tests/test_inbound.py) and are skipped here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from mailflow.read import dates, inbound, replies

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dev" / "replies"
EXPECTED = CORPUS / "expected.jsonl"

# expected intent -> replies read right (of how many); the dev corpus has 239 non-auto replies
FLOORS = {
    "confirm": (26, 26), "decline": (16, 16), "delay": (57, 57), "done": (34, 34), "objection": (13, 13),
    "progress": (42, 42), "risk": (18, 18), "tentative": (12, 12), "unknown": (21, 21),
}

pytestmark = pytest.mark.skipif(not EXPECTED.exists(), reason=f"the development corpus is not at {CORPUS}")


def _cases() -> list[dict]:
    if not EXPECTED.exists():
        return []
    with EXPECTED.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _read(case: dict, cal) -> tuple[replies.Reading | None, bool]:
    msg = inbound.parse((CORPUS / case["file"]).read_bytes())
    if msg.auto:
        return None, True
    ctx = replies.context_from_quote(msg.text)
    return replies.classify(msg.visible, msg.date, cal, ctx), False


def _right(case: dict, r: replies.Reading | None) -> bool:
    if r is None:
        return False
    if case["items"]:
        want = sorted((i["item"], i["intent"]) for i in case["items"])
        have = sorted((i.item, i.intent.value) for i in r.items)
        return want == have and r.intent.value in (case["intent"], "unknown")
    if r.intent.value != case["intent"]:
        return False
    if case["intent"] == "delay" and (r.due.isoformat() if r.due else None) != case["due"]:
        return False
    if case.get("percent") is not None and r.percent != case["percent"]:
        return False
    return True


@pytest.fixture(scope="module")
def results():
    cal = dates.WorkCalendar()
    out = []
    for case in _cases():
        if case["auto"]:
            continue
        r, auto = _read(case, cal)
        out.append((case, None if auto else r))
    return out


@pytest.mark.parametrize("intent", sorted(FLOORS))
def test_each_class_keeps_its_floor(results, intent):
    rows = [(c, r) for c, r in results if c["intent"] == intent]
    right = [c["file"] for c, r in rows if _right(c, r)]
    wrong = [f'{c["file"]}: got {r.intent.value if r else "auto"} {r.due if r else ""} {r.percent if r else ""}'
             for c, r in rows if not _right(c, r)]
    floor, total = FLOORS[intent]
    assert len(rows) == total
    assert len(right) >= floor, "\n".join(wrong)


def test_nothing_is_wrongly_read_as_done_or_confirm(results):
    wrong = [f'{c["file"]}: want {c["intent"]}, got {r.intent.value}' for c, r in results
             if r is not None and r.intent.value in ("done", "confirm") and r.intent.value != c["intent"]]
    assert wrong == []


def test_a_done_or_confirm_reading_that_is_sure_is_right(results):
    """What the flows act on (sure readings) is never a wrong done/confirm, and most right readings are sure."""
    counts = Counter()
    for c, r in results:
        if r is None or not r.sure:
            continue
        counts["sure"] += 1
        counts["sure_right"] += _right(c, r)
    assert counts["sure"] >= 0.85 * len(results)
    assert counts["sure_right"] >= counts["sure"] - 1
