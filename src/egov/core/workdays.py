"""Working-day arithmetic over a calendar of statutory holidays and adjusted working days (调休).

Pure functions: the calendar is given as a ``WorkCalendar`` value (``egov.workflow.selectors.
work_calendar`` loads it from the operators' table). Time limits of administrative licensing are
counted in working days (行政许可法 §42, §82: "本法规定的行政机关实施行政许可的期限以工作日计算，不含
法定节假日"); the day a period starts is not counted and counting starts the next day (民法典 §201).

For a year whose schedule is not loaded (the State Council publishes each year's schedule late in
the previous year), a day is a working day unless it is a Saturday, a Sunday, or one of the
fixed-date statutory holidays of 全国年节及纪念日放假办法 as revised in 2024 (in force 2025-01-01):
元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October. The lunar holidays (春节, 清明节, 端午节, 中秋节)
and the adjusted working days cannot be known before publication: such a year is reported to
operators (``WorkCalendar.known_years``) so that they load it; a case never fails for the lack of it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

# (month, day) of the statutory holidays whose Gregorian date is fixed (放假办法 2024 revision, 第二条).
FIXED_DATE_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """A working-day calendar.

    Attributes:
        off_days: days off that a loaded schedule names: statutory holidays and the weekend days
            and swapped days (调休) that the State Council's schedule gives off.
        extra_working_days: Saturdays and Sundays that the schedule makes working days (调休上班).
        known_years: years whose schedule is loaded; other years use the fallback rule.
    """

    off_days: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)
    known_years: frozenset[int] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` is a working day (工作日)."""
        # A schedule can set days of the year before it (2019's notice: 2018-12-29 worked, 30–31 off).
        if day in self.extra_working_days:
            return True
        if day in self.off_days:
            return False
        if day.year in self.known_years:
            return day.weekday() < 5
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_DATE_HOLIDAYS

    def is_known(self, day: date) -> bool:
        """True when ``day``'s year has its published schedule loaded (no fallback)."""
        return day.year in self.known_years


def working_days_add(start: date, days: int, *, calendar: WorkCalendar) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted).

    ``working_days_add(date(2025, 9, 30), 1)`` is 2025-10-09: 10-01…10-08 are 国庆节/中秋节 days
    off, 10-09 is the first working day after them. ``days == 0`` gives ``start``.

    Raises:
        ValueError: ``days`` is negative.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += _ONE_DAY
        if calendar.is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date, *, calendar: WorkCalendar) -> int:
    """The number of working days ``d`` with ``start < d <= end``; negative when ``end < start``.

    ``working_days_between(today, due)`` is the working time left before a deadline: 0 on the due
    date itself, negative once it has passed (−1 the first working day after it).
    """
    if end < start:
        return -working_days_between(end, start, calendar=calendar)
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        if calendar.is_working_day(day):
            count += 1
    return count


def deadline_after_pause(due: date, paused_on: date, resumed_on: date, *, calendar: WorkCalendar) -> date:
    """Move ``due`` later by the working days of a pause (补正, 行政许可法 §45 特别程序).

    The clock stops on ``paused_on`` (that day has run) and restarts after ``resumed_on``: the
    working days ``d`` with ``paused_on < d <= resumed_on`` are not counted, so the deadline moves
    by that many working days.

    Raises:
        ValueError: ``resumed_on`` is before ``paused_on``.
    """
    if resumed_on < paused_on:
        raise ValueError("a pause cannot end before it starts")
    return working_days_add(due, working_days_between(paused_on, resumed_on, calendar=calendar), calendar=calendar)


def working_days_paused(start: date, pauses: Iterable[tuple[date, date]], *, calendar: WorkCalendar) -> int:
    """The working days of ended ``pauses`` (``(started_on, ended_on)`` pairs) that fall after the
    clock's ``start``: each pause counts the working days ``d`` with ``started_on < d <= ended_on``
    and ``d > start`` (a pause before the clock started moves nothing)."""
    total = 0
    for started_on, ended_on in pauses:
        if ended_on > start:
            total += working_days_between(max(started_on, start), ended_on, calendar=calendar)
    return total


def deadline_with_pauses(start: date, days: int, pauses: Iterable[tuple[date, date]], *,
                         calendar: WorkCalendar) -> date:
    """The ``days``-th working day after ``start``, later by the working days of the ended
    ``pauses`` after ``start`` (``working_days_paused``): the deadline of a clock that stops and
    restarts (行政许可法 §45; 政府信息公开条例 第三十三条第三款)."""
    return working_days_add(start, days + working_days_paused(start, pauses, calendar=calendar), calendar=calendar)
