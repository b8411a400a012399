"""replies.classify on answers as people write them: one line, any script, greetings around it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mailflow.model import Intent
from mailflow.cli_views import reading_json
from mailflow.read.replies import Reading, classify

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))   # a Friday

C, D, P, L = Intent.CONFIRM, Intent.DONE, Intent.PROGRESS, Intent.DELAY
O, X, T, R, U = Intent.OBJECTION, Intent.DECLINE, Intent.TENTATIVE, Intent.RISK, Intent.UNKNOWN


def read(text: str) -> Reading:
    return classify(text, NOW)


# (text, intent) -------------------------------------------------------------------------------
INTENTS = [
    # confirm / accept
    ("确认", C), ("確認", C), ("收到", C), ("收到！", C), ("好的", C), ("好的，谢谢", C), ("同意", C),
    ("没问题", C), ("沒問題", C), ("可以", C), ("接受", C), ("确认参加", C), ("參加", C), ("會參加", C),
    ("准时参加", C), ("OK", C), ("ok的", C), ("Ok, thanks", C), ("Confirmed.", C), ("Noted, thanks!", C),
    ("I will attend", C), ("Accept", C), ("Sounds good", C), ("👍", C), ("好", C), ("嗯嗯", C), ("已阅", C),
    ("收到，明白", C), ("同意，无异议", C), ("無異議", C), ("没有异议", C), ("no objection", C),
    ("收到，本周五前完成", C), ("好的，会按时完成", C), ("I'll complete it by Friday", C),
    ("不需要延期，按时完成", C), ("已确认", C), ("Got it, will do.", C), ("确认，谢谢王经理", C),
    ("收到，周五下班前完成", C), ("Yes, I'll be there", C),
    ("收到，會準時出席", C), ("好的沒問題", C), ("OK 收到 will attend", C), ("Accepted", C), ("I'll join", C),
    ("Count me in", C), ("No problem, will finish by Friday", C), ("Will be done by EOD", C),
    ("Should be finished tomorrow", C), ("纪要没问题", C), ("收到，不用延期", C), ("我这边没问题，可以参加", C),
    ("I confirm", C), ("收到！马上处理", C), ("纪要无误", C), ("确认，会议纪要无误", C), ("内容无误，同意", C),
    ("尽快完成", C), ("争取周五前完成", C), ("12月5日前完成", C), ("我尽量按时完成", C),
    ("参加，但会晚到十分钟", C),
    # done
    ("已完成", D), ("已經完成", D), ("完成了", D), ("搞定", D), ("搞定了", D), ("已交付", D), ("已提交", D),
    ("done", D), ("Done.", D), ("completed", D), ("finished", D), ("好的，已完成", D), ("收到，已完成", D),
    ("OK, done", D), ("已完成，见附件", D), ("已完成，请验收", D), ("已提交，待审核", D), ("已上线", D),
    ("100%", D), ("进度100%", D), ("進度100%", D), ("完成度100%", D), ("百分之百完成", D),
    ("王经理好，已完成，谢谢", D), ("李总您好：\n方案已经全部完成，请查收。\n谢谢！", D),
    ("All done, thanks", D), ("已提前完成", D), ("做完了", D), ("✅", D),
    ("已經完成，請查收", D), ("Done! 已上传到共享盘", D), ("好的，已经提交给财务部了", D), ("已发邮件给客户", D),
    ("Sorry for the delay, finished now", D), ("It's done, thanks", D), ("已搞定", D),
    ("再说明一下：已完成", D), ("好了", D), ("已经好了", D), ("已处理", D), ("处理好了", D), ("已修复", D),
    ("上线了", D), ("不过今天已完成", D), ("不好意思，已完成", D),
    # progress
    ("进行中", P), ("進行中", P), ("进行中 60%", P), ("进度60%", P), ("进度：60%", P), ("完成一半", P),
    ("已完成初稿", P), ("已完成初稿，待设计部对接", P), ("已完成初稿，待設計部對接", P), ("待设计部对接", P),
    ("收到，进行中 40%", P), ("已完成80%", P), ("80%已完成", P), ("完成了一半", P), ("基本完成", P),
    ("正在做，预计周五完成", P), ("in progress", P), ("Working on it, 70% done", P), ("still ongoing", P),
    ("未完成", P), ("还没完成", P), ("還沒完成", P), ("没有完成", P), ("尚未完成，还在测试", P),
    ("not done yet", P), ("Not finished yet", P), ("还没弄完", P), ("六成", P), ("百分之六十", P),
    ("过半", P), ("完成三分之二", P), ("七成左右", P), ("60％", P), ("进度 60 %", P), ("还没开始", P),
    ("not started yet", P), ("已完成第一阶段", P), ("在做了，大概完成了60%", P), ("half done", P),
    ("快完成了", P), ("已完成开发，测试进行中", P), ("好的，收到，60%", P),
    ("進度70%，下週二前完成", P), ("已完成80%，剩下的下周一前搞定", P), ("已完成大部分，预计下周完成", P),
    ("还差一点，明天搞定", P), ("Still working on it, about 50%", P), ("70% complete", P),
    ("It's not complete", P), ("we are on track", P), ("文档已完成，等产品部确认", P), ("按计划推进中", P),
    ("进度正常，预计按时完成", P), ("接口开发已完成，联调进行中", P), ("修复中", P),
    ("王经理：您好！关于接口开发任务，目前进度约60%，预计下周三完成。谢谢！", P),
    # delay
    ("延期到11月30日", L), ("需要推迟3天", L), ("無法按時完成", L), ("无法按时完成", L), ("申请延期", L),
    ("確認，但需要延期到12月5日", L), ("确认，但需要延期到12月5日", L), ("原因：供应商未到货，申请延期", L),
    ("无法按时完成，申请延期到下周五，原因：供应商未到货", L), ("不能按期交付，需要顺延一周", L),
    ("需要延後到下週五", L), ("push to Dec 5", L), ("Need to postpone to Dec 5, vendor is late", L),
    ("Can we delay by 3 days?", L), ("可能要晚两天", L), ("延期，时间待定", L), ("进度60%，需要推迟到下周五", L),
    ("没法在周五前完成，需要延期", L), ("1 已完成；3 延期到周五", L),
    ("無法準時完成，需延後至12月10日，原因：廠商尚未交貨", L), ("Not able to finish on time, need until Dec 10", L),
    ("Is it ok to push to next Friday?", L), ("能不能多给两天", L), ("可不可以延期到12月3日", L),
    ("请问能否延期到下周三？", L), ("We might need more time", R), ("已经延期到12月10日了", L),
    # objection
    ("有异议", O), ("有異議", O), ("不同意", O), ("不同意第3条", O), ("需修改", O), ("纪要第2条有误", O),
    ("紀要第2條有誤", O), ("第3点不对，应为周五", O), ("收到，但不同意这个结论", O), ("I disagree", O),
    ("I don't agree with item 3", O), ("不认可", O), ("不接受", O), ("第2条有问题", O),
    ("The date in point 2 is wrong", O),
    ("有異議：第3條的負責人應為陳靜", O), ("同意，但第4条需要修改", O), ("第2条：张三的截止日期应为12月5日", O), ("第3条需要补充：市场部负责人为张伟", O), ("我觉得第二条不太对", O),
    # decline
    ("不参加", X), ("不參加", X), ("无法参加", X), ("無法參加", X), ("请假", X), ("不能参加", X),
    ("can't make it", X), ("Sorry, I can't make it", X), ("由王五代参会", X), ("由王五代參會", X),
    ("不参加，由王五代参会", X), ("那天出差，无法参加", X), ("时间冲突，参加不了", X), ("won't attend", X),
    ("I won't be able to attend", X), ("Decline", X), ("确认收到，但我不参加", X),
    ("王五 will attend for me", X), ("I can't make it, Li Na will join instead", X),
    ("抱歉，當天請假，無法出席", X), ("Sorry, I'm on leave that day", X), ("I have a conflict, sorry", X),
    ("不能来", X), ("来不了了", X), ("我不参加了", X), ("不好意思，那天要出差，参加不了", X),
    ("我参加不了，让小李去吧", X), ("I don't think I can make it", X), ("I can make it", C),
    # tentative
    ("待定", T), ("可能", T), ("可能参加", T), ("不确定能否参加", T), ("不確定能否參加", T), ("maybe", T),
    ("tentative", T), ("Not sure yet", T), ("尚未确认", T), ("不能确认", T), ("稍后确认", T),
    ("可能不参加", T), ("看情况，尽量参加", T), ("不一定能参加", T),
    ("不確定能否出席，稍後回覆", T), ("Tentatively yes", T), ("Can't confirm yet", T), ("确定不了，下午再回复", T),
    ("我看看时间再说", T), ("不是很确定", T), ("Maybe, I'll let you know", T), ("可能晚到，会参加", T),
    # risk
    ("有风险", R), ("有風險", R), ("卡住了", R), ("需要产品部支持", R), ("需要產品部支持", R), ("blocked", R),
    ("风险：接口文档还没给", R), ("进行中，但有风险", R), ("进度落后，需要技术部协助", R), ("无法完成", R),
    ("We're blocked on the API", R), ("Stuck, need help from design", R), ("可能来不及", R),
    ("有延期风险", R), ("进行中 30%，卡在审批", R), ("这周可能完不成", R),
    ("目前卡住了，需要財務部協助", R), ("Blocked by legal review", R), ("Need support from IT", R),
    ("这个任务我这边做不了，需要换人", R), ("进行中，不过有点风险", R), ("接口还没联调，卡在鉴权", R),
    ("暂停了，等客户决策", R),
    # unknown / noise
    ("Thanks, Li", U), ("谢谢", U), ("王经理好", U), ("", U), ("周五", U), ("请看附件", U),
    ("> 原始邮件内容", U), ("No risk so far", U), ("Not blocked", U), ("无需延期", U), ("不会延期", U),
    ("不需要支持", U), ("没有什么风险", U), ("明天给你", U), ("一切正常", P),
]


@pytest.mark.parametrize("text,intent", INTENTS, ids=[f"{i}:{t[:20]}" for i, (t, _) in enumerate(INTENTS)])
def test_intent(text, intent):
    assert read(text).intent is intent, read(text)


# negation never yields done/confirm --------------------------------------------------------------
NEGATED = ["未完成", "还没完成", "尚未确认", "不能确认", "无法完成", "没有完成", "not done yet",
           "不同意", "還沒完成", "尚未確認", "無法完成", "沒有完成", "not completed", "haven't finished",
           "isn't done", "无法按时完成", "还没有全部完成", "未能完成", "没能按时提交", "无法确认", "不确认",
           "not confirmed yet", "don't accept", "並未完成"]


@pytest.mark.parametrize("text", NEGATED)
def test_negation_is_never_done_or_confirm(text):
    assert read(text).intent not in (D, C)


# percent -------------------------------------------------------------------------------------------
PERCENTS = [
    ("进行中 60%", 60), ("进度60%", 60), ("60%", 60), ("60％", 60), ("百分之六十", 60), ("百分之八十五", 85),
    ("六成", 60), ("七成", 70), ("完成一半", 50), ("过半", 50), ("完成三分之二", 67), ("四分之三", 75),
    ("已完成80%", 80), ("100%", 100), ("进度：45%", 45), ("進度 30%", 30), ("about 70 percent", 70),
    ("进度 12.5%", 12), ("half done", 50), ("进度：75", 75), ("还没开始", 0), ("已完成", None),
    ("延期到11月30日", None), ("完成度九成", 90),
]


@pytest.mark.parametrize("text,percent", PERCENTS)
def test_percent(text, percent):
    assert read(text).percent == percent


def test_percent_in_reason_is_not_progress():
    r = read("申请延期到12月5日，原因：良品率只有60%")
    assert r.intent is L and r.percent is None and r.due == date(2026, 12, 5)


# delay: date, vagueness, reason --------------------------------------------------------------------
DELAYS = [
    # text, due, due_vague, reason
    ("延期到11月30日", date(2026, 11, 30), False, ""),
    ("延期到11月30日，原因：测试环境没准备好", date(2026, 11, 30), False, "测试环境没准备好"),
    ("无法按时完成，申请延期到下周五，原因：供应商未到货", date(2026, 11, 27), False, "供应商未到货"),
    ("确认，但需要延期到12月5日", date(2026, 12, 5), False, ""),
    ("因为客户需求变更，需要延期到12月5日", date(2026, 12, 5), False, "客户需求变更"),
    ("由於客戶需求變更，需要延期到12月5日", date(2026, 12, 5), False, "客戶需求變更"),
    ("原因：供应商11月25日才到货，申请延期到12月5日", date(2026, 12, 5), False, "供应商11月25日才到货"),
    ("延期，时间待定", None, True, ""),
    ("申请延期", None, True, ""),
    ("需要推迟，原因是设计稿还没定", None, True, "设计稿还没定"),
    ("push to Dec 5 because the vendor is late", date(2026, 12, 5), False, "the vendor is late"),
    ("Need to postpone to Dec 5, reason: waiting for legal", date(2026, 12, 5), False, "waiting for legal"),
    ("需要推迟3天，供应商还没到货", None, False, "供应商还没到货"),
    ("延期到11月30日，原因：人手不足，谢谢", date(2026, 11, 30), False, "人手不足"),
]


@pytest.mark.parametrize("text,due,vague,reason", DELAYS)
def test_delay(text, due, vague, reason):
    r = read(text)
    assert r.intent is L
    if due is not None:
        assert r.due == due
    if text.startswith("需要推迟3天"):
        assert r.due is not None and r.due > NOW.date()       # whatever dates.py makes of "3天"
    assert r.due_vague is vague
    assert r.reason == reason


def test_reason_for_risk_and_decline():
    assert read("卡住了，接口文档还没给").reason == "接口文档还没给"
    assert read("不参加，下午要见客户").reason == "下午要见客户"
    assert read("有风险，因为测试环境一直不稳定").reason == "测试环境一直不稳定"


def test_done_has_no_due():
    r = read("已完成，12月1日前已交付")
    assert r.intent is D and r.due is None and not r.due_vague


# stand-ins -----------------------------------------------------------------------------------------
PROXIES = [
    ("由王五代参会", "王五"), ("由王五代參會", "王五"), ("我请假，由王五代参会", "王五"),
    ("不参加，让王五代我参加", "王五"), ("王五代我参加", "王五"), ("出差，请李娜代为参加", "李娜"),
    ("由产品部王五代参会", "王五"), ("由陳靜代為出席", "陳靜"), ("代理人：王五", "王五"),
    ("由欧阳娜娜参加", "欧阳娜娜"), ("由 wangwu@corp.example 代参会", "wangwu@corp.example"),
    ("王五 will attend for me", "王五"), ("Wang Wu will attend on my behalf", "Wang Wu"),
    ("I can't make it, Li Na will join instead", "Li Na"), ("Sending Tom instead", "Tom"),
    ("proxy: lina@corp.example", "lina@corp.example"), ("我参加不了，让小李去吧", "小李"),
    ("I'm out next week, can't attend. Zhang Wei will go instead.", "Zhang Wei"),
    ("不参加", None), ("由于出差无法参加", None), ("由我参加", None), ("参加", None), ("I will attend", None),
]


@pytest.mark.parametrize("text,proxy", PROXIES)
def test_proxy(text, proxy):
    r = read(text)
    assert r.proxy == proxy
    if proxy:
        assert r.intent is X


# Whoever attends for the sender, the sender is not coming; a stand-in who is nobody in particular
# is no name for the host to expect, one nobody said or one only asked for is asked back about.
NOBODY_IN_PARTICULAR = [
    "Someone will attend for me", "Somebody from my team will be there in my place",
    "Sorry, my colleague will join on my behalf", "My deputy will attend for me", "An assistant can go for me",
    "有人代我参加", "会有人代我参加", "我请一位同事代我参加", "我的助理代我出席", "让其他同事代我参会",
]


@pytest.mark.parametrize("text", NOBODY_IN_PARTICULAR)
def test_a_stand_in_who_is_nobody_in_particular_is_still_a_decline_without_a_name(text):
    r = read(text)
    assert (r.intent, r.proxy, r.sure) == (X, None, True)


@pytest.mark.parametrize("text", ["will attend for me", "Will attend for me, thanks", "谁能代我参加？",
                                  "能否请李娜代我参加？", "Could Li Na attend for me?"])
def test_a_stand_in_not_said_or_only_asked_for_changes_no_rsvp(text):
    r = read(text)
    assert not r.sure and r.intent in (X, U)


def test_a_question_elsewhere_does_not_unsettle_a_stated_stand_in():
    r = read("我不能参加，李娜代我参加。有问题吗？")
    assert (r.intent, r.proxy, r.sure) == (X, "李娜", True)


# numbered items: per item; the top level is the most consequential (delay > risk > progress > done) ------------------------------------------------------------------------------------
ITEMS = [
    ("1 已完成；3 延期到下周五", L, [(1, D, None, None), (3, L, None, date(2026, 11, 27))]),
    ("第2项进行中，50%", P, [(2, P, 50, None)]),
    ("任务二：done", D, [(2, D, None, None)]),
    ("1. 已完成\n2. 进行中 60%\n3. 延期到12月5日", L,
     [(1, D, None, None), (2, P, 60, None), (3, L, None, date(2026, 12, 5))]),
    ("1、已完成；2、已完成", D, [(1, D, None, None), (2, D, None, None)]),
    ("1、2已完成", D, [(1, D, None, None), (2, D, None, None)]),
    ("①已完成 ②进行中", P, [(1, D, None, None), (2, P, None, None)]),
    ("(1) 完成了 (2) 卡住了，需要产品部支持", R, [(1, D, None, None), (2, R, None, None)]),
    ("任务1：已完成；任务2：进行中，百分之六十", P, [(1, D, None, None), (2, P, 60, None)]),
    ("第一项已完成，第三项有风险", R, [(1, D, None, None), (3, R, None, None)]),
    ("Item 1: done; Item 2: 70%", P, [(1, D, None, None), (2, P, 70, None)]),
    ("#1 done, #2 blocked", R, [(1, D, None, None), (2, R, None, None)]),
    ("王经理好，1 已完成；2 进行中", P, [(1, D, None, None), (2, P, None, None)]),
    ("第1项、第2项已完成", D, [(1, D, None, None), (2, D, None, None)]),
    ("1 完成 2 进行中 3 未开始", P, [(1, D, None, None), (2, P, None, None), (3, P, 0, None)]),
    ("3 延期，原因：设备故障", L, [(3, L, None, None)]),
    ("2 已完成", D, [(2, D, None, None)]),
    ("1 未完成；2 已完成", P, [(1, P, None, None), (2, D, None, None)]),
]


@pytest.mark.parametrize("text,intent,items", ITEMS)
def test_items(text, intent, items):
    r = read(text)
    got = [(it.item, it.intent, it.percent, it.due) for it in r.items]
    assert got == items
    assert r.intent is intent


NOT_ITEMS = ["3天内完成", "2个模块已完成", "12月5日前完成", "60%", "10:30 参加", "2 weeks more needed",
             "纪要第2条有误", "5号前提交", "1.5天后完成", "100%"]


@pytest.mark.parametrize("text", NOT_ITEMS)
def test_numbers_that_are_not_items(text):
    assert read(text).items == []


def test_item_reason_and_vagueness():
    r = read("1 已完成；2 申请延期，原因：供应商未到货")
    assert r.items[1].reason == "供应商未到货" and r.items[1].due is None and r.items[1].due_vague


# noise around the answer -------------------------------------------------------------------------
def test_greetings_and_signoffs_do_not_confuse():
    assert read("王经理好，\n已完成，附件是最终版。\n谢谢！\n李四").intent is D
    assert read("Hi Wang,\n\nDone, see attached.\n\nThanks,\nLi").intent is D
    assert read("张总您好，收到，进行中 40%，谢谢").percent == 40
    assert read("不好意思，需要延期到12月5日").intent is L
    assert read("Thanks, Don").intent is U


def test_stray_trailing_quote_line_is_ignored():
    r = read("已完成\n> 请于周五前完成接口开发")
    assert r.intent is D and r.text == "已完成"


def test_full_width_and_mixed_scripts():
    assert read("进度６０％").percent == 60
    assert read("OK，已完成").intent is D
    assert read("確認，會準時參加").intent is C
    assert read("已完成 done").intent is D


# JSON for `mailflow explain` -------------------------------------------------------------------
def test_reading_json():
    j = reading_json(read("1 已完成；3 延期到11月30日"))
    assert j["items"] == [{"item": 1, "intent": "done", "percent": None, "due": None},
                          {"item": 3, "intent": "delay", "percent": None, "due": "2026-11-30"}]
    assert isinstance(j["why"], list) and isinstance(j["sure"], bool)
    j = reading_json(read("由王五代参会"))
    assert j["intent"] == "decline" and j["proxy"] == "王五" and j["items"] == []
    j = reading_json(read("延期到12月5日"))
    assert j["due"] == "2026-12-05" and j["percent"] is None
    assert reading_json(None) == {"intent": None, "percent": None, "due": None, "proxy": None, "items": [],
                                     "why": [], "sure": False}


def test_text_is_kept_and_pure():
    text = "  收到，进行中 40%  "
    r1, r2 = classify(text, NOW), classify(text, NOW)
    assert r1 == r2 and r1.text == "收到，进行中 40%"


@pytest.mark.parametrize("long, intent, percent", [
    (("进度正常，" * 2000) + "已完成80%", P, 80),     # a long report still ends in its figure
    ("1" * 20000, U, None),                         # a 20,000-digit number answers nothing: ask back
    (("1 " * 5000) + "已完成", D, None),             # noise before 已完成 does not hide it
    (("不" * 20000) + "完成", P, None),              # 不…完成 is not done, however many 不
    ("由" + "王" * 20000, U, None),                  # "by 王王王…" names no one: neither proxy nor handover
    ("原因：" + "，" * 20000, U, None),               # a reason made of commas says nothing
    (("a " * 10000) + "will attend for me", X, None),   # someone, not the sender, attends: no name
    ("已完成" * 6000, D, None),                      # one clause with thousands of predicates
    ("OK " * 6000, C, None),
    ("把这个交给" * 4000, Intent.REASSIGN, None),    # a handover asked for, nobody named: the host decides
])
def test_a_very_long_reply_is_read_as_what_it_says(long, intent, percent):
    """Length changes nothing: a long reply is read as its short form would be, and no run of
    repeated characters is taken for a person. Its cost is measured in bench/reading.py."""
    r = read(long)
    assert (r.intent, r.percent, r.proxy) == (intent, percent, None)


def test_relative_delay_keeps_the_shift_for_the_caller():
    # 推迟3天 counts from now in `due`; the Deadline's delay lets the core re-anchor it on the task's due.
    from mailflow.read import dates
    r = read("需要推迟3天")
    assert r.intent is L and r.deadline is not None and r.deadline.delay is not None
    assert dates.apply_delay(r.deadline, date(2026, 11, 30)).due == date(2026, 12, 3)
    assert read("延期到11月30日").deadline.delay is None
    assert read("已完成").deadline is None


def test_reasons_keep_the_senders_script():
    assert read("無法準時完成，需延後至12月10日，原因：廠商尚未交貨").reason == "廠商尚未交貨"
    assert read("I'm out next week, can't attend. Zhang Wei will go instead.").reason == "I'm out next week"


# ================================================================================================
# The rules of language (GUIDE "Reading conventions"), one table per rule, with the task's context.
# NOW is Friday 2026-11-20; the task is due Friday 2026-11-27 unless a row says otherwise.

from mailflow.read.replies import ReplyContext, context_from_quote  # noqa: E402

DUE = date(2026, 11, 27)
TASK = ReplyContext(due=DUE, kind="task")
MEETING = ReplyContext(kind="meeting", asked="rsvp")
MINUTES = ReplyContext(kind="minutes", asked="minutes")
ASKED_DATE = ReplyContext(due=date(2026, 11, 20), kind="task", asked="new_date")
H = Intent.REASSIGN


def in_task(text: str, ctx: ReplyContext = TASK) -> Reading:
    return classify(text, NOW, None, ctx)


class TestPromisedDateAgainstTheDue:
    """Rule 2: a promised date later than the current due is a delay even without 延期; on or
    before the due it is a commitment, never a delay."""

    LATER = [
        ("材料12月3日前发你", date(2026, 12, 3)),
        ("报告12月1日之前提交", date(2026, 12, 1)),
        ("数据还在清洗，7个工作日内给到", date(2026, 12, 1)),
        ("OK, I'll have it to you by Dec 2", date(2026, 12, 2)),
        ("Can we move the deadline to December 4?", date(2026, 12, 4)),
        ("報告12月2日前交給你", date(2026, 12, 2)),
        ("好的，12月4日上线", date(2026, 12, 4)),
        ("法务那边排队，最早12月7日出结论", date(2026, 12, 7)),
    ]
    NOT_LATER = ["好的，11月26日前给你", "11月27日前交", "下周三前发你", "OK, by Wednesday next week is fine"]

    @pytest.mark.parametrize("text,due", LATER)
    def test_later_is_a_delay(self, text, due):
        r = in_task(text)
        assert (r.intent, r.due) == (L, due), r.why
        assert r.sure

    @pytest.mark.parametrize("text", NOT_LATER)
    def test_on_or_before_the_due_is_a_commitment(self, text):
        r = in_task(text)
        assert r.intent is not L and r.due is None, r.why

    def test_without_a_known_due_a_promise_is_not_sure(self):
        r = classify("好的，12月4日前给你", NOW)
        assert r.intent is not L or not r.sure
        assert not r.sure


class TestNegatedCompletion:
    """Rule 3: not finished + a new date is a delay; not finished without a date is progress."""

    DELAY = [
        ("还没做完，12月2日前给你", date(2026, 12, 2)),
        ("Haven't finished yet, will send by Dec 3", date(2026, 12, 3)),
        ("未完成，预计12月4日", date(2026, 12, 4)),
    ]

    @pytest.mark.parametrize("text,due", DELAY)
    def test_with_a_later_date(self, text, due):
        r = in_task(text)
        assert (r.intent, r.due) == (L, due), r.why

    @pytest.mark.parametrize("text,pct", [("不是已完成，是进行中，大概七成", 70), ("还没弄好，还在改", None),
                                          ("Not done yet, about 40% through", 40), ("還沒完成，進度一半", 50)])
    def test_without_a_date_is_progress(self, text, pct):
        r = in_task(text)
        assert (r.intent, r.percent) == (P, pct), r.why

    def test_a_date_before_the_due_keeps_it_progress(self):
        assert in_task("还没做完，下周二前给你").intent is P


class TestQuestions:
    """Rule 4: a question without a status statement is unknown, whatever it mentions."""

    QUESTIONS = ["请问这个任务的验收标准是什么？", "交付物发到哪个邮箱？", "Is the deadline still Friday?",
                 "是否需要我同时提交源文件？", "已完成的部分需要先发给你吗？", "這個任務確認是我負責嗎？",
                 "Do you want the final version or the draft?", "参会需要带电脑吗？"]

    @pytest.mark.parametrize("text", QUESTIONS)
    def test_is_unknown_and_says_so(self, text):
        r = in_task(text)
        assert r.intent is U and r.question and not r.sure, r.why

    def test_what_was_ignored_is_in_why(self):
        r = in_task("已经完成了吗？")
        assert r.intent is U and any("ignored question clause" in w for w in r.why)

    @pytest.mark.parametrize("text,due", [("能否延到12月2日？", date(2026, 12, 2)),
                                          ("Could we push it to Dec 3?", date(2026, 12, 3)),
                                          ("12月1日前交可以吗？", date(2026, 12, 1))])
    def test_a_request_survives_the_question(self, text, due):
        r = in_task(text)
        assert (r.intent, r.due) == (L, due), r.why

    def test_a_status_beside_a_question_counts(self):
        r = in_task("进行中 40%，截图发你看看可以吗？")
        assert (r.intent, r.percent) == (P, 40)


class TestObjectionsKeepTheirDates:
    """Rule 5: dates inside an objection to minutes are corrections."""

    @pytest.mark.parametrize("text", ["第3项的截止日期应该是12月10日，不是12月8日",
                                      "纪要里的会议日期写错了，应为11月19日",
                                      "Item 2 due date should be Dec 12, not Dec 10",
                                      "第1項負責人不是我，是陳靜"])
    def test_objection_not_delay(self, text):
        r = classify(text, NOW, None, MINUTES)
        assert r.intent is O and r.due is None and r.items == [], r.why


class TestSomeoneElsesDelay:
    """Rule 6: a third party's delay with no new date asked is a risk; a feared one too."""

    @pytest.mark.parametrize("text", ["厂家通知说面板要推迟两周到货", "The vendor says the shipment is delayed",
                                      "供應商表示原料延遲", "客户那边说要延后验收", "排期可能要往后推"])
    def test_is_risk(self, text):
        assert in_task(text).intent is R, in_task(text).why

    def test_with_the_senders_own_new_date_it_is_a_delay(self):
        r = in_task("供应商说延迟到货，我这边申请延期到12月4日")
        assert (r.intent, r.due) == (L, date(2026, 12, 4))


