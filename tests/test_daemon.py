"""The daemon against real servers started by the suite: Dovecot (IMAP) and aiosmtpd (SMTP).

The daemon runs as a real process (`python -m mailflow run`), the way an operator runs it.
"""

import asyncio
import json
import os
import time
from datetime import datetime
from pathlib import Path

import pytest

from apphelp import SH, make_app
from faulthelp import Daemon, mailflow_cli as mailflow, query, question, server_config, wait_until
from mailflow.testing import write_config

pytestmark = pytest.mark.servers


def daemon_config(tmp_path: Path, imap_url: str, smtp_url: str, poll: int = 60) -> Path:
    """The site with a 5 s tick, the default hourly cap and the default assistant name."""
    return server_config(tmp_path, imap_url, smtp_url, poll=poll, tick=5, hourly_cap=None, org={"name": None})


def inbound(cfg: Path) -> dict[str, str]:
    """Message-ID -> status of the running daemon's inbound ledger, read from outside its process
    as any SQLite tool would (no table yet: nothing read yet)."""
    return dict(query(cfg, "SELECT message_id, status FROM inbound"))


def test_fetch_and_checkpoint_across_daemon_restarts(tmp_path, dovecot_server, dovecot_user, smtp_sink):
    user, password = dovecot_user
    cfg = daemon_config(tmp_path, dovecot_server.url(user), smtp_sink.url)
    for i in range(3):
        dovecot_server.append(user, question(f"a{i}"))
    first = mailflow(cfg, "run", "--once", password=password)
    assert first.returncode == 0, first.stderr
    assert len(inbound(cfg)) == 3
    dovecot_server.append(user, question("b0"))
    second = mailflow(cfg, "run", "--once", password=password)       # a restarted daemon
    assert second.returncode == 0, second.stderr
    assert "4 mail(s) taken in" not in second.stderr and "1 mail(s) taken in" in second.stderr
    assert sorted(inbound(cfg)) == sorted(f"<{m}@client.example>" for m in ("a0", "a1", "a2", "b0"))
    smtp_sink.wait_for(4)
    assert smtp_sink.duplicate_ids() == [] and len(smtp_sink.received_ids()) == 4


def test_v_says_why_and_vv_shows_the_imap_conversation_but_never_the_password(
        tmp_path, dovecot_server, dovecot_user, smtp_sink):
    user, password = dovecot_user
    cfg = daemon_config(tmp_path, dovecot_server.url(user), smtp_sink.url)
    runs = {}
    for n, flags in enumerate([(), ("-v",), ("-vv",)]):
        dovecot_server.append(user, question(f"v{n}"))             # each run answers one question
        runs[flags] = mailflow(cfg, *flags, "run", "--once", password=password)
        assert runs[flags].returncode == 0, runs[flags].stderr
    plain, debug, protocol = runs[()].stderr, runs[("-v",)].stderr, runs[("-vv",)].stderr
    assert "mail(s) taken in" in plain and " DEBUG " not in plain
    assert " DEBUG " in debug and "SELECT" not in debug              # mailflow's reasons, no protocol
    assert "imapclient" in protocol and "SELECT" in protocol and "**REDACTED**" in protocol
    assert password not in plain + debug + protocol


def test_uidvalidity_change_applies_nothing_twice(tmp_path, dovecot_server, dovecot_user, smtp_sink):
    user, password = dovecot_user
    cfg = daemon_config(tmp_path, dovecot_server.url(user), smtp_sink.url)
    dovecot_server.append(user, question("u0"))
    assert mailflow(cfg, "run", "--once", password=password).returncode == 0
    dovecot_server.reset_uidvalidity(user)
    dovecot_server.append(user, question("u1"))
    run = mailflow(cfg, "run", "--once", password=password)
    assert run.returncode == 0, run.stderr
    assert inbound(cfg) == {"<u0@client.example>": "unknown", "<u1@client.example>": "unknown"}
    smtp_sink.wait_for(2)
    assert smtp_sink.duplicate_ids() == [] and len(smtp_sink.received_ids()) == 2


def test_idle_wakes_the_daemon_and_a_dovecot_restart_loses_nothing(tmp_path, dovecot_server, dovecot_user,
                                                                   smtp_sink):
    user, password = dovecot_user
    cfg = daemon_config(tmp_path, dovecot_server.url(user), smtp_sink.url, poll=600)
    daemon = Daemon(cfg, password).start()
    try:
        wait_until(lambda: "mf.db" in os.listdir(tmp_path) and inbound(cfg) == {} and "inbox" in daemon.log(), 10)
        time.sleep(1.0)                                   # let it reach IDLE
        dovecot_server.append(user, question("idle1"))
        took = wait_until(lambda: "<idle1@client.example>" in inbound(cfg), 5)   # poll is 600 s: only IDLE
        dovecot_server.restart()                          # the server goes away under the idling daemon
        dovecot_server.append(user, question("after-restart"))
        wait_until(lambda: "<after-restart@client.example>" in inbound(cfg), 10)
        smtp_sink.wait_for(2)
        t0 = time.monotonic()
        assert daemon.stop(timeout=5) == 0                # SIGTERM
        stop_time = time.monotonic() - t0
    finally:
        daemon.kill()
    print(f"IDLE reply -> stored in {took:.2f}s; SIGTERM -> exit in {stop_time:.2f}s")
    assert smtp_sink.duplicate_ids() == []


def _queue_one(svc, app, now, mid):
    svc.ingest.process_raw(question(mid), "k", now)


def test_smtp_421_then_451_then_success_delivers_once(tmp_path, smtp_sink):
    start = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    app, svc, clock = make_app(tmp_path, start, smtp={"url": smtp_sink.url})
    _queue_one(svc, app, start, "retry1")
    smtp_sink.script(["421 4.3.2 Service not available", "451 4.3.0 Try again later"])
    for _ in range(3):
        asyncio.run(svc.outbox.flush_once(clock.now()))
        clock.advance(hours=2)                           # past any backoff
    assert app.store.outbox_counts() == {"sent": 1}
    assert len(smtp_sink.received_ids()) == 1 and smtp_sink.duplicate_ids() == []
    row = app.store.outbox_rows()[0]
    assert row["attempts"] == 3


def test_smtp_550_is_dead_reported_and_the_rest_keeps_flowing(tmp_path, smtp_sink):
    start = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    app, svc, clock = make_app(tmp_path, start, smtp={"url": smtp_sink.url})
    _queue_one(svc, app, start, "dead1")
    _queue_one(svc, app, start, "fine1")
    smtp_sink.script(["550 5.1.1 No such user"])
    asyncio.run(svc.outbox.flush_once(clock.now()))
    assert app.store.outbox_counts() == {"dead": 1, "sent": 1}
    assert len(smtp_sink.received_ids()) == 1
    app.close()
    # the operator's view: the same store through the CLI
    cfg = write_config(tmp_path, smtp={"url": smtp_sink.url}, store={"path": "mailflow.db"},
                       org={"people": "people.yaml", "address": "mailflow@corp.example"})
    from click.testing import CliRunner
    from mailflow.cli import main
    out = CliRunner().invoke(main, ["--config", str(cfg), "outbox", "--json", "--status", "dead"])
    assert out.exit_code == 0, out.output
    (row,) = [json.loads(line) for line in out.output.splitlines() if line.startswith("{")]
    assert row["status"] == "dead" and "550" in row["last_error"]
