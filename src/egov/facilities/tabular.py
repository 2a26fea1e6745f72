"""Reading a tabular export file (CSV or XLSX): the one way every file import of the platform reads.

Real exports are messy: a byte-order mark, GBK/GB 18030 instead of UTF-8, cells with surrounding
white space, full-width digits and letters, ``2024年3月5日`` for a date, ``无`` or ``N/A`` for nothing.
This module reads the file (``rows_read``), maps its header to fields (``header_fields``), reads a
cell as typed (``cell_typed``, ``cell_text``, ``is_placeholder``, ``date_read``) and writes the
rejected-rows report (``report_write``); each import's own row checks decide (the registers'
``registries.validation``, credit's ``credit.imports``). A row's problem is ``RowRejected``.
"""

import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed

# What exports write where they have no value. Compared after NFKC and case folding.
PLACEHOLDERS = frozenset({"n/a", "na", "null", "none", "nil", "无", "空", "不详", "未知", "-", "--", "—", "——", "/",
                          "?", "？"})
PLACEHOLDER_DATES = frozenset({datetime.date(1900, 1, 1), datetime.date(1899, 12, 31), datetime.date(1970, 1, 1)})


@dataclass
class RowRejected(Exception):
    """A row that cannot go in: ``field`` and ``rule`` name what is wrong, ``reason`` says it to people."""

    field: str
    rule: str
    reason: str


def _typed(value: str) -> str:
    """A code, date or number as typed: NFKC (full-width → ASCII), surrounding white space removed."""
    if value.isascii():  # NFKC leaves ASCII as it is; most cells of a large file take this path
        return value.strip()
    return unicodedata.normalize("NFKC", value or "").replace("\ufeff", "").strip()


def _text(value: str) -> str:
    """Free text (names, addresses) only trimmed: NFKC would change compatibility ideographs in names."""
    return (value or "").strip(" \t\r\n\u3000\ufeff")


@lru_cache(maxsize=4096)
def _may_start_placeholder(char: str) -> bool:
    """False when no placeholder can begin with ``char``: what it reads as (NFKC, case folded) is
    neither white space nor the first character of a placeholder. Per character, so cached."""
    typed = unicodedata.normalize("NFKC", char).replace("\ufeff", "").strip().casefold()
    return not typed or typed[0] in _PLACEHOLDER_STARTS


_PLACEHOLDER_STARTS = frozenset(placeholder[0] for placeholder in PLACEHOLDERS)


def is_placeholder(value: str) -> bool:
    """True when ``value`` is one of the stand-ins exports write for a missing value."""
    if len(value) > 8 or not value:  # the longest placeholder, with surrounding spaces, is shorter
        return False
    if not _may_start_placeholder(value[0]):  # most names: one cached look-up, no NFKC
        return False
    return _typed(value).casefold() in PLACEHOLDERS



_DATE = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")


@lru_cache(maxsize=1 << 16)
def _date_parsed(value: str) -> tuple[datetime.date | None, str, str]:
    """``(date, rule, text)`` of a date cell: ``rule`` is ``""`` when it reads (date None when
    empty or a placeholder word), else ``date``, ``real`` or ``placeholder``. Cached: a register's
    birth dates repeat (some 36,500 days in a century for millions of rows)."""
    text = _typed(value)
    if not text or text.casefold() in PLACEHOLDERS:
        return None, "", text
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None, "date", text
    try:
        date = datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None, "real", text
    if date in PLACEHOLDER_DATES:
        return date, "placeholder", text
    return date, "", text


def date_read(value: str, *, field: str, label) -> datetime.date | None:
    """A date written ``2024-03-05``, ``2024/3/5``, ``20240305``, ``2024.03.05`` or ``2024年3月5日``;
    None when empty. A placeholder date (1900-01-01) is refused (``RowRejected``, rule ``placeholder``)."""
    date, rule, text = _date_parsed(value)
    if not rule:
        return date
    if rule == "date":
        raise RowRejected(field, "date", _("%(label)s “%(value)s” is not a date.") % {"label": label, "value": text})
    if rule == "real":
        raise RowRejected(field, "date", _("%(label)s “%(value)s” is not a real date.")
                          % {"label": label, "value": text})
    raise RowRejected(field, "placeholder", _("%(label)s holds the placeholder date %(value)s, not a value.")
                      % {"label": label, "value": date.isoformat()})



cell_typed = _typed
cell_text = _text


def header_fields(header: Sequence[str], *, columns: Mapping[str, str], required: Iterable[str] = (),
                  aliases: Mapping[str, str] | None = None) -> list[str | None]:
    """For each header cell, the field it names, or None for a column no field takes.

    Args:
        header: the header cells as written.
        columns: field → the column's Chinese name in exports; the English field name is accepted too
            (any case, full-width letters).
        required: the fields whose column must be present.
        aliases: other headings → field, taken only when the field's own heading is absent.

    Raises:
        ValidationFailed: ``{"field": "file", "rule": "header", "column": field}`` when a required
            column is missing or a column repeats.
    """
    by_name = {**{chinese: field for field, chinese in columns.items()}, **{field: field for field in columns}}
    fields = [by_name.get(_typed(cell).lower()) or by_name.get(_typed(cell)) for cell in header]
    aliases = aliases or {}
    for index, cell in enumerate(header):  # another heading of a column only when its own is absent
        alias = aliases.get(_typed(cell))
        if fields[index] is None and alias and alias not in fields:
            fields[index] = alias
    named = [field for field in fields if field]
    repeated = sorted({field for field in named if named.count(field) > 1})
    if repeated:
        raise ValidationFailed(_("The column %(column)s appears twice.") % {"column": columns[repeated[0]]},
                               extra={"field": "file", "rule": "header", "column": repeated[0]})
    missing = [field for field in required if field not in named]
    if missing:
        raise ValidationFailed(_("The file has no column %(column)s (or %(field)s).")
                               % {"column": columns[missing[0]], "field": missing[0]},
                               extra={"field": "file", "rule": "header", "column": missing[0]})
    return fields


