"""The JSON input contract (issue 17): RFC 8259 text with finite numbers, whole Unicode strings and
64-bit integers, each refusal naming the field by its dotted path."""

import json

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


def test_a_large_file_in_base64_is_checked_in_one_scan_not_character_by_character():
    """A 2 MB material sent as base64 (the API's ``materials``): the surrogate check walked its
    2.8 million characters in Python (~170 ms of CPU here, issue 18), now one scan in C (well under 1 ms)."""
    import base64
    import time

    body = json.dumps({"materials": {"1": base64.b64encode(b"%PDF-1.7\n" + bytes(2 * 1024 * 1024)).decode()},
                       "form": {"name": "无锡" * 1000}}).encode()
    json_loads_strict(body)  # warm-up
    began = time.process_time()
    assert json_loads_strict(body)["form"]["name"] == "无锡" * 1000
    # json.loads itself takes a few ms of these bytes; the old walk alone took ~170 ms.
    assert time.process_time() - began < 0.06
    with pytest.raises(ValidationFailed) as refused:
        json_loads_strict(body.replace(b'"name": "', b'"name": "\\udc00', 1))
    assert refused.value.extra == {"field": "form.name", "rule": "surrogate"}
