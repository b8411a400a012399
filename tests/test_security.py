"""Attacks on what README's Security section promises: forged authentication, formulas in the weekly
table, headers built from names, guessable Message-IDs and reply tokens.

Each test plays the attacker against the real App (a temporary folder, the real store and renderer)."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import date, datetime, timedelta

import pytest

from apphelp import SH, make_app, outbox_mails
from mailflow import auth
from mailflow.model import Attendee, Meeting, Role, Task, TaskStatus

START = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
HOST, OWNER, OTHER = "wanglei@corp.example", "zhangwei@corp.example", "lina@corp.example"
MX = "mx.corp.example"


def seed(app, title: str = "整理方案") -> Task:
    m = app.store.save_meeting(Meeting(
        id=None, uid="security", title="项目周会", start=START - timedelta(days=1),
        end=START - timedelta(days=1) + timedelta(hours=1), host=HOST, recorder="sunli@corp.example",
        attendees=[Attendee(HOST, Role.HOST), Attendee(OWNER, Role.REQUIRED), Attendee(OTHER, Role.REQUIRED)]),
        START)
    return app.store.save_task(Task(id=None, title=title, owner=OWNER, due=date(2026, 12, 18),
                                    meeting_id=m.id, item_no=1), START)


def report_done(task_id: int, n: int, auth_headers: list[str], sender: str = OWNER) -> bytes:
    """The owner's 已完成 for a task, below whatever Authentication-Results the mail carries."""
    stamps = "".join(f"Authentication-Results: {h}\r\n" for h in auth_headers)
    return (f"{stamps}From: 张伟 <{sender}>\r\nTo: mailflow@corp.example\r\n"
            f"Subject: 回复：[MF-T{task_id}] 整理方案\r\nMessage-ID: <sec-{n}@client.example>\r\n"
            "Date: Fri, 20 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n已完成\r\n").encode()


# --- 2. Authentication-Results is parsed, and only our server's topmost verdict counts ------------------

def passes(*headers: str, sender: str = OWNER) -> bool:
    return auth.from_domain_passes(list(headers), sender, MX)


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
    task = seed(app)
    assert svc.process_raw(report_done(task.id, 1, stamps), "k", START) == expected
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
    svc.tick_once(datetime(2026, 11, 25, 9, 0, tzinfo=SH))           # a week after: the follow-up table
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
    from mailflow.xlsx import looks_like_formula
    assert all(looks_like_formula(t) for t in FORMULAS)
    assert not any(looks_like_formula(t) for t in ["提交需求文档", "40%", "2026-12-18", "—", "a=b", "email@x"])
