"""Working-day arithmetic on hand-built calendars (expected dates worked out by hand)."""

from datetime import date

import pytest

from egov.core.workdays import WorkCalendar, deadline_after_pause, working_days_add, working_days_between

# 2025 国庆节、中秋节 (国办发明电〔2024〕12号): 10-01…10-08 off; Sunday 09-28 and Saturday 10-11 worked.
OCTOBER_2025 = WorkCalendar(
    off_days=frozenset(date(2025, 10, d) for d in range(1, 9)),
    extra_working_days=frozenset({date(2025, 9, 28), date(2025, 10, 11)}),
    known_years=frozenset({2025}),
)


def test_start_day_is_not_counted():
    assert working_days_add(date(2025, 9, 29), 1, calendar=OCTOBER_2025) == date(2025, 9, 30)
    assert working_days_add(date(2025, 9, 29), 0, calendar=OCTOBER_2025) == date(2025, 9, 29)


def test_holiday_week_is_skipped_and_adjusted_saturday_counts():
    assert working_days_add(date(2025, 9, 30), 1, calendar=OCTOBER_2025) == date(2025, 10, 9)
    assert working_days_add(date(2025, 9, 30), 3, calendar=OCTOBER_2025) == date(2025, 10, 11)
    assert working_days_add(date(2025, 9, 26), 1, calendar=OCTOBER_2025) == date(2025, 9, 28)


def test_between_counts_days_after_start_up_to_end():
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 10), calendar=OCTOBER_2025) == 2
    assert working_days_between(date(2025, 10, 10), date(2025, 10, 10), calendar=OCTOBER_2025) == 0
    assert working_days_between(date(2025, 10, 10), date(2025, 9, 30), calendar=OCTOBER_2025) == -2


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        working_days_add(date(2025, 1, 1), -1, calendar=OCTOBER_2025)


def test_unknown_year_falls_back_to_weekends_and_fixed_date_holidays():
    empty = WorkCalendar()
    # 2030: 劳动节 5-1 (Wed) and 5-2 (Thu) off under the 2024 revision; 国庆节 10-1…10-3 (Tue–Thu).
    assert working_days_add(date(2030, 4, 30), 1, calendar=empty) == date(2030, 5, 3)
    assert working_days_add(date(2030, 9, 30), 1, calendar=empty) == date(2030, 10, 4)
    assert working_days_add(date(2029, 12, 31), 1, calendar=empty) == date(2030, 1, 2)
    assert working_days_add(date(2030, 5, 3), 1, calendar=empty) == date(2030, 5, 6)  # over a weekend
    assert not empty.is_known(date(2030, 1, 1))


def test_pause_over_national_day_2025():
    # Stopped Friday 09-26, restarted Thursday 10-09: 09-28 (Sun, worked), 09-29, 09-30 and 10-09 are
    # not counted (4 working days), so a deadline of 09-30 moves to 10-09, 10-10, 10-11 (Sat, worked), 10-13.
    assert deadline_after_pause(date(2025, 9, 30), date(2025, 9, 26), date(2025, 10, 9),
                                calendar=OCTOBER_2025) == date(2025, 10, 13)


def test_pause_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        deadline_after_pause(date(2025, 9, 30), date(2025, 9, 26), date(2025, 9, 25), calendar=OCTOBER_2025)
