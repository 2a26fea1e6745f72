"""The fast check of population rows (``PopulationFastCheck``) and the quick CSV split against the
references they shortcut: ``population_row_check`` and ``csv.reader``. The fast path may only
accept what the full check accepts, stored exactly the same; everything else it leaves to the full
check, which words the reason. Messy rows are generated from cells that real exports write."""

import csv
import datetime
import io
import random

import pytest

from egov.core.actors import SYSTEM
from egov.facilities.tabular import _csv_rows
from egov.registries import actions
from egov.registries.actions import register_import
from egov.registries.models import PopulationRecord, RecordVersion
from egov.registries.tests.test_validation import CHAOYANG_WOMAN, CHONGWEN_2012, LIANGXI_MAN
from egov.registries.validation import (
    ID_WEIGHTS,
    Divisions,
    PopulationFastCheck,
    RowRejected,
    population_row_check,
)

TODAY = datetime.date(2026, 12, 4)

# Cells as exports write them, good and bad. 320213199003071241: LIANGXI_MAN with sequence 124
# (even: a woman), check "1" (worked in test_actions). 110103201203150019: 崇文区, abolished 2010,
# born 2012: flagged. 320299…: a code that never existed (check "3", worked in test_validation).
IDS = [LIANGXI_MAN, CHAOYANG_WOMAN, "320213199003071241", CHONGWEN_2012, CHAOYANG_WOMAN.lower(), " " + LIANGXI_MAN,
       "３２０２１３１９９００３０７１２３３", LIANGXI_MAN[:17] + "4", "320299199003071233", "-", "", "N/A",
       "320213202712010012", "32021319900307123"]
NAMES = ["张三", " 李四 ", "\u3000王五", "𠀀𪚥", "N/A", "无", "", "Ｎ/Ａ", "x" * 201, "--"]
SEXES = ["", "男", "女", "1", "M", "f", "2", " 男", "Male", "x", "无", "Ｍ"]
BIRTHS = ["", "1990-03-07", "1949-12-31", "2012-03-15", "1990/3/7", "19900307", "1900-01-01", "N/A",
          "1990-03-08", " 1990-03-07"]
ETHNICITIES = ["", "01", "1", "汉", "汉族", "99", "０１", " 01", "无", "其他", "001"]
DIVISIONS = ["", "320213", "320299", " 320213", "-", "110105", "３２０２１３"]
ADDRESSES = ["", "无锡市梁溪区中山路1号", " 无 ", "N/A", "路" * 301, "a\\b", "\u3000"]
STATUSES = ["", "正常", "死亡", "deceased", "迁出", "Normal", "bogus", " 迁出", "无"]


@pytest.fixture
def divisions(db) -> Divisions:
    return Divisions.load()


def full(cells: dict, divisions: Divisions):
    """The reference: ``(data, review)`` or ``("rejected", field, rule)``."""
    try:
        return population_row_check(cells, divisions=divisions, today=TODAY)
    except RowRejected as error:
        return ("rejected", error.field, error.rule)


def test_the_weights_are_those_of_gb_11643():
    # GB 11643-1999 §8.2, Table: 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
    assert ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def test_a_clean_row_takes_the_fast_path_and_reads_as_the_full_check_reads_it(divisions):
    fast = PopulationFastCheck(divisions=divisions, today=TODAY)
    row = fast(LIANGXI_MAN, "张三", "男", "1990-03-07", "汉族", "320213", "无锡市梁溪区中山路1号")
    assert row == (LIANGXI_MAN, "张三", "M", datetime.date(1990, 3, 7), "1990-03-07", "01", "320213",
                   "无锡市梁溪区中山路1号", "normal")
    # The X check character, ethnicity by its number, status in Chinese.
    assert fast(CHAOYANG_WOMAN, "李四", "女", "", "1", "", "", "死亡")[2:] == (
        "F", datetime.date(1949, 12, 31), "1949-12-31", "01", "", "", "deceased")


def test_the_fast_check_never_accepts_or_stores_differently_from_the_full_check(divisions):
    fast = PopulationFastCheck(divisions=divisions, today=TODAY)
    pick = random.Random(15)
    columns = (IDS, NAMES, SEXES, BIRTHS, ETHNICITIES, DIVISIONS, ADDRESSES, STATUSES)
    taken = 0
    for _ in range(6000):
        # Each cell most often one of the first few of its list (what most files hold), so that rows
        # reach the accepting branches as well as every refusal.
        cells = [pick.choice(values[:4] if pick.random() < 0.8 else values) for values in columns]
        reference = full(dict(zip(PopulationFastCheck.FIELDS, cells, strict=True)), divisions)
        row = fast(*cells)
        if row is None:
            continue
        taken += 1
        data, review = reference  # the full check accepted it …
        assert review == ""  # … without a flag, and stores the same values
        assert data == dict(zip(PopulationFastCheck.FIELDS, (*row[:4], *row[5:]), strict=True))
        assert row[4] == data["birth_date"].isoformat()
    assert taken > 200  # the fast path was really exercised (284 of the 6,000 rows with this seed)