class TestLeaveAndTravel:
    """Rule 7: a completion report that mentions leave or travel is done."""

    @pytest.mark.parametrize("text", ["上周出差刚回来，报告已提交，请查收", "I was on leave last week; the deck is done.",
                                      "休假回来了，方案已经做完了", "抱歉，前幾天請假。報告已完成，見附件"])
    def test_is_done(self, text):
        assert in_task(text).intent is D, in_task(text).why

    def test_leave_alone_declines_a_meeting(self):
        assert classify("那天休假", NOW, None, MEETING).intent is X


class TestTentativeAndThanks:
    """Rule 8: a hedge is tentative, not a decline; thanks alone is no answer."""

    @pytest.mark.parametrize("text", ["大概率能参加，到时候再确认", "I might be able to make it", "应该可以参加，可能晚点到",
                                      "暫定出席", "Tentatively yes, may have a clash"])
    def test_tentative(self, text):
        assert classify(text, NOW, None, MEETING).intent is T, classify(text, NOW, None, MEETING).why

    @pytest.mark.parametrize("text", ["谢谢提醒", "Thanks for the reminder!", "多謝", "辛苦了，谢谢"])
    def test_thanks_only_is_unknown(self, text):
        assert in_task(text).intent is U


class TestNumberedAnswers:
    """Rule 9: numbered answers are per item, the top level is the most consequential."""

    def test_items_and_top(self):
        ctx = ReplyContext(kind="task", asked="percent", item_dues=((1, DUE), (2, DUE), (3, DUE)))
        r = classify("1 完成；2 推迟到12月4日；3 70%", NOW, None, ctx)
        assert [(i.item, i.intent) for i in r.items] == [(1, D), (2, L), (3, P)]
        assert (r.intent, r.due) == (L, date(2026, 12, 4))

    def test_an_item_promising_a_date_after_its_own_due_is_a_delay(self):
        ctx = ReplyContext(kind="task", asked="percent", item_dues=((1, date(2026, 11, 24)), (2, DUE)))
        r = classify("1. 还在做，11月26日前给你\n2. 已完成", NOW, None, ctx)
        assert [(i.item, i.intent, i.due) for i in r.items] == [(1, L, date(2026, 11, 26)), (2, D, None)]

    @pytest.mark.parametrize("text,top", [("① 已交付 ② 还在测试，80%", P), ("Item 1: blocked by legal; Item 2: done", R)])
    def test_top_level(self, text, top):
        assert in_task(text).intent is top


