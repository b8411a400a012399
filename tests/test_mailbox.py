"""mailflow.edges.mailbox: the Maildir inbox, URL parsing, and the IMAP inbox against a real Dovecot."""

from __future__ import annotations

import logging
import signal
import threading
import time

import pytest

from mailflow.edges.mailbox import (
    Fetched, ImapInbox, Inbox, MailboxAuthError, MailboxError, MaildirInbox, MemoryCheckpoint,
    open_inbox,
)
from mailflow.edges.mailbox.imap_login import FolderNames
from mailflow.testing import make_mail

PASSWORD_SENTINEL = "s3cret-Pa55"


@pytest.fixture(autouse=True)
def _time_limit():
    """No test here may take more than 20 s (each is designed for well under 10 s)."""
    def boom(signum, frame):
        raise TimeoutError("test exceeded its 20 s time limit")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def msg(n: int | str, body: str = "hello") -> bytes:
    return make_mail("a@corp.example", f"{body} {n}\n", subject=f"test {n}",
                     message_id=f"<m{n}-{time.monotonic_ns()}@corp.example>", date=None)


def subjects(items: list[Fetched]) -> list[str]:
    out = []
    for it in items:
        for line in it.raw.split(b"\r\n"):
            if line.startswith(b"Subject: "):
                out.append(line[9:].decode())
    return out


# ------------------------------------------------------------------------------------- Maildir
def test_maildir_deliver_fetch_mark_done(tmp_path):
    path = tmp_path / "mail" / "inbox"
    inbox = MaildirInbox(path)
    assert isinstance(inbox, Inbox)
    keys = [inbox.deliver(msg(i)) for i in range(3)]
    assert all(k.startswith("maildir:") for k in keys)
    items = inbox.fetch()
    assert subjects(items) == ["test 0", "test 1", "test 2"]  # oldest first
    assert [i.key for i in items] == keys
    assert subjects(inbox.fetch(limit=2)) == ["test 0", "test 1"]
    inbox.mark_done(items[0])
    inbox.mark_done(items[1])
    inbox.mark_done(items[1])  # twice: harmless
    assert subjects(inbox.fetch()) == ["test 2"]
    # A "daemon restart": a new object on the same directory does not see processed mail again.
    again = MaildirInbox(path)
    assert subjects(again.fetch()) == ["test 2"]
    done = list((path / ".mailflow-done" / "cur").iterdir())
    assert len(done) == 2 and all(p.read_bytes().startswith(b"From: ") for p in done)
    again.mark_done(again.fetch()[0])
    assert again.fetch() == []


def test_maildir_fetches_files_dropped_by_other_tools(tmp_path):
    inbox = MaildirInbox(tmp_path / "in")
    (tmp_path / "in" / "cur" / "1700000000.x.host:2,S").write_bytes(msg("seen"))
    (tmp_path / "in" / "new" / "1700000001.y.host").write_bytes(msg("new"))
    items = inbox.fetch()
    assert len(items) == 2
    for it in items:
        inbox.mark_done(it)
    assert inbox.fetch() == []


def test_maildir_wait(tmp_path):
    inbox = MaildirInbox(tmp_path / "in", poll_interval=0.05)
    t0 = time.monotonic()
    assert inbox.wait(0.3) is False
    assert 0.25 < time.monotonic() - t0 < 2
    stop = threading.Event()
    stop.set()
    assert inbox.wait(5, stop) is False
    threading.Timer(0.2, lambda: inbox.deliver(msg(1))).start()
    t0 = time.monotonic()
    assert inbox.wait(5) is True
    assert time.monotonic() - t0 < 2


