"""Time limits of 《政府信息公开条例》(2019) worked by hand over the 2026 schedule that the
migrations load (国务院办公厅 2025-11 notice, as chinesecalendar has it): 中秋 2026-09-25…27 off;
国庆 2026-10-01…07 off; 2026-09-20 (Sunday) and 2026-10-10 (Saturday) are working days."""

from datetime import date

import pytest

from egov.portal import deadlines
from egov.workflow.selectors import work_calendar

pytestmark = pytest.mark.django_db


def test_registered_monday_before_national_day_is_due_2026_10_30():
    # Received Mon 2026-09-28 (the day itself not counted). Working days after it:
    # 09-29 (1), 09-30 (2); 10-01…10-07 off; 10-08 Thu (3), 10-09 Fri (4), 10-10 Sat worked (5),
    # 10-12…10-16 (6–10), 10-19…10-23 (11–15), 10-26…10-30 (16–20) → due Friday 2026-10-30.
    due = deadlines.request_due_on(received_on=date(2026, 9, 28), corrected_on=None, extension_days=0, pauses=[],
                                   calendar=work_calendar())
    assert due == date(2026, 10, 30)


def test_an_extension_of_20_working_days_adds_four_full_weeks():
    # From 10-30: 11-02…11-06 (5), 11-09…11-13 (10), 11-16…11-20 (15), 11-23…11-27 (20).
    due = deadlines.request_due_on(received_on=date(2026, 9, 28), corrected_on=None, extension_days=20, pauses=[],
                                   calendar=work_calendar())
    assert due == date(2026, 11, 27)


def test_a_saturday_is_received_on_monday_and_a_working_saturday_on_itself():
    calendar = work_calendar()
    assert deadlines.receipt_day(date(2026, 11, 7), calendar=calendar) == date(2026, 11, 9)
    assert deadlines.receipt_day(date(2026, 10, 3), calendar=calendar) == date(2026, 10, 8)  # 国庆 → Thu 10-08
    assert deadlines.receipt_day(date(2026, 10, 10), calendar=calendar) == date(2026, 10, 10)  # 调休上班


def test_the_correction_window_is_seven_working_days():
    # Received Mon 11-02: 11-03 (1), 04, 05, 06 (4), 09 (5), 10 (6), 11 (7) → the last day is 11-11.
    calendar = work_calendar()
    assert deadlines.correction_allowed(received_on=date(2026, 11, 2), today=date(2026, 11, 11), calendar=calendar)
    assert not deadlines.correction_allowed(received_on=date(2026, 11, 2), today=date(2026, 11, 12),
                                            calendar=calendar)


def test_a_consultation_is_not_counted():
    # Received 11-02 → due 11-30 (11-03…06: 4, 09…13: 9, 16…20: 14, 23…27: 19, 30: 20). A consultation
    # from 11-04 to 11-18 stops 10 working days (11-05, 06, 09…13, 16, 17, 18) → 30 working days after
    # 11-02: 11-30 is the 20th, 12-01…04 (24), 12-07…11 (29), 12-14 (30).
    due = deadlines.request_due_on(received_on=date(2026, 11, 2), corrected_on=None, extension_days=0,
                                   pauses=[(date(2026, 11, 4), date(2026, 11, 18))], calendar=work_calendar())
    assert due == date(2026, 12, 14)
