"""Attacks on what README's Security section promises: forged authentication, formulas in the weekly
table, headers built from names, guessable Message-IDs and reply tokens.

Each test plays the attacker against the real App (a temporary folder, the real store and renderer)."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import date, datetime

import pytest

from apphelp import SH, body_text, make_app, outbox_mails
from taskhelp import project_tasks
from mailflow.read import authresults
from mailflow.model import Attendee, Meeting, Role, Task, TaskStatus
from mailflow.testing import write_config

START = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
HOST, OWNER, OTHER = "wanglei@corp.example", "zhangwei@corp.example", "lina@corp.example"
MX = "mx.corp.example"


def report_done(task_id: int, n: int, auth_headers: list[str], sender: str = OWNER) -> bytes:
    """The owner's 已完成 for a task, below whatever Authentication-Results the mail carries."""
    stamps = "".join(f"Authentication-Results: {h}\r\n" for h in auth_headers)
    return (f"{stamps}From: 张伟 <{sender}>\r\nTo: mailflow@corp.example\r\n"
            f"Subject: 回复：[MF-T{task_id}] 整理方案\r\nMessage-ID: <sec-{n}@client.example>\r\n"
            "Date: Fri, 20 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n已完成\r\n").encode()


# --- 2. Authentication-Results is parsed, and only our server's topmost verdict counts ------------------

def passes(*headers: str, sender: str = OWNER) -> bool:
    return authresults.from_domain_passes(list(headers), sender, MX)


def test_dmarc_pass_for_the_from_domain_or_an_aligned_dkim_pass_vouches_for_the_sender():
    assert passes(f"{MX}; dmarc=pass (p=quarantine) header.from=corp.example")
    assert passes(f"{MX}; dkim=pass header.d=corp.example header.s=sel; spf=fail")
    assert passes(f"{MX}; dkim=pass header.i=@corp.example")
    assert passes(f"{MX}; dkim=pass header.d=corp.example", sender="a@sh.corp.example")     # parent domain signs
    assert passes(f"{MX.upper()} 1; dmarc=pass header.from=CORP.example")


@pytest.mark.parametrize("header", [
    # the verdict hides in a comment
    f"{MX}; dkim=fail (dmarc=pass header.from=corp.example) header.d=corp.example",
    f"{MX} (dmarc=pass header.from=corp.example); none",
    # the verdict hides in another property's value
    f'{MX}; spf=pass smtp.mailfrom="x dmarc=pass header.from=corp.example"',
    f'{MX}; dkim=fail reason="dkim=pass header.d=corp.example" header.d=corp.example',
    # a pass, but for another domain
    f"{MX}; dmarc=pass header.from=evil.example",
    f"{MX}; dkim=pass header.d=evil.example",
    f"{MX}; dkim=pass header.d=example",                       # a top-level-ish parent is not aligned
    f"{MX}; dkim=pass header.d=notcorp.example",
    # a pass without saying for whom
    f"{MX}; dmarc=pass",
    f"{MX}; dkim=pass",
    # SPF vouches for the envelope, not for the From people read
    f"{MX}; spf=pass smtp.mailfrom=corp.example",
    # DMARC says the From is forged: an aligned DKIM pass does not outvote it
    f"{MX}; dkim=pass header.d=corp.example; dmarc=fail header.from=corp.example",
    # DMARC judged another From than the one we read
    f"{MX}; dkim=pass header.d=corp.example; dmarc=pass header.from=evil.example",
    # unreadable
    f"{MX}; dmarc=",
])
def test_a_misleading_stamp_of_our_server_does_not_vouch(header):
    assert not passes(header)


def test_only_the_topmost_header_of_our_server_counts():
    forged = f"{MX}; dmarc=pass header.from=corp.example"
    # the sender wrote a pass below the failing stamp our server put on top
    assert not passes(f"{MX}; dmarc=fail header.from=corp.example", forged)
    assert not passes(f"{MX}; none", forged)
    # another server's pass is never read, above or below ours
    assert not passes("mx.evil.example; dmarc=pass header.from=corp.example")
    assert not passes("mx.evil.example; dmarc=pass header.from=corp.example", f"{MX}; dkim=fail")
    assert passes("mx.evil.example; dmarc=fail header.from=corp.example", forged)
    # an authserv-id that merely starts like ours is another server
    assert not passes(f"{MX}.evil.example; dmarc=pass header.from=corp.example")


