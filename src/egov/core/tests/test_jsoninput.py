"""The JSON input contract (issue 17): RFC 8259 text with finite numbers, whole Unicode strings and
64-bit integers, each refusal naming the field by its dotted path."""

import pytest

from egov.core.errors import ValidationFailed
from egov.core.jsoninput import INT64_MAX, INT64_MIN, json_loads_strict


def test_ordinary_json_passes_unchanged():
    text = '{"a": [1, 2.5, "无锡", "\\ud83d\\ude00", true, null], "b": {"c": -9223372036854775808}}'
    assert json_loads_strict(text.encode()) == {
        "a": [1, 2.5, "无锡", "😀", True, None],
        "b": {"c": -9223372036854775808},
    }


@pytest.mark.parametrize(
    ("text", "field", "rule"),
    [
        ('{"x": NaN}', "x", "finite"),
        ('{"x": [0, Infinity]}', "x.1", "finite"),
        ('{"x": {"y": -Infinity}}', "x.y", "finite"),
        ('{"x": 1e400}', "x", "finite"),  # a float that overflows to inf
        ('{"x": "a\\ud800"}', "x", "surrogate"),  # a lone high surrogate
        ('{"x": ["\\udc00b"]}', "x.0", "surrogate"),  # a lone low surrogate
        ('{"x": "\\ude00\\ud83d"}', "x", "surrogate"),  # a pair in the wrong order is two lone halves
        ('{"\\ud800": 1}', "\\ud800", "surrogate"),  # in a key: the name is printable
        ('{"x": 9223372036854775808}', "x", "int64"),  # 2**63
        ('{"x": -9223372036854775809}', "x", "int64"),  # -2**63 - 1
        ("NaN", "body", "finite"),
    ],
)
def test_each_refusal_names_the_field_and_the_rule(text, field, rule):
    with pytest.raises(ValidationFailed) as caught:
        json_loads_strict(text.encode())
    assert caught.value.extra["field"] == field and caught.value.extra["rule"] == rule


def test_the_64_bit_bounds_are_those_of_postgresql_bigint():
    assert (INT64_MIN, INT64_MAX) == (-9223372036854775808, 9223372036854775807)
    assert json_loads_strict(b"[9223372036854775807]") == [9223372036854775807]


@pytest.mark.parametrize("raw", [b'{"x": ', b"\xff\xfe\xfa", b"[" * 100000])
def test_text_that_is_not_json_is_a_json_refusal(raw):
    with pytest.raises(ValidationFailed) as caught:
        json_loads_strict(raw)
    assert caught.value.extra["field"] == "body" and caught.value.extra["rule"] == "json"
