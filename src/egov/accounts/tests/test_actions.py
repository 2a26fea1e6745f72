"""Registration of natural and legal persons, agents, staff accounts, second factors."""

import pytest
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken

from egov.accounts.actions import (
    agent_appoint,
    agent_revoke,
    legal_person_register,
    natural_person_register,
    staff_backup_codes_issue,
    staff_totp_confirm,
    staff_totp_enrol,
    staff_user_create,
)
from egov.accounts.models import Agent, LegalPerson, NaturalPerson, User
from egov.accounts.tests.factories import PASSWORD, LegalPersonFactory, NaturalPersonFactory
from egov.audit.models import AuditEvent
from egov.audit.selectors import audit_chain_verify
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.orgs.models import Membership
from egov.orgs.roles import Role

pytestmark = pytest.mark.django_db

EXT_B = "\U00020bb7"  # 𠮷, CJK Unified Ideographs Extension B


def counts() -> tuple[int, int, int, int]:
    return User.objects.count(), NaturalPerson.objects.count(), LegalPerson.objects.count(), AuditEvent.objects.count()


def test_natural_person_register():
    person = natural_person_register(id_number="11010519491231002x", name=f" 张{EXT_B}明 ", password=PASSWORD,
                                     phone="13800000000")
    person.refresh_from_db()
    assert (person.id_number, person.name, person.sex, person.division_code) == (
        "11010519491231002X", f"张{EXT_B}明", "F", "110105")
    assert str(person.birth_date) == "1949-12-31"
    user = person.user
    assert (user.username, user.name, user.kind, user.phone) == ("11010519491231002X", f"张{EXT_B}明", "natural",
                                                                 "13800000000")
    assert len(user.name) == 3  # one code point for 𠮷, not a surrogate pair
    assert user.check_password(PASSWORD)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        "accounts.natural_person.register", user.pk, "accounts.naturalperson", str(person.pk))
    # Personal data is named, never copied, in the audit log.
    assert "11010519491231002X" not in event.changes.__repr__() + event.summary


@pytest.mark.parametrize(("id_number", "rule"), [
    ("1101051949123100", "format"),
    ("110105194912310021", "check_character"),
    ("320213199902290018", "birth_date"),  # 1999-02-29 (1999 is no leap year)
    ("320213209912310015", "birth_date"),  # 2099-12-31 is in the future
    ("990000199001010017", "division_code"),
])
def test_failed_registration_writes_nothing(id_number, rule):
    NaturalPersonFactory()
    before = counts()
    with pytest.raises(ValidationFailed) as info:
        natural_person_register(id_number=id_number, name="李四", password=PASSWORD)
    assert info.value.extra == {"field": "id_number", "rule": rule}
    assert counts() == before


@pytest.mark.parametrize(("fields", "field", "rule"), [
    ({"name": "   "}, "name", "required"),
    ({"name": "名" * 201}, "name", "max_length"),
    ({"password": "12345678901"}, "password", "password"),
    ({"password": "short"}, "password", "password"),
])
def test_other_fields_are_checked_and_nothing_is_written(fields, field, rule):
    before = counts()
    values = {"id_number": "11010519491231002X", "name": "李四", "password": PASSWORD} | fields
    with pytest.raises(ValidationFailed) as info:
        natural_person_register(**values)
    assert (info.value.extra["field"], info.value.extra["rule"]) == (field, rule)
    assert counts() == before


def test_the_same_id_number_registers_once():
    natural_person_register(id_number="11010519491231002X", name="李四", password=PASSWORD)
    before = counts()
    with pytest.raises(ValidationFailed) as info:
        natural_person_register(id_number="11010519491231002x", name="李四", password=PASSWORD)
    assert info.value.extra["rule"] == "already_registered"
    assert counts() == before


def test_legal_person_register_with_its_first_agent():
    agent = NaturalPersonFactory()
    legal = legal_person_register(uscc="91110000600037341l", name="示例有限公司", legal_representative="王建国",
                                  password=PASSWORD, agent=agent)
    assert (legal.uscc, legal.user.username, legal.user.kind) == ("91110000600037341L", "91110000600037341L", "legal")
    assert [a.person for a in legal.agents.all()] == [agent]
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", "actor_id"))
    assert actions[-2:] == [("accounts.legal_person.register", legal.user_id),
                            ("accounts.agent.appoint", legal.user_id)]


