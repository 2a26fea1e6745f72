"""The catalog in and out of files: JSON (``catalog_import``'s format), XLSX with the column names
of the 政务信息资源目录编制指南 (试行, 2017), and DCAT-AP 2 as JSON-LD for harvesters (CKAN's
``ckanext-dcat`` reads it).

Exports are reads (no audit: a catalog entry holds no personal data); imports publish each resource
through ``actions.resource_publish`` (permission, validation and audit there) in one transaction:
a file with one bad row imports nothing, and the report names every bad row.

``open_only=True`` is the public view: only resources marked 开放 and, of them, only the items
marked 开放; related codes pointing to resources that are not open are left out too.
"""

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from egov.core.errors import ApplicationError, ValidationFailed
from egov.exchange.actions import resource_publish
from egov.exchange.models import InformationItem, InformationResource

R, I = InformationResource, InformationItem  # noqa: E741 - short names for the tables below

# The 指南's own words for the coded values (the text of record in a catalog file, whatever the
# page's language). A file may also carry the codes themselves.
CATALOG_WORDS = {R.Catalog.BASIC: "基础信息资源目录", R.Catalog.THEME: "主题信息资源目录",
                 R.Catalog.DEPARTMENT: "部门信息资源目录"}
FORMAT_WORDS = {R.Format.FILE: "电子文件", R.Format.SPREADSHEET: "电子表格", R.Format.DATABASE: "数据库",
                R.Format.IMAGE: "图形图像", R.Format.MEDIA: "流媒体", R.Format.SELF_DESCRIBING: "自描述格式",
                R.Format.INTERFACE: "服务接口"}
MODE_WORDS = {R.SharingMode.INTERFACE: "接口", R.SharingMode.TABLE: "库表", R.SharingMode.FILE: "文件"}
CYCLE_WORDS = {R.UpdateCycle.REALTIME: "实时", R.UpdateCycle.DAILY: "每日", R.UpdateCycle.WEEKLY: "每周",
               R.UpdateCycle.MONTHLY: "每月", R.UpdateCycle.QUARTERLY: "每季度", R.UpdateCycle.YEARLY: "每年",
               R.UpdateCycle.IRREGULAR: "不定期"}
SHARING_WORDS = {I.SharingType.UNCONDITIONAL: "无条件共享", I.SharingType.CONDITIONAL: "有条件共享",
                 I.SharingType.NONE: "不予共享"}
YES, NO = "是", "否"
# 政务信息资源目录编制指南 (试行, 2017), 信息项 数据类型: the letter the file carries, and the name
# the 指南 gives it (also taken on import).
DATA_TYPE_WORDS = {I.DataType.STRING: "字符型", I.DataType.NUMBER: "数值型", I.DataType.MONEY: "货币型",
                   I.DataType.DATE: "日期型", I.DataType.DATETIME: "日期时间型", I.DataType.BOOLEAN: "逻辑型",
                   I.DataType.TEXT: "备注型", I.DataType.GENERAL: "通用型", I.DataType.DOUBLE: "双精度型",
                   I.DataType.INTEGER: "整型", I.DataType.FLOAT: "浮点型"}

# (column heading, model field, words of a coded field or None). Headings: 指南 §6 元数据.
RESOURCE_COLUMNS = [
    ("信息资源分类", "classification", None),
    ("目录类型", "catalog", CATALOG_WORDS),
    ("信息资源名称", "name", None),
    ("信息资源名称（英文）", "name_en", None),
    ("信息资源代码", "code", None),
    ("信息资源提供方", "provider_name", None),
    ("信息资源提供方（英文）", "provider_name_en", None),
    ("信息资源提供方代码", "provider_code", None),
    ("信息资源摘要", "summary", None),
    ("信息资源摘要（英文）", "summary_en", None),
    ("信息资源格式", "format", FORMAT_WORDS),
    ("共享方式", "sharing_mode", MODE_WORDS),
    ("是否向社会开放", "is_open", None),
    ("更新周期", "update_cycle", CYCLE_WORDS),
    ("发布日期", "published_on", None),
    ("关联资源代码", "related_codes", None),
]
ITEM_COLUMNS = [
    ("信息资源代码", "resource", None),
    ("信息项名称", "name", None),
    ("信息项名称（英文）", "name_en", None),
    ("字段名", "field", None),
    ("数据类型", "data_type", None),
    ("是否涉及个人信息", "is_personal", None),
    ("共享类型", "sharing_type", SHARING_WORDS),
    ("共享条件", "sharing_condition", None),
    ("共享条件（英文）", "sharing_condition_en", None),
    ("不予共享依据", "refusal_basis", None),
    ("不予共享依据（英文）", "refusal_basis_en", None),
    ("是否向社会开放", "is_open", None),
]
RESOURCE_SHEET, ITEM_SHEET = "信息资源", "信息项"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 5 * 1024 * 1024  # an upload larger than this is refused before it is parsed
MAX_IMPORT_ROWS = 5000  # per sheet

