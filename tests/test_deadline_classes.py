"""Deadlines by class of rule, probed with new phrasings near the year's end (issue 13).

Reference times (Asia/Shanghai): WED = Wed 2026-12-02 10:00, MON28 = Mon 2026-12-28 10:00.
chinesecalendar knows 2026 but not 2027, so a date in 2027 carries calendar_gap, and a count of
working days or a holiday anchor that needs 2027's data has no due date at all.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from mailflow.read.dates import resolve

SH = ZoneInfo("Asia/Shanghai")
WED = datetime(2026, 12, 2, 10, 0, tzinfo=SH)
MON28 = datetime(2026, 12, 28, 10, 0, tzinfo=SH)


def read(expr, now=WED):
    dl = resolve(expr, now)
    assert dl is not None, expr
    return dl


# --- a part of a week is a span, like 月初: ask for a day ------------------------------------------

@pytest.mark.parametrize("expr", ["下周初", "本周中，给你", "下週中", "下周前半周", "下半月", "上半个月内"])
def test_a_part_of_a_week_or_month_is_vague(expr):
    dl = read(expr)
    assert dl.vague and dl.due is None


@pytest.mark.parametrize("expr, due", [("下周内", date(2026, 12, 11)), ("本周末", date(2026, 12, 6)),
                                       ("下半年", date(2026, 12, 31))])
def test_a_whole_week_or_half_year_still_has_its_end(expr, due):
    assert read(expr).due == due


# --- 廿 (20) and 卅 (30) are numerals in day numbers, never a bare 五號 -------------------------------

@pytest.mark.parametrize("expr, due", [
    ("廿八號前", date(2026, 12, 28)),          # not the 8th
    ("廿號", date(2026, 12, 20)),
    ("卅一日前交", date(2026, 12, 31)),
    ("十二月廿三日", date(2026, 12, 23)),
    ("廿一日至廿四日", date(2026, 12, 24)),
])
def test_nian_and_sa_are_twenty_and_thirty(expr, due):
    assert read(expr).due == due


# --- a count written right after a date counts from that date, never from today ---------------------

@pytest.mark.parametrize("expr, now, due", [
    ("月底前两个工作日", WED, date(2026, 12, 29)),            # not two working days from today
    ("12月20日前三个工作日提交", WED, date(2026, 12, 16)),     # 12-20 is a Sunday: Fri, Thu, Wed
    ("下周一后3个工作日", WED, date(2026, 12, 10)),
    ("本月最后一个工作日", WED, date(2026, 12, 31)),
    ("本月最後一個工作日", datetime(2026, 9, 2, 10, tzinfo=SH), date(2026, 9, 30)),
    ("下周最后一个工作日", datetime(2026, 10, 3, 10, tzinfo=SH), date(2026, 10, 10)),   # the worked Saturday
])
def test_a_count_after_a_date_counts_from_that_date(expr, now, due):
    dl = read(expr, now)
    assert (dl.due, dl.vague) == (due, False)


def test_a_count_after_a_comma_is_a_deadline_of_its_own():
    assert read("12月7日前, 3个工作日内").due == date(2026, 12, 7)


@pytest.mark.parametrize("expr", ["最后一个工作日", "12月20日三个工作日"])
def test_a_last_working_day_of_nothing_or_a_count_without_direction_is_asked(expr):
    assert read(expr).vague


@pytest.mark.parametrize("expr", ["年前最后一个工作日", "明年1月最后一个工作日", "元旦前两个工作日"])
def test_a_count_that_needs_2027_data_has_no_date(expr):
    dl = read(expr)
    assert dl.due is None and dl.calendar_gap


# --- "next" before an English period end moves it one period on ----------------------------------

@pytest.mark.parametrize("expr, due", [
    ("next month end", date(2027, 1, 31)),
    ("by next quarter-end", date(2027, 3, 31)),
    ("next EOW", date(2026, 12, 11)),
    ("by this month-end", date(2026, 12, 31)),
])
def test_next_before_a_period_end(expr, due):
    assert read(expr).due == due


# --- a day named relative to the past (上周, 上个月, 去年) is no deadline: ask -------------------------

@pytest.mark.parametrize("expr", ["上周四前", "上個月底", "去年年底", "上礼拜末", "去年12月1号"])
def test_a_day_already_past_by_its_own_words_is_asked(expr):
    dl = read(expr)
    assert dl.vague and dl.due is None


def test_a_past_start_of_a_change_still_gives_the_new_date():
    assert read("原定上周三，现延期到下周三").due == date(2026, 12, 9)


# --- a weekday or 明天 written beside a date must name that date; otherwise ask ----------------------

@pytest.mark.parametrize("expr", [
    "12月20日 周六",              # 12-20 is a Sunday
    "Thu 12/4",                   # a Friday
    "下周三（12月10日）",          # next Wednesday is the 9th
    "明天(12月4日)",               # tomorrow is the 3rd
])
def test_a_day_written_twice_that_disagrees_is_an_error(expr):
    dl = read(expr)
    assert dl.error and dl.vague and dl.due is None


@pytest.mark.parametrize("expr, due", [
    ("下周三（12月9日）", date(2026, 12, 9)),
    ("周五(12/4)", date(2026, 12, 4)),
    ("Sunday, December 20", date(2026, 12, 20)),
    ("明天（12月3日）", date(2026, 12, 3)),
])
def test_a_day_written_twice_that_agrees_is_that_day(expr, due):
    assert read(expr).due == due


# --- "X前一天", "月底前一周": an amount right after 前 / 后 counts from X --------------------------

@pytest.mark.parametrize("expr, now, due", [
    ("下周五前一天", WED, date(2026, 12, 10)),      # not next Friday itself
    ("月底前一周", WED, date(2026, 12, 24)),
    ("20号前两天交", WED, date(2026, 12, 18)),
    ("今天后3天", WED, date(2026, 12, 5)),
    ("国庆前一天", datetime(2026, 9, 2, 10, tzinfo=SH), date(2026, 9, 30)),
])
def test_an_amount_after_a_date_and_qian_counts_back(expr, now, due):
    assert read(expr, now).due == due


@pytest.mark.parametrize("text", ["提前3天完成", "前两天我发过了", "会议前一天"])
def test_an_amount_after_qian_without_a_date_is_no_deadline(text):
    assert resolve(text, WED) is None


# --- two dates offered as alternatives: which one? ask --------------------------------------------

@pytest.mark.parametrize("expr", ["周三或周四给你", "12月20日或21日", "下周二或者下周三", "这周五还是下周一",
                                  "Wednesday or Thursday", "周四/周五", "本周四、五", "下周一或二"])
def test_dates_joined_by_or_are_asked(expr):
    dl = read(expr)
    assert dl.vague and dl.due is None


def test_or_before_alone_is_still_that_day():
    assert read("下周三或之前").due == date(2026, 12, 9)


# --- a start (从…起, …开始) is not a due date; a count after it starts the day after, as from today ------

@pytest.mark.parametrize("expr", ["下周三开始", "从下周三起", "自12月7日起", "从本周五开始"])
def test_a_start_is_asked(expr):
    assert read(expr).vague


@pytest.mark.parametrize("expr, due", [
    ("下周一起3个工作日内", date(2026, 12, 10)),         # Tue, Wed, Thu: the start day is not counted
    ("12月5日起3个工作日内", date(2026, 12, 9)),         # a Saturday: Mon 7, Tue 8, Wed 9
    ("12月7日起5天内", date(2026, 12, 12)),
    ("从今天起3个工作日内", date(2026, 12, 7)),          # the same as 3个工作日内
])
def test_a_count_from_a_start_begins_the_day_after(expr, due):
    assert read(expr).due == due


@pytest.mark.parametrize("text, due", [("下周一起讨论", date(2026, 12, 7)),
                                       ("从12月1日推迟到12月5日", date(2026, 12, 5))])
def test_together_and_moved_from_are_no_start(text, due):
    assert read(text).due == due


# --- a period without a year that is already over is next year's; with this year's, asked -----------

@pytest.mark.parametrize("expr, due", [("上半年", date(2027, 6, 30)), ("一季度末", date(2027, 3, 31)),
                                       ("下半年", date(2026, 12, 31))])
def test_a_period_already_over_rolls_to_next_year(expr, due):
    dl = read(expr)
    assert dl.due == due and dl.calendar_gap == (due.year == 2027)


@pytest.mark.parametrize("expr", ["今年上半年", "2026年一季度末", "今年Q3"])
def test_this_years_period_already_over_is_asked(expr):
    assert read(expr).vague


# --- an English time after "before"/"until" bounds the day before it --------------------------------

@pytest.mark.parametrize("expr, due, at", [
    ("12/18 before 6pm", date(2026, 12, 18), time(18, 0)),
    ("下週一 before noon", date(2026, 12, 7), time(12, 0)),
    ("Friday until 3:30pm", date(2026, 12, 4), time(15, 30)),
])
def test_a_time_after_before_is_that_days_time(expr, due, at):
    dl = read(expr)
    assert (dl.due, dl.time) == (due, at)


# --- a weekday or 今天 placed inside a period is read in that period, never as the bare day ----------

@pytest.mark.parametrize("expr, due", [
    ("12月最后一个周五", date(2026, 12, 25)),        # not this Friday
    ("本月第一个周一", date(2026, 12, 7)),
    ("下个月第二个周三", date(2027, 1, 13)),
    ("两周后的周五", date(2026, 12, 18)),            # not 12-16, two weeks from today
    ("下周的今天", date(2026, 12, 9)),
    ("下个月的今天", date(2027, 1, 2)),
])
def test_a_day_inside_a_period(expr, due):
    assert read(expr).due == due


@pytest.mark.parametrize("expr", ["12月第五个周一", "最后一个周五", "下周的明天", "上周的今天"])
def test_a_day_inside_a_period_that_is_missing_or_past_is_asked(expr):
    assert read(expr).vague


# --- a time of day in the phrase is never dropped (the end of the day would be later than meant) ------

@pytest.mark.parametrize("expr, due, at", [
    ("12月20日16时前", date(2026, 12, 20), time(16, 0)),         # 时 is the written 点
    ("20日17時前", date(2026, 12, 20), time(17, 0)),
    ("周五晚12点前", date(2026, 12, 4), time(23, 59)),           # 晚 alone before the hour
    ("周五早9点", date(2026, 12, 4), time(9, 0)),
    ("下个工作日下班前", date(2026, 12, 3), time(18, 0)),
    ("3天后的下午", date(2026, 12, 5), time(18, 0)),
])
def test_the_time_in_the_phrase_is_kept(expr, due, at):
    dl = read(expr)
    assert (dl.due, dl.time) == (due, at)


@pytest.mark.parametrize("text", ["按时完成", "同时推进", "时间待定以外"])
def test_shi_without_an_hour_is_no_time(text):
    dl = resolve(text, WED)
    assert dl is None or dl.time is None


# --- short English units and "the week after next" are as sure as their long forms ------------------

@pytest.mark.parametrize("expr, due, at", [
    ("within 24h", date(2026, 12, 3), time(10, 0)),
    ("36h内回复", date(2026, 12, 3), time(22, 0)),
    ("in 2 hrs", date(2026, 12, 2), time(12, 0)),
    ("by the week after next", date(2026, 12, 18), None),
])
def test_short_units_and_the_week_after_next(expr, due, at):
    dl = read(expr)
    assert (dl.due, dl.time) == (due, at)


@pytest.mark.parametrize("expr, due", [("今年最后一个工作日", date(2026, 12, 31)),
                                       ("2026年最後一個工作日", date(2026, 12, 31))])
def test_the_last_working_day_of_a_year(expr, due):
    assert read(expr).due == due


# --- 第一个工作日 of a month or a week: from the official calendar, never a Monday guess ---------------

@pytest.mark.parametrize("expr, now, due", [
    ("下月第一个工作日", datetime(2026, 9, 20, 10, tzinfo=SH), date(2026, 10, 8)),    # after National Day
    ("下周第一个工作日", WED, date(2026, 12, 7)),
    ("下週首個工作日", datetime(2026, 9, 28, 10, tzinfo=SH), date(2026, 10, 8)),
])
def test_the_first_working_day_of_a_period(expr, now, due):
    assert read(expr, now).due == due


def test_the_first_working_day_of_2027_waits_for_its_calendar():
    dl = read("下个月第一个工作日")
    assert dl.due is None and dl.calendar_gap
