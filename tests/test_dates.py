"""Deadlines as people write them, and China's working days (with 调休).

Reference times (Asia/Shanghai):
  WED  = Wed 2026-11-18 10:00   the usual case
  SAT  = Sat 2026-11-21, SUN = Sun 2026-11-22, FRI = Fri 2026-11-20, MON = Mon 2026-11-16
  SEP28 = Mon 2026-09-28        just before National Day (Oct 1–7 off; Sun 9-20 and Sat 10-10 worked)
  DEC28 = Mon 2026-12-28        a count that crosses into 2027, which has no official data yet
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mailflow.cli_views import when_lines
from mailflow.read.dates import (
    DEFAULT_CALENDAR,
    Delay,
    WorkCalendar,
    apply_delay,
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


def test_holiday_periods_are_the_named_runs_of_the_official_calendar():
    names = {(p.name, p.start, p.end) for p in cal.periods() if p.start.year == 2026}
    assert ("National Day", date(2026, 10, 1), date(2026, 10, 7)) in names
    assert ("Spring Festival", date(2026, 2, 15), date(2026, 2, 23)) in names
    assert cal.period_from(date(2026, 9, 28)).name == "National Day"      # Mid-Autumn ended on 09-27
    assert cal.period_from(date(2026, 10, 3)).name == "National Day"      # the current one counts
    assert cal.period_from(date(2026, 10, 9)) is None                    # the next one is in 2027


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
    from mailflow.resources import shipped
    extra = load_holidays(shipped("rules") / "holidays.yaml")
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
    ("下月底", at(2026, 1, 31), D(2026, 2, 28), None),
    ("年底", WED, D(2026, 12, 31), None),
    ("年底前", at(2026, 12, 31), D(2026, 12, 31), None),
    ("今年年底", WED, D(2026, 12, 31), None),
    ("明年底", WED, D(2027, 12, 31), None),
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
    ("next business day", at(2026, 9, 30), D(2026, 10, 8), None),
]


@pytest.mark.parametrize("expr, now, due, tm", RESOLVE, ids=[f"{r[0]}@{r[1]:%m-%d}" for r in RESOLVE])
def test_resolve(expr, now, due, tm):
    dl = resolve(expr, now)
    assert dl is not None, expr
    assert (dl.due, dl.time, dl.vague, dl.error) == (due, tm, False, None)
    assert dl.text == expr
    assert dl.calendar_gap is (due.year not in cal.years)      # a 2027 date says the calendar is missing


def check(expr, now, due, tm=None, *, calendar=None, gap=False):
    dl = resolve(expr, now, calendar)
    assert dl is not None, f"{expr!r}: not read as a deadline"
    assert (dl.due, dl.time, dl.vague, dl.calendar_gap, dl.error) == (due, tm, False, gap, None), expr


# --- holiday-relative: the period comes from the official calendar, 调休 included -------------------

HOLIDAYS = [
    ("端午节前", at(2026, 6, 8), D(2026, 6, 18)),             # Dragon Boat 06-19..21
    ("端午假期前要定稿", at(2026, 6, 10), D(2026, 6, 18)),
    ("清明假期后", at(2026, 4, 2), D(2026, 4, 7)),            # Qingming 04-04..06
    ("五一假期结束后", at(2026, 4, 20), D(2026, 5, 6)),        # Labour Day 05-01..05
    ("劳动节后第一天上班", at(2026, 4, 22), D(2026, 5, 6)),
    ("国庆长假前", at(2026, 9, 14), D(2026, 9, 30)),
    ("十一之后的第一个工作日", at(2026, 9, 15), D(2026, 10, 8)),
    ("中秋前", at(2026, 9, 22), D(2026, 9, 24)),              # Mid-Autumn 09-25..27 comes before National Day
    ("過年前", at(2026, 1, 26), D(2026, 2, 14)),              # the worked Saturday before Spring Festival
    ("春節後第一個工作日", at(2026, 2, 2), D(2026, 2, 24)),
    ("節前交", at(2026, 6, 1), D(2026, 6, 18)),               # bare 节: the next holiday period
    ("节后", at(2026, 9, 29), D(2026, 10, 8)),                # Mid-Autumn has ended: National Day is next
    ("节后第一个工作日", at(2026, 10, 5), D(2026, 10, 8)),     # inside the holiday: its own end
    ("元旦前", at(2025, 12, 15), D(2025, 12, 31)),            # across the year: 2026's New Year
    ("元旦后第一个工作日", at(2025, 12, 30), D(2026, 1, 4)),   # the worked Sunday after New Year
    ("放假前", at(2026, 4, 27), D(2026, 4, 30)),
    ("before the Dragon Boat holiday", at(2026, 6, 1), D(2026, 6, 18)),
    ("after Golden Week", at(2026, 9, 15), D(2026, 10, 8)),
    ("first business day after the Spring Festival", at(2026, 1, 10), D(2026, 2, 24)),
    ("before Labor Day", at(2026, 4, 15), D(2026, 4, 30)),
    ("by the Mid-Autumn Festival", at(2026, 9, 1), D(2026, 9, 24)),
    ("please finish it before the holidays", at(2026, 9, 29), D(2026, 9, 30)),
    ("收假后第一个工作日", at(2026, 9, 9), D(2026, 9, 28)),      # the next period is Mid-Autumn
    ("节假日前", at(2026, 4, 27), D(2026, 4, 30)),
    ("节后两个工作日内", at(2026, 3, 25), D(2026, 4, 8)),        # counted from the holiday, not from today
    ("国庆后5个工作日内", at(2026, 9, 1), D(2026, 10, 13)),      # the worked Saturday 10-10 counts
]


@pytest.mark.parametrize("expr, now, due", HOLIDAYS, ids=[h[0] for h in HOLIDAYS])
def test_holiday_relative(expr, now, due):
    check(expr, now, due)


@pytest.mark.parametrize("expr, now", [
    ("国庆前", at(2026, 10, 20)),             # the next National Day is 2027's: not published yet
    ("年前", at(2026, 11, 2)),
    ("节后第一个工作日", at(2026, 12, 10)),   # the next holiday is 2027's New Year
    ("元旦前", at(2026, 12, 1)),              # it could start on 12-30 or 01-01: only the notice knows
    ("after Chinese New Year", at(2026, 12, 1)),
])
def test_a_holiday_without_calendar_data_gives_no_date_and_a_gap(expr, now):
    dl = resolve(expr, now)
    assert (dl.due, dl.vague, dl.calendar_gap) == (None, False, True)


def test_holidays_yaml_2027_data_does_not_invent_a_holiday_name():
    # an operator's 2027 list has days, not names: 春节前 still waits for named data
    assert resolve("春节前", at(2026, 12, 16), WorkCalendar(EXTRA_2027)).calendar_gap


@pytest.mark.parametrize("expr, now", [
    ("国庆前", at(2026, 10, 3)),              # already in the holiday
    ("节前", at(2026, 5, 2)),
])
def test_before_a_holiday_that_has_begun_is_asked_back(expr, now):
    dl = resolve(expr, now)
    assert dl.vague and dl.due is None


@pytest.mark.parametrize("expr, now, due, tm", [
    ("三年后再说", at(2026, 3, 2), None, None),   # 年后 inside a number of years: no holiday
    ("十一月前", at(2026, 9, 2), None, None),     # November, not National Day (and vague: see below)
    ("十一点前", at(2026, 9, 2, 9), D(2026, 9, 2), time(11, 0)),
    ("十一号前", at(2026, 9, 2), D(2026, 9, 11), None),
])
def test_numbers_that_look_like_holidays(expr, now, due, tm):
    dl = resolve(expr, now)
    assert (dl.due if dl else None, dl.time if dl else None) == (due, tm)


# --- working days and calendar days ------------------------------------------------------------

WORKDAY_COUNTS = [
    ("4个工作日内", at(2026, 9, 17), D(2026, 9, 22)),          # Fri, the worked Sunday 09-20, Mon, Tue
    ("兩個工作日內", at(2026, 2, 12), D(2026, 2, 14)),         # Fri, the worked Saturday
    ("6个工作日内", at(2026, 4, 29), D(2026, 5, 11)),          # over Labour Day, Saturday 05-09 worked
    ("within 2 working days", at(2026, 10, 9), D(2026, 10, 12)),
    ("1个工作日内", at(2026, 1, 3), D(2026, 1, 4)),            # from inside New Year: the worked Sunday
    ("3 business days", at(2026, 2, 26), D(2026, 3, 2)),      # Fri, the worked Saturday 02-28, Mon
    ("2个工作日内", at(2026, 12, 29), D(2026, 12, 31)),        # stays inside 2026: exact
    ("五个工作日之内给反馈", at(2026, 7, 24, 17), D(2026, 7, 31)),
    ("3個工作天內", at(2026, 9, 17), D(2026, 9, 21)),          # Taiwan's 工作天; the worked Sunday 09-20
    ("五個營業日內", at(2026, 9, 17), D(2026, 9, 23)),
]


@pytest.mark.parametrize("expr, now, due", WORKDAY_COUNTS, ids=[w[0] for w in WORKDAY_COUNTS])
def test_working_day_counts_follow_tiaoxiu(expr, now, due):
    check(expr, now, due)


@pytest.mark.parametrize("expr", ["3个工作日内", "三個工作日內", "within 3 business days", "两个工作日内"])
def test_a_working_day_count_into_2027_gives_no_date(expr):
    dl = resolve(expr, at(2026, 12, 30))
    assert (dl.due, dl.vague, dl.calendar_gap) == (None, False, True)


def test_holidays_yaml_extras_make_the_2027_count_exact():
    check("5个工作日内", DEC28, D(2027, 1, 5), calendar=WorkCalendar(EXTRA_2027))
    check("下个工作日", at(2026, 12, 31), D(2027, 1, 4), calendar=WorkCalendar(EXTRA_2027))


@pytest.mark.parametrize("expr, now, due", [
    ("5天内", at(2026, 9, 29), D(2026, 10, 4)),              # calendar days run through holidays
    ("三周内", at(2026, 3, 3), D(2026, 3, 24)),
    ("within 4 days", at(2026, 5, 1), D(2026, 5, 5)),
])
def test_calendar_day_counts(expr, now, due):
    check(expr, now, due)


def test_calendar_days_into_2027_keep_the_date_and_flag_the_year():
    check("within 10 days", at(2026, 12, 25), D(2027, 1, 4), gap=True)


def test_a_decimal_is_not_a_count():
    assert resolve("3.5天内", WED) is None or resolve("3.5天内", WED).due != D(2026, 11, 23)


# --- weeks start on Monday ---------------------------------------------------------------------

WEEKS = [
    ("下周四", at(2026, 5, 10), D(2026, 5, 14)),              # on a Sunday: next week starts tomorrow
    ("下下週二", at(2026, 5, 10), D(2026, 5, 19)),
    ("這週三前", at(2026, 5, 11), D(2026, 5, 13)),
    ("本周日", at(2026, 5, 11), D(2026, 5, 17)),
    ("礼拜一前", at(2026, 5, 13), D(2026, 5, 18)),
    ("周末前", at(2026, 7, 7), D(2026, 7, 10)),               # this week's Friday
    ("週末之前", at(2026, 7, 10), D(2026, 7, 10)),
    ("next Wednesday", at(2026, 7, 9), D(2026, 7, 15)),
    ("by Tuesday", at(2026, 7, 9), D(2026, 7, 14)),
    ("this Thursday", at(2026, 7, 6), D(2026, 7, 9)),
    ("Tuesday next week", at(2026, 7, 9), D(2026, 7, 14)),
    ("the Monday after next", at(2026, 7, 8), D(2026, 7, 20)),     # like 下下周一
    ("a week from Friday", at(2026, 7, 8), D(2026, 7, 17)),
    ("two weeks from now", at(2026, 7, 8), D(2026, 7, 22)),
    ("by Friday this week", at(2026, 7, 6), D(2026, 7, 10)),
    ("下周三", at(2026, 12, 27), D(2026, 12, 30)),
]


@pytest.mark.parametrize("expr, now, due", WEEKS, ids=[w[0] for w in WEEKS])
def test_weeks_start_on_monday(expr, now, due):
    check(expr, now, due)


def test_next_week_across_the_new_year_keeps_the_date_and_flags_the_year():
    check("下周二", at(2026, 12, 30), D(2027, 1, 5), gap=True)


@pytest.mark.parametrize("expr", ["周末前", "这礼拜四", "本週三前"])
def test_a_day_of_this_week_that_has_passed_is_asked_back(expr):
    dl = resolve(expr, at(2026, 7, 11))          # a Saturday
    assert dl.vague and dl.due is None


# --- times of day ------------------------------------------------------------------------------

MON_AUG3 = at(2026, 8, 3, 10)
TIMES = [
    ("今晚7点半前", MON_AUG3, D(2026, 8, 3), time(19, 30)),
    ("明晚九点", MON_AUG3, D(2026, 8, 4), time(21, 0)),
    ("明早8点", MON_AUG3, D(2026, 8, 4), time(8, 0)),
    ("明早", MON_AUG3, D(2026, 8, 4), time(9, 0)),             # the start of working hours
    ("中午1点前", MON_AUG3, D(2026, 8, 3), time(13, 0)),
    ("下午4点45分", MON_AUG3, D(2026, 8, 3), time(16, 45)),
    ("晚上十点前", MON_AUG3, D(2026, 8, 3), time(22, 0)),
    ("18:30前", MON_AUG3, D(2026, 8, 3), time(18, 30)),
    ("by 4:30pm", MON_AUG3, D(2026, 8, 3), time(16, 30)),
    ("tomorrow at 11am", MON_AUG3, D(2026, 8, 4), time(11, 0)),
    ("Thursday noon", MON_AUG3, D(2026, 8, 6), time(12, 0)),
    ("EOD Monday", at(2026, 8, 5), D(2026, 8, 10), T18),
    ("COB tomorrow", MON_AUG3, D(2026, 8, 4), T18),
    ("day after tomorrow", MON_AUG3, D(2026, 8, 5), None),
    ("中午前", MON_AUG3, D(2026, 8, 3), time(12, 0)),
    ("this afternoon", MON_AUG3, D(2026, 8, 3), T18),
    ("by end of business tomorrow", MON_AUG3, D(2026, 8, 4), T18),
    ("下班前", at(2026, 9, 20), D(2026, 9, 20), T18),          # the worked Sunday
    ("週四下班前", MON_AUG3, D(2026, 8, 6), T18),
    ("下周一上班前", MON_AUG3, D(2026, 8, 10), time(9, 0)),     # the start of working hours
    ("明天一早", MON_AUG3, D(2026, 8, 4), time(9, 0)),
]


@pytest.mark.parametrize("expr, now, due, tm", TIMES, ids=[t[0] for t in TIMES])
def test_times_of_day(expr, now, due, tm):
    check(expr, now, due, tm)


def test_work_hours_come_from_the_configuration():
    office = DEFAULT_CALENDAR.for_org(work_start=time(8, 30), work_end=time(17, 30))
    check("今天下班前", MON_AUG3, D(2026, 8, 3), time(17, 30), calendar=office)
    check("EOD", MON_AUG3, D(2026, 8, 3), time(17, 30), calendar=office)
    check("明早", MON_AUG3, D(2026, 8, 4), time(8, 30), calendar=office)


@pytest.mark.parametrize("expr, due, tm", [
    ("聽日", D(2026, 8, 4), None),               # Cantonese: tomorrow
    ("聽朝10點前", D(2026, 8, 4), time(10, 0)),
    ("後日交", D(2026, 8, 5), None),
])
def test_cantonese_days(expr, due, tm):
    check(expr, MON_AUG3, due, tm)


# --- a date with a time, dotted and mixed forms -------------------------------------------------

DATE_FORMS = [
    ("9月30日下午5点前", at(2026, 9, 1), D(2026, 9, 30), time(17, 0)),
    ("2026年10月9日 9:00", at(2026, 9, 1), D(2026, 10, 9), time(9, 0)),
    ("10.15 14:00", at(2026, 9, 1), D(2026, 10, 15), time(14, 0)),
    ("Oct 9, 10am", at(2026, 9, 1), D(2026, 10, 9), time(10, 0)),
    ("11月3日（周二）上午10点", at(2026, 10, 20), D(2026, 11, 3), time(10, 0)),
    ("9.30前", at(2026, 9, 1), D(2026, 9, 30), None),
    ("10.8", at(2026, 9, 20), D(2026, 10, 8), None),
    ("Oct 9前", at(2026, 9, 20), D(2026, 10, 9), None),
    ("by 10月9日", at(2026, 9, 20), D(2026, 10, 9), None),
    ("12/25 EOD", at(2026, 12, 1), D(2026, 12, 25), T18),
    ("Dec 24th前交", at(2026, 12, 1), D(2026, 12, 24), None),
    ("請於11月6日（週五）前回覆", at(2026, 10, 20), D(2026, 11, 6), None),
    ("Deadline: 30/10", at(2026, 10, 20), D(2026, 10, 30), None),     # only day-first is a date
]


@pytest.mark.parametrize("expr, now, due, tm", DATE_FORMS, ids=[d[0] for d in DATE_FORMS])
def test_dates_with_times_and_other_forms(expr, now, due, tm):
    check(expr, now, due, tm)


def test_a_past_month_day_rolls_into_the_next_year():
    check("1.8前", at(2026, 12, 10), D(2027, 1, 8), gap=True)
    check("2027.1.15", at(2026, 11, 2), D(2027, 1, 15), gap=True)


@pytest.mark.parametrize("expr", ["需要3.5-4天", "版本2.1", "完成 3/4", "完成度 3/4", "评分4.5", "1.5倍", "第一个工作日"])
def test_numbers_with_a_dot_or_slash_that_are_not_dates(expr):
    dl = resolve(expr, WED)
    assert dl is None or dl.due is None


# --- ranges and changes: the later date ---------------------------------------------------------

CHANGES = [
    ("10月8日到10月12日", at(2026, 9, 20), D(2026, 10, 12)),
    ("6月1日至5日期间", at(2026, 5, 20), D(2026, 6, 5)),
    ("15号~20号", at(2026, 5, 6), D(2026, 5, 20)),
    ("Oct 12 - Oct 16", at(2026, 9, 20), D(2026, 10, 16)),
    ("原计划9月25日，现调整为9月30日", at(2026, 9, 1), D(2026, 9, 30)),
    ("截止时间由周三改到周五", at(2026, 7, 6), D(2026, 7, 10)),
    ("交付日期从10月9日推迟到10月16日", at(2026, 9, 20), D(2026, 10, 16)),
    ("originally Oct 9, now moved to Oct 16", at(2026, 9, 20), D(2026, 10, 16)),
    ("原定下周一，现提前到本周五", at(2026, 7, 6), D(2026, 7, 10)),
    ("原定11月5日，現延後至11月12日", at(2026, 10, 20), D(2026, 11, 12)),
    ("原定本周五提交，现延期至下周三", at(2026, 7, 6), D(2026, 7, 15)),   # a clause of the old plan in between
    ("between Oct 12 and Oct 16", at(2026, 9, 20), D(2026, 10, 16)),
    ("下周二到周四", at(2026, 7, 1), D(2026, 7, 9)),              # the end is in the start's week
    ("10月12-16日", at(2026, 9, 20), D(2026, 10, 16)),
    ("Oct 12-16", at(2026, 9, 20), D(2026, 10, 16)),
    ("12日至16日", at(2026, 10, 8), D(2026, 10, 16)),             # two bare days: the range says they are days
    ("10/12~16", at(2026, 9, 20), D(2026, 10, 16)),
    ("was Oct 9, now Oct 16", at(2026, 9, 20), D(2026, 10, 16)),
]


@pytest.mark.parametrize("expr, due, tm", [
    ("10月9日下午2点到4点", D(2026, 10, 9), time(16, 0)),       # a time range ends on the start's day
    ("Oct 9 1pm-3pm", D(2026, 10, 9), time(15, 0)),
    ("10/9 9:00-11:30", D(2026, 10, 9), time(11, 30)),
])
def test_a_time_range_ends_on_the_same_day(expr, due, tm):
    check(expr, at(2026, 9, 20), due, tm)


@pytest.mark.parametrize("expr, now, due", CHANGES, ids=[c[0] for c in CHANGES])
def test_ranges_and_changes_take_the_later_date(expr, now, due):
    check(expr, now, due)


def test_a_range_across_the_new_year():
    check("12月28日至1月8日", at(2026, 12, 1), D(2027, 1, 8), gap=True)


# --- vague: spans and words, never a guessed day ------------------------------------------------

VAGUE = ["尽快", "儘快", "待定", "时间待定", "近期", "尽快推进", "大概", "ASAP", "asap", "TBD", "soon",
         "as soon as possible", "过几天", "另行通知", "近日", "待確認", "擇期", "稍后", "改天再说", "TBC",
         "as soon as you can", "at your earliest convenience", "这几天吧",
         "大概8月15日", "11月30日左右", "around Dec 5", "12月前", "Q4前",      # hedged or ambiguous dates
         "9月上旬", "本月下旬", "下个月中旬", "下旬前", "月中", "月初", "下月初前", "年初", "年中",
         "early October", "mid-December", "late next month", "十一月前",
         "年底左右", "国庆前后", "大概3个工作日内", "待通知", "下月中", "过两天", "in a couple of days",
         "改日再议", "in due course", "过阵子", "within the next few days",
         "12月1日以后", "下周一之后再说", "after Dec 1", "not before Friday"]        # a start, not a deadline


@pytest.mark.parametrize("expr", VAGUE)
def test_vague_words_and_spans_are_flagged_never_guessed(expr):
    dl = resolve(expr, WED)
    assert dl is not None
    assert dl.vague is True
    assert dl.due is None and dl.time is None and dl.error is None


NOT_DEADLINES = ["一个半月内", "年终奖发了", "Could you send the 2nd version?", "好的，收到", "已完成", "3号楼会议室", "休假3天", "12月", "3天前已提交", "进度60%，第3项",
                 "完成1/2", "同意", "OK", "", "   ", "上午开会", "到底怎么样", "初稿已发"]


@pytest.mark.parametrize("expr", NOT_DEADLINES)
def test_not_a_deadline(expr):
    assert resolve(expr, WED) is None


# --- impossible dates: an error, never clamped or moved -------------------------------------------

@pytest.mark.parametrize("expr", ["9999年12月31日", "Dec 1, 2100", "公元前100年", "2月30日", "2026年2月29日", "13月5日",
                                  "4月31号前", "2026-02-30", "Feb 30", "明天25点前", "1900年1月1日"])
def test_impossible_dates_are_errors(expr):
    dl = resolve(expr, WED)
    assert dl is not None and dl.error
    assert dl.due is None and dl.vague       # callers that only look at due/vague ask back


def test_february_29_without_a_year_is_the_next_one_that_exists():
    check("2月29日", WED, D(2028, 2, 29), gap=True)


# --- the time zone is the organisation's ---------------------------------------------------------

def test_naive_now_is_local_time():
    assert resolve("明天", datetime(2026, 11, 18, 23, 30)).due == D(2026, 11, 19)


def test_aware_now_is_converted_to_the_default_zone():
    # 17:00 UTC on the 18th is 01:00 on the 19th in Shanghai: 明天 is the 20th
    now = datetime(2026, 11, 18, 17, 0, tzinfo=timezone.utc)
    assert resolve("明天", now).due == D(2026, 11, 20)


def test_the_zone_comes_from_the_calendar_or_the_caller():
    now = datetime(2026, 11, 18, 17, 0, tzinfo=timezone.utc)       # 18:00 on the 18th in Berlin
    assert resolve("明天", now, DEFAULT_CALENDAR.for_org(tz="Europe/Berlin")).due == D(2026, 11, 19)
    assert resolve("明天", now, tz=ZoneInfo("America/New_York")).due == D(2026, 11, 19)
    assert find_deadline("今天下班前", now, tz=ZoneInfo("Europe/Berlin")).due == D(2026, 11, 18)


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
    ("原定11月25日，现推迟到12月2日，原因是测试环境未就绪", D(2026, 12, 2), "11月25日，现推迟到12月2日"),
    ("收到，元旦前给你", D(2026, 12, 31), None),
]


@pytest.mark.parametrize("sentence, due, span", SENTENCES, ids=[s[0] for s in SENTENCES])
def test_find_deadline_in_a_sentence(sentence, due, span):
    dl = find_deadline(sentence, WED if "元旦" not in sentence else at(2025, 12, 10))
    assert dl is not None and dl.due == (due if "元旦" not in sentence else D(2025, 12, 31))
    if span:
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
        ("下周一开始", None),          # a start, not a due date (asked when it is all there is)
        ("12月1日前", D(2026, 12, 1)),
    ]
    assert all(dl.text == text[s:e] for s, e, dl in hits)


def test_find_all_spans_survive_full_width_and_traditional_text():
    text = "請於１２月１日前完成，國慶後第一個工作日驗收"
    hits = find_all(text, SEP28 - timedelta(days=20))
    assert [(text[s:e], dl.due) for s, e, dl in hits] == [("１２月１日前", D(2026, 12, 1)),
                                                          ("國慶後第一個工作日", D(2026, 10, 8))]


# ---------------------------------------------------------------------------------------------
# `mailflow when`
# ---------------------------------------------------------------------------------------------

KEYS = ["text", "due", "time", "vague", "calendar_gap", "error"]


def test_explain_lines_json_contract():
    lines = when_lines(["周五下班前", "尽快", "你好", "5个工作日内", "2月30日"], DEC28 - timedelta(days=38), None, True)
    objs = [json.loads(line) for line in lines]
    assert all(list(o) == KEYS for o in objs)
    assert objs[0] == {"text": "周五下班前", "due": "2026-11-20", "time": "18:00", "vague": False,
                       "calendar_gap": False, "error": None}
    assert objs[1] == {"text": "尽快", "due": None, "time": None, "vague": True, "calendar_gap": False, "error": None}
    assert objs[2] == {"text": "你好", "due": None, "time": None, "vague": False, "calendar_gap": False, "error": None}
    assert objs[4]["due"] is None and "2月30日" in objs[4]["error"]
    assert "周五下班前" in lines[0]                 # ensure_ascii=False


def test_explain_lines_json_flags_the_gap_without_a_date():
    (line,) = when_lines(["5个工作日内"], DEC28, None, True)
    assert json.loads(line) == {"text": "5个工作日内", "due": None, "time": None, "vague": False,
                                "calendar_gap": True, "error": None}


def test_explain_lines_text():
    lines = when_lines(["周五下班前", "尽快", "你好", "5个工作日内", "9999年1月1日"], DEC28, None, False)
    assert len(lines) == 5
    assert lines[0].startswith("周五下班前\t2027-01-01 周五 18:00")
    assert "calendar gap" in lines[0]
    assert "vague" in lines[1]
    assert "not a deadline" in lines[2]
    assert "calendar gap" in lines[3] and "2027" not in lines[3]
    assert "error" in lines[4]


def test_explain_lines_uses_the_given_calendar():
    (line,) = when_lines(["5个工作日内"], DEC28, WorkCalendar(EXTRA_2027), True)
    assert json.loads(line)["due"] == "2027-01-05"


def test_when_cli_exits_2_on_one_impossible_date(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from mailflow.cli import main
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["when", "9999年12月31日", "--json"])
    assert result.exit_code == 2
    assert "9999" in result.output and "not a possible date" in result.output
    result = CliRunner().invoke(main, ["when", "-", "--json", "--now", "2026-11-18T10:00"],
                                input="2月30日\n下周五\n")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert rows[0]["error"] and rows[1]["due"] == "2026-11-27"


def test_when_cli_reads_the_configured_timezone_and_hours(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from mailflow.cli import main
    from mailflow.testing import write_config
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, org={"address": "mf@example.com", "timezone": "Europe/Berlin"},
                 schedule={"work_start": "08:00", "work_end": "16:30"})
    result = CliRunner().invoke(main, ["when", "今天下班前", "明天", "--json", "--now", "2026-11-18T23:30:00+00:00"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert rows[0]["due"] == "2026-11-19" and rows[0]["time"] == "16:30"   # 00:30 on the 19th in Berlin
    assert rows[1]["due"] == "2026-11-20"


# ---------------------------------------------------------------------------------------------
# Long threads: still read to the end (speed and growth are measured in bench/reading.py)
# ---------------------------------------------------------------------------------------------

def test_a_long_thread_is_read_to_its_last_date():
    body = ("这是一封很长的邮件，周五之前请确认。" * 3000) + "12月1日前"
    hits = find_all(body, WED)
    assert hits[-1][2].due == D(2026, 12, 1)
