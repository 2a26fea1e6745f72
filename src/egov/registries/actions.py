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
from egov.registries.models import ImportBatch, RecordVersion, Register
from egov.registries.permissions import require_full_view, require_import
from egov.registries.reading import rows_read
from egov.registries.selectors import DATA_FIELDS, KEY_FIELDS, MODELS, match_rule
from egov.registries.validation import REVIEW_REASONS, ROW_CHECKS, Divisions, RowRejected, header_map

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
    audit_record(action=f"registries.{register}.read", actor=actor, organization=organization, obj=record,
                 summary=_("Full register values shown"))
    return record


def legal_entity_enter(*, actor, cells: dict, source: str, actor_label: str = "",
                       today: datetime.date | None = None):
    """Enter one legal entity into the 法人单位基础信息库 from a registration decided elsewhere (a
    设立登记 approved by the service hall: the new company, with the code it was assigned), checked by
    the same rules as an imported row (``validation.entity_row_check``: GB 32100-2015 code, name,
    capital, dates, status).

    Args:
        actor: ``SYSTEM`` (with ``actor_label`` naming the decision) or a data steward.
        cells: the row as text, by field name (``uscc``, ``name``, ``entity_type``,
            ``legal_representative``, ``registered_capital`` in 万 of CNY or as ``500万元``,
            ``established_on``, ``address``, ``business_scope``, ``status``; missing ones empty).
        source: where the row comes from, e.g. ``营业执照 JX-2026-000001`` (kept on the row and its version).
        today: the date the establishment date may not pass (default: today).

    Returns:
        The ``LegalEntityRecord``. A row with this code already there and equal is returned as it is
        (the same decision entered twice changes nothing); one that differs becomes a new version.

    Raises:
        PermissionDenied: the actor is not a data steward.
        ValidationFailed: a cell breaks a rule (``extra={"field", "rule"}`` as the import's report).
    """
    organization = require_import(actor)
    register = Register.LEGAL_ENTITY
    try:
        data, review = ROW_CHECKS[register]({k: "" if v is None else str(v) for k, v in cells.items()},
                                            divisions=Divisions.load(), today=today or timezone.localdate())
    except RowRejected as error:
        raise ValidationFailed(error.reason, extra={"field": error.field, "rule": error.rule}) from None
    label = (actor_label if is_system(actor) else str(actor))[:200]
    writer = _Writer(register=register, actor=actor, actor_label=label, source=source[:200], now=timezone.now())
    model, key = MODELS[register], data[KEY_FIELDS[register]]
    with transaction.atomic():
        stored = _stored_rows(register, [key]).get(key)
        if stored is not None and all(stored[field] == data[field] for field in DATA_FIELDS[register]):
            return model.objects.get(pk=stored["id"])
        if stored is None:
            model.objects.bulk_create([model(**data, review_reason=review, **writer.created)])
        else:
            writer._update([(stored, data, review)])
        record = model.objects.get(**{KEY_FIELDS[register]: key})
        audit_record(action=f"registries.{register}.enter", actor=actor, organization=organization, obj=record,
                     actor_label=actor_label, summary=_("Entered into the register from %(source)s")
                     % {"source": source[:100]},
                     changes={"source": source, "version": record.version,
                              "data": {field: _json_value(data[field]) for field in DATA_FIELDS[register]}})
    return record


__all__ = ["Register", "register_import", "record_full_view", "legal_entity_enter"]
