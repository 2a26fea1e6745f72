"""Adapters (异源适配): where a provider's records live when they are not in the platform — a
PostgreSQL table or view, a MySQL/MariaDB table, a CSV or XLSX file, an HTTP JSON API.

One small interface (``Adapter``): ``columns()`` (name and kind of each source column),
``lookup(value)`` (the row whose key column equals ``value``), ``extract(after, limit)`` (rows in
key order after the cursor ``after``, a page at a time), ``preview(n)`` (the first ``n`` rows) and,
for the SQL adapters, ``changes_since(cursor, limit)`` (rows whose change column moved past the
cursor; subscriptions, issue 20 item 2). Rows are dicts keyed by source column with the values the
source gives (Python values from SQL, strings from files and JSON values from HTTP).

SQLAlchemy Core is used here and nowhere else in egov: one engine (with its pool) per source and
process, tables reflected once. A source that cannot be reached raises ``SourceUnavailable``
(HTTP 503) naming the resource — never the driver's message, which may carry the address or user.

``mapping_check`` decides whether a mapping of 信息项 to columns may be saved; ``row_map`` turns a
source row into a record keyed by 信息项 field, each value converted to the text form the exchange
carries for its 指南 data type (``discovery._SCHEMA``: integers and decimals as digits, dates
ISO 8601, logical ``true``/``false``), or names the cell that cannot be.
"""

import base64
import datetime as dt
import decimal
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed
from egov.exchange.errors import ExchangeUnavailable

# Kinds of source column, as adapters report them. "text" is a column whose cells are text and
# whose type is only known row by row (files, JSON): any item type may map to it, rows are checked.
KINDS = ("string", "integer", "decimal", "float", "date", "datetime", "boolean", "binary", "text")

# 指南 data type -> the column kinds it may be read from (besides "text").
ACCEPTS: dict[str, frozenset[str]] = {
    "C": frozenset({"string", "integer", "decimal", "date", "datetime", "boolean"}),
    "M": frozenset({"string"}),
    "N": frozenset({"integer", "decimal"}),
    "Y": frozenset({"integer", "decimal"}),
    "I": frozenset({"integer"}),
    "B": frozenset({"integer", "decimal", "float"}),
    "F": frozenset({"integer", "decimal", "float"}),
    "D": frozenset({"date", "datetime"}),
    "T": frozenset({"datetime"}),
    "L": frozenset({"boolean", "integer"}),  # MySQL's BOOLEAN is TINYINT(1)
    "G": frozenset({"binary", "string"}),
}


class SourceUnavailable(ExchangeUnavailable):
    """The resource's source cannot be reached or read now (HTTP 503).
    ``extra = {"rule": "source_unavailable", "resource": code}``."""


def unavailable(resource: str) -> SourceUnavailable:
    """The 503 for ``resource`` (its code)."""
    return SourceUnavailable(_("The source of resource %(code)s cannot be reached now; try again later.")
                             % {"code": resource}, extra={"rule": "source_unavailable", "resource": resource})


@dataclass(frozen=True)
class Column:
    """One source column: its name and kind (``KINDS``)."""

    name: str
    kind: str


class Adapter(Protocol):
    """What every adapter offers. ``resource`` is the code named in ``SourceUnavailable``."""

    resource: str
    key_column: str

    def columns(self) -> list[Column]: ...

    def lookup(self, value: str) -> dict | None: ...

    def extract(self, after: str | None, limit: int) -> tuple[list[dict], str | None]: ...

    def preview(self, n: int) -> list[dict]: ...


# --- SQL (PostgreSQL, MySQL/MariaDB) ------------------------------------------------------------------

_engines: dict[str, Any] = {}
_engines_lock = threading.Lock()


def sql_url(url: str) -> str:
    """``url`` with SQLAlchemy's driver names: ``postgres://`` and ``postgresql://`` → psycopg 3,
    ``mysql://`` and ``mariadb://`` → PyMySQL. Other schemes are refused (``ValidationFailed``)."""
    scheme, sep, rest = url.partition("://")
    drivers = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg",
               "postgresql+psycopg": "postgresql+psycopg", "mysql": "mysql+pymysql", "mariadb": "mysql+pymysql",
               "mysql+pymysql": "mysql+pymysql"}
    if not sep or scheme.lower() not in drivers:
        raise ValidationFailed(_("The connection is a postgresql:// or mysql:// address."),
                               extra={"field": "connection", "rule": "scheme"})
    return f"{drivers[scheme.lower()]}://{rest}"


