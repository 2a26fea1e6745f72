"""The demo catalogue: at least 20 real items across at least 8 departments, all valid."""

import pytest

from egov.audit.models import AuditEvent
from egov.demo import demo_load
from egov.services.codes import item_code_check
from egov.services.formschema import form_schema_check
from egov.services.models import ServiceItem

pytestmark = pytest.mark.django_db


def test_demo_catalogue():
    demo_load()
    items = list(ServiceItem.objects.select_related("organization").prefetch_related("materials"))
    assert len(items) >= 20
    assert len({item.organization.name for item in items}) >= 8
    names = {item.name for item in items}
    for expected in ("企业设立登记", "食品经营许可", "建设工程规划许可证核发", "最低生活保障审批", "社会保障卡申领"):
        assert expected in names
    by_name = {item.name: item for item in items}
    assert by_name["建设工程规划许可证核发"].organization.name == "无锡市自然资源和规划局"
    assert by_name["社会保障卡申领"].organization.name == "无锡市人力资源和社会保障局"
    assert by_name["食品经营许可（新办）"].parent == by_name["食品经营许可"]
    assert by_name["机动车驾驶证有效期满换证"].level == "sub"
    for item in items:
        item_code_check(item.code, item_type=item.item_type, organization_uscc=item.organization.uscc)
        assert item.legal_basis and all(entry["title"].startswith("《") for entry in item.legal_basis)
        assert item.legal_limit_days is None or item.promised_limit_days <= item.legal_limit_days
        assert form_schema_check(item.form_schema) == item.form_schema
        if item.level != "main" or item.form_schema:
            assert item.materials.all(), item.name
    assert AuditEvent.objects.filter(action="services.item.create").count() == len(items)
    # English complete (issue 12, item 6) and filed by life event (主题分类): every text has its English.
    for item in items:
        assert item.name_en and item.themes.exists(), item.name
        assert len(item.process_steps_en) == len(item.process_steps), item.name
        assert all(entry["title_en"] and bool(entry.get("provision_en")) == bool(entry["provision"])
                   for entry in item.legal_basis), item.name
        for text in ("conditions", "time_limit_note", "fee_description", "licence_name"):
            assert bool(getattr(item, f"{text}_en")) == bool(getattr(item, text)), (item.name, text)
        for material in item.materials.all():
            assert material.name_en and bool(material.note_en) == bool(material.note), material.name
        for name, field in item.form_schema.get("properties", {}).items():
            assert field["title_en"] and bool(field.get("description_en")) == bool(field.get("description")), name
            assert all(choice["title_en"] for choice in field.get("oneOf", [])), name
    # loading again changes nothing
    demo_load()
    assert ServiceItem.objects.count() == len(items)
