"""Template filters for content in two languages (``egov.core.i18n``): ``{% load egov_i18n %}``."""

from django import template

from egov.core import i18n

register = template.Library()


@register.filter
def series(items) -> str:
    """``{{ names|series }}``: 甲、乙 in Chinese, "A, B" in English."""
    return i18n.series(items)


@register.filter
def local(entry: dict, key: str):
    """``{{ basis|local:"title" }}``: a JSON entry's ``key`` in the active language (``key_en`` in English)."""
    return i18n.pick_key(entry, key)


@register.filter
def capital(amount, currency: str = "CNY") -> str:
    """``{{ record.registered_capital|capital:record.capital_currency }}``: 1000 万元 in Chinese,
    10,000,000 CNY in English (``i18n.capital_text``; the amount in 万 of the currency)."""
    return i18n.capital_text(amount=amount, currency=currency)