# ------------------------------------------------------------------------------------ open_inbox
def test_open_inbox_urls(tmp_path):
    md = open_inbox("maildir:mail/inbox", None, base_dir=tmp_path, processed="flag", security="ssl")
    assert isinstance(md, MaildirInbox) and md.path == tmp_path / "mail" / "inbox"

    i = open_inbox("imaps://mailflow%40corp.example@imap.corp.example:993/INBOX", PASSWORD_SENTINEL)
    assert isinstance(i, ImapInbox)
    assert (i.host, i.port, i.username, i.security, i.folder) == (
        "imap.corp.example", 993, "mailflow@corp.example", "ssl", "INBOX")
    assert PASSWORD_SENTINEL not in i.description and PASSWORD_SENTINEL not in repr(i)
    assert i.description.startswith("imaps://mailflow@corp.example@imap.corp.example:993/INBOX")

    i = open_inbox("imap+starttls://u@host/Some%20Folder", "pw", processed="move")
    assert (i.port, i.security, i.folder, i.processed) == (143, "starttls", "Some Folder", "move")
    i = open_inbox("imap://u@127.0.0.1:1143", "pw")
    assert (i.port, i.security, i.folder) == (1143, "plain", "INBOX")
    assert open_inbox("imaps://u@h/", "pw").port == 993


@pytest.mark.parametrize("url, password, words", [
    ("", "pw", "empty"),
    ("./mail/inbox", "pw", "no scheme"),
    ("pop3://u@h/INBOX", "pw", "not supported"),
    ("maildir:", None, "no path"),
    (f"imaps://u:{PASSWORD_SENTINEL}@h/INBOX", "pw", "contains a password"),
    ("imaps://h:993/INBOX", "pw", "no user name"),
    ("imaps://u@h:99999/INBOX", "pw", "invalid port"),
    ("imaps://u@h/INBOX", None, "MAILFLOW_IMAP_PASSWORD"),
    ("imaps://u@h/INBOX?x=1", "pw", "not supported"),
])
def test_open_inbox_errors(url, password, words):
    with pytest.raises(ValueError) as e:
        open_inbox(url, password)
    assert words in str(e.value)
    assert PASSWORD_SENTINEL not in str(e.value)


def test_open_inbox_bad_options():
    with pytest.raises(ValueError, match="processed"):
        open_inbox("imaps://u@h/INBOX", "pw", processed="delete")
    with pytest.raises(ValueError, match="security"):
        ImapInbox("h", 993, "u", "pw", security="tls")
    with pytest.raises(ValueError, match="not understood"):
        open_inbox("imaps://u@h/INBOX", "pw", colour="blue")


def test_folder_options_are_written_with_the_servers_delimiter_and_namespace():
    dovecot = FolderNames(prefix="INBOX.", delimiter=".")
    assert dovecot.on_server("Archive/mailflow") == "INBOX.Archive.mailflow"
    assert dovecot.on_server("INBOX.Archive") == "INBOX.Archive"   # already in the namespace
    assert dovecot.on_server("inbox") == "INBOX"                    # INBOX is never prefixed
    assert FolderNames().on_server("Archive/mailflow") == "Archive/mailflow"  # Gmail: "/" and no prefix


def test_the_imap_account_never_shows_its_password():
    i = open_inbox("imaps://u@h/INBOX", PASSWORD_SENTINEL)
    assert PASSWORD_SENTINEL not in str(vars(i))  # the login details are kept with the password hidden


def test_memory_checkpoint():
    cp = MemoryCheckpoint()
    assert cp.load("INBOX") == (None, 0)
    cp.save("INBOX", 7, 42)
    assert cp.load("INBOX") == (7, 42) and cp.load("Other") == (None, 0)


# ------------------------------------------------------------------------------------ real IMAP
servers = pytest.mark.servers


@pytest.fixture
def make_inbox(dovecot_server, dovecot_user):
    """Build ImapInbox objects for this test's user on the plain listener; closed afterwards."""
    user, password = dovecot_user
    made: list[ImapInbox] = []

    def make(**kw) -> ImapInbox:
        kw.setdefault("security", "plain")
        kw.setdefault("backoff", (0.1, 0.5))
        kw.setdefault("timeout", 5)
        port = kw.pop("port", dovecot_server.port)
        pw = kw.pop("password", password)
        inbox = ImapInbox(dovecot_server.host, port, user, pw, **kw)
        made.append(inbox)
        return inbox

    make.user = user
    yield make
    for inbox in made:
        inbox.close()


