"""Row checks against values worked by hand from the standards (GB 11643-1999, GB 32100-2015,
GB/T 3304, GB/T 2260)."""

import datetime

import pytest

from egov.orgs.identifiers import uscc_authority_type_allowed as authority_type_allowed
from egov.registries.codes import ETHNIC_GROUPS
from egov.registries.validation import (
    Divisions,
    RowRejected,
    capital_read,
    date_read,
    entity_row_check,
    header_map,
    population_row_check,
)

TODAY = datetime.date(2026, 12, 4)

# 320213 梁溪区 (in use since 2015), born 1990-03-07, sequence 123 (odd: male). GB 11643-1999 §8.2:
# digits 3 2 0 2 1 3 1 9 9 0 0 3 0 7 1 2 3 × weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
# = 21+18+0+10+8+12+2+9+54+0+0+27+0+35+8+8+6 = 218; 218 mod 11 = 9 → "10X98765432"[9] = "3".
LIANGXI_MAN = "320213199003071233"
# 110103 崇文区 (abolished 2010), born 2012-03-15, sequence 001: Σ = 7+9+0+5+0+12+4+0+6+6+0+27+10+25+0+0+2
# = 113; 113 mod 11 = 3 → "9". The code was abolished before the birth date: flagged, not rejected.
CHONGWEN_2012 = "110103201203150019"
# GLOSSARY's test value: 110105 朝阳区, 1949-12-31, sequence 002 (even: female), check X.
CHAOYANG_WOMAN = "11010519491231002X"

# GB 32100-2015 §4.2, weights 3^(i-1) mod 31 = 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
# 9 1 320213 7654321AB: 9+3+27+54+0+52+16+51+140+174+125+52+24+48+10+300+308 = 1393; 1393 mod 31 = 29;
# 31 − 29 = 2 → alphabet[2] = "2". 9 = 工商, 1 = 企业: an allowed pair.
ENTERPRISE = "913202137654321AB2"
# The same with type 4 under authority 9: Σ = 1393 − 3 + 12 = 1402; 1402 mod 31 = 7; 31 − 7 = 24 →
# alphabet[24] = "Q". The check character is right but 工商 issues no type 4.
IMPOSSIBLE_PAIR = "943202137654321ABQ"


@pytest.fixture
def divisions(db) -> Divisions:
    return Divisions.load()


def check_person(divisions, **cells):
    return population_row_check({"name": "张三", **cells}, divisions=divisions, today=TODAY)


def test_a_valid_person_as_exports_write_it(divisions):
    # Full-width digits, a lowercase x, surrounding spaces, 男/女 and a slashed date are all accepted.
    data, review = check_person(divisions, id_number=" １１０１０５１９４９１２３１００２x ", sex="女",
                                birth_date="1949/12/31", ethnicity="汉", household_division="110105", status="正常")
    assert data["id_number"] == CHAOYANG_WOMAN
    assert (data["sex"], data["birth_date"], data["ethnicity"]) == ("F", datetime.date(1949, 12, 31), "01")
    assert review == ""


@pytest.mark.parametrize(("cells", "field", "rule"), [
    ({"id_number": LIANGXI_MAN[:17] + "4"}, "id_number", "check_character"),
    ({"id_number": LIANGXI_MAN, "sex": "女"}, "sex", "mismatch"),  # 17th digit 3 is odd: male
    ({"id_number": LIANGXI_MAN, "birth_date": "1990-03-08"}, "birth_date", "mismatch"),
    ({"id_number": LIANGXI_MAN, "birth_date": "1900-01-01"}, "birth_date", "placeholder"),
    ({"id_number": LIANGXI_MAN, "name": "N/A"}, "name", "placeholder"),
    ({"id_number": LIANGXI_MAN, "name": "无"}, "name", "placeholder"),
    ({"id_number": "-"}, "id_number", "placeholder"),
    ({"id_number": LIANGXI_MAN, "ethnicity": "99"}, "ethnicity", "code"),
    # 320299 was never a GB/T 2260 code.
    ({"id_number": LIANGXI_MAN, "household_division": "320299"}, "household_division", "division_code"),
])
def test_bad_person_rows_are_rejected_with_field_and_rule(divisions, cells, field, rule):
    with pytest.raises(RowRejected) as caught:
        check_person(divisions, **cells)
    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert caught.value.reason


