"""Resource sources at run time: the adapter of a saved ``ResourceSource`` and the records it gives,
keyed by 信息项 field and converted (``adapters.row_map``).

Adapters are kept per process by source code and rebuilt when the row changes (``updated_at``), so a
node keeps its database pools and reflected tables between messages. The row itself is read again
at most every ``REFRESH_SECONDS``.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from egov.core.errors import NotFound, ValidationFailed
from egov.exchange.adapters import (
    Adapter,
    FileAdapter,
    HttpAdapter,
    Problem,
    SqlAdapter,
    plan_make,
    row_map,
    rows_convert,
    rows_convert_text,
)
from egov.exchange.models import ResourceSource
from egov.exchange.sources_secret import secret_open

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 5.0
ADAPTER_PREFIX = "adapter:"  # a node service's ``source = "adapter:<code>"`` names a ResourceSource
EXTRACT_MAX = 10_000  # rows in one page of an extract
EXTRACT_CSV_MAX = 50_000  # rows in one CSV page (~3.5 MB of six short items; no value in Python)


def adapter_build(*, kind: str, details: dict, resource: str, table: str = "", key_column: str,
                  change_column: str = "", columns=()) -> Adapter:
    """The adapter of a source of ``kind`` (``ResourceSource.Kind``) with the connection ``details``
    (``{"url"}`` for SQL, ``{"path"}`` for files, ``{"url", "headers"}`` for HTTP).

    Raises:
        ValidationFailed: a detail missing (``field = connection``) or an unknown kind.
    """
    try:
        if kind in (ResourceSource.Kind.POSTGRESQL, ResourceSource.Kind.MYSQL):
            if not table:
                raise ValidationFailed(_("Name the table or view."), extra={"field": "table", "rule": "required"})
            return SqlAdapter(resource=resource, url=str(details["url"]), table=table, key_column=key_column,
                              change_column=change_column, columns=columns)
        if kind in (ResourceSource.Kind.CSV, ResourceSource.Kind.XLSX):
            return FileAdapter(resource=resource, path=source_file(str(details["path"])), key_column=key_column)
        if kind == ResourceSource.Kind.HTTP:
            return HttpAdapter(resource=resource, url=str(details["url"]), key_column=key_column,
                               headers=details.get("headers") or {})
    except KeyError as missing:
        raise ValidationFailed(_("The connection details lack %(key)s.") % {"key": missing.args[0]},
                               extra={"field": "connection", "rule": "required", "key": missing.args[0]}) from None
    raise ValidationFailed(_("Unknown kind of source."), extra={"field": "kind", "rule": "choice"})


def source_file(path: str) -> Path:
    """``path`` (absolute, or relative to ``EGOV_SOURCE_FILES_DIR``) resolved, if it lies under that folder.

    Raises:
        ValidationFailed: elsewhere (``field = connection``, ``rule = outside_folder``): a source
            must not make the node read its own keys or any other file it can open.
    """
    folder = Path(settings.EGOV_SOURCE_FILES_DIR).resolve()
    resolved = (folder / path).resolve()
    if not resolved.is_relative_to(folder):
        raise ValidationFailed(_("Source files are read only from the folder %(folder)s.") % {"folder": folder},
                               extra={"field": "connection", "rule": "outside_folder"})
    return resolved


@dataclass
class Bound:
    """A source's adapter with its mapping: ``types`` is field → 指南 letter of the mapped items,
    ``order`` the mapped fields in catalog order."""

    code: str
    resource: str
    adapter: Adapter
    mapping: dict[str, str]
    types: dict[str, str]
    order: list[str]
    key_column: str
    stamp: float = 0.0
    checked: float = field(default=0.0)

    def wanted(self, fields) -> list[str]:
        """The mapped fields among ``fields`` (all mapped when None), in catalog order."""
        return list(self.order) if fields is None else [f for f in self.order if f in fields]

    def record(self, row: dict, fields=None) -> tuple[dict | None, Problem | None]:
        return row_map(row, mapping=self.mapping, types=self.types, key_column=self.key_column,
                       fields=self.wanted(fields))


_bound: dict[str, Bound] = {}
_lock = threading.Lock()


def bound_source(code: str) -> Bound:
    """The adapter and mapping of the source ``code``, kept per process.

    Raises:
        NotFound: no such source in this database (``extra = {"source": code}``).
    """
    now = time.monotonic()
    with _lock:
        bound = _bound.get(code)
    if bound is not None and now - bound.checked < REFRESH_SECONDS:
        return bound
    row = ResourceSource.objects.select_related("resource").filter(code=code).first()
    if row is None:
        raise NotFound(_("This node has no such record source."), extra={"source": f"adapter:{code}"})
    stamp = row.updated_at.timestamp()
    if bound is None or bound.stamp != stamp:
        items = list(row.resource.items.filter(field__in=list(row.mapping)).values_list("field", "data_type"))
        types = dict(items)
        adapter = adapter_build(kind=row.kind, details=secret_open(row.connection), resource=row.resource.code,
                                table=row.table, key_column=row.key_column, change_column=row.change_column,
                                columns=[*row.mapping.values(), row.key_column])
        bound = Bound(code=code, resource=row.resource.code, adapter=adapter,
                      mapping={f: c for f, c in row.mapping.items() if f in types}, types=types,
                      order=[f for f, _t in items], key_column=row.key_column, stamp=stamp)
    bound.checked = now
    with _lock:
        _bound[code] = bound
    return bound


def source_lookup(code: str, value: str, *, fields=None) -> tuple[dict | None, list[Problem]]:
    """The record whose key is ``value`` from source ``code``, with the mapped 信息项 among
    ``fields`` (all when None): ``(record or None, problems)``; a malformed row gives
    ``(None, [problem])``.

    Raises:
        NotFound: no such source. SourceUnavailable: the source cannot be reached (503).
    """
    bound = bound_source(code)
    row = bound.adapter.lookup(value)
    if row is None:
        return None, []
    record, problem = bound.record(row, fields)
    return record, [problem] if problem else []


def _page_read(bound: Bound, wanted: list[str], after: str | None,
               limit: int) -> tuple[list[list], str | None, list[Problem]]:
    text = getattr(bound.adapter, "extract_text", None)
    if text is not None:
        rows, converters, key_at, cursor = text(after, limit, [(bound.mapping[f], bound.types[f]) for f in wanted])
        good, problems = rows_convert_text(rows, converters, wanted, [bound.types[f] for f in wanted],
                                           key_at=key_at)
        return good, cursor, problems
    tuples = getattr(bound.adapter, "extract_rows", None)
    if tuples is not None:
        names, rows, cursor = tuples(after, limit)
        plan = plan_make(mapping=bound.mapping, types=bound.types, fields=wanted, columns=names)
        key_at = names.index(bound.key_column)
    else:
        rows, cursor = bound.adapter.extract(after, limit)
        plan = plan_make(mapping=bound.mapping, types=bound.types, fields=wanted)
        key_at = bound.key_column
    good, problems = rows_convert(rows, plan, key_at=key_at)
    return good, cursor, problems


class ReadAhead:
    """The next page of an extract, read while the current one travels (SQL sources): when a page
    has a next cursor, the page after it — same source, same granted items, same size — is read and
    converted in a background thread, and handed to the request for that cursor if it comes within
    ``ttl`` seconds; otherwise it is dropped. At most ``size`` pages are kept per process. The
    grant is still checked on every request before its page is looked up (the key holds the granted
    items), so a page read ahead never reaches a consumer that may not have it; its rows are at
    most ``ttl`` seconds older than the request (an extract is not a snapshot anyway)."""

    def __init__(self, *, size: int = 4, ttl: float = 30.0):
        from concurrent.futures import ThreadPoolExecutor

        self.size, self.ttl = size, ttl
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="extract-ahead")
        self._pages: dict[tuple, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def take(self, key: tuple):
        """The future of the page ``key`` read ahead, or None."""
        now = time.monotonic()
        with self._lock:
            for stale in [k for k, (at, _f) in self._pages.items() if now - at > self.ttl]:
                self._pages.pop(stale)[1].cancel()
            entry = self._pages.pop(key, None)
        return None if entry is None else entry[1]

    def start(self, key: tuple, read) -> None:
        """Read page ``key`` with ``read()`` in the background (unless it is being read already)."""
        with self._lock:
            if key in self._pages:
                return
            while len(self._pages) >= self.size:
                self._pages.pop(next(iter(self._pages)))[1].cancel()
            self._pages[key] = (time.monotonic(), self._pool.submit(read))


_ahead = ReadAhead()


def source_extract(code: str, *, after: str | None, limit: int,
                   fields=None) -> tuple[list[str], list[list], str | None, list[Problem]]:
    """A page of source ``code``: at most ``limit`` (≤ ``EXTRACT_MAX``) rows in key order after the
    cursor ``after``, with the mapped 信息项 among ``fields`` (all when None). A SQL source's next
    page is read ahead (``ReadAhead``).

    Returns:
        ``(fields, rows, next cursor or None, problems)``: each row a list of values in the order of
        ``fields`` (catalog order); malformed rows are reported, not served, and do not stop the page.

    Raises:
        NotFound, SourceUnavailable: as ``source_lookup``.
    """
    bound = bound_source(code)
    wanted = bound.wanted(fields)
    limit = max(1, min(int(limit), EXTRACT_MAX))
    key = (code, bound.stamp, tuple(wanted), limit)
    future = _ahead.take((*key, after))
    if future is not None:
        try:
            good, cursor, problems = future.result()
        except Exception:  # noqa: BLE001 (the source failed in the background: read it now, raising here)
            good, cursor, problems = _page_read(bound, wanted, after, limit)
    else:
        good, cursor, problems = _page_read(bound, wanted, after, limit)
    if cursor is not None and hasattr(bound.adapter, "extract_rows"):
        _ahead.start((*key, cursor), lambda: _page_read(bound, wanted, cursor, limit))
    return wanted, good, cursor, problems


CSV_TYPE = "text/csv; charset=utf-8; header=present"  # RFC 4180 / RFC 7111 media type of a CSV page


def source_extract_csv(code: str, *, after: str | None, limit: int,
                       fields=None) -> tuple[list[str], bytes, int, str | None] | None:
    """A page of source ``code`` as CSV written by the database (``SqlAdapter.extract_csv``: the
    format, ``_row`` and ``_problem``), with the mapped 信息项 among ``fields`` in catalog order, at
    most ``limit`` ≤ ``EXTRACT_CSV_MAX`` rows (the JSON page's cap is ``EXTRACT_MAX``). The next
    page is read ahead, as ``source_extract`` does.

    Returns:
        ``(fields, body, lines, next cursor or None)``, or None when the source cannot write this
        page as CSV (not PostgreSQL, or an item only Python converts): serve the JSON page then.

    Raises:
        NotFound, SourceUnavailable: as ``source_lookup``.
    """
    bound = bound_source(code)
    csv_page = getattr(bound.adapter, "extract_csv", None)
    if csv_page is None:
        return None
    wanted = bound.wanted(fields)
    limit = max(1, min(int(limit), EXTRACT_CSV_MAX))
    plan = [(f, bound.mapping[f], bound.types[f]) for f in wanted]
    key = ("csv", code, bound.stamp, tuple(wanted), limit)
    future = _ahead.take((*key, after))
    page = None
    if future is not None:
        try:
            page = future.result()
        except Exception:  # noqa: BLE001 (the source failed in the background: read it now, raising here)
            page = None
    if page is None:
        page = csv_page(after, limit, plan)
    if page is None:
        return None
    body, lines, cursor = page
    if cursor is not None:
        _ahead.start((*key, cursor), lambda: csv_page(cursor, limit, plan))
    return wanted, body, lines, cursor


def source_forget() -> None:
    """Drop every kept adapter (tests; a source's row is otherwise checked every few seconds)."""
    with _lock:
        _bound.clear()


class SourceChanges:
    """The change source of a resource source with a change column, for a node's pollers
    (``[pollers.<name>] source = "adapter:<code>"``; ``actions.subscriptions.ChangeSource``).

    Each row the adapter finds after the cursor (``SqlAdapter.changes_since``: by the change column,
    then the key) becomes ``{"op": "changed", "key": the key column's value, "row": the record of its
    mapped 信息项}``: a change column cannot tell an added row from a changed one, and the receiver
    keeps the latest record per key either way; a removed row is not seen. A malformed row is
    logged (key, item and reason, never the value) and left out; the cursor moves past it.
    """

    def __init__(self, code: str, *, limit: int = 1000):
        self.code = code
        self.limit = limit

    def changes_since(self, cursor: str | None) -> tuple[list[dict], str | None]:
        """``(changes, next cursor)`` after ``cursor`` (None: from the first row), at most ``limit``.

        Raises:
            NotFound: no such source. ValidationFailed: it has no change column (``no_change_column``).
            SourceUnavailable: the source cannot be reached.
        """
        bound = bound_source(self.code)
        rows, following = bound.adapter.changes_since(cursor, self.limit)
        changes = []
        for row in rows:
            record, problem = bound.record(row)
            if record is None:
                logger.warning("change source %s: row %s left out (%s: %s)", self.code, problem.row, problem.item,
                               problem.reason)
                continue
            changes.append({"op": "changed", "key": str(row[bound.key_column]), "row": record})
        return changes, following
