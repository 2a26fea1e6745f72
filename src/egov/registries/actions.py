"""Writes of the base registers: file imports (every change a version) and audited full views.

An import reads every row, checks it (``validation``), and writes the valid rows by batches of
``batch_rows``: each batch in one transaction (a batch never goes in half), new rows by PostgreSQL
``COPY`` (psycopg's ``cursor.copy``) or ``bulk_create`` on SQLite, changed rows by ``bulk_update``,
each with its ``RecordVersion``. A row equal to the stored one is counted ``unchanged`` and writes
nothing, so the same file twice changes nothing. A first load into an empty register (PostgreSQL)
is one transaction instead, its indexes built at its end (``_first_load``), and a population CSV
file is checked there by blocks of lines (``bulk``, ``_bulk_load``).
"""

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from itertools import count, islice, starmap
from operator import itemgetter
from typing import NamedTuple

import numpy as np
from django.db import connection, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.copy import QueuedLibpqWriter

from egov.audit.actions import audit_record, audit_subject_read
from egov.core.actors import is_system
from egov.core.errors import ValidationFailed
from egov.facilities.tabular import csv_body, rows_read
from egov.registries import bulk
from egov.registries.models import EconomicIndicator, ImportBatch, IndicatorValue, RecordVersion, Register
from egov.registries.permissions import full_view_role, require_full_view, require_import
from egov.registries.selectors import DATA_FIELDS, KEY_FIELDS, MODELS, match_rule
from egov.registries.validation import (
    REVIEW_REASONS,
    ROW_CHECKS,
    Divisions,
    IndicatorRef,
    PopulationFastCheck,
    RowRejected,
    header_map,
    indicator_row_check,
)

BATCH_ROWS = 50_000


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


def _fast_data(fast: tuple) -> dict:
    """A row of ``PopulationFastCheck`` as the dict ``population_row_check`` gives."""
    return dict(zip(_FAST_FIELDS, itemgetter(0, 1, 2, 3, 5, 6, 7, 8)(fast), strict=True))


_FAST_FIELDS = DATA_FIELDS[Register.POPULATION]


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

    def write(self, new: list[tuple[dict | None, tuple | None, str]], changed: list[tuple[dict, dict, str]],
              meanwhile: Callable[[], object] = lambda: None, fast: Sequence[tuple] = ()):
        """Write one batch in one transaction and return what ``meanwhile()`` returned.

        ``new``: ``(data, fast, review)``, ``data`` the row as a dict, or None and ``fast`` the tuple
        of ``PopulationFastCheck``; ``fast``: more new rows, tuples of ``PopulationFastCheck`` with
        nothing to flag. ``meanwhile`` (the check of the next batch) runs while PostgreSQL
        takes this batch's ``COPY``: the lines are queued to a writer thread (psycopg's
        ``QueuedLibpqWriter``) and sent while we work, so that on two cores the server and we overlap.
        If the write fails, the batch rolls back and the error propagates."""
        with transaction.atomic():
            if (new or fast) and connection.vendor == "postgresql":
                after = self._copy_new(new, fast, meanwhile)
            else:
                new = [*new, *((None, row, "") for row in fast)]
                if new:
                    self.model.objects.bulk_create(
                        [self.model(**(data if data is not None else _fast_data(fast)), review_reason=review,
                                    **self.created) for data, fast, review in new], batch_size=500)
                after = meanwhile()
            if changed:
                self._update(changed)
        return after

    def _lines(self, new: list[tuple[dict | None, tuple | None, str]]) -> list[str]:
        """The COPY text lines of new rows (without the import's constant suffix)."""
        values, tabs, lines = itemgetter(*self.fields), len(self.fields), []
        for data, fast, review in new:
            if fast is not None:  # id, name, sex, birth date, its ISO text, ethnicity, division, address, status
                line = "\t".join((*fast[:3], *fast[4:], review))
            else:
                line = "\t".join([*(value if value.__class__ is str else _copy_text(value)
                                    for value in values(data)), review])
            if line.count("\t") != tabs or "\\" in line or "\n" in line or "\r" in line:
                line = "\t".join(_copy_field(value) for value in (*values(data or _fast_data(fast)), review))
            lines.append(line)
        return lines

    def copy_statement(self) -> tuple[str, str]:
        """``(COPY statement, suffix)``: the statement that copies new rows into the register's table,
        its columns the register's data, ``review_reason`` and the columns that are the same for the
        whole import, and the text that ends each line after its review reason (those constant
        columns, the line break). The creation and update times are left to the columns' database
        default (now(): the transaction's start); parsing two time stamps per row was a fifth of the
        COPY's cost."""
        created = {column: value for column, value in self.created.items()
                   if column not in ("created_at", "updated_at")}
        columns = [*self.fields, "review_reason", *created]
        suffix = "\t" + "\t".join(_copy_field(value) for value in created.values()) + "\n"
        return f"COPY {self.model._meta.db_table} ({', '.join(columns)}) FROM STDIN", suffix

    def _copy_new(self, new: list[tuple[dict | None, tuple | None, str]], fast: Sequence[tuple],
                  meanwhile: Callable[[], object]):
        """New rows on PostgreSQL: one ``COPY`` (text format) straight into the register's table;
        returns ``meanwhile()``, run while the server takes the rows.

        The rows were found absent by ``_stored_rows`` in this transaction; the identifier's unique
        index still refuses a row that another import added meanwhile, and then the whole batch rolls
        back. Lines are formatted here rather than by ``write_row``: the columns that are the same
        for the whole import (source, creation time and actor) are one suffix made once, where psycopg
        would adapt two time-zone-aware datetimes per row (measured: 4× the cost of the data)."""
        statement, suffix = self.copy_statement()
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
                # By slices of 10,000 rows: the server takes one while the next is formatted.
                for start in range(0, len(new), 10_000):
                    copy.write(suffix.join(self._lines(new[start:start + 10_000])) + suffix)
                # Fast rows: no review reason (an empty field before the suffix); a slice whose text
                # holds no more tabs, line breaks and backslashes than its lines' separators and
                # suffixes needs no escaping (names and addresses are the only free text), one line
                # at a time otherwise.
                fast_suffix, cells = "\t" + suffix, itemgetter(0, 1, 2, 4, 5, 6, 7, 8)
                counted = [(char, fast_suffix.count(char)) for char in ("\t", "\n", "\\", "\r")]
                for start in range(0, len(fast), 10_000):
                    rows = fast[start:start + 10_000]
                    text = fast_suffix.join(map("\t".join, map(cells, rows))) + fast_suffix
                    if any(text.count(char) != (each + (char == "\t") * 7) * len(rows) for char, each in counted):
                        text = suffix.join(self._lines([(None, row, "") for row in rows])) + suffix
                    copy.write(text)
                return meanwhile()

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