def test_an_id_with_a_code_that_never_existed_is_rejected(divisions):
    # 320299 + 19900307123: Σ = 21+18+0+10+72+36+2+9+54+0+0+27+0+35+8+8+6 = 306; 306 mod 11 = 9 → "3".
    with pytest.raises(RowRejected) as caught:
        check_person(divisions, id_number="320299199003071233")
    assert (caught.value.field, caught.value.rule) == ("id_number", "division_code")


def test_an_old_code_stays_valid_and_one_abolished_before_birth_is_flagged(divisions):
    # 320202 崇安区 (1983–2015): a person born in 1985 keeps it for life.
    # 320202 19850101 001: Σ = 21+18+0+10+0+8+2+9+48+15+0+9+0+5+0+0+2 = 147; 147 mod 11 = 4 → "8".
    _data, review = check_person(divisions, id_number="320202198501010018")
    assert review == ""
    data, review = check_person(divisions, id_number=CHONGWEN_2012)
    assert data["id_number"] == CHONGWEN_2012
    assert review == "division_abolished_before_birth"


def test_ethnic_codes_follow_gbt_3304(divisions):
    assert len([code for code in ETHNIC_GROUPS if int(code) <= 56]) == 56
    assert ETHNIC_GROUPS["01"] == "汉族" and ETHNIC_GROUPS["08"] == "壮族" and ETHNIC_GROUPS["56"] == "基诺族"
    data, _review = check_person(divisions, id_number=LIANGXI_MAN, ethnicity="8")
    assert data["ethnicity"] == "08"


def test_a_name_beyond_the_basic_plane_is_kept_as_written(divisions):
    data, _review = check_person(divisions, id_number=LIANGXI_MAN, name=" 𠮷野家 ")
    assert data["name"] == "𠮷野家"


def check_entity(divisions, **cells):
    return entity_row_check({"name": "无锡示例科技有限公司", **cells}, divisions=divisions, today=TODAY)


def test_a_valid_entity(divisions):
    data, review = check_entity(divisions, uscc="９１３２０２１３７６５４３２１ａｂ２",
                                registered_capital="500万元人民币", established_on="2016年5月3日", status="存续")
    assert data["uscc"] == ENTERPRISE
    assert data["division"] == "320213"
    assert (str(data["registered_capital"]), data["capital_currency"]) == ("500.0000", "CNY")
    assert data["established_on"] == datetime.date(2016, 5, 3)
    assert review == ""


@pytest.mark.parametrize(("cells", "field", "rule"), [
    ({"uscc": ENTERPRISE[:17] + "3"}, "uscc", "check_character"),
    ({"uscc": IMPOSSIBLE_PAIR}, "uscc", "authority_type_pair"),
    ({"uscc": ENTERPRISE, "established_on": "1900-01-01"}, "established_on", "placeholder"),
    ({"uscc": ENTERPRISE, "established_on": "2027-01-01"}, "established_on", "future"),
    ({"uscc": ENTERPRISE, "status": "营业"}, "status", "choice"),
    ({"uscc": ENTERPRISE, "registered_capital": "很多"}, "registered_capital", "amount"),
    ({"uscc": ENTERPRISE, "name": "N/A"}, "name", "placeholder"),
])
def test_bad_entity_rows_are_rejected(divisions, cells, field, rule):
    with pytest.raises(RowRejected) as caught:
        check_entity(divisions, **cells)
    assert (caught.value.field, caught.value.rule) == (field, rule)


def test_the_authority_type_pairs_of_gb_32100_table_1():
    assert authority_type_allowed("91") and authority_type_allowed("92") and authority_type_allowed("93")
    assert not authority_type_allowed("94") and not authority_type_allowed("99")
    assert authority_type_allowed("11") and authority_type_allowed("12") and not authority_type_allowed("14")
    assert authority_type_allowed("53") and not authority_type_allowed("54")
    assert authority_type_allowed("Y1") and not authority_type_allowed("Y2")


def test_capital_in_yuan_is_read_in_units_of_ten_thousand():
    assert capital_read("5,000,000元") == (capital_read("500")[0], "")
    assert capital_read("100万美元")[1] == "USD"


def test_dates_as_written():
    assert date_read("20240305", field="d", label="d") == datetime.date(2024, 3, 5)
    assert date_read("2024.3.5", field="d", label="d") == datetime.date(2024, 3, 5)
    with pytest.raises(RowRejected):
        date_read("2024-02-30", field="d", label="d")


def test_headers_in_chinese_or_english():
    assert header_map(["\ufeff公民身份号码", " 姓名 ", "民族", "other"], "population") == [
        "id_number", "name", "ethnicity", None]
    assert header_map(["uscc", "name"], "legal_entity") == ["uscc", "name"]