RESOURCE_FIELDS = [name for _heading, name, _words in RESOURCE_COLUMNS]
ITEM_FIELDS = [name for _heading, name, _words in ITEM_COLUMNS if name != "resource"]


def catalog_resources(*, open_only: bool) -> QuerySet[InformationResource]:
    """The resources to export, by code, each with its items (only open ones when ``open_only``)."""
    items = InformationItem.objects.order_by("sort_order", "pk")
    resources = InformationResource.objects.order_by("code")
    if open_only:
        items = items.filter(is_open=True)
        resources = resources.filter(is_open=True)
    return resources.prefetch_related(Prefetch("items", queryset=items))


def resource_spec(resource: InformationResource, *, open_codes: set[str] | None = None) -> dict[str, Any]:
    """``resource`` as ``resource_publish`` takes it (``published_on`` as ISO 8601 text); related
    codes only those in ``open_codes`` when given."""
    spec = {name: getattr(resource, name) for name in RESOURCE_FIELDS}
    spec["published_on"] = resource.published_on.isoformat()
    spec["related_codes"] = [code for code in resource.related_codes if open_codes is None or code in open_codes]
    spec["items"] = [{name: getattr(item, name) for name in ITEM_FIELDS} for item in resource.items.all()]
    return spec


def catalog_export_json(*, open_only: bool) -> dict[str, Any]:
    """``{"resources": [...]}`` in the shape ``actions.catalog_import`` takes (grants are not
    exported: they are agreements between two organizations, not part of the catalog)."""
    resources = list(catalog_resources(open_only=open_only))
    open_codes = {r.code for r in resources} if open_only else None
    return {"resources": [resource_spec(r, open_codes=open_codes) for r in resources]}


def _cell(value: Any, words: dict | None) -> Any:
    if isinstance(value, bool):
        return YES if value else NO
    if words is not None:
        return words.get(value, value)
    if isinstance(value, list):
        return "；".join(value)
    return value


def catalog_export_xlsx(*, open_only: bool) -> bytes:
    """An XLSX workbook: sheet 信息资源 (one row a resource) and sheet 信息项 (one row an item, with
    its resource's code), headings in row 1 as ``RESOURCE_COLUMNS`` and ``ITEM_COLUMNS`` name them."""
    from openpyxl import Workbook  # imported when used: a site's URLconf loads this module on its first request

    data = catalog_export_json(open_only=open_only)
    book = Workbook()
    resources = book.active
    resources.title = RESOURCE_SHEET
    items = book.create_sheet(ITEM_SHEET)
    resources.append([heading for heading, _name, _words in RESOURCE_COLUMNS])
    items.append([heading for heading, _name, _words in ITEM_COLUMNS])
    for spec in data["resources"]:
        resources.append([_cell(spec[name], words) for _heading, name, words in RESOURCE_COLUMNS])
        for item in spec["items"]:
            row = {**item, "resource": spec["code"]}
            items.append([_cell(row[name], words) for _heading, name, words in ITEM_COLUMNS])
    for sheet in (resources, items):
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class ImportReport:
    """What an import did: ``resources`` and ``items`` published (0 when anything was rejected:
    nothing is half-imported), and ``rejected``: ``{"sheet", "row", "reason"}`` for each bad row
    (``row`` as a spreadsheet shows it, the heading being row 1; in JSON the resource's place in
    the list, from 1, and sheet ``resources``)."""

    resources: int = 0
    items: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"resources": self.resources, "items": self.items, "rejected": self.rejected}


class _Rejected(Exception):
    def __init__(self, sheet: str, row: int, reason: str):
        super().__init__(reason)
        self.entry = {"sheet": sheet, "row": row, "reason": reason}


def _flag(value: Any, heading: str, sheet: str, row: int) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip()
    if text in (YES, "Y", "y", "1", "true", "True", "TRUE"):
        return True
    if text in (NO, "N", "n", "0", "false", "False", "FALSE", ""):
        return False
    raise _Rejected(sheet, row, _("%(column)s: write 是 (yes) or 否 (no), not “%(value)s”.") % {
        "column": heading, "value": text})


def _coded(value: Any, words: dict, heading: str, sheet: str, row: int) -> str:
    text = str(value or "").strip()
    for code, word in words.items():
        if text in (word, str(code)):
            return str(code)
    raise _Rejected(sheet, row, _("%(column)s: “%(value)s” is not one of %(allowed)s.") % {
        "column": heading, "value": text, "allowed": "、".join(words.values())})