def test_every_check_character_the_fast_path_accepts_is_the_standard_one(divisions):
    fast = PopulationFastCheck(divisions=divisions, today=TODAY)
    for check in "0123456789X":
        number = LIANGXI_MAN[:17] + check
        assert (fast(number, "张三") is not None) == (check == "3")


@pytest.mark.parametrize("text", [
    "a,b,c\n1,2,3\n",
    "a,b,c\n1,2,3",  # no line break at the end
    "a,b,c\n\n1,,3\n\n",  # blank lines
    'a,b,c\n"1,5",2,3\n',  # a quoted comma: csv.reader
    'a,b\n"line\nbreak",2\n',  # a line break inside a cell: csv.reader
    "a,b\r\n1,2\r\n",  # CRLF: csv.reader
    "a, b ,c\n 1 ,2, 3\n",  # spaces are kept for the checks to trim
    "a,b,c\n" + "1,2,3\n" * 15_000 + "1,2\n\n4,5,6,7\n" + "8,9,10\n" * 12_000,  # blocks of one width, and not
])
def test_the_quick_split_reads_as_csv_reader(text):
    assert [list(cells) for cells in _csv_rows(text)] == list(csv.reader(io.StringIO(text, newline="")))


MESSY_CSV = (
    "\ufeff公民身份号码,姓名,性别,出生日期,民族,户籍地行政区划代码,住址\n"
    f"{LIANGXI_MAN},张三,男,1990-03-07,汉族,320213,无锡市梁溪区中山路1号\n"
    f"{CHAOYANG_WOMAN.lower()} , 李四 ,女,,01,110105,\n"
    f"{LIANGXI_MAN[:17]}4,王五,男,,,,\n"
    f"{CHONGWEN_2012},赵六,男,2012-03-15,,110101,\n"
    "320213199003071241,N/A,男,,,,\n"
    "\n"
    f"{LIANGXI_MAN},张三,男,1990-03-07,汉族,320213,\n"
    "320213199003071241,钱七,女,1990-03-07,１,３２０２１３,无\n"
    "320213199003071241,钱七,女,,,,\n"
    "320299199003071233,孙八,男,,,,\n"
    f"{CHAOYANG_WOMAN},周九,女,1900-01-01,,,\n"
    f"{CHAOYANG_WOMAN[:17]}x,吴十,男\n"
)


def imported(text: str) -> tuple:
    batch = register_import(actor=SYSTEM, actor_label="test", register="population", content=text.encode(),
                            file_name="people.csv", source="test", today=TODAY)
    rows = sorted(PopulationRecord.objects.values_list(
        "id_number", "name", "sex", "birth_date", "ethnicity", "household_division", "address", "status",
        "review_reason", "version"))
    return batch.counts, batch.rejected, batch.flagged, rows, RecordVersion.objects.count()


def test_a_messy_file_gives_the_same_counts_reports_and_register_by_both_paths(db, monkeypatch):
    fast_first = imported(MESSY_CSV)
    fast_again = imported(MESSY_CSV.replace("钱七,女,1990-03-07", "钱七改,女,1990-03-07"))  # one changed row
    PopulationRecord.objects.all().delete()
    RecordVersion.objects.all().delete()
    monkeypatch.setattr(actions, "_fast_cells", lambda *args, **kwargs: None)  # the full check for every row
    assert imported(MESSY_CSV) == fast_first
    assert imported(MESSY_CSV.replace("钱七,女,1990-03-07", "钱七改,女,1990-03-07")) == fast_again
    counts, rejected, flagged, rows, versions = fast_first
    # Worked by hand: 11 rows read (2–6 and 8–13; the blank line 7 is none); rows 4 (check character), 6 (placeholder
    # name), 8 (duplicate of 2), 10 (duplicate of 9), 11 (a code that never existed), 12 (placeholder
    # birth date) and 13 (sex disagrees: the ID's 17th digit 2 is even) rejected; row 5 flagged.
    assert counts == {"read": 11, "imported": 4, "unchanged": 0, "rejected": 7, "flagged": 1}
    assert [(row["row"], row["field"], row["rule"]) for row in rejected] == [
        (4, "id_number", "check_character"), (6, "name", "placeholder"), (8, "id_number", "duplicate_in_file"),
        (10, "id_number", "duplicate_in_file"), (11, "id_number", "division_code"),
        (12, "birth_date", "placeholder"), (13, "sex", "mismatch")]
    assert [(row["row"], row["rule"]) for row in flagged] == [(5, "division_abolished_before_birth")]
    assert ("320213199003071241", "钱七", "F", datetime.date(1990, 3, 7), "01", "320213", "", "normal", "", 1) in rows
    # The second time, row 5 is unchanged: counted so, not flagged again.
    assert fast_again[0] == {"read": 11, "imported": 1, "unchanged": 3, "rejected": 7, "flagged": 0}
    assert fast_again[4] == 1  # the changed row's before-image


