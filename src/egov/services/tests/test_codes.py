"""事项编码 checks (egov.services.codes); expected parts worked out by hand from the layout."""

import pytest

from egov.core.errors import ValidationFailed
from egov.services.codes import item_code_check, item_code_compose
from egov.services.tests.factories import CODE_A, USCC_A, USCC_B

pytestmark = pytest.mark.django_db


def test_a_valid_code_splits_into_its_parts():
    parsed = item_code_check(CODE_A, item_type="licensing", organization_uscc=USCC_A)
    assert (parsed.uscc, parsed.type_code, parsed.main, parsed.sub, parsed.handling) == (
        "91110000600037341L", "01", "0000101", "000", "00")
    assert parsed.basic_code == "010000101000"
    assert parsed.level == "main"
    assert len(parsed.code) == 32


def test_levels_follow_the_sub_item_and_handling_digits():
    sub = USCC_A + "01" + "0000101" + "002" + "00"
    handling = USCC_A + "01" + "0000101" + "002" + "03"
    assert item_code_check(sub, item_type="licensing", organization_uscc=USCC_A).level == "sub"
    assert item_code_check(handling, item_type="licensing", organization_uscc=USCC_A).level == "handling"


def test_compose_joins_the_parts():
    assert item_code_compose(uscc=USCC_A, basic_code="200000501000") == "91110000600037341L20000050100000"


def test_lower_case_and_spaces_are_normalized():
    assert item_code_check(f"  {CODE_A.lower()} ", item_type="licensing", organization_uscc=USCC_A).code == CODE_A


@pytest.mark.parametrize(
    ("code", "item_type", "owner", "rule"),
    [
        (CODE_A[:-1], "licensing", USCC_A, "format"),  # 31 characters
        (CODE_A[:20] + "00001A1" + "00000", "licensing", USCC_A, "format"),  # a letter in the main item
        ("91110000600037341M" + CODE_A[18:], "licensing", None, "uscc"),  # check character should be L
        (CODE_A, "licensing", USCC_B, "organization"),  # another body's code
        (CODE_A, "public_service", USCC_A, "item_type"),  # public service is 20, not 01
        (USCC_A + "01" + "0000000" + "000" + "00", "licensing", USCC_A, "main_item"),
    ],
)
def test_bad_codes_name_the_rule(code, item_type, owner, rule):
    with pytest.raises(ValidationFailed) as failure:
        item_code_check(code, item_type=item_type, organization_uscc=owner)
    assert failure.value.extra == {"field": "code", "rule": rule}
