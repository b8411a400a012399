"""mailflow.edges.mailer against the Maildir outbox and a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import mailbox
import ssl
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from mailflow.edges.mailer import (
    AuthenticationSendError,
    MaildirOutbox,
    Mailer,
    PermanentSendError,
    SmtpMailer,
    TransientSendError,
    open_mailer,
)
from mailflow.testing import make_mail

SENDER = "mailflow@corp.example"
TO = ["wanglei@corp.example"]
PASSWORD = "s3cret-Pa55"


def run(coro, timeout: float = 10):
    """Run one test coroutine, bounded in time."""

    async def bounded():
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


def mail(n: int | str, body: str = "请在周五前确认。") -> tuple[bytes, str]:
    """Mail number `n` as mailflow queues it, and its Message-ID."""
    mid = f"<t{n}.mailflow@corp.example>"
    return make_mail(f"mailflow <{SENDER}>", f"{body}\n", to=TO[0], subject=f"[MF-T{n}] follow-up",
                     message_id=mid, date=None), mid


def plain_mailer(sink, **kw) -> SmtpMailer:
    kw.setdefault("timeout", 5)
    kw.setdefault("local_hostname", "mailflow.test")
    return SmtpMailer(sink.host, sink.port, security="plain", **kw)


# ------------------------------------------------------------------------------------ Maildir outbox


def test_maildir_writes_complete_eml_and_creates_the_folder(tmp_path):
    box = MaildirOutbox(tmp_path / "mail" / "sent")
    data, mid = mail(1)
    refused = run(box.send(SENDER, TO + ["zhaomin@corp.example"], data, mid))
    assert refused == {}
    files = list((tmp_path / "mail" / "sent" / "new").iterdir())
    assert [f.name for f in files] == [box.file_name(mid)] and files[0].suffix == ".eml"
    raw = files[0].read_bytes()
    assert raw.endswith(data)  # the rendered mail, byte for byte, after the envelope headers
    msg = message_from_bytes(raw, policy=default_policy)
    assert msg["Message-ID"] == mid
    assert msg["Return-Path"] == f"<{SENDER}>"
    assert "zhaomin@corp.example" in msg["X-Envelope-To"]
    assert msg.get_content().strip() == "请在周五前确认。"
    assert not list((tmp_path / "mail" / "sent" / "tmp").iterdir())
    # a standard Maildir reader sees it
    assert [m["Message-ID"] for m in mailbox.Maildir(tmp_path / "mail" / "sent", create=False)] == [mid]


def test_maildir_is_idempotent_per_message_id(tmp_path):
    box = MaildirOutbox(tmp_path / "sent", fsync=False)
    data, mid = mail(2)

    async def scenario():
        await box.send(SENDER, TO, data, mid)
        await box.send(SENDER, TO, data, mid)  # a retry after a crash
        await box.send(SENDER, TO, data, mid.strip("<>"))  # the same id without brackets
        # a mail client moved it to cur/: still not written again
        new = box.path_for(mid)
        new.rename(tmp_path / "sent" / "cur" / (new.name + ":2,S"))
        await box.send(SENDER, TO, data, mid)
        other, mid2 = mail(3)
        await box.send(SENDER, TO, other, mid2)

    run(scenario())
    names = sorted(p.name for sub in ("new", "cur") for p in (tmp_path / "sent" / sub).iterdir())
    assert len(names) == 2
    assert len(set(MaildirOutbox.file_name(f"<x{i}/../:*@a>") for i in range(50))) == 50
    assert "/" not in MaildirOutbox.file_name("<../../etc/passwd@x>")


def test_maildir_envelope_headers_optional_and_no_message_id_refused(tmp_path):
    box = MaildirOutbox(tmp_path / "sent", envelope_headers=False, fsync=False)
    data, mid = mail(4)
    run(box.send(SENDER, TO, data, mid))
    assert box.path_for(mid).read_bytes() == data
    with pytest.raises(PermanentSendError):
        run(box.send(SENDER, TO, data, "  "))
    with pytest.raises(PermanentSendError):
        run(box.send(SENDER, [], data, mid))
    assert isinstance(box, Mailer)


def test_maildir_unwritable_is_transient(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    box = MaildirOutbox(blocker / "sent")
    data, mid = mail(5)
    with pytest.raises(TransientSendError, match="cannot write"):
        run(box.send(SENDER, TO, data, mid))


def test_a_mail_to_nobody_is_refused_for_good_by_both_backends_before_any_connection(tmp_path):
    data, mid = mail(6)
    # port 9 (discard) on a host that does not exist: the check comes before any connection
    for mailer in (MaildirOutbox(tmp_path / "sent"), SmtpMailer("nowhere.invalid", 9, security="plain")):
        with pytest.raises(PermanentSendError, match="no recipients"):
            run(mailer.send(SENDER, [], data, mid))
    assert not (tmp_path / "sent").exists()


# ---------------------------------------------------------------------------------------- open_mailer


def test_open_mailer_urls(tmp_path):
    m = open_mailer("maildir:./mail/sent", None)
    assert isinstance(m, MaildirOutbox) and str(m.path) == "mail/sent"
    m = open_mailer("maildir:mail/sent", None, base_dir=tmp_path, timeout=3)
    assert m.path == tmp_path / "mail" / "sent"
    m = open_mailer("maildir:///var/spool/mailflow", None)
    assert str(m.path) == "/var/spool/mailflow"

    m = open_mailer("smtps://mailflow%40corp.example@smtp.corp.example:465", PASSWORD)
    assert isinstance(m, SmtpMailer)
    assert (m.host, m.port, m.username, m.security) == ("smtp.corp.example", 465, "mailflow@corp.example", "ssl")
    assert m.description == "smtps://mailflow%40corp.example@smtp.corp.example:465"
    assert PASSWORD not in m.description and PASSWORD not in repr(m)

    m = open_mailer("smtp+starttls://user@smtp.office365.com", PASSWORD, timeout=7, verify_tls=False)
    assert (m.port, m.security, m.timeout, m.verify_tls) == (587, "starttls", 7.0, False)
    m = open_mailer("smtp://127.0.0.1:2525", None)
    assert (m.port, m.security, m.username) == (2525, "plain", None)
    assert open_mailer("smtps://smtp.exmail.qq.com", None).port == 465


@pytest.mark.parametrize(
    "url, password, needle",
    [
        ("", None, "empty"),
        ("imap://host", None, "unknown scheme 'imap'"),
        ("ftp://host", None, "unknown scheme"),
        ("maildir:", None, "has no path"),
        ("smtps://", None, "no host"),
        ("smtps://host:99999", None, "invalid port"),
        ("smtps://host:465/INBOX", None, "no path"),
        ("smtps://user@host", None, "no password"),
        ("smtps://user:" + PASSWORD + "@host", None, "password"),
    ],
)
def test_open_mailer_errors_name_the_problem(url, password, needle):
    with pytest.raises(ValueError) as info:
        open_mailer(url, password)
    assert needle in str(info.value)
    assert PASSWORD not in str(info.value)


def test_open_mailer_unknown_option():
    with pytest.raises(TypeError, match="retries"):
        open_mailer("smtp://host", None, retries=3)


# ----------------------------------------------------------------------------------------------- SMTP


@pytest.mark.servers
def test_smtp_delivers_over_one_reused_connection(smtp_sink):
    m = plain_mailer(smtp_sink)
    sent = [mail(i) for i in range(5)]

    async def scenario():
        for data, mid in sent:
            assert await m.send(SENDER, TO, data, mid) == {}
        await m.close()

    run(scenario())
    assert smtp_sink.connections == 1 and m.connections == 1
    assert smtp_sink.received_ids() == [mid for _, mid in sent]
    got = smtp_sink.messages[0]
    assert got.mail_from == SENDER and got.rcpt_tos == TO
    assert got.data.rstrip(b"\r\n") == sent[0][0].rstrip(b"\r\n")  # 8-bit UTF-8 body intact


@pytest.mark.servers
def test_smtp_421_is_transient_and_the_next_send_reconnects(smtp_sink):
    m = plain_mailer(smtp_sink)
    data, mid = mail(10)

    async def scenario():
        await m.send(SENDER, TO, *mail(9))
        smtp_sink.script(["421 4.3.2 Service not available, closing channel"])
        with pytest.raises(TransientSendError) as info:
            await m.send(SENDER, TO, data, mid)
        assert info.value.code == 421
        assert "421 4.3.2 Service not available" in str(info.value)
        await m.send(SENDER, TO, data, mid)  # the retry

    run(scenario())
    assert smtp_sink.connections == 2
    assert smtp_sink.received_ids().count(mid) == 1 and not smtp_sink.duplicate_ids()


@pytest.mark.servers
def test_smtp_421_then_451_then_delivered_once(smtp_sink):
    m = plain_mailer(smtp_sink)
    data, mid = mail(11)
    smtp_sink.script(["421 Service not available", "451 4.3.0 Try again later"])

    async def scenario():
        codes = []
        for _ in range(5):
            try:
                await m.send(SENDER, TO, data, mid)
                break
            except TransientSendError as exc:
                codes.append(exc.code)
        return codes

    assert run(scenario()) == [421, 451]
    assert smtp_sink.received_ids() == [mid]


@pytest.mark.servers
def test_smtp_451_is_transient_and_keeps_the_connection(smtp_sink):
    m = plain_mailer(smtp_sink)
    smtp_sink.script(["451 4.7.1 Greylisted, try again later"])

    async def scenario():
        with pytest.raises(TransientSendError) as info:
            await m.send(SENDER, TO, *mail(12))
        assert info.value.code == 451
        await m.send(SENDER, TO, *mail(12))

    run(scenario())
    assert smtp_sink.connections == 1
    assert smtp_sink.received_ids() == [mail(12)[1]]


@pytest.mark.servers
def test_smtp_550_is_permanent_with_its_code(smtp_sink):
    m = plain_mailer(smtp_sink)
    smtp_sink.script(["550 5.7.1 Message rejected as spam"])

    async def scenario():
        with pytest.raises(PermanentSendError) as info:
            await m.send(SENDER, TO, *mail(13))
        assert info.value.code == 550 and "Message rejected as spam" in str(info.value)
        assert "<t13.mailflow@corp.example>" in str(info.value)
        await m.send(SENDER, TO, *mail(14))  # the connection is still good for the next mail

    run(scenario())
    assert smtp_sink.received_ids() == [mail(14)[1]] and smtp_sink.connections == 1


@pytest.mark.servers
def test_smtp_sender_refused_and_rcpt_answers(smtp_sink):
    m = plain_mailer(smtp_sink)
    smtp_sink.script(["553 5.1.8 Sender address rejected"], at="MAIL")
    smtp_sink.refuse("nobody@corp.example")

    async def scenario():
        with pytest.raises(PermanentSendError) as info:
            await m.send(SENDER, TO, *mail(15))
        assert info.value.code == 553
        # some recipients refused: delivered to the rest, the refused ones reported
        refused = await m.send(SENDER, TO + ["nobody@corp.example"], *mail(16))
        assert list(refused) == ["nobody@corp.example"] and refused["nobody@corp.example"].startswith("550")
        # every recipient refused with 5xx: dead
        with pytest.raises(PermanentSendError) as info:
            await m.send(SENDER, ["nobody@corp.example"], *mail(17))
        assert info.value.code == 550 and "nobody@corp.example" in str(info.value)
        # every recipient refused, one of them 4xx: retry later
        smtp_sink.script(["450 4.2.1 Mailbox busy"], at="RCPT")
        with pytest.raises(TransientSendError) as info:
            await m.send(SENDER, [TO[0], "nobody@corp.example"], *mail(18))
        assert info.value.code == 450

    run(scenario())
    assert smtp_sink.received_ids() == [mail(16)[1]]
    assert smtp_sink.messages[0].rcpt_tos == TO


@pytest.mark.servers
def test_smtp_server_down_is_transient_and_back_is_delivered(smtp_sink):
    m = plain_mailer(smtp_sink)
    data, mid = mail(20)

    async def scenario():
        await m.send(SENDER, TO, *mail(19))
        smtp_sink.stop()
        with pytest.raises(TransientSendError) as info:
            await m.send(SENDER, TO, data, mid)
        assert info.value.code is None and "network error" in str(info.value)
        smtp_sink.start()  # the same port
        await m.send(SENDER, TO, data, mid)

    run(scenario())
    assert smtp_sink.received_ids() == [mail(19)[1], mid] and not smtp_sink.duplicate_ids()


@pytest.mark.servers
def test_smtp_server_restart_between_sends_is_transparent(smtp_sink):
    m = plain_mailer(smtp_sink)

    async def scenario():
        await m.send(SENDER, TO, *mail(21))
        smtp_sink.restart()  # drops the reused connection
        await m.send(SENDER, TO, *mail(22))

    run(scenario())
    assert smtp_sink.received_ids() == [mail(21)[1], mail(22)[1]]
    assert smtp_sink.connections == 2


@pytest.mark.servers
def test_smtp_idle_connection_is_reopened(smtp_sink):
    m = plain_mailer(smtp_sink, idle_timeout=0.2)

    async def scenario():
        await m.send(SENDER, TO, *mail(23))
        await asyncio.sleep(0.3)
        await m.send(SENDER, TO, *mail(24))

    run(scenario())
    assert smtp_sink.connections == 2 and len(smtp_sink.messages) == 2


@pytest.mark.servers
def test_smtp_timeout_is_transient(smtp_sink):
    m = plain_mailer(smtp_sink, timeout=0.5)
    smtp_sink.stall(3)

    async def scenario():
        start = time.monotonic()
        with pytest.raises(TransientSendError, match="timed out"):
            await m.send(SENDER, TO, *mail(25))
        assert time.monotonic() - start < 2
        await m.send(SENDER, TO, *mail(26))  # a fresh connection

    run(scenario())
    assert mail(26)[1] in smtp_sink.received_ids()
    assert m.connections == 2


@pytest.mark.servers
def test_smtp_cancelled_send_drops_the_connection(smtp_sink):
    m = plain_mailer(smtp_sink)
    smtp_sink.stall(3)

    async def scenario():
        task = asyncio.ensure_future(m.send(SENDER, TO, *mail(27)))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await m.send(SENDER, TO, *mail(28))

    run(scenario())
    assert smtp_sink.received_ids()[-1] == mail(28)[1]
    assert m.connections == 2


@pytest.mark.servers
def test_smtp_utf8_address(smtp_sink):
    m = plain_mailer(smtp_sink)
    run(m.send(SENDER, ["王磊@corp.example"], *mail(29)))
    assert smtp_sink.messages[0].rcpt_tos == ["王磊@corp.example"]


@pytest.mark.servers
def test_smtp_concurrent_sends_share_the_connection(smtp_sink):
    m = plain_mailer(smtp_sink)

    async def scenario():
        await asyncio.gather(*(m.send(SENDER, TO, *mail(100 + i)) for i in range(20)))

    run(scenario())
    assert len(smtp_sink.messages) == 20 and smtp_sink.connections == 1


@pytest.mark.servers
@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_smtp_auth(smtp_sink_factory, mechanism):
    sink = smtp_sink_factory(users={"mailflow@corp.example": PASSWORD}, mechanisms=[mechanism])
    m = open_mailer(f"smtp://mailflow%40corp.example@{sink.host}:{sink.port}", PASSWORD, timeout=5)

    async def scenario():
        await m.send(SENDER, TO, *mail(30))
        await m.send(SENDER, TO, *mail(31))

    run(scenario())
    assert sink.logins == [(mechanism, "mailflow@corp.example", True)]
    assert [r.login for r in sink.messages] == ["mailflow@corp.example"] * 2


@pytest.mark.servers
def test_smtp_auth_required_without_username_is_permanent(smtp_sink_factory):
    sink = smtp_sink_factory(users={"mailflow@corp.example": PASSWORD})
    m = plain_mailer(sink)
    with pytest.raises(PermanentSendError) as info:
        run(m.send(SENDER, TO, *mail(32)))
    assert info.value.code == 530


@pytest.mark.servers
def test_smtp_bad_password_is_permanent_and_never_shown(smtp_sink_factory):
    sink = smtp_sink_factory(users={"mailflow@corp.example": "the-right-one"})
    m = plain_mailer(sink, username="mailflow@corp.example", password=PASSWORD)
    with pytest.raises(AuthenticationSendError) as info:
        run(m.send(SENDER, TO, *mail(33)))
    assert isinstance(info.value, PermanentSendError)
    assert info.value.code == 535
    text = f"{info.value} {info.value!r} {m.description} {m!r}"
    assert PASSWORD not in text and "535" in str(info.value)
    assert not sink.messages


@pytest.mark.servers
@pytest.mark.parametrize("tls", ["ssl", "starttls"])
def test_smtp_tls_verified_with_the_servers_ca(smtp_sink_factory, tls):
    sink = smtp_sink_factory(tls=tls, users={"mailflow@corp.example": PASSWORD})
    ctx = ssl.create_default_context(cafile=str(sink.cafile))
    m = open_mailer(f"{sink.url.split('://')[0]}://mailflow%40corp.example@127.0.0.1:{sink.port}",
                    PASSWORD, tls_context=ctx, timeout=5)
    assert m.security == tls
    run(m.send(SENDER, TO, *mail(34)))
    assert sink.received_ids() == [mail(34)[1]] and sink.logins[0][2] is True


@pytest.mark.servers
def test_smtp_untrusted_certificate_is_refused_unless_told(smtp_sink_factory):
    sink = smtp_sink_factory(tls="ssl")
    strict = SmtpMailer(sink.host, sink.port, security="ssl", timeout=5, local_hostname="t")
    with pytest.raises(TransientSendError, match="not trusted"):
        run(strict.send(SENDER, TO, *mail(35)))
    lab = SmtpMailer(sink.host, sink.port, security="ssl", verify_tls=False, timeout=5, local_hostname="t")
    run(lab.send(SENDER, TO, *mail(36)))
    assert sink.received_ids() == [mail(36)[1]]


@pytest.mark.servers
def test_starttls_required_but_not_offered_is_permanent(smtp_sink):
    m = SmtpMailer(smtp_sink.host, smtp_sink.port, security="starttls", timeout=5, local_hostname="t")
    with pytest.raises(PermanentSendError):
        run(m.send(SENDER, TO, *mail(37)))
    assert not smtp_sink.messages


@pytest.mark.servers
def test_smtp_mailer_survives_a_new_event_loop_per_pass(smtp_sink):
    # e.g. `mailflow run --once` style code calling asyncio.run() for each flush
    m = plain_mailer(smtp_sink)
    run(m.send(SENDER, TO, *mail(40)))
    run(m.send(SENDER, TO, *mail(41)))
    run(m.close())
    assert smtp_sink.received_ids() == [mail(40)[1], mail(41)[1]]


@pytest.mark.servers
def test_smtp_address_with_a_line_break_is_permanent_and_sends_nothing(smtp_sink):
    m = plain_mailer(smtp_sink)
    with pytest.raises(PermanentSendError):
        run(m.send(SENDER, ["a@corp.example\r\nRCPT TO:<evil@x>"], *mail(42)))
    assert smtp_sink.connections == 0
