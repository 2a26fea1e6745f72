"""The applications API: submit with an idempotency key (header or field), read one's own case;
errors in the {"message", "extra"} shape."""

import base64
import json

import pytest
from django.db import connection
from django.test import Client

from egov.services.actions.intake import intake_work
from egov.services.models import Application
from egov.services.tests.factories import PDF, VALID_COMPANY

URL = "/api/v1/services/applications"


def _payload(item, **overrides):
    payload = {"item": item.code, "form": VALID_COMPANY,
               "materials": {str(m.pk): base64.b64encode(PDF).decode() for m in item.materials.filter(required=True)}}
    payload.update(overrides)
    return payload


def test_submit_answers_202_with_a_receipt_then_the_same_key_200_with_the_case(client, casework):
    client.force_login(casework.citizen)
    first = client.post(URL, _payload(casework.item), content_type="application/json",
                        headers={"Idempotency-Key": "api-key-000001"})
    assert first.status_code == 202
    receipt = first.json()
    assert (receipt["state"], receipt["number"], receipt["error"]) == ("waiting", None, None)
    assert receipt["receipt"].startswith("SL") and len(receipt["receipt"]) == 18
    assert Application.objects.count() == 0
    # tracked at once, without sign-in
    tracked = Client().get(f"/api/v1/services/receipts/{receipt['receipt']}", {"code": receipt["query_code"]})
    assert tracked.status_code == 200 and tracked.json()["state"] == "waiting"
    assert Client().get(f"/api/v1/services/receipts/{receipt['receipt']}", {"code": "2222-2222"}).status_code == 404
    # the same key again before the worker ran: the same receipt, nothing written
    again = client.post(URL, _payload(casework.item, idempotency_key="api-key-000001"),
                        content_type="application/json")
    assert again.status_code == 202 and again.json()["receipt"] == receipt["receipt"]
    assert intake_work() == 1
    again = client.post(URL, _payload(casework.item, idempotency_key="api-key-000001"),
                        content_type="application/json")
    assert again.status_code == 200
    body = again.json()
    assert body["receipt"] == receipt["receipt"] and body["query_code"] == receipt["query_code"]
    assert Application.objects.count() == 1
    assert body["status"] == "submitted" and body["deadlines"]["limit_days"] == 2
    assert [e["move"] for e in body["events"]] == ["submit"]
    tracked = Client().get(f"/api/v1/services/receipts/{receipt['receipt']}", {"code": receipt["query_code"]})
    assert tracked.json()["state"] == "done" and tracked.json()["number"] == body["number"]
    mine = client.get(f"{URL}/{body['number']}")
    assert mine.status_code == 200 and mine.json()["number"] == body["number"]