def test_columns_in_another_order_or_missing_give_the_same_result_by_both_paths(db, monkeypatch):
    # Name first, no birth-date, ethnicity or division column, an extra column the register ignores.
    text = ("姓名,备注,公民身份号码,住址,性别\n"
            f"张三,x,{LIANGXI_MAN},无锡市梁溪区中山路1号,男\n"
            f"李四,,{CHAOYANG_WOMAN},,男\n"  # sex disagrees: rejected
            f"赵六,,{CHONGWEN_2012},,\n")  # flagged
    fast = imported(text)
    PopulationRecord.objects.all().delete()
    monkeypatch.setattr(actions, "_fast_cells", lambda *args, **kwargs: None)
    assert imported(text) == fast
    counts, rejected, flagged, rows, _versions = fast
    assert counts == {"read": 3, "imported": 2, "unchanged": 0, "rejected": 1, "flagged": 1}
    assert [(row["row"], row["field"], row["rule"]) for row in rejected] == [(3, "sex", "mismatch")]
    assert rows[1][:8] == (LIANGXI_MAN, "张三", "M", datetime.date(1990, 3, 7), "", "", "无锡市梁溪区中山路1号",
                           "normal")


# Every row clean (a whole chunk through the fast check), a backslash in a name and an address (the
# COPY text must escape it), and row 5 repeating row 2's number in a later chunk.
CLEAN_CSV = (
    "公民身份号码,姓名,性别,出生日期,民族,户籍地行政区划代码,住址\n"
    f"{LIANGXI_MAN},张\\三,男,1990-03-07,01,320213,a\\b\n"
    f"{CHAOYANG_WOMAN},李四,女,,,,\n"
    "320213199003071241,钱七,女,1990-03-07,汉族,,无锡市梁溪区中山路1号\n"
    f"{LIANGXI_MAN},张三,男,,,,\n"
)


@pytest.mark.parametrize("batch_rows", [2, 4])  # row 5 in a later chunk than row 2, or in the same one
def test_whole_clean_chunks_give_the_same_result_as_the_full_check_and_again_nothing(db, monkeypatch, batch_rows):
    def clean_import() -> tuple:
        batch = register_import(actor=SYSTEM, actor_label="test", register="population", content=CLEAN_CSV.encode(),
                                file_name="people.csv", source="test", today=TODAY, batch_rows=batch_rows)
        rows = sorted(PopulationRecord.objects.values_list(
            "id_number", "name", "sex", "birth_date", "ethnicity", "household_division", "address", "status",
            "review_reason", "version"))
        return batch.counts, batch.rejected, batch.flagged, rows

    first, again = clean_import(), clean_import()
    PopulationRecord.objects.all().delete()
    monkeypatch.setattr(actions, "_fast_cells", lambda *args, **kwargs: None)  # the full check for every row
    assert (clean_import(), clean_import()) == (first, again)
    counts, rejected, flagged, rows = first
    # Worked by hand: rows 2–5 read; row 5 repeats row 2's ID number; rows 2, 3, 4 new.
    assert counts == {"read": 4, "imported": 3, "unchanged": 0, "rejected": 1, "flagged": 0}
    assert [(row["row"], row["field"], row["rule"]) for row in rejected] == [(5, "id_number", "duplicate_in_file")]
    assert flagged == []
    assert (LIANGXI_MAN, "张\\三", "M", datetime.date(1990, 3, 7), "01", "320213", "a\\b", "normal", "", 1) in rows
    assert ("320213199003071241", "钱七", "F", datetime.date(1990, 3, 7), "01", "", "无锡市梁溪区中山路1号",
            "normal", "", 1) in rows
    # The same file again: nothing written, the repeat still rejected.
    assert again[0] == {"read": 4, "imported": 0, "unchanged": 3, "rejected": 1, "flagged": 0}
    assert again[3] == rows