def fetch_until(inbox: ImapInbox, n: int, timeout: float = 8) -> list[Fetched]:
    """The daemon's loop, bounded: fetch, else wait, until ``n`` messages came in."""
    got: list[Fetched] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got += inbox.fetch()
        if len(got) >= n:
            break
        inbox.wait(min(0.5, max(0.05, end - time.monotonic())))
    return got


@servers
def test_imap_fetch_and_checkpoint_across_daemon_restart(dovecot_server, make_inbox):
    user = make_inbox.user
    for i in range(3):
        dovecot_server.append(user, msg(i))
    cp = MemoryCheckpoint()
    first = make_inbox(checkpoint=cp)
    items = first.fetch()
    assert subjects(items) == ["test 0", "test 1", "test 2"]
    uv = items[0].uidvalidity
    assert [i.key for i in items] == [f"imap:INBOX:{uv}:{u}" for u in (1, 2, 3)]
    first.mark_done(items[0])
    first.mark_done(items[1])  # the third one's transaction "failed": not marked
    assert cp.load("INBOX") == (uv, 2)
    first.close()

    dovecot_server.append(user, msg(3))
    second = make_inbox(checkpoint=cp)  # the daemon restarted
    again = second.fetch()
    assert subjects(again) == ["test 2", "test 3"]  # nothing old, nothing lost
    for it in again:
        second.mark_done(it)
    assert cp.load("INBOX") == (uv, 4)
    assert second.fetch() == []
    flags = {uid: f for uid, (f, _raw) in dovecot_server.messages(user).items()}
    assert all(b"$MailflowDone" in f for f in flags.values()) and len(flags) == 4


@servers
def test_imap_flag_mode_without_checkpoint_history(dovecot_server, make_inbox):
    user = make_inbox.user
    dovecot_server.append(user, msg("a"))
    dovecot_server.append(user, msg("b"))
    inbox = make_inbox(processed="flag", flag="$Done")
    items = inbox.fetch()
    inbox.mark_done(items[0])
    inbox.close()
    # An empty checkpoint (a new store): flagged mail is still skipped, the rest is fetched.
    fresh = make_inbox(checkpoint=MemoryCheckpoint(), flag="$Done")
    assert subjects(fresh.fetch()) == ["test b"]
    server = dovecot_server.messages(user)
    assert [b"$Done" in f for f, _ in server.values()] == [True, False]  # still in INBOX


@servers
def test_imap_move_mode(dovecot_server, make_inbox):
    user = make_inbox.user
    for i in range(3):
        dovecot_server.append(user, msg(i))
    inbox = make_inbox(processed="move", processed_folder="Archive/mailflow")
    items = inbox.fetch()
    inbox.mark_done(items[0])
    inbox.mark_done(items[2])
    assert len(dovecot_server.messages(user, "Archive/mailflow")) == 2
    left = dovecot_server.messages(user)
    assert len(left) == 1 and b"test 1" in next(iter(left.values()))[1]
    assert subjects(inbox.fetch()) == ["test 1"]  # outstanding, not marked: offered again
    fresh = make_inbox(processed="move", processed_folder="Archive/mailflow")
    assert subjects(fresh.fetch()) == ["test 1"]


@servers
def test_imap_fetch_limit_and_deliver(make_inbox):
    inbox = make_inbox()
    keys = [inbox.deliver(msg(i)) for i in range(5)]
    assert keys[0].startswith("imap:INBOX:") and keys[0].endswith(":1")
    first = inbox.fetch(limit=2)
    assert subjects(first) == ["test 0", "test 1"]
    for it in first:
        inbox.mark_done(it)
    t0 = time.monotonic()
    assert inbox.wait(5) is True  # more was left: no waiting
    assert time.monotonic() - t0 < 0.5
    assert subjects(inbox.fetch(limit=10)) == ["test 2", "test 3", "test 4"]


