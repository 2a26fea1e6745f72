"""The idempotency key's check (``facilities.idempotency``): required, naming the header the API
reads it from (fix9), and of 8–64 letters, digits, - or _."""

import pytest
from django.utils import translation

from egov.core.errors import ValidationFailed
from egov.facilities.idempotency import idempotency_key_check


@pytest.mark.parametrize("key", [None, "", "  "])
def test_a_missing_key_names_the_header(key):
    with pytest.raises(ValidationFailed) as raised:
        idempotency_key_check(key)
    assert raised.value.extra == {"field": "idempotency_key", "rule": "required", "header": "Idempotency-Key"}
    assert "Idempotency-Key 请求头" in raised.value.message
    with translation.override("en"), pytest.raises(ValidationFailed) as raised:
        idempotency_key_check(key)
    assert raised.value.message.startswith("An idempotency key is required: send the Idempotency-Key header")


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 65, "键键键键键键键键"])
def test_a_malformed_key_is_refused(key):
    with pytest.raises(ValidationFailed) as raised:
        idempotency_key_check(key)
    assert raised.value.extra == {"field": "idempotency_key", "rule": "format"}


def test_a_good_key_is_kept_without_its_spaces():
    assert idempotency_key_check("  letter-form_0001 ") == "letter-form_0001"
    assert idempotency_key_check("x" * 64) == "x" * 64
