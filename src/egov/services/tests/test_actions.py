"""Catalogue writes: validation (codes, time limits, hierarchy, forms), permission, audit."""

import pytest
from django.db import IntegrityError, transaction

from egov.accounts.actions import staff_user_create
from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.orgs.roles import Role
from egov.services.actions import MaterialSpec, service_item_create, service_item_set_published
from egov.services.models import Material, ServiceItem
from egov.services.tests.factories import CODE_A, USCC_A, item_kwargs, make_item

pytestmark = pytest.mark.django_db


def _fails(organization, field, rule, **overrides):
    with pytest.raises(ValidationFailed) as failure:
        make_item(organization, **overrides)
    assert (failure.value.extra["field"], failure.value.extra["rule"]) == (field, rule)
    assert not ServiceItem.objects.exists() and not Material.objects.exists()


def test_create_saves_item_materials_and_form_and_audits(organization):
    item = make_item(organization)
    assert item.code == CODE_A and item.level == "main" and item.organization == organization
    assert [m.name for m in item.materials.order_by("sort_order")] == ["公司登记（备案）申请书", "住所使用相关文件"]
    second = item.materials.get(name="住所使用相关文件")
    assert (second.required, second.accepted_types, second.max_size_bytes) == (False, ["pdf"], 1024)
    # x-order is recorded from the order the fields were given in.
    assert item.form_schema["x-order"][:3] == ["company_name", "company_type", "registered_capital"]
    event = AuditEvent.objects.get(action="services.item.create")
    assert event.object_id == str(item.pk)
    assert event.changes["materials"] == ["公司登记（备案）申请书", "住所使用相关文件"]


def test_promised_limit_cannot_exceed_legal_limit(organization):
    _fails(organization, "promised_limit_days", "exceeds_legal_limit", legal_limit_days=20, promised_limit_days=21)


def test_promised_equal_to_legal_and_on_the_spot_are_accepted(organization):
    assert make_item(organization, legal_limit_days=20, promised_limit_days=20).promised_limit_days == 20
    other = make_item(organization, code=USCC_A + "01" + "0000102" + "000" + "00", legal_limit_days=None,
                      promised_limit_days=0)
    assert (other.legal_limit_days, other.promised_limit_days) == (None, 0)


@pytest.mark.parametrize(("field", "overrides"), [
    ("promised_limit_days", {"promised_limit_days": -1}),
    ("legal_limit_days", {"legal_limit_days": 366}),
    ("promised_limit_days", {"legal_limit_days": None, "promised_limit_days": 400}),
])
def test_time_limits_out_of_range(organization, field, overrides):
    _fails(organization, field, "range", **overrides)


def test_database_refuses_promised_over_legal_too(item):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.filter(pk=item.pk).update(promised_limit_days=4)


def test_bad_code_is_refused(organization):
    _fails(organization, "code", "item_type", item_type="public_service")


def test_code_must_carry_the_organizations_uscc(organization):
    _fails(organization, "code", "organization", code="91320213MA1X2Y3W4U" + CODE_A[18:])


def test_duplicate_code_is_a_conflict(item, organization):
    with pytest.raises(Conflict) as failure:
        make_item(organization)
    assert failure.value.extra == {"field": "code", "rule": "unique"}
    assert ServiceItem.objects.count() == 1


@pytest.mark.parametrize(("field", "rule", "overrides"), [
    ("legal_basis", "required", {"legal_basis": []}),
    ("name", "required", {"name": "  "}),
    ("online_depth", "choice", {"online_depth": 5}),
    ("max_visits", "range", {"online_depth": 4, "max_visits": 1}),
    ("applicant_kinds", "choice", {"applicant_kinds": ["robot"]}),
    ("fee_description", "required", {"charges_fee": True}),
    ("licence_name", "required", {"issues_licence": True}),
    ("materials.1.accepted_types", "file_type", {"materials": [MaterialSpec(name="a"),
                                                               MaterialSpec(name="b", accepted_types=["gif"])]}),
    ("materials.0.max_size_bytes", "range", {"materials": [MaterialSpec(name="a", max_size_bytes=10 ** 10)]}),
    ("materials", "unique", {"materials": [MaterialSpec(name="a"), MaterialSpec(name="a")]}),
    ("form_schema.properties.photos", "unsupported",
     {"form_schema": {"type": "object", "properties": {"photos": {"type": "array", "title": "照片"}}}}),
])
def test_fields_are_checked_and_named(organization, field, rule, overrides):
    _fails(organization, field, rule, **overrides)


def test_sub_item_hangs_under_its_main_item(item, organization):
    sub_code = CODE_A[:27] + "001" + "00"
    sub = make_item(organization, code=sub_code, name="企业设立登记（有限责任公司）", parent=item)
    assert sub.level == "sub" and sub.parent == item
    handling = make_item(organization, code=CODE_A[:27] + "001" + "01", name="企业设立登记（新设）", parent=sub,
                         handling_kind="new")
    assert handling.level == "handling"


def test_hierarchy_mistakes_are_refused(item, organization):
    with pytest.raises(ValidationFailed) as failure:
        make_item(organization, code=CODE_A[:27] + "001" + "00", name="子项")
    assert failure.value.extra == {"field": "parent", "rule": "required"}
    other_main = make_item(organization, code=USCC_A + "01" + "0000999" + "000" + "00", name="另一主项")
    with pytest.raises(ValidationFailed) as failure:
        make_item(organization, code=CODE_A[:27] + "001" + "00", name="子项", parent=other_main)
    assert failure.value.extra["rule"] == "code_prefix"
    with pytest.raises(ValidationFailed) as failure:
        make_item(organization, code=CODE_A[:30] + "01", name="办理项", parent=item)
    assert failure.value.extra == {"field": "handling_kind", "rule": "choice"}


def test_only_operators_of_the_organization_may_create(organization):
    clerk = staff_user_create(actor=None, username="clerk1", name="窗口", password="a-long-password-1",
                              organization=organization, roles=[Role.CLERK])
    with pytest.raises(PermissionDenied):
        make_item(organization, actor=clerk)
    operator = staff_user_create(actor=None, username="op1", name="运维", password="a-long-password-1",
                                 organization=organization, roles=[Role.OPERATOR])
    assert service_item_create(**item_kwargs(organization, actor=operator)).pk


def test_withdraw_and_publish_are_audited(item):
    service_item_set_published(actor=None, item=item, published=False)
    item.refresh_from_db()
    assert item.is_published is False
    assert AuditEvent.objects.filter(action="services.item.withdraw", object_id=str(item.pk)).exists()
