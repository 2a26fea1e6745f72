"""Reads of accounts: name search (full Unicode) and who must pass MFA."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.selectors import has_second_factor, mfa_required, natural_persons_search
from egov.accounts.tests.factories import NaturalPersonFactory
from egov.audit.models import AuditEvent
from egov.orgs.roles import Role

pytestmark = pytest.mark.django_db

EXT_B = "\U00020bb7"  # 𠮷


def test_search_finds_an_extension_b_name(department, make_staff):
    auditor = make_staff(department, [Role.AUDITOR])
    wanted = NaturalPersonFactory(name=f"张{EXT_B}明")
    NaturalPersonFactory(name="张吉明")  # 吉 U+5409 looks alike but is another character
    NaturalPersonFactory(name="李四")
    assert list(natural_persons_search(actor=auditor, name=EXT_B)) == [wanted]
    assert list(natural_persons_search(actor=auditor, name=f"{EXT_B}明")) == [wanted]
    assert [p.name for p in natural_persons_search(actor=auditor, name="张")] == sorted([f"张{EXT_B}明", "张吉明"])
    events = AuditEvent.objects.filter(action="accounts.natural_person.search")
    assert [(e.actor_id, e.changes["query_length"]) for e in events] == [(auditor.pk, 1), (auditor.pk, 2),
                                                                          (auditor.pk, 1)]
    assert not any(EXT_B in e.summary for e in events)  # the query itself is personal data


@pytest.mark.parametrize(("roles", "required"), [
    ([Role.APPROVER], True), ([Role.OPERATOR], True), ([Role.CLERK], False), ([Role.REVIEWER, Role.AUDITOR], False),
    ([], False),
])
def test_mfa_required_for_approvers_and_operators(department, make_staff, roles, required):
    assert mfa_required(user=make_staff(department, roles)) is required


def test_mfa_required_for_anyone_with_a_confirmed_device(department, make_staff):
    clerk = make_staff(department, [Role.CLERK])
    TOTPDevice.objects.create(user=clerk, name="unconfirmed", confirmed=False)
    assert not mfa_required(user=clerk)
    assert not has_second_factor(user=clerk)
    TOTPDevice.objects.create(user=clerk, name="app", confirmed=True)
    assert mfa_required(user=clerk)
    assert has_second_factor(user=clerk)
