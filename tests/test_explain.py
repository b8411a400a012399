"""`mailflow explain`: the reading, how sure it is and why, with the task's due from the store when the
mail answers one that mailflow sent, else from the quoted mail."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from apphelp import make_app
from mailflow.model import Task
from mailflow.testing import make_mail, write_config

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
OWNER = "zhangwei@corp.example"
SENT_ID = "<mf.0123456789abcdef0123456789abcdef@corp.example>"


def reply(text: str, in_reply_to: str | None = SENT_ID) -> bytes:
    return make_mail(f"张伟 <{OWNER}>", text, subject="回复：[MF-T1] 任务提醒", message_id="<r1@client.example>",
                     in_reply_to=in_reply_to)


def explain(tmp_path, *files) -> list[dict]:
    from mailflow.cli import main
    cfg = write_config(tmp_path, store={"path": "./mailflow.db"},
                       org={"address": "mailflow@corp.example", "people": "people.yaml"})
    res = CliRunner().invoke(main, ["--config", str(cfg), "explain", "--json", *files])
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.output.splitlines()]


def test_the_stores_due_decides_a_promised_date(tmp_path):
    app, _, _ = make_app(tmp_path, START)
    t = app.store.save_task(Task(id=None, title="接口开发", owner=OWNER, due=date(2026, 11, 27)), START)
    app.store.queue_mail(dedupe_key="k1", message_id=SENT_ID, raw=b"", sender="mailflow@corp.example",
                         recipients=[OWNER], subject="[MF-T1] 任务提醒", now=START, kind="due_reminder", task_id=t.id)
    app.close()
    eml = tmp_path / "r.eml"
    eml.write_bytes(reply("数据还在核对，12月3日前给你"))
    (row,) = explain(tmp_path, str(eml))
    assert (row["intent"], row["due"], row["sure"]) == ("delay", "2026-12-03", True)
    assert row["why"][0].startswith("context from the store")


def test_without_a_store_the_quoted_due_line_is_used(tmp_path):
    (tmp_path / "people.yaml").write_text("people: []\n", encoding="utf-8")
    eml = tmp_path / "r.eml"
    eml.write_bytes(reply("好的，11月26日前给你\n\n-----原始邮件-----\n发件人: 跟进助手 <mailflow@corp.example>\n"
                          "主题: [MF-T1] 任务提醒\n\n任务：接口开发\n截止日期：2026-11-27（周五）\n"))
    (row,) = explain(tmp_path, str(eml))
    assert row["intent"] == "confirm" and row["due"] is None
    assert row["why"][0].startswith("context from the quoted mail: due 2026-11-27")
    assert not (tmp_path / "mailflow.db").exists()          # explain never creates a store


def test_json_keeps_its_keys_and_adds_why_and_sure(tmp_path):
    (tmp_path / "people.yaml").write_text("people: []\n", encoding="utf-8")
    eml = tmp_path / "q.eml"
    eml.write_bytes(reply("请问验收人是谁？", in_reply_to=None))
    (row,) = explain(tmp_path, str(eml))
    assert {"file", "auto", "intent", "percent", "due", "proxy", "items", "text", "why", "sure"} <= set(row)
    assert row["intent"] == "unknown" and row["sure"] is False and isinstance(row["why"], list)
