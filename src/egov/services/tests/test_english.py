"""English complete (issue 12, item 6): catalogue content, form fields and notifications have English
text beside the Chinese, shown on English pages, the Chinese when an English text is missing; life
events (主题分类) file the items and filter the catalogue."""

import re

import pytest

from egov.core.errors import ValidationFailed
from egov.facilities.models import Notification
from egov.services.actions import MaterialSpec
from egov.services.models import ItemTheme
from egov.services.tests.factories import COMPANY_FORM, USCC_A, make_item, submit

pytestmark = pytest.mark.django_db
EN = {"Accept-Language": "en"}

ENGLISH_FORM = {**COMPANY_FORM, "properties": {
    **COMPANY_FORM["properties"],
    "company_name": {**COMPANY_FORM["properties"]["company_name"], "title_en": "Company name"},
    "company_type": {"type": "string", "title": "公司类型", "title_en": "Company type",
                     "oneOf": [{"const": "llc", "title": "有限责任公司", "title_en": "Limited liability company"},
                               {"const": "jsc", "title": "股份有限公司"}]},
    "registered_capital": {**COMPANY_FORM["properties"]["registered_capital"],
                           "description_en": "In 10,000 yuan"},
}}


@pytest.fixture
def english_item(casework):
    return make_item(
        casework.bureau, code=USCC_A + "01" + "0000103" + "000" + "00", form_schema=ENGLISH_FORM,
        applicant_kinds=["legal", "natural"], themes=["establishment"],
        legal_basis=[{"title": "《中华人民共和国市场主体登记管理条例》", "provision": "第十九条",
                      "title_en": "Regulations on the Registration of Market Entities", "provision_en": "Article 19"}],
        conditions="材料齐全。", process_steps=["申请", "受理", "审核", "登记"],
        materials=[MaterialSpec(name="公司登记（备案）申请书", name_en="Company registration application form",
                                note="加盖公章", note_en="With the company seal"),
                   MaterialSpec(name="住所使用相关文件", required=False)],
        english={"name_en": "Company establishment registration", "conditions_en": "Complete materials.",
                 "process_steps_en": ["Application", "Acceptance", "Examination", "Registration"]})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_guide_in_english_shows_the_english_texts_and_chinese_where_there_is_none(client, english_item):
    text = _text(client.get(f"/services/{english_item.code}/", headers=EN).content.decode())
    for english in ("Company establishment registration", "Regulations on the Registration of Market Entities "
                    "Article 19", "Complete materials.", "Company registration application form",
                    "With the company seal", "Application", "Registration", "Company name"):
        assert english in text, english
    assert "住所使用相关文件" in text  # no English name: the Chinese one
    assert "Natural persons, Legal persons" in text and "、" not in text.split("Who may apply")[1][:60]
    chinese = _text(client.get(f"/services/{english_item.code}/").content.decode())
    assert "企业设立登记" in chinese and "Company establishment registration" not in chinese
    assert "自然人、法人" in chinese


def test_the_apply_form_in_english_has_english_titles_and_choices(client, english_item, casework):
    client.force_login(casework.citizen)
    html = client.get(f"/services/{english_item.code}/apply/", headers=EN).content.decode()
    assert "Company name" in html and "Limited liability company" in html and "In 10,000 yuan" in html
    assert "股份有限公司" in html  # a choice without an English title stays Chinese
    assert "Apply online: Company establishment registration" in _text(html)


def test_the_catalogue_finds_items_by_english_name_and_by_life_event(client, english_item, casework):
    other = make_item(casework.bureau, code=USCC_A + "01" + "0000102" + "000" + "00", name="社会保障卡申领",
                      themes=["social_security"])
    listing = client.get("/services/", {"q": "establishment"}, headers=EN).content.decode()
    assert "Company establishment registration" in listing and "社会保障卡申领" not in listing
    by_theme = client.get("/services/", {"theme": "social_security"}).content.decode()
    assert "社会保障卡申领" in by_theme and "企业设立登记" not in by_theme
    assert list(other.themes.values_list("theme", flat=True)) == ["social_security"]


def test_an_unknown_life_event_or_a_step_count_mismatch_is_refused(organization, media_root):
    with pytest.raises(ValidationFailed) as raised:
        make_item(organization, themes=["holidays"])
    assert raised.value.extra == {"field": "themes", "rule": "choice"}
    with pytest.raises(ValidationFailed) as raised:
        make_item(organization, process_steps=["申请", "受理"], english={"process_steps_en": ["Application"]})
    assert raised.value.extra == {"field": "process_steps_en", "rule": "length"}
    assert not ItemTheme.objects.exists()


def test_the_home_page_lists_life_events_with_links_to_the_catalogue(client, english_item):
    html = client.get("/").content.decode()
    assert "按主题办事" in html and "面向法人" in html
    assert 'href="/services/?theme=establishment">设立变更</a>' in html
    english = client.get("/", headers=EN).content.decode()
    assert "By life event" in english and 'href="/services/?theme=establishment">Establishment and changes</a>' \
        in english


def test_notifications_are_kept_in_both_languages_and_shown_in_the_readers(client, english_item, casework):
    case = submit(english_item, casework.citizen)
    notification = Notification.objects.get(link_name="services:application", link_args=[case.number])
    assert notification.subject == f"办件 {case.number}：已提交"
    assert notification.subject_en == f"Case {case.number}: Submitted"
    assert notification.body_en.splitlines() == [f"Company establishment registration, case {case.number}.",
                                                 "Application submitted: Submitted"]
    client.force_login(casework.citizen)
    page = client.get("/services/notifications/", headers=EN).content.decode()
    assert f"Case {case.number}: Submitted" in page and "Company establishment registration" in page
    assert f"办件 {case.number}：已提交" in client.get("/services/notifications/").content.decode()
    (english,) = client.get("/api/v1/services/notifications", headers=EN).json()["items"]
    (chinese,) = client.get("/api/v1/services/notifications").json()["items"]
    assert (english["subject"], chinese["subject"]) == (f"Case {case.number}: Submitted", f"办件 {case.number}：已提交")
