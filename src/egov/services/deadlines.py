"""The deadline of a case (办件时限): working days from acceptance, pauses not counted.

行政许可法 §42: the decision is due within the time limit counted in working days from the day the
application is accepted (受理; that day itself not counted, 民法典 §201); §45: the time of a hearing,
inspection, appraisal or expert review is not counted; the time the applicant takes to supplement
materials is not counted either. A pause counts the working days ``d`` with ``start < d ≤ end``;
only days after acceptance can move the case deadline (a 补正 before acceptance stops the clock of
the 受理 step instead, whose own limit is 行政许可法 §32's five days).
"""

from collections.abc import Iterable
from datetime import date

from egov.core import workdays


def case_due_date(*, accepted_on: date, limit_days: int, pauses: Iterable[tuple[date, date]],
                  calendar: workdays.WorkCalendar) -> date:
    """The case deadline: the ``limit_days``-th working day after ``accepted_on``, later by the
    working days of the ended ``pauses`` after acceptance.

    Example (the 2026 schedule: 国庆 10-01…10-07 off, 10-10 a working Saturday): accepted on
    2026-09-28 with 20 working days → 2026-10-30; a special procedure from 10-12 to 10-14 (2 working
    days not counted) → 2026-11-03.
    """
    return workdays.deadline_with_pauses(accepted_on, limit_days, pauses, calendar=calendar)
