"""Content in two languages: the one pattern for texts people type into the platform (catalogue
items, materials, form fields, organization names, notifications).

Chinese is the text of record; the English text sits beside it under the same name with ``_en``
added: a model field ``name`` has ``name_en``, a JSON entry's ``"title"`` has ``"title_en"``. Pages
show the English text when English is the active language and one is there, else the Chinese.
Fixed words of the interface (statuses, labels) are not content: they go through gettext.
"""

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
