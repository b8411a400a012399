"""The development minutes corpus (../shared/corpora/dev/minutes), read through the Python API the
minutes flow uses (minutes_flow.read_draft: body, forwarded part, .docx/.xlsx attachments), scored per
draft style the way score.py scores it. The floors are what the reader reaches today: a change that
loses an item or a problem in one style fails here, by name."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from mailflow.read import inbound
from mailflow.flows.minutes import read_draft
from mailflow.read.people import load_people

CORPUS = Path(__file__).parents[2] / "shared" / "corpora" / "dev" / "minutes"

pytestmark = pytest.mark.skipif(not (CORPUS / "expected.jsonl").exists(),
                                reason=f"development corpus not found at {CORPUS}")

# draft style -> the drafts that exercise it (a draft may show several styles)
STYLES = {
    "numbered plain text": ["m01", "m15", "m17", "m19", "m20a", "m20b", "m23", "m24", "m25", "m34", "m35", "m40"],
    "seed 部门-姓（…）, inline fields, key-value": ["m02", "m03", "m04", "m22", "m33"],
    "Markdown table and task list": ["m05", "m21"],
    "TAB-separated paste": ["m06"],
    "HTML (Outlook, Word, 163, QQ, Foxmail)": ["m07", "m08", "m09", "m10", "m12", "m14", "m32", "m36", "m38"],
    "Traditional Chinese": ["m11", "m12", "m28", "m37"],
    "English and bilingual": ["m13", "m14", "m39"],
    "forwarded": ["m16"],
    "decisions only": ["m18"],
    "Word .docx attachment": ["m26", "m27", "m28", "m29"],
    "Excel .xlsx attachment": ["m30", "m31"],
}
# (action-item F1, share of problems found) reached per style
FLOORS = {style: (1.0, 1.0) for style in STYLES}


def _expected() -> list[dict]:
    with open(CORPUS / "expected.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _score(e: dict, directory) -> tuple[int, int, int, int, int]:
    """(matched, extracted, expected, problems found, problems expected) for one draft."""
    msg = inbound.parse((CORPUS / e["file"]).read_bytes(), own_addresses=["mailflow@corp.example"])
    parsed = read_draft(msg, directory, datetime.fromisoformat(e["now"]), None).parsed
    pred = [{"title": a.title, "owner": a.owner, "due": a.due.isoformat() if a.due else None}
            for a in parsed.action_items]
    used, match = set(), {}
    for i, a in enumerate(e["action_items"]):
        for j, b in enumerate(pred):
            if j not in used and b["owner"] == a["owner"] and b["due"] == a["due"] \
                    and all(k in b["title"] for k in a["title_keywords"]):
                used.add(j)
                match[i] = j
                break
    found = 0
    for pb in e["problems"]:
        j = match.get(pb["item"])
        found += any(q.kind == pb["kind"] and (j is None or q.item in (j, j + 1, None)) for q in parsed.problems)
    return len(match), len(pred), len(e["action_items"]), found, len(e["problems"])


@pytest.fixture(scope="module")
def scores() -> dict[str, tuple[int, int, int, int, int]]:
    directory = load_people(CORPUS / "people.yaml")
    return {Path(e["file"]).name.split("_")[0]: _score(e, directory) for e in _expected()}


@pytest.mark.parametrize("style", list(STYLES))
def test_each_draft_style_keeps_its_floor(scores, style):
    tp = sum(scores[d][0] for d in STYLES[style])
    n = sum(scores[d][1] + scores[d][2] for d in STYLES[style])
    found = sum(scores[d][3] for d in STYLES[style])
    wanted = sum(scores[d][4] for d in STYLES[style])
    f1 = 2 * tp / n if n else 1.0
    share = found / wanted if wanted else 1.0
    per_draft = {d: scores[d] for d in STYLES[style]}
    assert (round(f1, 3), round(share, 3)) >= FLOORS[style], per_draft


def test_the_whole_corpus_meets_the_issue_targets(scores):
    tp = sum(s[0] for s in scores.values())
    n = sum(s[1] + s[2] for s in scores.values())
    found = sum(s[3] for s in scores.values())
    wanted = sum(s[4] for s in scores.values())
    assert 2 * tp / n >= 0.95 and found / wanted >= 0.95


def test_no_action_item_comes_from_a_draft_that_decides_only(scores):
    assert scores["m18"][1] == 0
