"""The pages and the API of credit reports and batch checks, through the Django client: the subject's own report
and the list of who asked about it, the staff's report and batch check, 403 for others, the API's 201 and 400s."""

from datetime import date

import pytest
from django.utils import timezone

from conftest import TEST_CA_PASSPHRASE  # noqa: F401 (sets EGOV_CA_PASSPHRASE)
from egov.accounts.tests.factories import LegalPersonFactory
from egov.audit.models import AuditEvent
from egov.credit.models import BatchCheck, CreditReport, Kind, Severity
from egov.credit.tests.conftest import ENTERPRISE, PERSON, UNKNOWN_ENTERPRISE
from egov.credit.tests.test_reports import enter, pdf_text
from egov.orgs.roles import Role
from egov.trust.verification import pdf_verify

pytestmark = pytest.mark.django_db

MINE = "/credit/mine/"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def office(city, credit_officer):
    from egov.trust.actions import ca_init, seal_create

    ca_init(actor=None)
    seal_create(actor=None, organization=city, kind="business")
    return city


@pytest.fixture
def penalty(registers, approver, market):
    """A 严重 penalty of the enterprise decided 2026-06-01, published 2026-06-03 for 12 months."""
    return enter(
        approver,
        market,
        kind=Kind.PENALTY,
        severity=Severity.SERIOUS,
        decided=date(2026, 6, 1),
        entered=date(2026, 6, 3),
        document="锡市监罚〔2026〕8号",
    )


