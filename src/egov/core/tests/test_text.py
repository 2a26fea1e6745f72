"""The one check of names (egov.core.text.name_clean): no character that makes a name look like another."""

import pytest

from egov.core.errors import ValidationFailed
from egov.core.text import name_clean, text_clean


@pytest.mark.parametrize(
    "char",
    [
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",  # embeddings, pop, overrides (UAX #9)
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",  # isolates
        "\u200e",
        "\u200f",
        "\u061c",  # LRM, RLM, ALM
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",  # zero-width space, non-joiner, joiner, word joiner, BOM
        "\x00",
        "\x07",
        "\n",
        "\t",
        "\x7f",
        "\x85",  # controls (Cc)
        "\u00ad",
        "\u180e",
        "\U000e0001",  # other format characters (Cf): soft hyphen, Mongolian vowel separator, tag
        "\u2028",
        "\u2029",  # line and paragraph separators
    ],
)
def test_a_name_with_an_invisible_or_control_character_is_refused(char):
    with pytest.raises(ValidationFailed) as info:
        name_clean(f"李{char}四", field="name")
    assert info.value.extra == {"field": "name", "rule": "invalid", "character": f"U+{ord(char):04X}"}


def test_the_refused_character_is_named_in_the_message():
    with pytest.raises(ValidationFailed) as info:
        name_clean("张三\u202e", field="name")  # an override at the end is kept by strip(): not white space
    assert "U+202E" in info.value.message


@pytest.mark.parametrize(
    "name",
    [
        "李四",
        "张\U00020000明",  # 𠀀, CJK Extension A's successor B (U+20000)
        "王\U00030000",  # Extension G (Unicode 13)
        "赵\U00031350",  # Extension H (Unicode 15): unassigned in Python 3.11's tables, still welcome
        "葛\U000e0100",  # 葛 with an ideographic variation selector (Mn), as registers spell some names
        "陈\ue000",  # a private-use character: older registers code rare characters of names there
        "阿依古丽·买买提",
        "Zoë O'Brien-Łukasz",
        "محمد",
        "Ана",
    ],
)
def test_real_names_stay_welcome(name):
    assert name_clean(f"  {name} ", field="name") == name


def test_required_and_length_rules_are_those_of_text_clean():
    with pytest.raises(ValidationFailed) as info:
        name_clean("  ", field="legal_representative")
    assert info.value.extra == {"field": "legal_representative", "rule": "required"}
    with pytest.raises(ValidationFailed) as info:
        name_clean("李" * 201, field="name")
    assert info.value.extra == {"field": "name", "rule": "max_length"}
    assert name_clean("\U00020000" * 200, field="name") == "\U00020000" * 200  # characters, not UTF-16 units


# Free text (reasons, facts, purposes): tester's findings M1/M2 on credit.
@pytest.mark.parametrize(
    "char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)
def test_free_text_with_a_bidi_control_is_refused(char):
    with pytest.raises(ValidationFailed) as info:
        text_clean(f"处罚{char}已撤销", field="reason", limit=100)
    assert info.value.extra == {"field": "reason", "rule": "invalid", "character": f"U+{ord(char):04X}"}


@pytest.mark.parametrize("value", ["\u200b", " \u200b\u200c ", "\ufeff\n\u2060", "\u00ad", "\u3000"])
def test_free_text_of_invisible_characters_only_is_empty(value):
    with pytest.raises(ValidationFailed) as info:
        text_clean(value, field="reasons", limit=100)
    assert info.value.extra == {"field": "reasons", "rule": "required"}
    assert text_clean(value, field="facts", limit=100, required=False) == ""


def test_free_text_keeps_line_breaks_and_joined_emoji():
    assert text_clean(" 第一行\n第二行\t ", field="reason", limit=100) == "第一行\n第二行"
    assert text_clean("👨\u200d👩", field="reason", limit=100) == "👨\u200d👩"  # a joiner between visible ones
