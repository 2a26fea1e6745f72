"""The public registration API: 201 on success, 400 naming the failed rule, nothing half-written."""

import pytest

from egov.accounts.models import NaturalPerson, User
from egov.accounts.tests.factories import PASSWORD
from egov.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NATURAL = "/api/v1/accounts/natural-persons"
LEGAL = "/api/v1/accounts/legal-persons"


def counts():
    return User.objects.count(), NaturalPerson.objects.count(), AuditEvent.objects.count()


def test_register_natural_person(client):
    response = client.post(NATURAL, {"id_number": "11010519491231002x", "name": "张\U00020bb7明", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["username"], body["kind"]) == ("11010519491231002X", "natural")
    assert body["verified"] is False  # the (empty) population register does not hold this person
    assert User.objects.get(pk=body["id"]).name == "张\U00020bb7明"


@pytest.mark.parametrize(("id_number", "rule"), [
    ("11010519491231002", "format"),
    ("110105194912310021", "check_character"),
    ("320213199902290018", "birth_date"),
    ("990000199001010017", "division_code"),
])
def test_bad_id_number_is_a_400_naming_the_rule(client, id_number, rule):
    before = counts()
    response = client.post(NATURAL, {"id_number": id_number, "name": "李四", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["extra"] == {"field": "id_number", "rule": rule}
    assert body["message"]
    assert counts() == before


def test_bad_uscc_is_a_400_naming_the_rule(client):
    payload = {"uscc": "91110000600037341M", "name": "示例有限公司", "legal_representative": "王建国",
               "password": PASSWORD}
    response = client.post(LEGAL, payload, content_type="application/json")
    assert (response.status_code, response.json()["extra"]) == (400, {"field": "uscc", "rule": "check_character"})
    response = client.post(LEGAL, payload | {"uscc": "91110000600037341L"}, content_type="application/json")
    assert response.status_code == 201


def test_missing_field_is_a_4xx_with_the_error_shape(client):
    response = client.post(NATURAL, {"name": "李四"}, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()) == {"message", "extra"}


@pytest.mark.parametrize(("fields", "field"), [
    ({"phone": "1" * 21}, "phone"),
    ({"email": "not an address"}, "email"),
    ({"name": "李\x00四"}, "name"),
])
def test_over_long_or_malformed_fields_are_a_400_not_a_500(client, fields, field):
    client.raise_request_exception = False
    before = counts()
    payload = {"id_number": "11010519491231002X", "name": "李四", "password": PASSWORD} | fields
    response = client.post(NATURAL, payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == field
    assert counts() == before


def test_openapi_lists_the_registration_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {NATURAL, LEGAL, "/api/v1/orgs/organizations"} <= set(paths)
