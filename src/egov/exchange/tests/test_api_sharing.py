"""The sharing API (/api/v1/staff/exchange/): ask, decide, withdraw, list, revoke; wrong
organizations are refused (403 for the wrong side, 404 for strangers), bad input is a 4xx naming
the field."""

import json

import pytest

from egov.exchange.tests.conftest import CONSUMER_CODE

pytestmark = pytest.mark.django_db
BASE = "/api/v1/staff/exchange"


def post(client, path, body, **headers):
    return client.post(f"{BASE}{path}", json.dumps(body), content_type="application/json", headers=headers)


ASK = {"resource": "320200-GA-001", "fields": ["id_number", "address", "religion"], "purpose": "核验申请人住址",
       "case_number": "SP-20261204-0001", "legal_basis": "行政许可法第三十一条"}


def test_ask_decide_and_list_through_the_api(client, people, resource):
    assert client.get(f"{BASE}/sharing-requests").status_code == 401
    client.force_login(people["asker"])
    created = post(client, "/sharing-requests", ASK, **{"Idempotency-Key": "api-key-0001"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["consumer"] == CONSUMER_CODE and body["status"] == "pending"
    assert [(i["field"], i["outcome"]) for i in body["items"]] == [
        ("id_number", "granted"), ("address", "pending"), ("religion", "refused")]
    again = post(client, "/sharing-requests", ASK, **{"Idempotency-Key": "api-key-0001"})
    assert again.status_code == 200 and again.json()["number"] == body["number"]
    other = post(client, "/sharing-requests", {**ASK, "purpose": "别的用途"}, **{"Idempotency-Key": "api-key-0001"})
    assert other.status_code == 409 and other.json()["extra"]["number"] == body["number"]
    number = body["number"]
    # The consumer cannot decide its own request.
    assert post(client, f"/sharing-requests/{number}/decision",
                {"items": [{"field": "address", "decision": "grant"}]}).status_code == 403
    client.force_login(people["decider"])
    listed = client.get(f"{BASE}/sharing-requests", {"side": "provider", "state": "open"}).json()
    assert [row["number"] for row in listed] == [number]
    no_reason = post(client, f"/sharing-requests/{number}/decision",
                     {"items": [{"field": "address", "decision": "refuse", "reason": ""}]})
    assert no_reason.status_code == 400 and no_reason.json()["extra"]["field"] == "reason_address"
    decided = post(client, f"/sharing-requests/{number}/decision",
                   {"items": [{"field": "address", "decision": "grant", "reason": "仅限本案"}],
                    "valid_until": "2027-06-30"})
    assert decided.status_code == 200 and decided.json()["status"] == "partly_granted"
    # Decided in parts: two grants, and each item says which grant holds it and until when.
    items = {i["field"]: i for i in decided.json()["items"]}
    assert items["address"]["valid_until"] == "2027-06-30" and items["address"]["grant_state"] == "in_force"
    assert items["id_number"]["grant_state"] == "in_force" and items["id_number"]["valid_until"] is not None
    assert items["id_number"]["grant"] != items["address"]["grant"]
    assert set(decided.json()["grants"]) == {items["id_number"]["grant"], items["address"]["grant"]}
    assert (items["religion"]["grant"], items["religion"]["valid_until"]) == (None, None)
    grants = client.get(f"{BASE}/sharing-grants", {"side": "provider", "state": "in_force"}).json()
    assert sorted(tuple(g["fields"]) for g in grants) == [("address",), ("id_number",)]
    assert "2027-06-30" in {g["valid_until"] for g in grants}
    revoked = post(client, f"/sharing-grants/{items['address']['grant']}/revoke", {"reason": "超范围使用"})
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    # The consumer sees the revoked item as such; the other item is still readable.
    client.force_login(people["asker"])
    after = {i["field"]: i for i in client.get(f"{BASE}/sharing-requests/{number}").json()["items"]}
    assert (after["address"]["grant_state"], after["id_number"]["grant_state"]) == ("revoked", "in_force")


def test_a_wrong_organization_is_refused(client, people, resource):
    client.force_login(people["stranger"])
    refused = post(client, "/sharing-requests", {**ASK, "consumer": CONSUMER_CODE}, **{"Idempotency-Key": "api-k-02"})
    assert refused.status_code == 400 and refused.json()["extra"]["field"] == "consumer"
    client.force_login(people["asker"])
    number = post(client, "/sharing-requests", ASK, **{"Idempotency-Key": "api-k-03"}).json()["number"]
    client.force_login(people["stranger"])
    assert client.get(f"{BASE}/sharing-requests/{number}").status_code == 404
    assert post(client, f"/sharing-requests/{number}/decision",
                {"items": [{"field": "address", "decision": "grant"}]}).status_code == 404
    assert client.get(f"{BASE}/sharing-requests").json() == []
    client.force_login(people["decider"])
    assert post(client, f"/sharing-requests/{number}/withdraw", {}).status_code == 403
    client.force_login(people["asker"])
    withdrawn = post(client, f"/sharing-requests/{number}/withdraw", {})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert post(client, f"/sharing-requests/{number}/withdraw", {}).status_code == 409


def test_bad_input_names_the_field(client, people, resource):
    client.force_login(people["asker"])
    unknown = post(client, "/sharing-requests", {**ASK, "fields": ["nope"]}, **{"Idempotency-Key": "api-k-04"})
    assert unknown.status_code == 400 and unknown.json()["extra"] == {"field": "fields", "rule": "unknown",
                                                                       "item": "nope"}
    no_key = post(client, "/sharing-requests", ASK)
    assert no_key.status_code == 400 and no_key.json()["extra"]["field"] == "idempotency_key"
    assert post(client, "/sharing-requests", {**ASK, "resource": "nope"},
                **{"Idempotency-Key": "api-k-05"}).status_code == 404


def test_the_api_refuses_a_grant_too_far_ahead_with_a_4xx(client, people, resource):
    client.force_login(people["asker"])
    number = post(client, "/sharing-requests", ASK, **{"Idempotency-Key": "api-key-far1"}).json()["number"]
    client.force_login(people["decider"])
    for far in ("9999-12-31", "2099-12-31"):
        answer = post(client, f"/sharing-requests/{number}/decision",
                      {"items": [{"field": "address", "decision": "grant"}], "valid_until": far})
        assert answer.status_code == 400, answer.content
        assert answer.json()["extra"]["field"] == "valid_until" and answer.json()["extra"]["rule"] == "too_long"
