"""The catalog and grants, field by field."""

import datetime as dt

import pytest
from django.utils import timezone

from egov.audit.models import AuditEvent
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.exchange.actions import catalog_import, grant_create, grant_revoke
from egov.exchange.selectors import allowed_fields, record_cut
from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE, STRANGER_CODE

PERSON = {
    "code": "320200-GA-001", "name": "人口基本信息", "classification": "1-01-001", "catalog": "basic",
    "provider_code": PROVIDER_CODE, "provider_name": "无锡市公安局", "summary": "常住人口的基本信息",
    "format": "database", "update_cycle": "daily", "published_on": "2026-11-01", "related_codes": [],
    "items": [
        {"field": "id_number", "name": "公民身份号码", "data_type": "C", "is_personal": True,
         "sharing_type": "unconditional"},
        {"field": "name", "name": "姓名", "data_type": "C", "is_personal": True, "sharing_type": "unconditional"},
        {"field": "address", "name": "住址", "data_type": "C", "is_personal": True, "sharing_type": "conditional",
         "sharing_condition": "办理户籍相关事项"},
        {"field": "religion", "name": "宗教信仰", "data_type": "C", "is_personal": True, "sharing_type": "none",
         "refusal_basis": "个人信息保护法第二十八条：敏感个人信息"},
    ],
}
GRANT = {"resource": "320200-GA-001", "consumer_code": CONSUMER_CODE, "consumer_name": "无锡市行政审批局",
         "fields": ["id_number", "name"], "purpose": "核验申请人身份", "legal_basis": "行政许可法第三十一条"}
RECORD = {"id_number": "11010519491231002X", "name": "张三", "address": "梁溪区人民中路1号", "religion": "无"}


@pytest.fixture
def catalog(db):
    return catalog_import(actor=None, data={"resources": [PERSON], "grants": [GRANT]})


def test_import_publishes_the_resource_and_the_grant_and_audits_both(catalog):
    assert catalog == {"resources": 1, "grants": 1}
    assert list(AuditEvent.objects.filter(action__startswith="exchange.").values_list("action", flat=True)
                .order_by("seq")) == ["exchange.resource.publish", "exchange.grant.create"]


def test_only_granted_items_come_back(catalog):
    allowed = allowed_fields(resource_code="320200-GA-001", consumer_code=CONSUMER_CODE)
    assert allowed.fields == {"id_number", "name"}
    assert record_cut(RECORD, fields=allowed.fields) == {"id_number": "11010519491231002X", "name": "张三"}


def test_no_grant_is_403_with_the_reason(catalog):
    with pytest.raises(PermissionDenied) as caught:
        allowed_fields(resource_code="320200-GA-001", consumer_code=STRANGER_CODE)
    assert caught.value.extra["rule"] == "no_grant"


def test_revoked_and_expired_grants_are_not_in_force(catalog):
    from egov.exchange.models import SharingGrant

    grant = SharingGrant.objects.get()
    grant_revoke(actor=None, grant=grant, reason="项目结束")
    with pytest.raises(PermissionDenied):
        allowed_fields(resource_code="320200-GA-001", consumer_code=CONSUMER_CODE)
    resource = grant.resource
    later = grant_create(actor=None, resource=resource, consumer_code=CONSUMER_CODE, consumer_name="x",
                         fields=["name"], purpose="p", legal_basis="b",
                         expires_at=timezone.now() + dt.timedelta(days=1))
    assert allowed_fields(resource_code="320200-GA-001", consumer_code=CONSUMER_CODE).fields == {"name"}
    SharingGrant.objects.filter(pk=later.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(PermissionDenied):
        allowed_fields(resource_code="320200-GA-001", consumer_code=CONSUMER_CODE)


def test_an_item_not_shared_cannot_be_granted_and_the_refusal_gives_its_legal_reason(catalog):
    from egov.exchange.models import InformationResource

    with pytest.raises(ValidationFailed) as caught:
        grant_create(actor=None, resource=InformationResource.objects.get(), consumer_code=CONSUMER_CODE,
                     consumer_name="x", fields=["name", "religion"], purpose="p", legal_basis="b")
    assert caught.value.extra["rule"] == "not_shared"
    assert caught.value.extra["reason"] == "个人信息保护法第二十八条：敏感个人信息"


@pytest.mark.parametrize("change, field", [
    ({"provider_code": "91110000600037341X"}, "provider_code"),
    ({"items": []}, "items"),
    ({"items": [{"field": "x", "name": "x", "data_type": "C", "sharing_type": "none"}]}, "items.x.refusal_basis"),
    ({"catalog": "galaxy"}, "catalog"),
])
def test_a_bad_resource_is_refused_naming_the_field_and_nothing_is_written(db, change, field):
    from egov.exchange.models import InformationResource

    with pytest.raises(ValidationFailed) as caught:
        catalog_import(actor=None, data={"resources": [{**PERSON, **change}]})
    assert caught.value.extra["field"] == field
    assert not InformationResource.objects.exists()


def test_a_person_must_be_an_operator_of_the_provider(catalog, make_staff, consumer_org):
    from egov.exchange.models import InformationResource

    clerk = make_staff(consumer_org, roles=["clerk"])
    with pytest.raises(PermissionDenied):
        grant_create(actor=clerk, resource=InformationResource.objects.get(), consumer_code=CONSUMER_CODE,
                     consumer_name="x", fields=["name"], purpose="p", legal_basis="b")
