"""Shared pieces of the benchmarks: an App in a temp dir, seeded meetings and tasks, realistic
replies (QQ / Outlook / Gmail shapes; UTF-8, GB18030, Big5), medians and RSS.

Run the benchmarks from the repository root (`python bench/ingest.py`); they add tests/ to
sys.path for the real Dovecot and aiosmtpd fixtures.
"""

from __future__ import annotations

import base64
import os
import quopri
import random
import statistics
import sys
import tempfile
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=SH)          # a Friday
SHARED = "mailflow@corp.example"
DOMAIN = "corp.example"

HOST, RECORDER = "wanglei@corp.example", "sunli@corp.example"
# (email, name, language, charset of their mail client)
OWNERS = [
    ("zhangwei@corp.example", "张伟", "zh-CN", "gb18030"),
    ("lina@corp.example", "李娜", "zh-CN", "utf-8"),
    ("chenjing@corp.example", "陈静", "zh-TW", "big5"),
    ("wangfang@corp.example", "王芳", "zh-CN", "utf-8"),
    ("zhouqiang@corp.example", "周强", "zh-CN", "gb18030"),
    ("liuyang@corp.example", "刘洋", "zh-CN", "utf-8"),
]


def median(xs):
    return statistics.median(xs)


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --- an App in a temporary directory ------------------------------------------------------
def make_app(tmp: Path, *, inbox=None, mailer=None, mailbox: dict | None = None, smtp: dict | None = None):
    from apphelp import PEOPLE, site
    from mailflow.app import App
    from mailflow.config import settings_from_dict
    from mailflow.daemon import Daemon
    from mailflow.testing import FakeClock

    (tmp / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    settings = settings_from_dict(site(mailbox=mailbox, smtp=smtp), str(tmp / "mailflow.toml"))
    settings.base_dir = tmp
    clock = FakeClock(NOW)
    app = App(settings, clock=clock, inbox=inbox, mailer=mailer)
    return app, Daemon(app), clock


# --- meetings and tasks ----------------------------------------------------------------------
TITLES = ["接口联调", "采购合同评审", "市场活动方案", "预算复核", "需求文档定稿", "测试环境搭建",
          "客户回访报告", "供应商比价", "发布清单", "培训材料准备"]


def seed(store, meetings: int, tasks_per_meeting: int, *, due_of=None, assigned_mails: bool = True) -> list:
    """Meetings with tasks (and the 'task_assigned' outbox rows replies answer). Returns the tasks."""
    from mailflow.model import Attendee, Meeting, Role, Task, TaskStatus
    out = []
    rng = random.Random(7)
    with store.transaction():
        tid = store.next_id("tasks")
        for i in range(meetings):
            start = NOW - timedelta(days=7 + i % 20, hours=-1)
            m = Meeting(id=None, uid=f"bench-{i}@{DOMAIN}", title=f"第{i + 1}次项目例会",
                        start=start, end=start + timedelta(hours=1), host=HOST, recorder=RECORDER,
                        attendees=[Attendee(HOST, Role.HOST, "王磊"), Attendee(RECORDER, Role.RECORDER, "孙丽")]
                        + [Attendee(e, Role.REQUIRED, n) for e, n, _l, _c in OWNERS])
            store.save_meeting(m, start)
            for k in range(tasks_per_meeting):
                owner = OWNERS[(i + k) % len(OWNERS)][0]
                due = due_of(tid) if due_of else NOW.date() + timedelta(days=7 + rng.randrange(14))
                t = Task(id=tid, title=f"{TITLES[k % len(TITLES)]}（{i + 1}-{k + 1}）", owner=owner, due=due,
                         meeting_id=m.id, item_no=k + 1, status=TaskStatus.NOT_STARTED, percent=0,
                         created_at=start + timedelta(hours=2))
                store.save_task(t, start + timedelta(hours=2))
                if assigned_mails:
                    store.queue_mail(dedupe_key=f"task_assigned:t{tid}", message_id=assigned_id(tid), raw=b"-",
                                     sender=SHARED, recipients=[owner], subject=f"[MF-T{tid}] 任务确认：{t.title}",
                                     now=start, kind="task_assigned", template="task_assigned",
                                     meeting_id=m.id, task_id=tid, status="sent")
                out.append(t)
                tid += 1
    return out


def assigned_id(task_id: int) -> str:
    return f"<mf.assigned.t{task_id}@{DOMAIN}>"


# --- realistic replies -------------------------------------------------------------------------
ZH_TW = str.maketrans({"进": "進", "行": "行", "确": "確", "认": "認", "成": "成", "续": "續", "还": "還", "周": "週",
                       "应": "應", "商": "商", "档": "檔", "没": "沒", "到": "到", "预": "預", "计": "計", "联": "聯",
                       "调": "調", "试": "試", "发": "發", "务": "務", "议": "議", "纪": "紀", "时": "時", "间": "間",
                       "题": "題", "请": "請", "负": "負", "责": "責", "复": "復", "这": "這", "项": "項", "会": "會",
                       "后": "後", "为": "為", "处": "處", "户": "戶", "总": "總", "经": "經", "缘": "緣", "样": "樣"})


def answer(kind: str, rng: random.Random, tw: bool, due=None) -> str:
    """The owner's new words. A delay asks for a day after the task's due (`due`; a week after
    NOW without one) or for a week more: a request to 'postpone' to a day on or before the current
    due contradicts itself, and mailflow rightly asks such a sender back (replies.py), so the old
    fixed 12月4日 / 下周五 made every delay on a task due later an ask-back, not the clear answer
    this bench means to time."""
    if kind == "confirm":
        text = rng.choice(["收到，确认。我会按时完成。", "确认，没问题。", "好的，确认负责这项任务。"])
    elif kind == "done":
        text = rng.choice(["已完成，文档已上传到共享盘。", "这项已完成，请查收。", "已完成。"])
    elif kind == "progress":
        text = rng.choice(["进行中 60%，接口联调还差两个用例。", "目前进行中，完成了60%，预计按期完成。",
                           "进行中 60%。"])
    else:
        later = (due or NOW.date()) + timedelta(days=7)
        text = rng.choice([f"需要延期到{later.month}月{later.day}日，原因：供应商的接口文档还没到。",
                           "申请延期一周，原因是测试环境这周不可用。"])
    return text.translate(ZH_TW) if tw else text


QUOTE_BODY = ("请各位负责人于本周五下班前回复任务进度。\n任务：{title}\n负责人：{name}\n截止日期：{due}\n"
              "交付物：评审通过的文档与测试记录\n回复方式：直接回复本邮件，写明“确认”“已完成”“进行中 60%”"
              "或“延期到某日，原因：……”。\n")


def _enc(text: str, charset: str, cte: str) -> str:
    data = text.replace("\n", "\r\n").encode(charset, "replace")
    if cte == "base64":
        return base64.encodebytes(data).decode().replace("\n", "\r\n")
    return quopri.encodestring(data).decode().replace("\n", "\r\n")


def _hdr(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset, 'replace')).decode()}?="


