import pytest

from egov.core.errors import ValidationFailed
from egov.documents.numbers import DocumentNumber


def test_printed_form_follows_gbt_9704_7_2_4():
    # 六角括号 around the full year, sequence without 第 and without leading zeros, then 号.
    assert str(DocumentNumber("锡政发", 2004, 99)) == "锡政发〔2004〕99号"
    assert str(DocumentNumber("锡政发", 2026, 1)) == "锡政发〔2026〕1号"


@pytest.mark.parametrize("typed", [
    "锡政发〔2026〕7号", "锡政发[2026]7号", "锡政发［2026］7号", "锡政发【2026】7号", "锡政发(2026)7号",
    "锡政发（2026）7号", " 锡政发 〔 2026 〕 7 号 ", "锡政发〔２０２６〕７号", "锡政发〔2026〕第7号",
    "锡政发〔2026〕007号",
])
def test_hand_typed_variants_are_normalized(typed):
    assert DocumentNumber.parse(typed) == DocumentNumber("锡政发", 2026, 7)
    assert str(DocumentNumber.parse(typed)) == "锡政发〔2026〕7号"


@pytest.mark.parametrize(("typed", "rule"), [
    ("锡政发2026年7号", "format"), ("〔2026〕7号", "format"), ("锡政发〔26〕7号", "format"),
    ("锡政发〔2026〕号", "format"),
    ("", "format"), ("锡政发〔1900〕7号", "year"), ("锡政发〔2026〕0号", "seq"),
])
def test_not_a_document_number(typed, rule):
    with pytest.raises(ValidationFailed) as error:
        DocumentNumber.parse(typed)
    assert error.value.extra == {"field": "number", "rule": rule}


def test_numbers_order_by_code_year_then_sequence():
    assert sorted([DocumentNumber("锡政发", 2026, 10), DocumentNumber("锡政发", 2026, 9),
                   DocumentNumber("锡政发", 2025, 99)]) == [
        DocumentNumber("锡政发", 2025, 99), DocumentNumber("锡政发", 2026, 9), DocumentNumber("锡政发", 2026, 10)]