# The class of the registers' import locks (PostgreSQL advisory locks, with the register's number).
_IMPORT_LOCK_CLASS = 0x72656769  # "regi"
_IMPORT_LOCK_IDS = {Register.POPULATION: 1, Register.LEGAL_ENTITY: 2}


@contextmanager
def _one_import_at_a_time(register: str) -> Iterator[None]:
    """Let one import of ``register`` run at a time (imports are the only writers of population rows;
    ``legal_entity_enter`` adds one legal entity at a time beside them).

    On PostgreSQL a session-level advisory lock, held across the import's transactions; elsewhere
    (SQLite, one writer at a time, small files) no lock.
    """
    if connection.vendor != "postgresql":
        yield
        return
    key = [_IMPORT_LOCK_CLASS, _IMPORT_LOCK_IDS[register]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


@contextmanager
def _first_load(register: str) -> Iterator[bool]:
    """Say whether ``register`` is empty as the import begins, and when it is, make the import a first
    load: one transaction that takes the table for itself, copies the rows in without the
    identifier's unique index (nor the primary key's, when no foreign key needs it) and builds the
    indexes again at the end.

    Into an empty register no row of the file can be stored already (a repeat within the file is
    caught as ``duplicate_in_file`` before anything is written), so nothing is looked up; and one
    sort of every identifier at the end costs the server less than inserting them one by one into
    the index as the rows come (measured for 1,000,000 rows: 2.1 s of server CPU for the ``COPY`` and
    0.96 s for the index, against 3.9–4.35 s for the ``COPY`` into the indexed table; bench/README.md).
    A failure anywhere — a check, the connection, the index finding a repeat — rolls the whole load
    back, index included: the register is empty again and its unique index is there. Meanwhile the
    table is locked (``ACCESS EXCLUSIVE``): a reader waits for the load to end instead of seeing a
    register half loaded.

    PostgreSQL only; elsewhere (and for a register that holds rows) always False, and the import
    goes by batches, each one transaction.
    """
    model = MODELS[register]
    if connection.vendor != "postgresql" or model.objects.exists():
        yield False
        return
    key = KEY_FIELDS[register]
    unique = next(constraint for constraint in model._meta.constraints
                  if isinstance(constraint, UniqueConstraint) and tuple(constraint.fields) == (key,))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {model._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        if not model.objects.exists():  # still (``legal_entity_enter`` takes no import lock)
            table = model._meta.db_table
            with connection.cursor() as cursor:
                # The primary key's index goes too, unless a foreign key needs it (none does now).
                cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p' "
                               "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = %s::regclass)",
                               [table, table])
                primary = cursor.fetchone()
                if primary is not None:
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{primary[0]}"')
            with connection.schema_editor(atomic=False) as editor:
                editor.remove_constraint(model, unique)
            yield True
            if primary is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{primary[0]}" PRIMARY KEY '
                                   f"({model._meta.pk.column})")
            with connection.schema_editor(atomic=False) as editor:
                editor.add_constraint(model, unique)
            return
    yield False