def reply(i: int, task, kind: str, rng: random.Random, *, date_: datetime | None = None,
          by_subject: bool = False) -> bytes:
    """One reply of ~4 KB in the thread of the task's assignment mail."""
    owner = next(o for o in OWNERS if o[0] == task.owner)
    email_, name, lang, charset = owner
    tw = lang == "zh-TW"
    style = ("qq", "outlook", "gmail")[i % 3]
    when = date_ or (NOW + timedelta(minutes=30 + i % 300))
    subject = f"回复：[MF-T{task.id}] 任务确认：{task.title}"
    quote = (QUOTE_BODY.format(title=task.title, name=name, due=task.due.isoformat()) * 3)
    if tw:
        subject, quote = subject.translate(ZH_TW), quote.translate(ZH_TW)
    new = answer(kind, rng, tw, task.due) + "\n\n" + name + "\n" + ("技术部" if not tw else "產品部") + "\n"
    sent = "2026年11月18日(星期三) 下午3:02"
    if style == "qq":
        plain = (new + "\n\n------------------ 原始邮件 ------------------\n"
                 f"发件人: \"会议跟进助手\"<{SHARED}>;\n发送时间: {sent}\n收件人: \"{name}\"<{email_}>;\n"
                 f"主题: [MF-T{task.id}] 任务确认：{task.title}\n\n" + quote)
        html = ("<div>" + new.replace("\n", "<br>") + "</div><div><includetail><div style=\"font-size:12px\">"
                "<div>------------------&nbsp;原始邮件&nbsp;------------------</div>"
                + quote.replace("\n", "<br>") + "</div></includetail></div>")
        cte = "base64"
    elif style == "outlook":
        plain = (new + "\n\n________________________________\n"
                 f"发件人: 会议跟进助手 <{SHARED}>\n发送时间: 2026年11月18日 15:02\n收件人: {name} <{email_}>\n"
                 f"主题: [MF-T{task.id}] 任务确认：{task.title}\n\n" + quote)
        html = ("<html><body><div>" + new.replace("\n", "<br>") + "</div><hr style=\"display:inline-block\">"
                "<div id=\"divRplyFwdMsg\"><b>发件人:</b> 会议跟进助手</div><div>"
                + quote.replace("\n", "<br>") + "</div></body></html>")
        cte = "quoted-printable"
    else:
        plain = (new + f"\n\n会议跟进助手 <{SHARED}> 于2026年11月18日周三 15:02写道：\n\n"
                 + "".join("> " + line + "\n" for line in quote.splitlines()))
        html = ("<div dir=\"ltr\">" + new.replace("\n", "<br>") + "</div><br><div class=\"gmail_quote\">"
                "<blockquote class=\"gmail_quote\" style=\"margin:0 0 0 .8ex;border-left:1px #ccc solid\">"
                + quote.replace("\n", "<br>") + "</blockquote></div>")
        cte = "base64"
    if tw:
        plain, html = plain.translate(ZH_TW), html.translate(ZH_TW)
    boundary = f"----=_Part_{i}_{rng.randrange(10**9)}"
    thread = "" if by_subject else (f"In-Reply-To: {assigned_id(task.id)}\r\n"
                                    f"References: {assigned_id(task.id)}\r\n")
    head = (f"From: {_hdr(name, charset)} <{email_}>\r\nTo: {_hdr('会议跟进助手', 'utf-8')} <{SHARED}>\r\n"
            f"Subject: {_hdr(subject, charset)}\r\nDate: {format_datetime(when)}\r\n"
            f"Message-ID: <bench-{i}-{rng.randrange(10**12)}@mail.{style}.example>\r\n{thread}"
            f"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n")
    body = (f"--{boundary}\r\nContent-Type: text/plain; charset=\"{charset}\"\r\n"
            f"Content-Transfer-Encoding: {cte}\r\n\r\n{_enc(plain, charset, cte)}\r\n"
            f"--{boundary}\r\nContent-Type: text/html; charset=\"{charset}\"\r\n"
            f"Content-Transfer-Encoding: {cte}\r\n\r\n{_enc(html, charset, cte)}\r\n--{boundary}--\r\n")
    return (head + body).encode("ascii")


INTENT_MIX = ["confirm"] * 3 + ["progress"] * 3 + ["done"] * 2 + ["delay"] * 2


def replies_for(tasks: list, n: int, seed_: int = 1) -> list[bytes]:
    """n replies, one per task (cycling), a mix of intents; every 4th is routed by subject tag only."""
    rng = random.Random(seed_)
    return [reply(i, tasks[i % len(tasks)], INTENT_MIX[i % len(INTENT_MIX)], rng, by_subject=(i % 4 == 3))
            for i in range(n)]


def tmpdir(prefix: str) -> Path:
    d = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    os.chmod(d, 0o755)
    return d
