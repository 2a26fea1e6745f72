"""The catalog in and out of files: JSON, XLSX (the 2017 指南's column names), DCAT-AP JSON-LD."""

import io
import json

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook
from pyld import jsonld

from egov.audit.models import AuditEvent
from egov.exchange.actions import catalog_import
from egov.exchange.catalog_io import catalog_export_json, catalog_export_xlsx, catalog_import_file
from egov.exchange.dcat import catalog_dcat
from egov.exchange.models import InformationResource
from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE
from egov.exchange.tests.test_catalog import PERSON

COMPANY = {
    "code": "320200-SCJG-0001", "name": "法人单位基础信息", "name_en": "Legal entities", "classification": "1-02-001",
    "catalog": "basic", "provider_code": CONSUMER_CODE, "provider_name": "无锡市市场监督管理局",
    "provider_name_en": "Wuxi Administration for Market Regulation", "summary": "企业登记信息",
    "summary_en": "Company registrations", "format": "database", "sharing_mode": "interface",
    "update_cycle": "daily", "published_on": "2026-10-20", "is_open": True,
    "related_codes": ["320200-GA-001", "320200-SJ-0001"],
    "items": [
        {"field": "uscc", "name": "统一社会信用代码", "name_en": "USCC", "data_type": "C", "is_personal": False,
         "sharing_type": "unconditional", "is_open": True},
        {"field": "phone", "name": "联系电话", "name_en": "Telephone", "data_type": "C", "is_personal": True,
         "sharing_type": "conditional", "sharing_condition": "监管执法", "is_open": False},
    ],
}
SERVICES = {
    "code": "320200-SJ-0001", "name": "政务服务事项目录", "classification": "2-01-001", "catalog": "theme",
    "provider_code": PROVIDER_CODE, "provider_name": "无锡市数据局", "summary": "", "format": "self_describing",
    "update_cycle": "monthly", "published_on": "2026-11-10", "is_open": True,
    "items": [{"field": "item_code", "name": "事项编码", "data_type": "C", "sharing_type": "unconditional",
               "is_open": True}],
}
RESOURCE_HEADINGS = ["信息资源分类", "目录类型", "信息资源名称", "信息资源名称（英文）", "信息资源代码",
                     "信息资源提供方", "信息资源提供方（英文）", "信息资源提供方代码", "信息资源摘要",
                     "信息资源摘要（英文）", "信息资源格式", "共享方式", "是否向社会开放", "更新周期", "发布日期",
                     "关联资源代码"]
ITEM_HEADINGS = ["信息资源代码", "信息项名称", "信息项名称（英文）", "字段名", "数据类型", "是否涉及个人信息",
                 "共享类型", "共享条件", "共享条件（英文）", "不予共享依据", "不予共享依据（英文）", "是否向社会开放"]


@pytest.fixture(autouse=True)
def english():
    """Reasons compared in English (the file's column names stay Chinese in both languages)."""
    with translation.override("en"):
        yield


@pytest.fixture
def catalog(db):
    return catalog_import(actor=None, data={"resources": [PERSON, COMPANY, SERVICES]})


def _full(spec):
    """``spec`` with the defaults the catalog fills in (what an export gives back)."""
    out = {"name_en": "", "provider_name_en": "", "summary_en": "", "sharing_mode": "interface", "is_open": False,
           "related_codes": [], **{k: v for k, v in spec.items() if k != "items"}}
    out["items"] = [{"name_en": "", "is_personal": False, "sharing_condition": "", "sharing_condition_en": "",
                     "refusal_basis": "", "refusal_basis_en": "", "is_open": False, **item} for item in spec["items"]]
    return out


def test_the_json_export_gives_back_what_was_imported(catalog):
    assert catalog_export_json(open_only=False) == {"resources": [_full(PERSON), _full(COMPANY), _full(SERVICES)]}