def _engine(url: str):
    from sqlalchemy import create_engine

    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            full = sql_url(url)
            timeout = {"connect_timeout": 5}
            engine = create_engine(full, pool_size=8, max_overflow=16, pool_recycle=1800, pool_pre_ping=True,
                                   connect_args=timeout)
            _engines[url] = engine
    return engine


def _kind(sql_type) -> str:
    from sqlalchemy import types

    checks = [(types.Boolean, "boolean"), (types.Integer, "integer"), (types.Float, "float"),
              (types.Numeric, "decimal"), (types.DateTime, "datetime"), (types.Date, "date"),
              (types.LargeBinary, "binary"), (types._Binary, "binary"), (types.String, "string")]
    for cls, kind in checks:
        if isinstance(sql_type, cls):
            return kind
    return "string" if sql_type.python_type is str else "binary"


class SqlAdapter:
    """A table or view of a PostgreSQL or MySQL/MariaDB database (SQLAlchemy Core).

    Args:
        resource: the resource code (for ``SourceUnavailable``).
        url: ``postgresql://user:password@host:port/db`` or ``mysql://…`` (``sql_url``).
        table: the table or view, ``name`` or ``schema.name``.
        key_column: the column a lookup matches and an extract pages by (unique; indexed, or
            paging reads the whole table each page).
        change_column: a column that grows with each change (timestamp or sequence), or "".
        columns: the source columns read (all when empty).
    """

    def __init__(self, *, resource: str, url: str, table: str, key_column: str, change_column: str = "",
                 columns: Iterable[str] = ()):
        self.resource, self.url, self.key_column, self.change_column = resource, url, key_column, change_column
        self.schema, _dot, self.name = table.rpartition(".")
        self.wanted = list(columns)
        self._table = None
        self._lock = threading.Lock()

    def _run(self, work):
        from sqlalchemy.exc import DBAPIError, NoSuchTableError, SQLAlchemyError

        try:
            return work(_engine(self.url))
        except NoSuchTableError:
            raise ValidationFailed(_("The source has no table or view %(table)s.") % {"table": self.name},
                                   extra={"field": "table", "rule": "no_such_table"}) from None
        except (DBAPIError, SQLAlchemyError, OSError):
            raise unavailable(self.resource) from None

    def table(self):
        """The reflected table (once per adapter)."""
        from sqlalchemy import MetaData, Table

        with self._lock:
            if self._table is None:
                self._table = self._run(lambda engine: Table(self.name, MetaData(), schema=self.schema or None,
                                                             autoload_with=engine))
            return self._table

    def columns(self) -> list[Column]:
        """The table's columns with their kinds, in table order."""
        return [Column(c.name, _kind(c.type)) for c in self.table().columns]

    def _select(self):
        from sqlalchemy import select

        table = self.table()
        wanted = [table.c[name] for name in self.wanted if name in table.c] or list(table.c)
        if self.key_column not in [c.name for c in wanted]:
            wanted.append(table.c[self.key_column])
        return select(*wanted), table

    def _rows(self, statement) -> list[dict]:
        names, rows = self._tuples(statement)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _tuples(self, statement) -> tuple[list[str], list[tuple]]:
        def work(engine):
            with engine.connect() as conn:
                result = conn.execute(statement)
                return list(result.keys()), result.all()
        return self._run(work)

    def lookup(self, value: str) -> dict | None:
        """The row whose key column equals ``value``, or None."""
        statement, table = self._select()
        rows = self._rows(statement.where(table.c[self.key_column] == value).limit(2))
        return rows[0] if rows else None

    def extract(self, after: str | None, limit: int) -> tuple[list[dict], str | None]:
        """Up to ``limit`` rows in key order with a key above ``after`` (None: from the start).
        Returns ``(rows, next)``: ``next`` is the cursor of the next page, None after the last."""
        names, rows, cursor = self.extract_rows(after, limit)
        return [dict(zip(names, row, strict=True)) for row in rows], cursor

    def extract_rows(self, after: str | None, limit: int) -> tuple[list[str], list[tuple], str | None]:
        """``extract`` as ``(column names, rows as tuples, next)``: the bulk path, no dict per row."""
        statement, table = self._select()
        key = table.c[self.key_column]
        if after is not None:
            statement = statement.where(key > after)
        names, rows = self._tuples(statement.order_by(key).limit(limit))
        at = names.index(self.key_column)
        return names, rows, (str(rows[-1][at]) if len(rows) == limit else None)

    def preview(self, n: int) -> list[dict]:
        """The first ``n`` rows in key order."""
        return self.extract(None, n)[0]

    def extract_text(self, after: str | None, limit: int,
                     wanted: list[tuple[str, str]]) -> tuple[list[tuple], list, int, str | None]:
        """The bulk path with the conversion done by the database where it gives the very text of
        the exchange's conversion (PostgreSQL: an integer, numeric, date or boolean column read as
        an I, N, Y, D or L item; text columns as C or M). Reading text, the driver parses nothing
        into Python objects that would only be written back to text (``bench/README.md``).

        Args:
            wanted: ``(column, 指南 letter)`` of the items, in their order.

        Returns:
            ``(rows, converters, key_at, next)``: each row the values of ``wanted`` in order, then
            the key column; ``converters[i]`` what turns value ``i`` into the exchange's text (a
            check of the database's text, or the letter's converter from ``_CONVERT``); ``key_at``
            where the key is in a row; ``next`` as ``extract``.
        """
        from sqlalchemy import Text, case, cast, func, select

        table = self.table()
        postgres = _engine(self.url).dialect.name == "postgresql"
        columns, converters = [], []
        for name, letter in wanted:
            column = table.c[name]
            pushed = _pushed(column, _kind(column.type), letter) if postgres else None
            if pushed is None:
                columns.append(column)
                converters.append(_CONVERT[letter])
            else:
                columns.append(pushed[0](cast=cast, text=Text, case=case, func=func).label(f"x{len(columns)}"))
                converters.append(pushed[1])
        key = table.c[self.key_column]
        statement = select(*columns, key.label("xkey"))
        if after is not None:
            statement = statement.where(key > after)
        _names, rows = self._tuples(statement.order_by(key).limit(limit))
        key_at = len(columns)
        return rows, converters, key_at, (str(rows[-1][key_at]) if len(rows) == limit else None)

    def extract_csv(self, after: str | None, limit: int,
                    wanted: list[tuple[str, str, str]]) -> tuple[bytes, int, str | None] | None:
        """A page of the bulk extract as CSV bytes written by PostgreSQL itself (``COPY (SELECT …)
        TO STDOUT WITH (FORMAT csv, HEADER)``): no value passes through Python (``docs/exchange.md``,
        "Extract pages as CSV"). RFC 4180 CSV, UTF-8, ``\\n`` line ends; a header line naming the
        items' fields, then ``_row`` and ``_problem``; one line per source row in key order:

        - a good row: its values as the exchange's text (the same text as ``_CONVERT``), a missing
          value as an empty unquoted cell; ``_problem`` empty;
        - a malformed row (a value the exchange's type cannot hold, e.g. a NaN numeric for N/Y):
          every value empty, ``_row`` its key, ``_problem`` the field of its first bad item (the
          reason is "not of type <letter>"), as the JSON page's ``problems``;
        - ``_row`` also holds the key on the page's last line when the page is full: the cursor of
          the next page, as the JSON page's ``next``. Nowhere else is the key shown.

        Args:
            after: the cursor (None: from the start); limit: rows at most.
            wanted: ``(field, column, 指南 letter)`` of the items, in their order.

        Returns:
            ``(body, lines, next)`` (``lines`` without the header; ``next`` None after the last
            page), or None when this source cannot write every item so (not PostgreSQL, or an item
            whose conversion only Python does: ``_pushed_csv``); the JSON page serves those.

        Raises:
            SourceUnavailable: the source cannot be read.
        """
        from sqlalchemy import Text, case, cast, func, literal, or_, select

        if _engine(self.url).dialect.name != "postgresql":
            return None
        table = self.table()
        values, checks = [], []
        for field, name, letter in wanted:
            column = table.c[name]
            pushed = _pushed_csv(column, _kind(column.type), letter)
            if pushed is None:
                return None
            value, bad = pushed(cast=cast, text=Text, case=case, func=func)
            values.append(value.label(f"v{len(values)}"))
            if bad is not None:
                checks.append(case((bad, literal(field, Text))))
        key = table.c[self.key_column]
        problem = (func.coalesce(*checks) if len(checks) > 1 else checks[0]) if checks else literal(None, Text)
        # The page's last key when the page is full (the next cursor): one index scan, computed once
        # (an InitPlan). Not a row_number() window and a sort by it: those took 2-3x the page's time.
        last = select(key)
        if after is not None:
            last = last.where(key > after)
        last = last.order_by(key).offset(limit - 1).limit(1).scalar_subquery()
        inner = select(*values, problem.label("p"), key.label("k"))
        if after is not None:
            inner = inner.where(key > after)
        inner = inner.order_by(key).limit(limit).subquery("page")
        good = inner.c.p.is_(None)
        # ORDER BY the key itself: the planner sees the rows come sorted from the page's index scan.
        outer = select(*[case((good, inner.c[f"v{i}"])).label(field) for i, (field, _c, _l) in enumerate(wanted)],
                       case((or_(inner.c.p.is_not(None), inner.c.k == last), cast(inner.c.k, Text))).label("_row"),
                       inner.c.p.label("_problem")).order_by(inner.c.k)

        def work(engine):
            import psycopg

            compiled = outer.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
            with engine.connect() as conn:
                raw = conn.connection.driver_connection
                try:
                    with psycopg.ClientCursor(raw) as cursor:  # binds the cursor and the checks' literals
                        statement = cursor.mogrify(str(compiled), compiled.params)
                        cursor.execute("SET LOCAL DateStyle = 'ISO, YMD'")  # dates as YYYY-MM-DD (_pushed_csv)
                        with cursor.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                            body = b"".join(bytes(block) for block in copy)
                        lines = cursor.rowcount
                    raw.commit()
                except psycopg.Error:  # the driver's own errors (not wrapped by SQLAlchemy here): 503
                    conn.invalidate()
                    raise unavailable(self.resource) from None
            return body, lines

        body, lines = self._run(work)
        return body, lines, (csv_last_row(body) if lines == limit else None)

    def changes_since(self, cursor: str | None, limit: int) -> tuple[list[dict], str | None]:
        """Rows added or changed after ``cursor``, by the change column (then the key), oldest first.

        Args:
            cursor: what the last call returned (None: every row).
            limit: rows at most.

        Returns:
            ``(rows, cursor)``: the cursor to pass next time (the same one when nothing changed).
            A removed row is not seen: the change column finds additions and changes only.

        Raises:
            ValidationFailed: the source has no change column (``rule = no_change_column``).
        """
        from sqlalchemy import and_, or_

        if not self.change_column:
            raise ValidationFailed(_("This source has no change column."),
                                   extra={"field": "change_column", "rule": "no_change_column"})
        statement, table = self._select()
        change, key = table.c[self.change_column], table.c[self.key_column]
        if self.change_column not in statement.selected_columns:
            statement = statement.add_columns(change)
        if cursor:
            mark, last_key = json.loads(cursor)
            mark = _cursor_value(mark, _kind(change.type))
            statement = statement.where(or_(change > mark, and_(change == mark, key > last_key)))
        rows = self._rows(statement.order_by(change, key).limit(limit))
        if not rows:
            return [], cursor
        last = rows[-1]
        return rows, json.dumps([_cursor_text(last[self.change_column]), str(last[self.key_column])])


