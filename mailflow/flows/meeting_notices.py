"""The mails about a meeting: the notice to each attendee (in their language, with their role, what
they are to prepare and the invite), any other mail about the meeting to one person, and the
meeting as plain data for the templates. Pure: mails are built, never sent here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from . import dispatch
from ..write import ical_out
from ..model import Mail, Meeting

ROLE_LABELS = {
    "zh-CN": {"host": "主持人", "recorder": "记录人", "preparer": "材料准备人", "required": "核心参会人",
              "optional": "列席"},
    "zh-TW": {"host": "主持人", "recorder": "記錄人", "preparer": "材料準備人", "required": "核心參會人",
              "optional": "列席"},
    "en": {"host": "host", "recorder": "recorder", "preparer": "material preparer",
           "required": "required attendee", "optional": "optional (for information)"},
}
RSVP_LABELS = {
    "zh-CN": {"needs-action": "未答复", "accepted": "参加", "declined": "不参加", "tentative": "待定"},
    "zh-TW": {"needs-action": "未答覆", "accepted": "參加", "declined": "不參加", "tentative": "待定"},
    "en": {"needs-action": "no answer yet", "accepted": "attending", "declined": "not attending",
           "tentative": "tentative"},
}


def meeting_data(ctx: dispatch.Context, m: Meeting, lang: str) -> dict:
    """The meeting as plain data for templates (names resolved, times in the meeting's zone)."""
    zone = ZoneInfo(m.tz or ctx.org.timezone)
    labels = ROLE_LABELS.get(lang, ROLE_LABELS["zh-CN"])
    rsvps = RSVP_LABELS.get(lang, RSVP_LABELS["zh-CN"])
    return {
        "id": m.id, "title": m.title, "goal": m.goal, "start": m.start.astimezone(zone),
        "end": m.end.astimezone(zone), "tz": m.tz, "location": m.location, "online": m.online,
        "host": ctx.name(m.host), "recorder": ctx.name(m.recorder) if m.recorder else "",
        "preparer": ctx.name(m.preparer) if m.preparer else "",
        "minutes_total": sum(i.minutes or 0 for i in m.agenda),
        "agenda": [{"seq": i.seq, "title": i.title, "owner": ctx.name(i.owner) if i.owner else "",
                    "minutes": i.minutes or "", "outcome": i.outcome, "materials": i.materials}
                   for i in m.agenda],
        "agenda_rows": [[i.seq, i.title, ctx.name(i.owner) if i.owner else "—", i.minutes or "—",
                         i.outcome or "—", i.materials or "—"] for i in m.agenda],
        "attendees": [{"name": a.name or ctx.name(a.email), "email": a.email, "role": labels[a.role.value],
                       "rsvp": rsvps[a.rsvp.value], "proxy": ctx.name(a.proxy) if a.proxy else ""}
                      for a in m.attendees],
        "status": m.status, "cancel_reason": m.cancel_reason,
    }


def to_prepare(m: Meeting, email: str) -> list[dict]:
    """What this person is asked to bring: the agenda items they own and their materials."""
    return [{"title": i.title, "materials": i.materials, "minutes": i.minutes or ""}
            for i in m.agenda if i.owner == email]


def calendar_for(ctx: dispatch.Context, m: Meeting, lang: str, method: str = "REQUEST") -> bytes | None:
    """The invite for a notice. A meeting that came from the host's own invitation gets none:
    that invitation is the calendar entry, and a second REQUEST from us would fight the host's
    client over SEQUENCE in every attendee's calendar."""
    if m.source == "imip":
        return None
    description = None if lang != "en" or method == "CANCEL" else english_description(ctx, m)
    return ical_out.build_invite(m, ctx.now, method, names=ctx.name, description=description,
                             organizer_email=ctx.org.address, organizer=ctx.org.meeting_organizer,
                             organizer_name=organizer_name(ctx, m, lang))


def organizer_name(ctx: dispatch.Context, m: Meeting, lang: str) -> str:
    """The CN of the shared mailbox as ORGANIZER: whose meeting it is, and that mailflow sends it
    ("王磊（主持人） via 会议助手"). ical_out strips line breaks and quotes from it."""
    label = ROLE_LABELS.get(lang, ROLE_LABELS["zh-CN"])["host"]
    host = ctx.name(m.host) if m.host else ""
    if not host:
        return ctx.org.name
    role = f" ({label})" if lang == "en" else f"（{label}）"
    return f"{host}{role} via {ctx.org.name}"


def english_description(ctx: dispatch.Context, m: Meeting) -> str:
    zone = ZoneInfo(m.tz)
    lines = [f"Goal: {m.goal}"] if m.goal else []
    lines.append(f"Time: {m.start.astimezone(zone):%Y-%m-%d %H:%M}-{m.end.astimezone(zone):%H:%M} ({m.tz})")
    if m.location:
        lines.append(f"Place: {m.location}")
    if m.online:
        lines.append(f"Online: {m.online}")
    lines.append("; ".join(f"{label}: {ctx.name(e)}" for label, e in
                           (("Host", m.host), ("Recorder", m.recorder), ("Materials", m.preparer)) if e))
    if m.agenda:
        lines += ["", "Agenda:"]
        for i in m.agenda:
            extra = ", ".join(x for x in (ctx.name(i.owner) if i.owner else "",
                                          f"{i.minutes} min" if i.minutes else "") if x)
            lines.append(f"{i.seq}. {i.title}" + (f" ({extra})" if extra else ""))
            if i.outcome:
                lines.append(f"   Outcome: {i.outcome}")
            if i.materials:
                lines.append(f"   Materials: {i.materials}")
    return "\n".join(lines)


def notices(ctx: dispatch.Context, m: Meeting, emails: list[str], *, template: str = "meeting_notice",
            kind: str = "notice", method: str = "REQUEST") -> list[Mail]:
    """One mail per attendee: each reads it in their own language (zh-CN, zh-TW, en) with their own
    role and what they are to prepare, and a reply in that thread says whose answer it is even when
    it comes from a delegate. From the shared address, on the host's behalf.

    The invite differs only by language (English readers get an English description), so it is
    built once per language, not once per person."""
    key_kind = {"notice": "notice", "meeting_update": "update", "meeting_cancel": "cancel"}.get(kind, kind)
    invites: dict[str, bytes | None] = {}
    data: dict[str, dict] = {}             # meeting_data per language: built once, not per person
    by_email = {a.email: a for a in m.attendees}
    mails = []
    for email in emails:
        lang = ctx.lang(email)
        att = by_email.get(email.lower())
        labels = ROLE_LABELS.get(lang, ROLE_LABELS["zh-CN"])
        if lang not in invites:
            invites[lang] = calendar_for(ctx, m, lang, method)
            data[lang] = meeting_data(ctx, m, lang)
        invite = invites[lang]
        mails.append(Mail(
            key=f"{key_kind}:m{m.id}:s{m.sequence}:{email}", template=template, to=[email], lang=lang,
            meeting_id=m.id, kind=kind, calendar=invite,
            context={"name": (att.name if att and att.name else ctx.name(email)), "has_invite": invite is not None,
                     "stands_in_for": "",
                     "role": labels[att.role.value] if att else "", "role_key": att.role.value if att else "",
                     "m": data[lang], "prepare": to_prepare(m, email),
                     "on_behalf": ctx.name(m.host)}))
    return mails


def to_person(ctx: dispatch.Context, m: Meeting, email: str, template: str, key: str, kind: str,
              data: dict | None = None, **extra) -> Mail:
    """One mail about `m` to one person. `data` keeps meeting_data per language across the calls
    of one step (built once, not once per attendee)."""
    lang = ctx.lang(email)
    if data is None:
        data = {}
    if lang not in data:
        data[lang] = meeting_data(ctx, m, lang)
    return Mail(key=key, template=template, to=[email], lang=lang, meeting_id=m.id, kind=kind,
                context={"name": ctx.name(email), "m": data[lang],
                         "prepare": to_prepare(m, email), "sender_name": ctx.org.name, **extra})


def mailed(ctx: dispatch.Context, m: Meeting, email: str) -> bool:
    """Whether mailflow mails this attendee: everyone of a meeting it created; of a meeting taken
    from a host's own invitation, only colleagues in people.yaml (the host's calendar reached the
    rest, and an address in a calendar file must not make us mail outsiders)."""
    return m.source != "imip" or ctx.directory.get(email) is not None
