"""Office tables as draft text, shared by the Word and the Excel reader: which header row is a task
list (an owner column and a task or due column), a task table as TAB-separated rows, a table of
decisions as numbered lines, a form of meeting facts as "label：value" lines; cells and blank lines
tidied. Pure. Split out of attachments so that docx_text and xlsx_text read tables one way.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

__all__ = ["task_header", "cell_text", "table_lines", "decision_column", "is_form", "tidy"]

# Substrings of a column header; a header is task-like with an owner column and a task or due column.
_OWNER = re.compile(r"负责|負責|责任人|責任人|执行人|執行人|承办|承辦|主责|主責|跟进人|跟進人|落实人|落實人|经办人|經辦人|"
                    r"owner|assignee|responsible|\bwho\b|\bpic\b", re.I)
_TASK = re.compile(r"事项|事項|任务|任務|行动|行動|工作|内容|內容|待办|待辦|措施|task|action|item|to-?do", re.I)
_DUE = re.compile(r"时间|時間|日期|期限|截止|时限|時限|节点|節點|完成|due|deadline|date|\bby\b|\bwhen\b", re.I)
_DECISION = re.compile(r"决议|決議|决定|決定|结论|結論|decision|resolution|conclusion", re.I)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def task_header(cells: list[str]) -> bool:
    owner = [i for i, c in enumerate(cells) if c and len(c) <= 20 and _OWNER.search(c)]
    others = [c for i, c in enumerate(cells) if c and len(c) <= 20 and i not in owner]
    return bool(owner) and any(_TASK.search(c) or _DUE.search(c) for c in others)


def cell_text(value: object) -> str:
    """One cell as draft text: dates YYYY-MM-DD, whole numbers without .0, one line."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def table_lines(rows: list[list[list[str]]], word: bool = False) -> list[str]:
    """A table (rows of cells, a cell a list of lines) as draft text:

    - from a task-like header row on (序号 | 事项 | 负责人 | 完成时间), one line of TAB-separated cells
      per row, every row as wide as the header, the way a table pasted from Excel reads; in Word a
      row that is one cell across the table (备注：…) ends it;
    - a table of decisions (a 决议 / Decisions column, no owner column): its heading, then one
      numbered line per decision;
    - a form of facts (会议时间 | 12月11日 | 地点 | 3楼; 决议事项 | several paragraphs):
      "label：value" lines, a value of several paragraphs under its "label：" line;
    - rows above a task header (a title) and one-cell rows: their lines;
    - anything else: TAB-separated rows.
    Rows holding nothing but numbers (序号 5, 6, 7 of a template filled in ahead) are dropped."""
    rows = [r for r in rows if any(line and not _NUMBER.fullmatch(line) for c in r for line in c)]
    if not rows:
        return []
    flat = [[" ".join(c) for c in r] for r in rows]
    at = next((i for i, r in enumerate(flat) if task_header(r)), None)
    if at is None:
        if decision_column(flat[0]) is not None and not any(_OWNER.search(c) for c in flat[0]):
            return _decision_lines(flat)
        if is_form(flat):
            return _form_lines(rows)
        return _tab_lines(flat)
    end = at + 1
    while end < len(rows) and not (word and len(rows[end]) == 1):
        end += 1
    return _form_lines(rows[:at]) + _tab_lines(flat[at:end]) + table_lines(rows[end:], word)


def _tab_lines(flat: list[list[str]]) -> list[str]:
    width = max(len(r) for r in flat)
    return ["\t".join(r + [""] * (width - len(r))) for r in flat]


_LABEL = re.compile(r"时间|時間|日期|地点|地點|主持|记录|記錄|紀錄|参会|參會|出席|缺席|列席|主题|主題|名称|名稱|议题|議題|"
                    r"内容|內容|决议|決議|决定|決定|结论|結論|事项|事項|备注|備註|会议|會議|人员|人員|部门|部門|目标|目標|"
                    r"time|date|venue|location|place|host|chair|recorder|minutes|attendees|absent|subject|topic|"
                    r"agenda|decision|notes|title|meeting", re.I)


def is_form(flat: list[list[str]]) -> bool:
    """Label / value pairs: an even number of columns whose label cells mostly name meeting facts."""
    width = max(len(r) for r in flat)
    if width % 2 or width > 6:
        return False
    labels = [r[i] for r in flat for i in range(0, len(r), 2) if r[i]]
    return bool(labels) and sum(bool(_LABEL.search(x)) and len(x) <= 12 for x in labels) * 2 >= len(labels)


def _form_lines(rows: list[list[list[str]]]) -> list[str]:
    out: list[str] = []
    for row in rows:
        cells = [c for c in row if any(c)]
        if len(cells) == 1 or len(row) % 2:
            out += [line for c in cells for line in c]
            continue
        for label, value in zip(row[0::2], row[1::2]):
            key = " ".join(label).rstrip(":： ")
            if key and len(value) == 1 and len(value[0]) <= 30 and not re.search(r"[。；;]", value[0]):
                out.append(f"{key}：{value[0]}")          # a fact: 主持人：王磊
            elif key:                                   # a section: 会议内容 / 决议事项 and its text
                out += [f"{key}：", *value]
            else:
                out += value
    return out


def decision_column(head: list[str]) -> int | None:
    return next((i for i, c in enumerate(head) if c and len(c) <= 20 and _DECISION.search(c)), None)


def _decision_lines(flat: list[list[str]]) -> list[str]:
    """A 决议 table or sheet: its heading, then each decision numbered (its own number kept)."""
    col = decision_column(flat[0])
    out, n = [flat[0][col]], 0
    for r in flat[1:]:
        text = r[col] if col < len(r) else ""
        if text:
            n += 1
            out.append(text if re.match(r"\s*[\d一二三四五六七八九十]+[.、．)）]", text) else f"{n}. {text}")
    return out


def tidy(lines: list[str]) -> str:
    """At most one blank line in a row, none at the ends."""
    out: list[str] = []
    for line in "\n".join(lines).split("\n"):
        line = line.rstrip(" \r")          # never the TABs that end a table row with empty cells
        if line.strip() or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + ("\n" if out else "")
