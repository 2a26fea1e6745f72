"""Population rows of a clean CSV export checked a block of lines at a time (numpy), for a first load.

``PopulationFastCheck`` checks a clean row in a few dictionary look-ups, but a million rows still
cost a million Python calls, and splitting and re-joining their cells as many again. Here a block of
CSV lines is checked as arrays of bytes instead — the GB 11643 check character of every ID number by
one weighted sum, birth dates and division codes by one sorted look-up each, the other cells by
their lengths and a few bytes — and the lines that pass become the register's ``COPY`` text by
rewriting the block's bytes (commas to tabs, 男 to ``M``), with no Python object per row.

It accepts only a subset of what ``PopulationFastCheck`` accepts, stored exactly the same (the
parity test in ``tests/test_bulk.py`` runs generated messy lines through both): a line it is not
sure of — any cell written otherwise than the plain form below, anything wrong or to be flagged —
is left to the caller, which checks it row by row as before (the fast check, then the full check,
which words the reason). So the rules stay in one place, ``validation``, and this module only knows
the plainest spelling of a valid row:

- ID number: 17 ASCII digits and the GB 11643-1999 §8.2 check character (``X`` in capitals); its
  birth date a real date from 1880 to ``today`` and not a placeholder date; its first six digits a
  GB/T 2260 code ever used and still in use in the birth year (else the row is to be flagged);
- name: 1 to 200 bytes, beginning with a CJK unified ideograph or an ASCII letter or digit that no
  placeholder begins with, not ending in white space that ``validation`` trims;
- sex: 男, 女, ``1``, ``2``, ``M``, ``F`` (either case) agreeing with the ID's 17th digit;
- birth date: the ID's date written ``YYYY-MM-DD``;
- ethnicity: empty or a two-digit GB/T 3304 code; household division: empty or a six-digit GB/T 2260
  code ever used; address: empty, or as a name but up to 300 bytes;
- status (when the file has the column): empty, 正常, 死亡, 迁出, ``normal``, ``deceased``, ``moved_out``;
- no tab, backslash or other control character anywhere in the line (the COPY text needs no escaping).

The caller gives lines of text with no quote, carriage return or NUL (``facilities.tabular.csv_body``: such a
file splits at commas exactly as ``csv.reader`` reads it) and valid UTF-8.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from egov.registries.codes import ETHNIC_GROUPS
from egov.registries.validation import (
    _PLACEHOLDER_STARTS,
    CHECK_CHARACTERS,
    ID_WEIGHTS,
    PLACEHOLDER_DATES,
    PLACEHOLDERS,
    POPULATION_STATUS_WORDS,
    SEX_WORDS,
    Divisions,
    PopulationFastCheck,
)

# The columns a file must have, in this order, for its lines to be checked here: the fast check's
# cells without the status column, or with it.
COLUMNS = (PopulationFastCheck.FIELDS[:7], PopulationFastCheck.FIELDS[:8])

_WEIGHTS = np.array(ID_WEIGHTS, dtype=np.int64)
_CHECKS = np.frombuffer(CHECK_CHARACTERS.encode(), dtype=np.uint8)
_KEY_POWERS = 10 ** np.arange(16, -1, -1, dtype=np.int64)  # the first 17 digits of an ID as one number
_DIVISION_POWERS = _KEY_POWERS[-6:]
_DATE_POWERS = _KEY_POWERS[-8:]
_UNTIL_NOW = 9999  # the last year of a code still in use
_ID_BYTES = np.arange(18)
_DATE_BYTES = np.arange(10)
_TAB, _NEWLINE, _COMMA, _BACKSLASH = 9, 10, 44, 92
# Sex cells of one byte and of three (UTF-8 男 and 女), as ``SEX_WORDS`` reads them.
_MALE_BYTES = np.frombuffer(b"1Mm", dtype=np.uint8)
_FEMALE_BYTES = np.frombuffer(b"2Ff", dtype=np.uint8)
_MALE_CJK, _FEMALE_CJK = tuple("男".encode()), tuple("女".encode())
# A status cell → the stored status and the marker byte that stands for it until the line's end is
# written (``Scan.copy_text``).
_STATUSES = ("normal", "deceased", "moved_out")
_STATUS_CELLS = {cell: _STATUSES.index(status) + 1 for cell, status in POPULATION_STATUS_WORDS.items()}
_STATUS_WIDTH = max(len(cell.encode()) for cell in _STATUS_CELLS)

assert {word: sex for word, sex in SEX_WORDS.items() if word in ("1", "2", "m", "f", "男", "女")} == {
    "1": "M",
    "2": "F",
    "m": "M",
    "f": "F",
    "男": "M",
    "女": "F",
}  # the spellings taken here


def _placeholder_starts() -> tuple[np.ndarray, np.ndarray]:
    """``(first, pairs)``: the code points of CJK unified ideographs (U+4E00–U+9FFF, which NFKC and
    case folding leave as they are) that a placeholder begins with (无, 空, 不, 未), and the first two
    characters of the placeholders longer than one character that begin with one (不详, 未知), as
    ``first × 0x10000 + second``. Text beginning with such a character is no placeholder when its
    second character is a CJK unified ideograph that does not make one of those pairs."""
    first = sorted(ord(char) for char in _PLACEHOLDER_STARTS if 0x4E00 <= ord(char) <= 0x9FFF)
    pairs = sorted(
        ord(text[0]) * 0x10000 + ord(text[1]) for text in PLACEHOLDERS if len(text) > 1 and ord(text[0]) in first
    )
    return np.array(first, dtype=np.int64), np.array(pairs, dtype=np.int64)


_UNSAFE_CJK, _UNSAFE_PAIRS = _placeholder_starts()
_UNSAFE_ASCII = sorted(
    {ord(char) for char in _PLACEHOLDER_STARTS if char.isascii() and char.isalnum()}
    | {ord(char.upper()) for char in _PLACEHOLDER_STARTS if char.isascii() and char.isalnum()}
)


@dataclass(frozen=True)
class Tables:
    """What the checks of a block look up, built once per import: ``dates`` (every birth date an ID
    may carry, ``YYYYMMDD``, sorted: 1880-01-01 to ``today`` without the placeholder dates),
    ``divisions`` (every GB/T 2260 code ever used, as a number, sorted) with ``until`` (the last year
    each was in use, ``9999`` while in use), and ``ethnic`` (which two-digit numbers are GB/T 3304 codes)."""

    dates: np.ndarray
    divisions: np.ndarray
    until: np.ndarray
    ethnic: np.ndarray

    @classmethod
    def build(cls, *, divisions: Divisions, today: datetime.date) -> "Tables":
        days = np.arange(np.datetime64("1880-01-01"), np.datetime64(today) + 1, dtype="datetime64[D]")
        months = days.astype("datetime64[M]")
        numbers = (
            (days.astype("datetime64[Y]").astype(np.int64) + 1970) * 10_000
            + (months.astype(np.int64) % 12 + 1) * 100
            + (days - months).astype(np.int64)
            + 1
        )
        placeholders = [int(day.strftime("%Y%m%d")) for day in PLACEHOLDER_DATES]
        dates = numbers[~np.isin(numbers, placeholders)]
        codes = sorted(code for code in divisions.codes if len(code) == 6 and code.isascii() and code.isdigit())
        until = [_UNTIL_NOW if divisions.until.get(code) is None else divisions.until[code] for code in codes]
        ethnic = np.zeros(100, dtype=bool)
        ethnic[[int(code) for code in ETHNIC_GROUPS if len(code) == 2 and code.isdigit()]] = True
        return cls(
            dates=dates,
            divisions=np.array([int(code) for code in codes], dtype=np.int64),
            until=np.array(until, dtype=np.int64),
            ethnic=ethnic,
        )


def _found(table: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(found, position)`` of ``values`` in the sorted ``table``."""
    if not len(table):
        return np.zeros(len(values), dtype=bool), np.zeros(len(values), dtype=np.int64)
    position = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return table[position] == values, position


