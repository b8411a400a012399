"""Deadlines as people write them, and China's working days (with 调休).

Reference times (Asia/Shanghai):
  WED  = Wed 2026-11-18 10:00   the usual case
  SAT  = Sat 2026-11-21, SUN = Sun 2026-11-22, FRI = Fri 2026-11-20, MON = Mon 2026-11-16
  SEP28 = Mon 2026-09-28        just before National Day (Oct 1–7 off; Sun 9-20 and Sat 10-10 worked)
  DEC28 = Mon 2026-12-28        a count that crosses into 2027, which has no official data yet
"""

from __future__ import annotations

import json
import time as _time
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mailflow.dates import (
    DEFAULT_CALENDAR,
    Delay,
    WorkCalendar,
    apply_delay,
    explain_lines,
    find_all,
    find_deadline,
    load_holidays,
    resolve,
)

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


WED = at(2026, 11, 18)
MON = at(2026, 11, 16)
FRI = at(2026, 11, 20)
SAT = at(2026, 11, 21)
SUN = at(2026, 11, 22)
SEP28 = at(2026, 9, 28)
DEC28 = at(2026, 12, 28)

# A stand-in for the State Council's 2027 notice, as an operator would type it into holidays.yaml.
EXTRA_2027 = {"years": {2027: {"holidays": ["2027-01-01..2027-01-03", "2027-02-06..2027-02-12"],
                               "workdays": ["2027-02-14"]}}}


# ---------------------------------------------------------------------------------------------
# Working days
# ---------------------------------------------------------------------------------------------

cal = DEFAULT_CALENDAR


@pytest.mark.parametrize("day, working", [
    (date(2026, 10, 1), False), (date(2026, 10, 4), False), (date(2026, 10, 7), False),  # 国庆
    (date(2026, 9, 20), True),    # 周日 调休上班
    (date(2026, 10, 10), True),   # 周六 调休上班
    (date(2026, 10, 8), True), (date(2026, 9, 30), True),
    (date(2026, 11, 21), False), (date(2026, 11, 22), False),   # an ordinary weekend
    (date(2026, 2, 14), True),    # 春节 调休 Saturday
    (date(2026, 1, 1), False),    # 元旦
])
def test_is_workday_follows_the_official_2026_calendar(day, working):
    assert cal.is_workday(day) is working


def test_has_data_knows_2026_not_2027():
    assert cal.has_data(2026)
    assert not cal.has_data(2027)
    assert WorkCalendar(EXTRA_2027).has_data(2027)


@pytest.mark.parametrize("start, n, expected", [
    (date(2026, 9, 28), 5, date(2026, 10, 10)),    # "5个工作日内" before National Day: Sat 10-10
    (date(2026, 9, 28), 3, date(2026, 10, 8)),
    (date(2026, 11, 22), 3, date(2026, 11, 25)),   # from a Sunday: Wed, not Thu (find_workday pitfall)
    (date(2026, 11, 21), 1, date(2026, 11, 23)),   # from a Saturday: Monday
    (date(2026, 9, 19), 1, date(2026, 9, 20)),     # Sat → the worked Sunday
    (date(2026, 11, 18), 0, date(2026, 11, 18)),
    (date(2026, 10, 8), -1, date(2026, 9, 30)),    # backwards across the holiday
    (date(2026, 10, 12), -2, date(2026, 10, 9)),   # Mon 10-12 → Sat 10-10 → Fri 10-09
    (date(2026, 11, 20), 1, date(2026, 11, 23)),   # Friday → Monday
])
def test_add_workdays_counts_from_the_day_after(start, n, expected):
    assert cal.add_workdays(start, n) == expected


def test_add_workdays_with_a_datetime():
    assert cal.add_workdays(datetime(2026, 9, 28, 17, 0), 5) == date(2026, 10, 10)


@pytest.mark.parametrize("a, b, expected", [
    (date(2026, 9, 28), date(2026, 10, 10), 5),
    (date(2026, 10, 10), date(2026, 9, 28), -5),
    (date(2026, 10, 1), date(2026, 10, 7), 0),
    (date(2026, 11, 18), date(2026, 11, 18), 0),
    (date(2026, 11, 20), date(2026, 11, 23), 1),
])
def test_workdays_between(a, b, expected):
    assert cal.workdays_between(a, b) == expected
    if expected > 0:
        assert cal.add_workdays(a, expected) == b


