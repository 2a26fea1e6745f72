"""The bulk extract's PostgreSQL path (``SqlAdapter.extract_text`` + ``rows_convert_text``): the
database writes integers, numerics, dates and booleans as the exchange's text, and the result is the
one the Python converters give (``rows_convert``), row for row, problems included."""

import os

import psycopg
import pytest

from egov.exchange.adapters import SqlAdapter, plan_make, rows_convert, rows_convert_text
from egov.exchange.tests.harness import admin, database_url

MAPPING = {"id_number": "sfzh", "name": "xm", "birth_date": "csrq", "household_size": "hnrs", "allowance": "btje",
           "registered": "hjbz"}
TYPES = {"id_number": "C", "name": "C", "birth_date": "D", "household_size": "I", "allowance": "Y", "registered": "L"}
FIELDS = list(MAPPING)


@pytest.fixture(scope="module")
def source():
    base = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or \
        "postgres://postgres@127.0.0.1:5432/egov"
    name = f"egov_extract_text_{os.getpid()}"
    admin(base, f'CREATE DATABASE "{name}"')
    url = database_url(base, name)
    with psycopg.connect(url) as conn:
        conn.execute("""CREATE TABLE rk (sfzh VARCHAR(18) PRIMARY KEY, xm TEXT, csrq DATE, hnrs INTEGER,
                                         btje NUMERIC(12, 2), hjbz BOOLEAN)""")
        conn.execute("""INSERT INTO rk VALUES ('01', '  ', NULL, NULL, NULL, NULL), ('02', '甲', '0999-01-02', -5,
            -0.5, false), ('03', 'x', '2026-12-31', 2147483647, 'NaN', true), ('04', 'y', '1900-02-28', 0,
            9999999999.99, true), ('05', '', '2000-01-01', 1, 0, false), ('06', '　', '2026-02-28', 3, 12.3, true)""")
        conn.execute("""INSERT INTO rk SELECT 'k' || lpad(i::text, 5, '0'), '居民' || i, DATE '1950-01-01' + i,
                        i % 7, i / 100.0, i % 2 = 0 FROM generate_series(1, 2000) AS i""")
    yield SqlAdapter(resource="320200-GA-0002", url=url, table="rk", key_column="sfzh",
                     columns=list(MAPPING.values()))
    admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _text(adapter, after, limit):
    rows, converters, key_at, cursor = adapter.extract_text(after, limit, [(MAPPING[f], TYPES[f]) for f in FIELDS])
    return (*rows_convert_text(rows, converters, FIELDS, [TYPES[f] for f in FIELDS], key_at=key_at), cursor)


def test_the_database_writes_the_exchange_text(source):
    good, problems, cursor = _text(source, None, 6)
    # Worked by hand from the rows above: blank text (also U+3000) is null, numeric keeps its scale,
    # a year before 1000 has four digits, NaN is not a Y 货币型 value.
    assert good == [["01", None, None, None, None, None],
                    ["02", "甲", "0999-01-02", "-5", "-0.50", "false"],
                    ["04", "y", "1900-02-28", "0", "9999999999.99", "true"],
                    ["05", None, "2000-01-01", "1", "0.00", "false"],
                    ["06", None, "2026-02-28", "3", "12.30", "true"]]
    assert [p.as_json() for p in problems] == [{"row": "03", "item": "allowance", "reason": "not of type Y"}]
    assert cursor == "06"


def test_every_page_is_what_the_python_converters_give(source):
    after, pages = None, 0
    while True:
        names, rows, cursor = source.extract_rows(after, 300)
        plan = plan_make(mapping=MAPPING, types=TYPES, fields=FIELDS, columns=names)
        assert _text(source, after, 300) == (*rows_convert(rows, plan, key_at=names.index("sfzh")), cursor)
        pages, after = pages + 1, cursor
        if after is None:
            break
    assert pages == 7  # 2,006 rows, 300 a page


def test_a_page_read_ahead_is_handed_over_once_and_dropped_when_old():
    import threading

    from egov.exchange.resource_sources import ReadAhead

    ahead = ReadAhead(size=2, ttl=0.5)
    reads = []
    gate = threading.Event()

    def read(n):
        def work():
            gate.wait(5)
            reads.append(n)
            return n
        return work

    ahead.start(("rk", "after-1"), read(1))
    ahead.start(("rk", "after-1"), read(99))  # being read already: not read twice
    gate.set()
    assert ahead.take(("rk", "after-1")).result() == 1
    assert ahead.take(("rk", "after-1")) is None  # handed over once
    for n in (2, 3, 4):  # at most two kept: the oldest goes
        ahead.start(("rk", f"after-{n}"), read(n))
    assert ahead.take(("rk", "after-2")) is None and ahead.take(("rk", "after-4")).result() == 4
    import time

    time.sleep(0.6)
    assert ahead.take(("rk", "after-3")) is None  # older than ttl
    assert 99 not in reads