class TestCantoneseAndCodeMixed:
    """Rule 10: Cantonese and code-mixed replies count."""

    @pytest.mark.parametrize("text,intent,pct", [
        ("份報告搞掂咗", D, None), ("做緊，差唔多一半", P, 50), ("WIP, around 40%", P, 40),
        ("Done咗，已經upload咗", D, None), ("仲未搞掂，進行緊", P, None), ("deck已经send咗俾佢", D, None),
        ("個deck趕唔切，需要支援", R, None),
    ])
    def test_reads(self, text, intent, pct):
        r = in_task(text)
        assert (r.intent, r.percent) == (intent, pct), r.why

    def test_not_yet_with_a_later_date_is_a_delay(self):
        r = in_task("仲未搞掂，12月3號前俾你")
        assert (r.intent, r.due) == (L, date(2026, 12, 3))


class TestHandover:
    """Rule 11: a handover is a reassignment, never a confirm."""

    @pytest.mark.parametrize("text,name", [("这个改由小李负责", "小李"), ("已经转给李明了", "李明"),
                                           ("Please reassign this to Tom", "Tom"), ("這個任務改由陳靜跟進", "陳靜"),
                                           ("好的，这个移交给王芳处理", "王芳"), ("Tom will take over this task", "Tom")])
    def test_reassign_with_the_name(self, text, name):
        r = in_task(text)
        assert (r.intent, r.assignee) == (H, name), r.why
        assert r.intent is not C


