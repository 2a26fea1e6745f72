"""Dates as printed on documents.

GB/T 9704-2012 §7.3.5.1 prints 成文日期 in Arabic numerals: "用阿拉伯数字将年、月、日标全，年份应标全称，
月、日不编虚位（即1不编为01）" (2026年11月30日), and §7.4.3 the 印发日期 the same way. GB/T 9704-1999
printed 成文日期 in Chinese numerals with 〇 for zero (二〇二六年十一月三十日); documents registered
from that era, and organizations that keep that style, use ``date_chinese``.
"""

from datetime import date

_DIGITS = "〇一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """1–31 as Chinese numerals: 1 一, 10 十, 11 十一, 20 二十, 30 三十, 31 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def date_chinese(value: date) -> str:
    """``date(2026, 11, 30)`` → ``二〇二六年十一月三十日`` (year digit by digit, 〇 for zero)."""
    year = "".join(_DIGITS[int(d)] for d in str(value.year))
    return f"{year}年{_chinese_number(value.month)}月{_chinese_number(value.day)}日"


def date_arabic(value: date) -> str:
    """``date(2026, 7, 1)`` → ``2026年7月1日`` (no padding)."""
    return f"{value.year}年{value.month}月{value.day}日"