def _cursor_text(value) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _cursor_value(value, kind: str):
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    return value


# --- files (CSV, XLSX) ----------------------------------------------------------------------------------

class FileAdapter:
    """A CSV (UTF-8 or GB 18030, as ``facilities.tabular.rows_read`` reads it) or XLSX file (first
    sheet; cells as the workbook types them, so a date-time keeps its time). The file is read once
    per process and again when its modification time changes; rows whose key cell is empty are
    left out. Every column is of kind ``text``."""

    def __init__(self, *, resource: str, path: str | Path, key_column: str):
        self.resource, self.path, self.key_column = resource, Path(path), key_column
        self._loaded: tuple[float, list[str], list[dict], dict[str, dict]] | None = None
        self._lock = threading.Lock()

    def _load(self) -> tuple[list[str], list[dict], dict[str, dict]]:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            raise unavailable(self.resource) from None
        with self._lock:
            if self._loaded is None or self._loaded[0] != mtime:
                try:
                    header, rows = self._read()
                except OSError:
                    raise unavailable(self.resource) from None
                records = [dict(zip(header, row, strict=False)) for row in rows]
                records = [r for r in records if str(r.get(self.key_column) or "").strip()]
                records.sort(key=lambda r: str(r[self.key_column]))
                self._loaded = (mtime, header, records, {str(r[self.key_column]).strip(): r for r in records})
            return self._loaded[1:]

    def _read(self) -> tuple[list[str], list]:
        if self.path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

            try:
                book = load_workbook(self.path, read_only=True, data_only=True)
            except OSError:
                raise
            except Exception:  # zipfile, KeyError, InvalidFileException: not a workbook
                raise ValidationFailed(_("The file is not a readable XLSX workbook."),
                                       extra={"field": "file", "rule": "format"}) from None
            rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
            book.close()
            header = [str(c or "").strip() for c in (rows[0] if rows else [])]
            return header, rows[1:]
        from egov.facilities.tabular import rows_read

        header, rows = rows_read(content=self.path.read_bytes(), file_name=self.path.name)
        return [h.strip().lstrip("\ufeff") for h in header], list(rows)

    def columns(self) -> list[Column]:
        return [Column(name, "text") for name in self._load()[0] if name]

    def lookup(self, value: str) -> dict | None:
        return self._load()[2].get(value)

    def extract(self, after: str | None, limit: int) -> tuple[list[dict], str | None]:
        import bisect

        _header, records, _index = self._load()
        start = 0 if after is None else bisect.bisect_right([str(r[self.key_column]) for r in records], after)
        page = records[start:start + limit]
        return page, (str(page[-1][self.key_column]) if start + limit < len(records) and page else None)

    def preview(self, n: int) -> list[dict]:
        return self._load()[1][:n]