def test_the_open_export_has_open_resources_and_items_only(catalog):
    exported = catalog_export_json(open_only=True)
    assert [r["code"] for r in exported["resources"]] == ["320200-SCJG-0001", "320200-SJ-0001"]
    company = exported["resources"][0]
    assert [item["field"] for item in company["items"]] == ["uscc"]  # 联系电话 is not open
    assert company["related_codes"] == ["320200-SJ-0001"]  # 人口基本信息 is not open: its code stays out
    text = json.dumps(exported, ensure_ascii=False)
    assert "宗教信仰" not in text and "联系电话" not in text and "320200-GA-001" not in text


def test_the_xlsx_export_uses_the_guides_headings_and_words(catalog):
    book = load_workbook(io.BytesIO(catalog_export_xlsx(open_only=False)))
    assert book.sheetnames == ["信息资源", "信息项"]
    resources, items = book["信息资源"], book["信息项"]
    assert [c.value for c in resources[1]] == RESOURCE_HEADINGS
    assert [c.value for c in items[1]] == ITEM_HEADINGS
    assert [c.value for c in resources[2]] == [
        "1-01-001", "基础信息资源目录", "人口基本信息", None, "320200-GA-001", "无锡市公安局", None, PROVIDER_CODE,
        "常住人口的基本信息", None, "数据库", "接口", "否", "每日", "2026-11-01", None]
    assert [c.value for c in items[5]] == ["320200-GA-001", "宗教信仰", None, "religion", "C", "是", "不予共享", None,
                                           None, "个人信息保护法第二十八条：敏感个人信息", None, "否"]
    assert resources[3][15].value == "320200-GA-001；320200-SJ-0001"
    assert resources.max_row == 4 and items.max_row == 1 + 4 + 2 + 1


def test_the_xlsx_importer_takes_what_the_exporter_writes(catalog):
    content = catalog_export_xlsx(open_only=False)
    before = catalog_export_json(open_only=False)
    InformationResource.objects.all().delete()
    report = catalog_import_file(actor=None, content=content, kind="xlsx")
    assert report.as_json() == {"resources": 3, "items": 7, "rejected": []}
    assert catalog_export_json(open_only=False) == before