def _bulk_load(body, *, columns: int, writer: "_Writer", tables: bulk.Tables, row_checked: Callable,
               counts: dict, rejected: list, flagged: list, batch_rows: int,
               progress: Callable[[int], None] | None) -> None:
    """A first load of a population CSV file in UTF-8 whose columns are those of ``bulk.COLUMNS``:
    its lines checked by blocks (``bulk.Scan``), the clean ones copied as the block's rewritten bytes,
    the others checked row by row (``row_checked``: the fast check, then the full one) and copied as
    lines; one ``COPY`` for the whole file, fed from a thread (psycopg's ``QueuedLibpqWriter``) while
    the next block is checked. Runs inside ``_first_load``'s transaction.

    ``row_checked(number, cells)`` gives None for a blank line, a dict for a rejected row (the
    report's entry), or ``(number, key, data, fast, review)``; repeats of an identifier (within the
    file, whichever way each row was checked) are rejected here, the first row with it kept."""
    statement, suffix = writer.copy_statement()
    line_end = ("\t" + suffix).encode()  # an empty review reason, then the import's constant columns
    key_field = KEY_FIELDS[Register.POPULATION]
    seen = bulk.Seen()
    number = 2  # the header is row 1
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
            for block, ends in bulk.blocks(body, first=min(batch_rows, 5_000), rows=batch_rows):
                scan = bulk.Scan(block, columns=columns, tables=tables, ends=ends)
                clean = np.flatnonzero(scan.clean)
                kept, refused = [], []
                for index in np.flatnonzero(~scan.clean).tolist():
                    text = bytes(block[scan.starts[index]:scan.ends[index]]).decode("utf-8")
                    result = row_checked(number + index, text.split(",") if text else [])
                    if result is None:
                        continue  # a blank line
                    counts["read"] += 1
                    (refused if isinstance(result, dict) else kept).append(result)
                counts["read"] += len(clean)
                repeated = seen.take(
                    np.concatenate([scan.keys[clean], np.array([bulk.resident_key(row[1]) for row in kept],
                                                               dtype=np.int64)]),
                    np.concatenate([clean + number, np.array([row[0] for row in kept], dtype=np.int64)]))
                keep = np.zeros(len(scan.clean), dtype=bool)
                keep[clean[repeated[:len(clean)] == 0]] = True
                refused.extend({"row": row, "field": key_field, "rule": "duplicate_in_file",
                                "reason": _("The same identifier is on row %(row)d.") % {"row": earlier}}
                               for row, earlier in zip((clean + number).tolist() + [row[0] for row in kept],
                                                       repeated.tolist(), strict=True) if earlier)
                rejected.extend(sorted(refused, key=itemgetter("row")))
                new = []
                for (row_number, _key, data, fast, review), earlier in zip(kept, repeated[len(clean):].tolist(),
                                                                          strict=True):
                    if earlier:
                        continue
                    if review:
                        flagged.append({"row": row_number, "field": key_field, "rule": review,
                                        "reason": str(REVIEW_REASONS.get(review, review))})
                    new.append((data, fast, review))
                copy.write(scan.copy_text(keep, line_end))
                if new:
                    copy.write(suffix.join(writer._lines(new)) + suffix)
                counts["imported"] += int(keep.sum()) + len(new)
                number += len(ends)
                if progress is not None:
                    progress(counts["read"])


def _fast_cells(register: str, fields: list[str | None], *, divisions: Divisions, today: datetime.date):
    """``(check, cells, pad)`` for the rows of a population file: ``cells`` picks from a row the
    cells ``PopulationFastCheck`` takes (a column the file lacks is a last cell ``""`` added to the
    row when ``pad``; columns missing at the end are left to the check's defaults), None when the
    file's columns are those cells in that order; None for other registers."""
    if register != Register.POPULATION:
        return None
    positions = [fields.index(field) if field in fields else -1 for field in PopulationFastCheck.FIELDS]
    while positions[-1] == -1:
        positions.pop()
    if positions == list(range(len(fields))):  # the columns in the check's order, nothing else: no picking
        return PopulationFastCheck(divisions=divisions, today=today), None, False
    return PopulationFastCheck(divisions=divisions, today=today), itemgetter(*positions), -1 in positions


