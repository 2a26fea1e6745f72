"""Reading an export file (CSV or XLSX) into a header and rows of text.

Real exports are messy: a byte-order mark, GBK/GB 18030 instead of UTF-8, cells with surrounding
white space, full-width digits and letters. This module only reads; ``validation`` decides.
"""

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from itertools import repeat
from pathlib import Path

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed


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
