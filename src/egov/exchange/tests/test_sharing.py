"""Sharing requests (共享申请) and grants: each item settled by its sharing type, the provider's
decision within 10 working days, expiry, revocation, who may do what. Dates are worked by hand on
the 2026 schedule (国庆 2026-10-01…10-07 off, Saturday 10-10 worked)."""

import datetime as dt

import pytest
from django.utils import timezone

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.exchange.actions import (
    grant_revoke,
    grants_expire,
    request_decide,
    request_submit,
    request_withdraw,
    requests_remind,
)
from egov.exchange.actions.grants import default_valid_until, valid_until_of
from egov.exchange.models import SharingGrant, SharingRequest
from egov.exchange.selectors import allowed_fields, grants_visible, requests_visible
from egov.exchange.tests.conftest import CONSUMER_CODE
from egov.exchange.tests.test_catalog import PERSON
from egov.facilities.models import Notification

FRIDAY = dt.date(2026, 12, 4)


def ask(people, consumer_org, resource, fields, key="key-00000001", **more):
    return request_submit(actor=people["asker"], consumer=consumer_org, resource=resource, fields=fields,
                          purpose=more.pop("purpose", "核验申请人身份和住址"), legal_basis="行政许可法第三十一条",
                          case_number="SP-20261204-0001", idempotency_key=key, today=more.pop("today", FRIDAY),
                          **more)


def test_each_item_is_settled_by_its_sharing_type(people, consumer_org, resource):
    request = ask(people, consumer_org, resource, ["id_number", "address", "religion"])
    assert request.number == "GXSQ-20261204-0001"
    assert request.status == "pending"
    # 10 working days after Friday 2026-12-04: 12-07…12-11 and 12-14…12-18.
    assert request.decision_due_on == dt.date(2026, 12, 18)
    outcomes = {row.field: (row.outcome, row.reason) for row in request.items.all()}
    assert outcomes == {"id_number": ("granted", ""), "address": ("pending", ""),
                        "religion": ("refused", "个人信息保护法第二十八条：敏感个人信息")}
    # 无条件共享 granted at once: the node lets the consumer read it now, for a year.
    assert allowed_fields(resource_code=PERSON["code"], consumer_code=CONSUMER_CODE).fields == {"id_number"}
    grant = SharingGrant.objects.get(request=request)
    assert valid_until_of(grant) == dt.date(2027, 12, 4)
    # The provider's data steward is told; its intake clerk is not; the consumer hears of what is settled.
    assert Notification.objects.filter(recipient=people["decider"], link_args=[request.number]).count() == 1
    assert not Notification.objects.filter(recipient=people["clerk"]).exists()
    assert Notification.objects.filter(recipient=people["asker"], link_args=[request.number]).count() == 1
    assert list(AuditEvent.objects.filter(action__startswith="exchange.").exclude(action="exchange.resource.publish")
                .values_list("action", flat=True).order_by("seq")) == ["exchange.sharing_request.submit",
                                                                       "exchange.grant.create"]


def test_in_autumn_the_deadline_skips_the_national_day_holiday(people, consumer_org, resource):
    request = ask(people, consumer_org, resource, ["address"], today=dt.date(2026, 9, 28))
    # 9-29, 9-30, 10-08, 10-09, 10-10 (worked Saturday), 10-12…10-16.
    assert request.decision_due_on == dt.date(2026, 10, 16)


def test_the_provider_grants_with_conditions_and_the_request_ends_partly_granted(people, consumer_org, resource):
    request = ask(people, consumer_org, resource, ["id_number", "address", "religion"])
    request = request_decide(actor=people["decider"], request=request,
                             decisions={"address": ("grant", "仅用于户籍事项核验，不得留存")},
                             valid_until=dt.date(2027, 6, 30), today=FRIDAY)
    assert request.status == "partly_granted"
    address = request.items.get(field="address")
    assert (address.outcome, address.reason) == ("granted", "仅用于户籍事项核验，不得留存")
    assert allowed_fields(resource_code=PERSON["code"], consumer_code=CONSUMER_CODE).fields == {"id_number", "address"}
    second = SharingGrant.objects.filter(request=request).order_by("pk").last()
    assert valid_until_of(second) == dt.date(2027, 6, 30)
    assert second.conditions == "住址：仅用于户籍事项核验，不得留存"
    assert [e.move for e in request.events.all()] == ["submit", "grant_partly"]
    assert AuditEvent.objects.filter(action="exchange.sharing_request.grant_partly").count() == 1
    told = Notification.objects.filter(recipient=people["asker"]).order_by("pk").last()
    assert "部分授权" in told.subject or "Partly granted" in told.subject_en