@servers
def test_imap_idle_wakes_wait(dovecot_server, make_inbox):
    inbox = make_inbox()
    assert inbox.fetch() == []
    t0 = time.monotonic()
    assert inbox.wait(1.0) is False  # nothing came: waits the whole timeout
    assert 0.9 < time.monotonic() - t0 < 3
    appended = {}

    def deliver():
        appended["t"] = time.monotonic()
        dovecot_server.append(make_inbox.user, msg("idle"))

    threading.Timer(0.5, deliver).start()
    assert inbox.wait(8) is True
    latency = time.monotonic() - appended["t"]
    assert latency < 2.0, f"IDLE woke wait() {latency:.2f}s after the APPEND"
    assert subjects(inbox.fetch()) == ["test idle"]
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    t0 = time.monotonic()
    assert inbox.wait(8, stop) is False
    assert time.monotonic() - t0 < 2


@servers
def test_imap_polling_fallback(make_inbox):
    inbox = make_inbox(use_idle=False)
    assert inbox.fetch() == []
    t0 = time.monotonic()
    assert inbox.wait(0.4) is True  # a poll: "mail may be there"
    assert time.monotonic() - t0 >= 0.35


@servers
def test_imap_dovecot_restart_while_idling(dovecot_server, make_inbox):
    user = make_inbox.user
    cp = MemoryCheckpoint()
    inbox = make_inbox(checkpoint=cp)
    dovecot_server.append(user, msg("before"))
    first = inbox.fetch()
    assert subjects(first) == ["test before"]
    result = {}
    waiter = threading.Thread(target=lambda: result.setdefault("woke", inbox.wait(9)))
    waiter.start()
    time.sleep(0.3)  # idling now
    dovecot_server.restart()
    dovecot_server.append(user, msg("after"))
    waiter.join(10)
    assert result.get("woke") is True  # reconnected: mail may have come meanwhile
    inbox.mark_done(first[0])  # after the reconnect: stored on the server
    got = fetch_until(inbox, 1)
    assert subjects(got) == ["test after"]
    inbox.mark_done(got[0])
    assert cp.load("INBOX")[1] == 2
    assert all(b"$MailflowDone" in f for f, _ in dovecot_server.messages(user).values())


@servers
def test_imap_server_down_never_raises_and_marks_later(dovecot_server, make_inbox):
    user = make_inbox.user
    dovecot_server.append(user, msg(1))
    inbox = make_inbox()
    items = inbox.fetch()
    dovecot_server.stop()
    try:
        inbox.mark_done(items[0])  # the transaction committed: must not raise
        assert inbox.fetch() == []  # connection refused: logged, not raised
        assert inbox.fetch() == []
        assert inbox.wait(0.5) is False  # cannot reconnect within the timeout
        assert inbox.last_error and not inbox.connected
    finally:
        dovecot_server.start()
    dovecot_server.append(user, msg(2))
    assert subjects(fetch_until(inbox, 1)) == ["test 2"]
    flags = [f for f, _ in dovecot_server.messages(user).values()]
    assert b"$MailflowDone" in flags[0]  # the mark made while down was stored on reconnect
    assert inbox.last_error is None


@servers
def test_imap_uidvalidity_change(dovecot_server, make_inbox, caplog):
    user = make_inbox.user
    cp = MemoryCheckpoint()
    inbox = make_inbox(checkpoint=cp)
    dovecot_server.append(user, msg("a"))
    dovecot_server.append(user, msg("b"))
    items = inbox.fetch()
    for it in items:
        inbox.mark_done(it)
    old_uv = items[0].uidvalidity
    assert cp.load("INBOX") == (old_uv, 2)
    dovecot_server.reset_uidvalidity(user)  # restarts Dovecot: the folder is "restored from backup"
    with caplog.at_level(logging.WARNING, logger="mailflow.edges.mailbox"):
        again = fetch_until(inbox, 2)
    assert subjects(again) == ["test a", "test b"]  # fetched again; the caller dedupes by Message-ID
    assert [i.raw for i in again] == [i.raw for i in items]
    new_uv = again[0].uidvalidity
    assert new_uv != old_uv and again[0].key == f"imap:INBOX:{new_uv}:1"
    assert cp.load("INBOX") == (new_uv, 0)
    assert any("UIDVALIDITY" in r.getMessage() and str(old_uv) in r.getMessage() for r in caplog.records)
    inbox.mark_done(items[0])  # a stale item from before the change: ignored, no exception
    for it in again:
        inbox.mark_done(it)
    assert cp.load("INBOX") == (new_uv, 2)


