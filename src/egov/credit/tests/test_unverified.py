"""Unverified accounts speak for nobody (实名认证, issue 17; tester's finding H1): an account registered with a
listed enterprise's USCC under another name stays unverified, and must not see the enterprise's records, who
asked about it, or ask for its credit report; an agent counts only when both accounts are verified."""

import pytest
from django.urls import get_resolver
from freezegun import freeze_time

from egov.accounts.models import Agent
from egov.accounts.tests.factories import LegalPersonFactory, NaturalPersonFactory, make_verified
from egov.core.errors import PermissionDenied
from egov.credit import reports
from egov.credit.permissions import is_subject, subject_codes
from egov.credit.tests.conftest import ENTERPRISE
from egov.credit.tests.test_requests import listing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def urls_loaded():
    get_resolver().url_patterns  # noqa: B018


@pytest.fixture
def impostor(db):
    """An account registered with the listed enterprise's USCC, not verified (its name did not match)."""
    return LegalPersonFactory(uscc=ENTERPRISE, name="冒名有限公司", verified=False)


@freeze_time("2025-09-26 10:00:00+08:00")
def test_an_unverified_account_with_the_subjects_code_speaks_for_nobody(client, registers, approver, market, impostor):
    record = listing(approver, market)
    assert subject_codes(impostor.user) == []
    assert not is_subject(impostor.user, record)
    client.force_login(impostor.user)
    page = client.get("/credit/mine/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="verification-required"' in body
    assert record.number not in body and "/objection/" not in body
    assert client.get(f"/credit/mine/{record.number}/objection/").status_code == 403
    assert client.get("/credit/mine/reports/new/").status_code == 403
    assert client.post("/credit/mine/reports/new/", {"subject": ENTERPRISE}).status_code == 403
    with pytest.raises(PermissionDenied) as refused:
        reports.report_request(actor=impostor.user, subject=ENTERPRISE)
    assert refused.value.extra["rule"] == "unverified"
    # Verified at a window (the clerk saw the licence): now it speaks for the enterprise.
    make_verified(impostor.user)
    impostor.user.refresh_from_db()
    assert subject_codes(impostor.user) == [ENTERPRISE]
    assert is_subject(impostor.user, record)
    assert record.number in client.get("/credit/mine/").content.decode()


@freeze_time("2025-09-26 10:00:00+08:00")
def test_an_agent_counts_only_when_both_accounts_are_verified(registers, approver, market, impostor):
    record = listing(approver, market)
    agent = NaturalPersonFactory()
    Agent.objects.create(legal_person=impostor, person=agent)
    assert subject_codes(agent.user) == [agent.id_number]  # its own ID only: the enterprise account is unverified
    assert not is_subject(agent.user, record)
    make_verified(impostor.user)
    assert subject_codes(agent.user) == [agent.id_number, ENTERPRISE]
    assert is_subject(agent.user, record)
    unverified_agent = NaturalPersonFactory(verified=False)
    Agent.objects.create(legal_person=impostor, person=unverified_agent)
    assert subject_codes(unverified_agent.user) == []
    assert not is_subject(unverified_agent.user, record)


def test_who_read_my_data_is_not_shown_to_an_unverified_account(client, impostor):
    client.force_login(impostor.user)
    response = client.get("/accounts/me/data-use/")
    assert response.status_code == 403
    assert 'id="verification-required"' in response.content.decode()