def test_failed_legal_person_registration_writes_nothing():
    before = counts()
    # 943202137654321ABQ: its check character is right (worked by hand in registries/tests/test_validation.py)
    # but 9 工商 issues no type 4 (GB 32100-2015 Table 1); 152102198001010569 is a resident ID number whose
    # characters also satisfy the USCC checksum (orgs/tests/test_identifiers.py): 1 机构编制 has no type 5.
    for uscc, rule in [("91110000600037341M", "check_character"), ("91110000600037341O", "format"),
                       ("943202137654321ABQ", "authority_type_pair"), ("152102198001010569", "authority_type_pair")]:
        with pytest.raises(ValidationFailed) as info:
            legal_person_register(uscc=uscc, name="示例有限公司", legal_representative="王建国", password=PASSWORD)
        assert info.value.extra == {"field": "uscc", "rule": rule}
    with pytest.raises(ValidationFailed) as info:
        legal_person_register(uscc="91110000600037341L", name="示例有限公司", legal_representative="",
                              password=PASSWORD)
    assert info.value.extra["field"] == "legal_representative"
    assert counts() == before


def test_agents_are_appointed_and_revoked_by_the_legal_person_only():
    legal = LegalPersonFactory()
    person, stranger = NaturalPersonFactory(), NaturalPersonFactory()
    with pytest.raises(PermissionDenied):
        agent_appoint(actor=stranger.user, legal_person=legal, person=person)
    agent = agent_appoint(actor=legal.user, legal_person=legal, person=person)
    with pytest.raises(Conflict):
        agent_appoint(actor=legal.user, legal_person=legal, person=person)
    with pytest.raises(PermissionDenied):
        agent_revoke(actor=person.user, agent=agent)
    agent_revoke(actor=legal.user, agent=agent)
    with pytest.raises(Conflict):
        agent_revoke(actor=legal.user, agent=agent)
    again = agent_appoint(actor=legal.user, legal_person=legal, person=person)
    assert Agent.objects.filter(legal_person=legal, person=person).count() == 2
    assert again.revoked_at is None
    assert list(AuditEvent.objects.filter(action__startswith="accounts.agent").values_list("action", flat=True)) == [
        "accounts.agent.appoint", "accounts.agent.revoke", "accounts.agent.appoint"]


def test_staff_user_create_binds_organization_and_roles(city, department, make_staff):
    operator = make_staff(city, [Role.OPERATOR], username="root-op")
    seq = AuditEvent.objects.count()
    user = staff_user_create(actor=operator, username="approver1", name=f"王{EXT_B}", password=PASSWORD,
                             organization=department, roles=[Role.APPROVER])
    assert (user.kind, user.name, user.is_staff) == ("staff", f"王{EXT_B}", False)
    membership = Membership.objects.get(user=user)
    assert (membership.organization, membership.is_primary) == (department, True)
    assert list(membership.roles.values_list("role", flat=True)) == ["approver"]
    events = list(AuditEvent.objects.filter(seq__gt=seq).values_list("action", "actor_id", "organization_id"))
    assert events == [("accounts.staff_user.create", operator.pk, department.pk),
                      ("orgs.membership.grant", operator.pk, department.pk)]


def test_staff_user_create_refusals_write_nothing(city, department, make_staff):
    clerk = make_staff(department, [Role.CLERK], username="taken")
    before = counts()
    with pytest.raises(PermissionDenied):
        staff_user_create(actor=clerk, username="new", name="新人", password=PASSWORD, organization=department,
                          roles=[])
    for username, roles, field in [("taken", [], "username"), ("", [], "username"), ("new", ["mayor"], "roles")]:
        with pytest.raises(ValidationFailed) as info:
            staff_user_create(actor=None, username=username, name="新人", password=PASSWORD,
                              organization=department, roles=roles)
        assert info.value.extra["field"] == field
    assert counts() == before


def test_totp_enrol_and_confirm(department, make_staff):
    approver = make_staff(department, [Role.APPROVER])
    device = staff_totp_enrol(user=approver)
    assert not device.confirmed
    with pytest.raises(ValidationFailed) as info:
        staff_totp_confirm(user=approver, device=device, token=f"{(totp(device.bin_key) + 1) % 1000000:06d}")
    assert info.value.extra["rule"] == "totp"
    # After a failure django-otp throttles the device: even the right code is refused for a while.
    with pytest.raises(ValidationFailed):
        staff_totp_confirm(user=approver, device=device, token=f"{totp(device.bin_key):06d}")
    device = staff_totp_enrol(user=approver)  # a new enrolment replaces the unconfirmed device
    assert approver.totpdevice_set.count() == 1
    staff_totp_confirm(user=approver, device=device, token=f"{totp(device.bin_key):06d}")
    device.refresh_from_db()
    assert device.confirmed
    with pytest.raises(ValidationFailed) as info:
        staff_totp_confirm(user=approver, device=device, token=f"{totp(device.bin_key):06d}")
    assert info.value.extra["rule"] == "no_enrolment"
    assert [e for e in AuditEvent.objects.values_list("action", flat=True) if "totp" in e] == [
        "accounts.totp.enrol", "accounts.totp.enrol", "accounts.totp.confirm"]


