"""Test data for the services app, made through the real actions."""

from egov.orgs.actions import organization_create
from egov.services.actions import MaterialSpec, service_item_create

# GB 32100-2015 example code (GLOSSARY.md); division 110000, check character L.
USCC_A = "91110000600037341L"
# The demo enterprise's code (division 320213 梁溪区), valid.
USCC_B = "91320213MA1X2Y3W4U"
# USCC_A + 事项类型 01 (licensing) + main item 0000101 + sub-item 000 + handling 00.
CODE_A = USCC_A + "01" + "0000101" + "000" + "00"

COMPANY_FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "company_name": {"type": "string", "title": "企业名称", "minLength": 4, "maxLength": 100},
        "company_type": {"type": "string", "title": "公司类型",
                         "oneOf": [{"const": "llc", "title": "有限责任公司"},
                                   {"const": "jsc", "title": "股份有限公司"}]},
        "registered_capital": {"type": "number", "title": "注册资本（万元）", "description": "以人民币万元计",
                               "minimum": 0.01},
        "shareholders": {"type": "integer", "title": "股东人数", "minimum": 1, "maximum": 50},
        "established_on": {"type": "string", "title": "成立日期", "format": "date"},
        "contact_phone": {"type": "string", "title": "联系电话", "pattern": "^1[3-9][0-9]{9}$"},
        "business_scope": {"type": "string", "title": "经营范围", "maxLength": 2000},
        "commitment": {"type": "boolean", "title": "本人承诺所填信息真实有效", "const": True},
    },
    "required": ["company_name", "company_type", "registered_capital", "shareholders", "contact_phone", "commitment"],
    "additionalProperties": False,
}

VALID_COMPANY = {"company_name": "无锡示范科技有限公司", "company_type": "llc", "registered_capital": 100,
                 "shareholders": 2, "contact_phone": "13800000000", "commitment": True}


def make_organization(*, name: str = "无锡市测试局", uscc: str | None = USCC_A):
    return organization_create(actor=None, name=name, kind="department", division_code="320200", uscc=uscc)


def item_kwargs(organization, **overrides) -> dict:
    values = dict(
        actor=None, organization=organization, code=CODE_A, name="企业设立登记", item_type="licensing",
        legal_basis=[{"title": "《中华人民共和国市场主体登记管理条例》", "provision": "第十九条"}],
        legal_limit_days=3, promised_limit_days=1, online_depth=4, max_visits=0,
        process_steps=["申请", "受理", "审核", "登记"], form_schema=COMPANY_FORM,
        materials=[MaterialSpec(name="公司登记（备案）申请书"),
                   MaterialSpec(name="住所使用相关文件", required=False, accepted_types=["pdf"], max_size_bytes=1024)],
    )
    values.update(overrides)
    return values


def make_item(organization, **overrides):
    return service_item_create(**item_kwargs(organization, **overrides))


# A minimal PDF (ISO 32000: the header is what identifies it) and PNG signature, for uploads.
PDF = b"%PDF-1.7\n% egov test material\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def required_files(item, content: bytes = PDF) -> dict[int, bytes]:
    """A file for each required material of ``item``."""
    return {material.pk: content for material in item.materials.filter(required=True)}


def submit(item, actor, *, key: str = "double-click-0001", form: dict | None = None, files=None, legal_person=None):
    """Submit an application through the real action; returns the application."""
    from egov.services.actions.applying import application_submit

    application, _created = application_submit(
        actor=actor, item=item, form_data=VALID_COMPANY if form is None else form,
        files=required_files(item) if files is None else files, idempotency_key=key, legal_person=legal_person)
    return application
