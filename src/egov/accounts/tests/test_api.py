"""The public registration API: 201 on success, 400 naming the failed rule, nothing half-written."""

import json

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


@pytest.mark.parametrize(("body", "field", "rule"), [
    ('{"id_number": "11010519491231002x", "name": "\\ud800", "password": "%s"}', "name", "surrogate"),
    ('{"id_number": "11010519491231002x", "name": "张三\\udfff", "password": "%s"}', "name", "surrogate"),
    ('{"id_number": "11010519491231002x", "name": "张三", "password": "%s", "\\ud83d": 1}', "\\ud83d", "surrogate"),
    ('{"id_number": NaN, "name": "张三", "password": "%s"}', "id_number", "finite"),
])
def test_a_lone_surrogate_or_nan_in_the_body_is_a_400_naming_the_field(client, body, field, rule):
    """Issue 17: a lone surrogate escape in the name reached psycopg, which cannot encode it (500)."""
    before = counts()
    response = client.post(NATURAL, body % PASSWORD, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert response.json()["extra"] == {"field": field, "rule": rule}
    assert counts() == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_cross_site_simple_request_cannot_register(client, content_type):
    """Before: a ``text/plain`` POST, which any web page can send to another site without a CORS
    preflight, opened an account (201). A JSON body is read only from ``application/json``."""
    before = counts()
    body = json.dumps({"id_number": "11010519491231002X", "name": "李四", "password": PASSWORD})
    response = client.generic(
        "POST",
        NATURAL,
        body,
        content_type=content_type,
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 415
    assert response.json()["extra"]["field"] == "Content-Type"
    assert response.json()["extra"]["rule"] == "media_type"
    assert counts() == before


def test_json_with_a_charset_and_vendor_json_types_are_read(client):
    body = {"id_number": "11010519491231002X", "name": "李四", "password": PASSWORD}
    response = client.post(NATURAL, body, content_type="application/json; charset=utf-8")
    assert response.status_code == 201
    body["id_number"] = "11010519491231003X"
    response = client.post(NATURAL, body, content_type="application/merge-patch+json")
    assert response.status_code != 415


@pytest.mark.parametrize("name", ["李\u202e四", "李\u200b四", "\u2066李四\u2069", "李\x07四"])
def test_a_name_that_could_pass_for_another_is_a_400(client, name):
    """Before: names with RTL overrides, zero-width and control characters were accepted (201)."""
    before = counts()
    response = client.post(
        NATURAL,
        {"id_number": "11010519491231002X", "name": name, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == "name"
    assert response.json()["extra"]["rule"] == "invalid"
    assert counts() == before


@pytest.mark.parametrize(
    "password",
    [
        " " * 10,
        "egov-demo-2026",
        "egovdemo2026",
        "EGOV_DEMO_2026",
        "egov demo 2026",
        "password123456",
        "qwertyuiop12",
        "1234567890abc",
    ],
)
def test_weak_and_published_passwords_are_a_400(client, password):
    """Before: ten spaces and the demo's published password without hyphens were accepted."""
    before = counts()
    response = client.post(
        NATURAL,
        {"id_number": "11010519491231002X", "name": "李四", "password": password},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "password", "rule": "password"}
    assert counts() == before