class TestAnswerToOwnQuestion:
    """Rule 12: after 请给出新的日期, a date alone is the new date."""

    @pytest.mark.parametrize("text,due", [("1月4日吧", date(2027, 1, 4)), ("12/8", date(2026, 12, 8)),
                                          ("下周三可以吗", date(2026, 11, 25)), ("Dec 9 please", date(2026, 12, 9))])
    def test_is_the_new_date(self, text, due):
        r = classify(text, NOW, None, ASKED_DATE)
        assert (r.intent, r.due) == (L, due), r.why


class TestPercent:
    @pytest.mark.parametrize("text,pct", [("七成", 70), ("百分之八十", 80), ("进度８５％", 85), ("進度百分之四十五", 45),
                                          ("跑了一半用例，目前52%", 52)])
    def test_value(self, text, pct):
        assert in_task(text).percent == pct

    @pytest.mark.parametrize("text", ["进度120%", "进度-20%", "completed 150%"])
    def test_an_impossible_percent_is_not_stored_and_not_sure(self, text):
        r = in_task(text)
        assert r.percent is None and not r.sure and r.intent is not D


class TestSignaturesCarryNoStatus:
    @pytest.mark.parametrize("text,intent", [
        ("已完成\n\n张伟\n产品部 | 产品经理\n手机：138 0000 1234\n上海市浦东新区张江路 88 号", D),
        ("进行中 50%\n\nBest regards,\nTom Li\nSenior Engineer\nM: +86 139 1234 5678", P),
        ("谢谢\n\n李娜\n市场部", U),
    ])
    def test_signature_is_cut(self, text, intent):
        r = in_task(text)
        assert r.intent is intent and r.items == []