def _chunks(rows: Iterable[Sequence[str]], size: int) -> Iterable[tuple[int, list[Sequence[str]]]]:
    """``(number of the first row, rows)`` by ``size`` rows, the first chunk smaller (at most 5,000
    rows: it is checked before anything can be written, so the server waits for it); the header is
    row 1."""
    number, first = 2, min(size, 5_000)
    while chunk := list(islice(rows, first if number == 2 else size)):
        yield number, chunk
        number += len(chunk)


class _Checked(NamedTuple):
    """A checked chunk: ``rows`` kept, each ``(row number, key, data, fast, review)``, and ``fast``:
    rows of ``PopulationFastCheck`` (nothing to flag, no identifier repeated), the first of them row
    number ``fast_first`` and the others following it."""

    rows: list[tuple]
    fast_first: int = 0
    fast: Sequence[tuple] = ()


def _batches_write(checked_chunk: Callable, chunks: Iterator, *, register: str, empty: bool, writer: _Writer,
                   rule, counts: dict, flagged: list, progress: Callable[[int], None] | None) -> None:
    """Match each checked chunk against the register and write it as one batch, checking the next
    chunk while PostgreSQL takes this one (``_Writer.write``'s ``meanwhile``). ``empty``: the
    register held no row when the import began (``_one_import_at_a_time``), so nothing is looked up."""
    key_field, data_fields = KEY_FIELDS[register], DATA_FIELDS[register]
    chunk = checked_chunk(next(chunks, None))
    while chunk is not None:
        checked, fast = chunk.rows, chunk.fast
        if fast and not empty:  # stored rows to look up: the fast rows as the others
            checked = [*checked, *((number, row[0], None, row, "")
                                   for number, row in enumerate(fast, chunk.fast_first))]
            fast = ()
        stored = {} if empty else _stored_rows(register, [key for _n, key, _d, _f, _r in checked])
        new, changed = [], []
        for number, key, data, row, review in checked:
            old = stored.get(key)
            if old is None:
                if review:
                    flagged.append({"row": number, "field": key_field, "rule": review,
                                    "reason": str(REVIEW_REASONS.get(review, review))})
                new.append((data, row, review))
                continue
            data = data if data is not None else _fast_data(row)
            if all(old[field] == data[field] for field in data_fields):
                counts["unchanged"] += 1
                continue
            differs = [field for field in rule.confirm if old[field] != data[field]]
            if differs and not review:
                review = "match_confirm_differs"
            if review:
                flagged.append({"row": number, "field": key_field, "rule": review,
                                "reason": str(REVIEW_REASONS.get(review, review))})
            changed.append((old, data, review))
        chunk = writer.write(new, changed, fast=fast, meanwhile=lambda: checked_chunk(next(chunks, None)))
        counts["imported"] += len(new) + len(changed) + len(fast)
        if progress is not None:
            progress(counts["read"])


