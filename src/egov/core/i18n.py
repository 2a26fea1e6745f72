"""Content in two languages: the one pattern for texts people type into the platform (catalogue
items, materials, form fields, organization names, notifications).

Chinese is the text of record; the English text sits beside it under the same name with ``_en``
added: a model field ``name`` has ``name_en``, a JSON entry's ``"title"`` has ``"title_en"``. Pages
show the English text when English is the active language and one is there, else the Chinese.
Fixed words of the interface (statuses, labels) are not content: they go through gettext.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language, pgettext


def english() -> bool:
    """True when the active language is English (``en``, ``en-gb`` …)."""
    return (get_language() or "").lower().startswith("en")


def pick(chinese, english_text):
    """``english_text`` when English is active and it is not empty, else ``chinese`` (any type:
    strings, or lists such as process steps)."""
    return english_text if english_text and english() else chinese


def pick_key(entry: dict, key: str):
    """``entry[key]`` in the active language: ``entry[key + "_en"]`` on English pages when present."""
    return pick(entry.get(key, ""), entry.get(f"{key}_en", ""))


def series(items) -> str:
    """Items listed in the active language's way: 甲、乙、丙 in Chinese, "A, B, C" in English."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


# The Chinese names of the currencies registered capital is commonly stated in (ISO 4217 code →
# name as written after 万: 100 万元, 50 万美元); any other is written by its code (50 万 CHF).
CURRENCY_NAMES_ZH = {"CNY": "元", "USD": "美元", "EUR": "欧元", "HKD": "港元", "JPY": "日元", "GBP": "英镑"}


def capital_text(*, amount, currency: str = "CNY") -> str:
    """A registered capital as the reader's language writes it, from the register's fields as
    stored: ``amount`` in units of ten thousand (万) of ``currency`` (ISO 4217; "" means ``CNY``).

    Chinese keeps the 万 as 登记 records state it: ``("1000", "CNY")`` → ``1000 万元``,
    ``("50.5000", "USD")`` → ``50.5 万美元``. English writes the whole amount with its code:
    ``("1000", "CNY")`` → ``10,000,000 CNY``, ``("0.55", "USD")`` → ``5,500 USD``.

    Args:
        amount: a ``Decimal``, a number or its text (``"1000.0000"``); None or "" gives "".
        currency: the ISO 4217 code.

    Returns:
        The text; ``amount`` unchanged (as text) when it is not a number.
    """
    if amount is None or str(amount).strip() == "":
        return ""
    currency = (currency or "CNY").strip().upper()
    try:
        wan = Decimal(str(amount).strip())
    except InvalidOperation:
        return str(amount)
    if english():
        whole = wan * 10000
        text = f"{int(whole):,}" if whole == whole.to_integral_value() else f"{whole.normalize():,f}"
        return f"{text} {currency}"
    text = format(wan.normalize(), "f")
    name = CURRENCY_NAMES_ZH.get(currency)
    return f"{text} 万{name}" if name else f"{text} 万 {currency}"