REPORT_HEADER = ("row", "field", "rule", "reason", "outcome")


def report_write(out, outcomes: Iterable[tuple[str, Iterable[Mapping]]]) -> None:
    """Write an import's report as CSV to the text stream ``out``: the header ``row, field, rule, reason,
    outcome``, then each row ``{"row", "field", "rule", "reason"}`` of each ``(outcome, rows)`` (e.g.
    ``("rejected", [...])``; a row's own ``"outcome"`` wins). Row numbers are as in the file (the header is
    row 1). Open ``out`` with
    ``encoding="utf-8-sig", newline=""`` so that spreadsheet programs read the Chinese reasons."""
    writer = csv.writer(out)
    writer.writerow(REPORT_HEADER)
    for outcome, rows in outcomes:
        for row in rows:
            writer.writerow([row["row"], row["field"], row["rule"], row["reason"],
                             row.get("outcome") or outcome])


def progress_bar(stream, total: int, width: int = 30):
    """A callback ``progress(done)`` drawing ``[#####.....] N rows`` on ``stream`` (a command's stderr),
    ``total`` being the rows expected (e.g. the file's line count)."""
    total = max(total, 1)

    def progress(done: int) -> None:
        filled = min(width, width * done // total)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done} rows")
        stream.flush()

    return progress


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(_("The file is neither UTF-8 nor GB 18030 text."),
                           extra={"field": "file", "rule": "encoding"})


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # imported here: CSV imports do not need it

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zipfile, KeyError, InvalidFileException)
        raise ValidationFailed(_("The file is not a readable XLSX workbook."),
                               extra={"field": "file", "rule": "format", "detail": str(error)[:200]}) from None
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        yield ["" if cell is None else _cell_text(cell) for cell in row]
    book.close()


def _cell_text(cell) -> str:
    if hasattr(cell, "date") and hasattr(cell, "hour"):  # a datetime: registers keep dates
        return cell.date().isoformat()
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _csv_rows(text: str) -> Iterator[Sequence[str]]:
    """The records of CSV text (RFC 4180, as ``csv.reader`` reads them), each a sequence of cells.

    Text with no quote, carriage return or NUL (what most exports write) is one record per line, its
    cells split at commas, exactly as ``csv.reader`` would read it, at half its cost: by blocks of
    lines that all have as many cells as the first line, one split of the whole block (a tuple per
    record), other lines one by one. Other text goes through ``csv.reader`` (quoted cells, line breaks
    inside cells, CRLF)."""
    if '"' in text or "\r" in text or "\0" in text:
        return iter(csv.reader(io.StringIO(text, newline="")))
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the line break that ends the last line
    return _lines_split(lines, lines[0].count(",") if lines else 0)


def _lines_split(lines: list[str], commas: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(lines), 10_000):
        block = lines[start:start + 10_000]
        if set(map(str.count, block, repeat(","))) == {commas}:  # every line as wide as the first
            yield from zip(*[iter(",".join(block).split(","))] * (commas + 1), strict=True)
        else:
            yield from (line.split(",") if line else [] for line in block)


def rows_read(*, content: bytes, file_name: str) -> tuple[Sequence[str], Iterator[Sequence[str]]]:
    """The header and an iterator over the data rows of a CSV or XLSX file.

    Args:
        content: the file's bytes.
        file_name: its name; ``.xlsx`` is read as a workbook (first sheet), anything else as CSV.

    Returns:
        ``(header, rows)``: the header cells as written, and each following row as a sequence of
        cells (a list or a tuple).

    Raises:
        ValidationFailed: ``rule`` ``encoding``, ``format`` (not a workbook) or ``empty`` (no header).
    """
    if Path(file_name).suffix.lower() == ".xlsx" or content[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(content)
    else:
        rows = _csv_rows(_decode(content))
    header = next(rows, None)
    if not header or not any(cell.strip() for cell in header):
        raise ValidationFailed(_("The file has no header row."), extra={"field": "file", "rule": "empty"})
    return header, rows


def csv_body(*, content: bytes, file_name: str) -> tuple[list[str], memoryview] | None:
    """For checking a file by blocks of lines (``registries.bulk``): the header cells and the body
    (the bytes of every line after the header, each ending in a line break) of a CSV file in UTF-8
    with no quote, carriage return or NUL — text whose every line is one record split at its commas,
    as ``rows_read`` reads it (``_csv_rows``). None for any other file (XLSX, GB 18030, quoted
    cells, CRLF …), left to ``rows_read``."""
    if Path(file_name).suffix.lower() == ".xlsx" or content[:4] == b"PK\x03\x04":
        return None
    if b'"' in content or b"\r" in content or b"\0" in content:
        return None
    try:
        content.decode("utf-8")  # the bytes go to PostgreSQL as they are: they must be UTF-8
    except UnicodeDecodeError:
        return None
    start = len(codecs.BOM_UTF8) if content.startswith(codecs.BOM_UTF8) else 0
    end = content.find(b"\n", start)
    if end == -1:
        return None
    body = memoryview(content)[end + 1:]
    if len(body) and body[-1] != ord("\n"):
        body = memoryview(bytes(body) + b"\n")
    return content[start:end].decode("utf-8").split(","), body
