"""Rules of language behind the reply reader, one class per rule, in replies colleagues write
(issue 13 probes). Each class pins a reading that was wrong before: a past time is not a promise,
a condition asserts nothing, someone else's word is not the sender's report, …"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mailflow.model import Intent
from mailflow.read.replies import ReplyContext, classify

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))   # a Wednesday
TASK = ReplyContext(due=date(2026, 12, 4), kind="task")                  # due Friday
RSVP = ReplyContext(kind="meeting", asked="rsvp")
MINUTES = ReplyContext(kind="minutes", asked="minutes")

SURE_BAD = (Intent.DONE, Intent.CONFIRM, Intent.DECLINE)


def read(text: str, ctx: ReplyContext = TASK):
    return classify(text, NOW, None, ctx)


def sure_of_an_answer(r) -> bool:
    """The reading would act on its own: done, confirmed or declined, and sure of it."""
    return r.intent in SURE_BAD and r.sure


# A time already past (上周五, 昨天, 前几天) dates a completion; it is no promise of one.
PAST_TIME_REPORTS = [
    "测试报告上周五就提交到OA了，您看一下。",
    "材料昨天提交给王总了。",
    "前天已经交付，对方也签收了。",
    "上个月底就完成了，谢谢关心。",
]


@pytest.mark.parametrize("text", PAST_TIME_REPORTS)
def test_a_past_time_before_a_completion_is_a_report_not_a_promise(text):
    r = read(text)
    assert r.intent is Intent.DONE and r.sure, r.why


@pytest.mark.parametrize("text", ["明天提交。", "周五前提交给你。", "好的，这周内完成。"])
def test_a_time_still_to_come_before_a_completion_is_a_promise(text):
    assert read(text).intent is Intent.CONFIRM


# A condition (只要/假使/once/assuming/as long as/provided) asserts nothing, nor does the promise
# that rests on it: mailflow asks back rather than booking "done" or "confirmed".
CONDITIONAL_PROMISES = [
    "Once QA signs off, this will be done.",
    "Assuming the data arrives today, I can finish by Friday.",
    "As long as nothing else comes up, I'll have it by Thursday.",
    "Provided legal approves, done by Friday.",
    "只要财务今天批了，周五前就能交。",
    "假使供应商明天发货，本周可以完成。",
]


@pytest.mark.parametrize("text", CONDITIONAL_PROMISES)
def test_a_promise_resting_on_a_condition_is_never_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


@pytest.mark.parametrize("text", ["报告已经写完了。只要还有问题，随时找我。",
                                  "The deck is finished. As long as you are happy, I will close it."])
def test_a_condition_covers_its_own_sentence_only(text):
    r = read(text)
    assert r.intent is Intent.DONE and r.sure, r.why


# "report" the noun (the report, our weekly report) is the deliverable, not someone reporting.
@pytest.mark.parametrize("text", ["The report is done.", "Our weekly report is finished and uploaded.",
                                  "Hi Jane, the audit report has been submitted."])
def test_the_report_as_a_thing_is_the_senders_own_work(text):
    r = read(text)
    assert r.intent is Intent.DONE and r.sure, r.why


@pytest.mark.parametrize("text", ["QA reported it's done.", "The vendor reports that the install is complete."])
def test_someone_reporting_a_completion_is_their_word(text):
    r = read(text)
    assert not (r.intent is Intent.DONE and r.sure), r.why


# Someone else's word is not the sender's report: the sender as the listener (跟我说 / told me),
# a reporting frame before a comma (老李说， / according to the vendor,), a belief (pretty sure,
# 好像). The completion may be true, but mailflow asks before it closes the task.
HEARSAY_DONE = [
    "小张跟我说方案已经交了。",
    "老李说，方案已经完成了。",
    "According to the vendor, the install is complete.",
    "Apparently the patch went out yesterday.",
    "Pretty sure it's done, let me double-check.",
    "好像已经发给客户了，我再确认下。",
    "The contractor told me it's finished.",
]


@pytest.mark.parametrize("text", HEARSAY_DONE)
def test_a_completion_in_someone_elses_words_is_not_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


@pytest.mark.parametrize("text", ["我跟老李说了，方案已经完成了。", "I told him it's done."])
def test_the_sender_telling_someone_is_still_the_senders_report(text):
    r = read(text)
    assert r.intent is Intent.DONE and r.sure, r.why


def test_a_third_partys_delay_after_a_reporting_frame_is_a_risk():
    assert read("供应商说，交货要推迟到下周三。").intent is Intent.RISK


# A task thread has no minutes to object to: correction words there (补上, should be, 应该是)
# are the sender's talk about the work, and never hide what it says of the status.
@pytest.mark.parametrize("text,intent", [
    ("Halfway there, should be on time.", Intent.PROGRESS),
    ("做好了，附件之前漏了，现在补上。", Intent.DONE),
    ("还在做，应该是周五前能好。", Intent.PROGRESS),
])
def test_correction_words_in_a_task_thread_are_no_objection(text, intent):
    assert read(text).intent is intent


def test_correction_words_still_object_to_minutes():
    assert read("第二项的负责人应该是我，不是老李。", MINUTES).intent is Intent.OBJECTION


# Disagreeing with the task itself is still an objection in its thread: the host hears of it.
@pytest.mark.parametrize("text", ["不同意，这不是我们部门的工作。", "有异议，这件事应该由法务部牵头。", "反对这样分工。",
                                  "I disagree with this assignment, it belongs to Legal."])
def test_disagreeing_with_the_task_is_an_objection_in_a_task_thread(text):
    assert read(text).intent is Intent.OBJECTION


# A guess about one's own work (应该是做完了吧, 估计已经上线了) is a belief, not a report.
@pytest.mark.parametrize("text", ["应该是做完了吧，我再查查。", "应该已经发出去了。", "估计已经上线了，我确认下。"])
def test_a_guessed_completion_is_not_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


# A condition said after the acceptance (unless / 除非 / 前提是 / as long as) restricts it all the
# same; a courtesy "if" (有问题随时联系 / if you need anything) restricts nothing.
@pytest.mark.parametrize("text", ["Yes I'll attend, unless the client call runs over.",
                                  "我参加，除非临时要出差。", "可以参加，前提是会议不超过一小时。"])
def test_an_acceptance_with_a_trailing_condition_is_tentative(text):
    r = read(text, RSVP)
    assert r.intent is Intent.TENTATIVE, r.why


@pytest.mark.parametrize("text", ["I'll have it by Friday, as long as the data arrives.",
                                  "周五前交，前提是需求别再改。"])
def test_a_promise_with_a_trailing_condition_is_not_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


@pytest.mark.parametrize("text", ["已完成，有问题随时联系。", "Done, if you need anything let me know."])
def test_a_courtesy_if_after_a_report_changes_nothing(text):
    r = read(text)
    assert r.intent is Intent.DONE and r.sure, r.why


# "没问题" is a receipt like 收到 / OK: what follows a 但/就是/but may take it back.
@pytest.mark.parametrize("text", ["没问题是没问题，就是得等设计稿。", "没问题，就是数据还没给我。",
                                  "No problem, but the data is not in yet."])
def test_a_receipt_with_a_contrast_we_cannot_read_is_not_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


# Cantonese 紧 after a verb is "in the middle of" (做紧, 写紧); after a degree word or a time noun
# (有点紧, 有啲紧, 时间紧, 工期紧) it is "tight" and says nothing of progress.
@pytest.mark.parametrize("text", ["没问题，就是时间有点紧。", "收到，工期紧。", "OK，排期有啲紧。"])
def test_tight_is_not_in_progress(text):
    assert read(text).intent is not Intent.PROGRESS


@pytest.mark.parametrize("text", ["做紧，大概六成。", "仲写紧，听日俾你。"])
def test_cantonese_verb_jan_is_in_progress(text):
    assert read(text).intent in (Intent.PROGRESS, Intent.CONFIRM)


# 要 is a modal (要确认: a confirmation still to come) only as a word of its own; inside a noun
# (纪要, 摘要, 概要) it defers nothing.
@pytest.mark.parametrize("text", ["纪要确认，无补充。", "会议纪要确认无误。", "摘要确认，没有意见。"])
def test_a_noun_ending_in_yao_does_not_defer_the_confirmation(text):
    r = read(text, MINUTES)
    assert r.intent is Intent.CONFIRM and r.sure, r.why


@pytest.mark.parametrize("text", ["我要确认一下纪要。", "纪要我需要再确认。"])
def test_a_confirmation_still_to_come_is_no_confirmation(text):
    assert not read(text, MINUTES).sure


# A finished state said the way engineers and office staff say it: code-mixed verbs after 已经
# (已经merge到master了, 已经deploy了), a resultative 寄出了, English "live".
@pytest.mark.parametrize("text", ["整个模块已经merge到master了。", "已经deploy到生产环境。",
                                  "合同已经盖章寄出了，快递单号SF778899。",
                                  "The fix is live in production since 3pm.", "The new form went live this morning."])
def test_a_finished_state_in_everyday_words_is_done(text):
    r = read(text)
    assert r.intent is Intent.DONE and r.sure, r.why


@pytest.mark.parametrize("text", ["Will it be live by Friday?", "还没merge，等review。"])
def test_the_same_words_asked_or_negated_are_not_done(text):
    assert read(text).intent is not Intent.DONE


# A count out of a whole (三个模块中的两个, 5个接口里做完3个, two of the three) is finished in part.
@pytest.mark.parametrize("text", ["进展顺利，已完成三个模块中的两个。", "5个接口里已经做完3个了。",
                                  "Finished two of the three reports, the last one is in review."])
def test_some_out_of_all_is_progress(text):
    assert read(text).intent is Intent.PROGRESS


def test_all_of_them_is_done():
    assert read("报告里的三个图表都已完成。").intent is Intent.DONE


# To an invitation a bare "no" is the answer: the sender is not coming. Elsewhere it is not
# understood, and beside words that say more, those words decide.
@pytest.mark.parametrize("text", ["Unfortunately no.", "No, sorry.", "不了，谢谢。", "抱歉，不行。"])
def test_a_bare_no_to_an_invitation_is_a_decline(text):
    r = read(text, RSVP)
    assert r.intent is Intent.DECLINE and r.sure, r.why


def test_a_bare_no_in_a_task_thread_is_not_understood():
    assert read("No.").intent is Intent.UNKNOWN


def test_a_no_beside_an_acceptance_is_not_a_decline():
    assert read("No worries, I'll be there.", RSVP).intent is Intent.CONFIRM


# Acting on it at once (马上处理, 这就去办, 立刻跟进) takes the task on: a commitment.
@pytest.mark.parametrize("text", ["不好意思，我今天才看到邮件，马上处理。", "这就去办。", "立刻跟进，谢谢提醒。"])
def test_acting_at_once_is_a_commitment(text):
    assert read(text).intent is Intent.CONFIRM


def test_not_able_to_act_at_once_is_no_commitment():
    assert read("没法马上处理，要等审批。").intent is not Intent.CONFIRM


# "could" before a verb of the work is a possibility like "may": a feared slip is a risk.
@pytest.mark.parametrize("text", ["Legal hasn't replied yet, this could slip.", "QA found a regression, the release could slip."])
def test_a_slip_that_could_happen_is_a_risk(text):
    assert read(text).intent is Intent.RISK


def test_could_we_is_still_a_request():
    r = read("Could we move it to Dec 9?")
    assert r.intent is Intent.DELAY and r.due == date(2026, 12, 9)


# What threatens the date (affect/jeopardize the timeline), as 影响进度 does, is a risk.
@pytest.mark.parametrize("text", ["The vendor outage could affect our timeline.",
                                  "Missing specs may jeopardize the deadline.", "设计稿没到，会影响进度。"])
def test_a_threat_to_the_timeline_is_a_risk(text):
    assert read(text).intent is Intent.RISK


# What the minutes leave out (miss / omit / don't mention), as 纪要里没写, is an objection.
@pytest.mark.parametrize("text", ["The minutes miss the decision on pricing.",
                                  "The notes don't mention the budget cut we agreed.", "纪要里没写张工的行动项。"])
def test_what_the_minutes_leave_out_is_an_objection(text):
    assert read(text, MINUTES).intent is Intent.OBJECTION


# A negative subject (none of the items, nothing, no one) denies the predicate of its clause
# however many words stand between them.
@pytest.mark.parametrize("text", ["None of the items are finished.", "Nothing has been sent to the client yet.",
                                  "No one on my team has finished the review."])
def test_a_negative_subject_is_never_done(text):
    r = read(text)
    assert r.intent is not Intent.DONE, r.why


def test_nothing_in_another_clause_leaves_the_report_alone():
    assert read("All done, nothing left on my side.").intent is Intent.DONE


# An A-not-A (能不能来, 会不会按时完成) asks; neither half is asserted, and 不能来 inside 能不能来
# is no refusal.
@pytest.mark.parametrize("text", ["我没法确定能不能来。", "能不能来还不好说。", "我不知道能不能参加，要看客户。"])
def test_an_a_not_a_about_coming_is_no_decline(text):
    r = read(text, RSVP)
    assert not sure_of_an_answer(r), (r.intent, r.why)


def test_a_plain_cannot_come_is_still_a_decline():
    assert read("我不能来，抱歉。", RSVP).intent is Intent.DECLINE


# A plain if restricts what it follows too ("I'll join if I'm back in time", 我参加，如果航班
#不延误的话); the courtesy if (if you need anything, 如果有问题请告诉我) restricts nothing.
@pytest.mark.parametrize("text", ["I'd attend if it were in the afternoon.", "I'll join if I'm back in time.",
                                  "我参加，如果航班不延误的话。"])
def test_an_acceptance_with_an_if_after_it_is_tentative(text):
    assert read(text, RSVP).intent is Intent.TENTATIVE


@pytest.mark.parametrize("text", ["Done, if you need anything let me know.", "已完成，如果有问题请告诉我。",
                                  "Done, if that works for you."])
def test_a_courtesy_if_never_conditions_the_report(text):
    r = read(text)
    assert r.intent is Intent.DONE and r.sure, r.why


def test_even_if_is_no_condition():
    assert read("I'll be there even if a bit late.", RSVP).intent is Intent.CONFIRM


# A promise or an acceptance in doubt (未必, 不见得, 不一定, maybe) commits to nothing: to an
# invitation it is tentative, in a task a doubted date is a risk or not sure, never a confirm.
@pytest.mark.parametrize("text", ["未必能到，我尽量。", "不见得能参加，那周很忙。"])
def test_a_doubted_acceptance_is_tentative(text):
    assert read(text, RSVP).intent is Intent.TENTATIVE


@pytest.mark.parametrize("text", ["不一定能周五前交。", "未必周四能给你。", "Not sure I can get it to you by Friday."])
def test_a_doubted_date_is_never_a_sure_confirm(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


def test_an_undoubted_date_is_a_commitment():
    r = read("周四给你。")
    assert r.intent is Intent.CONFIRM and r.sure


# A percent before a modal or a word of certainty (100%会按时交, 100% sure) says how certain the
# sender is, not how far the work is: it is never "100 % = done".
@pytest.mark.parametrize("text", ["100%会按时交。", "这个100%能搞定，放心。", "I'm 100% sure we'll make Friday."])
def test_a_certainty_percent_is_no_progress(text):
    r = read(text)
    assert r.intent is not Intent.DONE and r.percent is None, r.why


def test_a_progress_percent_is_still_read():
    r = read("进度100%，已上传。")
    assert r.intent is Intent.DONE and r.percent == 100


# "once" inside a clause is a time still to come, a condition like "if": the reader's "let me
# know once it's done" and the sender's "I'll send it once it's done" report nothing done.
@pytest.mark.parametrize("text", ["Please let me know once it's done.", "I'll send it over once it's done."])
def test_once_it_is_done_is_not_done(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


def test_once_again_is_no_condition():
    assert read("Done once again, thanks for your patience.").intent is Intent.DONE


# A predicate that names a thing or someone else's act asserts nothing of the sender's: a
# completion as a modifier (已完成的任务, 做好的文件, 改好的版本: 好的 after a work verb is its
# result, not "OK") and the act one thanks people for (thanks for joining, 感谢大家参加).
@pytest.mark.parametrize("text", ["已完成的任务请直接在系统里关闭。", "做好的文件放在哪个目录？"])
def test_a_completion_used_as_a_modifier_is_no_report(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


@pytest.mark.parametrize("text", ["Thanks everyone for joining today.", "感谢大家参加今天的会议。"])
def test_thanks_for_joining_is_no_acceptance(text):
    r = read(text, MINUTES)
    assert not sure_of_an_answer(r), (r.intent, r.why)


@pytest.mark.parametrize("text", ["方案是昨天完成的。", "好的", "收到，好的。"])
def test_a_report_or_an_ok_still_counts(text):
    assert read(text).intent in (Intent.DONE, Intent.CONFIRM)


# Doubt said as such (没把握, 没信心, 不敢保证, hopefully, fingers crossed) keeps a promise or a
# report from being sure; about coming it is tentative, about finishing in a task a risk.
@pytest.mark.parametrize("text", ["预计周五完成，但没把握。", "Should be done, fingers crossed.", "Done, hopefully."])
def test_doubt_beside_a_promise_or_report_is_not_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


def test_no_confidence_about_finishing_is_a_risk():
    assert read("没把握按时完成，数据还差很多。").intent is Intent.RISK


def test_no_confidence_about_coming_is_tentative():
    assert read("没把握能来，到时再说。", RSVP).intent is Intent.TENTATIVE


# What follows "那我就 / if so / then" right after a question of fact holds only if the answer is
# yes: it asserts nothing yet. (After a request, 能延期吗？那就下周二吧 proposes a date.)
@pytest.mark.parametrize("text", ["会议取消了吗？那我就不去了。", "会议改到下午了？那我就去不了了。"])
def test_a_consequent_of_a_question_is_no_answer(text):
    r = read(text, RSVP)
    assert not sure_of_an_answer(r), (r.intent, r.why)


def test_then_without_a_question_before_it_still_counts():
    r = read("老板说可以延到下周一，那我就下周一交。")
    assert r.intent is Intent.DELAY and r.due == date(2026, 12, 7)


# The 把 construction puts the object before the verb; a finished 把 clause is a report like any
# other (已经把报告发给客户了), and 上载 (Traditional/HK for upload) is 上传.
@pytest.mark.parametrize("text", ["我们已经把报告发给客户了。", "已经把文件传到群里了。", "把报告改好了，请查收。",
                                  "已經上載到共享盤，請查收。"])
def test_a_finished_ba_clause_is_done(text):
    r = read(text)
    assert r.intent is Intent.DONE and r.sure, r.why


@pytest.mark.parametrize("text,intent", [("还没把报告发给客户。", Intent.PROGRESS),
                                         ("我已经把这个交给小陈处理了。", Intent.REASSIGN)])
def test_a_negated_or_handed_over_ba_clause_is_not_done(text, intent):
    assert read(text).intent is not Intent.DONE


# A count (3 of 4 sections, 2/5 done) measures how far the work is; its numbers are no item list.
@pytest.mark.parametrize("text,percent", [("2/5 done.", 40), ("Completed 3 of 4 sections, last one tomorrow.", None)])
def test_a_count_is_progress_not_items(text, percent):
    r = read(text)
    assert r.intent is Intent.PROGRESS and not r.items and r.percent == percent, r.why


def test_all_of_a_count_is_done():
    assert read("5/5 done.").intent is Intent.DONE


def test_numbered_answers_are_still_items():
    assert len(read("1 done, 2 wip").items) == 2


# A numeric date (12/10) before a bare 完成 is a time still to come, as 12月10日 is.
def test_a_slash_date_before_a_bare_completion_is_a_promise():
    r = read("12/10完成。")
    assert r.intent is Intent.DELAY and r.due == date(2026, 12, 10)


def test_a_slash_date_before_a_perfective_completion_is_a_report():
    assert read("12/1已完成。").intent is Intent.DONE


# A stand-in is a person: 请确认是否参加 / 请大家准时参加 ask the reader, they name nobody who goes
# in the sender's place (quoted at the top of a reply, they were read as a decline).
@pytest.mark.parametrize("text", ["请确认是否参加", "> 请确认是否参加\n\n还没定，下周告诉你", "请大家准时参加。"])
def test_a_request_to_attend_names_no_stand_in(text):
    r = read(text, RSVP)
    assert r.proxy is None and not sure_of_an_answer(r), (r.intent, r.why)


def test_a_named_stand_in_is_still_read():
    r = read("我去不了，请小王代我参加。", RSVP)
    assert r.intent is Intent.DECLINE and r.proxy == "小王"


# Verbs of saying beyond "said" (claims, mentioned, insists) report someone else's word too.
@pytest.mark.parametrize("text", ["Marketing claims it's finished.", "Tom mentioned it's done already."])
def test_a_claimed_completion_is_not_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


# A new owner suggested (交给小赵吧, 让小赵负责吧) is a handover request, never a confirm.
@pytest.mark.parametrize("text", ["我下周要出差，这个交给小赵吧。", "这个让小赵负责吧，他更熟。"])
def test_a_suggested_new_owner_is_a_handover(text):
    assert read(text).intent is Intent.REASSIGN


# "happy/OK with" the minutes is agreement; negated it is an objection.
def test_happy_with_the_minutes_agrees():
    assert read("Happy with the minutes, thanks.", MINUTES).intent is Intent.CONFIRM


def test_not_happy_with_an_item_objects():
    assert read("Not happy with item 2.", MINUTES).intent is Intent.OBJECTION


# Sarcasm denies what it names: V个鬼 / V个屁 right after the verb, 才怪 closing the clause.
def test_finishing_on_time_cai_guai_is_no_promise():
    r = read("能按时完成才怪。")
    assert r.intent is not Intent.CONFIRM and r.intent is not Intent.DONE


def test_attend_ge_gui_is_not_coming():
    assert read("参加个鬼，我都不知道有这个会。", RSVP).intent is Intent.DECLINE


# A wish is counterfactual (真希望已经做完了, I wish it were done: it is not), and a completion
# qualified as theoretical (理论上, on paper, technically) is not asserted as fact.
@pytest.mark.parametrize("text", ["真希望已经做完了。", "I wish it were done.", "Theoretically done.",
                                  "On paper it's finished, in practice not really.", "理论上已经完成了。"])
def test_a_wished_or_theoretical_completion_is_not_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


def test_a_hope_about_a_date_is_still_a_promise():
    assert read("希望周五前能完成。").intent is Intent.CONFIRM


# After a completion only a wait is others' step; work not begun ("this one hasn't started") is
# the sender's own and keeps the done from being sure.
@pytest.mark.parametrize("text", ["Last week's task is done; this one hasn't started.",
                                  "Done with the old one, haven't started this one yet."])
def test_done_beside_not_started_is_not_sure(text):
    r = read(text)
    assert not (r.intent is Intent.DONE and r.sure), (r.intent, r.why)


@pytest.mark.parametrize("text", ["已完成，等客户确认。", "Done, waiting for your review."])
def test_done_then_waiting_on_others_is_done(text):
    r = read(text)
    assert r.intent is Intent.DONE and r.sure, r.why


# A source named after the statement (Done (according to Tom) / 已经完成了，老李说的) makes it that
# person's word as much as one named before it.
@pytest.mark.parametrize("text", ["1. Done (according to Tom)\n2. Done", "Done, according to Tom.",
                                  "方案已经完成了，老李说的。"])
def test_a_source_named_after_a_completion_makes_it_hearsay(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


# A status said of something else ("The other report is done, not this one") or of the sender's
# part only (我只负责第一部分，已经完成) may not be this task's: not sure.
@pytest.mark.parametrize("text", ["The other report is done, not this one.", "我只负责第一部分，已经完成；其他部分问小张。"])
def test_a_done_scoped_away_from_this_task_is_not_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


# Finishing to read the message itself is no report on the work it asks for.
def test_finished_reading_your_email_is_not_done():
    r = read("I finished reading your email; will start tomorrow.")
    assert not (r.intent is Intent.DONE and r.sure), r.why


def test_finished_reviewing_the_deliverable_is_done():
    assert read("Finished reviewing the contract, all good.").intent is Intent.DONE


# Any work verb with the result 完 is a completion predicate (处理完, 整理完, 测完): perfective it
# is done, negated not yet, and with a time still to come a promise.
@pytest.mark.parametrize("text,intent", [("处理完了。", Intent.DONE), ("还没整理完。", Intent.PROGRESS),
                                         ("明天测完。", Intent.CONFIRM), ("整理完就发你。", Intent.CONFIRM)])
def test_a_work_verb_with_wan_is_a_completion(text, intent):
    assert read(text).intent is intent


# A completion promised for a day dates a promise: later than the due it is a delay.
@pytest.mark.parametrize("text,due", [("我这周请假，回来下周一处理完。", date(2026, 12, 7)),
                                      ("下周三整理完。", date(2026, 12, 9))])
def test_a_completion_promised_for_a_later_day_is_a_delay(text, due):
    r = read(text)
    assert r.intent is Intent.DELAY and r.due == due, r.why


# What should have been, almost was, or would have been (本该, should've been, 差点就完成了,
# nearly finished, 要不是…早就完成了) did not happen: never done.
@pytest.mark.parametrize("text", ["This should've been done last week, sorry, still on it.", "差点就完成了，结果又出bug。",
                                  "Nearly finished, just the appendix left.", "要不是服务器挂了，早就完成了。",
                                  "本该昨天交的，还在改。"])
def test_a_completion_that_did_not_happen_is_not_done(text):
    r = read(text)
    assert r.intent is not Intent.DONE and not sure_of_an_answer(r), (r.intent, r.why)


# Someone of the sender's own side who speaks (我们组长说, my manager says) is still someone else.
@pytest.mark.parametrize("text", ["我们组长说这周可以不用交。", "My manager says it is done."])
def test_a_colleague_speaking_is_not_the_sender(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


def test_we_agreed_is_the_senders_own_word():
    assert read("我们说好周五前交。").intent is Intent.CONFIRM


# A completion as remembered (我记得已经交了, IIRC it was sent) is a belief, not a checked report.
@pytest.mark.parametrize("text", ["我記得已經交了，你那邊有收到嗎？", "IIRC it was sent on Monday."])
def test_a_remembered_completion_is_not_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


# A reminder to the reader (记得提交, don't forget to submit) asks for the completion; it reports none.
@pytest.mark.parametrize("text", ["记得提交。", "别忘了发给财务。", "Don't forget to submit."])
def test_a_reminder_is_no_report(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


# How the work looks (looks done to me) or a wish to see it (can't wait to see it done) is no
# report; "looks good" to the minutes is still agreement.
@pytest.mark.parametrize("text", ["Looks done to me, but what do you think?", "Can't wait to see it done!"])
def test_looking_done_is_not_sure(text):
    r = read(text)
    assert not sure_of_an_answer(r), (r.intent, r.why)


def test_looks_good_to_the_minutes_is_agreement():
    r = read("Looks good to me.", MINUTES)
    assert r.intent is Intent.CONFIRM and r.sure
