"""Mails per person per week on a scripted month, with [schedule] receipts = "each" and "daily".

    python bench/mails_per_person.py

One meeting (host 王磊, recorder 孙丽) leaves two tasks each to four owners, due over the month.
Every owner reports twice a week by mail (Tuesday and Thursday, "进行中 N%" on one task, the other
task's owner answers in the same way) and answers the Friday progress request with a numbered
line; each finishes one task in week 3 (the host verifies). The daemon ticks every 30 minutes.
Counted: every mail queued, once per recipient (To and Cc), per week of the month.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from apphelp import SH, make_app, outbox_mails, reply_to  # noqa: E402
from taskhelp import HOST, RECORDER, mail  # noqa: E402

from mailflow.model import Attendee, Meeting, Role, Task  # noqa: E402

OWNERS = ["zhangwei@corp.example", "lina@corp.example", "liuyang@corp.example", "zhouqiang@corp.example"]
START = datetime(2026, 11, 2, 9, 0, tzinfo=SH)      # a Monday
WEEKS = 4


def month(receipts: str) -> Counter:
    tmp = Path(tempfile.mkdtemp())
    app, svc, clock = make_app(tmp, START, schedule={"receipts": receipts})
    m = Meeting(id=None, uid="m-bench@corp.example", title="月度协调会", start=START - timedelta(days=3),
                end=START - timedelta(days=3, hours=-1), host=HOST, recorder=RECORDER,
                attendees=[Attendee(HOST, Role.HOST), Attendee(RECORDER, Role.RECORDER),
                           *[Attendee(o, Role.REQUIRED) for o in OWNERS]])
    app.store.save_meeting(m, START)
    tasks = {}
    for i, owner in enumerate(OWNERS):
        for k in range(2):
            due = date(2026, 11, 13 + 7 * k + (i % 2))
            t = app.store.save_task(Task(id=None, title=f"任务{i + 1}-{k + 1}", owner=owner, due=due,
                                         meeting_id=m.id, confirmed_at=START), START)
            tasks.setdefault(owner, []).append(t)
    now = START
    end = START + timedelta(weeks=WEEKS)
    percent = 10
    answered: set[str] = set()
    while now < end:
        svc.ticker.tick_once(now)
        local = now.astimezone(SH)
        if local.hour == 11 and local.minute == 0 and local.weekday() in (1, 3):
            percent = min(percent + 10, 90)
            for owner in OWNERS:
                for t in tasks[owner]:
                    if app.store.get_task(t.id).status.value in ("in_progress", "not_started", "delayed"):
                        svc.ingest.process_raw(mail(owner, f"进行中 {percent}%", task_id=t.id,
                                                    date=format_datetime(now)), "bench", now)
                        break
        if local.weekday() == 0 and local.hour == 10 and local.minute == 0 and (now - START).days >= 14:
            for owner in OWNERS:                    # week 3: each finishes a task; the host verifies
                t = next((x for x in tasks[owner] if app.store.get_task(x.id).status.value != "verified"), None)
                if t is not None and app.store.get_task(t.id).status.value != "done":
                    svc.ingest.process_raw(mail(owner, "已完成", task_id=t.id, date=format_datetime(now)), "bench", now)
            for v in outbox_mails(app, "task_verify"):
                svc.ingest.process_raw(reply_to(v, HOST, "验收通过", date=format_datetime(now)), "bench", now)
        if local.weekday() == 4 and local.hour == 17 and local.minute == 0:
            for req in outbox_mails(app, "progress_request"):
                if req["Message-ID"] in answered:
                    continue
                answered.add(req["Message-ID"])
                svc.ingest.process_raw(reply_to(req, str(req["To"]).split("<")[-1].strip(">"), "1 进行中 70%",
                                                date=format_datetime(now)), "bench", now)
        now += timedelta(minutes=30)
    counts: Counter = Counter()
    for row in app.store.outbox_history():
        for r in row["recipients"]:
            counts[r] += 1
    app.close()
    return counts


def main() -> None:
    for mode in ("each", "daily"):
        counts = month(mode)
        people = [HOST, *OWNERS]
        per_week = {p: counts[p] / WEEKS for p in people}
        busiest = max(per_week.values())
        owners = sum(per_week[o] for o in OWNERS) / len(OWNERS)
        print(f"receipts={mode:5}  host {per_week[HOST]:.1f}/week  owners {owners:.1f}/week on average "
              f"(busiest {busiest:.1f})")


if __name__ == "__main__":
    main()