def test_a_refusal_needs_reasons_and_changes_nothing_without_them(people, consumer_org, resource):
    request = ask(people, consumer_org, resource, ["address"])
    with pytest.raises(ValidationFailed) as caught:
        request_decide(actor=people["decider"], request=request, decisions={"address": ("refuse", "  ")})
    assert caught.value.extra == {"field": "reason_address", "rule": "required"}
    with pytest.raises(ValidationFailed) as caught:
        request_decide(actor=people["decider"], request=request, decisions={})
    assert caught.value.extra["field"] == "item_address"
    request.refresh_from_db()
    assert request.status == "pending"
    request = request_decide(actor=people["decider"], request=request,
                             decisions={"address": ("refuse", "申请事项与住址信息无关")})
    assert request.status == "refused"
    assert request.items.get().reason == "申请事项与住址信息无关"
    assert not SharingGrant.objects.exists()
    with pytest.raises(Conflict):
        request_decide(actor=people["decider"], request=request, decisions={"address": ("grant", "")})


def test_unconditional_items_alone_are_granted_at_once_and_not_shared_ones_refused(people, consumer_org, resource):
    granted = ask(people, consumer_org, resource, ["id_number", "name"])
    assert granted.status == "granted"
    assert granted.decision_due_on is None
    assert [e.move for e in granted.events.all()] == ["submit", "grant"]
    refused = ask(people, consumer_org, resource, ["religion"], key="key-00000002")
    assert refused.status == "refused"
    assert refused.items.get().reason == "个人信息保护法第二十八条：敏感个人信息"


def test_only_the_right_organizations_staff_ask_and_decide(people, consumer_org, provider_org, resource):
    with pytest.raises(PermissionDenied):  # a data steward of another organization asks for the consumer
        request_submit(actor=people["stranger"], consumer=consumer_org, resource=resource, fields=["name"],
                       purpose="p", legal_basis="b", idempotency_key="key-00000003")
    request = ask(people, consumer_org, resource, ["address"])
    with pytest.raises(NotFound):  # a stranger is not told that the request exists
        request_decide(actor=people["stranger"], request=request, decisions={"address": ("grant", "")})
    with pytest.raises(PermissionDenied):  # the consumer does not decide its own request
        request_decide(actor=people["asker"], request=request, decisions={"address": ("grant", "")})
    with pytest.raises(NotFound):  # a clerk of the provider is no data steward
        request_decide(actor=people["clerk"], request=request, decisions={"address": ("grant", "")})
    with pytest.raises(PermissionDenied):
        request_withdraw(actor=people["decider"], request=request)
    grant = SharingGrant.objects.create(resource=resource, consumer_code=CONSUMER_CODE, consumer_name="x",
                                        purpose="p", legal_basis="b")
    with pytest.raises(PermissionDenied):
        grant_revoke(actor=people["asker"], grant=grant, reason="r")
    assert not requests_visible(user=people["stranger"]).exists()
    assert not grants_visible(user=people["stranger"]).exists()
    assert list(requests_visible(user=people["decider"], side="provider", state="open")) == [request]
    assert not requests_visible(user=people["decider"], side="consumer").exists()


def test_the_same_form_twice_is_one_request_and_other_content_is_refused(people, consumer_org, resource):
    first = ask(people, consumer_org, resource, ["address"])
    assert ask(people, consumer_org, resource, ["address"]) == first
    with pytest.raises(Conflict) as caught:
        ask(people, consumer_org, resource, ["address", "name"])
    assert caught.value.extra["number"] == first.number
    assert SharingRequest.objects.count() == 1


def test_bad_requests_name_the_field(people, consumer_org, resource):
    for fields, rule in (([], "required"), (["nope"], "unknown"), (["name", "name"], "repeated")):
        with pytest.raises(ValidationFailed) as caught:
            ask(people, consumer_org, resource, fields, key=f"key-bad-{rule}")
        assert caught.value.extra["field"] == "fields" and caught.value.extra["rule"] == rule
    with pytest.raises(ValidationFailed) as caught:
        ask(people, consumer_org, resource, ["name"], purpose=" ")
    assert caught.value.extra["field"] == "purpose"


def test_the_consumer_withdraws_and_the_provider_is_told(people, consumer_org, resource):
    request = ask(people, consumer_org, resource, ["address"])
    request = request_withdraw(actor=people["asker"], request=request)
    assert request.status == "withdrawn"
    assert Notification.objects.filter(recipient=people["decider"]).count() == 2