class TestSure:
    @pytest.mark.parametrize("text", ["已完成", "进行中 60%", "延期到12月4日，原因：设备故障", "有风险，需要IT支持"])
    def test_plain_statements_are_sure(self, text):
        assert in_task(text).sure

    @pytest.mark.parametrize("text", ["申请延期", "可能吧", "已完成，还在改", "进度120%", "请问验收人是谁？",
                                      "如果周五前做不完，我再申请延期"])
    def test_guesses_are_not(self, text):
        assert not in_task(text).sure

    def test_a_condition_asserts_nothing(self):
        r = in_task("如果周五前做不完，我再申请延期")
        assert r.intent is U and any("condition" in w for w in r.why)


class TestContextFromQuote:
    ZH = ("好的\n\n-----原始邮件-----\n发件人: 跟进助手 <mailflow@corp.example>\n主题: [MF-T7] 任务提醒\n\n"
          "任务：接口开发\n截止日期：2026-12-09（周三）\n当前状态：进行中 30%\n")
    TW = ("收到\n\n寄件者: 跟進助手\n主旨: [MF-T8] 任務提醒\n\n任務：接口開發\n截止日期：2026-12-10（週四）\n")
    EN = ("ok\n\nFrom: Follow-up Assistant <mailflow@corp.example>\nSubject: [MF-T9] Reminder\n\n"
          "> Task: API\n> Due: Fri 2026-12-11\n")
    WEEKLY = ("1 done\n\n在 2026年11月27日 16:00，跟进助手 写道：\n> [MF-P3] 本周进度更新\n>   1. 主视觉\n"
              ">      截止 2026-12-04（周五），进行中 30%\n>   2. 活动页\n>      截止 2026-12-10（周四），未开始\n")
    ASK = ("1月4日吧\n\n------------------ 原始邮件 ------------------\n主题: [MF-T5] 未能识别您的回复\n"
           "您申请了延期，但没有写新的日期，请给出新的日期。\n截止日期：2026-12-31（周四）\n")

    @pytest.mark.parametrize("text,due", [(ZH, date(2026, 12, 9)), (TW, date(2026, 12, 10)), (EN, date(2026, 12, 11))])
    def test_due_line_in_three_languages(self, text, due):
        ctx = context_from_quote(text)
        assert (ctx.due, ctx.kind) == (due, "task")

    def test_weekly_request_gives_each_items_due(self):
        ctx = context_from_quote(self.WEEKLY)
        assert ctx.item_dues == ((1, date(2026, 12, 4)), (2, date(2026, 12, 10))) and ctx.asked == "percent"

    def test_what_mailflow_asked(self):
        assert context_from_quote(self.ASK).asked == "new_date"
        minutes = "确认\n\n-----原始邮件-----\n主题: [MF-M2] 请审核会议纪要（第1版）\n"
        assert context_from_quote(minutes).kind == "minutes"
        notice = "参加\n\n-----原始邮件-----\n主题: [MF-M3] 会议通知：周会\n请直接回复：参加 ／ 不参加 ／ 待定\n"
        assert context_from_quote(notice).kind == "meeting"

    def test_no_quote_no_context(self):
        assert context_from_quote("已完成") == ReplyContext()


class TestWhatAssertsNothing:
    """Statements the sender does not make: asked of the reader, inside an embedded question,
    a plan that no longer holds, a condition (有问题找我)."""

    @pytest.mark.parametrize("text", ["请确认一下需求范围", "麻烦确认是否收到附件", "Can you confirm the scope first?",
                                      "請確認交付格式", "本来说今天完成", "It was supposed to be done today"])
    def test_is_not_confirm_or_done(self, text):
        r = in_task(text)
        assert r.intent not in (C, D), r.why

    def test_the_plan_is_ignored_and_the_news_read(self):
        assert in_task("本来说今天完成，但是测试没过").intent is R
        r = in_task("原计划今天提交，现在看来要延到12月1日")
        assert (r.intent, r.due) == (L, date(2026, 12, 1))

    def test_an_offer_of_help_is_not_a_problem(self):
        assert in_task("已完成。下周我休假，有问题找李娜").intent is D


class TestPartlyFinished:
    """A finished part (初稿已发, done except …) or the sender's own work still left is progress;
    what others do next (验收, review) is not work left."""

    @pytest.mark.parametrize("text", ["初稿已发，终稿周五前", "done except for the appendix", "搞定了，不过文档还没写",
                                      "完成是完成了，但客户还要改", "第一版已交，第二版在改", "設計稿出了兩版，第三版明天出",
                                      "Almost there, should be done by Monday"])
    def test_is_progress(self, text):
        assert in_task(text).intent is P, in_task(text).why

    @pytest.mark.parametrize("text", ["已完成，但还没验收", "Done, waiting for your review", "已提交，等审批"])
    def test_others_next_step_keeps_it_done(self, text):
        assert in_task(text).intent is D, in_task(text).why


class TestUnsureAboutATask:
    @pytest.mark.parametrize("text,intent", [("不确定能否按时完成", R), ("我没办法确认能不能按时交付", R),
                                             ("无法确认", U), ("今天肯定交不了", R), ("因为设备没到，无法开始", R)])
    def test_reads(self, text, intent):
        assert in_task(text).intent is intent, in_task(text).why


class TestMoreVoices:
    """The same rules in other words: English estimates, Traditional Chinese, Cantonese days."""

    @pytest.mark.parametrize("text,intent,due", [
        ("I'll need until Dec 4 to wrap this up, the data came in late.", L, date(2026, 12, 4)),
        ("Realistically it'll be Dec 2", L, date(2026, 12, 2)),
        ("Can I get an extension to Dec 3? QA found two bugs.", L, date(2026, 12, 3)),
        ("Heads up: the vendor told us the parts will arrive late", R, None),
        ("還需要兩天，12月1日前給你", L, date(2026, 12, 1)),
        ("廠商說交期要延後，可能有風險", R, None),
        ("收到，已轉給設計部的陳靜負責", H, None),
        ("聽日交俾你", C, None),
        ("未搞掂，要多兩日", L, None),
        ("唔好意思，遲咗覆，份嘢已經交咗", D, None),
    ])
    def test_reads(self, text, intent, due):
        r = in_task(text)
        assert (r.intent, r.due) == (intent, due), r.why

    def test_an_item_not_understood_keeps_the_whole_from_reading_done(self):
        ctx = ReplyContext(kind="task", asked="percent", item_dues=((1, DUE), (2, DUE), (3, DUE)))
        r = classify("1、3已完成，2看情况再说吧", NOW, None, ctx)
        assert r.intent is not D and not r.sure


class TestNotYetAnAnswer:
    """A confirmation still to be made (确认一下, before I can confirm), a deferral (我再看看,
    get back to you) and a receipt beside it approve nothing."""

    @pytest.mark.parametrize("text", ["我需要确认一下我的排期再回复你", "I need to check with my manager before I can confirm",
                                      "Let me check and get back to you", "收到，我再看看", "等我确认完排期再回复"])
    def test_in_a_task(self, text):
        r = in_task(text)
        assert r.intent not in (C, D), r.why

    def test_in_minutes(self):
        assert classify("纪要收到，我再看看", NOW, None, MINUTES).intent is U

    @pytest.mark.parametrize("text,intent", [("如果能改到周四我就参加", T), ("参加的话需要准备什么？", U),
                                             ("Is there a dial-in?", U), ("I'll dial in", C)])
    def test_in_a_meeting(self, text, intent):
        assert classify(text, NOW, None, MEETING).intent is intent


