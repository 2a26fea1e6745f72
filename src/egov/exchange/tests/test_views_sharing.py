"""The sharing pages: both sides see the request, only the provider decides (radios per item,
reasons required when refusing), only the consumer asks; a stranger is told nothing."""

import datetime as dt

import pytest

from egov.exchange.actions import request_submit
from egov.exchange.models import SharingGrant, SharingRequest

pytestmark = pytest.mark.django_db


def ask(people, consumer_org, resource, fields=("id_number", "address")):
    return request_submit(actor=people["asker"], consumer=consumer_org, resource=resource, fields=list(fields),
                          purpose="核验申请人住址", legal_basis="行政许可法第三十一条", idempotency_key="page-key-01")


def test_the_consumer_asks_through_the_form_once(client, people, consumer_org, resource):
    client.force_login(people["asker"])
    page = client.get("/staff/exchange/sharing/new/", {"resource": resource.code})
    assert page.status_code == 200
    assert "住址 (address)" in page.content.decode()
    form = {"resource": resource.code, "consumer": consumer_org.pk, "items": ["name", "address"],
            "purpose": "核验申请人住址", "case_number": "", "legal_basis": "行政许可法第三十一条",
            "idempotency_key": "form-key-0001"}
    first = client.post("/staff/exchange/sharing/new/", form)
    number = SharingRequest.objects.get().number
    assert first.status_code == 302 and first["Location"] == f"/staff/exchange/sharing/{number}/"
    assert client.post("/staff/exchange/sharing/new/", form).status_code == 302  # a double click
    assert SharingRequest.objects.count() == 1
    empty = client.post("/staff/exchange/sharing/new/", {**form, "purpose": "", "idempotency_key": "form-key-0002"})
    assert empty.status_code == 400
    assert SharingRequest.objects.count() == 1


def test_a_stranger_neither_sees_nor_asks_nor_decides(client, people, consumer_org, resource):
    request = ask(people, consumer_org, resource)
    client.force_login(people["stranger"])
    assert client.get(f"/staff/exchange/sharing/{request.number}/").status_code == 404
    assert client.post(f"/staff/exchange/sharing/{request.number}/decide/",
                       {"item_address": "grant", "valid_until": "2027-06-30"}).status_code == 404
    assert request.number not in client.get("/staff/exchange/sharing/").content.decode()
    client.force_login(people["clerk"])  # the provider's intake clerk: no sharing role
    assert client.get("/staff/exchange/sharing/new/").status_code == 403
    assert client.get(f"/staff/exchange/sharing/{request.number}/").status_code == 404