def _data_type(value: Any, heading: str, sheet: str, row: int) -> str:
    """The 指南's letter of a 数据类型 cell written as the letter (either case), the name, or both
    ("B 双精度型")."""
    text = _text(value)
    for code, word in DATA_TYPE_WORDS.items():
        if text.upper() == code or text == word or text.replace(" ", "").upper() in (f"{code}{word}", f"{word}{code}"):
            return str(code)
    raise _Rejected(sheet, row, _("%(column)s: “%(value)s” is not one of %(allowed)s.") % {
        "column": heading, "value": text, "allowed": "、".join(f"{c} {w}" for c, w in DATA_TYPE_WORDS.items())})


def _date(value: Any, heading: str, sheet: str, row: int) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value or "").strip()).isoformat()
    except ValueError:
        raise _Rejected(sheet, row, _("%(column)s: “%(value)s” is not a date written YYYY-MM-DD.") % {
            "column": heading, "value": value or ""}) from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _sheet_rows(book, title: str, columns: list) -> list[tuple[int, dict[str, Any]]]:
    if title not in book.sheetnames:
        raise _Rejected(title, 0, _("The workbook has no sheet named “%(sheet)s”.") % {"sheet": title})
    sheet = book[title]
    rows = sheet.iter_rows(values_only=True)
    headings = [_text(cell) for cell in next(rows, ())]
    where = {}
    for heading, name, _words in columns:
        if heading in headings:
            where[name] = headings.index(heading)
        elif not heading.endswith("（英文）"):
            raise _Rejected(title, 1, _("The column “%(column)s” is missing.") % {"column": heading})
    out = []
    for number, cells in enumerate(rows, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            raise _Rejected(title, number, _("A sheet has at most %(count)d rows.") % {"count": MAX_IMPORT_ROWS})
        if not any(_text(cell) for cell in cells):
            continue
        out.append((number, {name: cells[index] if index < len(cells) else None for name, index in where.items()}))
    return out


def _resource_from_row(row: dict[str, Any], sheet: str, number: int) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    for heading, name, words in RESOURCE_COLUMNS:
        value = row.get(name)
        if words is not None:
            spec[name] = _coded(value, words, heading, sheet, number)
        elif name == "is_open":
            spec[name] = _flag(value, heading, sheet, number)
        elif name == "published_on":
            spec[name] = _date(value, heading, sheet, number)
        elif name == "related_codes":
            spec[name] = [code.strip() for code in _text(value).replace(";", "；").split("；") if code.strip()]
        else:
            spec[name] = _text(value)
    if not spec["code"]:
        raise _Rejected(sheet, number, _("信息资源代码: required."))
    spec["items"] = []
    return spec


def _item_from_row(row: dict[str, Any], sheet: str, number: int) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    for heading, name, words in ITEM_COLUMNS:
        value = row.get(name)
        if words is not None:
            spec[name] = _coded(value, words, heading, sheet, number)
        elif name in ("is_personal", "is_open"):
            spec[name] = _flag(value, heading, sheet, number)
        elif name == "data_type":
            spec[name] = _data_type(value, heading, sheet, number)
        else:
            spec[name] = _text(value)
    return spec


def catalog_parse_xlsx(content: bytes) -> tuple[list[tuple[dict, int, dict[str, int]]], list[dict[str, Any]]]:
    """Read a workbook as ``catalog_export_xlsx`` writes it.

    Returns:
        ``(resources, rejected)``: each resource as ``(spec for resource_publish, its row on
        信息资源, {item field: its row on 信息项})``; ``rejected`` the rows that could not be read,
        ``{"sheet", "row", "reason"}`` (reasons in Chinese, the language of the file's headings).
    """
    from openpyxl import load_workbook  # imported when used, as in catalog_export_xlsx
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return [], [{"sheet": "", "row": 0,
                     "reason": _("Not a readable XLSX workbook (%(error)s).") % {"error": exc.__class__.__name__}}]
    rejected: list[dict[str, Any]] = []
    try:
        resource_rows = _sheet_rows(book, RESOURCE_SHEET, RESOURCE_COLUMNS)
        item_rows = _sheet_rows(book, ITEM_SHEET, ITEM_COLUMNS)
    except _Rejected as error:
        return [], [error.entry]
    resources: dict[str, tuple[dict, int, dict[str, int]]] = {}
    for number, row in resource_rows:
        try:
            spec = _resource_from_row(row, RESOURCE_SHEET, number)
            if spec["code"] in resources:
                raise _Rejected(RESOURCE_SHEET, number, _(
                    "信息资源代码 “%(code)s” appears twice (first on row %(row)d).") % {
                    "code": spec["code"], "row": resources[spec["code"]][1]})
            resources[spec["code"]] = (spec, number, {})
        except _Rejected as error:
            rejected.append(error.entry)
    for number, row in item_rows:
        try:
            spec = _item_from_row(row, ITEM_SHEET, number)
            owner = resources.get(spec.pop("resource"))
            if owner is None:
                raise _Rejected(ITEM_SHEET, number, _("信息资源代码 “%(code)s” is not on the sheet 信息资源.") % {
                    "code": _text(row.get("resource"))})
            if spec["field"] in owner[2]:
                raise _Rejected(ITEM_SHEET, number, _(
                    "字段名 “%(field)s” appears twice in this resource (first on row %(row)d).") % {
                    "field": spec["field"], "row": owner[2][spec["field"]]})
            owner[0]["items"].append(spec)
            owner[2][spec["field"]] = number
        except _Rejected as error:
            rejected.append(error.entry)
    return list(resources.values()), rejected


def catalog_parse_json(content: bytes) -> tuple[list[tuple[dict, int, dict[str, int]]], list[dict[str, Any]]]:
    """Read ``{"resources": [...]}`` (``catalog_import``'s format; ``grants`` are not taken from an
    upload). Returns what ``catalog_parse_xlsx`` returns, each resource's row being its place in
    the list (from 1) and its items' rows that same number."""
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return [], [{"sheet": "", "row": 0, "reason": _("Not JSON in UTF-8 (%(error)s).") % {"error": exc}}]
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        return [], [{"sheet": "", "row": 0, "reason": _("The JSON must be an object {\"resources\": [...]}.")}]
    out, rejected = [], []
    for number, spec in enumerate(data["resources"], start=1):
        if not isinstance(spec, dict) or not isinstance(spec.get("items", []), list):
            rejected.append({"sheet": "resources", "row": number,
                             "reason": _("Each resource is an object whose items are a list.")})
            continue
        unknown = set(spec) - {*RESOURCE_FIELDS, "items"}
        if unknown:
            rejected.append({"sheet": "resources", "row": number,
                             "reason": _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}})
            continue
        items = spec.get("items", [])
        bad = [item for item in items if not isinstance(item, dict) or set(item) - set(ITEM_FIELDS)]
        if bad:
            rejected.append({"sheet": "resources", "row": number,
                             "reason": _("Each information item is an object with known fields only.")})
            continue
        out.append((spec, number, {str(item.get("field", "")): number for item in items}))
    return out, rejected


