"""Credit records by import: a CSV or XLSX export of one providing organization's records.

The file is read the platform's one way (``facilities.tabular``: BOM, GB 18030, full-width digits,
``2026年3月5日``, Chinese or English headers). Every row goes through ``actions.record_enter`` — the same
checks, matching against the registers, holding an unknown subject, the notice and objection window of a
list membership, the audit — in its own transaction, so a bad row loses nothing else. A row's error
(``ValidationFailed``'s field and message) goes to the report with its row number; the same file again
changes nothing (each record is keyed by ``source_ref``).
"""

import hashlib
from collections.abc import Callable, Mapping
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.errors import ValidationFailed
from egov.credit.actions import record_enter, subject_code_check
from egov.credit.models import CreditImport, CreditRecord, Kind, Severity, Status, SubjectKind
from egov.credit.permissions import require_enter
from egov.facilities.tabular import (
    RowRejected,
    cell_text,
    cell_typed,
    date_read,
    header_fields,
    is_placeholder,
    rows_read,
)
from egov.orgs.models import Organization

# field → the column's Chinese name in exports (the English field name is accepted too). Names are as
# ``cell_typed`` reads a heading: NFKC, so full-width brackets are written half-width here.
COLUMNS: dict[str, str] = {
    "kind": "类别",
    "subject_kind": "主体类型",
    "subject_code": "统一社会信用代码/公民身份号码",
    "subject_name": "主体名称",
    "decision_document": "决定文书号",
    "decided_on": "决定日期",
    "severity": "严重程度",
    "legal_basis": "法律依据",
    "facts": "事实/内容",
    "measures": "惩戒/激励措施",
    "legal_basis_en": "法律依据(英文)",
    "facts_en": "事实/内容(英文)",
    "measures_en": "惩戒/激励措施(英文)",
    "source_ref": "来源编号",
}
# Other headings the same columns go by in exports.
ALIASES: dict[str, str] = {
    "记录类别": "kind",
    "信息类别": "kind",
    "统一社会信用代码": "subject_code",
    "公民身份号码": "subject_code",
    "身份证号码": "subject_code",
    "主体代码": "subject_code",
    "行政相对人名称": "subject_name",
    "名称": "subject_name",
    "决定文书号/文号": "decision_document",
    "文书号": "decision_document",
    "决定书文号": "decision_document",
    "文号": "decision_document",
    "决定日期/认定日期": "decided_on",
    "认定日期": "decided_on",
    "处罚决定日期": "decided_on",
    "许可决定日期": "decided_on",
    "依据": "legal_basis",
    "事实": "facts",
    "内容": "facts",
    "惩戒措施": "measures",
    "激励措施": "measures",
    "措施": "measures",
    "来源": "source_ref",
}
REQUIRED = ("kind", "subject_kind", "subject_code", "subject_name", "decision_document", "decided_on", "legal_basis")

KIND_WORDS: dict[str, str] = {
    "行政许可": Kind.LICENCE,
    "行政处罚": Kind.PENALTY,
    "严重失信主体名单": Kind.SERIOUS,
    "严重失信": Kind.SERIOUS,
    "经营异常名录": Kind.ABNORMAL,
    "红名单": Kind.RED,
    "守信激励": Kind.RED,
    "守信激励对象名单": Kind.RED,
    **{value: value for value in Kind.values},
}
SUBJECT_KIND_WORDS: dict[str, str] = {
    "法人": SubjectKind.LEGAL,
    "法人和非法人组织": SubjectKind.LEGAL,
    "非法人组织": SubjectKind.LEGAL,
    "企业": SubjectKind.LEGAL,
    "组织": SubjectKind.LEGAL,
    "自然人": SubjectKind.NATURAL,
    "个人": SubjectKind.NATURAL,
    "person": SubjectKind.NATURAL,
    **{value: value for value in SubjectKind.values},
}
SEVERITY_WORDS: dict[str, str] = {
    "一般": Severity.GENERAL,
    "严重": Severity.SERIOUS,
    **{value: value for value in Severity.values},
}