@pytest.mark.parametrize("stamps, expected", [
    ([f"{MX}; dmarc=pass header.from=corp.example"], "applied"),
    ([f"{MX}; dkim=fail (dmarc=pass header.from=corp.example)"], "refused"),
    ([f'{MX}; auth=pass smtp.auth="dmarc=pass"'], "refused"),
    ([f"{MX}; dmarc=pass header.from=evil.example"], "refused"),
    ([f"{MX}; dmarc=fail header.from=corp.example", f"{MX}; dmarc=pass header.from=corp.example"], "refused"),
    (["mx.evil.example; dmarc=pass header.from=corp.example"], "refused"),
])
def test_a_forged_verdict_changes_no_task(tmp_path, stamps, expected):
    app, svc, _ = make_app(tmp_path, START, org={"trusted_authserv_id": MX})
    [task] = project_tasks(app)
    assert svc.ingest.process_raw(report_done(task.id, 1, stamps), "k", START) == expected
    done = app.store.get_task(task.id).status is TaskStatus.DONE
    assert done == (expected == "applied")
    app.close()


# --- 5. the weekly table cannot run formulas ---------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "  =1+1"]


def test_a_title_that_looks_like_a_formula_stays_text_in_the_weekly_xlsx(tmp_path):
    from openpyxl import load_workbook
    app, svc, _ = make_app(tmp_path, START)
    m = app.store.save_meeting(Meeting(
        id=None, uid="xlsx", title="周会", start=datetime(2026, 11, 18, 14, tzinfo=SH),
        end=datetime(2026, 11, 18, 16, tzinfo=SH), host=HOST, recorder="sunli@corp.example",
        attendees=[Attendee(HOST, Role.HOST), Attendee(OWNER, Role.REQUIRED)]), START)
    for i, title in enumerate(FORMULAS, start=1):
        app.store.save_task(Task(id=None, title=title, owner=OWNER, due=date(2026, 12, 18), meeting_id=m.id,
                                 item_no=i), START)
    svc.ticker.tick_once(datetime(2026, 11, 25, 9, 0, tzinfo=SH))           # a week after: the follow-up table
    (mail,) = outbox_mails(app, "followup_table")
    (att,) = list(mail.iter_attachments())
    ws = load_workbook(io.BytesIO(att.get_content())).active
    titles = {row[1].value: row[1] for row in ws.iter_rows(min_row=2)}
    assert set(titles) == set(FORMULAS)                # the text exactly as the owner wrote it
    for text, cell in titles.items():
        assert cell.data_type == "s", text             # a string, never a formula ("f")
        assert cell.quotePrefix, text                  # and stays text when someone edits the cell
    assert all(c.data_type == "s" for row in ws.iter_rows() for c in row)
    app.close()


def test_only_text_a_spreadsheet_would_evaluate_gets_the_quote_prefix():
    from mailflow.write.xlsx import looks_like_formula
    assert all(looks_like_formula(t) for t in FORMULAS)
    assert not any(looks_like_formula(t) for t in ["提交需求文档", "40%", "2026-12-18", "—", "a=b", "email@x"])


# --- 6. headers are built from parts, and the shared address speaks in its own name -------------------

def rendered(org_name: str = "会议跟进助手", to=("zhangwei@corp.example",), on_behalf=None):
    from mailflow.model import Mail
    from mailflow.write.render import Renderer
    mail = Mail(key="k1", template="help", to=list(to), lang="zh-CN", context={"name": "张伟", "subject": "问题"})
    r = Renderer(org_name=org_name, address="mailflow@corp.example").render(mail, START, on_behalf=on_behalf)
    return r, email.message_from_bytes(r.raw, policy=email.policy.default)