@pytest.mark.parametrize("day, include_self, expected", [
    (date(2026, 10, 1), False, date(2026, 10, 8)),
    (date(2026, 10, 1), True, date(2026, 10, 8)),
    (date(2026, 11, 18), True, date(2026, 11, 18)),
    (date(2026, 11, 18), False, date(2026, 11, 19)),
    (date(2026, 10, 9), False, date(2026, 10, 10)),   # Friday → the worked Saturday
])
def test_next_workday(day, include_self, expected):
    assert cal.next_workday(day, include_self=include_self) == expected


def test_a_year_without_data_counts_monday_to_friday_and_reports_the_gap():
    gaps: set[int] = set()
    # 2026-12-31 Thu, then 2027-01-01 (Fri: a holiday in reality, unknown here), Mon 2027-01-04
    assert cal.add_workdays(date(2026, 12, 28), 5, gaps) == date(2027, 1, 4)
    assert gaps == {2027}


def test_no_gap_when_the_count_stays_in_a_known_year():
    gaps: set[int] = set()
    assert cal.add_workdays(date(2026, 12, 28), 3, gaps) == date(2026, 12, 31)
    assert gaps == set()


@pytest.mark.parametrize("call", [
    lambda c, g: c.is_workday(date(2027, 3, 3), g),
    lambda c, g: c.next_workday(date(2026, 12, 31), gaps=g),
    lambda c, g: c.workdays_between(date(2026, 12, 30), date(2027, 1, 8), g),
    lambda c, g: c.add_workdays(date(2027, 1, 8), -3, g),
])
def test_every_method_reports_gaps(call):
    gaps: set[int] = set()
    call(cal, gaps)
    assert gaps == {2027}


def test_holidays_yaml_extras_make_2027_exact():
    c27 = WorkCalendar(EXTRA_2027)
    gaps: set[int] = set()
    assert c27.add_workdays(date(2026, 12, 28), 5, gaps) == date(2027, 1, 5)
    assert gaps == set()
    assert not c27.is_workday(date(2027, 2, 8))
    assert c27.is_workday(date(2027, 2, 14))     # a worked Sunday
    assert c27.next_workday(date(2027, 2, 5)) == date(2027, 2, 14)


def test_extras_add_company_days_to_a_known_year():
    c = WorkCalendar({"years": {2026: {"holidays": ["2026-11-20"]}}})
    assert not c.is_workday(date(2026, 11, 20))
    assert c.is_workday(date(2026, 10, 10))       # the official 调休 still holds
    assert cal.is_workday(date(2026, 11, 20))     # the default calendar is untouched


@pytest.mark.parametrize("extra, message", [
    ({"years": {2027: {"workdays": ["2027-02-10"]}}}, "weekday"),
    ({"years": {2027: {"holidays": ["2028-01-01"]}}}, "not in 2027"),
    ({"years": {2027: {"holidays": ["2027-02-30"]}}}, "not a date"),
    ({"years": {2027: {"holidays": ["2027-02-14"], "workdays": ["2027-02-14"]}}}, "both"),
    ({"years": {2027: {"holiday": []}}}, "unknown key"),
    ({"years": {2027: {"holidays": ["2027-02-12..2027-02-06"]}}}, "ends before"),
    ({"year": {}}, "unknown top-level"),
])
def test_bad_extras_are_rejected_with_a_useful_message(extra, message):
    with pytest.raises(ValueError, match=message):
        WorkCalendar(extra)


