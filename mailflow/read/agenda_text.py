"""Agenda items in free text: the lines of an "议程：" block, numbered lines or bullets, as people
write them in a 会议通知 mail or an invitation's description. It lives in read/ because it reads
text into facts; the meeting mail (flows/meetings.py) and outside invitations (read/ical_in.py)
both use it.
"""

from __future__ import annotations

import re

_AGENDA_HEAD = re.compile(
    r"^\s*[【\[]?\s*(?:会议|會議)?(?:议程|議程|议题|議題|agenda|topics?)\s*[】\]]?\s*(?:[:：]\s*(?P<rest>.*))?$",
    re.I)
_NUMBERED = re.compile(
    r"^\s*(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、．)）]|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|(?:议题|議題|item)\s*\d{1,2}\s*[:：.、])(?!\d)\s*(?P<text>\S.*)$", re.I)
_BULLET = re.compile(r"^\s*[-•·*・●▪◦]\s+(?P<text>\S.*)$")
_KEY_LINE = re.compile(r"^\s*[^\s:：]{1,12}\s*[:：]")


def agenda_lines(description: str) -> list[str]:
    """Agenda items found in a description: the lines of an "议程：" block, or numbered lines."""
    lines = (description or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    items: list[str] = []
    in_block = False
    for line in lines:
        head = _AGENDA_HEAD.match(line)
        if head:
            in_block = True
            rest = (head.group("rest") or "").strip()
            if rest:
                items += [p.strip() for p in re.split(r"[；;]", rest) if p.strip()]
            continue
        numbered = _NUMBERED.match(line)
        if numbered:
            items.append(numbered.group("text").strip())
            continue
        if in_block:
            if not line.strip():
                if items:
                    in_block = False
                continue
            bullet = _BULLET.match(line)
            if bullet:
                items.append(bullet.group("text").strip())
            elif line[:1].isspace() and items:
                continue  # an indented detail line under the previous item (预期成果, 材料)
            elif _KEY_LINE.match(line):
                in_block = False
            else:
                items.append(line.strip())
    seen: set[str] = set()
    return [i for i in items if not (i in seen or seen.add(i))]