class TestChangesToMinutes:
    @pytest.mark.parametrize("text", ["确认，但第2条的负责人请改成李娜", "基本同意，个别措辞再斟酌一下",
                                      "Please add that the budget was approved", "纪要里漏了市场部的意见，请补上",
                                      "第4条的负责人应该是我们部门的李娜"])
    def test_is_objection(self, text):
        r = classify(text, NOW, None, MINUTES)
        assert r.intent is O, r.why


class TestWhoOwnsTheTask:
    @pytest.mark.parametrize("text,name", [("这个任务应该是李娜的", "李娜"), ("这个应该由市场部来做", "市场部"),
                                           ("这个不归我管，请改派给市场部的李娜", "李娜")])
    def test_is_a_handover(self, text, name):
        r = in_task(text)
        assert (r.intent, r.assignee) == (H, name), r.why

    def test_a_question_about_it_is_not(self):
        assert in_task("这个任务是不是应该由渠道部负责？").intent is U

    def test_a_request_for_it_is(self):
        assert in_task("可以改由小王负责吗？").intent is H

    @pytest.mark.parametrize("text,intent", [("好的，不过我下周才能开始", R), ("OK but I'm swamped until Dec 1", R)])
    def test_a_late_start_is_a_risk(self, text, intent):
        assert in_task(text).intent is intent

    def test_an_estimate_until_a_later_date_is_a_delay(self):
        r = in_task("Will do, but it'll take until Dec 3")
        assert (r.intent, r.due) == (L, date(2026, 12, 3))


class TestOnlyTheNewText:
    """Rule 1: an original mail left under the answer never counts (a safety net behind the quote
    cutter: mailflow's own mails quote 已完成 / 确认 as examples)."""

    @pytest.mark.parametrize("text", [
        "请问验收人是谁？\n\n-----原始邮件-----\n发件人: 跟进助手 <mailflow@corp.example>\n请回复：已完成 / 确认",
        "Who signs it off?\n\nOn Fri, Nov 20, 2026 at 9:00 AM Follow-up <mailflow@corp.example> wrote:\nReply Done or Confirm",
        "在吗\n\n在 2026年11月20日 09:00，跟进助手 写道：\n已完成（附上交付物）",
    ])
    def test_quoted_status_words_do_not_count(self, text):
        r = in_task(text)
        assert r.intent is U and any("quoted" in w for w in r.why), r.why


class TestCalendarReplies:
    """Rule 13: an empty-body calendar reply is read from its calendar part."""

    @pytest.mark.parametrize("answer,intent", [("accepted", C), ("declined", X), ("tentative", T), ("delegated", X)])
    def test_answers(self, answer, intent):
        from mailflow.read.replies import calendar_reading
        r = calendar_reading(answer)
        assert r.intent is intent and r.sure

    def test_no_answer(self):
        from mailflow.read.replies import calendar_reading
        assert calendar_reading(None) is None


class TestNewDateForms:
    @pytest.mark.parametrize("text,due", [("顺延至12月3日", date(2026, 12, 3)), ("往后推到12月2日", date(2026, 12, 2)),
                                          ("最迟12月4日", date(2026, 12, 4)), ("不晚于12月5日提交", date(2026, 12, 5)),
                                          ("ETA is Dec 1, waiting on QA", date(2026, 12, 1)), ("New date: Dec 2", date(2026, 12, 2)),
                                          ("需延期，预计12月10日完成，原因是需求变更", date(2026, 12, 10))])
    def test_the_later_date_is_the_new_due(self, text, due):
        r = in_task(text)
        assert (r.intent, r.due) == (L, due), r.why

    @pytest.mark.parametrize("text,pct", [("进度 8成", 80), ("80 percent done", 80), ("４０％", 40), ("完成了三分之一", 33),
                                          ("已完成 2/3", 67), ("现在是第二阶段，大概40%", 40)])
    def test_percent_forms(self, text, pct):
        r = in_task(text)
        assert (r.intent, r.percent) == (P, pct), r.why


class TestMentionedNotSaid:
    """Words in quotation marks are mentioned, not said; a low risk is no risk."""

    def test_a_quoted_phrase_in_an_objection(self):
        r = classify("第5条“下周完成”不够具体，请写明日期", NOW, None, MINUTES)
        assert r.intent is O, r.why

    @pytest.mark.parametrize("text,intent", [("风险不大，按计划推进", P), ("目前没有风险", U)])
    def test_low_risk(self, text, intent):
        assert in_task(text).intent is intent


class TestMeetingAnswersInOtherWords:
    @pytest.mark.parametrize("text,intent", [
        ("唔好意思，嗰日我唔得閒", X), ("未確定得唔得閒，遲啲覆你", T), ("應該可以出席", T), ("得，我會到", C),
        ("Looking forward to it", C), ("我那个时间段有别的会", X), ("I'm out that day, Kevin will cover for me", X),
    ])
    def test_reads(self, text, intent):
        r = classify(text, NOW, None, MEETING)
        assert r.intent is intent, r.why


class TestBlockedInOtherWords:
    @pytest.mark.parametrize("text", ["测试环境一直起不来，影响联调", "需要财务部提供数据才能继续", "做緊，但係卡住咗",
                                      "The API team hasn't delivered, we're stuck"])
    def test_is_risk(self, text):
        assert in_task(text).intent is R, in_task(text).why

    def test_a_hedged_estimate_is_not_a_risk(self):
        r = in_task("整体大概50%，按目前节奏应该能按时完成")
        assert (r.intent, r.percent) == (P, 50), r.why


def test_a_confirmation_to_be_made_with_someone_else_is_not_one():
    for text in ("不能确认，需要先和产品部确认范围", "要跟老板确认一下", "I'll confirm with legal tomorrow"):
        assert in_task(text).intent is not C, in_task(text).why


class TestADateOfferedInAQuestion:
    """A date proposed as a question asks for it ("say Dec 3?", "12月2日行不行？"); a question that
    asks the reader to do something by a date does not."""

    @pytest.mark.parametrize("text,due", [("I'm going to need a few more days — say Dec 3?", date(2026, 12, 3)),
                                          ("需要多几天，12月3日？", date(2026, 12, 3)),
                                          ("Can it wait till Dec 2?", date(2026, 12, 2)),
                                          ("12月2日行不行？", date(2026, 12, 2)), ("How about Dec 3?", date(2026, 12, 3)),
                                          ("改成12月3日怎么样？", date(2026, 12, 3)), ("能不能12月3日再交？", date(2026, 12, 3))])
    def test_is_a_delay_request(self, text, due):
        r = in_task(text)
        assert (r.intent, r.due) == (L, due), r.why

    def test_asking_the_reader_is_not(self):
        assert in_task("Could you send me the template by Dec 3?").intent is U

    def test_an_earlier_date_offered_is_not_sure(self):
        assert not in_task("周三行吗？").sure


class TestAcceptingInOtherWords:
    @pytest.mark.parametrize("ctx,text,intent", [
        (TASK, "接了", C), (TASK, "冇問題", C), (TASK, "Acknowledged, on it", C), (TASK, "確認負責，會如期完成", C),
        (MEETING, "到时候见", C), (MINUTES, "LGTM", C), (MINUTES, "確認，無異議", C),
        (MINUTES, "第三點的決議應為「暫緩」而非「通過」", O), (MINUTES, "The owner of action 2 should be Mark, not me", O),
    ])
    def test_reads(self, ctx, text, intent):
        r = classify(text, NOW, None, ctx)
        assert r.intent is intent, r.why


# ================================================================================================
# Rules behind misses on unseen mail (issue 9). NOW Fri 2026-11-20, due Fri 2026-11-27.