def catalog_publish_parsed(*, actor, parsed: list[tuple[dict, int, dict[str, int]]],
                           rejected: list[dict[str, Any]], sheet: str = RESOURCE_SHEET,
                           item_sheet: str = ITEM_SHEET) -> ImportReport:
    """Publish each parsed resource with ``resource_publish`` as ``actor``, all or nothing.

    A resource the action refuses is reported at its row (an error about one of its items at that
    item's row). When anything is rejected, here or in ``rejected`` already, the whole import is
    rolled back and the report counts nothing imported.

    Returns:
        ImportReport.
    """
    report = ImportReport(rejected=list(rejected))
    with transaction.atomic():
        for spec, number, item_rows in parsed:
            try:
                with transaction.atomic():
                    resource = resource_publish(actor=actor, data=spec)
            except ApplicationError as error:
                where_field = str(error.extra.get("field", ""))
                item_field = where_field.split(".")[1] if where_field.startswith("items.") else ""
                entry = {"sheet": sheet, "row": number, "reason": error.message}
                if item_field in item_rows:
                    entry = {"sheet": item_sheet, "row": item_rows[item_field], "reason": error.message}
                if where_field and not item_field:
                    entry["reason"] = f"{where_field}: {error.message}"
                report.rejected.append(entry)
                continue
            report.resources += 1
            report.items += resource.items.count()
        if report.rejected:
            transaction.set_rollback(True)
            report.resources = report.items = 0
    report.rejected.sort(key=lambda entry: (entry["sheet"] != RESOURCE_SHEET, entry["sheet"], entry["row"]))
    return report


def catalog_import_file(*, actor, content: bytes, kind: str) -> ImportReport:
    """Import an uploaded or named file: ``kind`` ``"xlsx"`` or ``"json"``.

    Raises:
        ValidationFailed: an unknown ``kind``, or a file larger than ``MAX_IMPORT_BYTES``.
    """
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("The file is larger than %(size)d MB.") % {"size": MAX_IMPORT_BYTES // (1024 * 1024)},
                               extra={"field": "file",
                                                                                     "rule": "too_large"})
    if kind == "xlsx":
        parsed, rejected = catalog_parse_xlsx(content)
        return catalog_publish_parsed(actor=actor, parsed=parsed, rejected=rejected)
    if kind == "json":
        parsed, rejected = catalog_parse_json(content)
        return catalog_publish_parsed(actor=actor, parsed=parsed, rejected=rejected, sheet="resources",
                                      item_sheet="resources")
    raise ValidationFailed(_("Only .xlsx and .json files are taken."), extra={"field": "file", "rule": "kind"})