LABELS = {
    "kind": gettext_lazy("The kind of record"),
    "subject_kind": gettext_lazy("The subject kind"),
    "subject_code": gettext_lazy("The subject's code"),
    "subject_name": gettext_lazy("The subject's name"),
    "decision_document": gettext_lazy("The decision document number"),
    "decided_on": gettext_lazy("The decision date"),
    "legal_basis": gettext_lazy("The legal basis"),
}


def _word(cells: Mapping[str, str], field: str, words: Mapping[str, str], *, required: bool) -> str:
    """A cell naming one of ``words`` (Chinese or the stored value, any case), "" when empty and optional."""
    typed = cell_typed(cells.get(field, ""))
    if not typed or is_placeholder(typed):
        if required:
            raise RowRejected(field, "required", _("%(label)s is empty.") % {"label": LABELS[field]})
        return ""
    value = words.get(typed) or words.get(typed.lower())
    if value is None:
        raise RowRejected(
            field,
            "choice",
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": typed, "choices": "、".join(word for word in words if not word.isascii())},
        )
    return value


def _text(cells: Mapping[str, str], field: str) -> str:
    value = cell_text(cells.get(field, ""))
    return "" if is_placeholder(value) else value


def source_ref_of(*, provider: Organization, given: str, kind: str, subject_code: str, document: str) -> str:
    """The key that makes an imported record once: ``<provider's USCC>:<the file's 来源编号>`` when the file gives
    one, else ``<provider's USCC>:`` and the first 40 hex digits of the SHA-256 of kind, subject code and
    decision document (the same decision about the same subject is the same record).

    Raises:
        RowRejected: ``source_ref``/``max_length`` when the given reference makes a key over 64 characters.
    """
    prefix = f"{provider.uscc or provider.pk}:"
    if given:
        if len(prefix) + len(given) > 64:
            raise RowRejected(
                "source_ref",
                "max_length",
                _("The source reference is longer than %(max)d characters.") % {"max": 64 - len(prefix)},
            )
        return prefix + given
    digest = hashlib.sha256("\x1f".join((kind, subject_code, document)).encode()).hexdigest()
    return prefix + digest[:40]


def _row_read(cells: Mapping[str, str], *, provider: Organization) -> dict:
    """One row as ``record_enter``'s arguments (without actor, provider and today), ``source_ref`` included."""
    kind = _word(cells, "kind", KIND_WORDS, required=True)
    subject_kind = _word(cells, "subject_kind", SUBJECT_KIND_WORDS, required=True)
    for field in ("subject_code", "subject_name", "decision_document", "legal_basis"):
        if not _text(cells, field):
            raise RowRejected(field, "required", _("%(label)s is empty.") % {"label": LABELS[field]})
    try:
        code = subject_code_check(subject_kind=subject_kind, code=cell_typed(cells["subject_code"]).upper())
    except ValidationFailed as failure:
        raise RowRejected(
            failure.extra.get("field", "subject_code"), failure.extra.get("rule", ""), failure.message
        ) from None
    decided_on = date_read(cells.get("decided_on", ""), field="decided_on", label=LABELS["decided_on"])
    if decided_on is None:
        raise RowRejected("decided_on", "required", _("%(label)s is empty.") % {"label": LABELS["decided_on"]})
    document = _text(cells, "decision_document")
    return {
        "kind": kind,
        "subject_kind": subject_kind,
        "subject_code": code,
        "subject_name": _text(cells, "subject_name"),
        "decision_document": document,
        "decided_on": decided_on,
        "severity": _word(cells, "severity", SEVERITY_WORDS, required=False),
        "legal_basis": _text(cells, "legal_basis"),
        "facts": _text(cells, "facts"),
        "measures": _text(cells, "measures"),
        "legal_basis_en": _text(cells, "legal_basis_en"),
        "facts_en": _text(cells, "facts_en"),
        "measures_en": _text(cells, "measures_en"),
        "source_ref": source_ref_of(
            provider=provider,
            given=cell_typed(cells.get("source_ref", "")),
            kind=kind,
            subject_code=code,
            document=document,
        ),
    }


