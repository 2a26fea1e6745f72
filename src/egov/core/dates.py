"""Calendar arithmetic on dates (working days are in ``core.workdays``).

A period counted in months ends on the corresponding day of the last month, or on that month's last
day when it has no such day (《中华人民共和国民法典》第二百零二条: "按照年、月计算期间的，到期月的对应日为
期间的最后一日；没有对应日的，月末日为期间的最后一日"). A year is twelve months.
"""

import calendar
from datetime import date


def months_add(day: date, months: int) -> date:
    """The day ``months`` calendar months after ``day`` (before it when ``months`` is negative): the same
    day of that month, else that month's last day (民法典 §202).

    ``months_add(date(2026, 1, 31), 1)`` is 2026-02-28; ``(date(2024, 1, 31), 1)`` 2024-02-29;
    ``(date(2028, 2, 29), 12)`` 2029-02-28; ``(date(2026, 9, 28), 3)`` 2026-12-28.
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
