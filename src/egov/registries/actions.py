"""Writes of the base registers: file imports (every change a version) and audited full views.

An import reads every row, checks it (``validation``), and writes the valid rows by batches of
``batch_rows``: each batch in one transaction (a batch never goes in half), new rows by PostgreSQL
``COPY`` (psycopg's ``cursor.copy``) or ``bulk_create`` on SQLite, changed rows by ``bulk_update``,
each with its ``RecordVersion``. A row equal to the stored one is counted ``unchanged`` and writes
nothing, so the same file twice changes nothing.
"""

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from operator import itemgetter

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.errors import ValidationFailed
from egov.registries.models import EconomicIndicator, ImportBatch, IndicatorValue, RecordVersion, Register
from egov.registries.permissions import full_view_role, require_full_view, require_import
from egov.registries.reading import rows_read
from egov.registries.selectors import DATA_FIELDS, KEY_FIELDS, MODELS, match_rule
from egov.registries.validation import (
    REVIEW_REASONS,
    ROW_CHECKS,
    Divisions,
    IndicatorRef,
    RowRejected,
    header_map,
    indicator_row_check,
)

BATCH_ROWS = 100_000


# PostgreSQL COPY text format: backslash, tab, newline and carriage return are escaped; \N is NULL.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """A value as a field of PostgreSQL's COPY text format (not yet escaped): NULL is ``\\N``,
    dates and times ISO 8601 (with their offset), numbers as written."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _copy_field(value) -> str:
    """A value as an escaped field of PostgreSQL's COPY text format."""
    return "\\N" if value is None else _copy_text(value).translate(_COPY_ESCAPES)


