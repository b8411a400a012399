"""Every reply of the development corpus (../shared/corpora/dev/replies/) through inbound.parse: the
new text a person sees (no quote, signature, tagline, disclaimer) and whether it is an answer at all.

Compared after removing all whitespace, as the corpus README says `visible` is what a person sees.
Each client style has a floor (the share of its files that must match); a regression in one
client's quoting or signature shape fails here even when the total barely moves.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from mailflow.read.inbound import parse

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dev" / "replies"
EXPECTED = CORPUS / "expected.jsonl"

pytestmark = pytest.mark.skipif(not EXPECTED.exists(), reason=f"development corpus not found at {CORPUS}")

# share of each client style's non-automatic files whose visible text must match (raise, never lower)
FLOORS: dict[str, float] = defaultdict(lambda: 1.0)


def _rows() -> list[dict]:
    if not EXPECTED.exists():
        return []
    return [json.loads(line) for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line.strip()]


ROWS = _rows()


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_auto_replies_and_bounces_are_told_from_answers(row):
    mail = parse((CORPUS / row["file"]).read_bytes(), own_addresses=["mailflow@corp.example"])
    assert mail.auto == row["auto"], (mail.auto_reason, mail.visible[:200])


def test_visible_text_per_client_style(capsys):
    ok: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    misses = []
    for row in ROWS:
        if row["auto"]:
            continue
        mail = parse((CORPUS / row["file"]).read_bytes(), own_addresses=["mailflow@corp.example"])
        client = row["client"]
        total[client] += 1
        if _squash(mail.visible) == _squash(row["visible"]):
            ok[client] += 1
        else:
            misses.append(f"{row['file']}: got {mail.visible[:120]!r} (cut {mail.cut})")
    with capsys.disabled():
        print(f"\nvisible text, dev corpus: {sum(ok.values())}/{sum(total.values())}")
    low = {c: f"{ok[c]}/{n}" for c, n in total.items() if ok[c] < FLOORS[c] * n}
    assert not low, f"below the floor: {low}\n" + "\n".join(misses)
