"""Credit reports (信用报告) and batch checks (批量核查): what each shows, the credit office's seal checked by the
platform's verification, who may ask, the audit events. Records are entered with hand-picked dates; which
records each report shows is worked out from the rules in ``egov.credit.reports``' docstring."""

import subprocess
import tempfile
from datetime import date

import pytest

from conftest import TEST_CA_PASSPHRASE  # noqa: F401 (sets EGOV_CA_PASSPHRASE)
from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.credit import actions, reports
from egov.credit.models import Kind, Severity, Status, SubjectKind
from egov.credit.tests.conftest import ENTERPRISE, PERSON, UNKNOWN_ENTERPRISE
from egov.orgs.roles import Role
from egov.trust.verification import pdf_verify, pdf_verify_code

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    """The text of ``pdf`` as poppler's pdftotext reads it (layout kept off: one cell a line)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout


@pytest.fixture
def office(city, credit_officer):
    """The credit office: the city's organization, where the credit officer sits, with its 业务专用章."""
    from egov.trust.actions import ca_init, seal_create

    ca_init(actor=None)
    seal_create(actor=None, organization=city, kind="business")
    return city


def enter(actor, provider, *, kind, decided, entered, code=ENTERPRISE, severity="", document="锡市监罚〔2026〕1号"):
    return actions.record_enter(
        actor=actor,
        provider=provider,
        kind=kind,
        subject_kind=SubjectKind.LEGAL if code != PERSON else SubjectKind.NATURAL,
        subject_code=code,
        subject_name="无锡示例科技有限公司" if code != PERSON else "张三",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
        decision_document=document,
        decided_on=decided,
        severity=severity,
        facts="经营超过保质期的食品",
        measures="限制参与政府采购" if kind in (Kind.SERIOUS, Kind.ABNORMAL, Kind.RED) else "",
        today=entered,
    )


@pytest.fixture
def history(registers, approver, market, credit_officer):
    """The enterprise's records on 2026-12-06 (the day the reports are asked for):

    - ``serious``: a 严重 penalty decided 2026-06-01, published 2026-06-03 for 12 months (until 2027-06-03);
    - ``old_licence``: a licence decided 2022-01-10, published 2022-01-12 to 2025-01-12, ended by the daily
      run of 2025-02-01 (public during the 3 years before 2026-12-06, which start 2023-12-06);
    - ``ancient``: a licence decided 2019-03-01, its publication ended 2022 (before the period);
    - ``revoked``: a 一般 penalty decided 2026-07-01 and revoked;
    - ``pending``: a 经营异常名录 membership entered 2026-11-23, in its objection window (not yet public).
    """
    serious = enter(
        approver,
        market,
        kind=Kind.PENALTY,
        severity=Severity.SERIOUS,
        decided=date(2026, 6, 1),
        entered=date(2026, 6, 3),
        document="锡市监罚〔2026〕8号",
    )
    old_licence = enter(
        approver,
        market,
        kind=Kind.LICENCE,
        decided=date(2022, 1, 10),
        entered=date(2022, 1, 12),
        document="JY13202130000009",
    )
    ancient = enter(
        approver,
        market,
        kind=Kind.LICENCE,
        decided=date(2019, 3, 1),
        entered=date(2019, 3, 1),
        document="JY13202130000001",
    )
    actions.credit_daily(today=date(2025, 2, 1))
    revoked = enter(
        approver,
        market,
        kind=Kind.PENALTY,
        severity=Severity.GENERAL,
        decided=date(2026, 7, 1),
        entered=date(2026, 7, 2),
        document="锡市监罚〔2026〕9号",
    )
    actions.record_revoke(actor=credit_officer, record=revoked, reasons="决定已被撤销")
    pending = enter(
        approver,
        market,
        kind=Kind.ABNORMAL,
        decided=date(2026, 11, 20),
        entered=date(2026, 11, 23),
        document="锡市监异〔2026〕3号",
    )
    for record in (serious, old_licence, ancient, revoked, pending):
        record.refresh_from_db()
    assert [r.status for r in (serious, old_licence, ancient, revoked, pending)] == [
        Status.PUBLISHED,
        Status.EXPIRED,
        Status.EXPIRED,
        Status.REVOKED,
        Status.OBJECTION,
    ]
    return {"serious": serious, "old_licence": old_licence, "ancient": ancient, "revoked": revoked, "pending": pending}


TODAY = date(2026, 12, 6)


