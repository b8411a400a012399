"""Build a whole mailflow App in a temporary folder for service-level tests.

    app, svc, clock = make_app(tmp_path, datetime(2026, 11, 20, 9, 0, tzinfo=SH))
    svc.ingest.process_raw(eml_bytes, "test", clock.now())
    mails = outbox_mails(app)          # parsed EmailMessages of everything queued
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mailflow.app import App
from mailflow.config import settings_from_dict
from mailflow.daemon import Daemon
from mailflow.edges import snapshot
from mailflow.flows import meetings
from mailflow.model import Meeting, Outcome, Snapshot
from mailflow.testing import FakeClock, make_mail, write_config

SH = ZoneInfo("Asia/Shanghai")
SHARED = "mailflow@corp.example"

PEOPLE = textwrap.dedent("""\
    people:
      - {name: 王磊, email: wanglei@corp.example, department: 技术部, title: 总监, manager: zhaomin@corp.example, aliases: [王总, Wang Lei], delegates: [mishu@corp.example]}
      - {name: 王芳, email: wangfang@corp.example, department: 技术部, manager: zhaomin@corp.example}
      - {name: 赵敏, email: zhaomin@corp.example, department: 总经办, title: 副总经理}
      - {name: 孙丽, email: sunli@corp.example, department: 行政部, manager: zhaomin@corp.example}
      - {name: 刘洋, email: liuyang@corp.example, department: 设计部, manager: zhaomin@corp.example}
      - {name: 张伟, email: zhangwei@corp.example, department: 市场部, manager: zhaomin@corp.example}
      - {name: 李娜, email: lina@corp.example, department: 销售部, manager: zhaomin@corp.example}
      - {name: 陈静, email: chenjing@corp.example, department: 产品部, manager: zhaomin@corp.example, language: zh-TW}
      - {name: Tom Baker, email: tom@corp.example, department: 产品部, manager: zhaomin@corp.example, language: en}
      - {name: 周强, email: zhouqiang@corp.example, department: 财务部, manager: zhaomin@corp.example}
      - {name: 秘书, email: mishu@corp.example, department: 技术部}
    """)


# The tests' site: Maildir in and out, a store file, the org and its people (PEOPLE).
SITE = {
    "mailbox": {"url": "maildir:./mail/inbox"},
    "smtp": {"url": "maildir:./mail/sent"},
    "store": {"path": "./mailflow.db"},
    "org": {"address": SHARED, "name": "会议跟进助手", "people": "./people.yaml"},
    "schedule": {},
}


def site(**changes: dict | None) -> dict:
    """SITE's sections with `changes` merged in, key by key; a key set to None is dropped."""
    merged = {}
    for name in dict.fromkeys([*SITE, *changes]):
        keys = {**SITE.get(name, {}), **(changes.get(name) or {})}
        merged[name] = {k: v for k, v in keys.items() if v is not None}
    return merged


def write_site(tmp_path: Path, *, people: str = PEOPLE, **changes: dict | None) -> Path:
    """people.yaml and a mailflow.toml of site(**changes) in `tmp_path`, for a mailflow process."""
    (tmp_path / "people.yaml").write_text(people, encoding="utf-8")
    return write_config(tmp_path, **site(**changes))


def make_app(tmp_path: Path, start: datetime, *, people: str = PEOPLE, org: dict | None = None,
             smtp: dict | None = None, schedule: dict | None = None, paths: dict | None = None,
             mailer=None, inbox=None):
    (tmp_path / "people.yaml").write_text(people, encoding="utf-8")
    data = site(smtp=smtp, org=org, schedule=schedule, paths=paths)
    settings = settings_from_dict(data, str(tmp_path / "mailflow.toml"))
    settings.base_dir = tmp_path
    clock = FakeClock(start)
    _fixed_install_secret(tmp_path / "mailflow.db")
    app = App(settings, clock=clock, mailer=mailer, inbox=inbox)
    return app, Daemon(app), clock


def _fixed_install_secret(db: Path) -> None:
    """A store whose install secret (app.install_secret, made at random at first start) is fixed, so
    Message-IDs and golden files do not change from run to run."""
    from mailflow.edges.store import Store
    store = Store(db)
    with store.transaction():
        if not store.get_meta("install_secret"):
            store.set_meta("install_secret", "tests-install-secret")
    store.close()


def outbox_mails(app: App, kind: str | None = None) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(r["raw"], policy=email.policy.default)
            for r in app.store.outbox_history(kind)]


def body_text(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def flush(svc: Daemon) -> int:
    return asyncio.run(svc.outbox.flush_once())


def commit_change(app: App, svc: Daemon, change, now: datetime, load=lambda store: Snapshot()) -> Outcome:
    """A change committed as the CLI commits one (cli_context.commit_change): in one transaction
    `load(app.store)` reads the Snapshot (a loader of edges/snapshot.py; by default an empty one,
    for a decision that reads nothing stored), `change(ctx)` decides over it, the Outcome is committed."""
    with app.store.transaction():
        out = change(app.context(now, load(app.store)))
        svc.outbox.commit(out, now)
    return out


def add_meeting(app: App, svc: Daemon, m: Meeting, now: datetime) -> Outcome:
    """`mailflow meeting add`: the notices of `m`, numbered from snapshot.for_new_meeting."""
    return commit_change(app, svc, lambda ctx: meetings.add(ctx, m), now, snapshot.for_new_meeting)


def reply_to(original: email.message.EmailMessage, sender: str, text: str, *, date: str | None = None,
             sender_name: str = "", headers: dict | None = None) -> bytes:
    """A plain-text reply in the original's thread, as a mail client would send it."""
    return make_mail(f"{sender_name} <{sender}>" if sender_name else sender, text, to=SHARED,
                     subject=f"回复：{original['Subject']}", in_reply_to=original["Message-ID"],
                     headers=headers, **({"date": date} if date else {}))
