"""Real-name verification (实名认证, issue 17, item 1) on the demo city, wired as deployed: registration
asks the population register (through ``egov.wiring``), an account the register does not hold under
its name stays unverified and may browse and track but not apply; a clerk at a service window
verifies it; the demo's own people are verified.

Before: any valid resident ID with any name was accepted and could apply at once (issue 17, "Anyone
can register anyone").
"""

import json

import pytest
from django.test import Client

from egov.accounts.actions import account_verify_in_person, natural_person_register
from egov.accounts.models import User
from egov.audit.models import AuditEvent, SubjectRead
from egov.core.errors import PermissionDenied
from egov.demo import DEMO_CITIZEN, DEMO_ENTERPRISE, DEMO_PASSWORD, demo_load
from egov.services.actions.applying import application_submit
from egov.services.models import Application, ServiceItem

pytestmark = pytest.mark.django_db
# Rows of fixtures/demo_registers/population.csv: 李娜 holds 320214198511220823.
HELD_ID, HELD_NAME = "320214198511220823", "李娜"
# A valid resident ID (梁溪区, 1990-01-01, checksum worked by GB 11643: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
# over 32021319900101001 give 150, 150 mod 11 = 7, check character 5) that the demo register does not hold.
UNKNOWN_ID = "320213199001010015"
PASSWORD = "real-name-test-2026"


