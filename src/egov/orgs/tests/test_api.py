"""The public organization API."""

import pytest

pytestmark = pytest.mark.django_db


def test_organizations_in_tree_order(client, city, department):
    response = client.get("/api/v1/orgs/organizations")
    assert response.status_code == 200
    body = response.json()
    assert [o["name"] for o in body] == ["无锡市人民政府", "无锡市行政审批局"]
    assert body[1] == {"id": department.pk, "name": "无锡市行政审批局", "short_name": "", "name_en": "",
                       "kind": "department", "parent_id": city.pk, "division_code": "320200",
                       "uscc": department.uscc, "doc_code": "锡审批"}
