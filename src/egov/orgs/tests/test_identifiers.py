"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015)."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.core.errors import ValidationFailed
from egov.orgs.identifiers import resident_id_check, uscc_check
from egov.orgs.tests.standards import USCC_ALPHABET, resident_id, ric_check_character, uscc, uscc_check_character

pytestmark = pytest.mark.django_db


def rule_of(call) -> str:
    with pytest.raises(ValidationFailed) as info:
        call()
    return info.value.extra["rule"]


def test_standard_example_worked_by_hand():
    # GB 11643-1999 example 11010519491231002X: Σ digit × weight = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4
    # = 167; 167 mod 11 = 2; "10X98765432"[2] = X.
    assert ric_check_character("11010519491231002") == "X"
    rid = resident_id_check("11010519491231002X")
    assert rid.number == "11010519491231002X"
    assert rid.division_code == "110105"
    assert rid.birth_date == datetime.date(1949, 12, 31)
    assert rid.sex == "F"  # 17th digit 2 is even


def test_lowercase_x_is_read_as_upper_case():
    assert resident_id_check("11010519491231002x").number == "11010519491231002X"


def test_odd_sequence_is_male():
    # 320213 19900307 451 4: the 17th digit 1 is odd.
    assert resident_id_check("320213199003074514").sex == "M"


@pytest.mark.parametrize("value", ["1101051949123100", "11010519491231002XX", "1101051949123100XX", "",
                                   "11010519491231002Y", "A1010519491231002X", "11010519491231002X0"])
def test_format(value):
    assert rule_of(lambda: resident_id_check(value)) == "format"


@pytest.mark.parametrize("value", [
    "11010519491231002\u0660",  # ARABIC-INDIC DIGIT ZERO as the check character
    "\u0661\u0661010519491231002X",
])
def test_only_ascii_digits_are_digits(value):
    assert rule_of(lambda: resident_id_check(value)) == "format"


def test_check_character():
    assert rule_of(lambda: resident_id_check("110105194912310021")) == "check_character"
    assert rule_of(lambda: resident_id_check("320213199003074515")) == "check_character"


def test_birth_date_not_a_real_date():
    # 1999 is not a leap year; the check character is right, so the date rule is the one that fails.
    number = "32021319990229001" + ric_check_character("32021319990229001")
    with pytest.raises(ValidationFailed) as info:
        resident_id_check(number)
    assert info.value.extra == {"field": "id_number", "rule": "birth_date"}


def test_birth_date_in_the_future():
    tomorrow = datetime.date(2030, 6, 2)
    number = resident_id(f"320213{tomorrow:%Y%m%d}001")
    assert rule_of(lambda: resident_id_check(number, today=datetime.date(2030, 6, 1))) == "birth_date"
    assert resident_id_check(number, today=tomorrow).birth_date == tomorrow
    assert rule_of(lambda: resident_id_check(resident_id("32021320991231001"))) == "birth_date"


def test_leap_day_of_a_leap_year_is_a_real_date():
    assert resident_id_check(resident_id("32021320000229001")).birth_date == datetime.date(2000, 2, 29)


def test_division_code_never_used():
    # 990000 was never a GB/T 2260 code; 990000 19900101 001 → check character 7.
    assert resident_id("99000019900101001") == "990000199001010017"
    with pytest.raises(ValidationFailed) as info:
        resident_id_check("990000199001010017")
    assert info.value.extra == {"field": "id_number", "rule": "division_code"}
    assert "990000" in info.value.message


def test_retired_division_code_still_resolves():
    # 320202 崇安区 was retired in 2015 (merged into 320213 梁溪区); numbers issued with it stay valid.
    assert resident_id_check("320202198001011233").division_code == "320202"


def test_reused_code_from_its_first_period_resolves():
    # 320211 was 郊区 from 1983 to 2000 (and is 滨湖区 since).
    assert resident_id_check(resident_id("32021119850101001")).division_code == "320211"


def test_field_name_is_passed_through():
    with pytest.raises(ValidationFailed) as info:
        resident_id_check("123", field="agent_id_number")
    assert info.value.extra["field"] == "agent_id_number"


# --- GB 32100-2015 unified social credit code ---


