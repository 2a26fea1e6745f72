"""Macro-economic data (宏观经济数据): indicators, a messy file's figures imported with the bad rows'
reasons, revisions kept as versions, the command (real PostgreSQL or SQLite, real files)."""

import datetime
import io
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from openpyxl import Workbook

from egov.audit.models import AuditEvent
from egov.core.actors import SYSTEM
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.orgs.roles import Role
from egov.registries.actions import indicator_define, indicator_values_import
from egov.registries.models import IndicatorValue, RecordVersion
from egov.registries.selectors import indicator_value_versions

TODAY = datetime.date(2026, 12, 4)

# Row numbers as in the file (the header is row 1). Full-width digits are ０-９ (U+FF10…).
MESSY_CSV = (
    "\ufeff 指标代码 ,行政区划代码,统计时期,数值,单位,数据状态\n"
    "GDP,320200,2023,15456.19,亿元,最终核实\n"  # 2: fine
    "地区生产总值, 320213 ,２０２３年,1456.2,亿元,\n"  # 3: fine: name, spaces, full-width year; 初步
    "gdp,320281,2023,49500000,万元,最终\n"  # 4: fine: 4,950,0000 万元 = 4950 亿元
    "GDP,320200000000,2024年第一季度,3800.5,亿元,初步核算\n"  # 5: fine: 12-digit code, a quarter
    "POP_RESIDENT,320200,2023年12月,7495000,人,\n"  # 6: fine: a month; 7,495,000 人 = 749.5 万人
    "GDP,320213,2023,1500,亿元,最终\n"  # 7: duplicate of row 3
    "GDP,320299,2023,1,亿元,\n"  # 8: never a division code
    "GDP,320200,2022,N/A,亿元,\n"  # 9: placeholder value
    "GDP,320200,2022,约1.5万,亿元,\n"  # 10: not a number
    "GDP,320200,2023-13,1,亿元,\n"  # 11: month 13
    "GDP,320200,2027,1,亿元,\n"  # 12: not begun on 2026-12-04
    "CPI,320200,2023,102.1,%,\n"  # 13: no such indicator
    "GDP,320200,2021,750,万人,\n"  # 14: people are not money
    "GDP,320200,2021,1.23456,亿元,\n"  # 15: 5 decimal places
    "GDP,320200,2021,14003.24,亿元,估计\n"  # 16: status neither 初步 nor 最终
    ",,,,,\n"  # a blank line: not counted
)


@pytest.fixture
def steward(city, make_staff):
    return make_staff(city, [Role.DATA_STEWARD])


@pytest.fixture
def indicators(db):
    gdp = indicator_define(
        actor=SYSTEM,
        code="GDP",
        name="地区生产总值",
        name_en="Gross regional product",
        unit="亿元",
        unit_en="100 million yuan",
        source="无锡市统计局",
    )
    population = indicator_define(
        actor=SYSTEM,
        code="POP_RESIDENT",
        name="年末常住人口",
        name_en="Resident population at year end",
        unit="万人",
        unit_en="10,000 persons",
        source="无锡市统计局",
    )
    return gdp, population


def load(actor, text: str, name="figures.csv"):
    return indicator_values_import(actor=actor, content=text.encode("utf-8"), file_name=name, today=TODAY)


def test_a_messy_file_keeps_what_is_valid_and_names_each_bad_row(steward, indicators):
    batch = load(steward, MESSY_CSV)
    assert batch.counts == {"read": 15, "imported": 5, "unchanged": 0, "rejected": 10, "flagged": 0}
    assert [(row["row"], row["field"], row["rule"]) for row in batch.rejected] == [
        (7, "period", "duplicate_in_file"),
        (8, "division", "division_code"),
        (9, "value", "placeholder"),
        (10, "value", "number"),
        (11, "period", "format"),
        (12, "period", "future"),
        (13, "indicator", "unknown"),
        (14, "unit", "unit"),
        (15, "value", "precision"),
        (16, "status", "choice"),
    ]
    assert batch.rejected[0]["reason"] == "第 3 行已有相同的指标、行政区划和统计时期。"
    stored = {
        (v.indicator.code, v.division, v.period): (v.value, v.period_kind, v.status)
        for v in IndicatorValue.objects.select_related("indicator")
    }
    assert stored == {
        ("GDP", "320200", "2023"): (Decimal("15456.1900"), "year", "final"),
        ("GDP", "320213", "2023"): (Decimal("1456.2000"), "year", "preliminary"),
        ("GDP", "320281", "2023"): (Decimal("4950.0000"), "year", "final"),
        ("GDP", "320200", "2024Q1"): (Decimal("3800.5000"), "quarter", "preliminary"),
        ("POP_RESIDENT", "320200", "2023-12"): (Decimal("749.5000"), "month", "preliminary"),
    }
    assert IndicatorValue.objects.filter(source="figures.csv").count() == 0  # the steward's organization
    event = AuditEvent.objects.get(action="registries.economic.import")
    assert event.changes["counts"]["imported"] == 5