@pytest.fixture
def demo(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    demo_load()


def _register_page(client: Client, id_number: str, name: str):
    return client.post("/accounts/register/person/", {"id_number": id_number, "name": name, "password": PASSWORD})


def _natural_item() -> ServiceItem:
    return next(item for item in ServiceItem.objects.order_by("code") if "natural" in item.applicant_kinds
                and item.online_depth >= 3)


def test_an_account_the_register_does_not_hold_stays_unverified_and_cannot_apply(demo, client):
    assert _register_page(client, UNKNOWN_ID, "赵六").status_code == 302
    user = User.objects.get(username=UNKNOWN_ID)
    assert (user.verification_method, user.verified_at) == ("", None)
    item = _natural_item()
    # browse and track: yes
    assert client.get(f"/services/{item.code}/").status_code == 200
    assert client.get("/services/applications/").status_code == 200
    # the apply page: the page that says how to get verified, not the form
    page = client.get(f"/services/{item.code}/apply/")
    assert page.status_code == 403 and 'id="verification-required"' in page.content.decode()
    assert "/accounts/me/verify/" in page.content.decode()
    # the API: 403 naming the rule and where to go
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    answer = client.post("/api/v1/services/applications", {"item": item.code, "form": {}, "materials": {}},
                         content_type="application/json", headers={"Idempotency-Key": "real-name-0001",
                                                                   "X-CSRFToken": token})
    assert answer.status_code == 403
    assert answer.json()["extra"] == {"rule": "unverified", "verify": "/accounts/me/verify/"}
    # the action itself, whatever calls it
    with pytest.raises(PermissionDenied) as refused:
        application_submit(actor=user, item=item, form_data={}, files={}, idempotency_key="real-name-0002")
    assert refused.value.extra["rule"] == "unverified"
    assert not Application.objects.filter(applicant=user).exists()
    # and the profile says so, with the way out
    profile = client.get("/accounts/me/").content.decode()
    assert "未认证" in profile and 'href="/accounts/me/verify/"' in profile


def test_the_registration_api_says_whether_the_register_verified_the_account(demo, client):
    answer = client.post("/api/v1/accounts/natural-persons", {"id_number": UNKNOWN_ID, "name": "赵六",
                                                             "password": PASSWORD}, content_type="application/json")
    assert answer.status_code == 201 and answer.json()["verified"] is False
    held = client.post("/api/v1/accounts/natural-persons", {"id_number": HELD_ID, "name": HELD_NAME,
                                                           "password": PASSWORD}, content_type="application/json")
    assert held.status_code == 201 and held.json()["verified"] is True


def test_a_held_id_under_another_name_is_not_verified(demo):
    person = natural_person_register(id_number=HELD_ID, name="李娜娜", password=PASSWORD)
    assert not person.user.is_real_name_verified


def test_the_register_verifies_a_person_it_holds_under_that_name_and_the_read_is_audited(demo, client):
    assert _register_page(client, HELD_ID, HELD_NAME).status_code == 302
    user = User.objects.get(username=HELD_ID)
    assert user.verification_method == "register" and user.verified_at is not None
    assert user.verification_reference == "register:population"
    read = AuditEvent.objects.filter(action="registries.population.read").latest("pk")
    # The purpose names the check, not the person: the ID number must never be in the audit log
    # (docs/registries.md) nor in the read log (audit.SubjectRead); it was "实名认证 <ID number>".
    assert read.changes["purpose"] == "实名认证"
    assert HELD_ID not in json.dumps(read.changes, ensure_ascii=False) and HELD_ID not in read.summary
    assert not SubjectRead.objects.filter(case__contains=HELD_ID).exists()
    assert SubjectRead.objects.filter(case="实名认证", action="registries.population.read").exists()
    assert read.changes["basis"] == "《中华人民共和国网络安全法》第二十四条"
    assert AuditEvent.objects.filter(action="accounts.user.verify", object_id=str(user.pk)).count() == 1
    assert client.get(f"/services/{_natural_item().code}/apply/").status_code == 200


def test_through_the_exchange_when_a_consumer_is_configured(demo, settings):
    """With EGOV_REAL_NAME_CONSUMER the question goes through the exchange as that organization: the
    provider of the population resource (公安局 in the demo) needs no grant for its own resource."""
    from egov.exchange.models import InformationResource, LoggedMessage

    settings.EGOV_REAL_NAME_CONSUMER = InformationResource.objects.get(code="320200-GA-0001").provider_code
    before = LoggedMessage.objects.count()
    person = natural_person_register(id_number=HELD_ID, name=HELD_NAME, password=PASSWORD)
    assert person.user.verification_method == "register"
    assert person.user.verification_reference == "320200-GA-0001"
    assert LoggedMessage.objects.count() > before  # the request and its answer are in the message log


def test_a_consumer_without_a_grant_leaves_the_account_unverified_and_registered(demo, settings):
    from egov.exchange.models import LoggedMessage
    from egov.orgs.models import Organization

    settings.EGOV_REAL_NAME_CONSUMER = Organization.objects.get(name="无锡市财政局").uscc  # holds no grant of it
    person = natural_person_register(id_number=HELD_ID, name=HELD_NAME, password=PASSWORD)
    assert person.pk and not person.user.is_real_name_verified
    refused = LoggedMessage.objects.filter(kind="response").latest("pk")
    assert refused.status == 403  # the refusal stays in the message log
    settings.EGOV_REAL_NAME_CONSUMER = "91320200MA0000000X"  # no such organization: nothing is asked
    other = natural_person_register(id_number=UNKNOWN_ID, name="赵六", password=PASSWORD)
    assert other.pk and not other.user.is_real_name_verified


def test_a_clerk_verifies_at_the_window_then_the_person_may_apply(demo, client):
    user = natural_person_register(id_number=UNKNOWN_ID, name="赵六", password=PASSWORD).user
    clerk = User.objects.get(username="clerk")
    staff = Client()
    staff.force_login(clerk)
    found = staff.post("/staff/accounts/verify/", {"identifier": UNKNOWN_ID.lower(), "lookup": "1"})
    assert found.status_code == 200 and "赵六" in found.content.decode()
    assert AuditEvent.objects.filter(action="accounts.user.read", object_id=str(user.pk)).count() == 1
    unchecked = staff.post("/staff/accounts/verify/", {"identifier": UNKNOWN_ID, "confirm": "1",
                                                        "document": "resident_id_card"})
    assert unchecked.status_code == 400  # the clerk must confirm that the document matches
    user.refresh_from_db()
    assert not user.is_real_name_verified
    done = staff.post("/staff/accounts/verify/", {"identifier": UNKNOWN_ID, "confirm": "1",
                                                   "document": "resident_id_card", "matches": "on"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.verification_method == "in_person"
    assert user.verification_reference == "resident_id_card checked by clerk"
    event = AuditEvent.objects.get(action="accounts.user.verify", object_id=str(user.pk))
    assert event.actor_id == clerk.pk
    client.force_login(user)
    assert client.get(f"/services/{_natural_item().code}/apply/").status_code == 200


def test_only_an_intake_clerk_verifies_in_person(demo, client):
    user = natural_person_register(id_number=UNKNOWN_ID, name="赵六", password=PASSWORD).user
    reviewer = User.objects.filter(memberships__roles__role="reviewer").exclude(
        memberships__roles__role="clerk").first()
    with pytest.raises(PermissionDenied):
        account_verify_in_person(actor=reviewer, user=user, document="resident_id_card")
    client.force_login(reviewer)
    assert client.get("/staff/accounts/verify/").status_code == 403
    with pytest.raises(PermissionDenied):
        account_verify_in_person(actor=user, user=user, document="resident_id_card")  # not oneself either


def test_the_demo_people_are_verified_by_the_register(demo):
    for username in (DEMO_CITIZEN["id_number"], DEMO_ENTERPRISE["uscc"]):
        user = User.objects.get(username=username)
        assert user.verification_method == "register", username
    assert DEMO_PASSWORD  # the demo prints the sign-ins; they apply at once
