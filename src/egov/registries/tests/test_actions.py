"""Imports into the registers: bad rows rejected with their reasons, the rest kept, versions, as-of
reads, permissions and audit (real PostgreSQL or SQLite, real files)."""

import datetime
import io
import json
import subprocess
import sys

import pytest
from django.utils import timezone
from openpyxl import Workbook

from egov.audit.models import AuditEvent
from egov.core.actors import SYSTEM
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.orgs.roles import Role
from egov.registries.actions import record_full_view, register_import
from egov.registries.models import LegalEntityRecord, PopulationRecord, RecordVersion
from egov.registries.selectors import masked, record_as_of, record_search, record_versions
from egov.registries.tests.test_validation import (
    CHAOYANG_WOMAN,
    CHONGWEN_2012,
    ENTERPRISE,
    IMPOSSIBLE_PAIR,
    LIANGXI_MAN,
)

TODAY = datetime.date(2026, 12, 4)

POPULATION_CSV = (
    "\ufeff公民身份号码,姓名,性别,出生日期,民族,户籍地行政区划代码,住址\n"
    f"{LIANGXI_MAN},张三,男,1990-03-07,汉族,320213,无锡市梁溪区中山路1号\n"          # row 2: fine
    f"{CHAOYANG_WOMAN.lower()} , 李四 ,女,,01,110105,\n"                            # row 3: fine (x, spaces)
    f"{LIANGXI_MAN[:17]}4,王五,男,,,,\n"                                          # row 4: check character
    f"{CHONGWEN_2012},赵六,男,2012-03-15,,110101,\n"                              # row 5: kept, flagged
    "320213199003071241,N/A,男,,,,\n"                                            # row 6: placeholder name
    f"{LIANGXI_MAN},张三,男,1990-03-07,汉族,320213,\n"                               # row 7: duplicate of row 2
    "320213199003071241,钱七,男,,,,\n"                                            # row 8: sex disagrees
)
# 320213199003071241: as LIANGXI_MAN but sequence 124, Σ = 218 − 3×2 + 4×2 = 220; 220 mod 11 = 0 → "1";
# its 17th digit 4 is even: a woman, so 男 in the sex column disagrees.


@pytest.fixture
def steward(city, make_staff):
    return make_staff(city, [Role.DATA_STEWARD])


def run_import(actor, text: str, register="population", name="people.csv"):
    return register_import(actor=actor, register=register, content=text.encode("utf-8"), file_name=name,
                           today=TODAY)


def test_bad_rows_are_rejected_with_row_and_reason_and_the_rest_kept(steward):
    batch = run_import(steward, POPULATION_CSV)
    assert batch.counts == {"read": 7, "imported": 3, "unchanged": 0, "rejected": 4, "flagged": 1}
    assert [(row["row"], row["field"], row["rule"]) for row in batch.rejected] == [
        (4, "id_number", "check_character"), (6, "name", "placeholder"), (7, "id_number", "duplicate_in_file"),
        (8, "sex", "mismatch")]
    assert [(row["row"], row["rule"]) for row in batch.flagged] == [(5, "division_abolished_before_birth")]
    assert set(PopulationRecord.objects.values_list("id_number", flat=True)) == {
        LIANGXI_MAN, CHAOYANG_WOMAN, CHONGWEN_2012}
    person = PopulationRecord.objects.get(id_number=CHAOYANG_WOMAN)
    assert (person.name, person.sex, person.birth_date) == ("李四", "F", datetime.date(1949, 12, 31))
    assert PopulationRecord.objects.get(id_number=CHONGWEN_2012).review_reason == "division_abolished_before_birth"
    event = AuditEvent.objects.get(action="registries.population.import")
    assert event.actor_id == steward.pk and event.changes["counts"]["imported"] == 3


def test_the_same_file_again_changes_nothing(steward):
    run_import(steward, POPULATION_CSV)
    batch = run_import(steward, POPULATION_CSV)
    assert batch.counts["imported"] == 0 and batch.counts["unchanged"] == 3
    # Creations are version 1 on the rows themselves; nothing changed, so no version row at all.
    assert RecordVersion.objects.count() == 0
    assert set(PopulationRecord.objects.values_list("version", flat=True)) == {1}


def test_a_change_is_a_new_version_readable_as_of_a_date(steward, make_staff, city):
    run_import(steward, POPULATION_CSV)
    PopulationRecord.objects.filter(id_number=LIANGXI_MAN).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 1, 5)))
    changed = "公民身份号码,姓名,住址,状态\n" f"{LIANGXI_MAN},张三,无锡市滨湖区太湖大道2号,迁出\n"
    batch = run_import(steward, changed)
    assert batch.counts["imported"] == 1
    versions = record_versions(register="population", key=LIANGXI_MAN)
    assert [version.number for version in versions] == [1, 2]
    assert versions[1].changes == {"address": ["无锡市梁溪区中山路1号", "无锡市滨湖区太湖大道2号"],
                                   "ethnicity": ["01", ""], "household_division": ["320213", ""],
                                   "status": ["normal", "moved_out"]}
    assert versions[1].actor_id == steward.pk and versions[0].actor_id == steward.pk
    assert versions[1].data["address"] == "无锡市梁溪区中山路1号"  # the row as it was before the change
    assert record_as_of(register="population", key=LIANGXI_MAN, when=datetime.date(2026, 1, 4)) is None
    assert record_as_of(register="population", key=LIANGXI_MAN,
                        when=datetime.date(2026, 1, 5))["address"] == "无锡市梁溪区中山路1号"
    assert record_as_of(register="population", key=LIANGXI_MAN, when=timezone.localdate())["status"] == "moved_out"
    assert PopulationRecord.objects.get(id_number=LIANGXI_MAN).version == 2