# --- HTTP JSON ---------------------------------------------------------------------------------------

class HttpAdapter:
    """An HTTP JSON API the provider already runs. The contract it must keep:

    - ``GET <url>?<key_column>=<value>``: the record (a JSON object), or a list of records (the
      first is used), or 404 / an empty list for none;
    - ``GET <url>?limit=<n>[&after=<cursor>]``: a page, ``{"records": [...], "next": cursor|null}``
      or a bare list (then the next cursor is the last record's key).

    Columns are the keys of the first record of a one-row page, kind ``text``. ``headers`` (e.g. an
    ``Authorization``) are sent with every request; time-outs of 10 s.
    """

    def __init__(self, *, resource: str, url: str, key_column: str, headers: Mapping[str, str] | None = None):
        self.resource, self.url, self.key_column, self.headers = resource, url, key_column, dict(headers or {})

    def _get(self, params: dict) -> Any:
        import httpx

        try:
            answer = httpx.get(self.url, params=params, headers=self.headers, timeout=10)
            if answer.status_code == 404:
                return None
            answer.raise_for_status()
            return answer.json()
        except (httpx.HTTPError, ValueError):
            raise unavailable(self.resource) from None

    def columns(self) -> list[Column]:
        rows = self.preview(1)
        return [Column(str(name), "text") for name in (rows[0] if rows else {})]

    def lookup(self, value: str) -> dict | None:
        data = self._get({self.key_column: value})
        if isinstance(data, list):
            data = data[0] if data else None
        return data if isinstance(data, dict) else None

    def extract(self, after: str | None, limit: int) -> tuple[list[dict], str | None]:
        data = self._get({"limit": limit, **({"after": after} if after is not None else {})})
        if isinstance(data, dict):
            rows, nxt = data.get("records") or [], data.get("next")
        else:
            rows = data or []
            nxt = str(rows[-1].get(self.key_column)) if len(rows) == limit and isinstance(rows[-1], dict) else None
        return [r for r in rows if isinstance(r, dict)], (None if nxt is None else str(nxt))

    def preview(self, n: int) -> list[dict]:
        return self.extract(None, n)[0]