def test_revocation_needs_a_reason_ends_the_grant_and_tells_the_consumer(people, consumer_org, resource):
    request = ask(people, consumer_org, resource, ["name"])
    grant = request.grants.get()
    with pytest.raises(ValidationFailed):
        grant_revoke(actor=people["decider"], grant=grant, reason="")
    grant_revoke(actor=people["decider"], grant=grant, reason="使用单位超范围使用数据")
    with pytest.raises(PermissionDenied):
        allowed_fields(resource_code=PERSON["code"], consumer_code=CONSUMER_CODE)
    told = Notification.objects.filter(recipient=people["asker"]).order_by("pk").last()
    assert "使用单位超范围使用数据" in told.body
    assert list(grants_visible(user=people["asker"], state="revoked")) == [grant]
    with pytest.raises(Conflict):
        grant_revoke(actor=people["decider"], grant=grant, reason="again")


def test_the_daily_run_tells_the_consumer_ten_working_days_ahead_and_marks_expiry(people, consumer_org, resource):
    request = ask(people, consumer_org, resource, ["address"])
    request_decide(actor=people["decider"], request=request, decisions={"address": ("grant", "")},
                   valid_until=dt.date(2026, 12, 18), today=FRIDAY)
    grant = request.grants.get()
    before = Notification.objects.filter(recipient=people["asker"]).count()
    # 2026-12-03 → 12-18: 11 working days left; 12-04 → 12-18: 10.
    assert grants_expire(today=dt.date(2026, 12, 3)) == {"expired": 0, "noticed": 0}
    assert grants_expire(today=FRIDAY) == {"expired": 0, "noticed": 1}
    assert grants_expire(today=FRIDAY) == {"expired": 0, "noticed": 0}
    assert Notification.objects.filter(recipient=people["asker"]).count() == before + 1
    SharingGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert grants_expire(today=dt.date(2026, 12, 19))["expired"] == 1
    assert grants_expire(today=dt.date(2026, 12, 19))["expired"] == 0
    assert AuditEvent.objects.filter(action="exchange.grant.expire").count() == 1
    assert list(grants_visible(user=people["asker"], state="expired")) == [grant]
    with pytest.raises(PermissionDenied):
        allowed_fields(resource_code=PERSON["code"], consumer_code=CONSUMER_CODE)


def test_the_provider_is_reminded_three_working_days_ahead_and_overdue_is_marked(people, consumer_org, resource):
    request = ask(people, consumer_org, resource, ["address"])  # due 2026-12-18
    assert requests_remind(today=dt.date(2026, 12, 14)) == {"overdue": 0, "reminded": 0}  # 4 left
    assert requests_remind(today=dt.date(2026, 12, 15)) == {"overdue": 0, "reminded": 1}  # 3 left
    assert requests_remind(today=dt.date(2026, 12, 16)) == {"overdue": 0, "reminded": 0}
    assert requests_remind(today=dt.date(2026, 12, 21)) == {"overdue": 1, "reminded": 0}
    request.refresh_from_db()
    assert request.overdue_since is not None
    # New request, reminder, overdue: the provider's steward; the consumer's hears of the overdue decision.
    assert Notification.objects.filter(recipient=people["decider"]).count() == 3
    overdue = Notification.objects.filter(recipient=people["asker"], link_args=[request.number]).order_by("pk").last()
    assert overdue.subject == f"共享申请 {request.number}：答复已逾期"
    assert overdue.subject_en == f"Sharing request {request.number}: the decision is overdue"
    assert "2026-12-18" in overdue.body
    # Once only: the next day's run tells nobody again.
    assert requests_remind(today=dt.date(2026, 12, 22)) == {"overdue": 0, "reminded": 0}
    assert Notification.objects.filter(recipient=people["decider"]).count() == 3


def test_a_year_from_a_leap_day_ends_on_the_last_of_february():
    assert default_valid_until(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    assert default_valid_until(FRIDAY) == dt.date(2027, 12, 4)


def test_a_grant_runs_36_months_at_most_and_a_far_date_is_refused_not_a_crash(people, consumer_org, resource):
    # Found by a tester: 9999-12-31 overflowed the date arithmetic (a 500); 2099-12-31 gave a 73-year grant.
    today = dt.date(2026, 12, 5)  # + 36 months (EGOV_SHARING_GRANT_MAX_MONTHS) = 2029-12-05, the last day allowed
    request = ask(people, consumer_org, resource, ["address"])
    for far in (dt.date(9999, 12, 31), dt.date(2099, 12, 31), dt.date(2029, 12, 6)):
        with pytest.raises(ValidationFailed) as caught:
            request_decide(actor=people["decider"], request=request, decisions={"address": ("grant", "")},
                           valid_until=far, today=today)
        assert caught.value.extra == {"field": "valid_until", "rule": "too_long", "max": "2029-12-05"}
        assert "2029-12-05" in str(caught.value)
    request.refresh_from_db()
    assert request.status == "pending" and not request.grants.exists()
    request = request_decide(actor=people["decider"], request=request, decisions={"address": ("grant", "")},
                             valid_until=dt.date(2029, 12, 5), today=today)
    assert valid_until_of(request.grants.get()) == dt.date(2029, 12, 5)