@servers
def test_imap_sends_id(dovecot_server, make_inbox):
    inbox = make_inbox()
    inbox.connect()
    assert b"ID" in inbox.capabilities
    assert dict(inbox.server_id or {}).get(b"name") == b"Dovecot"
    deadline = time.monotonic() + 3
    while "ID sent: name=mailflow" not in dovecot_server.logs() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert f"imap({make_inbox.user})" in dovecot_server.logs()
    assert "ID sent: name=mailflow" in dovecot_server.logs()


@servers
def test_imap_bad_password(make_inbox, caplog):
    inbox = make_inbox(password=PASSWORD_SENTINEL)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(MailboxAuthError) as e:
            inbox.fetch()
    text = str(e.value)
    assert make_inbox.user in text and "login" in text and "MAILFLOW_IMAP_PASSWORD" in text
    assert PASSWORD_SENTINEL not in text
    assert PASSWORD_SENTINEL not in caplog.text
    with pytest.raises(MailboxAuthError):
        inbox.wait(1)


@servers
def test_imap_missing_folder(make_inbox):
    inbox = make_inbox(folder="NoSuchFolder")
    with pytest.raises(MailboxError, match="NoSuchFolder"):
        inbox.fetch()


@servers
def test_imaps_and_starttls_verify_certificates(dovecot_server, make_inbox):
    if not dovecot_server.tls:
        pytest.skip("openssl is missing: no self-signed certificate for the IMAPS listener")
    dovecot_server.append(make_inbox.user, msg("tls"))
    strict = make_inbox(security="ssl", port=dovecot_server.ssl_port)
    with pytest.raises(MailboxError, match="certificate verification failed"):
        strict.fetch()
    lab = make_inbox(security="ssl", port=dovecot_server.ssl_port, verify_tls=False)
    assert subjects(lab.fetch()) == ["test tls"]
    ca = make_inbox(security="ssl", port=dovecot_server.ssl_port, ca_file=str(dovecot_server.cert_path))
    assert subjects(ca.fetch()) == ["test tls"]
    st = make_inbox(security="starttls", ca_file=str(dovecot_server.cert_path))
    assert subjects(st.fetch()) == ["test tls"]
    st_strict = make_inbox(security="starttls")
    with pytest.raises(MailboxError, match="certificate verification failed"):
        st_strict.fetch()


@servers
def test_open_inbox_against_dovecot(dovecot_server):
    user, password = dovecot_server.add_user(f"mailflow-{time.monotonic_ns()}@corp.example")
    url = dovecot_server.url(user)
    assert "%40corp.example@127.0.0.1" in url
    inbox = open_inbox(url, password, checkpoint=MemoryCheckpoint(), timeout=5)
    try:
        inbox.deliver(msg("url"))
        assert subjects(inbox.fetch()) == ["test url"]
    finally:
        inbox.close()


@servers
def test_imap_non_ascii_password_uses_auth_plain(dovecot_server):
    user, password = dovecot_server.add_user(password=f"口令-{time.monotonic_ns()}")
    inbox = ImapInbox(dovecot_server.host, dovecot_server.port, user, password, security="plain", timeout=5)
    try:
        inbox.connect()  # LOGIN cannot carry non-ASCII; AUTHENTICATE PLAIN sends UTF-8
        assert inbox.connected
    finally:
        inbox.close()


@servers
def test_imap_idle_is_reissued(dovecot_server, make_inbox):
    inbox = make_inbox()
    inbox.IDLE_REISSUE = 0.3  # (25 min in production, below the 29-min IDLE limit)
    inbox.fetch()
    threading.Timer(1.2, lambda: dovecot_server.append(make_inbox.user, msg("late"))).start()
    t0 = time.monotonic()
    assert inbox.wait(6) is True
    assert 1.2 < time.monotonic() - t0 < 3.5
    assert subjects(inbox.fetch()) == ["test late"]
