"""Registered capital with its unit (``core.i18n.capital_text``): the register keeps the amount in
万 of an ISO 4217 currency; Chinese pages keep the 万, English pages write the whole amount."""

import pytest
from django.utils import translation

from egov.core.i18n import capital_text


@pytest.mark.parametrize(
    ("amount", "currency", "chinese", "english"),
    [
        ("1000.0000", "CNY", "1000 万元", "10,000,000 CNY"),  # 1000 × 10 000
        ("50.5000", "USD", "50.5 万美元", "505,000 USD"),  # 50.5 × 10 000
        ("0.5500", "", "0.55 万元", "5,500 CNY"),  # no currency stored: the register's default CNY
        ("3", "CHF", "3 万 CHF", "30,000 CHF"),  # a currency without a Chinese name here: its code
        ("0.00001", "CNY", "0.00001 万元", "0.1 CNY"),
    ],
)
def test_capital_in_each_language(amount, currency, chinese, english):
    with translation.override("zh-hans"):
        assert capital_text(amount=amount, currency=currency) == chinese
    with translation.override("en"):
        assert capital_text(amount=amount, currency=currency) == english


def test_no_amount_is_empty_and_text_that_is_no_number_is_kept():
    assert capital_text(amount=None) == "" and capital_text(amount="") == ""
    assert capital_text(amount="面议") == "面议"
