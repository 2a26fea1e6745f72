"""The catalog's staff pages and the public open-data pages (Django's test client, PostgreSQL), and
``egov exchange export``."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from egov.accounts.actions import staff_backup_codes_issue
from egov.accounts.tests.factories import PASSWORD
from egov.audit.models import AuditEvent
from egov.core.errors import ValidationFailed
from egov.exchange.actions import catalog_import
from egov.exchange.catalog_io import catalog_export_xlsx
from egov.exchange.models import InformationResource
from egov.exchange.tests.test_catalog import PERSON
from egov.exchange.tests.test_catalog_io import COMPANY, SERVICES

pytestmark = pytest.mark.django_db
NOT_OPEN = ["人口基本信息", "320200-GA-001", "宗教信仰", "联系电话", "监管执法", "住址"]


@pytest.fixture
def catalog(db, provider_org, consumer_org):
    catalog_import(actor=None, data={"resources": [PERSON, COMPANY, SERVICES]})


def _operator(client, make_staff, organization, username):
    user = make_staff(organization, roles=["operator"], username=username)
    staff_backup_codes_issue(actor=None, user=user, codes=["27182818"])
    client.post("/staff/login/", {"username": username, "password": PASSWORD})
    client.post("/staff/login/code/", {"token": "27182818"})
    assert client.get("/staff/exchange/catalog/").status_code == 200, "the operator's sign-in did not pass"
    return user


@pytest.fixture
def clerk(client, make_staff, consumer_org):
    user = make_staff(consumer_org, roles=["clerk"])
    client.force_login(user)
    return user


def _codes(response) -> list[str]:
    return [r.code for r in response.context["page"].object_list]


def test_the_staff_pages_need_a_staff_member(client, catalog, citizen):
    for url in ["/staff/exchange/catalog/", "/staff/exchange/catalog/resources/320200-GA-001/",
                "/staff/exchange/catalog/new/", "/staff/exchange/catalog/import/",
                "/staff/exchange/catalog/export.xlsx"]:
        assert client.get(url).status_code == 302, url
    client.force_login(citizen.user)
    assert client.get("/staff/exchange/catalog/").status_code == 302


@pytest.mark.parametrize("query, codes", [
    ("", ["320200-GA-001", "320200-SCJG-0001", "320200-SJ-0001"]),
    ("catalog=theme", ["320200-SJ-0001"]),
    ("catalog=basic", ["320200-GA-001", "320200-SCJG-0001"]),
    ("q=宗教信仰", ["320200-GA-001"]),  # an item's name
    ("q=Legal", ["320200-SCJG-0001"]),  # the English name
    ("q=SJ-0001", ["320200-SJ-0001"]),  # the code
    ("q=市场监督", ["320200-SCJG-0001"]),  # the provider
    ("sharing_type=none", ["320200-GA-001"]),
    ("sharing_type=conditional", ["320200-GA-001", "320200-SCJG-0001"]),
    ("format=self_describing", ["320200-SJ-0001"]),
    ("is_open=no", ["320200-GA-001"]),
    ("provider=11320200MB0000102K&is_open=yes", ["320200-SCJG-0001"]),
])
def test_staff_search_and_filters(client, catalog, clerk, query, codes):
    response = client.get(f"/staff/exchange/catalog/?{query}")
    assert response.status_code == 200
    assert _codes(response) == codes


def test_the_catalog_pages_by_twenty(client, clerk, db):
    resources = [{**SERVICES, "code": f"320200-T-{n:03d}", "items": SERVICES["items"]} for n in range(23)]
    catalog_import(actor=None, data={"resources": resources})
    first = client.get("/staff/exchange/catalog/?catalog=theme")
    assert len(_codes(first)) == 20 and "page=2" in first.content.decode()
    assert _codes(client.get("/staff/exchange/catalog/?catalog=theme&page=2")) == [
        "320200-T-020", "320200-T-021", "320200-T-022"]


def test_the_classification_tree(client, catalog, clerk):
    html = client.get("/staff/exchange/catalog/classification/").content.decode()
    for text in ["基础信息资源类", "人口基础信息", "1-01-001", "法人单位基础信息", "主题信息资源类", "2-01-001",
                 'href="/staff/exchange/catalog/resources/320200-GA-001/"']:
        assert text in html, text
    tree = client.get("/staff/exchange/catalog/classification/").context["tree"]
    assert [(node.code, node.count) for node in tree] == [("1", 2), ("2", 1)]


def test_a_resource_page_shows_its_items_with_sharing_conditions_and_reasons(client, catalog, clerk):
    response = client.get("/staff/exchange/catalog/resources/320200-SCJG-0001/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ["法人单位基础信息", "统一社会信用代码", "联系电话", "监管执法", "有条件共享", "无条件共享",
                 'href="/staff/exchange/catalog/resources/320200-GA-001/"']:
        assert text in html, text
    assert "个人信息保护法第二十八条" in client.get("/staff/exchange/catalog/resources/320200-GA-001/").content.decode()
    assert "/edit/" not in html  # a clerk does not edit
    assert client.get("/staff/exchange/catalog/resources/NOPE/").status_code == 404


def test_a_clerk_may_not_open_the_publishing_form(client, catalog, clerk):
    assert client.get("/staff/exchange/catalog/new/").status_code == 403
    assert client.get("/staff/exchange/catalog/resources/320200-GA-001/edit/").status_code == 403


def _form_data(resource: dict, items: list[dict], **changes) -> dict:
    data = {name: resource.get(name, "") for name in ["code", "name", "name_en", "classification", "catalog",
                                                      "provider_code", "summary", "summary_en", "format",
                                                      "sharing_mode", "update_cycle", "published_on"]}
    data["sharing_mode"] = data["sharing_mode"] or "interface"
    data["related_codes"] = ", ".join(resource.get("related_codes", []))
    if resource.get("is_open"):
        data["is_open"] = "on"
    data.update({"items-TOTAL_FORMS": str(len(items)), "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
                 "items-MAX_NUM_FORMS": "1000"})
    for n, item in enumerate(items):
        for name, value in item.items():
            if isinstance(value, bool):
                if value:
                    data[f"items-{n}-{name}"] = "on"
            else:
                data[f"items-{n}-{name}"] = value
    data.update(changes)
    return data


def test_an_operator_of_the_provider_edits_its_resource_and_it_is_audited(client, catalog, make_staff,
                                                                          provider_org):
    operator = _operator(client, make_staff, provider_org, "gaop")
    detail = client.get("/staff/exchange/catalog/resources/320200-GA-001/").content.decode()
    assert 'href="/staff/exchange/catalog/resources/320200-GA-001/edit/"' in detail
    form = client.get("/staff/exchange/catalog/resources/320200-GA-001/edit/")
    assert form.status_code == 200 and 'value="公民身份号码"' in form.content.decode()
    items = [{"field": "id_number", "name": "公民身份号码", "data_type": "C", "is_personal": True,
              "sharing_type": "unconditional"},
             {"field": "religion", "name": "宗教信仰", "data_type": "C", "is_personal": True, "sharing_type": "none",
              "condition": "个人信息保护法第二十八条",
              "condition_en": "Personal Information Protection Law, Article 28"},
             {"field": "birth_date", "name": "出生日期", "name_en": "Date of birth", "data_type": "D",
              "is_personal": True, "sharing_type": "unconditional"},
             {"field": "", "name": "", "data_type": "C", "sharing_type": "unconditional"}]  # a blank row
    response = client.post("/staff/exchange/catalog/resources/320200-GA-001/edit/",
                           _form_data(PERSON, items, name="人口基础信息", name_en="Population"))
    assert response.status_code == 302, response.content.decode()[:2000]
    resource = InformationResource.objects.get(code="320200-GA-001")
    assert (resource.name, resource.name_en, resource.provider_name) == ("人口基础信息", "Population", "无锡市公安局")
    assert [(i.field, i.sharing_type, i.refusal_basis) for i in resource.items.all()] == [
        ("id_number", "unconditional", ""), ("religion", "none", "个人信息保护法第二十八条"),
        ("birth_date", "unconditional", "")]
    event = AuditEvent.objects.filter(action="exchange.resource.publish").order_by("-seq").first()
    assert event.actor_id == operator.pk and event.object_id == str(resource.pk)
    # The legal reason's English text: kept, shown on English pages, offered again in the form.
    assert resource.items.get(field="religion").refusal_basis_en == "Personal Information Protection Law, Article 28"
    english = client.get("/staff/exchange/catalog/resources/320200-GA-001/", HTTP_ACCEPT_LANGUAGE="en").content
    assert "Personal Information Protection Law, Article 28" in english.decode()
    assert "个人信息保护法第二十八条" not in english.decode()
    assert "个人信息保护法第二十八条" in client.get("/staff/exchange/catalog/resources/320200-GA-001/").content.decode()
    form = client.get("/staff/exchange/catalog/resources/320200-GA-001/edit/").content.decode()
    assert 'Personal Information Protection Law, Article 28</textarea>' in form


def test_a_not_shared_item_without_its_reason_is_a_form_error_and_nothing_changes(client, catalog, make_staff,
                                                                                  provider_org):
    _operator(client, make_staff, provider_org, "gaop")
    items = [{"field": "religion", "name": "宗教信仰", "data_type": "C", "sharing_type": "none", "condition": ""}]
    response = client.post("/staff/exchange/catalog/resources/320200-GA-001/edit/",
                           _form_data(PERSON, items, name="改了"))
    assert response.status_code == 400
    assert "govuk-error-message" in response.content.decode()
    assert InformationResource.objects.get(code="320200-GA-001").name == "人口基本信息"


def test_an_operator_of_another_organization_may_not_edit_or_publish_for_the_provider(client, catalog, make_staff,
                                                                                      consumer_org):
    _operator(client, make_staff, consumer_org, "spop")
    assert client.get("/staff/exchange/catalog/resources/320200-GA-001/edit/").status_code == 403
    html = client.get("/staff/exchange/catalog/resources/320200-GA-001/").content.decode()
    assert "/edit/" not in html
    items = [{"field": "x", "name": "某项", "data_type": "C", "sharing_type": "unconditional"}]
    response = client.post("/staff/exchange/catalog/new/", _form_data({**PERSON, "code": "320200-GA-009"}, items))
    assert response.status_code == 400  # the provider is not among the form's choices
    assert not InformationResource.objects.filter(code="320200-GA-009").exists()
    # Its own organization's resource it may publish.
    response = client.post("/staff/exchange/catalog/new/", _form_data(
        {**COMPANY, "code": "320200-SCJG-0002", "provider_code": "11320200MB0000102K"}, items))
    assert response.status_code == 302
    assert InformationResource.objects.get(code="320200-SCJG-0002").provider_name == "无锡市行政审批局"
    # The same form again (a double click) is the same publication; another body under that code is refused.
    again = client.post("/staff/exchange/catalog/new/", _form_data(
        {**COMPANY, "code": "320200-SCJG-0002", "provider_code": "11320200MB0000102K"}, items))
    assert again.status_code == 302 and again["Location"] == "/staff/exchange/catalog/resources/320200-SCJG-0002/"
    other = client.post("/staff/exchange/catalog/new/", _form_data(
        {**COMPANY, "code": "320200-SCJG-0002", "provider_code": "11320200MB0000102K", "name": "别的"}, items))
    assert other.status_code == 409
    assert InformationResource.objects.get(code="320200-SCJG-0002").name == "法人单位基础信息"
    assert AuditEvent.objects.filter(action="exchange.resource.publish", object_id=str(
        InformationResource.objects.get(code="320200-SCJG-0002").pk)).count() == 1


def test_an_operator_uploads_a_workbook_and_sees_the_report(client, catalog, make_staff, provider_org):
    _operator(client, make_staff, provider_org, "gaop")
    content = catalog_export_xlsx(open_only=False)
    response = client.post("/staff/exchange/catalog/import/",
                           {"file": SimpleUploadedFile("catalog.xlsx", content, content_type="application/zip")})
    # 法人单位 and 政务服务事项 of the workbook belong to organizations the operator does not run.
    assert response.status_code == 400
    rejected = response.context["report"].rejected
    assert [(r["sheet"], r["row"]) for r in rejected] == [("信息资源", 3)]
    assert "rows-refused" not in response.content.decode() and "rejected-rows" in response.content.decode()
    own = json.dumps({"resources": [{**PERSON, "name": "人口基础信息"}]}).encode()
    response = client.post("/staff/exchange/catalog/import/",
                           {"file": SimpleUploadedFile("catalog.json", own, content_type="application/json")})
    assert response.status_code == 200 and response.context["report"].resources == 1
    assert InformationResource.objects.get(code="320200-GA-001").name == "人口基础信息"
    response = client.post("/staff/exchange/catalog/import/",
                           {"file": SimpleUploadedFile("catalog.csv", b"a,b", content_type="text/csv")})
    assert response.status_code == 400 and "govuk-error-message" in response.content.decode()


def test_the_staff_export_has_everything(client, catalog, clerk):
    response = client.get("/staff/exchange/catalog/export.json")
    assert response["Content-Type"] == "application/json"
    assert [r["code"] for r in json.loads(response.content)["resources"]] == [
        "320200-GA-001", "320200-SCJG-0001", "320200-SJ-0001"]
    assert client.get("/staff/exchange/catalog/export.pdf").status_code == 404


def test_the_public_sees_open_resources_and_open_items_only(client, catalog):
    response = client.get("/open-data/")
    assert response.status_code == 200
    assert _codes(response) == ["320200-SCJG-0001", "320200-SJ-0001"]
    html = response.content.decode()
    for text in NOT_OPEN:
        assert text not in html, text
    assert _codes(client.get("/open-data/?q=联系电话")) == []  # an item that is not open is not searched
    assert _codes(client.get("/open-data/?q=宗教信仰")) == []
    assert _codes(client.get("/open-data/?q=统一社会信用代码")) == ["320200-SCJG-0001"]
    assert client.get("/open-data/320200-GA-001/").status_code == 404
    detail = client.get("/open-data/320200-SCJG-0001/")
    html = detail.content.decode()
    assert detail.status_code == 200 and "统一社会信用代码" in html
    for text in NOT_OPEN:
        assert text not in html, text
    assert 'href="/open-data/320200-SJ-0001/"' in html  # an open related resource is linked
    for url in ["/open-data/catalog.json", "/open-data/catalog.jsonld"]:
        text = client.get(url).content.decode()
        for word in NOT_OPEN:
            assert word not in text, (url, word)
    book = load_workbook(io.BytesIO(client.get("/open-data/catalog.xlsx").content))
    cells = " ".join(str(c.value) for sheet in book for row in sheet for c in row)
    for word in NOT_OPEN:
        assert word not in cells, word
    dcat = client.get("/open-data/catalog.jsonld")
    assert dcat["Content-Type"] == "application/ld+json; charset=utf-8"
    assert [d["dct:identifier"] for d in json.loads(dcat.content)["dcat:dataset"]] == [
        "320200-SCJG-0001", "320200-SJ-0001"]


def test_egov_exchange_export_writes_each_format(catalog, tmp_path):
    call_command("exchange", "export", "--format", "xlsx", str(tmp_path / "c.xlsx"))
    assert load_workbook(tmp_path / "c.xlsx")["信息资源"].max_row == 4
    call_command("exchange", "export", "--format", "json", "--open-only", str(tmp_path / "c.json"))
    assert len(json.loads((tmp_path / "c.json").read_text())["resources"]) == 2
    call_command("exchange", "export", "--format", "dcat", str(tmp_path / "c.jsonld"))
    assert json.loads((tmp_path / "c.jsonld").read_text())["@type"] == "dcat:Catalog"
    with pytest.raises(CommandError) as caught:
        call_command("exchange", "export", "--format", "json", str(tmp_path / "no" / "such" / "dir.json"))
    assert caught.value.returncode == 2


def test_egov_exchange_import_takes_the_exported_workbook_all_or_nothing(catalog, tmp_path):
    call_command("exchange", "export", "--format", "xlsx", str(tmp_path / "c.xlsx"))
    before = InformationResource.objects.count()
    InformationResource.objects.all().delete()
    out = io.StringIO()
    call_command("exchange", "import", str(tmp_path / "c.xlsx"), stdout=out)
    assert json.loads(out.getvalue()) == {"resources": before, "items": 4 + 2 + 1}
    book = load_workbook(tmp_path / "c.xlsx")
    book["信息资源"]["N3"] = "每周二"  # 更新周期 of the second resource
    book.save(tmp_path / "bad.xlsx")
    InformationResource.objects.all().delete()
    with pytest.raises(CommandError) as caught:
        call_command("exchange", "import", str(tmp_path / "bad.xlsx"))
    assert caught.value.returncode == 2 and "信息资源 row 3" in str(caught.value)
    assert not InformationResource.objects.exists()


def test_an_open_resource_links_to_where_its_data_is_read_and_dcat_says_so(client, catalog):
    # Found by a tester: /open-data/320200-TJ-0001/ (宏观经济数据, read at /data/economy/) gave no link to the data.
    catalog_import(actor=None, data={"resources": [{**SERVICES, "access_url": "/data/economy/"}]})
    html = client.get(f"/open-data/{SERVICES['code']}/").content.decode()
    assert 'id="access-url"' in html and 'href="/data/economy/"' in html
    assert 'id="access-url"' not in client.get(f"/open-data/{COMPANY['code']}/").content.decode()
    document = json.loads(client.get("/open-data/catalog.jsonld").content)
    datasets = {d["dct:identifier"]: d for d in document["dcat:dataset"]}
    company_page = datasets[COMPANY["code"]]["dcat:landingPage"]["@id"]
    base = company_page.removesuffix(f"/open-data/{COMPANY['code']}/")  # the site's address (setting)
    assert datasets[SERVICES["code"]]["dcat:distribution"][0]["dcat:accessURL"] == {"@id": f"{base}/data/economy/"}
    assert datasets[COMPANY["code"]]["dcat:distribution"][0]["dcat:accessURL"] == {"@id": company_page}
    with pytest.raises(ValidationFailed) as caught:
        catalog_import(actor=None, data={"resources": [{**SERVICES, "access_url": "javascript:alert(1)"}]})
    assert caught.value.extra["field"] == "access_url"
