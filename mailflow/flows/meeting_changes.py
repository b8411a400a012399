"""The host (or a delegate) moves or cancels a meeting by mail in its thread ("会议改到下周三下午
3点", "会议取消，原因…"): mailflow asks the host to confirm with one click, then runs
meetings.reschedule / meetings.cancel. Anyone else's same words are read as usual.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..write import choices
from . import answers, dispatch
from .meetings import cancel, reschedule
from .meeting_notices import meeting_data, to_person
from ..read.meeting_text import HostCommand, read_host_command
from ..model import Meeting, Outcome


# The one-click bodies of the confirmation; read back by meeting_text.read_host_command.
CHANGE_WORDS = {
    "zh-CN": {"confirm_move": "确认改期：{when}", "confirm_cancel": "确认取消，原因：{reason}", "keep": "不要"},
    "zh-TW": {"confirm_move": "確認改期：{when}", "confirm_cancel": "確認取消，原因：{reason}", "keep": "不要"},
    "en": {"confirm_move": "Confirm the move: {when}", "confirm_cancel": "Confirm the cancellation, reason: {reason}",
           "keep": "Keep it as it is"},
}


def host_change(ctx: dispatch.Context, msg: Any, rt: dispatch.Route, m: Meeting) -> Outcome | None:
    """The host writes in the meeting's thread "会议改到下周三下午3点" or "会议取消，原因…": mailflow asks
    the host to confirm (one click), and on 确认改期 / 确认取消 sends the update / cancellation to
    everyone as `meeting reschedule` / `meeting cancel` do. From anyone else, or when it is no
    command, None: the mail is read as usual."""
    if not ctx.standing.host_side(m):      # the host or a delegate (the recorder does not decide)
        return None
    cmd = read_host_command(msg.visible or "", ctx.now, m.tz or ctx.org.timezone, ctx.calendar)
    if cmd is None and (rt.answered or {}).get("kind") == "meeting_change_confirm":
        cmd = _yes_to_confirmation(ctx, msg, m)
    if cmd is None:
        return None
    if not ctx.standing.authenticated:
        return Outcome(status="refused", log=[f"meeting {m.id}: change from {msg.sender} failed authentication"])
    if cmd.action == "keep":
        return Outcome(status="ignored", intent="meeting_keep",
                       log=[f"meeting {m.id}: {msg.sender} keeps the meeting as it is"])
    if m.status != "scheduled":
        return Outcome(status="ignored", intent=f"meeting_{cmd.action}",
                       log=[f"meeting {m.id} is {m.status}; {cmd.action} from {msg.sender} not applied"])
    if cmd.action in ("move", "confirm_move"):
        if cmd.problem:
            return _change_mail(ctx, msg, m, cmd, status="unknown", log=f"unclear new time {cmd.when_text!r} "
                                f"({cmd.problem}); asked back")
        start = cmd.start
        end = cmd.end or start + (m.end - m.start)     # only a start: the meeting keeps its length
        if (start, end) == (m.start, m.end):
            return Outcome(status="ignored", intent="meeting_move",
                           log=[f"meeting {m.id} is already at {start:%Y-%m-%d %H:%M}"])
        if cmd.action == "move":
            return _change_mail(ctx, msg, m, cmd, start=start, end=end,
                                log=f"{msg.sender} asked to move it to {start:%Y-%m-%d %H:%M}; confirmation asked")
        out = reschedule(ctx, m, start, end)
        out.intent = "meeting_move"
        out.log.append(f"moved by mail, confirmed by {msg.sender}")
        return out
    if cmd.action == "cancel":
        return _change_mail(ctx, msg, m, cmd, log=f"{msg.sender} asked to cancel it; confirmation asked")
    out = cancel(ctx, m, cmd.reason)
    out.intent = "meeting_cancel"
    out.log.append(f"cancelled by mail, confirmed by {msg.sender}")
    return out


def _yes_to_confirmation(ctx: dispatch.Context, msg: Any, m: Meeting) -> HostCommand | None:
    """A plain "确认" / "OK" written in reply to the confirmation: the proposal is the 确认… line the
    confirmation itself carried (quoted below the answer)."""
    if not re.fullmatch(r"\s*(确认|確認|确定|確定|好的?|可以|同意|ok(ay)?|yes|confirm(ed)?|go ahead)\W*", msg.visible or "",
                        re.I):
        return None
    for line in (msg.text or "").splitlines():
        line = re.sub(r"<mailto:[^>]*>", "", line).lstrip("> \t")     # the quoted link line: its label only
        cmd = read_host_command(line, ctx.now, m.tz or ctx.org.timezone, ctx.calendar)
        if cmd and cmd.action in ("confirm_move", "confirm_cancel"):
            return cmd
    return None


def _change_mail(ctx: dispatch.Context, msg: Any, m: Meeting, cmd: HostCommand, *, log: str,
                 status: str = "applied", start: datetime | None = None, end: datetime | None = None) -> Outcome:
    """To the host: the one-click confirmation of a move or a cancellation, or the ask-back when the
    new time is unclear."""
    sender = msg.sender.lower()
    lang = answers.language_of_text(msg.visible or "", ctx.lang(sender))
    zone = ZoneInfo(m.tz or ctx.org.timezone)
    words = CHANGE_WORDS.get(lang, CHANGE_WORDS["zh-CN"])
    subject = f"{choices.RE_PREFIX.get(lang, '')}[MF-M{m.id}] {m.title}"
    links = []
    if not cmd.problem:
        when = f"{start.astimezone(zone):%Y-%m-%d %H:%M}-{end.astimezone(zone):%H:%M}" if start else ""
        first = "confirm_move" if start else "confirm_cancel"
        for key in (first, "keep"):
            body = words[key].format(when=when, reason=cmd.reason)
            # no In-Reply-To: the subject tag routes the click to this meeting
            links.append({"key": key, "body": body, "href": choices.mailto(ctx.org.address, subject, body)})
    mail = to_person(ctx, m, sender, "meeting_change_confirm", f"meeting_change:{msg.message_id}",
                     "meeting_change_confirm", action="move" if cmd.action == "move" else cmd.action,
                     problem=cmd.problem, when_text=cmd.when_text, reason=cmd.reason,
                     new_start=start.astimezone(zone) if start else None,
                     new_end=end.astimezone(zone) if end else None, links=links)
    if lang != mail.lang:
        mail.lang, mail.context["m"] = lang, meeting_data(ctx, m, lang)
    mail.in_reply_to, mail.references = msg.message_id, list(msg.references or [])
    return Outcome(mails=[mail], status=status, intent=f"meeting_{cmd.action}",
                   log=[f"meeting {m.id}: {log}"])


@dispatch.on_reply("meeting_change_confirm")
def on_change_confirm_reply(ctx: dispatch.Context, msg: Any, rt: dispatch.Route) -> Outcome | None:
    """The host's answer to the confirmation: 确认改期 / 确认取消 / 不要 (or a plain 确认)."""
    m = ctx.lookup.get_meeting(rt.meeting_id) if rt.meeting_id is not None else None
    return host_change(ctx, msg, rt, m) if m is not None else None