def test_the_subject_asks_for_its_report_and_sees_who_asked_about_it(
    client, office, penalty, enterprise, make_staff, market
):
    client.force_login(enterprise.user)
    form = client.get(f"{MINE}reports/new/", **ZH).content.decode()
    assert ENTERPRISE in form and "无锡示例科技有限公司" in form
    response = client.post(f"{MINE}reports/new/", {"subject": ENTERPRISE}, follow=True, **ZH)
    assert response.redirect_chain == [(MINE, 302)]
    report = CreditReport.objects.get()
    page = response.content.decode()
    assert report.number in page and report.document.code in page
    download = client.get(f"{MINE}reports/{report.number}/pdf/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # Tester's M3: the documented download headers (facilities.files.file_response).
    assert download["Content-Disposition"] == f'attachment; filename="{report.number}.pdf"'
    assert (download["Cache-Control"], download["X-Content-Type-Options"]) == ("private, no-store", "nosniff")
    pdf = download.content
    assert pdf_verify(pdf=pdf).valid and "锡市监罚〔2026〕8号" in pdf_text(pdf)
    # The platform's public verification page finds it by its code.
    verified = client.get("/trust/verify", {"code": report.document.code}, **ZH)
    assert verified.status_code == 200 and report.document.code in verified.content.decode()

    # An agency asks for a purpose: the subject sees the organization, the purpose and the date.
    clerk = make_staff(market, [Role.CLERK])
    client.force_login(clerk)
    response = client.post(
        "/staff/credit/reports/new/",
        {"organization": market.pk, "subject": ENTERPRISE, "purpose": "政府采购供应商资格审查"},
        follow=True,
        **ZH,
    )
    assert response.redirect_chain == [("/staff/credit/reports/", 302)]
    agency = CreditReport.objects.exclude(pk=report.pk).get()
    assert agency.number in response.content.decode()
    download = client.get(f"/staff/credit/reports/{agency.number}/pdf/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{agency.number}.pdf"'
    assert (download["Cache-Control"], download["X-Content-Type-Options"]) == ("private, no-store", "nosniff")
    assert client.get(f"/staff/credit/reports/{report.number}/pdf/").status_code == 404  # not the clerk's

    client.force_login(enterprise.user)
    page = client.get(MINE, **ZH).content.decode()
    asked = page[page.index('id="asked-about"') :]
    assert (
        "无锡市市场监督管理局" in asked
        and "政府采购供应商资格审查" in asked
        and timezone.localtime(agency.created_at).strftime("%Y-%m-%d") in asked  # the page's date is Beijing time
    )
    assert "您本人" in asked or "本人" in asked
    assert client.get(f"{MINE}reports/{agency.number}/pdf/").status_code == 404  # the agency's, not the subject's


def test_a_report_about_another_subject_is_403(client, office, registers, enterprise):
    other = LegalPersonFactory()
    client.force_login(other.user)
    response = client.post(f"{MINE}reports/new/", {"subject": ENTERPRISE}, **ZH)
    assert response.status_code == 403
    assert not CreditReport.objects.exists()


def test_staff_without_a_check_role_get_403(client, office, make_staff, department):
    client.force_login(make_staff(department, [Role.DOCUMENT_CLERK]))
    for url in ("/staff/credit/reports/", "/staff/credit/reports/new/", "/staff/credit/checks/new/"):
        assert client.get(url).status_code == 403
    response = client.post(
        "/api/v1/staff/credit/checks", {"purpose": "采购", "subjects": [ENTERPRISE]}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["extra"] == {"rule": "role"}


def test_the_batch_check_page_shows_the_result_and_the_bad_lines(client, office, penalty, make_staff, market):
    client.force_login(make_staff(market, [Role.REVIEWER]))
    text = f"{ENTERPRISE}\n12345\n{PERSON}\n"
    response = client.post(
        "/staff/credit/checks/new/",
        {"organization": market.pk, "purpose": "第12批采购", "subjects": text},
        follow=True,
        **ZH,
    )
    check = BatchCheck.objects.get()
    assert response.redirect_chain == [(f"/staff/credit/checks/{check.number}/", 302)]
    page = response.content.decode()
    assert "3202**********1233" in page and PERSON not in page and "12345" in page
    rejected = page[page.index('id="rejected"') :]
    assert ">2<" in rejected
    download = client.get(f"/staff/credit/checks/{check.number}/pdf/")
    assert download.status_code == 200 and pdf_verify(pdf=download.content).valid
    assert download["Content-Disposition"] == f'attachment; filename="{check.number}.pdf"'
    assert (download["Cache-Control"], download["X-Content-Type-Options"]) == ("private, no-store", "nosniff")
    # No line a code: the form comes back with every line named, nothing checked.
    response = client.post(
        "/staff/credit/checks/new/", {"organization": market.pk, "purpose": "第13批采购", "subjects": "12\nabc3"}, **ZH
    )
    assert response.status_code == 400 and BatchCheck.objects.count() == 1
    assert "abc3" in response.content.decode()


def test_the_batch_check_api(client, office, penalty, make_staff, market):
    response = client.post(
        "/api/v1/staff/credit/checks", {"purpose": "采购", "subjects": [ENTERPRISE]}, content_type="application/json"
    )
    assert response.status_code == 401
    client.force_login(make_staff(market, [Role.REVIEWER, Role.CLERK]))
    response = client.post(
        "/api/v1/staff/credit/checks",
        {"purpose": "第12批政府采购", "subjects": [ENTERPRISE, "9132021", UNKNOWN_ENTERPRISE, ENTERPRISE]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(r["line"], r["subject"], r["known"]) for r in body["results"]] == [
        (1, ENTERPRISE, True),
        (3, UNKNOWN_ENTERPRISE, False),
    ]
    assert [(r["line"], r["rule"]) for r in body["rejected"]] == [(2, "format"), (4, "duplicate")]
    assert body["organization"] == market.name and body["verification_code"]
    pdf = client.get(body["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment; filename=")
    assert pdf["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="credit.subjects.check_batch").count() == 1

    response = client.post(
        "/api/v1/staff/credit/checks", {"purpose": " ", "subjects": [ENTERPRISE]}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["extra"] == {"field": "purpose", "rule": "required"}
    response = client.post(
        "/api/v1/staff/credit/checks",
        {"purpose": "采购", "subjects": ["x1", "", "y2"]},
        content_type="application/json",
    )
    extra = response.json()["extra"]
    assert response.status_code == 400 and (extra["field"], extra["rule"]) == ("subjects", "none_valid")
    assert [line["line"] for line in extra["lines"]] == [1, 3]
