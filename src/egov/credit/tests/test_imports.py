"""Credit records by import (``imports.records_import``, ``egov credit import``, /staff/credit/import/).

Today is Friday 2025-09-26 on the 2025 schedule (国办发明电〔2024〕12号: 9-28 Sunday worked, 10-01…10-08 off),
as in test_actions; the counts, report lines and dates below are worked by hand from the file.
"""

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from freezegun import freeze_time
from openpyxl import Workbook

from egov.audit.models import AuditEvent
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.credit.imports import records_import
from egov.credit.models import CreditImport, CreditRecord, Kind, Status
from egov.credit.tests.conftest import ENTERPRISE, PERSON, UNKNOWN_ENTERPRISE
from egov.orgs.roles import Role
from egov.orgs.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

FRIDAY = date(2025, 9, 26)
FULL_WIDTH_ENTERPRISE = "９１３２０２１３７６５４３２１ＡＢ２"  # ENTERPRISE typed with full-width digits and letters
BAD_USCC = "913202137654321AB3"  # ENTERPRISE with its check character changed (…AB2 is right)

HEADER = (
    "类别,主体类型,统一社会信用代码/公民身份号码,主体名称,决定文书号,决定日期,严重程度,"
    "法律依据,事实/内容,惩戒/激励措施\n"
)
MESSY = (
    "\ufeff"
    + HEADER
    # row 2: a penalty, the code in full-width characters, a date in Chinese: entered and published.
    + f"行政处罚,法人,{FULL_WIDTH_ENTERPRISE},无锡示例科技有限公司,锡市监罚〔2025〕12号,2025年9月19日,一般,"
    "《中华人民共和国广告法》第五十五条,发布虚假广告，罚款5万元,\n"
    # row 3: a bad check character: rejected.
     + f"行政处罚,法人,{BAD_USCC},无锡示例科技有限公司,锡市监罚〔2025〕13号,2025-09-19,一般,"
    "《广告法》第五十五条,虚假广告,\n"
    # row 4: a subject the registers do not know: entered and held.
     + f"严重失信主体名单,法人,{UNKNOWN_ENTERPRISE},某某公司,锡市监信〔2025〕3号,2025-09-22,,"
    "《严重违法失信名单管理办法》第二条,拒不履行,限制参与政府采购\n"
    # row 5: row 2 again (the code half-width now): the same record, rejected as a duplicate.
     + f"行政处罚,法人,{ENTERPRISE},无锡示例科技有限公司,锡市监罚〔2025〕12号,2025/9/19,一般,"
    "《中华人民共和国广告法》第五十五条,发布虚假广告，罚款5万元,\n"
    # row 6: a decision date after today: rejected by record_enter.
    + f"行政处罚,自然人,{PERSON},张三,锡市监罚〔2025〕14号,2025-09-29,严重,《食品安全法》第一百二十二条,无证经营,\n"
    # row 7: blank (spreadsheets leave them); not a row read.
    + ",,,,,,,,,\n"
    # row 8: a red list membership: proposed, the subject told, objection window until 2025-10-10.
    + f"红名单,法人,{ENTERPRISE},无锡示例科技有限公司,锡发改信〔2025〕2号,2025/9/1,,《无锡市守信激励办法》第五条,"
    "纳税信用A级,容缺受理\n"
)


@pytest.fixture
def officer(market, make_staff):
    return make_staff(market, [Role.CREDIT_OFFICER])


def _import(actor, market, content: bytes = MESSY.encode("utf-8"), name: str = "处罚.csv") -> CreditImport:
    return records_import(actor=actor, provider=market, content=content, file_name=name, today=FRIDAY)


def _report(batch) -> list[tuple]:
    return [(row["row"], row["field"], row["rule"], row["outcome"]) for row in batch.report]