def test_uscc_standard_example():
    assert uscc_check_character("91110000600037341") == "L"
    assert uscc_check("91110000600037341L") == "91110000600037341L"
    assert uscc_check("91110000600037341l") == "91110000600037341L"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_uscc_refuses_letters_outside_the_code_alphabet(letter):
    first17 = f"9111000060003734{letter}"
    assert rule_of(lambda: uscc_check(first17 + "0")) == "format"


@pytest.mark.parametrize("value", ["", "91110000600037341", "91110000600037341LL", "9111A000600037341L",
                                   "91110000-60003734L"])
def test_uscc_format(value):
    assert rule_of(lambda: uscc_check(value)) == "format"


@pytest.mark.parametrize("typed", [
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width, as Chinese input methods type it
    "110105 19491231 002X",  # grouped as printed on the card
    "110105-19491231-002x",
])
def test_id_numbers_are_read_as_typed(typed):
    """Found by a tester: full-width digits and grouped numbers were refused instead of read."""
    assert resident_id_check(typed).number == "11010519491231002X"


def test_uscc_only_ascii_digits_are_digits():
    assert rule_of(lambda: uscc_check("91\u0661\u066110000600037341L")) == "format"
    assert uscc_check("９１１１ ００００ ６０００ ３７３４ １Ｌ") == "91110000600037341L"


@pytest.mark.parametrize("first", "BCDEFGHJKLMPQRTUWX0")
def test_uscc_first_character_is_a_registration_authority(first):
    """GB 32100-2015 Table 1 lists 1–9, A, N and Y; found by a tester: E… was accepted."""
    body = first + "1320211MA1ABCDE1"
    assert rule_of(lambda: uscc_check(body + uscc_check_character(body))) == "registration_authority"


# GB 32100-2015 Table 1 (with the amendments adding A and N), written out from the standard: the
# 登记管理部门代码 followed by each 机构类别代码 it issues.
TABLE_1_PAIRS = (
    "11 12 13 19 "  # 1 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "21 29 "  # 2 外交: 外国常驻新闻机构, 其他
    "31 32 33 34 35 39 "  # 3 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "41 49 "  # 4 文化: 外国在华文化中心, 其他
    "51 52 53 59 "  # 5 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "61 62 69 "  # 6 旅游: 外国旅游部门常驻代表机构, 港澳台地区旅游部门常驻内地（大陆）代表机构, 其他
    "71 72 79 "  # 7 宗教: 宗教活动场所, 宗教院校, 其他
    "81 89 "  # 8 工会: 基层工会, 其他
    "91 92 93 "  # 9 工商: 企业, 个体工商户, 农民专业合作社 (no 9 其他)
    "A1 A9 "  # A 中央军委改革和编制办公室: 军队事业单位, 其他
    "N1 N2 N3 N9 "  # N 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y1"  # Y 其他: not divided, always 1
).split()


@pytest.mark.parametrize("code, accepted", [
    # Worked by hand (weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, check = 31 − Σ mod 31). The
    # tail 3202137654321AB weighs 27+54+0+52+16+51+140+174+125+52+24+48+10+300+308 = 1381.
    ("943202137654321ABQ", False),  # 9·1 + 4·3 = 21; 1402 mod 31 = 7 → 24 = Q. 工商 issues no type 4.
    ("993202137654321AB9", False),  # 9 + 27 = 36; 1417 mod 31 = 22 → 9. 工商 has no 9 其他.
    ("Y23202137654321AB9", False),  # Y = 30: 30 + 6 = 36; 1417 mod 31 = 22 → 9. Y 其他 only uses 1.
    ("Y13202137654321ABC", True),  # 30 + 3 = 33; 1414 mod 31 = 19 → 12 = C.
    ("N33202137654321ABE", True),  # N = 22: 22 + 9 = 31; 1412 mod 31 = 17 → 14 = E. 乡镇级集体经济组织.
    ("913202137654321AB2", True),  # 9 + 3 = 12; 1393 mod 31 = 29 → 2. 企业.
])
def test_uscc_authority_and_type_must_be_a_pair_of_table_1(code, accepted):
    assert uscc_check_character(code[:17]) == code[17]
    if accepted:
        assert uscc_check(code) == code
    else:
        with pytest.raises(ValidationFailed) as info:
            uscc_check(code)
        assert info.value.extra == {"field": "uscc", "rule": "authority_type_pair"}
        assert "GB 32100-2015" in info.value.message  # the reason names the standard's table