# --- mapping and conversion ---------------------------------------------------------------------------

def mapping_check(*, items: Mapping[str, tuple[str, str]], columns: list[Column], mapping: Mapping[str, str],
                  key_column: str, change_column: str = "") -> None:
    """Refuse a mapping that cannot be served.

    Args:
        items: the resource's 信息项, ``{field: (name, 指南 data type letter)}``.
        columns: the source's columns (``Adapter.columns()``).
        mapping: ``{item field: source column}``; at least one item.
        key_column, change_column: the source columns a lookup matches and changes are found by.

    Raises:
        ValidationFailed: ``extra = {"field": "mapping", "rule": …, "item": field, "column": name}``
            with ``rule`` ``no_such_item``, ``no_such_column`` or ``wrong_type`` (also
            ``column_kind`` and ``accepted``), or ``field`` ``key_column``/``change_column`` and
            ``rule`` ``no_such_column``; or ``rule`` ``empty``.
    """
    kinds = {c.name: c.kind for c in columns}
    for name, field in ((key_column, "key_column"), (change_column, "change_column")):
        if name and name not in kinds:
            raise ValidationFailed(_("The source has no column %(column)s.") % {"column": name},
                                   extra={"field": field, "rule": "no_such_column", "column": name})
    if not mapping:
        raise ValidationFailed(_("Map at least one information item to a column."),
                               extra={"field": "mapping", "rule": "empty"})
    for field, column in mapping.items():
        if field not in items:
            raise ValidationFailed(_("The resource has no information item %(field)s.") % {"field": field},
                                   extra={"field": "mapping", "rule": "no_such_item", "item": field, "column": column})
        label, letter = items[field]
        if column not in kinds:
            raise ValidationFailed(
                _("Information item %(item)s is mapped to column %(column)s, which the source does not have.")
                % {"item": f"{label} ({field})", "column": column},
                extra={"field": "mapping", "rule": "no_such_column", "item": field, "column": column})
        kind = kinds[column]
        if kind != "text" and kind not in ACCEPTS.get(letter, frozenset()):
            raise ValidationFailed(
                _("Information item %(item)s (type %(type)s) cannot be read from column %(column)s of type %(kind)s.")
                % {"item": f"{label} ({field})", "type": letter, "column": column, "kind": kind},
                extra={"field": "mapping", "rule": "wrong_type", "item": field, "column": column,
                       "column_kind": kind, "accepted": sorted(ACCEPTS.get(letter, ()))})