def test_a_messy_file_enters_the_good_rows_and_reports_the_others(registers, market, officer):
    batch = _import(officer, market)
    # Rows 2–6 and 8 read (7 is blank); 2, 4 and 8 entered, 4 of them held; 3, 5 and 6 rejected.
    assert batch.counts == {"read": 6, "entered": 3, "unchanged": 0, "rejected": 3, "held": 1}
    assert _report(batch) == [
        (3, "subject_code", "check_character", "rejected"),
        (4, "subject_code", "held", "held"),
        (5, "source_ref", "duplicate_in_file", "rejected"),
        (6, "decided_on", "future", "rejected"),
    ]
    reasons = {row["row"]: row["reason"] for row in batch.report}
    assert "2" in reasons[5]  # "The same record is on row 2."
    penalty = CreditRecord.objects.get(kind=Kind.PENALTY)
    assert (penalty.subject_code, penalty.status, penalty.decided_on) == (
        ENTERPRISE,
        Status.PUBLISHED,
        date(2025, 9, 19),
    )
    # 7 working days after Friday 2025-09-19: 9-22, 23, 24, 25, 26, 28 (Sunday worked), 29.
    assert penalty.publish_due == date(2025, 9, 29)
    # 一般: 12 months from the decision date.
    assert (penalty.published_from, penalty.published_until) == (FRIDAY, date(2026, 9, 19))
    assert penalty.entered_by == officer and penalty.source_ref.startswith(f"{market.uscc}:")
    held = CreditRecord.objects.get(kind=Kind.SERIOUS)
    assert (held.subject_code, held.status) == (UNKNOWN_ENTERPRISE, Status.HELD)
    red = CreditRecord.objects.get(kind=Kind.RED)
    # 5 working days after 2025-09-26: 9-28, 9-29, 9-30, 10-09, 10-10.
    assert (red.status, red.objection_until, red.measures) == (Status.OBJECTION, date(2025, 10, 10), "容缺受理")
    assert AuditEvent.objects.filter(action="credit.record.enter").count() == 3
    assert AuditEvent.objects.filter(action="credit.records.import", object_id=str(batch.pk)).count() == 1


def test_the_same_file_again_changes_nothing(registers, market, officer):
    _import(officer, market)
    numbers = sorted(CreditRecord.objects.values_list("number", "status"))
    again = _import(officer, market)
    assert again.counts == {"read": 6, "entered": 0, "unchanged": 3, "rejected": 3, "held": 0}
    assert sorted(CreditRecord.objects.values_list("number", "status")) == numbers


def test_a_given_source_reference_keys_the_record(registers, market, officer):
    text = (
        "kind,subject_kind,subject_code,subject_name,decision_document,decided_on,severity,legal_basis,source_ref\n"
        f"penalty,legal,{ENTERPRISE},无锡示例科技有限公司,锡市监罚〔2025〕20号,2025-09-25,serious,《广告法》,CF-1\n"
        f"penalty,legal,{ENTERPRISE},无锡示例科技有限公司,锡市监罚〔2025〕20号（更正）,2025-09-25,serious,《广告法》,CF-1\n"
    )
    batch = _import(officer, market, text.encode("utf-8"), "export.csv")
    assert batch.counts == {"read": 2, "entered": 1, "unchanged": 0, "rejected": 1, "held": 0}
    assert CreditRecord.objects.get().source_ref == f"{market.uscc}:CF-1"


def test_an_xlsx_export_in_gb_headers_with_date_cells(registers, market, officer):
    book = Workbook()
    sheet = book.active
    sheet.append(["类别", "主体类型", "统一社会信用代码", "主体名称", "文号", "决定日期", "法律依据", "惩戒措施"])
    sheet.append(
        [
            "经营异常名录",
            "企业",
            ENTERPRISE,
            "无锡示例科技有限公司",
            "锡市监异〔2025〕1号",
            date(2025, 9, 24),
            "《企业经营异常名录管理暂行办法》第四条",
            "重点监管",
        ]
    )
    out = io.BytesIO()
    book.save(out)
    batch = _import(officer, market, out.getvalue(), "异常名录.xlsx")
    assert batch.counts == {"read": 1, "entered": 1, "unchanged": 0, "rejected": 0, "held": 0}
    record = CreditRecord.objects.get()
    assert (record.kind, record.decided_on, record.status) == (Kind.ABNORMAL, date(2025, 9, 24), Status.OBJECTION)


def test_who_may_import_and_unreadable_files(registers, market, officer, make_staff):
    with pytest.raises(PermissionDenied):
        _import(make_staff(market, [Role.CLERK]), market)
    with pytest.raises(ValidationFailed) as missing:
        _import(officer, market, "类别,主体名称\n行政处罚,某公司\n".encode(), "x.csv")
    assert missing.value.extra == {"field": "file", "rule": "header", "column": "subject_kind"}
    with pytest.raises(ValidationFailed) as broken:
        _import(officer, market, b"PK\x03\x04 not a workbook", "x.xlsx")
    assert broken.value.extra["rule"] == "format"
    assert not CreditRecord.objects.exists() and not CreditImport.objects.exists()


