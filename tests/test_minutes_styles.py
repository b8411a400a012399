"""Minutes drafts in every shape recorders send them, read the same way: decisions apart from
discussion, one owner per action item (or none, with the problem said), a concrete due date.

Every draft here is new (people, tasks and words of our own), one per style; the directory has the
traps real companies have: two 郭 in 技术部, two people called 陈晨, a Taiwan colleague whose name
is written in either script, aliases and outsiders who share a surname with staff.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mailflow.read import minutes
from mailflow.read.people import Directory
from minuteshelp import kinds

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 18, 0, tzinfo=SH)          # Wednesday 2 December 2026

DIR = Directory.from_data({"people": [
    {"name": "郭涛", "email": "tao.guo@x.example", "department": "技术部", "aliases": ["郭工"]},
    {"name": "郭明", "email": "ming.guo@x.example", "department": "技术部"},
    {"name": "陈晨", "email": "chen.chen@x.example", "department": "市场部", "aliases": ["Chloe Chen"]},
    {"name": "陈晨", "email": "chen.hr@x.example", "department": "人力资源部"},
    {"name": "何丽", "email": "li.he@x.example", "department": "运营部"},
    {"name": "何军", "email": "jun.he@x.example", "department": "销售部", "aliases": ["何总"]},
    {"name": "鍾佳穎", "email": "jiaying.zhong@x.example", "department": "台湾分公司", "aliases": ["Vivian Chung"],
     "language": "zh-TW"},
    {"name": "杨帆", "email": "fan.yang@x.example", "department": "设计部", "aliases": ["Frank Yang"]},
    {"name": "黄磊", "email": "lei.huang@x.example", "department": "财务部", "aliases": ["黄总"]},
    {"name": "谢婷", "email": "ting.xie@x.example", "department": "法务部"},
    {"name": "赵强", "email": "qiang.zhao@x.example", "department": "产品部", "aliases": ["Kevin Zhao"]},
    {"name": "刘静", "email": "jing.liu@x.example", "department": "客服部"},
]})


def read(text: str, html: str | None = None):
    return minutes.parse(text, DIR, NOW, html=html)


def rows(parsed) -> list[tuple]:
    return [(a.title, a.owner, a.collaborators, a.due.isoformat() if a.due else None)
            for a in parsed.action_items]


# --- numbered headings, with a discussion full of names and dates ---------------------------------

NUMBERED = """各位好，上线复盘会纪要如下：

一、会议基本信息
时间：2026年12月2日 10:00
参会：郭涛、郭明、何丽、黄磊、赵强
记录：何丽

二、项目进展
1. 郭涛介绍：灰度发布已于11月28日完成，错误率0.3%。
2. 黄磊提醒，12月20日前需完成年度费用结算，由各部门自行确认。

三、会议决定
1. 正式发布时间定为12月15日。
2. 回滚预案由技术部负责维护。

四、后续落实
1. 由技术部-郭涛负责发布脚本评审，12月9日前完成。
2. 由产品部-赵强负责更新发布说明，协同：运营部-何丽，12月11日前提交，交付：《发布说明 V2》。
3. 由客服部负责FAQ更新，12月14日前完成。
4. 由技术部-郭负责监控大盘，时间待定。

