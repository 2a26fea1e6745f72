"""Organizations, positions and memberships: audited, operator-only, duplicates refused."""

import pytest

from egov.accounts.models import User
from egov.audit.models import AuditEvent
from egov.audit.selectors import audit_chain_verify
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.orgs.actions import membership_grant, membership_revoke_roles, organization_create, position_create
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.orgs.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def create(actor, parent, **fields):
    values = {"name": "无锡市测试局", "kind": Organization.Kind.DEPARTMENT, "division_code": "320200"} | fields
    return organization_create(actor=actor, parent=parent, **values)


def test_platform_creates_a_root_with_its_audit_event():
    root = organization_create(actor=None, name=" 无锡市人民政府 ", kind="government", division_code="320200",
                               uscc="11320200MB0000001T", doc_code="锡政发", name_en="Wuxi")
    assert (root.name, root.parent, root.path, root.depth) == ("无锡市人民政府", None, f"{root.pk:06d}/", 0)
    assert root.division.name == "无锡市"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.actor_label) == ("orgs.organization.create", None, "")
    assert (event.object_type, event.object_id) == ("orgs.organization", str(root.pk))
    assert event.changes == {"name": "无锡市人民政府", "kind": "government", "parent": None, "division": "320200",
                             "uscc": "11320200MB0000001T", "doc_code": "锡政发"}


def test_root_operator_creates_under_a_department(city, department, make_staff):
    operator = make_staff(city, [Role.OPERATOR], username="root-op")
    before = AuditEvent.objects.count()
    office = create(operator, department, name="无锡市行政审批局办公室", kind="institution")
    assert office.path == f"{city.pk:06d}/{department.pk:06d}/{office.pk:06d}/"
    assert office.depth == 2
    event = AuditEvent.objects.get(seq=before + 1)
    assert (event.action, event.actor_id, event.organization_id) == ("orgs.organization.create", operator.pk,
                                                                     department.pk)
    assert event.object_id == str(office.pk)


def test_root_operator_creates_another_root(city, make_staff):
    operator = make_staff(city, [Role.OPERATOR])
    assert create(operator, None, name="另一个市政府", kind="government").parent is None


def test_department_operator_may_not_create_under_the_root(city, department, make_staff):
    operator = make_staff(department, [Role.OPERATOR])
    count = Organization.objects.count()
    with pytest.raises(PermissionDenied):
        create(operator, city)
    with pytest.raises(PermissionDenied):
        create(operator, None, kind="government")
    assert Organization.objects.count() == count


def test_department_operator_creates_under_its_own_department(department, make_staff):
    operator = make_staff(department, [Role.OPERATOR])
    assert create(operator, department).parent == department


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.OPERATOR])
def test_other_roles_may_not_create(city, department, make_staff, role):
    staff = make_staff(city, [role])
    with pytest.raises(PermissionDenied):
        create(staff, department)


def test_inactive_operator_may_not_create(city, make_staff):
    operator = make_staff(city, [Role.OPERATOR])
    User.objects.filter(pk=operator.pk).update(is_active=False)
    operator.refresh_from_db()
    with pytest.raises(PermissionDenied):
        create(operator, city)
    with pytest.raises(PermissionDenied):
        create(operator, None, kind="government")


@pytest.mark.parametrize(("field", "value"), [("name", "无锡市人民政府"), ("uscc", "11320200MB0000001T"),
                                              ("doc_code", "锡政发")])
def test_duplicates_are_refused(field, value):
    organization_create(actor=None, name="无锡市人民政府", kind="government", division_code="320200",
                        uscc="11320200MB0000001T", doc_code="锡政发")
    fields = {"name": "另一个机关", "uscc": None, "doc_code": None} | {field: value}
    with pytest.raises(ValidationFailed) as info:
        organization_create(actor=None, kind="department", division_code="320200", **fields)
    assert info.value.extra["field"] == field
    assert Organization.objects.count() == 1
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(("fields", "field", "rule"), [
    ({"division_code": "320202"}, "division_code", "division_code"),  # 崇安区, retired in 2015
    ({"division_code": "999999"}, "division_code", "division_code"),
    ({"uscc": "11320200MB0000001A"}, "uscc", "check_character"),
    ({"uscc": "11320200MB000000IT"}, "uscc", "format"),
    ({"kind": "ministry"}, "kind", "invalid"),
    ({"name": "  "}, "name", "invalid"),
])
def test_bad_fields_are_refused(fields, field, rule):
    with pytest.raises(ValidationFailed) as info:
        create(None, None, **fields)
    assert info.value.extra == {"field": field, "rule": rule}
    assert not Organization.objects.exists()
    assert not AuditEvent.objects.exists()


def test_position_create_is_audited_and_unique(department, make_staff):
    operator = make_staff(department, [Role.OPERATOR])
    position = position_create(actor=operator, organization=department, title="审批科科长")
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.actor_id, event.object_id) == ("orgs.position.create", operator.pk, str(position.pk))
    with pytest.raises(ValidationFailed):
        position_create(actor=operator, organization=department, title="审批科科长")


def test_position_create_needs_an_operator(department, make_staff):
    clerk = make_staff(department, [Role.CLERK])
    with pytest.raises(PermissionDenied):
        position_create(actor=clerk, organization=department, title="科员")


def test_membership_grant_and_revoke(city, department, make_staff):
    operator = make_staff(city, [Role.OPERATOR])
    staff = make_staff(department, [Role.CLERK])
    position = position_create(actor=operator, organization=department, title="审查科科员")
    membership = membership_grant(actor=operator, user=staff, organization=department,
                                  roles=[Role.REVIEWER, Role.CLERK], position=position)
    assert sorted(membership.roles.values_list("role", flat=True)) == ["clerk", "reviewer"]
    assert membership.position == position
    grant = AuditEvent.objects.order_by("-seq").first()
    assert (grant.action, grant.actor_id, grant.object_id) == ("orgs.membership.grant", operator.pk,
                                                               str(membership.pk))
    assert grant.changes["roles_added"] == ["reviewer"]
    membership_revoke_roles(actor=operator, membership=membership, roles=[Role.CLERK, Role.APPROVER])
    assert list(membership.roles.values_list("role", flat=True)) == ["reviewer"]
    revoke = AuditEvent.objects.order_by("-seq").first()
    assert (revoke.action, revoke.changes) == ("orgs.membership.revoke_roles", {"roles_removed": ["clerk"]})
    assert audit_chain_verify().ok


def test_membership_grant_refuses_bad_input(city, department, citizen, make_staff):
    staff = make_staff(department)
    other = OrganizationFactory(parent=city)
    elsewhere = position_create(actor=None, organization=other, title="科员")
    cases = [
        ({"user": citizen.user, "roles": [Role.CLERK]}, "staff_only"),
        ({"user": staff, "roles": ["mayor"]}, "unknown_role"),
        ({"user": staff, "roles": [Role.CLERK], "position": elsewhere}, "position_organization"),
    ]
    for kwargs, rule in cases:
        with pytest.raises(ValidationFailed) as info:
            membership_grant(actor=None, organization=department, **kwargs)
        assert info.value.extra["rule"] == rule


def test_membership_grant_needs_an_operator_over_the_organization(city, department, make_staff):
    department_operator = make_staff(department, [Role.OPERATOR])
    staff = make_staff(city)
    with pytest.raises(PermissionDenied):
        membership_grant(actor=department_operator, user=staff, organization=city, roles=[Role.CLERK])
