from datetime import date

import pytest

from egov.core.dates import months_add


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        # 民法典 §202: the corresponding day, else the month's last day (worked by hand on the calendar).
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 9, 28), 3, date(2026, 12, 28)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 12, 4), 12, date(2027, 12, 4)),
        (date(2025, 9, 26), 36, date(2028, 9, 26)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
    ],
)
def test_months_add_ends_on_the_corresponding_day_or_the_months_end(day, months, expected):
    assert months_add(day, months) == expected