def test_entities_from_xlsx(steward):
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "名称", "类型", "法定代表人", "注册资本", "成立日期", "住所", "登记状态"])
    sheet.append([ENTERPRISE, "无锡示例科技有限公司", "有限责任公司", "王建国", "500万元",
                  datetime.datetime(2016, 5, 3), "无锡市梁溪区", "存续"])
    sheet.append([IMPOSSIBLE_PAIR, "无锡不可能有限公司", "", "", "", "", "", ""])
    sheet.append([ENTERPRISE[:17] + "3", "校验错误有限公司", "", "", "", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = register_import(actor=steward, register="legal_entity", content=buffer.getvalue(),
                            file_name="entities.xlsx", today=TODAY)
    assert batch.counts == {"read": 3, "imported": 1, "unchanged": 0, "rejected": 2, "flagged": 0}
    assert [(row["row"], row["rule"]) for row in batch.rejected] == [(3, "authority_type_pair"),
                                                                     (4, "check_character")]
    entity = LegalEntityRecord.objects.get()
    assert (entity.uscc, entity.division, entity.established_on) == (ENTERPRISE, "320213", datetime.date(2016, 5, 3))


def test_only_a_data_steward_imports(city, make_staff):
    clerk = make_staff(city, [Role.CLERK])
    with pytest.raises(PermissionDenied):
        run_import(clerk, POPULATION_CSV)
    assert not PopulationRecord.objects.exists()


def test_a_file_without_the_identifier_column_imports_nothing(steward):
    with pytest.raises(ValidationFailed) as caught:
        run_import(steward, "姓名,住址\n张三,无锡\n")
    assert caught.value.extra["rule"] == "header"


def test_lists_are_masked_and_full_views_are_audited_for_granted_roles(steward, city, make_staff):
    run_import(steward, POPULATION_CSV)
    clerk = make_staff(city, [Role.CLERK])
    [row] = record_search(actor=clerk, register="population", query=LIANGXI_MAN.replace("3", "３"))
    shown = masked("population", row)
    assert (shown["id_number"], shown["name"]) == ("3202**********1233", "张*")
    with pytest.raises(PermissionDenied):
        record_full_view(actor=clerk, register="population", record=row)
    record_full_view(actor=steward, register="population", record=row)
    event = AuditEvent.objects.get(action="registries.population.read")
    assert (event.actor_id, event.object_id) == (steward.pk, str(row.pk))
    assert AuditEvent.objects.filter(action="registries.population.search", actor_id=clerk.pk).count() == 1
    outsider = make_staff(city, [])
    with pytest.raises(PermissionDenied):
        record_search(actor=outsider, register="population", query=LIANGXI_MAN)


def test_the_match_rule_never_keys_on_a_name(settings, steward):
    from django.core.exceptions import ImproperlyConfigured

    settings.EGOV_REGISTRY_MATCH = {"population": {"key": "name"}}
    with pytest.raises(ImproperlyConfigured):
        run_import(steward, POPULATION_CSV)


def test_a_confirm_field_that_differs_flags_the_row(settings, steward):
    settings.EGOV_REGISTRY_MATCH = {"population": {"key": "id_number", "confirm": ["name"]}}
    run_import(steward, POPULATION_CSV)
    batch = run_import(steward, f"公民身份号码,姓名\n{CHAOYANG_WOMAN},李丽\n")
    assert [(row["row"], row["rule"]) for row in batch.flagged] == [(2, "match_confirm_differs")]


@pytest.mark.django_db(transaction=True)
def test_the_command_prints_counts_as_its_last_line_and_exits_2_on_an_unreadable_file(tmp_path, reference_data):
    import os

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the command runs in another process, which cannot see SQLite's in-memory test database")
    env = {**os.environ, "EGOV_ENV": "test",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/" + connection.settings_dict["NAME"]}
    people = tmp_path / "people.csv"
    people.write_text(POPULATION_CSV, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "egov.cli", "registries", "import", "population", str(people)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert {key: last[key] for key in ("read", "rejected", "flagged")} == {"read": 7, "rejected": 4, "flagged": 1}
    assert "check_character" in (tmp_path / "people.csv.report.csv").read_text(encoding="utf-8-sig")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    done = subprocess.run([sys.executable, "-m", "egov.cli", "registries", "import", "population", str(broken)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1


def test_system_imports_name_their_command(db):
    batch = register_import(actor=SYSTEM, actor_label="egov registries import", register="population",
                            content=POPULATION_CSV.encode(), file_name="p.csv", today=TODAY)
    assert batch.counts["imported"] == 3
    assert PopulationRecord.objects.filter(created_label="egov registries import").count() == 3
    [creation] = record_versions(register="population", key=LIANGXI_MAN)
    assert (creation.number, creation.actor_label, creation.source) == (1, "egov registries import", "p.csv")


def test_text_with_backslashes_tabs_and_line_breaks_is_stored_as_written(steward):
    # New rows go in by COPY in its text format, where \, tab, newline and \N mean something: a value
    # holding them must come back as written (a quoted CSV cell may hold a tab or a line break).
    address = "无锡市\\N路\t1号\n2单元\\3室"
    batch = run_import(steward, "公民身份号码,姓名,住址\n" f'{LIANGXI_MAN},张三,"{address}"\n')
    assert batch.counts["imported"] == 1
    person = PopulationRecord.objects.get(id_number=LIANGXI_MAN)
    assert (person.address, person.ethnicity, person.version) == (address, "", 1)
    assert person.created_by_id == steward.pk and person.created_at == person.updated_at