@freeze_time("2025-09-26 10:00:00+08:00")
def test_the_command_writes_the_report_and_a_json_last_line(registers, market, tmp_path, capsys):
    path = tmp_path / "处罚.csv"
    path.write_text(MESSY, encoding="utf-8")
    report = tmp_path / "report.csv"
    call_command("credit", "import", str(path), "--provider", market.uscc, "--report", str(report))
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last == {"read": 6, "entered": 3, "unchanged": 0, "rejected": 3, "held": 1, "report": str(report)}
    with report.open(encoding="utf-8-sig", newline="") as rows:
        lines = list(csv.reader(rows))
    assert lines[0] == ["row", "field", "rule", "reason", "outcome"]
    assert [(line[0], line[2], line[4]) for line in lines[1:]] == [
        ("3", "check_character", "rejected"),
        ("4", "held", "held"),
        ("5", "duplicate_in_file", "rejected"),
        ("6", "future", "rejected"),
    ]
    assert CreditImport.objects.get().actor_label == "egov credit import"
    call_command("credit", "import", str(path), "--provider", market.uscc)  # default report beside the file
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (last["entered"], last["unchanged"], last["report"]) == (0, 3, str(tmp_path / "处罚.csv.report.csv"))


def test_the_command_exits_2_with_one_line(market, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("名称\n某公司\n", encoding="utf-8")
    with pytest.raises(CommandError) as unknown:
        call_command("credit", "import", str(path), "--provider", UNKNOWN_ENTERPRISE)
    assert unknown.value.returncode == 2 and UNKNOWN_ENTERPRISE in str(unknown.value)
    with pytest.raises(CommandError) as header:
        call_command("credit", "import", str(path), "--provider", market.uscc)
    assert header.value.returncode == 2 and "\n" not in str(header.value)
    # A file that cannot be read, through the real command line (no database reached).
    egov = Path(sys.executable).with_name("egov")
    done = subprocess.run(
        [str(egov), "credit", "import", str(tmp_path / "missing.csv"), "--provider", market.uscc],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "missing.csv" in done.stderr


# The staff page ---------------------------------------------------------------------------------------

PAGE = "/staff/credit/import/"


def test_the_page_imports_and_shows_the_counts_and_the_report(client, registers, market, officer, make_staff):
    from django.urls import get_resolver

    # The URLconf (and the API schemas it builds) before the clock is frozen: pydantic cannot build a
    # schema of freezegun's dates.
    get_resolver().url_patterns  # noqa: B018
    with freeze_time("2025-09-26 10:00:00+08:00"):
        _the_page_walk(client, market, officer, make_staff)


def _the_page_walk(client, market, officer, make_staff):
    client.force_login(make_staff(market, [Role.CLERK]))
    assert client.get(PAGE).status_code == 403
    client.force_login(officer)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and "导入信用记录" in page.content.decode()
    upload = io.BytesIO(MESSY.encode("utf-8"))
    upload.name = "处罚.csv"
    response = client.post(PAGE, {"provider": market.pk, "file": upload}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    batch = CreditImport.objects.get()
    assert response.redirect_chain == [(f"{PAGE}{batch.pk}/", 302)]
    html = response.content.decode()
    assert "Records entered" in html and "Held for matching" in html and "The same record is on row 2." in html
    report = client.get(f"{PAGE}{batch.pk}/report.csv")
    assert report["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == ["3", "4", "5", "6"]
    # Another organization's staff do not see it.
    client.force_login(make_staff(OrganizationFactory(name="无锡市税务局"), [Role.CREDIT_OFFICER]))
    assert client.get(f"{PAGE}{batch.pk}/").status_code == 404
    assert client.get(f"{PAGE}{batch.pk}/report.csv").status_code == 404


def test_an_unreadable_upload_is_a_form_error(client, market, officer):
    client.force_login(officer)
    upload = io.BytesIO(b"\xff\xfe\x00garbage")
    upload.name = "x.xlsx"
    response = client.post(PAGE, {"provider": market.pk, "file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "not a readable XLSX workbook" in response.content.decode()