def records_import(
    *,
    actor,
    provider: Organization,
    content: bytes,
    file_name: str,
    actor_label: str = "",
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> CreditImport:
    """Import a CSV or XLSX export of ``provider``'s credit records (行政许可, 行政处罚, 严重失信主体名单, 经营异常名录,
    红名单), each row through ``actions.record_enter``.

    Args:
        actor: a staff member holding one of ``permissions.ENTER_ROLES`` at ``provider``, or ``SYSTEM``
            (a command; ``actor_label`` names it).
        provider: the providing organization whose decisions the file lists.
        content, file_name: the file's bytes and name (``.xlsx``, or CSV in UTF-8 with or without BOM, or
            GB 18030). Columns: ``COLUMNS`` (Chinese headings, their ``ALIASES``, or the English field names);
            ``REQUIRED`` must be present.
        progress: called with the number of rows read so far, every 100 rows and at the end.
        today: the day the decision dates may not pass and the records are entered (default: today).

    Returns:
        The ``CreditImport`` with ``counts`` ``{"read", "entered", "unchanged", "rejected", "held"}``: rows
        read (blank lines skipped), records entered (``held`` of them for a subject the registers do not
        know), rows whose record is already there (same ``source_ref``: the same file twice changes nothing),
        rows rejected; and ``report``: ``{"row", "field", "rule", "reason", "outcome"}`` per rejected or held
        row (row numbers as in the file, the header is row 1). A row repeating an earlier row's record is
        rejected (``duplicate_in_file``).

    Raises:
        PermissionDenied: ``permissions.require_enter``.
        ValidationFailed: the file as a whole cannot be read (``encoding``, ``format``, ``empty``, ``header``):
            nothing is entered.
    """
    require_enter(actor, provider)
    today = today or timezone.localdate()
    header, rows = rows_read(content=content, file_name=file_name)
    fields = header_fields(header, columns=COLUMNS, required=REQUIRED, aliases=ALIASES)
    counts = {"read": 0, "entered": 0, "unchanged": 0, "rejected": 0, "held": 0}
    report: list[dict] = []
    first_row: dict[str, int] = {}

    def reject(number: int, field: str, rule: str, reason: str) -> None:
        counts["rejected"] += 1
        report.append({"row": number, "field": field, "rule": rule, "reason": str(reason), "outcome": "rejected"})

    for number, cells in enumerate(rows, 2):
        if not "".join(cells).strip():
            continue  # a blank line (spreadsheets leave them at the end)
        counts["read"] += 1
        if progress is not None and counts["read"] % 100 == 0:
            progress(counts["read"])
        values = {field: cells[index] for index, field in enumerate(fields) if field and index < len(cells)}
        try:
            row = _row_read(values, provider=provider)
        except RowRejected as error:
            reject(number, error.field, error.rule, error.reason)
            continue
        source = row["source_ref"]
        if source in first_row:
            reject(
                number,
                "source_ref",
                "duplicate_in_file",
                _("The same record is on row %(row)d.") % {"row": first_row[source]},
            )
            continue
        first_row[source] = number
        if CreditRecord.objects.filter(source_ref=source).exists():
            counts["unchanged"] += 1
            continue
        try:
            with transaction.atomic():  # each row its own transaction (record_enter's own)
                record = record_enter(actor=actor, provider=provider, today=today, **row)
        except ValidationFailed as error:
            reject(number, error.extra.get("field", ""), error.extra.get("rule", ""), error.message)
            continue
        except IntegrityError:  # entered meanwhile by another import of the same record
            counts["unchanged"] += 1
            continue
        counts["entered"] += 1
        if record.status == Status.HELD:
            counts["held"] += 1
            report.append(
                {
                    "row": number,
                    "field": "subject_code",
                    "rule": "held",
                    "outcome": "held",
                    "reason": _("%(number)s: the registers do not know the subject; held for matching, not published.")
                    % {"number": record.number},
                }
            )
    if progress is not None:
        progress(counts["read"])
    label = actor_label if is_system(actor) else str(actor)
    with transaction.atomic():
        batch = CreditImport.objects.create(
            provider=provider,
            file_name=file_name[:255],
            counts=counts,
            report=report,
            actor=None if is_system(actor) else actor,
            actor_label=label[:200],
        )
        audit_record(
            action="credit.records.import",
            actor=actor,
            organization=provider,
            obj=batch,
            actor_label=actor_label,
            changes={"counts": counts, "file": file_name[:100]},
            summary=f"credit records import of {file_name[:100]} for {provider}",
        )
    return batch
