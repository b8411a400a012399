"""Verification (验收): a task reported 已完成 goes to the host to verify, with the deliverables
attached to the report; the host's (or a delegate's) 验收通过 closes it (已验收), 退回 + reason sends
it back to work at the percent it had before, and the owner is told either way.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from . import dispatch, due_entries
from .task_reading import _read, _task_and_meeting, _words
from .task_receipts import _base, _clarify, _clip, _hold_receipt, _line
from .task_refusals import _gate
from ..read import attachments
from ..model import Attachment, Intent, Mail, Outcome, Task, TaskEvent, TaskStatus

# The host's verdict on a finished task. A return is looked for first (不通过 contains 通过).
# "先别关" / "keep it open": the host keeps a finished task open, which is a return (not closed).
_KEEP_OPEN = (r"(?:先|暂|暫|还|還)?(?:别|別|不要|不能|勿|不用|暂不|暫不|先不)(?:关闭|關閉|关|關|结案|結案|close)|"
              r"(?:don'?t|do\s+not|not\s+yet)\s+close(?:\s+(?:it|this))?(?:\s+yet)?|keep\s+(?:it\s+|this\s+)?open")
_RETURN = re.compile(r"退回|驳回|駁回|打回|返工|退件|重做|(?:不|没|沒|未|无法|無法|不能|不予|不可)有?(?:通过|通過|验收|驗收|合格|接受)|"
                     r"reject|not\s+(?:accept|approv|pass|ok)|send\s+(?:it\s+)?back|\breturn(?:ed)?\b|redo|"
                     + _KEEP_OPEN, re.I)
_PASS = re.compile(r"验收通过|驗收通過|通过|通過|验收|驗收|合格|同意|确认|確認|可以|没问题|沒問題|好的|"
                   r"\bok\b|\bokay\b|approved?|accepted?|\bpass(ed)?\b|lgtm", re.I)
_RETURN_LEAD = re.compile(r"^\s*(?:验收)?(?:退回|不通过|未通过|驳回|打回|返工|不合格|rejected|reject|returned|return|"
                          r"send\s+(?:it\s+)?back|" + _KEEP_OPEN + r")\s*[，,：:。.;；、\s]*", re.I)


def _verdict(text: str | None) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    if _RETURN.search(text):
        return "return"
    if _PASS.search(text):
        return "pass"
    return None


# The deliverables attached to 已完成 that are forwarded to the verifier, in all; past it (or when
# inbound did not keep a file's bytes) a file is listed with its name and size only.
VERIFY_ATTACH_LIMIT = attachments.FORWARD_BYTES


def _deliverables(msg: Any) -> tuple[list[Attachment], list[dict]]:
    """(attachments to forward, every file listed as {name, size, attached}) of a done report."""
    kept = {name: (ctype, data) for name, ctype, data in (getattr(msg, "files", None) or [])}
    forward: list[Attachment] = []
    listed: list[dict] = []
    total = 0
    for name, ctype, size in getattr(msg, "attachments", None) or []:
        if ctype == "text/calendar" or (name or "").lower().endswith(".ics"):
            continue
        safe = re.sub(r"[\x00-\x1f\x7f/\\]", "_", name or "file")[:120]
        data = kept.get(name)
        ok = data is not None and total + size <= VERIFY_ATTACH_LIMIT
        if ok:
            forward.append(Attachment(filename=safe, content_type=data[0] or "application/octet-stream",
                                      data=data[1]))
            total += size
        listed.append({"name": safe, "size": size, "attached": ok})
    return forward, listed


def _verify_request(ctx: dispatch.Context, msg: Any, task: Task, meeting: Any) -> Mail:
    forward, listed = _deliverables(msg)
    return Mail(
        key=f"task_verify:t{task.id}:{msg.message_id}", template="task_verify", to=[meeting.host],
        lang=ctx.lang(meeting.host), kind="task_verify", task_id=task.id, meeting_id=task.meeting_id,
        attachments=forward,
        context={**_base(ctx, task), "name": ctx.name(meeting.host), "text": _clip(msg.visible),
                 "sender_name": ctx.name(msg.sender) or msg.sender, "meeting_title": meeting.title,
                 "files": listed, "limit_mb": VERIFY_ATTACH_LIMIT // (1024 * 1024)})


def _percent_before_done(ctx: dispatch.Context, task: Task) -> int | None:
    for e in reversed(ctx.lookup.task_events(task.id)):
        if e.kind != "done" and e.percent is not None and e.percent < 100:
            return e.percent
    return None


def _verify(ctx: dispatch.Context, msg: Any, task: Task, meeting: Any) -> Outcome:
    sender = (msg.sender or "").lower()
    verdict = _verdict(_words(msg))
    text = _clip(_words(msg))
    name = msg.sender_name or ctx.name(sender) or sender

    def receipt(line: dict) -> Mail:
        return Mail(key=f"task_receipt:{msg.message_id}", template="task_receipt", to=[sender],
                    lang=ctx.lang(sender), kind="task_receipt", task_id=task.id, meeting_id=task.meeting_id,
                    in_reply_to=msg.message_id, references=list(msg.references or []),
                    context={"name": name, "lines": [line], "unclear": [], "refused": [], "items": []})

    if task.status is not TaskStatus.DONE:
        line = _line(ctx, task, "closed" if task.status is TaskStatus.VERIFIED else "unchanged")
        return Outcome(status="applied", log=[f"task {task.id} is {task.status.value}: nothing to verify"],
                       mails=[receipt(line)])
    t = replace(task, collaborators=list(task.collaborators))
    ev = dict(task_id=task.id, at=ctx.now, actor=sender, text=text, old_status="done", message_id=msg.message_id)
    if verdict == "pass":
        t.status, t.verified_at = TaskStatus.VERIFIED, ctx.now
        event = TaskEvent(**ev, kind="verified", new_status="verified", percent=t.percent)
        what, reason = "verified", ""
    else:
        reason = _RETURN_LEAD.sub("", text, count=1).strip() or text
        t.status, t.done_at = TaskStatus.IN_PROGRESS, None
        # returned work is not 100%: back to the last percent reported before 已完成 (or unknown)
        t.percent = _percent_before_done(ctx, task)
        event = TaskEvent(**ev, kind="rejected", new_status="in_progress", percent=t.percent)
        what = "returned"
    mails = [receipt(_line(ctx, t, what, reason=reason))]
    if task.owner != sender:
        mails.append(Mail(
            key=f"task_verify_result:{msg.message_id}", template="task_verify_result", to=[task.owner],
            lang=ctx.lang(task.owner), kind="task_verify_result", task_id=task.id, meeting_id=task.meeting_id,
            context={**_base(ctx, t), "name": ctx.name(task.owner), "result": what, "reason": reason,
                     "host_name": ctx.name(sender) or sender}))
    out = Outcome(tasks=[t], task_events=[event], mails=mails, status="applied",
                  log=[f"task {task.id} ({task.title}): {what} by {sender}" + (f": {reason}" if reason else "")])
    out.intent = "confirm" if what == "verified" else "objection"
    due_entries.follow(ctx, task, t, out, meeting)   # a return to work starts the entry again
    _hold_receipt(ctx, out, f"task_receipt:{msg.message_id}")
    return out


@dispatch.on_reply("task_verify")
def on_verify_reply(ctx: dispatch.Context, msg: Any, rt: dispatch.Route) -> Outcome | None:
    """The host answers a verify request: 验收通过 / 退回 + reason. Others fall through to on_task_mail."""
    task, meeting = _task_and_meeting(ctx, rt)
    if task is None:
        return None
    if not ctx.standing.host_side(meeting):
        return None
    refused = _gate(ctx, msg, task, meeting)
    if refused is not None:
        return refused
    if _verdict(_words(msg)) is None:
        reading = _read(ctx, msg, rt, task)
        if reading.sure and reading.intent is not Intent.UNKNOWN:
            return None          # the host reports on the task like anyone else
        return _clarify(ctx, msg, rt, task, mode="verify", reading=reading)
    return _verify(ctx, msg, task, meeting)