class BadCell(ValueError):
    """A cell that cannot be read as its item's type."""


_TRUE = {"true", "1", "t", "y", "yes", "是", "真"}
_FALSE = {"false", "0", "f", "n", "no", "否", "假"}


def value_convert(value: Any, letter: str) -> str | None:
    """``value`` (from any adapter) as the exchange's text for 指南 data type ``letter``.

    Returns:
        None for a missing value (None or an empty string); else C/M text, I digits with a sign,
        N/Y a plain decimal (no exponent), B/F a number as Python writes a float, D ``YYYY-MM-DD``,
        T ISO 8601 (``YYYY-MM-DDTHH:MM:SS[+HH:MM]``), L ``true``/``false``, G base64 of bytes
        (text is passed on as it is).

    Raises:
        BadCell: the value is not of the type (e.g. ``12a`` for I, ``2026-02-30`` for D).
    """
    if value is None or value == "":
        return None
    try:
        return _CONVERT[letter](value)
    except (ValueError, TypeError, ArithmeticError):
        raise BadCell(f"not of type {letter}") from None


def _integer(value) -> str:
    if type(value) is int:
        return str(value)
    if isinstance(value, bool):
        raise ValueError("a logical value")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("not a whole number")
        return str(int(value))
    if isinstance(value, decimal.Decimal):
        if value != value.to_integral_value():
            raise ValueError("not a whole number")
        return str(int(value))
    return str(int(str(value).strip()))


def _decimal(value) -> str:
    if type(value) is decimal.Decimal and value.is_finite():
        return format(value, "f")
    if isinstance(value, bool):
        raise ValueError("a logical value")
    number = decimal.Decimal(str(value).strip())
    if not number.is_finite():
        raise ValueError("not a finite number")
    return format(number, "f")


def _float(value) -> str:
    if isinstance(value, bool):
        raise ValueError("a logical value")
    number = float(str(value).strip()) if not isinstance(value, int | float | decimal.Decimal) else float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return repr(number)


def _date(value) -> str:
    if type(value) is dt.date:
        return value.isoformat()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return dt.date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text).isoformat()


def _datetime(value) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        raise ValueError("a date without a time")
    text = str(value).strip()
    if len(text) <= 10:
        raise ValueError("a date without a time")
    return dt.datetime.fromisoformat(text).isoformat(timespec="seconds")


def _boolean(value) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    text = str(value).strip().lower()
    if text in _TRUE:
        return "true"
    if text in _FALSE:
        return "false"
    raise ValueError("not a logical value")