# --- the CSV page (SqlAdapter.extract_csv): written by PostgreSQL's COPY, no value through Python ----

WANTED = [(f, MAPPING[f], TYPES[f]) for f in FIELDS]


def test_the_csv_page_of_a_hand_made_table(source):
    body, lines, cursor = source.extract_csv(None, 6, WANTED)
    # Worked by hand from the six rows above (the same cells as test_the_database_writes_the_exchange_text):
    # 03's NaN allowance is a problem row (key and item, no value); the page is full, so its last
    # line carries the key that is the next cursor; a missing value is an empty cell.
    assert body.decode() == (
        "id_number,name,birth_date,household_size,allowance,registered,_row,_problem\n"
        "01,,,,,,,\n"
        "02,甲,0999-01-02,-5,-0.50,false,,\n"
        ",,,,,,03,allowance\n"
        "04,y,1900-02-28,0,9999999999.99,true,,\n"
        "05,,2000-01-01,1,0.00,false,,\n"
        "06,,2026-02-28,3,12.30,true,06,\n")
    assert (lines, cursor) == (6, "06")
    # A page that is not full: no cursor, and the last line's _row stays empty (the key is not shown).
    body, lines, cursor = source.extract_csv("k01995", 100, WANTED[1:3])
    assert body.decode().splitlines() == ["name,birth_date,_row,_problem", "居民1996,1955-06-20,,",
                                          "居民1997,1955-06-21,,", "居民1998,1955-06-22,,", "居民1999,1955-06-23,,",
                                          "居民2000,1955-06-24,,"]
    assert (lines, cursor) == (5, None)


def _csv_read(body: bytes, fields: list[str]):
    import csv
    import io

    from egov.exchange.adapters import Problem

    rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert rows[0] == [*fields, "_row", "_problem"]
    good = [[value or None for value in row[:-2]] for row in rows[1:] if not row[-1]]
    problems = [Problem(row[-2], row[-1], f"not of type {TYPES[row[-1]]}") for row in rows[1:] if row[-1]]
    return good, problems


def test_every_csv_page_is_what_the_python_converters_give(source):
    after, pages = None, 0
    while True:
        names, rows, cursor = source.extract_rows(after, 300)
        plan = plan_make(mapping=MAPPING, types=TYPES, fields=FIELDS, columns=names)
        body, lines, csv_cursor = source.extract_csv(after, 300, WANTED)
        assert (*_csv_read(body, FIELDS), csv_cursor) == (*rows_convert(rows, plan, key_at=names.index("sfzh")),
                                                          cursor)
        assert lines == len(rows)
        pages, after = pages + 1, cursor
        if after is None:
            break
    assert pages == 7


def test_items_the_database_cannot_write_are_left_to_the_json_page(source):
    # hnrs (INTEGER) read as a B 浮点型 item is converted in Python (repr of a float): no CSV page.
    assert source.extract_csv(None, 10, [("household_size", "hnrs", "B")]) is None


def test_the_cursor_is_read_from_a_last_line_with_quotes():
    from egov.exchange.adapters import csv_last_row

    assert csv_last_row(b"a,_row,_problem\n") is None
    assert csv_last_row(b"a,_row,_problem\nx,k1,\n") == "k1"
    assert csv_last_row(b"a,_row,_problem\nx,,\n") is None
    assert csv_last_row(b'a,_row,_problem\n"two\nlines","k,2",\n') == "k,2"


def test_a_date_before_year_one_is_a_problem_and_a_cell_starting_blank_is_read_whole(source):
    # Dates are written as the date's own text under DateStyle ISO (no longer by to_char, which wrote
    # 44 BC as "0044-03-15", a wrong date); Python's date cannot hold a year before 1, so the row is
    # a problem as the JSON page's converter makes it. A cell that starts with a blank but holds
    # more is kept as stored (the blank check only looks closer at cells that start blank).
    with psycopg.connect(source.url) as conn:
        conn.execute("CREATE TABLE rk_bc (sfzh VARCHAR(18) PRIMARY KEY, xm TEXT, csrq DATE)")
        conn.execute("""INSERT INTO rk_bc VALUES ('a', 'x', '0044-03-15 BC'), ('b', ' 甲 ', '0001-01-01'),
                        ('c', E'\\u3000\\t', '2026-12-06')""")
    adapter = SqlAdapter(resource="320200-GA-0002", url=source.url, table="rk_bc", key_column="sfzh",
                         columns=["sfzh", "xm", "csrq"])
    body, lines, cursor = adapter.extract_csv(None, 10, [("id_number", "sfzh", "C"), ("name", "xm", "C"),
                                                         ("birth_date", "csrq", "D")])
    assert body.decode() == ("id_number,name,birth_date,_row,_problem\n"
                             ",,,a,birth_date\n"
                             "b, 甲 ,0001-01-01,,\n"
                             "c,,2026-12-06,,\n")
    assert (lines, cursor) == (3, None)
