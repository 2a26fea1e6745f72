"""The time limits of a request for government information, in working days (pure functions).

《政府信息公开条例》(2019):
- 第三十一条: the date of receipt. We use the day the disclosure office registers the request; a
  request registered on a day off is received on the next working day.
- 第三十条: an unclear request is sent back for correction (补正) once, within 7 working days of
  receipt; the answer period counts from the receipt of the corrected request.
- 第三十三条: the answer is due within 20 working days of receipt; the head of the disclosure office
  may extend it by at most 20 working days; the time of a third-party consultation (第三十二条, whose
  opinion is due within 15 working days) is not counted.

Working days follow the platform's calendar (``egov.core.workdays``); the day a period starts is
not counted (民法典 第二百零一条), as for case deadlines (``egov.services.deadlines``).
"""

from collections.abc import Iterable
from datetime import date, timedelta

from egov.core import workdays

ANSWER_DAYS = 20  # 第三十三条第二款
EXTENSION_MAX_DAYS = 20  # 第三十三条第二款 "延长的期限最长不得超过20个工作日"
CORRECTION_WINDOW_DAYS = 7  # 第三十条 "自收到申请之日起7个工作日内"
THIRD_PARTY_DAYS = 15  # 第三十二条 "自收到征求意见书之日起15个工作日内提出意见"
REMIND_DAYS = 3  # staff are reminded when 3 working days are left


def receipt_day(day: date, *, calendar: workdays.WorkCalendar) -> date:
    """``day`` if it is a working day, else the next working day (a request registered on a
    Saturday is received on Monday, 第三十一条)."""
    return workdays.working_days_add(day - timedelta(days=1), 1, calendar=calendar)


def correction_allowed(*, received_on: date, today: date, calendar: workdays.WorkCalendar) -> bool:
    """True while a correction may still be requested: at most 7 working days after ``received_on``
    (第三十条). Received Monday 2026-11-02 → the last day is Wednesday 2026-11-11."""
    return workdays.working_days_between(received_on, today, calendar=calendar) <= CORRECTION_WINDOW_DAYS


def request_due_on(*, received_on: date, corrected_on: date | None, extension_days: int,
                   pauses: Iterable[tuple[date, date]], calendar: workdays.WorkCalendar) -> date:
    """The day the answer is due: the ``20 + extension_days``-th working day after the receipt (of
    the corrected request, when there was a correction), later by the working days of ended
    third-party consultations.

    Example (2026 schedule: 国庆 10-01…10-07 off, 10-10 a working Saturday): received 2026-09-28 →
    due 2026-10-30; extended by 20 → 2026-11-27.

    Args:
        received_on: the date of receipt (第三十一条), a working day.
        corrected_on: the receipt of the corrected request (第三十条), or None.
        extension_days: working days of the approved extension, 0–20.
        pauses: ``(started_on, ended_on)`` of the ended consultations.
    """
    return workdays.deadline_with_pauses(corrected_on or received_on, ANSWER_DAYS + extension_days, pauses,
                                         calendar=calendar)
