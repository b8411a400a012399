"""How a recorder's minutes draft is read: decisions, action items, and what is wrong with them."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from mailflow.read import minutes
from mailflow.cli_views import minutes_json, minutes_table, text_width
from mailflow.write.minutes_template import template_text
from mailflow.read.people import Directory
from minuteshelp import full, kinds

FIXTURES = Path(__file__).parent / "fixtures" / "minutes"
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 8, 3, 16, 0, tzinfo=SH)      # the draft arrives on Monday 3 August 2026

PEOPLE = [
    {"name": "王磊", "email": "wanglei@example.com", "department": "技术部", "aliases": ["王总"]},
    {"name": "王芳", "email": "wangfang@example.com", "department": "技术部"},
    {"name": "李娜", "email": "lina@example.com", "department": "技术部"},
    {"name": "周敏", "email": "zhoumin@example.com", "department": "财务部"},
    {"name": "孙悦", "email": "sunyue@example.com", "department": "运营部"},
    {"name": "张伟", "email": "zhangwei@example.com", "department": "市场部", "aliases": ["张经理"]},
    {"name": "陳志明", "email": "chenzm@example.com", "department": "產品部", "aliases": ["陳經理"],
     "language": "zh-TW"},
    {"name": "林美玲", "email": "linml@example.com", "department": "產品部", "language": "zh-TW"},
    {"name": "Alice Chen", "email": "alice@example.com", "department": "产品部", "aliases": ["Alice"],
     "language": "en"},
]


def directory(without: tuple[str, ...] = ()) -> Directory:
    return Directory.from_data({"people": [p for p in PEOPLE if p["name"] not in without]})


DIR = directory()


def read(name: str, people: Directory = DIR) -> minutes.ParsedMinutes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if name.endswith(".html"):
        return minutes.parse("", people, NOW, html=text)
    return minutes.parse(text, people, NOW)


def parse(text: str, people: Directory = DIR):
    return minutes.parse(text, people, NOW)


def items(parsed) -> list[dict]:
    return minutes_json(parsed)["action_items"]


# --- numbered decision sentences ----------------------------------------------------------------

def test_a_decision_naming_who_is_responsible_by_when_becomes_an_action_item():
    parsed = read("numbered_decisions.txt", directory(without=("王芳",)))
    first = items(parsed)[0]
    assert first == {"title": "接口开发", "owner": "wanglei@example.com", "collaborators": [],
                     "due": "2026-08-15", "deliverable": ""}


def test_one_decision_line_can_hand_out_two_tasks_and_the_second_has_two_owners():
    parsed = read("numbered_decisions.txt", directory(without=("王芳",)))
    # 唯一责任人: two names own nothing until the recorder picks one; co-owners are not helpers
    assert items(parsed)[1:] == [
        {"title": "出台清单", "owner": "zhoumin@example.com", "collaborators": [],
         "due": "2026-08-20", "deliverable": ""},
        {"title": "完成系统原型", "owner": None, "collaborators": [],
         "due": "2026-09-10", "deliverable": ""},
    ]
    # the recorder is told which line names two owners
    assert kinds(parsed) == [(3, "multiple_owners")]
    assert parsed.problems[0].line.startswith("2. 财务部-周（8月20日前出台清单）")


def test_a_decision_that_is_not_a_task_stays_a_decision():
    parsed = read("numbered_decisions.txt")
    assert parsed.decisions == ["上线时间暂定为12月1日", "预算由财务部统一管理"]
    assert all("上线" not in a.title for a in parsed.action_items)


def test_discussion_that_mentions_names_and_dates_does_not_become_a_task():
    parsed = read("numbered_decisions.txt")
    # "孙悦提出9月10日前需要看到原型，由王总负责评估是否可行。" sits under 讨论要点
    assert [a.title for a in parsed.action_items] == ["接口开发", "出台清单", "完成系统原型"]
    assert all(a.line_no and a.line_no >= 10 for a in parsed.action_items)


def test_two_people_in_the_department_with_that_surname_is_ambiguous():
    parsed = read("numbered_decisions.txt")
    first = parsed.action_items[0]
    assert first.owner is None
    problem = parsed.problems[0]
    assert (problem.item, problem.kind) == (1, "ambiguous_person")
    assert problem.line == "1. 由技术部-王*负责接口开发，8月15日前完成"
    assert "王磊" in problem.detail and "王芳" in problem.detail


def test_the_task_may_come_before_who_is_responsible():
    parsed = parse("决议：\n1. 接口联调由李娜负责，8月14日前完成，周敏配合\n")
    assert items(parsed) == [{"title": "接口联调", "owner": "lina@example.com",
                              "collaborators": ["zhoumin@example.com"], "due": "2026-08-14",
                              "deliverable": ""}]
    assert parsed.problems == []


def test_a_draft_without_headings_is_read_from_its_numbered_lines():
    parsed = parse("各位好，纪要如下：\n1. 由孙悦负责活动方案，8月21日前完成\n2. 下次例会改到周四\n谢谢\n")
    assert [(a.title, a.owner) for a in parsed.action_items] == [("活动方案", "sunyue@example.com")]
    assert parsed.decisions == ["下次例会改到周四"]


def test_an_english_decision_with_an_owner_and_a_date():
    parsed = parse("Decisions\n1. Alice to send the API spec by 2026-08-15\n2. Keep the launch in Q4.\n")
    assert items(parsed) == [{"title": "send the API spec", "owner": "alice@example.com", "collaborators": [],
                              "due": "2026-08-15", "deliverable": ""}]
    assert parsed.decisions == ["Keep the launch in Q4."]


def test_people_written_in_the_other_script_are_still_found():
    parsed = parse("決議：\n1. 財務部-周（8月20日前出台清單）\n2. 由技術部-李娜負責壓測，8月20日前完成\n")
    assert [(a.title, a.owner) for a in parsed.action_items] == [
        ("出台清單", "zhoumin@example.com"), ("壓測", "lina@example.com")]
    assert parsed.problems == []


# --- key-value blocks ------------------------------------------------------------------------------

def test_key_value_blocks_with_full_width_and_ascii_colons():
    parsed = read("kv_blocks.txt")
    assert items(parsed) == [
        {"title": "渠道合作方案定稿", "owner": "zhangwei@example.com",
         "collaborators": ["zhoumin@example.com", "sunyue@example.com"], "due": "2026-08-14",
         "deliverable": "方案经总经理签字"},
        {"title": "预算复核", "owner": "zhoumin@example.com", "collaborators": [], "due": "2026-08-21",
         "deliverable": "预算表（含明细）；风险说明"},
    ]
    assert parsed.problems == []
    assert parsed.action_items[0].line == "任务名称：渠道合作方案定稿"


def test_traditional_chinese_minutes_with_decisions_and_a_task_table():
    parsed = read("kv_blocks_tw.txt")
    assert parsed.decisions == ["新品上市時間定為11月1日"]
    assert items(parsed) == [
        {"title": "支付介面開發", "owner": "linml@example.com", "collaborators": [], "due": "2026-09-15",
         "deliverable": ""},
        {"title": "上市宣傳素材", "owner": "chenzm@example.com", "collaborators": ["linml@example.com"],
         "due": "2026-09-30", "deliverable": "海報與短片各一套"},
    ]
    assert parsed.problems == []


def test_english_minutes():
    parsed = read("kv_blocks_en.txt")
    assert parsed.decisions == ["Go with vendor B for the pilot."]
    assert items(parsed) == [{"title": "Draft the vendor contract", "owner": "alice@example.com",
                              "collaborators": ["zhoumin@example.com"], "due": "2026-08-20",
                              "deliverable": "signed contract PDF"}]
    assert parsed.problems == []


def test_english_action_items_name_owners_in_pinyin_and_helpers_with_help_verbs():
    people = Directory.from_data({"people": [
        {"name": "王磊", "email": "lei.wang@example.com"}, {"name": "张伟", "email": "wei.zhang@example.com"},
        {"name": "孙丽", "email": "li.sun@example.com"}, {"name": "李明", "email": "ming.li@example.com"}]})
    parsed = minutes.parse("Action items\n"
                           "1. Wang Lei to finish the API integration by Aug 14.\n"
                           "2. Wei Zhang will update the PRD by Aug 12; Sun Li to help.\n"
                           "3. Ming Li will write the test plan, Lei Wang assisting with reviews, due Aug 10.\n",
                           people, NOW)
    assert [(a["owner"], a["collaborators"], a["due"]) for a in items(parsed)] == [
        ("lei.wang@example.com", [], "2026-08-14"),
        ("wei.zhang@example.com", ["li.sun@example.com"], "2026-08-12"),       # a helper is not the owner
        ("ming.li@example.com", ["lei.wang@example.com"], "2026-08-10")]
    assert parsed.problems == []


@pytest.mark.parametrize("line", ["周敏协助孙悦核对预算表，8月10日前", "周敏 協助 孫悅 核對預算表，8月10日前",
                                  "由周敏配合孙悦核对预算表，8月10日前", "周敏支持孙悦核对预算表，8月10日前"])
def test_the_one_who_is_helped_owns_the_task_and_the_helper_helps(line):
    parsed = parse(f"待办事项：\n1. {line}\n")
    assert [(a["owner"], a["collaborators"], a["due"]) for a in items(parsed)] == [
        ("sunyue@example.com", ["zhoumin@example.com"], "2026-08-10")]
    assert "核" in items(parsed)[0]["title"] and parsed.problems == []


@pytest.mark.parametrize("line", ["周敏协助，8月10日前", "孙悦配合", "8月10日前完成", "市场部配合技术部完成联调，8月10日前"])
def test_a_numbered_to_do_read_as_no_task_is_kept_and_asked_about_not_lost(line):
    parsed = parse(f"待办事项：\n1. 张伟负责竞品分析，8月10日前\n2. {line}\n")
    assert [a["title"] for a in items(parsed)][1] == line
    assert ("no_owner", 2) in [(p.kind, p.item) for p in parsed.problems]


def test_a_numbered_action_with_its_details_on_the_lines_below():
    parsed = parse("行动项：\n1. 竞品分析报告\n   负责人：张伟\n   截止时间：8月25日\n   交付物：分析报告\n"
                   "2. 渠道清单\n   负责人：孙悦\n   截止时间：8月28日\n")
    assert [(a.title, a.owner, a.due, a.deliverable) for a in parsed.action_items] == [
        ("竞品分析报告", "zhangwei@example.com", date(2026, 8, 25), "分析报告"),
        ("渠道清单", "sunyue@example.com", date(2026, 8, 28), ""),
    ]


def test_a_task_on_one_line_with_its_fields_inline():
    parsed = parse("待办：\n- 接口文档定稿，负责人：王总，截止时间：8月12日，交付物：接口文档v1.0\n")
    assert items(parsed) == [{"title": "接口文档定稿", "owner": "wanglei@example.com", "collaborators": [],
                              "due": "2026-08-12", "deliverable": "接口文档v1.0"}]


def test_a_checklist_of_people_and_what_they_will_do():
    parsed = parse("行动项：\n- [ ] 王磊：8月15日前提交报价\n- [x] @李娜 8月7日前完成测试\n"
                   "* 接口文档 — 技术部-李* — 8月12日前\n")
    assert [(a.title, a.owner, a.due) for a in parsed.action_items] == [
        ("提交报价", "wanglei@example.com", date(2026, 8, 15)),
        ("完成测试", "lina@example.com", date(2026, 8, 7)),
        ("接口文档", "lina@example.com", date(2026, 8, 12)),
    ]
    assert parsed.problems == []


def test_a_whole_task_on_one_labelled_line():
    parsed = parse("Action items\nOwner: Alice; Task: review the contract; Due: 2026-08-20\n")
    assert items(parsed) == [{"title": "review the contract", "owner": "alice@example.com", "collaborators": [],
                              "due": "2026-08-20", "deliverable": ""}]


def test_nothing_decided_and_nothing_to_do():
    parsed = parse("决议结果：无\n行动项：无\n")
    assert minutes_json(parsed) == {"decisions": [], "action_items": [], "problems": []}


def test_closing_words_and_the_signature_under_the_tasks_are_not_tasks():
    parsed = parse("行动项：\n1. 由孙悦负责活动方案，8月21日前完成\n\n谢谢！\n记录人：王芳 2026-08-03\n")
    assert [a.title for a in parsed.action_items] == ["活动方案"]
    assert parsed.problems == []


# --- tables ----------------------------------------------------------------------------------------

def test_a_markdown_table_of_tasks():
    parsed = read("pipe_table.md")
    assert parsed.decisions == ["数据平台迁移列入Q4计划"]
    assert items(parsed) == [
        {"title": "迁移风险评估", "owner": "wanglei@example.com", "collaborators": ["lina@example.com"],
         "due": "2026-08-28", "deliverable": "评估报告"},
        {"title": "成本测算", "owner": "zhoumin@example.com", "collaborators": [], "due": "2026-09-04",
         "deliverable": "测算表"},
        {"title": "用户通知", "owner": "sunyue@example.com", "collaborators": [], "due": None,
         "deliverable": "通知邮件"},
    ]
    assert kinds(parsed) == [(3, "vague_due")]
    assert parsed.problems[0].line == "| 3 | 用户通知 | 孙悦 | | 尽快 | 通知邮件 |"


def test_a_table_pasted_from_word_or_outlook():
    parsed = read("word_table.html")
    # the list paragraph's "1." and Word's line wrap inside the sentence are gone
    assert parsed.decisions == ["库存系统切换时间暂定为10月8日"]
    assert items(parsed) == [
        {"title": "库存盘点", "owner": "sunyue@example.com", "collaborators": [], "due": "2026-08-31",
         "deliverable": "盘点表"},
        {"title": "供应商对账", "owner": None, "collaborators": [],
         "due": "2026-09-05", "deliverable": "对账单"},
    ]
    # two names in one cell: nobody owns it until the recorder says who; "谢谢！" is not a task
    assert kinds(parsed) == [(2, "multiple_owners")]


def test_an_html_table_with_merged_cells():
    html = """<table class=MsoTableGrid><tr><td colspan=3><p class=MsoNormal>任务分配表</p></td></tr>
    <tr><td>任务</td><td>负责人</td><td>截止时间</td></tr>
    <tr><td>采购申请</td><td rowspan=2><p class=MsoNormal><span lang=ZH-CN>周敏</span></p></td><td>8月20日</td></tr>
    <tr><td>合同归档</td><td>8月27日</td></tr></table>"""
    parsed = minutes.parse("", DIR, NOW, html=html)
    assert [(a.title, a.owner, a.due) for a in parsed.action_items] == [
        ("采购申请", "zhoumin@example.com", date(2026, 8, 20)),
        ("合同归档", "zhoumin@example.com", date(2026, 8, 27)),
    ]


def test_a_table_that_is_not_about_tasks_is_ignored():
    parsed = parse("| 议题 | 负责人 | 时长 |\n|---|---|---|\n| 接口评审 | 王磊 | 15分钟 |\n")
    assert parsed.action_items == [] and parsed.problems == []


# --- problems --------------------------------------------------------------------------------------

def test_every_kind_of_problem_is_reported_with_its_item_and_line():
    parsed = read("problems.txt")
    assert kinds(parsed) == [
        (1, "ambiguous_person"),
        (2, "no_owner"),
        (3, "unknown_person"),
        (4, "vague_due"),
        (5, "no_due"),
        (6, "multiple_owners"),
        (7, "vague_due"),
        (8, "no_owner"),
        (8, "vague_due"),
    ]
    lines = {(p.item, p.kind): p.line for p in parsed.problems}
    assert lines[(3, "unknown_person")] == "3. 由赵六负责供应商联络，8月12日前完成"
    assert lines[(7, "vague_due")] == "截止时间：近期"
    assert lines[(8, "vague_due")] == "截止时间：ASAP"


def test_problem_items_keep_what_could_be_read():
    parsed = read("problems.txt")
    a = parsed.action_items
    assert (a[0].title, a[0].owner, a[0].due) == ("压测方案", None, date(2026, 8, 20))
    assert (a[2].title, a[2].owner) == ("供应商联络", None)
    assert (a[3].title, a[3].owner, a[3].due) == ("活动预热", "sunyue@example.com", None)
    assert (a[5].owner, a[5].collaborators, a[5].title) == (None, [], "完成联调")


@pytest.mark.parametrize("due", ["尽快", "待定", "近期", "ASAP"])
def test_a_vague_due_date_is_not_a_date(due):
    parsed = parse(f"任务名称：客户回访\n负责人：孙悦\n截止时间：{due}\n")
    assert parsed.action_items[0].due is None
    assert kinds(parsed) == [(1, "vague_due")]


def test_a_task_without_any_date_is_flagged_because_tasks_must_have_one():
    parsed = parse("任务名称：客户回访\n负责人：孙悦\n")
    assert kinds(parsed) == [(1, "no_due")]


def test_owners_by_email_name_alias_and_department_with_masked_name():
    table = ("| 任务 | 负责人 | 截止时间 |\n|---|---|---|\n"
             "| a | lina@example.com | 8月10日 |\n| b | 周敏 | 8月10日 |\n"
             "| c | 张经理 | 8月10日 |\n| d | 运营部-孙* | 8月10日 |\n| e | Alice Chen | 8月10日 |\n")
    parsed = parse(table)
    assert [a.owner for a in parsed.action_items] == [
        "lina@example.com", "zhoumin@example.com", "zhangwei@example.com", "sunyue@example.com",
        "alice@example.com"]
    assert parsed.problems == []


def test_an_unknown_collaborator_is_reported_too():
    parsed = parse("任务名称：招聘计划\n负责人：王总\n协同人：人事部-赵\n截止时间：8月31日\n")
    assert parsed.action_items[0].collaborators == []
    assert kinds(parsed) == [(1, "unknown_person")]
    assert parsed.problems[0].line == "协同人：人事部-赵"


# --- the template ------------------------------------------------------------------------------------

LABELS = {
    "zh-CN": {"task": "任务{n}：", "owner": "负责人：", "collaborators": "协同人：", "due": "截止时间：",
              "deliverable": "交付物：", "points": "讨论要点：", "decisions": "三、决议结果"},
    "zh-TW": {"task": "任務{n}：", "owner": "負責人：", "collaborators": "協同人：", "due": "截止時間：",
              "deliverable": "交付物：", "points": "討論要點：", "decisions": "三、決議結果"},
    "en": {"task": "Task {n}:", "owner": "Owner:", "collaborators": "Collaborators:", "due": "Due:",
           "deliverable": "Deliverable:", "points": "Discussion:", "decisions": "3. Decisions"},
}


def fill(template: str, lang: str, tasks: list[dict], decisions: list[str], discussion: str) -> str:
    """What a recorder does: write after the labels, leave the rest alone."""
    lab = LABELS[lang]
    out, current, decided = [], None, False
    for line in template.splitlines():
        for n in range(1, 10):
            if line == lab["task"].format(n=n):
                current = tasks[n - 1] if n <= len(tasks) else None
                line += current["title"] if current else ""
        for key in ("owner", "collaborators", "due", "deliverable"):
            if current is not None and line == lab[key]:
                line += current[key]
        if line == lab["points"]:
            line += discussion
        out.append(line)
        if line == lab["decisions"] and not decided:
            out += [f"{n}. {d}" for n, d in enumerate(decisions, start=1)]
            decided = True
    return "\n".join(out) + "\n"


def test_the_template_carries_the_meetings_facts_and_agenda():
    text = template_text(full(), DIR)
    for expected in ("会议名称：新品上市协调会", "会议时间：2026-08-03（周一） 14:00-15:30",
                     "会议地点：3楼大会议室；线上会议：腾讯会议 123-456-789", "主持人：张伟（市场部）",
                     "记录人：王芳（技术部）", "参会人员：市场部：张伟；技术部：王芳、王磊；财务部：周敏",
                     "列席人员：外部顾问", "议题1：接口方案评审（负责人 王磊（技术部）；15分钟）",
                     "预期成果：确定接口方案", "议题2：预算确认", "一、会议基本信息", "二、议程与讨论记录",
                     "三、决议结果", "四、行动项", "任务1：", "负责人：", "协同人：", "截止时间：", "交付物："):
        assert expected in text, expected


@pytest.mark.parametrize("lang", ["zh-CN", "zh-TW", "en"])
def test_an_untouched_template_reads_as_nothing_to_do(lang):
    parsed = parse(template_text(full(), DIR, lang))
    assert minutes_json(parsed) == {"decisions": [], "action_items": [], "problems": []}


@pytest.mark.parametrize("lang", ["zh-CN", "zh-TW", "en"])
def test_a_filled_in_template_reads_back_exactly(lang):
    tasks = [
        {"title": "接口联调", "owner": "王磊", "collaborators": "李娜、周敏", "due": "2026-08-14",
         "deliverable": "联调报告"},
        {"title": "预算调整", "owner": "zhoumin@example.com", "collaborators": "", "due": "8月21日前",
         "deliverable": "预算表"},
        {"title": "渠道合作方案", "owner": "市场部-张", "collaborators": "运营部-孙*", "due": "2026-08-28",
         "deliverable": "方案 v1"},
    ]
    text = fill(template_text(full(), DIR, lang), lang, tasks,
                decisions=["上线时间暂定为12月1日", "预算上限维持不变"],
                discussion="王磊认为接口8月10日前可完成，由周敏负责的预算需再确认（8月12日前）。")
    parsed = parse(text)
    assert minutes_json(parsed) == {
        "decisions": ["上线时间暂定为12月1日", "预算上限维持不变"],
        "action_items": [
            {"title": "接口联调", "owner": "wanglei@example.com",
             "collaborators": ["lina@example.com", "zhoumin@example.com"], "due": "2026-08-14",
             "deliverable": "联调报告"},
            {"title": "预算调整", "owner": "zhoumin@example.com", "collaborators": [], "due": "2026-08-21",
             "deliverable": "预算表"},
            {"title": "渠道合作方案", "owner": "zhangwei@example.com", "collaborators": ["sunyue@example.com"],
             "due": "2026-08-28", "deliverable": "方案 v1"},
        ],
        "problems": [],
    }


def test_a_half_filled_template_slot_is_reported():
    text = fill(template_text(full(), DIR), "zh-CN",
                [{"title": "会场预订", "owner": "", "collaborators": "", "due": "待定", "deliverable": ""}],
                decisions=[], discussion="")
    parsed = parse(text)
    assert [a.title for a in parsed.action_items] == ["会场预订"]
    assert kinds(parsed) == [(1, "no_owner"), (1, "vague_due")]


# --- output for the CLI ------------------------------------------------------------------------------

def test_json_has_exactly_the_documented_keys():
    data = minutes_json(read("problems.txt"))
    assert set(data) == {"decisions", "action_items", "problems"}
    assert all(set(i) == {"title", "owner", "collaborators", "due", "deliverable"} for i in data["action_items"])
    assert all(set(p) == {"item", "kind", "line"} for p in data["problems"])
    assert data["problems"][0] == {"item": 1, "kind": "ambiguous_person",
                                   "line": "1. 由技术部-王负责压测方案，8月20日前完成"}


def test_the_table_lines_up_chinese_and_lists_problems():
    out = minutes_table(read("pipe_table.md"))
    assert "迁移风险评估" in out and "wanglei@example.com" in out and "2026-08-28" in out
    assert "数据平台迁移列入Q4计划" in out
    assert "#3 vague_due: | 3 | 用户通知 | 孙悦 | | 尽快 | 通知邮件 |" in out
    owners = ["wanglei@", "zhoumin@", "sunyue@"]
    rows = [ln for ln in out.splitlines() if any(o in ln for o in owners)]
    starts = {text_width(ln[:ln.index(o)]) for ln, o in zip(rows, owners)}
    assert len(starts) == 1        # CJK titles count double: the owner column lines up


def test_every_problem_kind_has_a_hint_in_each_language():
    for lang in ("zh-CN", "zh-TW", "en"):
        for kind in minutes.PROBLEM_KINDS:
            assert minutes.problem_hint(kind, lang)


# --- robustness --------------------------------------------------------------------------------------

_PIECES = st.sampled_from([
    "行动项：", "决议：", "讨论要点：", "1. ", "- ", "| 任务 | 负责人 | 截止时间 |", "|---|---|---|", "| a | 王磊 | 8月1日 |",
    "由", "负责", "技术部-王*", "王总", "周敏", "（", "）", "8月15日前", "尽快", "，", "：", "负责人：", "截止时间：",
    "任务名称：", "完成标准：", "\n", "\n", "Owner:", "Due:", "ASAP", "、", "@", "<p>", "</td>", "Task 1:",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=5), max_size=40).map("".join))
def test_any_draft_is_read_without_crashing(text):
    parsed = minutes.parse(text, DIR, NOW)
    data = minutes_json(parsed)
    assert all(1 <= p["item"] <= len(data["action_items"]) for p in data["problems"])
    minutes_table(parsed)
    minutes.parse("", DIR, NOW, html=text)


def test_a_signature_under_the_action_items_is_not_a_task():
    parsed = parse("行动项：\n1. 由市场部-张负责提交需求文档，8月15日前完成\n\n王芳\n")
    assert [a["title"] for a in items(parsed)] == ["提交需求文档"]
    assert not parsed.problems
