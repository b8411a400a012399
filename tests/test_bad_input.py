"""Bad input: hostile MIME, spoofed senders, forged tokens, header and template injection.

Hostile MIME (tests/mimegen.py) goes through every layer: `inbound.parse` (never raises, and never
needs its catch-all), `Ingest.process_raw` (never raises; the raw bytes are stored with a status)
and the daemon itself (its loop goes on and the next real reply is applied). The number of
inputs tried is printed; MAILFLOW_FUZZ_EXAMPLES changes it (default 1,000).
"""

from __future__ import annotations

import collections
import email
import email.policy
import os
import time
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from apphelp import SH, make_app
from taskhelp import project_tasks
from mailflow.read import inbound
from mimegen import messages

EXAMPLES = int(os.environ.get("MAILFLOW_FUZZ_EXAMPLES", "1000"))
START = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
HOST, OWNER, OTHER = "wanglei@corp.example", "zhangwei@corp.example", "lina@corp.example"
OK = {"applied", "ignored", "unknown", "refused", "error", "duplicate"}


def test_hostile_mime_never_breaks_the_parser_or_the_service(tmp_path):
    app, svc, _clock = make_app(tmp_path, START, org={"admin": "zhaomin@corp.example"})
    project_tasks(app, 2)
    seen: collections.Counter = collections.Counter()
    errors: dict[str, str] = {}
    t0 = time.monotonic()

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much])
    @given(messages(task_ids=(1, 2, 99)))
    def one(raw: bytes) -> None:
        msg = inbound.parse(raw, own_addresses=["mailflow@corp.example"])
        assert not [d for d in msg.defects if d.startswith("parser error")], (msg.defects, raw[:2000])
        assert "\n" not in msg.subject and "\r" not in msg.subject and "\n" not in msg.sender_name
        status = svc.ingest.process_raw(raw, "fuzz", START)            # never raises
        assert status in OK
        seen[status] += 1
        if status == "duplicate":                                # same synthetic Message-ID, same bytes
            return
        row = app.store.inbound_row(msg.message_id)
        assert row is not None and row["raw"] == raw and row["status"] == status
        if status == "error":
            errors.setdefault(row["detail"], row["error"])

    one()
    took = time.monotonic() - t0
    print(f"\nhostile MIME: {sum(seen.values())} inputs tried in {took:.1f}s, statuses {dict(seen)}, "
          f"distinct flow errors {len(errors)}")
    for detail, tb in errors.items():
        print(f"  error: {detail}\n{tb[-800:]}")
    assert not errors, list(errors)