def _text(value) -> str | None:
    if type(value) is str:
        return value if value.strip() else None
    if isinstance(value, bytes | bytearray | memoryview):
        raise ValueError("binary content")
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def _general(value) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return str(value)


def _blank_none(convert):
    """``convert``, with a cell of white space only read as missing (files and JSON write such cells)."""
    def read(value):
        if type(value) is str and not value.strip():
            return None
        return convert(value)
    return read


_CONVERT = {"C": _text, "M": _text, "G": _general,
            **{letter: _blank_none(fn) for letter, fn in [("I", _integer), ("N", _decimal), ("Y", _decimal),
                                                           ("B", _float), ("F", _float), ("D", _date),
                                                           ("T", _datetime), ("L", _boolean)]}}


def _pushed(column, kind: str, letter: str):
    """How PostgreSQL writes ``column`` (of ``kind``) as the exchange's text of ``letter``:
    ``(expression maker, check of the text read)``, or None when the Python converter must do it.
    The same text as ``_CONVERT``: integers in digits, numeric in plain notation with its scale
    (``format(Decimal, "f")``; NaN and infinities refused as ``_decimal`` refuses them), dates
    ``YYYY-MM-DD``, booleans ``true``/``false``; text as stored (blank → null, as ``_text``)."""
    if kind == "integer" and letter in "INY":
        return (lambda cast, text, **_: cast(column, text)), _as_is
    if kind == "decimal" and letter in "NY":
        return (lambda cast, text, **_: cast(column, text)), _finite_text
    if kind == "date" and letter == "D":
        return (lambda func, **_: func.to_char(column, "YYYY-MM-DD")), _as_is
    if kind == "boolean" and letter == "L":
        return (lambda case, **_: case((column.is_(True), "true"), (column.is_(False), "false"))), _as_is
    if kind == "string" and letter in "CM":
        return (lambda **_: column), _text
    return None


# Python's str.strip() white space (str.isspace), as a PostgreSQL regular expression: a text cell
# of only these is missing, as ``_text`` reads it.
_BLANK = (r"^[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
          r"\u3000]*$")
# The same characters one by one (the first character of a blank cell is one of them).
_BLANK_CHARS = tuple(chr(c) for c in [*range(9, 14), *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                                      0x2028, 0x2029, 0x202F, 0x205F, 0x3000])


def _pushed_csv(column, kind: str, letter: str):
    """``_pushed`` for the CSV page (``SqlAdapter.extract_csv``): a maker of ``(value expression,
    bad-cell condition or None)`` whose value is the very text of ``_CONVERT`` and whose condition
    holds where the Python converter would raise, or None when the item is not pushed."""
    if kind == "decimal" and letter in "NY":
        def decimal_(cast, text, **_):
            written = cast(column, text)
            return written, written.in_(("NaN", "Infinity", "-Infinity"))
        return decimal_
    if kind == "date" and letter == "D":
        # The date's own output under DateStyle ISO (set for the page: ``extract_csv``), the text of
        # ``date.isoformat()``; to_char(…, 'YYYY-MM-DD') wrote the same at several times the cost.
        # A date before year 1 (BC), which Python's date cannot hold, is a bad cell.
        import datetime as _dt

        def date_(cast, text, **_):
            return cast(column, text), column < _dt.date(1, 1, 1)
        return date_
    if kind == "string" and letter in "CM":
        # Blank (only white space) → missing; the regular expression runs only on a cell that is
        # empty or starts with a blank character.
        def string_(case, func, **_):
            from sqlalchemy import and_, or_

            blank = or_(column == "", and_(func.left(column, 1).in_(_BLANK_CHARS), column.regexp_match(_BLANK)))
            return case((blank, None), else_=column), None
        return string_
    pushed = _pushed(column, kind, letter)
    if pushed is None or pushed[1] is not _as_is:
        return None
    return lambda **parts: (pushed[0](**parts), None)


def csv_last_row(body: bytes) -> str | None:
    """The ``_row`` cell (last but one) of the last line of a CSV page (``SqlAdapter.extract_csv``),
    or None when the page has no line after its header. Reads only the last line when it holds no
    quote (then it is a whole record), else parses the page."""
    import csv
    import io

    end = body.rstrip(b"\r\n")
    last = end[end.rfind(b"\n") + 1:]
    if end.find(b"\n") < 0:
        return None
    if b'"' not in last:
        return last.decode().split(",")[-2] or None
    rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
    return (rows[-1][-2] or None) if len(rows) > 1 else None