以上，请补充。
何丽
"""


def test_numbered_draft_reads_tasks_from_the_section_whose_lines_hand_out_work():
    parsed = read(NUMBERED)
    assert rows(parsed) == [
        ("发布脚本评审", "tao.guo@x.example", [], "2026-12-09"),
        ("更新发布说明", "qiang.zhao@x.example", ["li.he@x.example"], "2026-12-11"),
        ("FAQ更新", None, [], "2026-12-14"),
        ("监控大盘", None, [], None),
    ]
    assert parsed.action_items[1].deliverable == "《发布说明 V2》"
    assert kinds(parsed) == [(3, "no_owner"), (4, "ambiguous_person"), (4, "vague_due")]


def test_progress_notes_with_names_and_dates_are_not_tasks_and_decisions_stay_decisions():
    parsed = read(NUMBERED)
    assert parsed.decisions == ["正式发布时间定为12月15日", "回滚预案由技术部负责维护"]
    assert not any("结算" in a.title or "灰度" in a.title for a in parsed.action_items)


# --- seed style: 部门-姓（date + task） run together --------------------------------------------------

def test_department_and_surname_groups_run_together_on_one_line():
    parsed = read("会议决定：\n1. 春节活动预算不超过50万元。\n\n责任分工：\n"
                  "财务部-黄（12月10日前核定活动预算）运营部-何（12月18日前出活动排期）"
                  "销售部-何、设计部-杨（12月21日前完成物料设计）技术部-郭（待定，评估系统容量）\n")
    assert rows(parsed) == [
        ("核定活动预算", "lei.huang@x.example", [], "2026-12-10"),
        ("出活动排期", "li.he@x.example", [], "2026-12-18"),
        ("完成物料设计", None, [], "2026-12-21"),
        ("评估系统容量", None, [], None),
    ]
    assert kinds(parsed) == [(3, "multiple_owners"), (4, "ambiguous_person"), (4, "vague_due")]
    assert parsed.decisions == ["春节活动预算不超过50万元"]


# --- inline fields -------------------------------------------------------------------------------------

def test_a_correct_draft_with_inline_fields_gets_no_problems():
    parsed = read("【会议决议】\n1. 官网改版采用方案A。\n\n【待跟进】\n"
                  "1. 官网首页设计，负责人：杨帆，协同：赵强，12月9日前完成，交付：设计稿V1\n"
                  "2. 合同模板审核，负责人：谢婷，12/16前完成，交付：审核意见\n"
                  "◆ 客服知识库整理\n负责人：刘静，协同：何丽、陈晨（市场部），12月18日前，交付：知识库文档\n")
    assert parsed.problems == []
    assert rows(parsed) == [
        ("官网首页设计", "fan.yang@x.example", ["qiang.zhao@x.example"], "2026-12-09"),
        ("合同模板审核", "ting.xie@x.example", [], "2026-12-16"),
        ("客服知识库整理", "jing.liu@x.example", ["li.he@x.example", "chen.chen@x.example"], "2026-12-18"),
    ]
    assert [a.deliverable for a in parsed.action_items] == ["设计稿V1", "审核意见", "知识库文档"]


def test_a_helper_two_people_share_is_reported_and_left_out():
    parsed = read("行动项\n1. 招聘需求汇总，负责人：何丽，协同：陈晨，12月8日前完成\n")
    assert rows(parsed) == [("招聘需求汇总", "li.he@x.example", [], "2026-12-08")]
    assert kinds(parsed) == [(1, "ambiguous_person")]


def test_fields_after_spaces_instead_of_colons():
    parsed = read("后续工作\n1. 报价单复核：负责人 黄磊；协同 何军；完成时间 12月7日；交付物 复核意见\n")
    assert rows(parsed) == [("报价单复核", "lei.huang@x.example", ["jun.he@x.example"], "2026-12-07")]
    assert parsed.problems == []


# --- key-value blocks ------------------------------------------------------------------------------------

def test_key_value_blocks_one_per_task():
    parsed = read("会后事项\n\n事项：年会场地预订\n负责人：何丽\n协同人：黄磊\n截止日期：2026-12-20\n交付物：场地合同\n\n"
                  "事项：供应商资质复查\n负责人：外部审计机构孙经理\n截止日期：12月下旬\n\n"
                  "事项：员工手册修订\n负责人：人力资源部\n截止日期：12/30\n")
    assert rows(parsed) == [
        ("年会场地预订", "li.he@x.example", ["lei.huang@x.example"], "2026-12-20"),
        ("供应商资质复查", None, [], None),
        ("员工手册修订", None, [], "2026-12-30"),
    ]
    assert kinds(parsed) == [(2, "unknown_person"), (2, "vague_due"), (3, "no_owner")]


# --- Markdown: pipe table and task list ----------------------------------------------------------------------

def test_markdown_pipe_table_with_unfamiliar_column_names():
    parsed = read("### 决策\n- 采用自建方案\n\n### 分工\n\n| No | 工作项 | 主责 | 配合 | 截止 | 输出 |\n"
                  "|---|---|---|---|---|---|\n| 1 | 接口压测 | 郭明 | 郭涛 | 12月8日 | 压测报告 |\n"
                  "| 2 | 埋点梳理 | 赵强、何丽 |  | 12.11 | 埋点表 |\n| 3 | 运维交接 | 郭工 | - | ASAP | 交接清单 |\n")
    assert rows(parsed) == [
        ("接口压测", "ming.guo@x.example", ["tao.guo@x.example"], "2026-12-08"),
        ("埋点梳理", None, [], "2026-12-11"),
        ("运维交接", "tao.guo@x.example", [], None),
    ]
    assert kinds(parsed) == [(2, "multiple_owners"), (3, "vague_due")]
    assert parsed.decisions == ["采用自建方案"]


def test_markdown_task_list_with_mentions():
    parsed = read("## 结论\n- 周会改到周四\n\n## Next\n- [ ] 竞品定价调研 @陈晨（市场部） due 12/11 → 调研报告\n"
                  "- [x] 报销流程说明 @黄总 (协同 @何丽) due 本周五\n- [ ] 服务器迁移 @技术部-郭 due 12/20\n")
    assert rows(parsed) == [
        ("竞品定价调研", "chen.chen@x.example", [], "2026-12-11"),
        ("报销流程说明", "lei.huang@x.example", ["li.he@x.example"], "2026-12-04"),
        ("服务器迁移", None, [], "2026-12-20"),
    ]
    assert kinds(parsed) == [(3, "ambiguous_person")]


# --- pasted from Excel (TAB-separated), the way Word and Excel attachments are read too ------------------

def test_tab_separated_rows_pasted_from_a_tracker():
    parsed = read("年终盘点会\n\n任务清单\n编号\t任务内容\t责任人\t协助人\t时间节点\t成果\n"
                  "1\t库存盘点\t何丽\t刘静\t2026/12/12\t盘点表\n2\t固定资产核对\t财务部\t\t下周五\t核对表\n"
                  "3\t系统权限清理\t郭明\t郭涛、赵强\t12月9日前\t权限清单\n")
    assert rows(parsed) == [
        ("库存盘点", "li.he@x.example", ["jing.liu@x.example"], "2026-12-12"),
        ("固定资产核对", None, [], "2026-12-11"),
        ("系统权限清理", "ming.guo@x.example", ["tao.guo@x.example", "qiang.zhao@x.example"], "2026-12-09"),
    ]
    assert kinds(parsed) == [(2, "no_owner")]


# --- HTML tables (Outlook / Word: every cell a paragraph) --------------------------------------------------------

def test_an_outlook_table_with_paragraph_cells_and_a_decisions_table():
    html = """<html><body><p class=MsoNormal>纪要如下</p>
    <p class=MsoNormal><b>一、决议</b></p>
    <table class=MsoTableGrid><tr><td><p>序号</p></td><td><p>决议内容</p></td></tr>
    <tr><td><p>1</p></td><td><p>展会预算控制在30万元内。</p></td></tr></table>
    <p class=MsoNormal><b>二、分工</b></p>
    <table class=MsoTableGrid>
    <tr><td><p>序号</p></td><td><p>工作事项</p></td><td><p>负责人</p></td><td><p>完成日期</p></td><td><p>交付物</p></td></tr>
    <tr><td><p>1</p></td><td><p>展位设计</p></td><td><p><span lang=EN-US>Frank Yang</span></p></td>
        <td><p>12月15日</p></td><td><p>设计稿</p><p>（含效果图）</p></td></tr>
    <tr><td><p>2</p></td><td><p>参展人员名单</p></td><td><p>陈晨（人力资源部）</p></td><td><p>十二月中旬</p></td>
        <td><p>名单</p></td></tr></table></body></html>"""
    parsed = read("", html=html)
    assert parsed.decisions == ["展会预算控制在30万元内"]
    assert rows(parsed) == [("展位设计", "fan.yang@x.example", [], "2026-12-15"),
                            ("参展人员名单", "chen.hr@x.example", [], None)]
    assert parsed.action_items[0].deliverable == "设计稿 （含效果图）"
    assert kinds(parsed) == [(2, "vague_due")]


# --- Traditional Chinese ---------------------------------------------------------------------------------------

def test_traditional_chinese_draft_finds_people_written_in_either_script():
    parsed = read("會議紀錄\n一、討論事項\n1. 鍾佳穎報告：12月1日起兩家門市改裝。\n二、決議事項\n1. 門市改裝預算上限100萬元。\n"
                  "三、待辦事項\n1. 門市改裝驗收：钟佳颖負責，謝婷協助，12/18（五）前完成。產出：驗收報告。\n"
                  "2. 合約用印：由總部法務部負責，儘快。\n3. 發票核對：115/12/24前完成，由黃磊負責。\n")
    assert rows(parsed) == [
        ("門市改裝驗收", "jiaying.zhong@x.example", ["ting.xie@x.example"], "2026-12-18"),
        ("合約用印", None, [], None),
        ("發票核對", "lei.huang@x.example", [], "2026-12-24"),
    ]
    assert kinds(parsed) == [(2, "no_owner"), (2, "vague_due")]
    assert parsed.decisions == ["門市改裝預算上限100萬元"]


# --- English ---------------------------------------------------------------------------------------------------

def test_english_draft_with_owner_lines_under_each_item():
    parsed = read("Notes\n- Kevin said the beta slipped on Nov 30.\n\nDecisions\n1. Ship the beta on Dec 14.\n\n"
                  "Follow-ups\n1. Beta release notes\n   Owner: Kevin Zhao | Support: Chloe Chen | Due: Dec 10 | Output: notes\n"
                  "2. Partner briefing\n   Owner: Sales team | Due: TBD\n"
                  "3. Security review\n   Owner: Dana Fox (external auditor) | Due: Dec 18\n"
                  "4. Pricing page\n   Owner: Vivian Chung / Frank Yang | Due: 2026-12-21\n")
    assert rows(parsed) == [
        ("Beta release notes", "qiang.zhao@x.example", ["chen.chen@x.example"], "2026-12-10"),
        ("Partner briefing", None, [], None),
        ("Security review", None, [], "2026-12-18"),
        ("Pricing page", None, [], "2026-12-21"),
    ]
    assert kinds(parsed) == [(2, "no_owner"), (2, "vague_due"), (3, "unknown_person"), (4, "multiple_owners")]
    assert parsed.decisions == ["Ship the beta on Dec 14."]


# --- forwarded --------------------------------------------------------------------------------------------------

def test_minutes_forwarded_into_a_reply_are_read_from_the_forwarded_part():
    text = ("纪要之前发过部门群，转给你：\n\n-------- 转发的邮件 --------\n主题：\t周会纪要\n发件人：\t何丽 <li.he@x.example>\n\n"
            "行动项：\n1. 会员积分对账：何丽负责，12月8日前完成。\n")
    assert minutes.parse("纪要之前发过部门群，转给你：", DIR, NOW).action_items == []
    forwarded = minutes.forwarded_part(text)
    assert rows(read(forwarded)) == [("会员积分对账", "li.he@x.example", [], "2026-12-08")]
    assert minutes.forwarded_part("收到，谢谢\n\n-----原始邮件-----\n发件人：何丽") is None


# --- what must yield no task ---------------------------------------------------------------------------------------

def test_a_discussion_heavy_draft_yields_only_its_real_tasks():
    parsed = read("一、背景\n何军表示客户A已于11月20日签约，郭涛负责的接口12月5日前上线。\n"
                  "二、各方意见\n1. 黄磊认为回款应在12月25日前完成。\n2. 赵强负责的需求文档已于12月1日交付。\n"
                  "三、会议结论\n1. 客户A按标准流程交付。\n"
                  "四、下一步\n1. 客户A交付计划：何军负责，12月10日前提交，交付：交付计划表。\n")
    assert rows(parsed) == [("客户A交付计划", "jun.he@x.example", [], "2026-12-10")]
    assert parsed.decisions == ["客户A按标准流程交付"]


def test_a_decisions_only_draft_has_dated_decisions_and_no_task():
    parsed = read("会议决议：\n1. 新系统上线时间暂定为2027年1月11日。\n2. 旧系统于2027年2月28日停用。\n\n"
                  "本次会议无新增行动项，按原计划推进。\n")
    assert parsed.action_items == [] and parsed.problems == []
    assert parsed.decisions[:2] == ["新系统上线时间暂定为2027年1月11日", "旧系统于2027年2月28日停用"]


def test_a_quoted_request_and_a_signature_do_not_add_tasks():
    parsed = read("行动项：\n1. 年度审计准备：黄磊负责，12月21日前完成。\n\n黄磊 | 财务部\n电话：021-1234 5678\n"
                  "地址：上海市某路1号（2027年1月1日起迁至3楼）\n本邮件含保密信息，如误收请删除。\n")
    assert rows(parsed) == [("年度审计准备", "lei.huang@x.example", [], "2026-12-21")]
    assert parsed.problems == []


@pytest.mark.parametrize("owner_text, kind", [
    ("外包公司郭经理", "unknown_person"),          # an outsider sharing a staff surname
    ("陈晨", "ambiguous_person"),
    ("运营部与销售部共同推进", "no_owner"),
    ("各部门负责人", "no_owner"),
    ("何丽、郭涛共同负责", "multiple_owners"),
    ("郭涛/郭明", "multiple_owners"),
    ("待确认", "no_owner"),
])
def test_an_owner_that_is_not_exactly_one_known_person_is_a_problem(owner_text, kind):
    parsed = read(f"行动项\n1. 客户回访，由{owner_text}负责，12月9日前完成\n" if "负责" not in owner_text and "推进" not in owner_text
                  else f"行动项\n1. 客户回访，由{owner_text}，12月9日前完成\n")
    assert parsed.action_items[0].owner is None
    assert kind in [k for _, k in kinds(parsed)]
    assert parsed.action_items[0].due == date(2026, 12, 9)


# --- more shapes recorders use ------------------------------------------------------------------------------

def test_a_line_that_starts_with_who_then_when_and_what():
    parsed = read("下一步：\n➢ 郭明 12月9日前完成接口联调\n➢ 请何丽于12月11日前提交活动复盘\n➢ 客服话术更新，负责人为刘静，12/14\n")
    assert rows(parsed) == [
        ("完成接口联调", "ming.guo@x.example", [], "2026-12-09"),
        ("提交活动复盘", "li.he@x.example", [], "2026-12-11"),
        ("客服话术更新", "jing.liu@x.example", [], "2026-12-14"),
    ]
    assert parsed.problems == []


def test_a_title_paragraph_with_its_fields_on_the_next_line():
    # Word paragraphs without numbering: the title, then its fields
    parsed = read("五、会后任务\n年度预算编制\n负责人：黄磊；截止：12月18日前；交付：预算表\n\n"
                  "渠道政策宣讲\n负责人：何军；协同：陈晨（市场部）；截止：12月22日前\n")
    assert rows(parsed) == [("年度预算编制", "lei.huang@x.example", [], "2026-12-18"),
                            ("渠道政策宣讲", "jun.he@x.example", ["chen.chen@x.example"], "2026-12-22")]


def test_a_sheet_with_a_leading_department_column_and_a_person_column():
    parsed = read("序号\t工作任务\t牵头部门\t责任人\t配合部门\t完成时限\n1\t合同归档\t法务部\t谢婷\t财务部\t12月15日\n"
                  "2\t报表迁移\t财务\t\t\t12月31日\n")
    assert rows(parsed) == [("合同归档", "ting.xie@x.example", [], "2026-12-15"),
                            ("报表迁移", None, [], "2026-12-31")]
    assert kinds(parsed) == [(2, "no_owner")]


def test_a_department_named_without_its_suffix_owns_nothing():
    parsed = read("行动项\n1. 费用报销复核：财务负责，12月10日前完成\n")
    assert rows(parsed) == [("费用报销复核", None, [], "2026-12-10")]
    assert kinds(parsed) == [(1, "no_owner")]


def test_what_someone_is_already_responsible_for_is_not_handed_out_again():
    # a section with a heading never seen before: only lines that hand out work are tasks
    parsed = read("三、其他\n郭涛负责的接口已于12月1日上线。\n四、落实\n1. 接口文档补全：郭涛负责，12月8日前完成\n")
    assert rows(parsed) == [("接口文档补全", "tao.guo@x.example", [], "2026-12-08")]


def test_the_date_and_the_owner_may_come_in_any_order():
    parsed = read("后续安排：\n1. 12月9日前由郭明完成接口联调，郭涛配合。\n2. 针对退款投诉，由刘静（客服部）牵头制定改进方案，12月11日前。\n")
    assert rows(parsed) == [("完成接口联调", "ming.guo@x.example", ["tao.guo@x.example"], "2026-12-09"),
                            ("针对退款投诉，制定改进方案", "jing.liu@x.example", [], "2026-12-11")]


def test_a_decision_that_a_department_carries_out_stays_a_decision():
    parsed = read("二、会议决定\n（一）报销单据须于每月5日前提交。\n（二）由财务部负责培训，12月15日前完成。\n"
                  "（三）由黄磊负责培训签到，12月15日前完成。\n")
    assert parsed.decisions == ["报销单据须于每月5日前提交", "由财务部负责培训，12月15日前完成"]
    assert rows(parsed) == [("培训签到", "lei.huang@x.example", [], "2026-12-15")]


def test_what_people_said_under_a_mixed_heading_is_neither_decision_nor_task():
    parsed = read("三、讨论与决议\n1. 何军表示大客户续约率已达92%，12月底前可完成剩余续约。\n2. 大客户续约率目标定为95%。\n")
    assert parsed.decisions == ["大客户续约率目标定为95%"]
    assert parsed.action_items == []


def test_a_department_line_over_its_part_of_the_list_does_not_end_the_list():
    parsed = read("行动项\n技术部\n1. 接口联调 —— 郭明，12月9日前\n市场部\n1. 投放计划 —— 陈晨（市场部），时间待定\n")
    assert rows(parsed) == [("接口联调", "ming.guo@x.example", [], "2026-12-09"),
                            ("投放计划", "chen.chen@x.example", [], None)]
    assert kinds(parsed) == [(2, "vague_due")]


def test_first_names_and_a_department_after_the_name_find_the_one_person():
    parsed = read("Action items\n- Pricing memo (Vivian, Dec 9)\n- 【负责人：佳颖】门店巡检 12月10日前\n"
                  "- 渠道复盘：何丽 运营部，12月11日前\n")
    assert rows(parsed) == [("Pricing memo", "jiaying.zhong@x.example", [], "2026-12-09"),
                            ("门店巡检", "jiaying.zhong@x.example", [], "2026-12-10"),
                            ("渠道复盘", "li.he@x.example", [], "2026-12-11")]


def test_several_numbered_tasks_on_the_action_items_line():
    parsed = read("会议结论：本周不发版。\n行动项：1. 郭明周五前提交拆分报告；2. 赵强下周一前完成兼容测试\n")
    assert rows(parsed) == [("提交拆分报告", "ming.guo@x.example", [], "2026-12-04"),
                            ("完成兼容测试", "qiang.zhao@x.example", [], "2026-12-07")]
    assert parsed.decisions == ["本周不发版"]


def test_an_outsider_named_in_english_with_their_company():
    parsed = read("Next steps\n* Vendor demo — Acme Corp's Lisa — Dec 9\n* Contract review — Dana from Lexwell LLC — Dec 10\n")
    assert [a.owner for a in parsed.action_items] == [None, None]
    assert kinds(parsed) == [(1, "unknown_person"), (2, "unknown_person")]


def test_the_deliverable_written_as_a_verb_or_a_document_name():
    parsed = read("工作安排：\n一是由黄磊牵头，于十二月十八日前完成《2027年预算编制说明》；\n"
                  "二是由何丽负责活动复盘，本月底前完成，形成复盘报告；\n三是资产盘点：由刘静负责，12月20日前完成，交付盘点清单。\n")
    assert [a.deliverable for a in parsed.action_items] == ["2027年预算编制说明", "复盘报告", "盘点清单"]
    assert [a.due.isoformat() for a in parsed.action_items] == ["2026-12-18", "2026-12-31", "2026-12-20"]


def test_decisions_and_tasks_under_one_heading_are_told_apart_line_by_line():
    parsed = read("三、会议决议及行动项\n1. 年会预算维持30万元。\n2. 年会节目征集：陈晨（人力资源部）负责，12月18日前完成。\n"
                  "3. 年会日期定为1月22日。\n以上，请查收。\n")
    assert parsed.decisions == ["年会预算维持30万元", "年会日期定为1月22日"]
    assert rows(parsed) == [("年会节目征集", "chen.hr@x.example", [], "2026-12-18")]


def test_a_progress_report_under_an_unfamiliar_heading_is_not_a_task():
    parsed = read("二、各专项\n1. 郭涛：订单服务拆分已完成80%，预计12月10日前完成。\n"
                  "三、本周重点\n1. 订单服务拆分收尾：郭涛负责，12月10日前完成。\n")
    assert rows(parsed) == [("订单服务拆分收尾", "tao.guo@x.example", [], "2026-12-10")]


def test_a_pasted_table_without_a_header_is_read_by_what_its_columns_hold():
    parsed = read("行动项\n1\t接口联调\t郭明\t郭涛\t12月9日\n2\t预算复核\t黄磊\t\t12/11\n3\t渠道政策\t销售部\t\t尽快\n")
    assert rows(parsed) == [("接口联调", "ming.guo@x.example", ["tao.guo@x.example"], "2026-12-09"),
                            ("预算复核", "lei.huang@x.example", [], "2026-12-11"),
                            ("渠道政策", None, [], None)]
    assert kinds(parsed) == [(3, "no_owner"), (3, "vague_due")]


def test_an_html_table_with_a_title_row_and_th_headers_inside_a_layout_table():
    html = ("<table width=100%><tr><td><p>纪要如下</p><table border=1><thead><tr><th colspan=4>行动项跟踪表</th></tr>"
            "<tr><th>序号</th><th>任务</th><th>负责人</th><th>截止日期</th></tr></thead><tbody>"
            "<tr><td>1</td><td>预算表更新</td><td>黄磊</td><td>2026年12月9日</td></tr>"
            "<tr><td>2</td><td>供应商付款</td><td>财务部</td><td>尽快</td></tr></tbody></table></td></tr></table>")
    parsed = read("", html=html)
    assert rows(parsed) == [("预算表更新", "lei.huang@x.example", [], "2026-12-09"), ("供应商付款", None, [], None)]


def test_tasks_written_one_after_another_on_the_heading_line():
    parsed = read("会议决定：\n一、预算不再追加。\n工作安排：一是由黄磊牵头，于12月18日前完成预算口径；二是由各部门负责人于12月7日前报送用人需求。\n")
    assert rows(parsed) == [("完成预算口径", "lei.huang@x.example", [], "2026-12-18"),
                            ("报送用人需求", None, [], "2026-12-07")]
    assert parsed.decisions == ["预算不再追加"]


def test_fields_separated_by_slashes_and_two_owners_in_one_field():
    parsed = read("TODO\n[1] 价格表更新 / 负责人：何军 / 协同：何丽 / 12月4日前完成\n"
                  "[2] Year-end party\n    Owner: Vivian Chung / Frank Yang | Due: Dec 30\n")
    assert rows(parsed) == [("价格表更新", "jun.he@x.example", ["li.he@x.example"], "2026-12-04"),
                            ("Year-end party", None, [], "2026-12-30")]
    assert kinds(parsed) == [(2, "multiple_owners")]


def test_the_cover_note_above_the_minutes_hands_out_no_task():
    parsed = read("黄总：请于12月5日前审阅，郭涛明天上午前补充数据。\n\n会议决议\n1. 采用方案B。\n\n行动项\n"
                  "1. 方案B细化：郭涛负责，12月9日前完成\n")
    assert rows(parsed) == [("方案B细化", "tao.guo@x.example", [], "2026-12-09")]


def test_markdown_bold_headings_and_bold_field_labels():
    parsed = read("**讨论要点**\n郭涛负责的接口12月5日前上线，郭明表示没问题。\n\n**会议决议**\n- 上线延期一周\n\n**行动项**\n"
                  "1. **任务：** 接口联调，**负责人：** 郭明，**截止：** 12月9日\n")
    assert parsed.decisions == ["上线延期一周"]
    assert rows(parsed) == [("接口联调", "ming.guo@x.example", [], "2026-12-09")]


def test_english_minutes_in_everyday_words():
    parsed = read("Key points\n- Revenue is flat; Kevin will look into it.\n\nOutcomes\n- Freeze hiring until Q2.\n\n"
                  "Next steps\n1. Vivian to send the pricing deck by Dec 4\n"
                  "2. Frank Yang owns the booth design, due Dec 18, support from Chloe Chen\n"
                  "3. Hiring plan (owner: HR; due: TBD)\n")
    assert parsed.decisions == ["Freeze hiring until Q2."]
    assert rows(parsed) == [("send the pricing deck", "jiaying.zhong@x.example", [], "2026-12-04"),
                            ("the booth design", "fan.yang@x.example", ["chen.chen@x.example"], "2026-12-18"),
                            ("Hiring plan", None, [], None)]
    assert kinds(parsed) == [(3, "no_owner"), (3, "vague_due")]


def test_a_name_with_its_own_branch_in_brackets_is_staff_not_an_outsider():
    d = Directory.from_data({"people": [{"name": "黃雅婷", "email": "yating@x.example", "department": "台湾分公司"}]})
    parsed = minutes.parse("待辦事項\n1. 官網校對：黃雅婷（台湾分公司）負責，12/11前完成\n"
                           "2. 報稅資料：林會計師（宏遠會計師事務所）負責，12/18前完成\n", d, NOW)
    assert [a.owner for a in parsed.action_items] == ["yating@x.example", None]
    assert kinds(parsed) == [(2, "unknown_person")]


def test_unnumbered_lines_under_an_action_heading():
    parsed = read("後續辦理\n門市巡檢：鍾佳穎負責，12/11前完成。\n報價系統串接：由總部技術部協助評估，時程待定。\n以上，謝謝。\n")
    assert rows(parsed) == [("門市巡檢", "jiaying.zhong@x.example", [], "2026-12-11"), ("報價系統串接", None, [], None)]
    assert kinds(parsed) == [(2, "no_owner"), (2, "vague_due")]


def test_a_signature_right_under_the_list_is_not_a_task():
    parsed = read("行动项\n1. 预算复核：黄磊负责，12月10日前完成\n以上，如有遗漏请指正。\n黄磊\n财务部 | 财务BP\n鍾佳穎 Vivian Chung\n")
    assert rows(parsed) == [("预算复核", "lei.huang@x.example", [], "2026-12-10")]


def test_chat_style_mentions_without_numbering():
    parsed = read("会后待办\n@郭明 明天下班前把报价发出\n@陈晨（市场部） 12月8日前 投放方案\n"
                  "（1）由何军牵头，何丽、黄磊参与，12月20日前完成年货节方案。\n")
    assert rows(parsed) == [("把报价发出", "ming.guo@x.example", [], "2026-12-03"),
                            ("投放方案", "chen.chen@x.example", [], "2026-12-08"),
                            ("完成年货节方案", "jun.he@x.example", ["li.he@x.example", "lei.huang@x.example"], "2026-12-20")]


def test_a_key_value_block_may_name_the_owner_before_the_task():
    parsed = read("待办事项\n\n负责人：谢婷\n任务：合同模板修订\n截止时间：12月16日\n\n负责人：黄磊\n任务：年度审计准备\n截止时间：12月23日\n")
    assert rows(parsed) == [("合同模板修订", "ting.xie@x.example", [], "2026-12-16"),
                            ("年度审计准备", "lei.huang@x.example", [], "2026-12-23")]


def test_an_undated_remark_in_running_text_under_an_unfamiliar_heading_is_no_task():
    parsed = read("二、会议记录\n赵强介绍了改版方案，由陈晨（市场部）负责跟进。\n三、其他\n1. 由何丽负责整理会议照片\n")
    assert rows(parsed) == [("整理会议照片", "li.he@x.example", [], None)]
    assert kinds(parsed) == [(1, "no_due")]