def _submit(client, payload, key: str) -> dict:
    """Submit, let the worker make the case, and give the case's JSON (the same key's replay)."""
    response = client.post(URL, payload, content_type="application/json", headers={"Idempotency-Key": key})
    assert response.status_code == 202, response.content[:300]
    intake_work()
    response = client.post(URL, payload, content_type="application/json", headers={"Idempotency-Key": key})
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_errors_name_the_field(client, casework):
    client.force_login(casework.citizen)
    response = client.post(URL, _payload(casework.item, form={**VALID_COMPANY, "contact_phone": "12"},
                                         idempotency_key="api-key-000002"), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == "form.contact_phone" and response.json()["extra"]["rule"] == "pattern"
    material = casework.item.materials.get(required=True)
    response = client.post(URL, _payload(casework.item, materials={str(material.pk): "not base64!"},
                                         idempotency_key="api-key-000003"), content_type="application/json")
    assert response.status_code == 400 and response.json()["extra"]["field"] == f"materials.{material.pk}"
    response = client.post(URL, _payload(casework.item), content_type="application/json")
    assert response.status_code == 400 and response.json()["extra"]["field"] == "idempotency_key"


def test_sign_in_is_needed_and_others_get_404(client, casework):
    response = client.post(URL, _payload(casework.item), content_type="application/json",
                           headers={"Idempotency-Key": "api-key-000004"})
    assert response.status_code == 401 and set(response.json()) == {"message", "extra"}
    client.force_login(casework.citizen)
    number = _submit(client, _payload(casework.item), "api-key-000004")["number"]
    client.force_login(casework.stranger)
    response = client.get(f"{URL}/{number}")
    assert response.status_code == 404 and set(response.json()) == {"message", "extra"}
    client.force_login(casework.staff["clerk"])
    assert client.get(f"{URL}/{number}").status_code == 401


def test_openapi_describes_the_applications_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/services/applications"]
    assert "get" in paths["/api/v1/services/applications/{number}"]


def test_materials_of_a_few_megabytes_go_through_and_a_too_big_request_is_a_json_413(client, casework, settings):
    """Found by a tester: a 2 MB PDF over the API met Django's 2.5 MB default body limit and got an
    HTML 400 page."""
    client.force_login(casework.citizen)
    material = casework.item.materials.get(required=True)
    big_pdf = PDF + b"%" + b"0" * (3 * 1024 * 1024) + b"\n%%EOF\n"
    payload = {**_payload(casework.item), "materials": {str(material.pk): base64.b64encode(big_pdf).decode()}}
    response = client.post(URL, payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="api-key-big-01")
    assert response.status_code == 202, response.content[:300]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = client.post(URL, payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="api-key-big-02")
    assert response.status_code == 413
    assert response.json()["extra"] == {"rule": "max_request_size", "limit": 1024 * 1024}


def _raw(item, key: str, old: str, new: str) -> str:
    """The JSON text of a valid payload with ``old`` replaced by ``new`` (to write what json.dumps
    cannot: a NaN constant, a lone surrogate escape, a 20-digit integer)."""
    text = json.dumps(_payload(item, idempotency_key=key), ensure_ascii=False)
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(("old", "new", "field", "rule"), [
    ('"registered_capital": 100', '"registered_capital": NaN', "form.registered_capital", "finite"),
    ('"registered_capital": 100', '"registered_capital": -Infinity', "form.registered_capital", "finite"),
    ('"registered_capital": 100', '"registered_capital": 1e999', "form.registered_capital", "finite"),
    ("无锡示范科技有限公司", "\\ud800", "form.company_name", "surrogate"),
    ('"registered_capital": 100', '"registered_capital": 100000000000000000000', "form.registered_capital", "int64"),
])
def test_a_body_outside_the_json_contract_is_a_400_naming_the_field_and_takes_no_number(client, casework, old, new,
                                                                                       field, rule):
    """Issue 17: a lone surrogate was stored (201), NaN passed the range check and used up a
    tracking number. The API's parser refuses both before the handler runs."""
    client.force_login(casework.citizen)
    first = _submit(client, _payload(casework.item), "api-key-json-01")["number"]
    response = client.post(URL, _raw(casework.item, "api-key-json-02", old, new), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["extra"]["field"] == field and response.json()["extra"]["rule"] == rule
    assert Application.objects.count() == 1
    assert intake_work() == 0
    second = _submit(client, _payload(casework.item), "api-key-json-03")["number"]
    # the day's sequence (six digits before the check character) follows the first: the refused body took none
    assert int(second.rsplit("-", 1)[1][:6]) == int(first.rsplit("-", 1)[1][:6]) + 1


def test_a_body_that_is_not_json_is_a_400_in_the_error_shape(client, casework):
    client.force_login(casework.citizen)
    response = client.post(URL, b'{"item": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["extra"]["field"] == "body" and response.json()["extra"]["rule"] == "json"


@pytest.mark.parametrize("key", ["²", "١٢", "-1", "x"])
def test_a_material_key_that_is_not_an_ascii_id_is_unknown_not_bad_base64(client, casework, key):
    """Keys are material ids in ASCII digits. "²" passed ``str.isdigit`` and failed ``int()`` inside
    the base64 step: answered "not valid base64" about a file that was fine; "١٢" (Arabic-Indic
    digits) was read as material 12."""
    client.force_login(casework.citizen)
    payload = _payload(casework.item)
    payload["materials"][key] = base64.b64encode(PDF).decode()
    response = client.post(URL, payload, content_type="application/json", headers={"Idempotency-Key": "api-key-000777"})
    assert response.status_code == 400
    assert response.json()["extra"] == {"field": f"materials.{key}", "rule": "unknown"}


def test_the_item_kept_per_process_is_read_again_when_it_or_its_organization_changes(client, casework):
    """``selectors.service_item_for_submission`` (issue 18): the item is kept between submissions,
    but a renamed organization shows in the next audit event and a withdrawn item is a 404 at once."""
    from egov.audit.models import AuditEvent
    from egov.services.actions.intake import intake_work
    from egov.services.models import ServiceItem

    client.force_login(casework.citizen)
    first = client.post(URL, _payload(casework.item), content_type="application/json",
                        headers={"Idempotency-Key": "kept-item-0001"})
    assert first.status_code == 202
    organization = casework.item.organization
    organization.name = "无锡市改名后的局"
    organization.save(update_fields=["name"])
    second = client.post(URL, _payload(casework.item), content_type="application/json",
                         headers={"Idempotency-Key": "kept-item-0002"})
    assert second.status_code == 202
    intake_work()  # the worker audits the receipts
    event = AuditEvent.objects.filter(action="services.intake.receive").order_by("-seq").first()
    assert event.organization_label == "无锡市改名后的局" and second.json()["receipt"] in event.summary
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=False)  # 下架, from another process
    third = client.post(URL, _payload(casework.item), content_type="application/json",
                        headers={"Idempotency-Key": "kept-item-0003"})
    assert third.status_code == 404 and third.json()["extra"]["field"] == "code"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_an_api_submission_sends_four_statements_and_writes_the_intake_record_alone(client, reference_data, casework):
    """issue 18: the session, the user, the item's stamp, and the record's insert, which is its own
    transaction (autocommit: no BEGIN and COMMIT round trips); nothing of the file store or the
    audit log (the worker writes those)."""
    from django.test.utils import CaptureQueriesContext

    client.force_login(casework.citizen)
    assert client.post(URL, _payload(casework.item), content_type="application/json",
                       headers={"Idempotency-Key": "four-statements-01"}).status_code == 202  # the item kept
    payload = _payload(casework.item, materials={str(m.pk): base64.b64encode(PDF + b"% other bytes\n").decode()
                                                 for m in casework.item.materials.filter(required=True)})
    with CaptureQueriesContext(connection) as captured:
        answer = client.post(URL, payload, content_type="application/json",
                             headers={"Idempotency-Key": "four-statements-02"})
    assert answer.status_code == 202
    sent = [query["sql"] for query in captured.captured_queries]
    assert len(sent) == 4, "\n".join(sent)
    assert sent[0].startswith('SELECT "session_data" FROM "django_session"')
    assert sent[1].startswith('SELECT "id", "password"') and '"accounts_user"' in sent[1]
    assert sent[3].startswith('INSERT INTO "services_intakerecord"')
    assert not any("storedfile" in s or "audit_auditevent" in s for s in sent)