def test_load_holidays_reads_yaml(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("years:\n  2027:\n    holidays:\n      - 2027-01-01\n      - 2027-02-06..2027-02-12\n"
                    "    workdays:\n      - 2027-02-14\n", encoding="utf-8")
    c = WorkCalendar(load_holidays(path))
    assert c.has_data(2027)
    assert not c.is_workday(date(2027, 1, 1))
    assert c.is_workday(date(2027, 2, 14))


def test_load_holidays_rejects_bad_files(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("years:\n  2027:\n    workdays: [2027-02-10]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="weekday"):
        load_holidays(path)


def test_the_shipped_holidays_yaml_is_valid():
    from tests.conftest import ROOT
    extra = load_holidays(ROOT / "rules" / "holidays.yaml")
    WorkCalendar(extra)


# ---------------------------------------------------------------------------------------------
# Deadlines: what people write → (due, time)
# ---------------------------------------------------------------------------------------------

D = date
T18 = time(18, 0)

RESOLVE = [
    # expression, now, due, time
    # -- absolute dates; a month-day already past rolls to next year; 前 means "by"
    ("8月15日前", WED, D(2027, 8, 15), None),
    ("8月15日前", at(2026, 7, 1), D(2026, 8, 15), None),
    ("11月20日前", WED, D(2026, 11, 20), None),          # 前 is "by", not "ago"
    ("11月18日", WED, D(2026, 11, 18), None),            # today is not past
    ("11月17日", WED, D(2027, 11, 17), None),            # yesterday is: next year
    ("11月30日", WED, D(2026, 11, 30), None),
    ("1月5日", DEC28, D(2027, 1, 5), None),
    ("十二月一日", WED, D(2026, 12, 1), None),
    ("十二月一號", WED, D(2026, 12, 1), None),
    ("12月1号之前", WED, D(2026, 12, 1), None),
    ("12/1", WED, D(2026, 12, 1), None),
    ("12/1前", WED, D(2026, 12, 1), None),
    ("2026-12-01", WED, D(2026, 12, 1), None),
    ("2026/12/1", WED, D(2026, 12, 1), None),
    ("2026-11-01", WED, D(2026, 11, 1), None),           # an explicit year is kept even if past
    ("2026年12月1日", WED, D(2026, 12, 1), None),
    ("二〇二六年十二月一日", WED, D(2026, 12, 1), None),
    ("明年3月1日前", WED, D(2027, 3, 1), None),
    ("２０２６年１２月１日", WED, D(2026, 12, 1), None),   # full-width digits
    ("20号前", WED, D(2026, 11, 20), None),
    ("15号", WED, D(2026, 12, 15), None),                # this month's 15th has passed
    ("下个月15号", WED, D(2026, 12, 15), None),
    ("下月十五號", WED, D(2026, 12, 15), None),
    # -- weekdays (weeks run Monday–Sunday)
    ("本周五", WED, D(2026, 11, 20), None),
    ("本周五", FRI, D(2026, 11, 20), None),               # today when today is Friday
    ("這週五", WED, D(2026, 11, 20), None),
    ("周五", WED, D(2026, 11, 20), None),
    ("周五", FRI, D(2026, 11, 20), None),
    ("周五", SAT, D(2026, 11, 27), None),                 # on a Saturday: next Friday
    ("星期五", SAT, D(2026, 11, 27), None),
    ("礼拜天", WED, D(2026, 11, 22), None),
    ("本周日", MON, D(2026, 11, 22), None),
    ("下周一", WED, D(2026, 11, 23), None),
    ("下周一", MON, D(2026, 11, 23), None),
    ("下周一", SUN, D(2026, 11, 23), None),               # Sunday closes the week: next week starts tomorrow
    ("下週一", WED, D(2026, 11, 23), None),
    ("下个星期三", WED, D(2026, 11, 25), None),
    ("下下周三", WED, D(2026, 12, 2), None),
    ("下下週三", SUN, D(2026, 12, 2), None),
    ("下周三之前", WED, D(2026, 11, 25), None),
    ("本周内", WED, D(2026, 11, 20), None),
    ("下周内", WED, D(2026, 11, 27), None),
    # -- time of day
    ("周五下班前", WED, D(2026, 11, 20), T18),
    ("週五下班前", WED, D(2026, 11, 20), T18),
    ("今天下班前", WED, D(2026, 11, 18), T18),
    ("下班前", WED, D(2026, 11, 18), T18),
    ("明天上午", WED, D(2026, 11, 19), time(12, 0)),
    ("明天下午3点半前", WED, D(2026, 11, 19), time(15, 30)),
    ("周五下午3点前", WED, D(2026, 11, 20), time(15, 0)),
    ("周五3点前", WED, D(2026, 11, 20), time(15, 0)),      # an office's 3点 is 15:00
    ("12月1日 17:30前", WED, D(2026, 12, 1), time(17, 30)),
    ("明天中午12点", WED, D(2026, 11, 19), time(12, 0)),
    ("明天上午十点", WED, D(2026, 11, 19), time(10, 0)),
    # -- relative days
    ("今天", WED, D(2026, 11, 18), None),
    ("明天", WED, D(2026, 11, 19), None),
    ("后天", WED, D(2026, 11, 20), None),
    ("後天", WED, D(2026, 11, 20), None),
    ("大后天", WED, D(2026, 11, 21), None),
    ("下个工作日", FRI, D(2026, 11, 23), None),
    ("下一个工作日", at(2026, 9, 30), D(2026, 10, 8), None),
    # -- working days (China's calendar with 调休)
    ("5个工作日内", SEP28, D(2026, 10, 10), None),
    ("3个工作日内", SUN, D(2026, 11, 25), None),           # not a day late
    ("3个工作日内", WED, D(2026, 11, 23), None),
    ("三個工作日內", WED, D(2026, 11, 23), None),
    ("2个工作日之内", at(2026, 9, 30), D(2026, 10, 9), None),
    ("一个工作日内", at(2026, 9, 19), D(2026, 9, 20), None),   # the worked Sunday counts
    # -- calendar durations
    ("2天内", WED, D(2026, 11, 20), None),
    ("三天内", WED, D(2026, 11, 21), None),
    ("3天后", WED, D(2026, 11, 21), None),
    ("两周内", WED, D(2026, 12, 2), None),
    ("2周内", WED, D(2026, 12, 2), None),
    ("兩週內", WED, D(2026, 12, 2), None),
    ("一个星期内", WED, D(2026, 11, 25), None),
    ("一个月内", at(2026, 1, 31), D(2026, 2, 28), None),
    ("半个月内", WED, D(2026, 12, 3), None),
    ("12个月内", WED, D(2027, 11, 18), None),            # 个月 is a duration …
    ("24小时内", WED, D(2026, 11, 19), time(10, 0)),
    # -- months, quarters, years
    ("12月份", WED, D(2026, 12, 31), None),              # … and 12月 never is
    ("12月底", WED, D(2026, 12, 31), None),
    ("3月底前", WED, D(2027, 3, 31), None),
    ("明年3月底", WED, D(2027, 3, 31), None),
    ("月底前", WED, D(2026, 11, 30), None),
    ("月底前", at(2026, 2, 10), D(2026, 2, 28), None),
    ("本月底", WED, D(2026, 11, 30), None),
    ("本月底", at(2026, 12, 31), D(2026, 12, 31), None),
    ("这个月底", WED, D(2026, 11, 30), None),
    ("下月初", WED, D(2026, 12, 5), None),
    ("下个月初", at(2026, 12, 20), D(2027, 1, 5), None),
    ("下月底", at(2026, 1, 31), D(2026, 2, 28), None),
    ("月中前", at(2026, 11, 3), D(2026, 11, 15), None),
    ("12月上旬", WED, D(2026, 12, 10), None),
    ("12月中旬", WED, D(2026, 12, 20), None),
    ("年底", WED, D(2026, 12, 31), None),
    ("年底前", at(2026, 12, 31), D(2026, 12, 31), None),
    ("今年年底", WED, D(2026, 12, 31), None),
    ("明年底", WED, D(2027, 12, 31), None),
    ("年中", at(2026, 3, 1), D(2026, 6, 30), None),
    ("Q4末", WED, D(2026, 12, 31), None),
    ("第四季度末", WED, D(2026, 12, 31), None),
    ("四季度末", WED, D(2026, 12, 31), None),
    ("Q1末", WED, D(2027, 3, 31), None),                 # Q1 has passed: next year's
    ("第三季度末", at(2026, 5, 5), D(2026, 9, 30), None),
    ("季度末", WED, D(2026, 12, 31), None),
    ("季度末", at(2026, 5, 5), D(2026, 6, 30), None),
    ("本季度末", at(2026, 4, 1), D(2026, 6, 30), None),
    ("下季度末", WED, D(2027, 3, 31), None),
    # -- English
    ("by Friday", WED, D(2026, 11, 20), None),
    ("Friday", SAT, D(2026, 11, 27), None),
    ("this Friday", FRI, D(2026, 11, 20), None),
    ("next Monday", WED, D(2026, 11, 23), None),
    ("next Friday", WED, D(2026, 11, 27), None),         # read like 下周五
    ("Dec 1", WED, D(2026, 12, 1), None),
    ("Dec. 1st", WED, D(2026, 12, 1), None),
    ("December 1st", WED, D(2026, 12, 1), None),
    ("1st of December", WED, D(2026, 12, 1), None),
    ("Dec 1, 2027", WED, D(2027, 12, 1), None),
    ("Aug 15", WED, D(2027, 8, 15), None),
    ("12/01/2026", WED, D(2026, 12, 1), None),            # with a year: US month/day/year
    ("within 3 business days", SUN, D(2026, 11, 25), None),
    ("within 5 working days", SEP28, D(2026, 10, 10), None),
    ("in two weeks", WED, D(2026, 12, 2), None),
    ("within 2 days", WED, D(2026, 11, 20), None),
    ("EOD", WED, D(2026, 11, 18), T18),
    ("EOD tomorrow", WED, D(2026, 11, 19), T18),
    ("tomorrow EOD", WED, D(2026, 11, 19), T18),
    ("Friday EOD", WED, D(2026, 11, 20), T18),
    ("COB Friday", WED, D(2026, 11, 20), T18),
    ("by Dec 1 5pm", WED, D(2026, 12, 1), time(17, 0)),
    ("tomorrow", WED, D(2026, 11, 19), None),
    ("end of month", WED, D(2026, 11, 30), None),
    ("end of the month", at(2026, 2, 3), D(2026, 2, 28), None),
    ("end of next month", WED, D(2026, 12, 31), None),
    ("end of the week", WED, D(2026, 11, 20), None),
    ("end of year", WED, D(2026, 12, 31), None),
    ("end of Q1", WED, D(2027, 3, 31), None),
    ("Q4 end", WED, D(2026, 12, 31), None),
    ("end of December", WED, D(2026, 12, 31), None),
    ("mid December", WED, D(2026, 12, 15), None),
    ("early next month", WED, D(2026, 12, 5), None),
    ("next business day", at(2026, 9, 30), D(2026, 10, 8), None),
]


@pytest.mark.parametrize("expr, now, due, tm", RESOLVE, ids=[f"{r[0]}@{r[1]:%m-%d}" for r in RESOLVE])
def test_resolve(expr, now, due, tm):
    dl = resolve(expr, now)
    assert dl is not None, expr
    assert (dl.due, dl.time, dl.vague) == (due, tm, False)
    assert dl.text == expr
    assert dl.calendar_gap is False


def test_naive_now_is_shanghai_local_time():
    assert resolve("明天", datetime(2026, 11, 18, 23, 30)).due == D(2026, 11, 19)


def test_aware_now_in_another_zone_is_converted_to_shanghai():
    # 17:00 UTC on the 18th is 01:00 on the 19th in Shanghai: 明天 is the 20th
    now = datetime(2026, 11, 18, 17, 0, tzinfo=timezone.utc)
    assert resolve("明天", now).due == D(2026, 11, 20)


VAGUE = ["尽快", "儘快", "待定", "时间待定", "近期", "尽快推进", "大概", "ASAP", "asap", "TBD", "soon",
         "as soon as possible", "过几天", "另行通知",
         "大概8月15日", "11月30日左右", "around Dec 5", "12月前",   # hedged or ambiguous dates
         "Q4前"]


@pytest.mark.parametrize("expr", VAGUE)
def test_vague_words_are_flagged_never_guessed(expr):
    dl = resolve(expr, WED)
    assert dl is not None
    assert dl.vague is True
    assert dl.due is None and dl.time is None


NOT_DEADLINES = ["好的，收到", "已完成", "3号楼会议室", "休假3天", "12月", "3天前已提交", "进度60%，第3项",
                 "完成1/2", "同意", "OK", "", "   "]


@pytest.mark.parametrize("expr", NOT_DEADLINES)
def test_not_a_deadline(expr):
    assert resolve(expr, WED) is None


# ---------------------------------------------------------------------------------------------
# The 2027 gap
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expr", ["5个工作日内", "五個工作日內", "within 5 business days"])
def test_working_day_count_into_2027_is_flagged(expr):
    dl = resolve(expr, DEC28)
    assert dl.due == D(2027, 1, 4)     # Monday–Friday assumed: 2027-01-01 counted
    assert dl.calendar_gap is True


def test_holidays_yaml_extras_make_the_2027_count_exact():
    dl = resolve("5个工作日内", DEC28, WorkCalendar(EXTRA_2027))
    assert dl.due == D(2027, 1, 5)
    assert dl.calendar_gap is False


@pytest.mark.parametrize("expr", ["2027年1月5日", "明年1月4日", "年底", "下个月15号"])
def test_dates_in_2027_that_are_not_counts_are_not_gaps(expr):
    assert resolve(expr, DEC28).calendar_gap is False


def test_next_workday_into_2027_is_flagged():
    dl = resolve("下个工作日", at(2026, 12, 31))
    assert dl.due == D(2027, 1, 1) and dl.calendar_gap


# ---------------------------------------------------------------------------------------------
# Deadlines inside sentences
# ---------------------------------------------------------------------------------------------

SENTENCES = [
    ("延期到11月30日，原因：等待供应商", D(2026, 11, 30), "11月30日"),
    ("由技术部-王*负责接口开发，8月15日前完成", D(2027, 8, 15), "8月15日前"),
    ("需要推迟3天", D(2026, 11, 21), "推迟3天"),
    ("please push it to Dec 5 because the vendor is late", D(2026, 12, 5), "Dec 5"),
    ("确认，但需要延期到12月5日", D(2026, 12, 5), "12月5日"),
    ("1 已完成；3 延期到周五", D(2026, 11, 20), "周五"),
    ("好的，收到，预计下周三之前给到初稿", D(2026, 11, 25), "下周三之前"),
    ("大概完成了一半，11月30日前交付", D(2026, 11, 30), "11月30日前"),   # an explicit date beats a vague word
    ("计划时间：11月20日至11月30日", D(2026, 11, 30), "11月20日至11月30日"),   # a range: its end
    ("申请延期，顺延两周，原因是设计稿未定", D(2026, 12, 2), "顺延两周"),
    ("可以，3个工作日内给你反馈", D(2026, 11, 23), "3个工作日内"),
    ("I'll send it over by Friday EOD.", D(2026, 11, 20), "Friday EOD"),
    ("We need 2 more days for testing", D(2026, 11, 20), "need 2 more days"),
    ("無法按時完成，需延期至12月10日", D(2026, 12, 10), "12月10日"),
]


@pytest.mark.parametrize("sentence, due, span", SENTENCES, ids=[s[0] for s in SENTENCES])
def test_find_deadline_in_a_sentence(sentence, due, span):
    dl = find_deadline(sentence, WED)
    assert dl is not None and dl.due == due
    assert dl.text == span


def test_find_deadline_returns_a_vague_marker_when_nothing_concrete():
    dl = find_deadline("好的，我会尽快处理", WED)
    assert dl.vague and dl.due is None and dl.text == "尽快"


def test_find_deadline_none_when_there_is_no_date():
    assert find_deadline("收到，谢谢！会议纪要第2条有误，请修改。", WED) is None


@pytest.mark.parametrize("sentence, n, unit, due", [
    ("需要推迟3天", 3, "days", D(2026, 11, 21)),
    ("推迟一周", 7, "days", D(2026, 11, 25)),
    ("需要再给我两个工作日", 2, "workdays", D(2026, 11, 20)),
    ("延期一个月", 1, "months", D(2026, 12, 18)),
    ("can we push back 2 days?", 2, "days", D(2026, 11, 20)),
])
def test_delays_are_counted_from_now_and_carry_the_shift(sentence, n, unit, due):
    dl = find_deadline(sentence, WED)
    assert dl.delay == Delay(n, unit)
    assert dl.due == due


def test_apply_delay_moves_the_current_due_date():
    dl = find_deadline("需要推迟3天", WED)
    assert apply_delay(dl, D(2026, 11, 30)).due == D(2026, 12, 3)
    dl = find_deadline("延期2个工作日", WED)
    moved = apply_delay(dl, D(2026, 9, 29))
    assert moved.due == D(2026, 10, 8) and not moved.calendar_gap
    moved = apply_delay(dl, D(2026, 12, 30))
    assert moved.due == D(2027, 1, 1) and moved.calendar_gap


def test_apply_delay_leaves_absolute_dates_alone():
    dl = resolve("12月5日", WED)
    assert apply_delay(dl, D(2026, 11, 30)) is dl


def test_find_all_gives_spans_for_the_minutes_parser():
    text = "1. 接口开发 负责人：王五 本周五前提交初稿；2. 联调 下周一开始，12月1日前上线"
    hits = find_all(text, WED)
    assert [(text[s:e], dl.due) for s, e, dl in hits] == [
        ("本周五前", D(2026, 11, 20)),
        ("下周一", D(2026, 11, 23)),
        ("12月1日前", D(2026, 12, 1)),
    ]
    assert all(dl.text == text[s:e] for s, e, dl in hits)


def test_find_all_spans_survive_full_width_text():
    text = "请于１２月１日前完成"
    (s, e, dl), = find_all(text, WED)
    assert text[s:e] == "１２月１日前" and dl.due == D(2026, 12, 1)


# ---------------------------------------------------------------------------------------------
# `mailflow when`
# ---------------------------------------------------------------------------------------------

def test_explain_lines_json_contract():
    lines = explain_lines(["周五下班前", "尽快", "你好", "5个工作日内"], DEC28 - timedelta(days=38), None, True)
    objs = [json.loads(line) for line in lines]
    assert all(list(o) == ["text", "due", "time", "vague", "calendar_gap"] for o in objs)
    assert objs[0] == {"text": "周五下班前", "due": "2026-11-20", "time": "18:00", "vague": False,
                       "calendar_gap": False}
    assert objs[1] == {"text": "尽快", "due": None, "time": None, "vague": True, "calendar_gap": False}
    assert objs[2] == {"text": "你好", "due": None, "time": None, "vague": False, "calendar_gap": False}
    assert "周五下班前" in lines[0]                 # ensure_ascii=False


def test_explain_lines_json_flags_the_gap():
    (line,) = explain_lines(["5个工作日内"], DEC28, None, True)
    assert json.loads(line) == {"text": "5个工作日内", "due": "2027-01-04", "time": None, "vague": False,
                                "calendar_gap": True}


def test_explain_lines_text():
    lines = explain_lines(["周五下班前", "尽快", "你好", "5个工作日内"], DEC28, None, False)
    assert len(lines) == 4
    assert lines[0].startswith("周五下班前\t2027-01-01 周五 18:00")
    assert "vague" in lines[1]
    assert "not a deadline" in lines[2]
    assert "calendar gap" in lines[3]


def test_explain_lines_uses_the_given_calendar():
    (line,) = explain_lines(["5个工作日内"], DEC28, WorkCalendar(EXTRA_2027), True)
    assert json.loads(line)["due"] == "2027-01-05"


# ---------------------------------------------------------------------------------------------
# Speed: it runs on every reply
# ---------------------------------------------------------------------------------------------

def test_fast_enough():
    samples = [e for e, *_ in RESOLVE] + [s for s, *_ in SENTENCES]
    t0 = _time.perf_counter()
    for _ in range(3):
        for s in samples:
            find_deadline(s, WED)
    per_call = (_time.perf_counter() - t0) / (3 * len(samples))
    assert per_call < 0.001


def test_linear_on_long_threads():
    body = ("这是一封很长的邮件，周五之前请确认。" * 3000) + "12月1日前"
    t0 = _time.perf_counter()
    hits = find_all(body, WED)
    assert _time.perf_counter() - t0 < 2.0
    assert hits[-1][2].due == D(2026, 12, 1)


@pytest.mark.parametrize("body", [" " * 40000 + "12月1日前" + " " * 40000, "12 " * 20000, "周 " * 20000,
                                  "大概 " * 20000, "end of " * 8000])
def test_no_quadratic_blowup(body):
    t0 = _time.perf_counter()
    find_all(body, WED)
    assert _time.perf_counter() - t0 < 2.0
