"""Deadlines and working days: the names other modules import, kept in one place.

The work is done in :mod:`mailflow.read.workdays` (China's calendar with 调休, holiday periods, the
organisation's time zone and working hours), :mod:`mailflow.read.datetext` (the date-part tokenizer),
:mod:`mailflow.read.deadlines` (phrases, ranges and changes) and :mod:`mailflow.read.date_anchors`
(the rules that turn a phrase into a due date). See their docstrings.
"""

from .date_anchors import Delay
from .deadlines import (
    Deadline,
    apply_delay,
    find_all,
    find_deadline,
    resolve,
)
from .workdays import (
    DEFAULT_CALENDAR,
    MAX_WORKDAY_STEP,
    MORNING_END,
    WORKDAY_END,
    WORKDAY_START,
    HolidayPeriod,
    WorkCalendar,
    load_holidays,
)

__all__ = ["Deadline", "Delay", "apply_delay", "find_all", "find_deadline",
           "resolve", "DEFAULT_CALENDAR", "MAX_WORKDAY_STEP", "MORNING_END", "WORKDAY_END",
           "WORKDAY_START", "HolidayPeriod", "WorkCalendar", "load_holidays"]
