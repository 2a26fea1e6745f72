import pytest

from egov.core.errors import ValidationFailed
from egov.documents.numbers import DocumentNumber, number_key, simplified


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
    assert sorted(
        [DocumentNumber("锡政发", 2026, 10), DocumentNumber("锡政发", 2026, 9), DocumentNumber("锡政发", 2025, 99)]
    ) == [DocumentNumber("锡政发", 2025, 99), DocumentNumber("锡政发", 2026, 9), DocumentNumber("锡政发", 2026, 10)]


@pytest.mark.parametrize(
    "written",
    [
        "锡政发〔2004〕99号",  # as printed
        "錫政發〔2004〕99號",  # traditional script (the seed's other copy)
        "锡政发[2004]99号",
        "锡政发(2004)99号",  # half-width brackets
        "锡政发［２００４］９９号",
        "锡政发（2004）99号",
        "锡政发【2004】99号",  # full-width digits and brackets
        "锡 政 发 〔2004〕 99 号",
        "锡\u200b政发〔2004〕99号",  # spaces, a zero-width space from a web page
        "錫政發（２００４）第０９９號",  # all at once, with 第 and a padded sequence
    ],
)
def test_every_written_form_of_a_number_has_one_key(written):
    assert number_key(written) == "锡政发〔2004〕99号"


def test_the_key_of_another_number_differs_and_the_written_form_is_kept():
    assert number_key("锡政发〔2004〕98号") != number_key("锡政发〔2004〕99号")
    assert number_key("锡政办发〔2004〕99号") == "锡政办发〔2004〕99号"
    number = DocumentNumber.parse("錫政發［2004］ 99號")
    assert (str(number), number.key) == ("錫政發〔2004〕99號", "锡政发〔2004〕99号")
    assert simplified("錫政發") == "锡政发" and simplified("锡政发") == "锡政发"


# Issue 19: the numbering forms of documents from outside the city, as their issuers print them.
@pytest.mark.parametrize(("typed", "printed", "key"), [
    ("国务院令第638号", "国务院令第638号", "国务院令第638号"),
    ("省政府令 第 282 号", "省政府令第282号", "省政府令第282号"),
    ("中华人民共和国国务院令第６３８號", "中华人民共和国国务院令第638號", "中华人民共和国国务院令第638号"),
    ("海关总署公告2014年第30号", "海关总署公告2014年第30号", "海关总署公告2014年第30号"),
    ("海關總署公告 2014 年第 030 號", "海關總署公告2014年第30號", "海关总署公告2014年第30号"),
])
def test_order_and_announcement_numbers_print_as_issued(typed, printed, key):
    number = DocumentNumber.parse(typed)
    assert (str(number), number.key) == (printed, key)


def test_an_order_number_has_no_year_and_differs_from_another_issuers():
    assert DocumentNumber.parse("国务院令第638号") == DocumentNumber("国务院令", None, 638)
    assert number_key("国务院令第638号") != number_key("省政府令第638号")
    with pytest.raises(ValidationFailed):
        DocumentNumber.parse("国务院令第0号")
