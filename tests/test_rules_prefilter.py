"""The weekly follow-up rule reads only meetings whose anniversary can fall in the tick's window:
a prefilter in SQL that must never drop a meeting the full scan would pick."""

from datetime import date, datetime, timedelta

from mailflow.timeline import moments, plan
from mailflow.model import Attendee, Meeting, Role, Task
from apphelp import SH, make_app


def test_the_weekday_prefilter_agrees_with_the_full_scan_around_holidays(tmp_path):
    start = datetime(2026, 9, 1, 8, 0, tzinfo=SH)
    app, svc, _ = make_app(tmp_path, start)
    # a meeting ending on every day from mid-August to the end of October (National Day inside)
    for i in range(75):
        end = datetime(2026, 8, 15, 16, 0, tzinfo=SH) + timedelta(days=i, hours=i % 9)
        m = app.store.save_meeting(Meeting(None, f"m{i}@corp.example", f"会{i}", end - timedelta(hours=1), end,
                                           host="wanglei@corp.example",
                                           attendees=[Attendee("wanglei@corp.example", Role.HOST)]), start)
        app.store.save_task(Task(None, f"任务{i}", "zhangwei@corp.example", date(2026, 12, 31), meeting_id=m.id),
                            start)
    rule = next(r for r in app.rules if r.name == "followup_table")
    cw = app.clockwork
    checked = 0
    tick = datetime(2026, 9, 20, 8, 30, tzinfo=SH)
    while tick < datetime(2026, 10, 20, tzinfo=SH):
        since = tick - timedelta(minutes=30)
        weekdays = plan.repeat_base_weekdays(rule, since, tick, cw)
        full = {mid for mid, v in app.store.meeting_times("end", tick)
                if moments.field_moment(rule, _Obj(v), since, tick, cw) is not None}
        pre = {mid for mid, v in app.store.meeting_times("end", tick, weekdays)
               if moments.field_moment(rule, _Obj(v), since, tick, cw) is not None}
        assert pre == full, tick
        checked += len(full)
        tick += timedelta(minutes=30)
    assert checked > 0          # the window did pick meetings on some ticks (incl. after National Day)


def test_a_quiet_tick_reads_no_meeting_at_all(tmp_path):
    app, _, _ = make_app(tmp_path, datetime(2026, 11, 23, 10, 0, tzinfo=SH))
    rule = next(r for r in app.rules if r.name == "followup_table")
    now = datetime(2026, 11, 23, 10, 17, tzinfo=SH)
    assert plan.repeat_base_weekdays(rule, now - timedelta(minutes=1), now, app.clockwork) == set()


class _Obj:
    def __init__(self, end):
        self.end = end
