from datetime import date

import pytest

from egov.documents.numerals import date_arabic, date_chinese


@pytest.mark.parametrize(("value", "expected"), [
    (date(2026, 11, 30), "二〇二六年十一月三十日"),
    (date(2004, 1, 1), "二〇〇四年一月一日"),
    (date(2012, 7, 10), "二〇一二年七月十日"),
    (date(2019, 12, 31), "二〇一九年十二月三十一日"),
    (date(2020, 2, 29), "二〇二〇年二月二十九日"),
    (date(2000, 10, 15), "二〇〇〇年十月十五日"),
])
def test_chinese_numerals_gbt_9704_1999_style(value, expected):
    assert date_chinese(value) == expected


def test_arabic_numerals_gbt_9704_2012_no_padding():
    # §7.3.5.1: 月、日不编虚位（即1不编为01）.
    assert date_arabic(date(2026, 7, 1)) == "2026年7月1日"
    assert date_arabic(date(2026, 11, 30)) == "2026年11月30日"