class TestALaterDateWhateverItsShape:
    """Any date the sender attaches to delivering this task that is after the due is a delay, be it
    after an acknowledgement and a contrast, with 才/最早/earliest, or as the working days needed."""

    @pytest.mark.parametrize("text,due", [
        ("好的，不过最快也得12月2日才能交", date(2026, 12, 2)),
        ("收到，但是12月3日才能发给你", date(2026, 12, 3)),
        ("12月1日才能写完", date(2026, 12, 1)),
        ("行，不过需要8个工作日", date(2026, 12, 2)),
        ("Noted. The earliest I can do is December 3.", date(2026, 12, 3)),
        ("数据不全，最早12月4号", date(2026, 12, 4)),
        ("I'll need until the 2nd of next month", date(2026, 12, 2)),
    ])
    def test_is_a_delay(self, text, due):
        r = in_task(text)
        assert (r.intent, r.due) == (L, due), r.why

    def test_a_bare_date_after_but_is_a_delay_asked_back(self):
        r = in_task("Sure, but realistically Dec 3")
        assert (r.intent, r.due) == (L, date(2026, 12, 3)), r.why
        assert not r.sure

    @pytest.mark.parametrize("text", ["收到，但这周实在挤不出时间", "好的，不过12月10日有个评审",
                                      "OK but the scope changed again"])
    def test_an_acknowledgement_with_a_contrast_is_never_a_sure_confirm(self, text):
        r = in_task(text)
        assert not (r.intent in (C, D) and r.sure), r.why

    def test_a_duration_of_another_step_is_not_our_date(self):
        r = in_task("测试至少需要5个工作日，周五前能交")
        assert r.intent is not L, r.why


class TestBeliefHearsayAndEnglishNegation:
    """Belief and hearsay take a completion out of the sender's assertion; far from / nothing /
    nowhere near negate it."""

    @pytest.mark.parametrize("text", ["我还以为早就交了，刚发现附件没传上", "原以为改好了，一测又崩了",
                                      "I assumed it was finished, turns out the export failed",
                                      "Nowhere near finished", "Nothing has been sent yet", "Far from complete, sorry"])
    def test_is_not_done(self, text):
        r = in_task(text)
        assert r.intent is not D, r.why

    @pytest.mark.parametrize("text", ["听说已经上线了，我去确认下", "小王说他那边弄好了", "I heard legal signed it off"])
    def test_someone_elses_word_is_never_sure(self, text):
        r = in_task(text)
        assert not (r.intent in (C, D) and r.sure), r.why


@pytest.mark.parametrize("text,percent", [("about a third done", 33), ("one quarter finished", 25),
                                          ("three-fifths done so far", 60), ("Roughly two thirds complete", 67)])
def test_fractions_in_words_are_progress(text, percent):
    r = in_task(text)
    assert (r.intent, r.percent) == (P, percent), r.why


class TestSomeoneElseIsLate:
    """Rule 6: a third party as the subject and lateness or waiting as the predicate is a risk."""

    @pytest.mark.parametrize("text", ["快递说包裹要下周四才送到", "甲方说材料要晚两周才能提供", "客户那边说还要再等几天",
                                      "The supplier won't ship until December", "Heads up: the contractor is late again"])
    def test_is_a_risk(self, text):
        r = in_task(text)
        assert r.intent is R, r.why

    def test_our_own_delay_because_of_them_stays_a_delay(self):
        r = in_task("因为供应商延迟，我需要推迟到12月2日")
        assert (r.intent, r.due) == (L, date(2026, 12, 2)), r.why


class TestHandoverShapes:
    """Rule 11 in other shapes; a handover's start date is not a due."""

    @pytest.mark.parametrize("text,name", [
        ("请让赵敏来接手这个任务", "赵敏"), ("把这件事交给周杰处理吧", "周杰"), ("今后这块由孙倩负责", "孙倩"),
        ("以后周杰来跟进", "周杰"), ("Passing it over to Priya from today", "Priya"),
        ("Omar will handle this from now on", "Omar"), ("Maria takes this over starting Monday", "Maria"),
    ])
    def test_is_a_reassignment_with_the_name(self, text, name):
        r = in_task(text)
        assert (r.intent, r.assignee) == (H, name), r.why

    def test_the_sender_taking_it_is_no_handover(self):
        assert in_task("我来接手吧").intent is not H


class TestStatusWithoutTheUsualVerbs:
    @pytest.mark.parametrize("text,intent", [
        ("寄出去了，请查收", D), ("已经upload咗", D), ("报告已经核完交给财务了", D), ("上周请假，回来就补交了", D),
        ("一稿有了，还在打磨", P), ("就剩排版了", P), ("還沒弄好", P), ("只是个草稿", P),
    ])
    def test_reads(self, text, intent):
        r = in_task(text)
        assert r.intent is intent, r.why

    def test_an_answer_to_our_date_question_in_other_words(self):
        r = in_task("那就12月1日吧", ASKED_DATE)
        assert (r.intent, r.due) == (L, date(2026, 12, 1)), r.why

    def test_not_done_and_a_day_said_loosely_is_a_delay(self):
        r = in_task("还没弄完，下周一肯定行", ReplyContext(due=date(2026, 11, 20), kind="task"))
        assert (r.intent, r.due) == (L, date(2026, 11, 23)), r.why


class TestMeetingAndMinutesShapes:
    def test_joining_online_is_attending(self):
        assert classify("我会远程接入", NOW, None, MEETING).intent is C

    def test_a_possibility_ends_at_a_contrast(self):
        assert classify("我可能会迟到，但一定参加", NOW, None, MEETING).intent is C
        assert classify("可能迟到，会参加", NOW, None, MEETING).intent is T

    def test_minutes_that_say_one_thing_and_a_meeting_another(self):
        assert classify("纪要记的是周三，实际定的是周四", NOW, None, MINUTES).intent is O


class TestAnAcknowledgementIsSureOnlyAlone:
    """A receipt or an OK is a sure confirm only when nothing beside it could change it: a sentence
    we did not read, a day we could not resolve, a feared difficulty."""

    @pytest.mark.parametrize("text", ["收到，这周恐怕够呛", "OK. The venue called off the booking",
                                      "Understood, not earlier than Monday the 7th though", "好的，机房下周停电检修"])
    def test_is_not_a_sure_confirm(self, text):
        r = in_task(text)
        assert not (r.intent in (C, D) and r.sure), r.why

    @pytest.mark.parametrize("text", ["收到，谢谢提醒", "好的，没问题", "OK, thanks a lot", "收到，周四前给你"])
    def test_alone_or_with_thanks_it_is(self, text):
        r = in_task(text)
        assert (r.intent, r.sure) == (C, True), r.why


class TestThirdPartiesInOtherShapes:
    @pytest.mark.parametrize("text", ["Our courier pushed the pickup to December 2", "我们的外包还没交图",
                                      "财务那边的报销还在走流程", "外包说要多给他们两天"])
    def test_is_a_risk(self, text):
        assert in_task(text).intent is R, in_task(text).why


@pytest.mark.parametrize("text,name", [("Going forward Nadia owns this", "Nadia"), ("后面就交给刘畅了", "刘畅"),
                                       ("这块以后归陈晨管", "陈晨")])
def test_more_handover_shapes_name_the_new_owner(text, name):
    r = in_task(text)
    assert (r.intent, r.assignee) == (H, name), r.why


@pytest.mark.parametrize("text,intent", [("报告发你邮箱了", D), ("差最后一步", P),
                                         ("我晚些到，但会来", C)])
def test_status_and_attendance_in_plain_words(text, intent):
    ctx = MEETING if intent is C else TASK
    r = classify(text, NOW, None, ctx)
    assert r.intent is intent, r.why


def test_an_explicit_acceptance_keeps_its_certainty_beside_other_words():
    # only a bare receipt (OK / 收到) can be qualified by what follows; 参加 says what it means
    for text in ("参加，我会带上笔记本", "我会参加，但只能待半小时"):
        r = classify(text, NOW, None, MEETING)
        assert (r.intent, r.sure) == (C, True), r.why


class TestACompletionIsDoneOnlyWhenAlreadyTrue:
    """A done is the sender asserting the work finished: perfective (了/咗/已) with no future frame.
    A completion still to come (后天/下个月/之后/就) is a commitment, or a delay after the due."""

    @pytest.mark.parametrize("text,intent", [
        ("后天弄掂俾你", C), ("放心，星期三前整掂", C), ("写完之后发你", C), ("搞定就发给你", C),
        ("下星期五先弄掂俾你", C), ("12月10号先做掂", L), ("Will have it merged by Tuesday", C),
    ])
    def test_a_completion_to_come_is_a_commitment_or_a_delay(self, text, intent):
        r = in_task(text)
        assert r.intent is intent, r.why

    def test_a_completion_promised_for_a_vague_later_time_is_not_sure(self):
        r = in_task("下月初先搞掂")
        assert not (r.intent in (C, D) and r.sure), r.why

    @pytest.mark.parametrize("text", ["周一就交了", "琴日已經搞掂咗", "报表昨晚弄掂咗", "其实上周三就发了"])
    def test_a_completion_in_the_past_stays_done(self, text):
        r = in_task(text)
        assert r.intent is D, r.why