def _workbook(resource_rows, item_rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "信息资源"
    sheet.append(RESOURCE_HEADINGS)
    for row in resource_rows:
        sheet.append(row)
    items = book.create_sheet("信息项")
    items.append(ITEM_HEADINGS)
    for row in item_rows:
        items.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = ["1-01-001", "基础信息资源目录", "人口基本信息", "", "320200-GA-001", "无锡市公安局", "", PROVIDER_CODE, "", "",
        "数据库", "接口", "否", "每日", "2026-11-01", ""]
GOOD_ITEM = ["320200-GA-001", "姓名", "Name", "name", "C", "是", "无条件共享", "", "", "", "", "否"]


def test_bad_rows_are_named_with_their_row_and_reason_and_nothing_is_imported(db):
    bad_date = [*GOOD[:4], "320200-GA-002", *GOOD[5:14], "2026/11/01", ""]
    bad_catalog = [GOOD[0], "星系目录", *GOOD[2:4], "320200-GA-003", *GOOD[5:]]
    content = _workbook([GOOD, bad_date, bad_catalog], [
        GOOD_ITEM,
        ["320200-GA-001", "民族", "", "ethnicity", "X", "是", "无条件共享", "", "", "", "", "否"],
        ["320200-GA-001", "宗教信仰", "", "religion", "C", "是", "不予共享", "", "", "", "", "否"],
        ["320200-ZZ-999", "姓名", "", "name", "C", "否", "无条件共享", "", "", "", "", "否"],
    ])
    report = catalog_import_file(actor=None, content=content, kind="xlsx")
    assert report.resources == 0 and report.items == 0
    assert [(r["sheet"], r["row"]) for r in report.rejected] == [
        ("信息资源", 3), ("信息资源", 4), ("信息项", 3), ("信息项", 4), ("信息项", 5)]
    reasons = [r["reason"] for r in report.rejected]
    assert "发布日期" in reasons[0] and "2026/11/01" in reasons[0]
    assert "目录类型" in reasons[1] and "星系目录" in reasons[1]
    assert "数据类型" in reasons[2] and "“X”" in reasons[2]
    # The action's own rule, reported at the item's row: 不予共享 needs its legal reason.
    assert reasons[3] == "An item that is not shared needs its legal reason."
    assert "320200-ZZ-999" in reasons[4]
    assert not InformationResource.objects.exists()
    assert not AuditEvent.objects.filter(action="exchange.resource.publish").exists()


def _item(field, data_type):
    return ["320200-GA-001", field, "", field, data_type, "否", "无条件共享", "", "", "", "", "否"]


def test_data_types_are_the_guides_eleven_letters_or_their_names(db):
    # 政务信息资源目录编制指南 (2017): C 字符型, N 数值型, Y 货币型, D 日期型, T 日期时间型, L 逻辑型,
    # M 备注型, G 通用型, B 双精度型, I 整型, F 浮点型.
    written = {"a": "C", "b": "N", "c": "Y", "d": "D", "e": "T", "f": "L", "g": "M", "h": "G", "i": "B", "j": "I",
               "k": "F", "l": "双精度型", "m": "通用型", "n": "整型", "o": "浮点型", "p": "b", "q": "B 双精度型"}
    report = catalog_import_file(actor=None, content=_workbook([GOOD], [_item(f, t) for f, t in written.items()]),
                                 kind="xlsx")
    assert report.rejected == []
    stored = dict(InformationResource.objects.get().items.values_list("field", "data_type"))
    assert stored == {"a": "C", "b": "N", "c": "Y", "d": "D", "e": "T", "f": "L", "g": "M", "h": "G", "i": "B",
                      "j": "I", "k": "F", "l": "B", "m": "G", "n": "I", "o": "F", "p": "B", "q": "B"}
    with translation.override("zh-hans"):
        assert InformationResource.objects.get().items.get(field="i").get_data_type_display() == "双精度型"
        assert InformationResource.objects.get().items.get(field="h").get_data_type_display() == "通用型"


def test_a_data_type_not_in_the_guide_is_refused_at_its_row_and_field(db):
    content = _workbook([GOOD], [GOOD_ITEM, _item("photo", "二进制"), _item("flag", "Z")])
    report = catalog_import_file(actor=None, content=content, kind="xlsx")
    assert [(r["sheet"], r["row"]) for r in report.rejected] == [("信息项", 3), ("信息项", 4)]
    assert report.rejected[0]["reason"].startswith("数据类型: “二进制” is not one of C 字符型、")
    assert "G 通用型、B 双精度型、I 整型、F 浮点型" in report.rejected[0]["reason"]
    assert not InformationResource.objects.exists()
    # JSON: the action's check names the item and the field.
    bad = {**PERSON, "items": [{**PERSON["items"][0], "data_type": "X"}]}
    report = catalog_import_file(actor=None, content=json.dumps({"resources": [bad]}).encode(), kind="json")
    assert len(report.rejected) == 1
    assert report.rejected[0]["reason"] == "Information item id_number: data type: Value 'X' is not a valid choice."


def test_a_file_that_is_no_workbook_or_lacks_a_column_is_refused(db):
    assert catalog_import_file(actor=None, content=b"not a zip", kind="xlsx").rejected[0]["row"] == 0
    book = Workbook()
    book.active.title = "信息资源"
    book.active.append(RESOURCE_HEADINGS[:-1])
    book.create_sheet("信息项").append(ITEM_HEADINGS)
    out = io.BytesIO()
    book.save(out)
    report = catalog_import_file(actor=None, content=out.getvalue(), kind="xlsx")
    assert report.rejected == [{"sheet": "信息资源", "row": 1, "reason": "The column “关联资源代码” is missing."}]


def test_an_import_by_someone_who_is_no_operator_of_the_provider_imports_nothing(db, make_staff, consumer_org,
                                                                                 provider_org):
    operator = make_staff(consumer_org, roles=["operator"])
    content = json.dumps({"resources": [COMPANY, PERSON]}).encode()
    report = catalog_import_file(actor=operator, content=content, kind="json")
    assert report.resources == 0
    assert report.rejected == [{"sheet": "resources", "row": 2,
                                "reason": "You are not an operator of this organization."}]
    assert not InformationResource.objects.exists()
    assert catalog_import_file(actor=operator, content=json.dumps({"resources": [COMPANY]}).encode(),
                               kind="json").as_json() == {"resources": 1, "items": 2, "rejected": []}


def test_the_json_export_is_what_the_json_import_takes(catalog):
    content = json.dumps(catalog_export_json(open_only=False), ensure_ascii=False).encode()
    InformationResource.objects.all().delete()
    assert catalog_import_file(actor=None, content=content, kind="json").as_json() == {
        "resources": 3, "items": 7, "rejected": []}


DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _triples(document) -> set[tuple]:
    """The document's triples, by way of pyld's expansion: (subject, predicate, object) with literals
    as (value, language or datatype)."""
    expanded = jsonld.expand(document)
    dataset = jsonld.to_rdf(expanded)["@default"]

    def term(node):
        if node["type"] == "literal":
            return (node["value"], node.get("language") or node.get("datatype"))
        return node["value"]

    return {(term(t["subject"]), term(t["predicate"]), term(t["object"])) for t in dataset}


def test_the_dcat_document_expands_to_the_catalog_s_triples(catalog):
    document = catalog_dcat(base_url="https://data.wuxi.example/", title="无锡市政务数据开放目录",
                            title_en="Wuxi open government data", publisher_name="无锡市数据局",
                            publisher_name_en="Wuxi Data Bureau")
    expanded = jsonld.expand(document)
    assert expanded[0]["@type"] == [f"{DCAT}Catalog"]
    triples = _triples(document)
    base = "https://data.wuxi.example"
    company = f"{base}/open-data/320200-SCJG-0001/"
    services = f"{base}/open-data/320200-SJ-0001/"
    catalog_iri = f"{base}/open-data/catalog.jsonld"
    string = "http://www.w3.org/2001/XMLSchema#string"
    assert (catalog_iri, RDF_TYPE, f"{DCAT}Catalog") in triples
    datasets = {o for s, p, o in triples if s == catalog_iri and p == f"{DCAT}dataset"}
    assert datasets == {company, services}  # 人口基本信息 is not open
    assert {
        (company, RDF_TYPE, f"{DCAT}Dataset"),
        (company, f"{DCT}identifier", ("320200-SCJG-0001", string)),
        (company, f"{DCT}title", ("法人单位基础信息", "zh")),
        (company, f"{DCT}title", ("Legal entities", "en")),
        (company, f"{DCT}description", ("企业登记信息", "zh")),
        (company, f"{DCT}description", ("Company registrations", "en")),
        (company, f"{DCT}issued", ("2026-10-20", "http://www.w3.org/2001/XMLSchema#date")),
        (company, f"{DCT}accrualPeriodicity", "http://publications.europa.eu/resource/authority/frequency/DAILY"),
        (services, f"{DCT}accrualPeriodicity", "http://publications.europa.eu/resource/authority/frequency/MONTHLY"),
        (company, f"{DCAT}theme", f"{base}/open-data/themes/1-02-001"),
        (company, f"{DCAT}theme", "http://publications.europa.eu/resource/authority/data-theme/ECON"),
        (services, f"{DCAT}theme", f"{base}/open-data/themes/2-01-001"),
        (company, f"{DCAT}distribution", f"{company}#distribution"),
        (f"{company}#distribution", f"{DCAT}mediaType", "http://www.iana.org/assignments/media-types/text/csv"),
        (f"{services}#distribution", f"{DCAT}mediaType",
         "http://www.iana.org/assignments/media-types/application/json"),
        (f"{company}#distribution", f"{DCAT}accessURL", company),
    } <= triples
    publisher = next(o for s, p, o in triples if s == company and p == f"{DCT}publisher")
    assert (publisher, f"{DCT}identifier", (CONSUMER_CODE, string)) in triples
    assert (publisher, "http://xmlns.com/foaf/0.1/name", ("无锡市市场监督管理局", "zh")) in triples
    # Nothing of what is not open: no item, resource or related code of it.
    words = json.dumps(document, ensure_ascii=False)
    assert "联系电话" not in words and "人口基本信息" not in words and "320200-GA-001" not in words
    assert not any(s == services and p == f"{DCT}description" for s, p, o in triples if o == ("", "zh"))
