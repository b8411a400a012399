"""Faults the daemon must survive, against real servers: Dovecot for IMAP, aiosmtpd for SMTP.

The daemon always runs as its own process (`python -m mailflow run`), the way an operator runs
it, so a SIGKILL here is a real crash: no handler runs, no transaction finishes.

Scale: the defaults are the issue's numbers (2,000 replies, 2,600 mails, 20 kills; ~45 s on 2
cores). Scale up or down with

    MAILFLOW_FAULT_ROUNDS=100 MAILFLOW_FAULT_REPLIES=5000 pytest -q -s tests/test_faults.py

MAILFLOW_FAULT_SEED repeats one run's kill moments (the seed is printed).
"""

from __future__ import annotations

import collections
import json
import os
import random
import signal
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from faulthelp import (Daemon, deliver_many, disk_full, mailbox_story, mailflow_cli, query, question, reply_eml,
                       scalar, seed_tasks, server_config, wait_until)
from mailflow.model import Task
from taskhelp import long_reply

SH = ZoneInfo("Asia/Shanghai")
ROUNDS = int(os.environ.get("MAILFLOW_FAULT_ROUNDS", "20"))
REPLIES = int(os.environ.get("MAILFLOW_FAULT_REPLIES", "2000"))
SEED = int(os.environ.get("MAILFLOW_FAULT_SEED", str(random.randrange(1 << 30))))

# Per task: a confirmation first, then progress, progress, done, over and over (a finished task
# that gets "进行中 30%" is reopened). Each answer changes the task, so each is one task event.
CYCLE = [("进行中 30%", "progress"), ("进度 60%", "progress"), ("已完成", "done")]


def answer(k: int) -> tuple[str, str]:
    return ("确认", "confirm") if k == 0 else CYCLE[(k - 1) % len(CYCLE)]