class TestHandingTheTaskToSomeoneElse:
    """In a task thread, giving the work to a named person (交给/转给/让/安排 X 去做) is a reassign,
    never a stand-in for a meeting, and never a done even with 已/咗."""

    @pytest.mark.parametrize("text,name", [
        ("我已经转给小刘处理了", "小刘"), ("我叫阿文去跟", "阿文"), ("交咗畀財務部嘅黃敏處理", "黃敏"),
        ("好，我派张帆来负责", "张帆"), ("Priya will take it from here", "Priya"), ("换人跟进：王芳", "王芳"),
        ("这个我交给小周了", "小周"), ("Assigned to Dana, she'll run with it", "Dana"),
    ])
    def test_names_the_new_owner(self, text, name):
        r = in_task(text)
        assert (r.intent, r.assignee) == (H, name), r.why

    def test_needing_someone_else_names_nobody(self):
        r = in_task("我这边搞不了，得换人")
        assert r.intent is not H or not r.sure, r.why

    def test_giving_it_to_the_reader_is_delivery(self):
        assert in_task("已经交给你了").intent is D


class TestCompletionInSoftwareWords:
    @pytest.mark.parametrize("text", ["Fix merged to main.", "v2.3 released last night", "Patch landed overnight",
                                      "新版本上線咗", "The report's ready", "👍 merged", "QA passed, shipping it"])
    def test_is_done(self, text):
        r = in_task(text)
        assert r.intent is D, r.why

    @pytest.mark.parametrize("text", ["Pushed to QA, testing runs all week", "部署到测试环境了，明天开始验收",
                                      "Draft is ready, legal still reviewing"])
    def test_a_stage_before_the_last_is_progress(self, text):
        r = in_task(text)
        assert r.intent is P, r.why


class TestWaitingOnOthersIsARisk:
    """Blocked by someone else (a supplier, procurement, an approval still pending) is a risk."""

    @pytest.mark.parametrize("text", ["仲等紧厂家报价", "Still waiting on the vendor for the specs",
                                      "Budget still not approved, so nothing has started",
                                      "采购那边说合同要到月底才签", "人手不够，这个有点悬", "排期太紧了，悬"])
    def test_is_a_risk(self, text):
        r = in_task(text)
        assert r.intent is R, r.why

    @pytest.mark.parametrize("text", ["弄好了，在等甲方回复", "Finished — now waiting on the vendor to confirm receipt"])
    def test_after_finishing_the_wait_is_the_others_step(self, text):
        r = in_task(text)
        assert (r.intent, r.sure) == (D, True), r.why

    def test_a_tight_schedule_is_not_work_in_progress(self):
        assert in_task("时间很紧").intent is not P


class TestAMissedDateThenANewOne:
    """A date that will be missed (出不来) or was only believed (以为) is not the promise; the date
    said after it is the new one, a delay when later than the due (NOW 11-20, due 11-27)."""

    @pytest.mark.parametrize("text,due", [
        ("我原以为月底前能弄好，看来得12月2号", date(2026, 12, 2)),
        ("27号肯定出不来，30号吧", date(2026, 11, 30)),
        ("Sorry — realistically Dec 1", date(2026, 12, 1)),
        ("Need another week, Dec 4 latest", date(2026, 12, 4)),
        ("12月1号先得，得唔得？", date(2026, 12, 1)),
    ])
    def test_is_a_delay_with_the_new_date(self, text, due):
        r = in_task(text)
        assert (r.intent, r.due) == (L, due), r.why


def test_a_numbered_answer_may_open_with_a_date():
    r = in_task("1、做完了\n2、12月3日前交")
    assert [(it.item, it.intent) for it in r.items] == [(1, D), (2, L)], r.why


@pytest.mark.parametrize("text,intent", [("我唔去喇，要见客", X), ("那我就不去了，回头看录像", X),
                                         ("唔肯定赶唔赶到，尽量过来", T)])
def test_meeting_answers_in_cantonese_and_indirect_words(text, intent):
    r = classify(text, NOW, None, MEETING)
    assert r.intent is intent, r.why


def test_a_deploy_before_production_is_progress_unless_done_is_said():
    assert in_task("Rolled out to staging, QA next week").intent is P
    assert in_task("Done — merged and deployed to QA").intent is D
    assert in_task("已经发布到预发环境，下周切生产").intent is P


class TestSmallWordsThatChangeCertainty:
    def test_an_approximate_date_is_still_that_day(self):
        r = in_task("收到，这周排满了，约12月2日能给")
        assert (r.intent, r.due) == (L, date(2026, 12, 2)), r.why

    def test_going_by_the_original_plan_is_a_statement(self):
        r = in_task("第一項延到12月1號，第二項按原計劃")
        assert [it.intent for it in r.items] == [L, P], r.why

    def test_taiwanese_de_shuo_is_the_senders_own_word(self):
        r = in_task("都弄好了的說")
        assert (r.intent, r.sure) == (D, True), r.why

    @pytest.mark.parametrize("text", ["好的，这块我来盯", "OK, we'll handle it", "收到，我这边会安排"])
    def test_taking_it_on_is_a_sure_confirm(self, text):
        r = in_task(text)
        assert (r.intent, r.sure) == (C, True), r.why

    @pytest.mark.parametrize("text", ["👌 squashed", "可以revert了", "OK hotfixed"])
    def test_a_receipt_beside_jargon_we_did_not_read_is_not_sure(self, text):
        r = in_task(text)
        assert not (r.intent in (C, D) and r.sure), r.why


class TestGivenToAReceiverIsNotANewOwner:
    """交给/转给 names a new owner only when it is a person who takes the work on; a deliverable
    handed to the reader, a client, a boss or a department (no person named) is delivered."""

    @pytest.mark.parametrize("text", ["已经转给人事部复核了", "报告已交给甲方", "I passed it to the customer this morning",
                                      "已转交设计组排版了"])
    def test_is_done(self, text):
        r = in_task(text)
        assert r.intent is D, r.why

    def test_a_person_in_a_department_is_a_new_owner(self):
        r = in_task("已转给设计组的林蔚跟进")
        assert (r.intent, r.assignee) == (H, "林蔚"), r.why


@pytest.mark.parametrize("text", ["写完会发你", "等阵整掂", "一会就弄完"])
def test_a_completion_with_a_next_step_or_soon_is_not_done(text):
    assert in_task(text).intent is not D, in_task(text).why


def test_a_vague_answer_to_the_request_for_a_new_date_is_a_delay_asked_again():
    r = in_task("近期吧", ASKED_DATE)
    assert (r.intent, r.due_vague, r.sure) == (L, True, False), r.why


def test_trouble_with_the_mail_itself_is_not_a_task_risk():
    assert in_task("链接好像打不开，麻烦再发一下").intent is not R


class TestADoneBesideAnUnreadContrastIsNotSure:
    @pytest.mark.parametrize("text", ["Shipped, but the dashboard shows errors", "做完了，不过接口那边有变动"])
    def test_is_not_sure(self, text):
        r = in_task(text)
        assert not (r.intent is D and r.sure), r.why

    @pytest.mark.parametrize("text", ["Finished, though it was a slog", "弄好了，不过折腾了一晚上"])
    def test_how_the_work_went_is_background(self, text):
        r = in_task(text)
        assert (r.intent, r.sure) == (D, True), r.why


@pytest.mark.parametrize("text", ["As soon as it's merged I'll tell you", "整掂咗就通知你", "本周弄掂",
                                  "聽朝整掂", "听晚搞掂佢", "过几日做掂", "Should be released tonight"])
def test_a_completion_still_to_come_is_not_a_done(text):
    assert in_task(text).intent is not D, in_task(text).why


def test_being_assigned_oneself_names_no_new_owner():
    assert in_task("I was assigned to this on Monday").intent is not H


# When the sender will be away is not a date they promise: a handover that gives a trip or leave as its
# reason stays a handover, and "away until X, then I'll hand it in" is asked back, never a sure delay.
@pytest.mark.parametrize("text", [
    "这个改由王芳负责，我下个月要休产假",
    "我下周三开始出差，这项改由刘洋负责",
    "Tom will take this over, I'm on leave from next Monday.",
])
def test_a_handover_with_a_dated_absence_is_still_a_handover(text):
    r = classify(text, NOW, None, TASK)
    assert r.intent is Intent.REASSIGN and r.due is None


def test_an_absence_until_a_date_is_not_a_promised_date():
    r = classify("我休假到下周三，回来后提交", NOW, None, TASK)
    assert not (r.intent is Intent.DELAY and r.sure)