def test_the_same_file_again_changes_nothing_and_a_revision_is_a_version(steward, indicators):
    load(steward, MESSY_CSV)
    again = load(steward, MESSY_CSV)
    assert (again.counts["imported"], again.counts["unchanged"]) == (0, 5)
    assert not RecordVersion.objects.exists()
    # 最终核实: 2023's 梁溪区 figure revised from 1456.2 (初步) to 1460.05 (最终).
    revised = load(steward, "指标代码,行政区划代码,统计时期,数值,数据状态\nGDP,320213,2023,1460.05,最终核实数\n")
    assert revised.counts == {"read": 1, "imported": 1, "unchanged": 0, "rejected": 0, "flagged": 0}
    value = IndicatorValue.objects.get(division="320213", period="2023")
    assert (value.value, value.status, value.version) == (Decimal("1460.0500"), "final", 2)
    [version] = indicator_value_versions(value=value)
    assert version.number == 2
    assert version.changes == {"value": ["1456.2000", "1460.0500"], "status": ["preliminary", "final"]}
    assert version.data["value"] == "1456.2000"


def test_figures_from_xlsx_with_english_headers(steward, indicators):
    book = Workbook()
    sheet = book.active
    sheet.append(["indicator", "division", "period", "value", "unit", "status", "source"])
    sheet.append(["Gross regional product", 320205, 2022, 1250.5, "亿元", "final", "锡山区统计局"])
    sheet.append(["GDP", 320205, "2022Q4", 380, "亿元", "preliminary", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = indicator_values_import(actor=steward, content=buffer.getvalue(), file_name="gdp.xlsx", today=TODAY)
    assert batch.counts["imported"] == 2, batch.rejected
    annual = IndicatorValue.objects.get(period="2022")
    assert (annual.division, annual.value, annual.source) == ("320205", Decimal("1250.5000"), "锡山区统计局")


def test_only_a_data_steward_imports_and_a_file_needs_its_columns(city, make_staff, steward, indicators):
    with pytest.raises(PermissionDenied):
        load(make_staff(city, [Role.CLERK]), MESSY_CSV)
    with pytest.raises(ValidationFailed) as caught:
        load(steward, "指标代码,统计时期,数值\nGDP,2023,1\n")
    assert (caught.value.extra["rule"], caught.value.extra["column"]) == ("header", "division")
    assert not IndicatorValue.objects.exists()


def test_an_indicator_with_values_keeps_its_unit(steward, indicators):
    load(steward, MESSY_CSV)
    with pytest.raises(ValidationFailed) as caught:
        indicator_define(actor=SYSTEM, code="GDP", name="地区生产总值", unit="万元", source="无锡市统计局")
    assert caught.value.extra == {"field": "unit", "rule": "has_values"}


@pytest.mark.django_db(transaction=True)
def test_the_command_defines_imports_and_prints_counts_last(tmp_path, reference_data):
    import os

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the command runs in another process, which cannot see SQLite's in-memory test database")
    env = {
        **os.environ,
        "EGOV_ENV": "test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/" + connection.settings_dict["NAME"],
    }
    definitions = tmp_path / "indicators.json"
    definitions.write_text(
        json.dumps(
            [{"code": "GDP", "name": "地区生产总值", "unit": "亿元", "source": "无锡市统计局"}], ensure_ascii=False
        ),
        encoding="utf-8",
    )
    figures = tmp_path / "figures.csv"
    figures.write_text(
        "指标代码,行政区划代码,统计时期,数值\nGDP,320200,2023,15456.19\nGDP,320200,2023,1\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "egov.cli", "registries", "define-indicators", str(definitions)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "egov.cli", "registries", "import", "indicators", str(figures)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert {key: last[key] for key in ("read", "imported", "rejected")} == {"read": 2, "imported": 1, "rejected": 1}
    assert "duplicate_in_file" in (tmp_path / "figures.csv.report.csv").read_text(encoding="utf-8-sig")