def test_the_provider_decides_item_by_item_and_a_refusal_needs_reasons(client, people, consumer_org, resource):
    request = ask(people, consumer_org, resource)
    client.force_login(people["asker"])
    page = client.get(f"/staff/exchange/sharing/{request.number}/").content.decode()
    assert "Record the decision" not in page and "记录决定" not in page  # the consumer has no decision form
    client.force_login(people["decider"])
    page = client.get(f"/staff/exchange/sharing/{request.number}/").content.decode()
    assert 'type="radio"' in page and 'name="item_address"' in page
    refused = client.post(f"/staff/exchange/sharing/{request.number}/decide/",
                          {"item_address": "refuse", "reason_address": "", "valid_until": "2027-06-30"})
    assert refused.status_code == 400
    assert 'id="id_reason_address_error"' in refused.content.decode()
    request.refresh_from_db()
    assert request.status == "pending"
    done = client.post(f"/staff/exchange/sharing/{request.number}/decide/",
                       {"item_address": "grant", "reason_address": "仅限本案使用", "valid_until": "2027-06-30"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "granted"
    grant = SharingGrant.objects.filter(request=request).order_by("pk").last()
    assert grant.expires_at.date() in (dt.date(2027, 6, 30), dt.date(2027, 7, 1))
    page = client.get(f"/staff/exchange/sharing/{request.number}/").content.decode()
    assert "仅限本案使用" in page


def test_grants_are_listed_by_state_and_only_the_provider_revokes(client, people, consumer_org, resource):
    request = ask(people, consumer_org, resource, ["id_number"])
    grant = request.grants.get()
    client.force_login(people["asker"])
    assert client.get(f"/staff/exchange/sharing/grants/{grant.pk}/").status_code == 200
    assert client.post(f"/staff/exchange/sharing/grants/{grant.pk}/revoke/", {"reason": "x"}).status_code == 403
    client.force_login(people["stranger"])
    assert client.get(f"/staff/exchange/sharing/grants/{grant.pk}/").status_code == 404
    client.force_login(people["decider"])
    assert client.post(f"/staff/exchange/sharing/grants/{grant.pk}/revoke/", {"reason": ""}).status_code == 400
    assert client.post(f"/staff/exchange/sharing/grants/{grant.pk}/revoke/",
                       {"reason": "超范围使用"}).status_code == 302
    listed = client.get("/staff/exchange/sharing/grants/", {"state": "revoked"}).content.decode()
    assert f"/staff/exchange/sharing/grants/{grant.pk}/" in listed
    assert f"/staff/exchange/sharing/grants/{grant.pk}/" not in client.get(
        "/staff/exchange/sharing/grants/", {"state": "in_force"}).content.decode()


def test_a_pending_decision_is_in_the_providers_inbox_only(client, people, consumer_org, resource):
    request = ask(people, consumer_org, resource)  # due 10 working days after today
    client.force_login(people["decider"])
    inbox = client.get("/staff/inbox/").content.decode()
    assert request.number in inbox and f"/staff/exchange/sharing/{request.number}/" in inbox
    client.force_login(people["asker"])
    assert request.number not in client.get("/staff/inbox/").content.decode()
    client.force_login(people["decider"])
    client.post(f"/staff/exchange/sharing/{request.number}/decide/",
                {"item_address": "grant", "reason_address": "", "valid_until": "2027-06-30"})
    assert request.number not in client.get("/staff/inbox/").content.decode()


def test_each_granted_item_shows_its_grant_and_until_when(client, people, consumer_org, resource):
    request = ask(people, consumer_org, resource)  # id_number granted at once, address waits
    client.force_login(people["decider"])
    client.post(f"/staff/exchange/sharing/{request.number}/decide/",
                {"item_address": "grant", "reason_address": "", "valid_until": "2027-06-30"})
    first, second = SharingGrant.objects.filter(request=request).order_by("pk")
    client.force_login(people["asker"])
    page = client.get(f"/staff/exchange/sharing/{request.number}/").content.decode()
    address = page.split('id="until-address"', 1)[1].split("</td>", 1)[0]
    id_number = page.split('id="until-id_number"', 1)[1].split("</td>", 1)[0]
    assert "2027-06-30" in address and f"/staff/exchange/sharing/grants/{second.pk}/" in address
    assert f"/staff/exchange/sharing/grants/{first.pk}/" in id_number and "有效" in id_number
    assert "各自的有效期" in page  # why two grants, said once


def test_an_overdue_decision_shows_on_the_request_page(client, people, consumer_org, resource):
    request = ask(people, consumer_org, resource)
    # Due weeks ago: overdue by the working days since.
    SharingRequest.objects.filter(pk=request.pk).update(decision_due_on=dt.date(2026, 11, 20))
    for who in ("decider", "asker"):
        client.force_login(people[who])
        page = client.get(f"/staff/exchange/sharing/{request.number}/").content.decode()
        assert "govuk-tag--red" in page and "已超期" in page, who


def test_a_catalog_reason_is_shown_in_english_on_english_pages(client, people, consumer_org, resource):
    resource.items.filter(field="religion").update(refusal_basis_en="PIPL Article 28: sensitive personal data")
    request = ask(people, consumer_org, resource, ["id_number", "religion"])
    client.force_login(people["asker"])
    english = client.get(f"/staff/exchange/sharing/{request.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "PIPL Article 28: sensitive personal data" in english
    assert "个人信息保护法第二十八条" not in english
    chinese = client.get(f"/staff/exchange/sharing/{request.number}/").content.decode()
    assert "个人信息保护法第二十八条：敏感个人信息" in chinese


def test_a_validity_too_far_ahead_is_shown_on_the_form_not_a_server_error(client, people, consumer_org, resource):
    request = ask(people, consumer_org, resource)
    client.force_login(people["decider"])
    for far in ("9999-12-31", "2099-12-31"):
        answer = client.post(f"/staff/exchange/sharing/{request.number}/decide/",
                             {"item_address": "grant", "reason_address": "", "valid_until": far},
                             headers={"Accept-Language": "zh-hans"})
        assert answer.status_code == 400
        page = answer.content.decode()
        assert 'id="id_valid_until_error"' in page and "授权有效期最长 36 个月" in page
    request.refresh_from_db()
    assert request.status == "pending"


def test_a_grant_without_an_end_says_so(client, people, consumer_org, resource):
    # Found by a tester: grants loaded without an expiry (免提交, egov exchange import) showed "有效期至 —".
    from egov.core.actors import SYSTEM
    from egov.exchange.actions import grant_create

    grant = grant_create(actor=SYSTEM, resource=resource, consumer_code=consumer_org.uscc,
                         consumer_name=consumer_org.name, fields=["id_number"], purpose="免提交",
                         legal_basis="《优化营商环境条例》第三十五条")
    client.force_login(people["asker"])
    for path in (f"/staff/exchange/sharing/grants/{grant.pk}/", "/staff/exchange/sharing/grants/"):
        page = client.get(path, headers={"Accept-Language": "zh-hans"}).content.decode()
        assert "长期有效" in page, path
        page = client.get(path, headers={"Accept-Language": "en"}).content.decode()
        assert "No expiry" in page, path