def attachment_of(size: int) -> bytes:
    return (b"From: \xe5\xbc\xa0\xe4\xbc\x9f <zhangwei@corp.example>\r\nTo: mailflow@corp.example\r\n"
            b"Subject: [MF-T1] \xe6\x96\xb9\xe6\xa1\x88\r\nMessage-ID: <big@client.example>\r\n"
            b"Date: Fri, 20 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"big\"\r\n\r\n--big\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n\xe8\xbf\x9b\xe8\xa1\x8c\xe4\xb8\xad 30%\r\n--big\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"report.bin\"\r\n\r\n"
            + (b"A" * 76 + b"\r\n") * (size * 4 // 3 // 76)
            + b"--big--\r\n")


def test_an_18_mb_attachment_is_read_stored_and_applied(tmp_path):
    """18 MB is about the largest attachment under [mailbox] max_message_bytes (25 MB of mail:
    base64 adds a third); a larger mail is `too_large` (tests/test_limits.py)."""
    app, svc, _clock = make_app(tmp_path, START)
    (task,) = project_tasks(app)
    raw = attachment_of(18 * 1024 * 1024)
    t0 = time.monotonic()
    msg = inbound.parse(raw)
    parsed = time.monotonic() - t0
    status = svc.ingest.process_raw(raw, "big", START)
    took = time.monotonic() - t0
    print(f"\n18 MB attachment ({len(raw) / 1e6:.1f} MB raw): parsed in {parsed:.2f}s, processed in {took:.2f}s")
    assert msg.visible.strip() == "进行中 30%" and msg.attachments and msg.attachments[0][0] == "report.bin"
    assert status == "applied" and app.store.get_task(task.id).percent == 30
    assert app.store.inbound_row("<big@client.example>")["raw"] == raw


@pytest.mark.servers
def test_the_daemon_goes_on_after_hostile_mail(tmp_path, dovecot_server, dovecot_user, smtp_sink):
    """A real daemon takes 40 hostile messages and a 20 MB one off Dovecot, then a real reply."""
    from faulthelp import Daemon, deliver_many, query, reply_eml, scalar, seed_tasks, server_config, wait_until
    user, password = dovecot_user
    cfg = server_config(tmp_path, dovecot_server.url(user), smtp_sink.url, poll=600)
    (task_id, owner), = seed_tasks(cfg, datetime.now(SH), 1)
    batch: list[bytes] = []

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(messages(task_ids=(task_id,)))
    def collect(raw: bytes) -> None:
        batch.append(raw)
    collect()
    batch.append(attachment_of(20 * 1024 * 1024).replace(b"[MF-T1]", b"[MF-T%d]" % task_id))
    deliver_many(dovecot_server, user, batch)
    d = Daemon(cfg, password).start()
    try:
        d.wait_ready()
        dovecot_server.append(user, reply_eml(0, task_id, owner, "已完成", tag="after-fuzz"))
        took = wait_until(lambda: scalar(cfg, "SELECT status FROM inbound WHERE message_id = "
                                              "'<after-fuzz-0@client.example>'") == "applied", 120, step=0.2)
        assert d.alive()
    finally:
        assert d.stop() == 0, d.log()[-3000:]
    stored = dict(query(cfg, "SELECT status, COUNT(*) FROM inbound GROUP BY status"))
    flagged = sum(1 for f, _ in dovecot_server.messages(user).values() if b"$MailflowDone" in f)
    print(f"\ndaemon after {len(batch)} hostile messages: stored {stored}, flagged {flagged} of "
          f"{len(batch) + 1}; the next real reply applied {took:.1f}s after it arrived")
    assert flagged == len(batch) + 1                      # every one stored (or a duplicate of a stored one)
    assert "loop error" not in d.log() and "inbox: " not in d.log()
    assert query(cfg, "SELECT status FROM tasks WHERE id = ?", (task_id,)) == [("done",)]


# --- spoofed senders, forged and reused reply tokens -----------------------------------------------
def reply(task_id: int | None, sender: str, text: str, n: int, *, name: str = "", to: str = "mailflow@corp.example",
          extra: str = "", subject: str | None = None) -> bytes:
    subject = subject if subject is not None else (f"回复：[MF-T{task_id}] 整理方案" if task_id else "回复：整理方案")
    return (f"From: {name} <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <bad-{n}@client.example>\r\nDate: Fri, 20 Nov 2026 10:00:00 +0800\r\n{extra}"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n").encode()


def snapshot(app, task_id: int) -> tuple:
    t = app.store.get_task(task_id)
    return (t.status, t.percent, t.due, t.confirmed_at, len(app.store.task_events(task_id)))


def recipients_of_new_mail(app, before: int) -> list[str]:
    return [r for row in app.store.outbox_history() if row["id"] > before for r in row["recipients"]]


def last_outbox_id(app) -> int:
    return max((row["id"] for row in app.store.outbox_history()), default=0)


def test_a_stranger_cannot_change_a_task_and_gets_no_answer(tmp_path):
    app, svc, _ = make_app(tmp_path, START)
    (task,) = project_tasks(app)
    before, mark = snapshot(app, task.id), last_outbox_id(app)
    assert svc.ingest.process_raw(reply(task.id, "boss@evil.example", "已完成", 1, name="张伟"), "k", START) == "refused"
    assert snapshot(app, task.id) == before
    # no backscatter to a forged address, and nothing about the task leaves the company
    assert "boss@evil.example" not in recipients_of_new_mail(app, mark)
    # the host hears of it in the daily digest, not by a mail per stranger's mail (a loop's fuel)
    assert recipients_of_new_mail(app, mark) == []
    digest = app.store.unknown_replies_by_host(START - timedelta(hours=1), START + timedelta(hours=1))
    assert [r["sender"] for r in digest[HOST]] == ["boss@evil.example"]


def test_a_colleague_who_is_not_the_owner_is_refused_politely(tmp_path):
    app, svc, _ = make_app(tmp_path, START)
    (task,) = project_tasks(app)
    before, mark = snapshot(app, task.id), last_outbox_id(app)
    assert svc.ingest.process_raw(reply(task.id, OTHER, "已完成", 1, name="李娜"), "k", START) == "refused"
    assert snapshot(app, task.id) == before
    assert sorted(recipients_of_new_mail(app, mark)) == sorted([OTHER, HOST])


def test_the_owners_address_without_our_servers_pass_changes_nothing(tmp_path):
    app, svc, _ = make_app(tmp_path, START, org={"trusted_authserv_id": "mx.corp.example"})
    (task,) = project_tasks(app)
    before = snapshot(app, task.id)
    fail = "Authentication-Results: mx.corp.example; dmarc=fail header.from=corp.example\r\n"
    # the forger adds a "pass" of their own below the one our server stamped on top
    forged = fail + "Authentication-Results: mx.corp.example; dmarc=pass header.from=corp.example\r\n"
    other = "Authentication-Results: mx.evil.example; dmarc=pass header.from=corp.example\r\n"
    for n, extra in enumerate([fail, forged, other, ""]):
        assert svc.ingest.process_raw(reply(task.id, OWNER, "已完成", n, extra=extra), "k", START) == "refused", extra
    assert snapshot(app, task.id) == before
    ok = "Authentication-Results: mx.corp.example; dkim=pass; spf=pass; dmarc=pass header.from=corp.example\r\n"
    assert svc.ingest.process_raw(reply(task.id, OWNER, "已完成", 9, extra=ok), "k", START) == "applied"


def test_forged_and_misused_reply_tokens_are_refused(tmp_path):
    from mailflow import tokens
    secret = "s3cret-for-tests-only"
    app, svc, _ = make_app(tmp_path, START, org={"plus_addressing": True})
    app.settings.secret = secret
    app.settings.org.secret = secret
    t1, t2 = project_tasks(app, 2)
    shared = "mailflow@corp.example"
    own = tokens.reply_address(shared, secret, "t", t1.id)
    other_secret = tokens.reply_address(shared, "not-our-secret", "t", t2.id)
    made_up = f"mailflow+t{t2.id}-aaaaaaaaaaaaaaaa@corp.example"
    before = snapshot(app, t2.id)
    cases = [
        ("token of task 1 on task 2", reply(t2.id, OWNER, "已完成", 1, to=own)),
        ("a made-up token, tagged", reply(t2.id, OWNER, "已完成", 2, to=made_up)),
        ("another secret's token", reply(t2.id, OWNER, "已完成", 3, to=other_secret)),
        ("a made-up token alone", reply(None, OWNER, "已完成", 4, to=made_up)),
        ("another secret's token alone", reply(None, OWNER, "已完成", 5, to=other_secret)),
    ]
    statuses = {what: svc.ingest.process_raw(raw, "k", START) for what, raw in cases}
    print(f"\ntokens: {statuses}")
    assert statuses["token of task 1 on task 2"] == "refused"
    assert statuses["a made-up token, tagged"] == "refused"
    assert statuses["another secret's token"] == "refused"
    assert statuses["a made-up token alone"] in ("refused", "unknown")    # routed nowhere: not task 2
    assert statuses["another secret's token alone"] in ("refused", "unknown")
    assert snapshot(app, t2.id) == before
    # the genuine token works, once: the same mail again is a duplicate, not a second update
    good = reply(None, OWNER, "进行中 30%", 6, to=tokens.reply_address(shared, secret, "t", t2.id))
    assert svc.ingest.process_raw(good, "k", START) == "applied"
    assert svc.ingest.process_raw(good, "k", START) == "duplicate"
    assert app.store.get_task(t2.id).percent == 30 and len(app.store.task_events(t2.id)) == 1


# --- header injection and template injection ------------------------------------------------------
EVIL = "{{ 7*7 }} {% for x in y %}"
CRLF_BCC = "\r\nBcc: evil@x.example"


def encoded(text: str) -> str:
    import base64
    return "=?utf-8?B?" + base64.b64encode(text.encode()).decode() + "?="


def check_outgoing(raw: bytes) -> tuple[str, bool]:
    """One rendered outgoing mail: no injected header, template syntax never evaluated. Returns
    (decoded subject + text, whether the template syntax appears literally)."""
    import re
    head = raw.split(b"\r\n\r\n", 1)[0]
    names = [line.split(b":", 1)[0].strip().lower() for line in head.split(b"\r\n") if line and line[:1] not in b" \t"]
    assert b"bcc" not in names, head
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert not [k for k, v in msg.items() if "\r" in str(v) or "\n" in str(v)], head
    for field in ("To", "Cc", "Reply-To", "From"):
        for addr in (msg[field].addresses if msg[field] else ()):
            assert addr.addr_spec.endswith("@corp.example"), (field, addr)
    texts = [str(msg["Subject"])] + [p.get_content() for p in msg.walk()
                                     if p.get_content_type() in ("text/plain", "text/html")]
    joined = "\n".join(texts)
    assert not re.search(r"(?<![\d.:/-])49(?![\d.:/-])", joined), joined     # 7*7 was never computed
    return joined, "{{ 7*7 }}" in joined and "{% for x in y %}" in joined


def test_crlf_and_template_syntax_in_names_subjects_and_titles_are_escaped(tmp_path):
    app, svc, _ = make_app(tmp_path, START, org={"admin": "zhaomin@corp.example"})
    (task,) = project_tasks(app, title=f"整理方案 {EVIL}{CRLF_BCC}")
    tid = task.id
    mails = [
        # the owner reports: the receipt carries the task title in its subject and body
        reply(tid, OWNER, "进行中 30%", 1),
        # a delay whose reason is template syntax
        reply(tid, OWNER, f"延期到12月4日，原因：{EVIL} 供应商未回复", 2),
        # a colleague who may not change it, with CRLF and template syntax in the display name
        reply(tid, OTHER, f"已完成 {EVIL}", 3, name=encoded(f"李娜{CRLF_BCC} {EVIL}")),
        # an unplaced mail whose encoded subject hides a header and template syntax
        reply(None, OWNER, "请问这个会在哪开？", 4, subject=encoded(f"会议室{CRLF_BCC} {EVIL}")),
        # a stranger, the same tricks: only the host and the admin hear of it
        reply(tid, "boss@evil.example", f"已完成 {EVIL}", 5, name=encoded(f"王总{CRLF_BCC}"),
              subject=encoded(f"[MF-T{tid}] {EVIL}{CRLF_BCC}")),
        # finished: the host is asked to verify the title
        reply(tid, OWNER, "已完成", 6),
    ]
    statuses = [svc.ingest.process_raw(raw, "k", START) for raw in mails]
    assert "error" not in statuses, statuses
    rows = app.store.outbox_history()
    literal = collections.Counter()
    for row in rows:
        _text, has = check_outgoing(row["raw"])
        literal[row["kind"]] += has
    print(f"\ninjection: {len(mails)} hostile mails -> statuses {statuses}; {len(rows)} outgoing mails checked, "
          f"template syntax shown literally in {dict(literal)}")
    assert len(rows) >= 6
    assert literal["task_receipt"] >= 2 and literal["help"] == 1 and literal["task_refused_host"] >= 1
    assert app.store.get_task(tid).title == f"整理方案 {EVIL}{CRLF_BCC}"          # stored as given


def test_crlf_in_a_people_yaml_name_does_not_reach_a_header(tmp_path):
    """A line break in a configured name is refused when people.yaml is loaded (exit 2 naming the key)."""
    from apphelp import PEOPLE
    from mailflow.config import ConfigError
    people = PEOPLE.replace("{name: 张伟,", '{name: "张伟\\r\\nBcc: evil@x.example {{ 7*7 }}",')
    with pytest.raises(ConfigError, match=r"people\[6\]: key 'name'.*line break"):
        make_app(tmp_path, START, people=people)