def test_backup_codes_need_an_operator_over_the_user(city, department, make_staff):
    approver = make_staff(department, [Role.APPROVER])
    clerk = make_staff(department, [Role.CLERK])
    with pytest.raises(PermissionDenied):
        staff_backup_codes_issue(actor=clerk, user=approver, codes=["11112222"])
    operator = make_staff(city, [Role.OPERATOR])
    staff_backup_codes_issue(actor=operator, user=approver, codes=["11112222", "33334444"])
    staff_backup_codes_issue(actor=operator, user=approver, codes=["55556666"])
    assert list(StaticToken.objects.filter(device__user=approver).values_list("token", flat=True)) == ["55556666"]


def test_signing_in_works_with_the_registered_password(rf):
    person = NaturalPersonFactory()
    assert authenticate(rf.post("/"), username=person.id_number, password=PASSWORD) == person.user
    assert audit_chain_verify().ok


@pytest.mark.parametrize(("fields", "field", "rule"), [
    ({"phone": "1" * 21}, "phone", "format"), ({"email": "not an address"}, "email", "invalid"),
    ({"name": "李\x00四"}, "name", "invalid"), ({"phone": "138\x00"}, "phone", "format"),
])
def test_fields_the_database_would_refuse_are_validation_failures(fields, field, rule):
    before = counts()
    with pytest.raises(ValidationFailed) as info:
        natural_person_register(**({"id_number": "11010519491231002X", "name": "李四", "password": PASSWORD} | fields))
    assert {key: info.value.extra[key] for key in ("field", "rule")} == {"field": field, "rule": rule}
    assert counts() == before


@pytest.mark.parametrize("phone", ["1380000000", "138000000001", "12800000000", "23800000000", "1380000000X"])
def test_a_mobile_number_is_eleven_digits_from_13_to_19(phone):
    """Found by a tester: a 10-digit number was accepted. Mainland mobile numbers are 1[3-9] and 9 more digits."""
    before = counts()
    with pytest.raises(ValidationFailed) as info:
        natural_person_register(id_number="11010519491231002X", name="李四", password=PASSWORD, phone=phone)
    assert info.value.extra == {"field": "phone", "rule": "format"}
    assert counts() == before


@pytest.mark.parametrize(("typed", "stored"), [("13800000000", "13800000000"), ("１３９ ０００0-0000", "13900000000"),
                                               ("+86 199 0000 0000", "19900000000"), ("", "")])
def test_a_mobile_number_is_stored_as_eleven_digits(typed, stored):
    person = natural_person_register(id_number="11010519491231002X", name="李四", password=PASSWORD, phone=typed)
    assert person.user.phone == stored


def test_legal_representative_with_a_null_character_is_refused():
    with pytest.raises(ValidationFailed) as info:
        legal_person_register(uscc="91110000600037341L", name="示例有限公司", legal_representative="王\x00",
                              password=PASSWORD)
    assert info.value.extra == {"field": "legal_representative", "rule": "invalid", "character": "U+0000"}


def test_over_long_staff_username_is_refused(department):
    with pytest.raises(ValidationFailed) as info:
        staff_user_create(actor=None, username="u" * 151, name="新人", password=PASSWORD, organization=department,
                          roles=[])
    assert info.value.extra == {"field": "username", "rule": "invalid"}


@pytest.mark.parametrize(
    ("password", "code"),
    [
        (" " * 10, "password_weak"),
        ("aaaaaaaaaaaa", "password_weak"),
        ("李四李四李四李四李四", "password_weak"),
        ("egov-demo-2026", "password_published"),
        ("egovdemo2026", "password_published"),
        ("Egov.Demo.2026", "password_published"),
        ("egov_demo_2026!", "password_published"),
    ],
)
def test_weak_and_published_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as info:
        password_validation.validate_password(password, User(username="11010519491231002X", name="李四"))
    assert code in [error.code for error in info.value.error_list]
    with pytest.raises(ValidationFailed) as refused:
        natural_person_register(id_number="11010519491231002X", name="李四", password=password)
    assert refused.value.extra == {"field": "password", "rule": "password"}


def test_a_password_made_of_the_persons_own_details_is_refused():
    with pytest.raises(ValidationFailed):
        natural_person_register(id_number="11010519491231002X", name="李四", password="11010519491231002X1")


@pytest.mark.parametrize("password", ["correct-horse-2026", "lantern river 7 copper", "太湖鼋头渚-樱花-2026"])
def test_strong_passwords_pass(password):
    person = natural_person_register(id_number="11010519491231002X", name="李四", password=password)
    assert person.user.check_password(password)
