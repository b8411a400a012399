"""One meeting with a task for 张伟, and his answers about it: the world of the reply-to-task tests.

    app, svc, clock, tasks = build(tmp_path)          # 产品发布协调会 (王磊 hosts), task 1 接口开发
    send(svc, clock, mail(OWNER, "已完成"))           # -> "applied"
    task(app).status, events(app)[-1].text

Shared by test_tasks, test_task_decisions and test_month_scenario, so that no test file imports
another. Below them a plainer world for the limits, hostile input and security tests: project_tasks()
puts tasks 整理方案 from yesterday's 项目周会 on 张伟, and long_reply() is his (very long) answer.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from click.testing import CliRunner

from apphelp import SH, SHARED, make_app
from mailflow.model import Attendee, Meeting, Role, Task
from mailflow.testing import make_mail, write_config

START = datetime(2026, 11, 20, 10, 0, tzinfo=SH)          # a Friday
HOST, RECORDER, OWNER = "wanglei@corp.example", "sunli@corp.example", "zhangwei@corp.example"
DELEGATE = "mishu@corp.example"                            # 王磊's delegate
OTHER = "lina@corp.example"                                # at the meeting, owns nothing


def build(tmp_path, *, org=None, owner=OWNER, due=date(2026, 11, 27), titles=("接口开发",), host=HOST):
    """An app at START with one meeting of two days before and a task per title, all owned by `owner`."""
    app, svc, clock = make_app(tmp_path, START, org=org)
    meeting = Meeting(id=None, uid="m-tasks@corp.example", title="产品发布协调会",
                      start=datetime(2026, 11, 18, 14, 0, tzinfo=SH), end=datetime(2026, 11, 18, 15, 0, tzinfo=SH),
                      host=host, recorder=RECORDER,
                      attendees=[Attendee(host, Role.HOST), Attendee(RECORDER, Role.RECORDER),
                                 Attendee(owner, Role.REQUIRED)])
    app.store.save_meeting(meeting, START)
    tasks = [app.store.save_task(Task(id=None, title=t, owner=owner, due=due, meeting_id=meeting.id), START)
             for t in titles]
    return app, svc, clock, tasks


def mail(sender, text, *, task_id=1, subject=None, date="Fri, 20 Nov 2026 10:00:00 +0800", name="",
         charset="utf-8", headers=None, to=SHARED, in_reply_to=None, message_id=None):
    """The owner's answer about task `task_id`, by the subject tag unless told otherwise."""
    subject = subject if subject is not None else f"回复：[MF-T{task_id}] 任务：接口开发"
    return make_mail(f"{name} <{sender}>" if name else sender, text, to=to, subject=subject, date=date,
                     charset=charset, headers=headers, in_reply_to=in_reply_to, message_id=message_id)


def send(svc, clock, raw):
    return svc.ingest.process_raw(raw, "test", clock.now())


def task(app, tid=1):
    return app.store.get_task(tid)


def events(app, tid=1):
    return app.store.task_events(tid)


def cli(tmp_path, *args, env=None):
    """`mailflow --config … ARGS` over the folder build() made, as the installed command runs it."""
    from mailflow.cli import main
    cfg = write_config(tmp_path, org={"address": "mailflow@corp.example", "people": "people.yaml"})
    return CliRunner().invoke(main, ["--config", str(cfg), *args], env=env)


# --- 项目周会 and its 整理方案 tasks ------------------------------------------------------------
def project_tasks(app, n: int = 1, *, owner: str = OWNER, title: str = "整理方案") -> list[Task]:
    """Yesterday's 项目周会 (王磊 hosts; `owner` and OTHER attend) with `n` tasks for `owner`, due
    2026-12-18, titled `title` (numbered when there are several), saved straight into the store."""
    m = app.store.save_meeting(Meeting(
        id=None, uid="m-project@corp.example", title="项目周会", start=START - timedelta(days=1),
        end=START - timedelta(days=1) + timedelta(hours=1), host=HOST, recorder=RECORDER,
        attendees=[Attendee(HOST, Role.HOST), Attendee(owner, Role.REQUIRED), Attendee(OTHER, Role.REQUIRED)]),
        START)
    return [app.store.save_task(Task(id=None, title=f"{title} {i}" if n > 1 else title, owner=owner,
                                     due=date(2026, 12, 18), meeting_id=m.id, item_no=i + 1), START)
            for i in range(n)]


def long_reply(task_id: int, size: int, mid: str, words: str = "已完成", owner: str = OWNER) -> bytes:
    """The owner's answer followed by `size` bytes of one line (no line break at all)."""
    filler = "方案细节见附件说明"
    return make_mail(owner, f"{words}。" + filler * (size // len(filler.encode())),
                     subject=f"回复：[MF-T{task_id}] 整理方案", message_id=f"<{mid}@client.example>")