def _json_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class _Writer:
    """Writes one batch in one transaction: new rows (their creation recorded on the row itself:
    version 1), changed rows, and one ``RecordVersion`` per changed row holding the row as it was."""

    def __init__(self, *, register: str, actor, actor_label: str, source: str, now: datetime.datetime):
        self.register, self.actor, self.actor_label, self.source, self.now = register, actor, actor_label, source, now
        self.actor_id = getattr(actor, "pk", None)
        self.model = MODELS[register]
        self.fields = DATA_FIELDS[register]
        self.key = KEY_FIELDS[register]
        # Columns of a new row beyond its data and review reason, the same for the whole import.
        self.created = {"source": source, "version": 1, "updated_at": now, "created_at": now,
                        "created_by_id": self.actor_id, "created_label": actor_label, "created_source": source}

    def write(self, new: list[tuple[dict, str]], changed: list[tuple[dict, dict, str]]) -> None:
        with transaction.atomic():
            if new and connection.vendor == "postgresql":
                self._copy_new(new)
            elif new:
                self.model.objects.bulk_create([self.model(**data, review_reason=review, **self.created)
                                                for data, review in new], batch_size=500)
            if changed:
                self._update(changed)

    def _copy_new(self, new: list[tuple[dict, str]]) -> None:
        """New rows on PostgreSQL: one ``COPY`` (text format) straight into the register's table.

        The rows were found absent by ``_stored_rows`` in this transaction; the identifier's unique
        index still refuses a row that another import added meanwhile, and then the whole batch rolls
        back. Lines are formatted here rather than by ``write_row``: the columns that are the same
        for the whole import (source, creation time and actor) are one suffix made once, where psycopg
        would adapt two time-zone-aware datetimes per row (measured: 4× the cost of the data)."""
        columns = [*self.fields, "review_reason", *self.created]
        suffix = "\t" + "\t".join(_copy_field(value) for value in self.created.values()) + "\n"
        values, tabs, lines = itemgetter(*self.fields), len(self.fields), []
        for data, review in new:
            cells = [value if value.__class__ is str else _copy_text(value) for value in values(data)]
            cells.append(review)
            line = "\t".join(cells)
            if line.count("\t") != tabs or "\\" in line or "\n" in line or "\r" in line:
                line = "\t".join(_copy_field(value) for value in (*values(data), review))
            lines.append(line + suffix)
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {self.model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
            for start in range(0, len(lines), 10_000):
                copy.write("".join(lines[start:start + 10_000]))

    def _update(self, changed: list[tuple[dict, dict, str]]) -> None:
        rows, versions = [], []
        for stored, data, review in changed:
            number = stored["version"] + 1
            rows.append(self.model(pk=stored["id"], **data, source=self.source, review_reason=review,
                                   version=number, updated_at=self.now))
            changes = {field: [_json_value(stored[field]), _json_value(data[field])]
                       for field in self.fields if stored[field] != data[field]}
            before = {field: _json_value(stored[field]) for field in self.fields}
            versions.append(RecordVersion(register=self.register, key=data[self.key], number=number,
                                          recorded_at=self.now, actor_id=self.actor_id,
                                          actor_label=self.actor_label, source=self.source, changes=changes,
                                          data=before))
        self.model.objects.bulk_update(rows, [*self.fields, "source", "review_reason", "version", "updated_at"],
                                       batch_size=1000)
        RecordVersion.objects.bulk_create(versions, batch_size=1000)


def _stored_rows(register: str, keys: list[str]) -> dict[str, dict]:
    """The stored rows among ``keys``, by key, as ``values()`` dicts with ``id`` and ``version``.

    On PostgreSQL the keys go as one parameter (``= ANY(…)``): an ``IN`` list of thousands of
    placeholders costs more to build and parse than the lookup itself."""
    model, key_field = MODELS[register], KEY_FIELDS[register]
    fields = ["id", "version", *DATA_FIELDS[register]]
    if connection.vendor != "postgresql":
        return {row[key_field]: row for row in model.objects.filter(**{f"{key_field}__in": keys}).values(*fields)}
    with connection.cursor() as cursor:
        # Identifiers hold no comma: one text parameter, split by the server (an array parameter of
        # 100,000 strings costs more to adapt on our side than the lookup itself).
        cursor.execute(f"SELECT {', '.join(fields)} FROM {model._meta.db_table} "
                       f"WHERE {key_field} = ANY(string_to_array(%s, ','))", [",".join(keys)])
        return {row[key_field]: row for row in (dict(zip(fields, values, strict=True))
                                                for values in cursor.fetchall())}


def _chunks(rows: Iterable[list[str]], size: int) -> Iterable[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(rows, start=2):  # the header is row 1
        chunk.append((number, cells))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def register_import(*, actor, register: str, content: bytes, file_name: str, source: str = "",
                    actor_label: str = "", progress: Callable[[int], None] | None = None,
                    batch_rows: int = BATCH_ROWS, today: datetime.date | None = None) -> ImportBatch:
    """Import a CSV or XLSX export into ``register`` (``"population"`` or ``"legal_entity"``).

    Args:
        actor: the staff user (a data steward) or ``SYSTEM`` (a command; then ``actor_label`` names it).
        content, file_name: the file's bytes and name (``.xlsx`` or CSV in UTF-8 or GB 18030).
        source: where the rows come from (the providing organization); default: the importer's
            organization, or the file name.
        progress: called with the number of rows read so far after each batch.
        batch_rows: rows per batch (each batch is one transaction).
        today: the date birth and establishment dates may not pass (default: today).

    Returns:
        The ``ImportBatch`` with ``counts`` ``{"read", "imported", "unchanged", "rejected", "flagged"}``
        (``imported`` = new or changed rows), ``rejected`` and ``flagged`` rows
        (``{"row", "field", "rule", "reason"}``, row numbers as in the file, header = row 1).

    Raises:
        PermissionDenied: the actor is not a data steward.
        ValidationFailed: the file as a whole cannot be read (``encoding``, ``format``, ``empty``,
            ``header``): nothing is imported.
    """
    if register not in MODELS:
        raise ValidationFailed(_("No such register."), extra={"field": "register", "rule": "choice"})
    organization = require_import(actor)
    header, rows = rows_read(content=content, file_name=file_name)
    fields = header_map(header, register)
    rule = match_rule(register)
    check = ROW_CHECKS[register]
    today = today or timezone.localdate()
    divisions = Divisions.load()
    source = source or (organization.name if organization is not None else file_name)
    label = actor_label if is_system(actor) else str(actor)
    batch = ImportBatch.objects.create(register=register, file_name=file_name[:255], source=source[:200],
                                       actor=None if is_system(actor) else actor, actor_label=label[:200])
    writer = _Writer(register=register, actor=actor, actor_label=label[:200], source=source[:200],
                     now=timezone.now())
    counts = {"read": 0, "imported": 0, "unchanged": 0, "rejected": 0, "flagged": 0}
    rejected: list[dict] = []
    flagged: list[dict] = []
    first_row: dict[str, int] = {}
    key_field = KEY_FIELDS[register]
    for chunk in _chunks(rows, batch_rows):
        checked: list[tuple[int, dict, str]] = []
        for number, cells in chunk:
            if not "".join(cells).strip():
                continue  # a blank line (Excel leaves them at the end)
            counts["read"] += 1
            values = {field: cells[index] for index, field in enumerate(fields) if field and index < len(cells)}
            try:
                data, review = check(values, divisions=divisions, today=today)
            except RowRejected as error:
                rejected.append({"row": number, "field": error.field, "rule": error.rule, "reason": error.reason})
                continue
            key = data[key_field]
            if key in first_row:
                rejected.append({"row": number, "field": key_field, "rule": "duplicate_in_file",
                                 "reason": _("The same identifier is on row %(row)d.") % {"row": first_row[key]}})
                continue
            first_row[key] = number
            checked.append((number, data, review))
        stored = _stored_rows(register, [data[key_field] for _n, data, _r in checked])
        new, changed = [], []
        for number, data, review in checked:
            old = stored.get(data[key_field])
            if old is not None and all(old[field] == data[field] for field in DATA_FIELDS[register]):
                counts["unchanged"] += 1
                continue
            if old is not None:
                differs = [field for field in rule.confirm if old[field] != data[field]]
                if differs and not review:
                    review = "match_confirm_differs"
            if review:
                flagged.append({"row": number, "field": key_field, "rule": review,
                                "reason": str(REVIEW_REASONS.get(review, review))})
            (changed.append((old, data, review)) if old is not None else new.append((data, review)))
        writer.write(new, changed)
        counts["imported"] += len(new) + len(changed)
        if progress is not None:
            progress(counts["read"])
    counts["rejected"], counts["flagged"] = len(rejected), len(flagged)
    batch.counts, batch.rejected, batch.flagged, batch.finished_at = counts, rejected, flagged, timezone.now()
    with transaction.atomic():
        batch.save(update_fields=["counts", "rejected", "flagged", "finished_at"])
        audit_record(action=f"registries.{register}.import", actor=actor, organization=organization, obj=batch,
                     actor_label=actor_label, summary=_("Register import of %(file)s") % {"file": file_name[:100]},
                     changes={"counts": counts})
    return batch


def record_full_view(*, actor, register: str, record):
    """Record (audit) that ``actor`` sees the full values of ``record`` and return the record.

    Every full view is an audit event ``registries.<register>.read`` naming the row, so the person
    concerned can be shown who read their data.

    Raises:
        PermissionDenied: the actor's roles do not grant full values.
    """
    organization = require_full_view(actor)
    # The role is kept so that the person concerned sees in which role their data was read
    # (registries.data_use); the row itself is named by obj, never its values.
    role = full_view_role(actor, organization)
    audit_record(action=f"registries.{register}.read", actor=actor, organization=organization, obj=record,
                 summary=_("Full register values shown"), changes={"role": role} if role else None)
    return record


INDICATOR_FIELDS = ("code", "name", "name_en", "unit", "unit_en", "definition", "definition_en", "source",
                    "source_en", "sort_order")


def indicator_define(*, actor, code: str, name: str, unit: str, source: str, name_en: str = "", unit_en: str = "",
                     definition: str = "", definition_en: str = "", source_en: str = "",
                     sort_order: int = 0) -> EconomicIndicator:
    """Define an indicator of the macro-economic database, or update the definition of ``code``.

    Args:
        actor: a data steward or ``SYSTEM``.
        code: the indicator's code (letters, digits, ``_``; e.g. ``GDP``); name, unit, definition and
            source in Chinese with their English texts beside them (``_en``).

    Returns:
        The indicator as stored.

    Raises:
        PermissionDenied: the actor is not a data steward.
        ValidationFailed: ``code`` (``format``), ``name``/``unit``/``source`` (``required``).
    """
    organization = require_import(actor)
    if not code or not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 40:
        raise ValidationFailed(_("An indicator code is letters, digits and _ (at most 40)."),
                               extra={"field": "code", "rule": "format"})
    for field, value in (("name", name), ("unit", unit), ("source", source)):
        if not value.strip():
            raise ValidationFailed(_("This field is required."), extra={"field": field, "rule": "required"})
    values = {"name": name.strip(), "name_en": name_en.strip(), "unit": unit.strip(), "unit_en": unit_en.strip(),
              "definition": definition.strip(), "definition_en": definition_en.strip(), "source": source.strip(),
              "source_en": source_en.strip(), "sort_order": sort_order}
    with transaction.atomic():
        indicator, created = EconomicIndicator.objects.select_for_update().get_or_create(code=code, defaults=values)
        changes = {}
        if not created:
            changes = {field: [getattr(indicator, field), value] for field, value in values.items()
                       if getattr(indicator, field) != value}
            if changes.get("unit") and indicator.values.exists():
                raise ValidationFailed(_("The unit of an indicator that has values cannot change."),
                                       extra={"field": "unit", "rule": "has_values"})
            for field, value in values.items():
                setattr(indicator, field, value)
            if changes:
                indicator.save()
        if created or changes:
            audit_record(action="registries.indicator.define", actor=actor, organization=organization, obj=indicator,
                         summary=_("Indicator %(code)s defined") % {"code": code},
                         changes=changes or {"created": True})
    return indicator


def _indicator_refs() -> dict[str, IndicatorRef]:
    refs: dict[str, IndicatorRef] = {}
    for pk, code, name, name_en, unit in EconomicIndicator.objects.values_list("pk", "code", "name", "name_en",
                                                                              "unit"):
        ref = IndicatorRef(id=pk, code=code, unit=unit)
        refs.update({code: ref, code.upper(): ref, name: ref})
        if name_en:
            refs[name_en] = ref
    return refs


def _indicator_values_write(checked: list[tuple[int, dict]], *, source: str, actor_id, actor_label: str,
                            now: datetime.datetime) -> tuple[int, int]:
    """Write one batch in one transaction: new figures created, changed ones (value or status)
    updated with a ``RecordVersion`` each holding the figure as it was. Returns ``(written, unchanged)``."""
    keys = {(data["indicator"].id, data["division"], data["period"]) for _n, data in checked}
    with transaction.atomic():
        stored = {(row.indicator_id, row.division, row.period): row for row in IndicatorValue.objects.filter(
            indicator_id__in={key[0] for key in keys}, division__in={key[1] for key in keys},
            period__in={key[2] for key in keys}).select_for_update()}
        new, changed, versions, unchanged = [], [], [], 0
        for _number, data in checked:
            key = (data["indicator"].id, data["division"], data["period"])
            row = stored.get(key)
            if row is None:
                new.append(IndicatorValue(indicator_id=key[0], division=key[1], period=key[2],
                                          period_kind=data["period_kind"], value=data["value"],
                                          status=data["status"], source=data["source"] or source,
                                          created_at=now, updated_at=now))
                continue
            if row.value == data["value"] and row.status == data["status"]:
                unchanged += 1
                continue
            before = {"indicator": data["indicator"].code, "division": row.division, "period": row.period,
                      "value": str(row.value), "status": row.status, "source": row.source}
            changes = {field: [before[field], str(data[field])] for field in ("value", "status")
                       if before[field] != str(data[field])}
            row.value, row.status, row.source = data["value"], data["status"], data["source"] or source
            row.version, row.updated_at = row.version + 1, now
            changed.append(row)
            versions.append(RecordVersion(register=Register.ECONOMIC, key=str(row.pk), number=row.version,
                                          recorded_at=now, actor_id=actor_id, actor_label=actor_label,
                                          source=row.source, changes=changes, data=before))
        IndicatorValue.objects.bulk_create(new, batch_size=1000)
        IndicatorValue.objects.bulk_update(changed, ["value", "status", "source", "version", "updated_at"],
                                           batch_size=1000)
        RecordVersion.objects.bulk_create(versions, batch_size=1000)
    return len(new) + len(changed), unchanged


def indicator_values_import(*, actor, content: bytes, file_name: str, source: str = "", actor_label: str = "",
                            progress: Callable[[int], None] | None = None, batch_rows: int = BATCH_ROWS,
                            today: datetime.date | None = None) -> ImportBatch:
    """Import macro-economic figures (宏观经济数据) from a CSV or XLSX file, one figure a row.

    Columns (Chinese or English names): 指标代码 ``indicator`` (an indicator's code or name),
    行政区划代码 ``division``, 统计时期 ``period``, 数值 ``value``, and optionally 计量单位 ``unit``
    (converted to the indicator's: 万元 → 亿元), 数据状态 ``status`` (初步/最终; empty is 初步: a figure
    not said to be final is not final), 数据来源 ``source``. The reading and the rules for messy
    input are the registers' (``reading.rows_read``, ``validation``). A figure is keyed on
    (indicator, division, period): the same file again changes nothing; a revised value or status
    is a new version.

    Args and returns as ``register_import`` (``ImportBatch`` with register ``economic``; nothing is
    flagged for review in these files).

    Raises:
        PermissionDenied: the actor is not a data steward.
        ValidationFailed: the file as a whole cannot be read (``encoding``, ``format``, ``empty``,
            ``header``): nothing is imported.
    """
    organization = require_import(actor)
    header, rows = rows_read(content=content, file_name=file_name)
    fields = header_map(header, Register.ECONOMIC)
    today = today or timezone.localdate()
    divisions, indicators = Divisions.load(), _indicator_refs()
    source = (source or (organization.name if organization is not None else file_name))[:200]
    label = (actor_label if is_system(actor) else str(actor))[:200]
    batch = ImportBatch.objects.create(register=Register.ECONOMIC, file_name=file_name[:255], source=source,
                                       actor=None if is_system(actor) else actor, actor_label=label)
    counts = {"read": 0, "imported": 0, "unchanged": 0, "rejected": 0, "flagged": 0}
    rejected: list[dict] = []
    first_row: dict[tuple, int] = {}
    now = timezone.now()
    for chunk in _chunks(rows, batch_rows):
        checked: list[tuple[int, dict]] = []
        for number, cells in chunk:
            if not "".join(cells).strip():
                continue
            counts["read"] += 1
            values = {field: cells[index] for index, field in enumerate(fields) if field and index < len(cells)}
            try:
                data = indicator_row_check(values, indicators=indicators, divisions=divisions, today=today)
            except RowRejected as error:
                rejected.append({"row": number, "field": error.field, "rule": error.rule, "reason": error.reason})
                continue
            key = (data["indicator"].id, data["division"], data["period"])
            if key in first_row:
                rejected.append({"row": number, "field": "period", "rule": "duplicate_in_file",
                                 "reason": _("The same indicator, division and period are on row %(row)d.")
                                 % {"row": first_row[key]}})
                continue
            first_row[key] = number
            checked.append((number, data))
        written, unchanged = _indicator_values_write(checked, source=source, actor_id=getattr(actor, "pk", None),
                                                     actor_label=label, now=now)
        counts["imported"] += written
        counts["unchanged"] += unchanged
        if progress is not None:
            progress(counts["read"])
    counts["rejected"] = len(rejected)
    batch.counts, batch.rejected, batch.finished_at = counts, rejected, timezone.now()
    with transaction.atomic():
        batch.save(update_fields=["counts", "rejected", "finished_at"])
        audit_record(action="registries.economic.import", actor=actor, organization=organization, obj=batch,
                     actor_label=actor_label, summary=_("Register import of %(file)s") % {"file": file_name[:100]},
                     changes={"counts": counts})
    return batch


__all__ = ["Register", "indicator_define", "indicator_values_import", "register_import", "record_full_view"]