def test_the_subject_s_own_report_shows_its_records_of_the_period_and_is_sealed(office, history, enterprise):
    report = reports.report_request(actor=enterprise.user, subject=ENTERPRISE, today=TODAY)
    assert report.number == "BG-20261206-0001"
    # Default period: the 3 years to today, 2023-12-06 … 2026-12-06.
    assert (report.period_from, report.period_to) == (date(2023, 12, 6), TODAY)
    # Oldest decision first: the old licence (public until 2025-01-12), the penalty, the pending listing.
    h = history
    assert report.records == [h["old_licence"].number, h["serious"].number, h["pending"].number]
    assert report.by_subject and report.purpose == ""
    pdf = bytes(report.document.revisions.get().pdf)
    text = pdf_text(pdf)
    assert "信用报告" in text and "BG-20261206-0001" in text and "主体本人查询" in text
    assert "锡市监罚〔2026〕8号" in text and "JY13202130000009" in text and "锡市监异〔2026〕3号" in text
    assert "公示期满" in text and "异议期" in text and "公示中" in text
    assert "锡市监罚〔2026〕9号" not in text and "JY13202130000001" not in text
    assert "2023年12月6日 至 2026年12月6日" in text
    # Sealed by the credit office, checked by the platform's verification, by file and by code.
    checked = pdf_verify(pdf=pdf)
    assert checked.valid and checked.signatures[0].seal is not None
    assert checked.signatures[0].organization == office.name or office.name in checked.signatures[0].signer
    assert checked.registered["code"] == report.document.code
    assert pdf_verify_code(code=report.document.code).valid
    # The same bytes are kept in facilities.files.
    from egov.facilities.files import file_read

    assert file_read(stored=report.file) == pdf
    event = AuditEvent.objects.get(action="credit.report.request")
    assert event.changes["subject"] == ENTERPRISE and event.changes["role"] == "subject"
    assert event.changes["records"] == report.records and event.changes["document"] == report.document.code
    assert AuditEvent.objects.filter(action="trust.seal.use", changes__document=report.document.code).exists()


def test_an_agency_s_report_shows_only_published_records_with_its_purpose(office, history, make_staff, market):
    clerk = make_staff(market, [Role.CLERK])
    report = reports.report_request(
        actor=clerk,
        subject=ENTERPRISE,
        purpose="政府采购供应商资格审查",
        today=TODAY,
        period_from=date(2026, 1, 1),
        period_to=date(2026, 12, 1),
    )
    assert report.records == [history["serious"].number]
    assert report.requester_organization == market and report.purpose == "政府采购供应商资格审查"
    text = pdf_text(bytes(report.document.revisions.get().pdf))
    assert "无锡市市场监督管理局" in text and "政府采购供应商资格审查" in text
    assert "锡市监罚〔2026〕8号" in text and "锡市监异〔2026〕3号" not in text and "JY13202130000009" not in text
    event = AuditEvent.objects.get(action="credit.report.request")
    assert (event.changes["purpose"], event.changes["role"]) == ("政府采购供应商资格审查", Role.CLERK)
    assert event.organization_id == market.pk
    assert "主体未在基础信息库中登记" not in text and event.changes["known"] is True


def test_a_report_on_a_subject_nobody_knows_says_so(office, registers, make_staff, market):
    # Tester's M6: a valid code the registers and the records do not know (GLOSSARY's example USCC).
    clerk = make_staff(market, [Role.CLERK])
    report = reports.report_request(actor=clerk, subject=UNKNOWN_ENTERPRISE, purpose="资格审查", today=TODAY)
    assert report.records == []
    text = pdf_text(bytes(report.document.revisions.get().pdf))
    assert "主体未在基础信息库中登记" in text and "本报告不证明该主体存在或信用良好" in text
    assert AuditEvent.objects.get(action="credit.report.request").changes["known"] is False


def test_a_report_on_another_subject_is_refused(office, registers, enterprise, citizen, make_staff, department):
    with pytest.raises(PermissionDenied) as refused:
        reports.report_request(actor=citizen.user, subject=ENTERPRISE, today=TODAY)
    assert refused.value.extra == {"rule": "subject"}
    with pytest.raises(PermissionDenied) as refused:
        reports.report_request(actor=enterprise.user, subject=UNKNOWN_ENTERPRISE, today=TODAY)
    assert refused.value.extra == {"rule": "subject"}
    # Staff without a checking role (a document clerk) are refused too.
    with pytest.raises(PermissionDenied) as refused:
        reports.report_request(
            actor=make_staff(department, [Role.DOCUMENT_CLERK]), subject=ENTERPRISE, purpose="核查", today=TODAY
        )
    assert refused.value.extra == {"rule": "role"}
    assert not AuditEvent.objects.filter(action="credit.report.request").exists()


