"""Public catalogue pages: list with filters and search, the guide of one item."""

import pytest

from egov.services.tests.factories import CODE_A, USCC_A, USCC_B, make_item, make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orgs(item, organization):
    other = make_organization(name="无锡市另一局", uscc=USCC_B)
    make_item(other, code=USCC_B + "20" + "0000501" + "000" + "00", name="社会保障卡申领", item_type="public_service",
              legal_limit_days=None, promised_limit_days=0, form_schema={})
    return organization, other


@pytest.mark.parametrize("number", ["9223372036854775807", "2305843009213693952", "0", "-3", "x"])
def test_a_bad_or_huge_page_number_shows_a_page_not_an_error(client, two_orgs, number):
    """Pages answer a page number past the end with the last page, and a bad one with the first
    (Django's ``Paginator.get_page``); only the API refuses them (422)."""
    page = client.get("/services/", {"page": number})
    assert page.status_code == 200 and "企业设立登记" in page.content.decode()


def test_list_shows_items_and_filters(client, two_orgs):
    organization, other = two_orgs
    page = client.get("/services/")
    html = page.content.decode()
    assert page.status_code == 200 and "企业设立登记" in html and "社会保障卡申领" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<html lang="zh-hans" ' in html and '<h1 class="govuk-heading-l">办事指南</h1>' in html  # Chinese by default
    assert ">Service catalogue</h1>" in client.get("/services/", headers={"Accept-Language": "en"}).content.decode()
    filtered = client.get("/services/", {"organization": other.pk}).content.decode()
    assert "社会保障卡申领" in filtered and "企业设立登记" not in filtered
    by_type = client.get("/services/", {"item_type": "licensing"}).content.decode()
    assert "企业设立登记" in by_type and "社会保障卡申领" not in by_type
    searched = client.get("/services/", {"q": "社会保障"}).content.decode()
    assert "社会保障卡申领" in searched and "企业设立登记" not in searched


def test_a_bad_filter_is_a_form_error(client, two_orgs):
    response = client.get("/services/", {"organization": "999999"})
    assert response.status_code == 400
    assert 'class="govuk-error-message"' in response.content.decode()


def test_guide_shows_basis_limits_materials_process_and_form(client, item):
    response = client.get(f"/services/{CODE_A}/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("企业设立登记", "《中华人民共和国市场主体登记管理条例》 第十九条", "公司登记（备案）申请书",
                 "住所使用相关文件", "注册资本（万元）", "以人民币万元计", "有限责任公司 / 股份有限公司",
                 "<li>受理</li>", CODE_A):
        assert text in html, text


def test_unknown_item_is_404(client, db):
    assert client.get("/services/NOPE/").status_code == 404


def test_catalogue_for_individuals_or_enterprises(client, organization):
    # 个人办事 / 法人办事: the home page's entrances filter by the kinds of applicant an item names.
    make_item(organization, name="企业设立登记", applicant_kinds=["legal"])
    make_item(organization, code=USCC_A + "01" + "0000502" + "000" + "00", name="社会保障卡申领",
              applicant_kinds=["natural"])
    make_item(organization, code=USCC_A + "01" + "0000503" + "000" + "00", name="食品经营许可",
              applicant_kinds=["natural", "legal"])
    personal = client.get("/services/", {"audience": "natural"}).content.decode()
    assert "社会保障卡申领" in personal and "食品经营许可" in personal and "企业设立登记" not in personal
    assert '<h1 class="govuk-heading-l">个人办事</h1>' in personal
    legal = client.get("/services/", {"audience": "legal"}).content.decode()
    assert "企业设立登记" in legal and "食品经营许可" in legal and "社会保障卡申领" not in legal
    assert '<h1 class="govuk-heading-l">法人办事</h1>' in legal
    assert client.get("/services/", {"audience": "aliens"}).status_code == 400