def _as_is(value: str) -> str:
    return value


def _finite_text(value: str) -> str:
    if value in ("NaN", "Infinity", "-Infinity"):
        raise ValueError("not a finite number")
    return value


@dataclass(frozen=True)
class Problem:
    """A malformed row: its key (or position when it has none), the item and the reason. Never the value."""

    row: str
    item: str
    reason: str

    def as_json(self) -> dict:
        return {"row": self.row, "item": self.item, "reason": self.reason}


Plan = list[tuple[str, Any, Any, str]]  # (item field, where in the row: column name or index, converter, letter)


def plan_make(*, mapping: Mapping[str, str], types: Mapping[str, str], fields: Iterable[str],
              columns: list[str] | None = None) -> Plan:
    """How to read ``fields`` (mapped 信息项, in that order) from rows: by column name from dict rows
    (``columns`` None) or by position in tuple rows whose column names are ``columns``."""
    return [(field, mapping[field] if columns is None else columns.index(mapping[field]), _CONVERT[types[field]],
             types[field]) for field in fields]


def rows_convert(rows: Iterable, plan: Plan, *, key_at: Any) -> tuple[list[list], list[Problem]]:
    """Rows (dicts or tuples) read by ``plan``: ``(good rows as lists of text in the plan's order,
    problems)``; ``key_at`` is where the key column is in a row (named in a problem)."""
    good: list[list] = []
    problems: list[Problem] = []
    append = good.append
    for position, row in enumerate(rows):
        out = []
        try:
            for field, at, convert, letter in plan:  # noqa: B007 (field, letter: named by the except)
                value = row[at]
                out.append(None if value is None or value == "" else convert(value))
        except (KeyError, IndexError):
            problems.append(Problem(_key_of(row, key_at, position), field, "missing"))
            continue
        except (ValueError, TypeError, ArithmeticError):
            problems.append(Problem(_key_of(row, key_at, position), field, f"not of type {letter}"))
            continue
        append(out)
    return good, problems


def rows_convert_text(rows: Iterable, converters: list, fields: list[str], letters: list[str], *,
                      key_at: int) -> tuple[list[list], list[Problem]]:
    """``rows_convert`` for the rows of ``SqlAdapter.extract_text``: value ``i`` of a row is item
    ``fields[i]``; a value the database wrote as the exchange's text (``_as_is``: digits, dates,
    booleans, never empty) is taken as read, only the others are checked or converted. The same
    result as ``rows_convert`` with the letters' converters (``tests/test_adapters.py``)."""
    n = len(converters)
    checks = [(i, convert) for i, convert in enumerate(converters) if convert is not _as_is]
    good: list[list] = []
    problems: list[Problem] = []
    append = good.append
    for position, row in enumerate(rows):
        out = list(row[:n])
        try:
            for i, convert in checks:  # noqa: B007 (i: named by the except)
                value = out[i]
                if value is not None:
                    out[i] = None if value == "" else convert(value)
        except (ValueError, TypeError, ArithmeticError):
            problems.append(Problem(_key_of(row, key_at, position), fields[i], f"not of type {letters[i]}"))
            continue
        append(out)
    return good, problems


def _key_of(row, key_at, position: int) -> str:
    try:
        return str(row[key_at])
    except (KeyError, IndexError):
        return f"#{position}"


def row_map(row: Mapping[str, Any], *, mapping: Mapping[str, str], types: Mapping[str, str], key_column: str,
            fields: Iterable[str] | None = None, position: int = 0) -> tuple[dict | None, Problem | None]:
    """One source row (a dict) as a record keyed by 信息项 field (``mapping``: field → column;
    ``types``: field → 指南 letter; ``fields``: those wanted, all mapped when None), each value as
    ``value_convert`` gives it.

    Returns:
        ``(record, None)``, or ``(None, problem)`` for the first cell that cannot be read (a
        column missing from the row counts: JSON records may lack keys).
    """
    fields = list(mapping) if fields is None else list(fields)
    good, problems = rows_convert([row], plan_make(mapping=mapping, types=types, fields=fields), key_at=key_column)
    if problems:
        problem = problems[0]
        return None, Problem(problem.row if problem.row != "#0" else f"#{position}", problem.item, problem.reason)
    return dict(zip(fields, good[0], strict=True)), None