def test_bad_report_requests_name_the_field(office, registers, enterprise, make_staff, market):
    clerk = make_staff(market, [Role.CLERK])
    cases = [
        (dict(actor=clerk, subject=ENTERPRISE, purpose=" "), ("purpose", "required")),
        (dict(actor=clerk, subject="91320213", purpose="采购"), ("subject", "format")),
        (dict(actor=enterprise.user, subject=ENTERPRISE, period_to=date(2026, 12, 7)), ("period_to", "future")),
        (
            dict(actor=enterprise.user, subject=ENTERPRISE, period_from=date(2026, 12, 2), period_to=date(2026, 12, 1)),
            ("period_from", "order"),
        ),
        # Tester's H2: a period from 0001-01-01 is refused; 1949-10-01 is the earliest start (the next case).
        (dict(actor=enterprise.user, subject=ENTERPRISE, period_from=date(1, 1, 1)), ("period_from", "min")),
        (dict(actor=clerk, subject=ENTERPRISE, purpose="采购", period_from=date(1949, 9, 30)), ("period_from", "min")),
    ]
    for arguments, (field, rule) in cases:
        with pytest.raises(ValidationFailed) as refused:
            reports.report_request(today=TODAY, **arguments)
        assert (refused.value.extra["field"], refused.value.extra["rule"]) == (field, rule)


def test_no_seal_no_report(registers, enterprise, city, credit_officer):
    from egov.trust.actions import ca_init

    ca_init(actor=None)
    with pytest.raises(Conflict) as refused:
        reports.report_request(actor=enterprise.user, subject=ENTERPRISE, today=TODAY)
    assert refused.value.extra == {"field": "seal", "rule": "no_seal"}


def test_a_batch_check_reports_bad_lines_and_checks_the_rest(office, history, registers, make_staff, market):
    clerk = make_staff(market, [Role.CLERK])
    actions.credit_daily(today=date(2026, 12, 1))  # the listing's window closed on 2026-11-30: published
    text = f"代码\n{ENTERPRISE}\nnot-a-code\n\n{PERSON}\n{ENTERPRISE.lower()}\n{UNKNOWN_ENTERPRISE}\n"
    check = reports.batch_check(actor=clerk, text=text, purpose="2026年第12批政府采购", today=TODAY)
    assert check.number == "HC-20261206-0001"
    # Line 1 is a header (no digit), line 4 is blank; line 6 repeats line 2.
    assert [(r["line"], r["subject"], r["known"], r["black"]) for r in check.results] == [
        (2, ENTERPRISE, True, True),
        (5, "3202**********1233", True, False),
        (7, UNKNOWN_ENTERPRISE, False, False),
    ]
    assert [(r["line"], r["rule"]) for r in check.rejected] == [(3, "format"), (6, "duplicate")]
    assert [m["decision_document"] for m in check.results[0]["memberships"]] == ["锡市监异〔2026〕3号"]
    text = pdf_text(bytes(check.document.revisions.get().pdf))
    assert "HC-20261206-0001" in text and "2026年第12批政府采购" in text and "失信惩戒" in text
    assert "not-a-code" in text and "与第 2 行重复" in text and "3202**********1233" in text
    assert PERSON not in text
    assert pdf_verify_code(code=check.document.code).valid
    # Audited once, every subject named (a person masked); no single checks.
    event = AuditEvent.objects.get(action="credit.subjects.check_batch")
    assert event.changes["subjects"] == [ENTERPRISE, "3202**********1233", UNKNOWN_ENTERPRISE]
    assert event.changes["black"] == [ENTERPRISE] and event.changes["rejected_lines"] == [3, 6]
    assert not AuditEvent.objects.filter(action="credit.subject.check").exists()


def test_a_batch_check_refuses_no_code_and_too_many(office, registers, make_staff, market, settings):
    clerk = make_staff(market, [Role.CLERK])
    with pytest.raises(ValidationFailed) as refused:
        reports.batch_check(actor=clerk, text="abc1\nxyz2", purpose="采购", today=TODAY)
    assert refused.value.extra["rule"] == "none_valid"
    assert [line["line"] for line in refused.value.extra["lines"]] == [1, 2]
    settings.EGOV_CREDIT_BATCH_MAX = 2
    with pytest.raises(ValidationFailed) as refused:
        reports.batch_check(actor=clerk, text=f"{ENTERPRISE}\n{PERSON}\n{UNKNOWN_ENTERPRISE}", purpose="采购")
    assert refused.value.extra == {"field": "subjects", "rule": "max"}


def test_a_csv_s_first_column_is_read_and_lines_keep_their_numbers():
    text = f"统一社会信用代码,名称\n{ENTERPRISE},无锡示例科技有限公司\n\n12AB,坏行\n{PERSON},张三\n"
    subjects, rejected = reports.subjects_parse(text)
    assert [(line, code) for line, _kind, code in subjects] == [(2, ENTERPRISE), (5, PERSON)]
    assert [(r["line"], r["value"], r["rule"]) for r in rejected] == [(4, "12AB", "format")]
    # A list (the API's): every place is a line, the first one too; a NUL is just a bad line.
    subjects, rejected = reports.subjects_check(["代码", ENTERPRISE, "a\x00b"])
    assert [line for line, _kind, _code in subjects] == [2]
    assert [r["line"] for r in rejected] == [1, 3]
