"""GET /api/v1/services/items and /items/{code}: filters, pagination, errors in the project's shape."""

import pytest

from egov.services.actions import service_item_set_published
from egov.services.models import Material
from egov.services.tests.factories import CODE_A, USCC_A, USCC_B, make_item, make_organization

pytestmark = pytest.mark.django_db

LIST = "/api/v1/services/items"


@pytest.fixture
def catalog(organization):
    other = make_organization(name="无锡市另一局", uscc=USCC_B)
    items = [
        make_item(organization),
        make_item(organization, code=USCC_A + "20" + "0000501" + "000" + "00", name="社会保障卡申领",
                  item_type="public_service", legal_limit_days=None, promised_limit_days=10, form_schema={}),
        make_item(other, code=USCC_B + "01" + "0000301" + "000" + "00", name="建设工程规划许可证核发",
                  legal_limit_days=20, promised_limit_days=10, online_depth=3, max_visits=1),
    ]
    return organization, other, items


def test_list_is_paginated(client, catalog):
    body = client.get(LIST, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert len(client.get(LIST, {"page_size": 2, "page": 2}).json()["items"]) == 1


@pytest.mark.parametrize("page", ["2305843009213693952", "9223372036854775807", "1" + "0" * 30, "0", "-1", "x"])
def test_a_bad_or_huge_page_number_is_a_422_in_the_error_shape(client, catalog, page):
    # (page − 1) × 20 overflowed the database's 64-bit offset: a 500 with an HTML page before.
    response = client.get(LIST, {"page": page})
    assert response.status_code == 422 and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "extra"} and body["extra"]["field"] == "query.page"


def test_the_last_allowed_page_past_the_end_is_empty(client, catalog):
    body = client.get(LIST, {"page": 1_000_000, "page_size": 100}).json()
    assert body == {"items": [], "count": 3}
    assert client.get(LIST, {"page": 1_000_001}).status_code == 422


@pytest.mark.parametrize("path", ["/api/v1/services/results", "/api/v1/services/notifications"])
def test_every_paged_list_refuses_a_huge_page(client, path):
    response = client.get(path, {"page": "9223372036854775807"})
    # The notifications list needs a sign-in: 401 before the page is looked at is also no 500.
    assert response.status_code in (401, 422) and response["Content-Type"].startswith("application/json")
    if path.endswith("results"):
        assert response.status_code == 422 and response.json()["extra"]["field"] == "query.page"


def test_list_filters(client, catalog):
    organization, other, _items = catalog
    names = lambda params: [i["name"] for i in client.get(LIST, params).json()["items"]]  # noqa: E731
    assert names({"organization": other.pk}) == ["建设工程规划许可证核发"]
    assert names({"item_type": "public_service"}) == ["社会保障卡申领"]
    assert names({"q": "规划 许可"}) == ["建设工程规划许可证核发"]
    assert names({"q": CODE_A.lower()}) == ["企业设立登记"]
    assert names({"organization": organization.pk, "item_type": "licensing"}) == ["企业设立登记"]


def test_list_item_shape(client, catalog):
    organization = catalog[0]
    first = client.get(LIST, {"q": "企业设立"}, headers={"Accept-Language": "en"}).json()["items"][0]
    assert first == {
        "code": CODE_A, "name": "企业设立登记", "item_type": "licensing", "item_type_label": "Administrative licensing",
        "level": "main", "organization": {"id": organization.pk, "name": "无锡市测试局"},
        "legal_limit_days": 3, "promised_limit_days": 1, "online_depth": 4, "charges_fee": False,
    }


def test_unknown_item_type_is_a_422_in_the_project_shape(client, catalog):
    response = client.get(LIST, {"item_type": "lottery"})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"message", "extra"} and body["extra"]["field"] == "query.item_type"


def test_detail(client, catalog):
    response = client.get(f"{LIST}/{CODE_A}")
    assert response.status_code == 200
    body = response.json()
    assert body["legal_basis"] == [{"title": "《中华人民共和国市场主体登记管理条例》", "provision": "第十九条"}]
    assert [m["name"] for m in body["materials"]] == ["公司登记（备案）申请书", "住所使用相关文件"]
    # The id is what an application's "materials" are keyed by (found missing by a tester).
    residence = Material.objects.get(item__code=CODE_A, name="住所使用相关文件")
    assert body["materials"][1] == {"id": residence.pk, "name": "住所使用相关文件", "required": False,
                                    "form": "electronic", "copies": 1, "accepted_types": ["pdf"],
                                    "max_size_bytes": 1024, "note": ""}
    assert body["form_schema"]["properties"]["registered_capital"]["minimum"] == 0.01
    assert (body["parent_code"], body["children"], body["process_key"]) == (None, [], "standard_permit")


def test_unknown_and_withdrawn_items_are_404(client, catalog):
    response = client.get(f"{LIST}/{USCC_A}01999999900000", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json() == {"message": f"There is no service item with the code {USCC_A}01999999900000.",
                               "extra": {"field": "code"}}
    service_item_set_published(actor=None, item=catalog[2][0], published=False)
    assert client.get(f"{LIST}/{CODE_A}").status_code == 404
    assert client.get(LIST).json()["count"] == 2


def test_openapi_describes_the_catalogue(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/services/items" in paths and "/api/v1/services/items/{code}" in paths