@pytest.mark.parametrize("name", ["Wang, Lei", '王磊 "总监", 技术部', "a@evil.example, b", "Wang; Lei <boss@evil.example>"])
def test_a_display_name_with_commas_quotes_or_brackets_stays_one_address(name):
    _r, msg = rendered(org_name=name)
    (sender,) = msg["From"].addresses
    assert sender.addr_spec == "mailflow@corp.example" and sender.display_name == name


def test_a_recipient_that_is_not_one_address_never_reaches_a_header_or_the_envelope():
    r, msg = rendered(to=["zhangwei@corp.example", "lina@corp.example, boss@evil.example",
                          "x@corp.example\r\nBcc: evil@x.example", "张伟 <zw@evil.example>"])
    assert [a.addr_spec for a in msg["To"].addresses] == ["zhangwei@corp.example"]
    assert r.recipients == ["zhangwei@corp.example"] and b"evil" not in r.raw


def test_one_address_accepts_exactly_one_bare_address():
    from mailflow.write.render import one_address
    assert one_address(" ZhangWei@Corp.Example ") == "ZhangWei@Corp.Example"
    assert one_address("mailflow+t4-abcdefghijklmnop@corp.example")
    for bad in ["a@x.example, b@y.example", "a@x.example\r\nBcc: c@y", "<a@x.example>", "Wang Lei <a@x.example>",
                "a@b@c", "no-at-sign", "a b@x.example", '"a"@x.example']:
        with pytest.raises(ValueError):
            one_address(bad)


def test_a_mail_for_a_person_says_via_and_never_wears_their_name_alone():
    from mailflow.write.render import display_name
    assert display_name("会议跟进助手") == "会议跟进助手"
    assert display_name("会议跟进助手", "王磊") == "王磊 via 会议跟进助手"
    assert display_name("会议跟进助手", "王磊\r\nBcc: x@y") == "王磊 Bcc: x@y via 会议跟进助手"
    _r, msg = rendered(on_behalf="王磊")
    assert msg["From"].addresses[0].display_name == "王磊 via 会议跟进助手"


def test_please_verify_comes_from_the_assistant_not_from_the_owner_who_reported(tmp_path):
    """The owner 张伟 reports 已完成; the host's 请验收 must not read "张伟 <mailflow@…>" (or "刘洋" when
    刘洋 signs the mail as such): a person's name on the shared address looks spoofed."""
    app, svc, _ = make_app(tmp_path, START)
    [task] = project_tasks(app)
    raw = report_done(task.id, 1, []).replace("张伟 <".encode(), "刘洋 <".encode())
    assert svc.ingest.process_raw(raw, "k", START) == "applied"
    verify = outbox_mails(app, "task_verify")
    assert verify, [m["X-Mailflow"] for m in outbox_mails(app)]
    for msg in outbox_mails(app):
        (sender,) = msg["From"].addresses
        assert sender.addr_spec == "mailflow@corp.example"
        assert sender.display_name == "会议跟进助手", msg["X-Mailflow"]
    app.close()


# --- 9. people.yaml: manager cycles, and owners who leave with open tasks ---------------------------------