class Scan:
    """One block of lines checked: ``clean`` (per line: it passed every check here), ``keys`` (per
    line: the first 17 digits of its ID number as a number — meaningful where ``clean``). The block's
    bytes become the COPY text of the clean lines by ``copy_text``.

    Args:
        block: whole lines of the file's body, each ending in a line break (the last one too).
        columns: the file's number of columns, 7 (no status) or 8.
        tables: ``Tables.build(…)``.
        ends: the positions of the block's line breaks, when the caller has them.
    """

    def __init__(self, block, *, columns: int, tables: Tables, ends: np.ndarray | None = None):
        buf = np.frombuffer(block, dtype=np.uint8).copy()  # written over by ``copy_text``
        if ends is None:
            ends = np.flatnonzero(buf == _NEWLINE)
        starts = np.empty_like(ends)
        starts[:1], starts[1:] = 0, ends[:-1] + 1
        self.buf, self.ends, self.starts, self.columns = buf, ends, starts, columns
        lines = len(ends)
        commas = np.flatnonzero(buf == _COMMA)
        before = np.searchsorted(commas, ends)  # commas before each line's end
        width = np.diff(before, prepend=0) == columns - 1
        # A tab, backslash or other control character (not the line break) needs escaping or is
        # unusual: row by row.
        low = np.flatnonzero((buf < 32) | (buf == _BACKSLASH))
        if len(low) != lines:
            odd = low[buf[low] != _NEWLINE]
            width[np.searchsorted(ends, odd)] = False
        lines_in = np.flatnonzero(width)
        self.clean = np.zeros(lines, dtype=bool)
        self.keys = np.zeros(lines, dtype=np.int64)
        self.commas = np.zeros((lines, columns - 1), dtype=np.int64)
        self._lines_in = lines_in
        if not len(lines_in):
            return
        top = len(buf) - 1
        comma = commas[(before[lines_in] - (columns - 1))[:, None] + np.arange(columns - 1)]
        first = np.concatenate([starts[lines_in][:, None], comma + 1], axis=1)  # each field's first byte
        after = np.concatenate([comma, ends[lines_in][:, None]], axis=1)  # the byte after it
        size = after - first

        def at(positions, shift=0):
            return buf[np.minimum(positions + shift, top)]

        # The ID number: 18 bytes, 17 digits and the check character.
        ids = buf[np.minimum(first[:, :1] + _ID_BYTES, top)]
        digits = ids[:, :17] - 48  # uint8: any other byte wraps round to 10 or more
        ok = (size[:, 0] == 18) & (digits < 10).all(axis=1)
        digits = digits.astype(np.int64)
        ok &= ids[:, 17] == _CHECKS[(digits @ _WEIGHTS) % 11]
        born = digits[:, 6:14] @ _DATE_POWERS
        known, _ = _found(tables.dates, born)
        ok &= known
        known, position = _found(tables.divisions, digits[:, :6] @ _DIVISION_POWERS)
        ok &= known & (tables.until[position] >= born // 10_000)
        male = (digits[:, 16] & 1) == 1
        # Sex: one byte or 男/女, as the ID's 17th digit says.
        sex0, sex1, sex2 = at(first[:, 2]), at(first[:, 2], 1), at(first[:, 2], 2)
        cjk = size[:, 2] == 3
        said_male = ((size[:, 2] == 1) & np.isin(sex0, _MALE_BYTES)) | (
            cjk & (sex0 == _MALE_CJK[0]) & (sex1 == _MALE_CJK[1]) & (sex2 == _MALE_CJK[2])
        )
        said_female = ((size[:, 2] == 1) & np.isin(sex0, _FEMALE_BYTES)) | (
            cjk & (sex0 == _FEMALE_CJK[0]) & (sex1 == _FEMALE_CJK[1]) & (sex2 == _FEMALE_CJK[2])
        )
        ok &= np.where(male, said_male, said_female)
        # Birth date: the ID's, written YYYY-MM-DD.
        written = buf[np.minimum(first[:, 3:4] + _DATE_BYTES, top)]
        ok &= (size[:, 3] == 10) & (written[:, 4] == 45) & (written[:, 7] == 45)
        ok &= (written[:, [0, 1, 2, 3, 5, 6, 8, 9]] == ids[:, 6:14]).all(axis=1)
        # Ethnicity: empty or a two-digit GB/T 3304 code.
        tens, ones = at(first[:, 4]) - 48, at(first[:, 4], 1) - 48
        ok &= (size[:, 4] == 0) | (
            (size[:, 4] == 2)
            & (tens < 10)
            & (ones < 10)
            & tables.ethnic[np.minimum(tens, 9) * 10 + np.minimum(ones, 9)]
        )
        # Household division: empty or six digits of a code ever used.
        division = buf[np.minimum(first[:, 5:6] + np.arange(6), top)] - 48
        known, _ = _found(tables.divisions, division.astype(np.int64) @ _DIVISION_POWERS)
        ok &= (size[:, 5] == 0) | ((size[:, 5] == 6) & (division < 10).all(axis=1) & known)
        # Name and address: free text that no placeholder or trimmed white space can begin or end.
        ok &= (size[:, 1] >= 1) & (size[:, 1] <= 200) & self._text_plain(first[:, 1], after[:, 1])
        ok &= (size[:, 6] == 0) | ((size[:, 6] <= 300) & self._text_plain(first[:, 6], after[:, 6]))
        self.status = np.ones(len(lines_in), dtype=np.uint8)
        if columns == 8:
            cells = buf[np.minimum(first[:, 7:8] + np.arange(_STATUS_WIDTH), top)]
            self.status[:] = 0
            self.status[size[:, 7] == 0] = 1
            for cell, marker in _STATUS_CELLS.items():
                encoded = np.frombuffer(cell.encode(), dtype=np.uint8)
                self.status[(size[:, 7] == len(encoded)) & (cells[:, : len(encoded)] == encoded).all(axis=1)] = marker
            ok &= self.status > 0
        self.clean[lines_in] = ok
        self.keys[lines_in] = digits[:, :17] @ _KEY_POWERS
        self.commas[lines_in] = comma
        self._lines_in, self._first, self._male, self._sex_size = lines_in, first, male, size[:, 2]

    def _text_plain(self, first: np.ndarray, after: np.ndarray) -> np.ndarray:
        """Per field: no placeholder (``validation.is_placeholder``) and nothing that ``validation``
        trims. Its first character is an ASCII letter or digit that no placeholder begins with, or a
        CJK unified ideograph — one that a placeholder begins with (无锡…) only when followed by another
        that does not continue a placeholder (不详, 未知) —, and its last is not a space, U+3000 or
        U+FEFF (tabs and line breaks are not in clean lines)."""
        points = [self._point(first + 3 * index) for index in (0, 1)]  # the first two characters, if CJK
        lead = self.buf[np.minimum(first, len(self.buf) - 1)]
        letter = lead | 0x20  # an ASCII capital as its small letter
        ascii_ok = (((lead >= 48) & (lead <= 57)) | ((letter >= 97) & (letter <= 122))) & ~np.isin(lead, _UNSAFE_ASCII)
        placeholder_start = np.isin(points[0], _UNSAFE_CJK)
        cjk_ok = (points[0] > 0) & (
            ~placeholder_start | ((points[1] > 0) & ~np.isin(points[0] * 0x10000 + points[1], _UNSAFE_PAIRS))
        )
        last = self.buf[np.maximum(after - 1, 0)]
        before1, before2 = self.buf[np.maximum(after - 2, 0)], self.buf[np.maximum(after - 3, 0)]
        space = (
            (last == 0x20)
            | ((last == 0x80) & (before1 == 0x80) & (before2 == 0xE3))
            | ((last == 0xBF) & (before1 == 0xBB) & (before2 == 0xEF))
        )
        return (ascii_ok | cjk_ok) & ~space

    def _point(self, at: np.ndarray) -> np.ndarray:
        """The code point of the character whose UTF-8 begins at ``at`` when it is a CJK unified
        ideograph (U+4E00–U+9FFF: three bytes, E4 B8 80 to E9 BF BF), else 0."""
        top = len(self.buf) - 1
        lead, second, third = (self.buf[np.minimum(at + shift, top)].astype(np.int64) for shift in (0, 1, 2))
        point = ((lead & 0x0F) << 12) | ((second & 0x3F) << 6) | (third & 0x3F)
        cjk = (lead >= 0xE4) & (lead <= 0xE9) & ((second & 0xC0) == 0x80) & ((third & 0xC0) == 0x80)
        return np.where(cjk & (point >= 0x4E00) & (point <= 0x9FFF), point, 0)

    def copy_text(self, keep: np.ndarray, line_end: bytes) -> bytes:
        """The COPY text (PostgreSQL text format) of the lines where ``keep`` (clean lines only): the
        register's columns ``id_number, name, sex, birth_date, ethnicity, household_division, address,
        status``, then ``line_end`` (the import's other columns and the line break) after each line.
        Rewrites the block's bytes: call once."""
        if not keep.any():
            return b""
        buf, inside = self.buf, np.flatnonzero(keep[self._lines_in])
        first, lines = self._first[inside], self._lines_in[inside]
        out = np.repeat(keep, self.ends - self.starts + 1)  # the bytes kept
        buf[self.commas[lines]] = _TAB  # the separators of kept lines
        sex = first[:, 2]
        buf[sex] = np.where(self._male[inside], ord("M"), ord("F"))
        three = sex[self._sex_size[inside] == 3]
        out[three + 1] = out[three + 2] = False  # 男 and 女 are three bytes, M and F one
        if self.columns == 8:  # the status cell goes; a marker byte in place of the comma before it
            buf[first[:, 7] - 1] = self.status[inside]
            width = self.ends[lines] - first[:, 7]
            cells = first[:, 7:8] + np.arange(_STATUS_WIDTH)
            out[cells[np.arange(_STATUS_WIDTH) < width[:, None]]] = False
            text = buf[out].tobytes()
            for marker, status in enumerate(_STATUSES, 1):
                text = text.replace(bytes([marker, _NEWLINE]), f"\t{status}".encode() + line_end)
            return text
        return buf[out].tobytes().replace(b"\n", b"\tnormal" + line_end)


def blocks(body, *, first: int, rows: int) -> Iterator[tuple[memoryview, np.ndarray]]:
    """The lines of ``body`` (bytes ending in a line break) by blocks: ``first`` lines, then ``rows``
    at a time (the last block what is left); each block as ``(its bytes, the positions of its line
    breaks in them)``."""
    view = np.frombuffer(body, dtype=np.uint8)
    body = memoryview(body)
    position, want, width = 0, first, 128.0  # width: the bytes a line is guessed to take
    while position < len(view):
        window = int(want * width * 1.25) + 256
        while True:
            ends = np.flatnonzero(view[position : position + window] == _NEWLINE)
            if len(ends) >= want or position + window >= len(view):
                break
            window *= 2
        ends = ends[:want]
        end = int(ends[-1]) + 1
        yield body[position : position + end], ends
        position, want, width = position + end, rows, end / len(ends)


class Seen:
    """The identifiers taken so far in a file, as the numbers ``Scan.keys`` gives, with the row each
    was taken on, so that a repeat is reported with the row it repeats (``duplicate_in_file``).
    Sorted arrays: a million identifiers in 16 MB."""

    def __init__(self):
        self.keys = np.empty(0, dtype=np.int64)
        self.rows = np.empty(0, dtype=np.int64)

    def take(self, keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Take the rows of a block: per row, 0 when its key is taken now (not taken before, and
        the first of the block's rows with that key), else the row that took the key first.

        Args:
            keys: the rows' keys (``Scan.keys``, ``resident_key``).
            rows: the rows' numbers in the file, each once, in any order.
        """
        order = np.lexsort((rows, keys))  # by key, then by row
        keys, rows = keys[order], rows[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        earlier = np.zeros(len(keys), dtype=np.int64)
        if len(self.keys):
            found, position = _found(self.keys, keys)
            earlier[found] = self.rows[position[found]]
        group = np.maximum.accumulate(np.where(first, np.arange(len(keys)), 0))
        repeated = np.where(earlier > 0, earlier, np.where(first, 0, rows[group]))
        taken = repeated == 0
        at = np.searchsorted(self.keys, keys[taken])
        self.keys, self.rows = np.insert(self.keys, at, keys[taken]), np.insert(self.rows, at, rows[taken])
        result = np.empty_like(repeated)
        result[order] = repeated
        return result


def resident_key(number: str) -> int:
    """An ID number as accepted by ``resident_id_check`` (18 characters) as ``Scan.keys`` gives it:
    its first 17 digits, which decide the check character."""
    return int(number[:17])
