"""The smoke's step of credit reports (issue 16, item 4 and "Done when"): a staff member of 行政审批局 asks for the
sealed credit report of a listed enterprise (the demo's 经营异常名录 member, or any code given) for a stated
purpose, downloads it, and the platform verifies it by file and by its code on the public verification page;
then a batch check of three lines (one not a code) over the API. Self-contained: another step may list an
enterprise first and call ``credit_report_smoke`` with its code."""

from pathlib import Path

from django.test import Client
from django.urls import reverse

from egov.accounts.models import User
from egov.credit.models import BLACK_LISTS, CreditReport
from egov.credit.reports import credit_office
from egov.credit.selectors import published
from egov.demo import DEMO_ENTERPRISE
from egov.trust.verification import pdf_verify, pdf_verify_code

LISTED = "91320214MA1Y001127"  # 无锡新吴精密机械有限公司, on the 经营异常名录 in the demo (egov.demo.DEMO_CREDIT)
PURPOSE = "政府采购供应商资格审查（烟测）"


class CreditReportSmokeFailure(Exception):
    """What the step expected and did not find (``egov.smoke`` reports it as a failed step)."""


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CreditReportSmokeFailure(message)


def credit_report_smoke(out_dir: Path, *, code: str = LISTED, username: str = "clerk") -> dict:
    """Ask for, download and verify the sealed credit report of ``code`` (a subject with a published black-list
    membership) as the staff member ``username``; write it to ``credit-report.pdf``; run a batch check."""
    listed = list(published().filter(subject_code=code, kind__in=BLACK_LISTS).values_list("number", flat=True))
    _expect(listed, f"{code} is on a black list in publication")
    clerk = User.objects.get(username=username)
    organization = clerk.memberships.get().organization
    client = Client()
    client.force_login(clerk)
    response = client.post(
        reverse("credit_staff:report_new"),
        {"organization": organization.pk, "subject": code, "purpose": PURPOSE},
    )
    _expect(response.status_code == 302, f"the report is issued ({response.status_code})")
    report = CreditReport.objects.filter(subject_code=code, requester=clerk).latest("pk")
    _expect(set(listed) <= set(report.records), "the report shows the black-list membership")
    download = client.get(reverse("credit_staff:report_pdf", args=[report.number]))
    _expect(download.status_code == 200 and download["Content-Type"] == "application/pdf", "the report downloads")
    pdf = b"".join(download.streaming_content) if download.streaming else download.content
    path = out_dir / "credit-report.pdf"
    path.write_bytes(pdf)
    checked = pdf_verify(pdf=pdf)
    office = credit_office()
    _expect(checked.valid and checked.signatures[0].seal is not None, f"the report verifies ({checked.message})")
    _expect(checked.signatures[0].organization == office.name, "sealed by the credit office")
    page = Client().get(reverse("trust:verify"), {"code": report.document.code})
    by_code = pdf_verify_code(code=report.document.code)
    _expect(page.status_code == 200 and by_code.valid, "the verification page finds the report by its code")
    batch = client.post(
        "/api/v1/staff/credit/checks",
        {"purpose": PURPOSE, "subjects": [code, DEMO_ENTERPRISE["uscc"], "not-a-code"]},
        content_type="application/json",
    )
    _expect(batch.status_code == 201, f"the batch check answers 201 ({batch.content[:200]!r})")
    body = batch.json()
    _expect([r["black"] for r in body["results"]] == [True, False], "the batch check finds the listed one only")
    _expect([r["line"] for r in body["rejected"]] == [3], "the bad line is reported by number")
    return {
        "credit_report": report.number,
        "subject": code,
        "records": len(report.records),
        "code": report.document.code,
        "seal": checked.signatures[0].seal["name"],
        "file": path.name,
        "credit_report_verified": True,
        "batch_check": body["number"],
        "batch_black": [r["subject"] for r in body["results"] if r["black"]],
        "batch_rejected_lines": [r["line"] for r in body["rejected"]],
    }