def test_every_authority_and_type_outside_table_1_is_refused():
    for authority in "123456789ANY":
        for kind in USCC_ALPHABET:
            code = uscc(f"{authority}{kind}3202137654321AB")
            if authority + kind in TABLE_1_PAIRS:
                assert uscc_check(code) == code
            else:
                assert rule_of(lambda code=code: uscc_check(code)) == "authority_type_pair", code


def test_a_resident_id_that_satisfies_the_uscc_checksum_is_not_a_uscc():
    """Issue 19: 152102198001010569 is a resident ID number (152102 满洲里市, born 1980-01-01, sequence 056;
    Σ = 7+45+20+5+0+8+2+9+48+0+0+9+0+5+0+20+12 = 190, 190 mod 11 = 3 → "9"), and read as a USCC its
    check character also fits (Σ = 1+15+18+27+0+52+16+153+160+0+0+13+0+24+0+150+168 = 797, 797 mod 31 = 22,
    31 − 22 = 9 → "9") and characters 3–8 (210219, 瓦房店市 1985–86) were a division. 1 机构编制 issues no
    type 5: refused."""
    number = "152102198001010569"
    assert resident_id_check(number).birth_date == datetime.date(1980, 1, 1)
    assert uscc_check_character(number[:17]) == "9"
    with pytest.raises(ValidationFailed) as info:
        uscc_check(number)
    assert info.value.extra == {"field": "uscc", "rule": "authority_type_pair"}
    assert "机构编制" in info.value.message


def test_uscc_check_character():
    assert rule_of(lambda: uscc_check("91110000600037341M")) == "check_character"


def test_uscc_division_code_never_used():
    code = uscc("91990000600037341")
    with pytest.raises(ValidationFailed) as info:
        uscc_check(code)
    assert info.value.extra == {"field": "uscc", "rule": "division_code"}


def test_uscc_retired_division_code_is_accepted():
    assert uscc_check(uscc("91320202MA0000001")).startswith("91320202")


# --- properties: the check character catches every single-character error ---

digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)


@settings(max_examples=200, deadline=None)
@given(first17=digits17)
def test_any_17_digits_with_their_check_character_pass_the_checksum(first17):
    try:
        resident_id_check(resident_id(first17))
    except ValidationFailed as error:
        assert error.extra["rule"] in {"birth_date", "division_code"}


@settings(max_examples=100, deadline=None)
@given(seq=st.integers(0, 999), birth=st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)),
       code=st.sampled_from(["110105", "320202", "320211", "320213", "320281", "440305"]))
def test_well_formed_numbers_pass_every_rule(seq, birth, code):
    number = resident_id(f"{code}{birth:%Y%m%d}{seq:03d}")
    rid = resident_id_check(number)
    assert (rid.number, rid.division_code, rid.birth_date) == (number, code, birth)


@settings(max_examples=300, deadline=None)
@given(first17=digits17, position=st.integers(0, 17), data=st.data())
def test_any_single_character_change_fails_the_checksum(first17, position, data):
    number = resident_id(first17)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1:]
    assert rule_of(lambda: resident_id_check(changed)) == "check_character"


uscc_body = st.tuples(
    st.sampled_from(TABLE_1_PAIRS),  # GB 32100-2015 Table 1, 登记管理部门代码 and 机构类别代码
    st.sampled_from(["110000", "320200", "320213", "320202"]),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@settings(max_examples=200, deadline=None)
@given(first17=uscc_body)
def test_uscc_with_its_check_character_passes(first17):
    assert uscc_check(uscc(first17)) == uscc(first17)


@settings(max_examples=300, deadline=None)
@given(first17=uscc_body, position=st.sampled_from([0, 1, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]), data=st.data())
def test_uscc_any_single_character_change_fails(first17, position, data):
    code = uscc(first17)
    replacement = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[position]]))
    changed = code[:position] + replacement + code[position + 1:]
    expected = "registration_authority" if position == 0 and replacement not in "123456789ANY" else "check_character"
    assert rule_of(lambda: uscc_check(changed)) == expected