def test_managers_that_go_round_in_a_circle_are_refused(tmp_path):
    from mailflow.read.people import DirectoryError, load_people
    path = tmp_path / "people.yaml"
    path.write_text("people:\n"
                    "  - {name: 王磊, email: wanglei@corp.example, manager: zhaomin@corp.example}\n"
                    "  - {name: 赵敏, email: zhaomin@corp.example, manager: sunli@corp.example}\n"
                    "  - {name: 孙丽, email: sunli@corp.example, manager: wanglei@corp.example}\n"
                    "  - {name: 刘洋, email: liuyang@corp.example, manager: wanglei@corp.example}\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"people\[1\]: key 'manager'.*circle.*wanglei.*zhaomin.*sunli"):
        load_people(path)
    path.write_text("people:\n  - {name: 王磊, email: wanglei@corp.example, manager: wanglei@corp.example}\n",
                    encoding="utf-8")
    with pytest.raises(DirectoryError, match="circle"):
        load_people(path)


def test_an_owner_removed_from_people_yaml_on_reload_is_reported_to_the_host_with_their_open_tasks(tmp_path):
    from apphelp import PEOPLE
    app, svc, _ = make_app(tmp_path, START)
    [task] = project_tasks(app, title="整理需求文档")
    done = app.store.save_task(Task(id=None, title="已交付的方案", owner=OWNER, due=date(2026, 12, 1),
                                    meeting_id=task.meeting_id, status=TaskStatus.DONE), START)
    lines = [line for line in PEOPLE.splitlines(keepends=True) if OWNER not in line]
    (tmp_path / "people.yaml").write_text("".join(lines), encoding="utf-8")
    svc.reload()                                              # what SIGHUP runs
    (note,) = outbox_mails(app, "owner_removed")
    assert note["To"] == HOST
    text = body_text(note)
    assert "张伟" in text and OWNER in text and f"[MF-T{task.id}] 整理需求文档" in text
    assert done.title not in text                              # only open tasks
    svc.reload()                                              # nothing new: nobody is told twice
    assert len(outbox_mails(app, "owner_removed")) == 1
    app.close()


# --- 10. Message-IDs differ between installations; reply tokens cannot be made without the key ----------

def test_two_installations_never_give_their_mails_the_same_message_id(tmp_path):
    from mailflow.app import App
    from mailflow.config import settings_from_dict
    from mailflow.model import Mail
    ids = []
    for site in ("a", "b"):
        folder = tmp_path / site
        folder.mkdir()
        s = settings_from_dict({"org": {"address": "mailflow@corp.example"}}, str(folder / "mailflow.toml"))
        s.base_dir = folder
        app = App(s)
        mail = Mail(key="notice:m1:s0:zhangwei@corp.example", template="help", to=[OWNER], lang="zh-CN",
                    context={"name": "张伟", "subject": "问题"})
        first = app.renderer.render(mail, START).message_id
        assert app.renderer.render(mail, START).message_id == first          # stable within an install
        app.close()
        again = App(s)                                                        # and across restarts
        assert again.renderer.render(mail, START).message_id == first
        again.close()
        ids.append(first)
    assert ids[0] != ids[1]


def test_the_install_secret_is_never_shown(tmp_path, caplog):
    import logging
    import subprocess
    import sys
    caplog.set_level(logging.DEBUG)
    app, svc, _ = make_app(tmp_path, START)
    secret = str(app.install_secret)
    assert secret and secret not in repr(app.install_secret)
    project_tasks(app)
    svc.ingest.process_raw(report_done(1, 1, []), "k", START)
    app.close()
    assert secret not in caplog.text
    cfg = write_config(tmp_path, org={"address": "mailflow@corp.example"})
    status = subprocess.run([sys.executable, "-P", "-m", "mailflow", "--config", str(cfg), "-vv",
                             "status", "--json"], capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stderr
    assert secret not in status.stdout + status.stderr


def test_reply_tokens_cannot_be_made_or_changed_without_the_key():
    from mailflow import tokens
    key = "a-signing-key-of-32-characters!!"
    good = tokens.make_token(key, "t", 1)
    assert tokens.check_token(key, good) == ("t", 1)
    assert tokens.check_token(key, good.upper()) == ("t", 1)              # servers fold case
    sig = good.split("-", 1)[1]
    for forged in [f"t2-{sig}", f"m1-{sig}", f"t01-{sig}", good[:-1] + ("a" if good[-1] != "a" else "b"),
                   tokens.make_token("another-install-key-0123456789", "t", 1), "t1-", "t1", ""]:
        assert tokens.check_token(key, forged) is None, forged
    # without a key nothing is signed and nothing is accepted (an empty HMAC key is no key)
    assert tokens.check_token("", good) is None
    with pytest.raises(ValueError):
        tokens.make_token("", "t", 1)