@pytest.mark.servers
def test_sigkill_at_random_moments_applies_every_reply_once_and_sends_every_mail(
        tmp_path, dovecot_server, dovecot_user, smtp_sink):
    user, password = dovecot_user
    cfg = server_config(tmp_path, dovecot_server.url(user), smtp_sink.url)
    now = datetime.now(SH)
    n_tasks = max(1, REPLIES // 10)
    tasks = seed_tasks(cfg, now, n_tasks)
    expected: dict[int, list[tuple[str, str]]] = collections.defaultdict(list)   # task -> [(mid, kind)]
    raws = []
    for n in range(REPLIES):
        task_id, owner = tasks[n % n_tasks]
        text, kind = answer(len(expected[task_id]))
        raws.append(reply_eml(n, task_id, owner, text))
        expected[task_id].append((f"<fault-{n}@client.example>", kind))
    deliver_many(dovecot_server, user, raws)

    rng = random.Random(SEED)
    sink_ids = lambda: set(smtp_sink.received_ids())                      # noqa: E731
    progress = lambda: (scalar(cfg, "SELECT COUNT(*) FROM inbound") or 0) + len(smtp_sink.messages)  # noqa: E731
    finished = lambda: (scalar(cfg, "SELECT COUNT(*) FROM inbound") == REPLIES                    # noqa: E731
                        and scalar(cfg, "SELECT COUNT(*) FROM outbox WHERE status != 'sent'") == 0)
    in_flight: set[str] = set()        # at a kill: accepted by the server, not yet marked sent
    kills = []
    working_kills = 0
    t0 = time.monotonic()
    for r in range(ROUNDS):
        d = Daemon(cfg, password).start()
        started = time.monotonic()
        if rng.random() < 0.2 or finished():   # sometimes while starting up (and once all is done)
            time.sleep(rng.uniform(0.05, 1.5))
        else:                          # mostly while it works: after it took or sent something
            before = progress()
            try:
                wait_until(lambda: progress() > before, 20)
            except AssertionError:     # stuck: say where
                print(f"\nround {r}: no progress in 20 s; stacks:\n{d.dump()}")
            time.sleep(rng.uniform(0.0, 0.6))
        d.kill()
        kills.append(round(time.monotonic() - started, 2))
        working_kills += not finished()
        sent = {m for (m,) in query(cfg, "SELECT message_id FROM outbox WHERE status = 'sent'")}
        in_flight |= sink_ids() - sent
    kill_phase = time.monotonic() - t0

    d = Daemon(cfg, password).start()
    try:
        d.wait_ready()
        wait_until(lambda: scalar(cfg, "SELECT COUNT(*) FROM inbound") == REPLIES
                   and scalar(cfg, "SELECT COUNT(*) FROM outbox WHERE status != 'sent'") == 0
                   and len(sink_ids()) >= scalar(cfg, "SELECT COUNT(*) FROM outbox"), 240, step=0.2,
                   what="all replies taken in and all mail sent")
    except AssertionError:
        print(f"\nseed {SEED}: not finished; stacks:\n{d.dump()}")
        raise
    finally:
        assert d.stop() == 0, d.log()[-3000:]
    total = time.monotonic() - t0

    statuses = dict(query(cfg, "SELECT status, COUNT(*) FROM inbound GROUP BY status"))
    events = collections.Counter(m for (m,) in query(cfg, "SELECT message_id FROM task_events "
                                                         "WHERE message_id LIKE '<fault-%'"))
    outbox = dict(query(cfg, "SELECT status, COUNT(*) FROM outbox GROUP BY status"))
    outbox_ids = {m for (m,) in query(cfg, "SELECT message_id FROM outbox")}
    received = smtp_sink.received_ids()
    dups = smtp_sink.duplicate_ids()
    log = d.log()
    refetched = log.count("not applied again")
    flagged = sum(1 for flags, _ in dovecot_server.messages(user).values() if b"$MailflowDone" in flags)
    print(f"\nSIGKILL x{ROUNDS} ({working_kills} before the work was done; seed {SEED}, killed after {kills} s): "
          f"{REPLIES} replies to {n_tasks} tasks, "
          f"inbound {statuses}, task events {sum(events.values())} "
          f"(max per reply {max(events.values(), default=0)}), outbox {outbox}, "
          f"SMTP sink {len(received)} received / {len(set(received))} distinct, duplicates {len(dups)}, "
          f"in flight at a kill (accepted, not yet marked sent) {len(in_flight)}, "
          f"re-fetched and not applied again {refetched}, flagged on the server {flagged}; "
          f"kills {kill_phase:.1f}s, total {total:.1f}s")

    assert statuses == {"applied": REPLIES}
    assert all(events[m] == 1 for t in expected.values() for m, _ in t), \
        [m for t in expected.values() for m, _ in t if events[m] != 1][:10]
    for task_id, want in expected.items():       # applied once each, and in the order they came
        got = query(cfg, "SELECT message_id, kind FROM task_events WHERE task_id = ? AND message_id "
                         "LIKE '<fault-%' ORDER BY id", (task_id,))
        assert got == want, (task_id, got, want)
    assert outbox == {"sent": len(outbox_ids)} and len(outbox_ids) >= REPLIES
    assert set(received) == outbox_ids
    # The one duplicate SMTP allows: a kill after the server accepted a mail and before the
    # store marked it sent. Nothing else may ever arrive twice.
    assert set(dups) <= in_flight, set(dups) - in_flight
    assert flagged == REPLIES
    assert query(cfg, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.servers
@pytest.mark.parametrize("outage", [2, 12])
def test_dovecot_down_while_idling_reconnects_within_10_seconds_and_misses_nothing(
        tmp_path, dovecot_server, dovecot_user, smtp_sink, outage):
    user, password = dovecot_user
    cfg = server_config(tmp_path, dovecot_server.url(user), smtp_sink.url, poll=600)   # IDLE only
    d = Daemon(cfg, password).start()
    try:
        d.wait_ready()
        wait_until(lambda: scalar(cfg, "SELECT value FROM meta WHERE key = 'last_poll'"), 15)
        time.sleep(1.0)                                        # in IDLE now
        dovecot_server.append(user, question("before0"))
        wait_until(lambda: scalar(cfg, "SELECT COUNT(*) FROM inbound") == 1, 5, what="IDLE wake-up")
        dovecot_server.stop(kill=True)                         # a crash under the idling daemon
        # Mail keeps arriving while the IMAP server is down (the MTA delivers into the Maildir).
        deliver_many(dovecot_server, user, [question(f"during{n}") for n in range(3)])
        time.sleep(outage)
        dovecot_server.start()
        try:
            took = wait_until(lambda: scalar(cfg, "SELECT COUNT(*) FROM inbound") == 4, 30,
                              what="the mail delivered during the outage")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{mailbox_story(d, dovecot_server, user)}") from None
        dovecot_server.append(user, question("after0"))     # and IDLE works again afterwards
        wait_until(lambda: scalar(cfg, "SELECT COUNT(*) FROM inbound") == 5, 5, what="IDLE after reconnect")
        smtp_sink.wait_for(5, timeout=15)
    finally:
        assert d.stop() == 0
    log = d.log()
    print(f"\nDovecot down {outage}s while idling: mail taken in {took:.1f}s after it came back; "
          f"reconnect attempts logged: {log.count('IMAP ')}")
    assert took < 10, mailbox_story(d, dovecot_server, user)
    assert sorted(m for (m,) in query(cfg, "SELECT message_id FROM inbound")) == sorted(
        ["<after0@client.example>", "<before0@client.example>"] + [f"<during{n}@client.example>" for n in range(3)])
    assert smtp_sink.duplicate_ids() == []


@pytest.mark.servers
def test_a_full_disk_keeps_mail_on_the_server_says_why_and_resumes(tmp_path, dovecot_server, dovecot_user,
                                                                   smtp_sink):
    user, password = dovecot_user
    cfg = server_config(tmp_path, dovecot_server.url(user), smtp_sink.url, poll=600)
    (task_id, owner), = seed_tasks(cfg, datetime.now(SH), 1)
    d = Daemon(cfg, password).start()
    try:
        d.wait_ready()
        wait_until(lambda: scalar(cfg, "SELECT value FROM meta WHERE key = 'last_poll'"), 15)
        time.sleep(1.0)
        # The receipt of the first reply is on its way (the server takes 3 s to accept it) when
        # the disk fills up: the server accepts it, the store cannot record that it was sent.
        smtp_sink.stall(3.0)
        dovecot_server.append(user, reply_eml(0, task_id, owner, "确认", tag="full"))
        wait_until(lambda: scalar(cfg, "SELECT COUNT(*) FROM outbox") == 1, 10)
        disk_full(d, True)
        for n, text in enumerate(["进行中 30%", "进度 60%", "已完成"], start=1):
            dovecot_server.append(user, reply_eml(n, task_id, owner, text, tag="full"))
        time.sleep(12)                                 # the daemon tries, fails, backs off, tries again
        stored = scalar(cfg, "SELECT COUNT(*) FROM inbound")
        flags = [b"$MailflowDone" in f for f, _ in dovecot_server.messages(user).values()]
        during = d.log()
        sent_during = len(smtp_sink.messages)
        disk_full(d, False)
        took = wait_until(lambda: scalar(cfg, "SELECT COUNT(*) FROM inbound WHERE status = 'applied'") == 4
                          and scalar(cfg, "SELECT COUNT(*) FROM outbox WHERE status != 'sent'") == 0, 90,
                          step=0.2, what="resumed")
        smtp_sink.wait_for(scalar(cfg, "SELECT COUNT(*) FROM outbox"))
    finally:
        d.stop()
    status = json.loads(mailflow_cli(cfg, "status", "--json", password=password).stdout)
    print(f"\ndisk full for 12 s: {stored} of 4 replies stored meanwhile, flags on the server {flags}, "
          f"{sent_during} mail(s) reached the SMTP server meanwhile; resumed {took:.1f}s after space came back; "
          f"last_error: {status['last_error']}")
    assert stored == 1 and flags == [True, False, False, False]      # nothing taken off the server
    assert "cannot write the store" in during and "not taking mail off the server" in during
    assert [k for (k,) in query(cfg, "SELECT kind FROM task_events ORDER BY id")] == \
        ["confirm", "progress", "progress", "done"]
    assert all(b"$MailflowDone" in f for f, _ in dovecot_server.messages(user).values())
    assert smtp_sink.duplicate_ids() == []
    assert "cannot write the store" in status["last_error"]["error"]


@pytest.mark.servers
def test_72_hours_down_then_a_restart_fires_each_missed_step_once_and_skips_stale_ones(tmp_path, smtp_sink):
    """`mailflow run --once --now …` as cron or a restarted service would run it, mail to a real
    SMTP server. Down from Thursday 17:30 to Sunday 17:30 (the service-level twin of this test
    is in test_timeline.py)."""
    from mailflow.model import Attendee, Meeting, Role, Task, TaskStatus
    from mailflow.edges.store import Store
    cfg = server_config(tmp_path, "maildir:./mail/inbox", smtp_sink.url)
    at = lambda d, h, mi=0: datetime(2026, 11, d, h, mi, tzinfo=SH)          # noqa: E731
    store = Store(tmp_path / "mf.db")
    host, zhang, li, chen = ("wanglei@corp.example", "zhangwei@corp.example", "lina@corp.example",
                             "chenjing@corp.example")
    m = store.save_meeting(Meeting(
        id=None, uid="m-72h", title="Q4营销活动筹备会", start=at(4, 14), end=at(4, 16), host=host,
        recorder="sunli@corp.example", attendees=[Attendee(host, Role.HOST), Attendee("sunli@corp.example",
                                                  Role.RECORDER)] + [Attendee(a, Role.REQUIRED) for a in (zhang, li, chen)]),
        at(1, 9))
    for owner, due in ((zhang, 25), (li, 17), (chen, 26)):
        store.save_task(Task(id=None, title="提交需求文档", owner=owner, due=datetime(2026, 11, due).date(),
                             meeting_id=m.id, status=TaskStatus.IN_PROGRESS), datetime(2026, 9, 1, tzinfo=SH))
    store.close()

    def run(now: datetime) -> str:
        r = mailflow_cli(cfg, "run", "--once", "--now", now.strftime("%Y-%m-%dT%H:%M"))
        assert r.returncode == 0, r.stderr
        return r.stderr

    def outbox() -> list[tuple]:
        return query(cfg, "SELECT kind, recipients, created_at FROM outbox ORDER BY id")

    for moment in (at(19, 8), at(19, 9), at(19, 9, 30), at(19, 16), at(19, 17, 30)):   # Thursday
        run(moment)
    before = len(outbox())
    t0 = time.monotonic()
    logs = "".join(run(moment) for moment in (at(22, 17, 30), at(23, 9), at(23, 9, 30), at(23, 12),
                                              at(24, 9), at(24, 12)))          # back on Sunday evening
    took = time.monotonic() - t0
    new = outbox()[before:]
    again = run(at(23, 9)) + run(at(24, 12))                                   # a second restart
    print(f"\n72 h down: {before} mail(s) before, {len(new)} after the restart "
          f"({[(k, json.loads(r)[0], c[:16]) for k, r, c in new]}); 6 runs in {took:.1f}s; "
          f"logged: {[line.split(' WARNING ')[-1][:60] for line in logs.splitlines() if 'skipped ' in line]}")
    assert sorted((k, json.loads(r)[0], c[:16]) for k, r, c in new if k != "followup_table") == sorted([
        ("escalation", "zhaomin@corp.example", "2026-11-23T09:00"),   # 3 days late, within max_late
        ("due_reminder", chen, "2026-11-23T09:00"),
        ("due_reminder", zhang, "2026-11-24T09:00"),
    ])
    assert "skipped task_due_reminder_3 for t1" in logs and "skipped progress_request" in logs
    assert len(outbox()) == before + len(new)                                 # nothing fired twice
    assert again.count("0 rule step(s)") == 2
    smtp_sink.wait_for(len(outbox()))
    assert smtp_sink.duplicate_ids() == [] and len(smtp_sink.messages) == len(outbox())


@pytest.mark.servers
def test_mail_that_arrives_while_a_batch_is_processed_is_taken_at_once(tmp_path, dovecot_server, dovecot_user,
                                                                       smtp_sink):
    """One batch (under the fetch limit of 200). Its EXISTS comes during the batch's FETCH/STORE, and IDLE does not repeat it: without a
    second look the mail waited for the next poll (10 minutes here)."""
    user, password = dovecot_user
    cfg = server_config(tmp_path, dovecot_server.url(user), smtp_sink.url, poll=600)
    tasks = seed_tasks(cfg, datetime.now(SH), 20)
    deliver_many(dovecot_server, user, [reply_eml(n, *tasks[n % 20], "进行中 30%", tag="busy") for n in range(150)])
    d = Daemon(cfg, password).start()
    try:
        wait_until(lambda: (scalar(cfg, "SELECT COUNT(*) FROM inbound") or 0) > 0, 20)
        dovecot_server.append(user, reply_eml(0, *tasks[0], "已完成", tag="late"))
        took = wait_until(lambda: scalar(cfg, "SELECT COUNT(*) FROM inbound WHERE message_id = "
                                              "'<late-0@client.example>'") == 1, 20, what="the late mail")
    finally:
        assert d.stop() == 0
    print(f"\nmail arriving during a batch of 150: stored {took:.1f}s later")
    assert scalar(cfg, "SELECT COUNT(*) FROM inbound") == 151


# --- issue 12: one daemon per store, a store that vanishes, a damaged store, SIGTERM mid-mail ---------
def maildir_config(tmp_path, **sections):
    """A daemon on the embedded defaults: a Maildir in, a Maildir out (no server needed)."""
    return server_config(tmp_path, "maildir:./mail/inbox", "maildir:./mail/sent", poll=5, hourly_cap=None,
                         **sections)


def inbox_files(cfg) -> list:
    return [p for sub in ("new", "cur") for p in (cfg.parent / "mail" / "inbox" / sub).iterdir()]


def drop(cfg, raw: bytes) -> None:
    from mailflow.edges.mailbox import MaildirInbox
    MaildirInbox(cfg.parent / "mail" / "inbox").deliver(raw)


def started(d: Daemon, timeout: float = 30) -> None:
    """Until this run of the daemon logged its start line (its signal handlers are in place)."""
    def new_log() -> str:
        with open(d.log_path, "rb") as f:
            f.seek(d._log_start)
            return f.read().decode(errors="replace")
    wait_until(lambda: "INFO mailflow " in new_log(), timeout, what="daemon started")


@pytest.mark.servers
def test_a_second_daemon_on_one_store_refuses_to_start_and_cli_writes_run_beside_the_first(
        tmp_path, dovecot_server, dovecot_user, smtp_sink):
    """Two `mailflow run` on one database applied replies twice and sent mails twice: now the second
    exits 2 naming the pid and the lock file (so does `run --once`), while `meeting add`, `replay`
    and `outbox retry` run beside the daemon without an error."""
    from mailflow.edges.store import Store
    user, password = dovecot_user
    cfg = server_config(tmp_path, dovecot_server.url(user), smtp_sink.url)
    now = datetime.now(SH)
    tasks = seed_tasks(cfg, now, 60)
    store = Store(tmp_path / "mf.db")
    with store.transaction():                   # a dead mail, for `outbox retry` to bring back
        store.queue_mail(dedupe_key="dead-one", message_id="<dead-one@corp.example>", raw=(b"From: mailflow@corp.example\r\nTo: zhangwei@corp.example\r\nSubject: x\r\n"
                                                           b"Message-ID: <dead-one@corp.example>\r\n\r\nx\r\n"),
                         sender="mailflow@corp.example", recipients=["zhangwei@corp.example"], subject="x",
                         now=now, status="dead")
        store.record_inbound(message_id="<stored-question@client.example>", raw=reply_eml(0, 1, "x@y", "请问？"),
                             mailbox_key="", received_at=now, sender="lina@corp.example", subject="问一下",
                             status="error", detail="kept for replay")
    dead_id = store.outbox_rows("dead")[0]["id"]
    store.close()
    deliver_many(dovecot_server, user, [reply_eml(n, *tasks[n % 60], "进行中 30%" if n < 60 else "已完成",
                                                  tag="twice") for n in range(300)])
    meeting_yaml = tmp_path / "meeting.yaml"
    meeting_yaml.write_text(
        "title: 需求评审\nstart: 2027-03-10 14:00\nend: 2027-03-10 15:00\nhost: wanglei@corp.example\n"
        "attendees:\n  required: [zhangwei@corp.example, lina@corp.example]\n", encoding="utf-8")
    first, second = Daemon(cfg, password).start(), Daemon(cfg, password)
    try:
        first.wait_ready()
        second.start()
        assert second.proc.wait(timeout=30) == 2
        refused = second.log()
        assert f"pid {first.proc.pid}" in refused and "mf.db.lock" in refused, refused[-800:]
        assert f"daemon:     running, pid {first.proc.pid}" in mailflow_cli(cfg, "status").stdout
        once = mailflow_cli(cfg, "run", "--once", password=password)
        assert once.returncode == 2 and f"pid {first.proc.pid}" in once.stderr, once.stderr
        cli = [mailflow_cli(cfg, "meeting", "add", str(meeting_yaml), password=password),
               mailflow_cli(cfg, "outbox", "retry", str(dead_id), password=password)]
        for _ in range(5):
            cli.append(mailflow_cli(cfg, "replay", "<stored-question@client.example>", password=password))
        for p in cli:
            assert p.returncode == 0 and "locked" not in p.stderr and "Traceback" not in p.stderr, p.stderr
        wait_until(lambda: scalar(cfg, "SELECT COUNT(*) FROM inbound WHERE message_id LIKE '<twice-%'") == 300
                   and scalar(cfg, "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'retry')") == 0, 120,
                   step=0.2, what="all replies in, all mail out")
    finally:
        assert first.stop() == 0, first.log()[-3000:]
    events = collections.Counter(m for (m,) in query(cfg, "SELECT message_id FROM task_events "
                                                         "WHERE message_id LIKE '<twice-%'"))
    said = next(line for line in refused.splitlines() if "holds the lock" in line)
    print(f"\ntwo daemons on one store: the second exited 2 ({said[:160]}); "
          f"{len(events)} replies with events, max {max(events.values())} per reply; SMTP duplicates "
          f"{len(smtp_sink.duplicate_ids())}; {len(cli)} CLI writes beside the daemon, all exit 0")
    assert max(events.values()) == 1 and not smtp_sink.duplicate_ids()
    assert "<dead-one@corp.example>" in smtp_sink.received_ids()         # released by `outbox retry`
    assert scalar(cfg, "SELECT COUNT(*) FROM meetings WHERE title = '需求评审'") == 1
    assert "daemon:     not running" in mailflow_cli(cfg, "status").stdout


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_store_deleted_or_replaced_under_the_daemon_stops_it_and_marks_nothing(tmp_path, how):
    """Deleting mailflow.db while the daemon ran let it apply a reply into the deleted file and mark
    the mail done: everything lost without a log line. Now it stops, says why, and the mail stays."""
    import shutil
    cfg = maildir_config(tmp_path)
    (task_id, owner), = seed_tasks(cfg, datetime.now(SH), 1)
    d = Daemon(cfg, "").start()
    try:
        started(d)
        drop(cfg, reply_eml(1, task_id, owner, "进行中 30%", tag="before"))
        wait_until(lambda: scalar(cfg, "SELECT status FROM inbound WHERE message_id = '<before-1@client.example>'")
                   == "applied", 30, what="the first reply applied")
        db = tmp_path / "mf.db"
        if how == "deleted":
            for suffix in ("", "-wal", "-shm"):
                (tmp_path / f"mf.db{suffix}").unlink(missing_ok=True)
        else:
            shutil.copy(db, tmp_path / "restored.db")
            os.replace(tmp_path / "restored.db", db)
        drop(cfg, reply_eml(2, task_id, owner, "已完成", tag="after"))
        t0 = time.monotonic()
        rc = d.proc.wait(timeout=30)
        took = time.monotonic() - t0
    finally:
        if d.alive():
            d.kill()
    log = d.log()
    print(f"\nstore {how} under the daemon: exit {rc} {took:.1f}s after the next mail; "
          f"{[line for line in log.splitlines() if 'was ' + how[:-1] in line][:1]}")
    assert rc == 1 and f"was {'deleted' if how == 'deleted' else 'replaced'}" in log
    assert [p.name.split(":")[0] for p in inbox_files(cfg)] != []          # the second reply is still there
    assert "Traceback" not in log


def test_a_damaged_store_gives_a_clear_message_not_a_traceback(tmp_path):
    cfg = maildir_config(tmp_path)
    seed_tasks(cfg, datetime.now(SH), 40)
    db = tmp_path / "mf.db"
    assert mailflow_cli(cfg, "run", "--once").returncode == 0
    # pages in the middle overwritten (a bad disk, a copy taken mid-write): quick_check at start
    data = bytearray(db.read_bytes())
    page = 4096
    data[page * 3:page * 5] = os.urandom(page * 2)
    db.write_bytes(bytes(data))
    p = mailflow_cli(cfg, "run", "--once")
    assert p.returncode == 1 and "is damaged" in p.stderr and "Traceback" not in p.stderr, p.stderr[-2000:]
    # not a database at all
    db.write_bytes(b"this is not a database\n" * 500)
    for args in (("status",), ("run", "--once"), ("tasks",)):
        p = mailflow_cli(cfg, *args)
        assert p.returncode == 1 and "is damaged" in p.stderr and "Traceback" not in p.stderr, (args, p.stderr[-2000:])
    print(f"\ndamaged store: {p.stderr.strip()[:200]}")


def test_sigterm_while_a_25_mb_mail_is_read_ends_the_daemon_within_5_seconds(tmp_path):
    """SIGTERM while the daemon read a huge mail took 32 s. Now the mail being read may finish for
    2.5 s, then it is abandoned (rolled back, not marked: read again at the next start). The first
    mail (60 MB, the limit raised) takes longer than that; the others (24 MB) about a second."""
    # the limit raised for the first mail: 60 MB takes longer to read than the 2.5 s of grace
    cfg = maildir_config(tmp_path)
    cfg.write_text(cfg.read_text().replace("poll_interval = 5", "poll_interval = 5\nmax_message_bytes = 67108864"))
    tasks = seed_tasks(cfg, datetime.now(SH), 3)
    for n, (task_id, owner) in enumerate(tasks):
        drop(cfg, long_reply(task_id, (60 if n == 0 else 24) * 1024 * 1024, f"huge-{n}", owner=owner))
    exits = []
    for attempt, delay in enumerate((0.6, 1.6)):
        d = Daemon(cfg, "").start()
        started(d)
        time.sleep(delay)                              # well inside the first mail
        t0 = time.monotonic()
        d.proc.send_signal(signal.SIGTERM)
        rc = d.proc.wait(timeout=15)
        exits.append(round(time.monotonic() - t0, 2))
        d._drain()
        assert rc == 0, d.log()[-2000:]
        # never marked without its commit: every mail gone from the inbox is stored
        stored = {m for (m,) in query(cfg, "SELECT message_id FROM inbound")}
        left = {p.read_bytes()[:2000].split(b"Message-ID: ")[1].split(b"\r\n")[0].decode() for p in inbox_files(cfg)}
        assert stored | left == {f"<huge-{n}@client.example>" for n in range(3)}
    done = mailflow_cli(cfg, "run", "--once")
    assert done.returncode == 0, done.stderr[-2000:]
    assert inbox_files(cfg) == [] and scalar(cfg, "SELECT COUNT(*) FROM task_events") == 3    # once each
    abandoned = d.log().count("still busy 2.5 s after the stop signal")
    print(f"\nSIGTERM while reading a 60 MB and two 24 MB mails: exited after {exits} s ({abandoned} stopped "
          "mid-mail); then `run --once` applied each once")
    # Whether the signal lands inside a mail depends on this machine's speed and load (on a quiet one the
    # capped reading of the 60 MB mail ends before the grace does): the promise is the exit time and
    # that every mail is applied exactly once, asserted above.
    assert max(exits) <= 5.0


def test_a_rule_that_fails_shows_as_the_last_error_in_status(tmp_path):
    cfg = maildir_config(tmp_path, paths={"templates": "tpl"})
    broken = tmp_path / "tpl" / "zh-CN"
    broken.mkdir(parents=True)
    (broken / "task_due_reminder.txt").write_text("Subject: 提醒\n{{ no_such_value.field }}\n", encoding="utf-8")
    (broken / "task_due_reminder.html").write_text("<p>{{ no_such_value.field }}</p>\n", encoding="utf-8")
    from mailflow.edges.store import Store
    store = Store(tmp_path / "mf.db")
    start = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    with store.transaction():
        store.save_task(Task(id=None, title="整理方案", owner="zhangwei@corp.example", due=date(2026, 11, 25),
                             created_at=start - timedelta(days=3)), start - timedelta(days=3))
    store.close()
    p = mailflow_cli(cfg, "run", "--once", "--now", "2026-11-20T10:00")
    assert p.returncode == 0, p.stderr[-2000:]
    status = mailflow_cli(cfg, "status")
    print(f"\na failing rule: {[line for line in status.stdout.splitlines() if 'last error' in line]}")
    assert "last error: 2026-11-20" in status.stdout and "task_due_reminder_3" in status.stdout
    assert "UndefinedError" in status.stdout