def register_import(*, actor, register: str, content: bytes, file_name: str, source: str = "",
                    actor_label: str = "", progress: Callable[[int], None] | None = None,
                    batch_rows: int = BATCH_ROWS, today: datetime.date | None = None) -> ImportBatch:
    """Import a CSV or XLSX export into ``register`` (``"population"`` or ``"legal_entity"``).

    Args:
        actor: the staff user (a data steward) or ``SYSTEM`` (a command; then ``actor_label`` names it).
        content, file_name: the file's bytes and name (``.xlsx`` or CSV in UTF-8 or GB 18030).
        source: where the rows come from (the providing organization); default: the importer's
            organization, or the file name.
        progress: called with the number of rows read so far after each batch (during a first load
            the connection is in the middle of a ``COPY``: the callback must not query the database).
        batch_rows: rows per batch (each batch is one transaction, except in a first load into an empty
            register on PostgreSQL, which is one transaction as a whole: ``_first_load``).
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
    # A population CSV file in UTF-8 with the plain columns may be checked by blocks of lines
    # (``bulk``) if the register turns out to be empty; it is read by ``rows_read`` only otherwise.
    lines = csv_body(content=content, file_name=file_name) if register == Register.POPULATION else None
    if lines is not None and any(cell.strip() for cell in lines[0]) and connection.vendor == "postgresql":
        header, rows = lines[0], None
    else:
        lines, (header, rows) = None, rows_read(content=content, file_name=file_name)
    fields = header_map(header, register)
    columns = len(fields) if lines is not None and tuple(fields) in bulk.COLUMNS else 0
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
    fast = _fast_cells(register, fields, divisions=divisions, today=today)
    width = len(header)

    def checked_chunk(chunk: tuple[int, list[Sequence[str]]] | None) -> _Checked | None:
        """Check a chunk of rows: ``(row number, key, data, fast, review)`` of each row kept, the
        rejected ones added to ``rejected``. Rows a clean export writes go through the fast check,
        the rest (and all legal-entity rows) through the full one. A chunk whose rows all pass the
        fast check, none repeating an identifier, is kept whole as ``_Checked.fast`` (no per-row
        tuple). None after the last chunk."""
        if chunk is None:
            return None
        checked = []
        keep = checked.append
        fast_check, pick, pad = fast if fast is not None else (None, None, False)
        fast_rows = 0
        results = None
        if fast_check is not None and not pad and set(map(len, chunk[1])) == {width}:
            # The whole chunk through the fast check in one C-level loop (``starmap``).
            results = list(starmap(fast_check, chunk[1] if pick is None else map(pick, chunk[1])))
            if None not in results:
                keys = list(map(itemgetter(0), results))
                if first_row.keys().isdisjoint(keys):
                    known = len(first_row)
                    first_row.update(zip(keys, count(chunk[0])))
                    if len(first_row) == known + len(keys):
                        counts["read"] += len(results)
                        return _Checked(rows=[], fast_first=chunk[0], fast=results)
                    for key in keys:  # an identifier repeated inside the chunk: row by row below
                        first_row.pop(key, None)
        for index, (number, cells) in enumerate(enumerate(chunk[1], chunk[0])):
            if fast_check is not None and len(cells) == width:
                row = results[index] if results is not None else \
                    fast_check(*(cells if pick is None else pick((*cells, "") if pad else cells)))
                if row is not None:
                    key = row[0]
                    if key not in first_row:
                        first_row[key] = number
                        keep((number, key, None, row, ""))
                        fast_rows += 1
                        continue
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
            checked.append((number, key, data, None, review))
        counts["read"] += fast_rows
        return _Checked(rows=checked)

    def row_checked(number: int, cells: Sequence[str]) -> tuple | dict | None:
        """One row of a first load that ``bulk.Scan`` left: None for a blank line, the report's entry
        for a rejected row, else ``(number, key, data, fast, review)`` (a repeated identifier is
        ``_bulk_load``'s to find)."""
        if len(cells) == width:
            row = fast[0](*cells)  # the columns are the fast check's cells, in its order
            if row is not None:
                return number, row[0], None, row, ""
        if not "".join(cells).strip():
            return None
        values = {field: cells[index] for index, field in enumerate(fields) if field and index < len(cells)}
        try:
            data, review = check(values, divisions=divisions, today=today)
        except RowRejected as error:
            return {"row": number, "field": error.field, "rule": error.rule, "reason": error.reason}
        return number, data[key_field], data, None, review

    with _one_import_at_a_time(register), _first_load(register) as empty:
        if empty and columns and fast is not None:  # (no fast check: every row by the full one)
            _bulk_load(lines[1], columns=columns, writer=writer, row_checked=row_checked, counts=counts,
                       tables=bulk.Tables.build(divisions=divisions, today=today), rejected=rejected,
                       flagged=flagged, batch_rows=batch_rows, progress=progress)
        else:
            if rows is None:
                rows = rows_read(content=content, file_name=file_name)[1]
            _batches_write(checked_chunk, _chunks(rows, batch_rows), register=register, empty=empty, writer=writer,
                           rule=rule, counts=counts, flagged=flagged, progress=progress)
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
    event = audit_record(action=f"registries.{register}.read", actor=actor, organization=organization, obj=record,
                         summary=_("Full register values shown"), changes={"role": role} if role else None)
    natural = register == Register.POPULATION
    audit_subject_read(subject=record.id_number if natural else record.uscc,
                       subject_kind="natural" if natural else "legal", organization=organization,
                       action=f"registries.{register}.read", via="platform", event=event,
                       resource_name="人口基础信息库" if natural else "法人单位基础信息库",
                       resource_name_en="Population register" if natural else "Legal-entity register")
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
    input are the registers' (``facilities.tabular.rows_read``, ``validation``). A figure is keyed on
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
    for start, chunk in _chunks(rows, batch_rows):
        checked: list[tuple[int, dict]] = []
        for number, cells in enumerate(chunk, start):
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
