"""Pages of credit reports (信用报告) and batch checks (批量核查), ``egov.credit.reports``.

Public site (under /credit/mine/): a subject asks for its own report and downloads it; ``credit_mine`` lists who
asked for reports about it. Staff site (under /staff/credit/): staff holding a check role ask for a report on a
named subject for a purpose, run batch checks and download their sealed results; 403 for other staff.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from egov.accounts.models import LegalPerson, NaturalPerson
from egov.accounts.permissions import public_user_required, staff_required, verified_public_user_required
from egov.core.errors import ApplicationError, NotFound
from egov.core.forms import add_application_error
from egov.credit import reports
from egov.credit.actions import code_shown
from egov.credit.forms import BatchCheckForm, ReportSelfForm, ReportStaffForm
from egov.credit.permissions import checkers_of, subject_codes
from egov.credit.selectors import check_of, checks_requested_by, report_of, reports_requested_by
from egov.facilities.files import file_read, file_response


def _pdf(stored, number: str):
    """The sealed PDF ``stored`` as a download named ``<number>.pdf`` (``facilities.files.file_response``:
    attachment, ``Cache-Control: private, no-store``, nosniff)."""
    return file_response(data=file_read(stored=stored), kind="pdf", name=number)


def _subject_choices(user) -> list[tuple[str, str]]:
    """The subjects ``user`` speaks for (``permissions.subject_codes``), as ``(code, "name (code as shown)")``."""
    choices = [
        (person.id_number, f"{person.name} ({code_shown(subject_kind='natural', code=person.id_number)})")
        for person in NaturalPerson.objects.filter(user=user)
    ]
    for legal in LegalPerson.objects.filter(uscc__in=subject_codes(user)).order_by("name"):
        choices.append((legal.uscc, f"{legal.name} ({legal.uscc})"))
    return list(dict(choices).items())


@verified_public_user_required
def report_new_public(request):
    """The subject's form for its own credit report; a valid POST issues it and goes back to "my credit
    records", where it can be downloaded."""
    form = ReportSelfForm(request.POST or None, subjects=_subject_choices(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = reports.report_request(
                    actor=request.user,
                    subject=data["subject"],
                    period_from=data["period_from"],
                    period_to=data["period_to"],
                )
            except ApplicationError as error:
                add_application_error(form, error)
                status = error.status
            else:
                messages.success(
                    request, _("Credit report %(number)s issued: download it below.") % {"number": report.number}
                )
                return redirect("credit_public:mine")
        else:
            status = 400
    return render(request, "credit/public/report_new.html", {"form": form}, status=status)


@public_user_required
def report_download_public(request, number: str):
    """The sealed PDF of a report the signed-in user asked for (404 for anyone else's)."""
    try:
        report = report_of(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None
    return _pdf(report.file, report.number)


def _organizations_or_403(user):
    organizations = checkers_of(user)
    if not organizations.exists():
        raise HttpForbidden(_("Only clerks, reviewers, approvers and credit officers may check a subject."))
    return organizations


@staff_required
def reports_staff(request):
    """The credit reports and batch checks the staff member asked for, newest first, with their downloads."""
    _organizations_or_403(request.user)
    return render(
        request,
        "credit/staff/reports.html",
        {
            "reports": reports_requested_by(user=request.user)[:100],
            "checks": checks_requested_by(user=request.user)[:100],
        },
    )


@staff_required
def report_new_staff(request):
    """A credit report on a named subject for a stated purpose, on behalf of one of the staff member's
    organizations."""
    form = ReportStaffForm(request.POST or None, organizations=_organizations_or_403(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = reports.report_request(
                    actor=request.user,
                    subject=data["subject"],
                    organization=data["organization"],
                    purpose=data["purpose"],
                    period_from=data["period_from"],
                    period_to=data["period_to"],
                )
            except ApplicationError as error:
                add_application_error(form, error)
                status = error.status
            else:
                messages.success(
                    request, _("Credit report %(number)s issued: download it below.") % {"number": report.number}
                )
                return redirect("credit_staff:reports")
        else:
            status = 400
    return render(request, "credit/staff/report_new.html", {"form": form}, status=status)


@staff_required
def report_download_staff(request, number: str):
    """The sealed PDF of a report the staff member asked for (404 for anyone else's)."""
    try:
        report = report_of(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None
    return _pdf(report.file, report.number)


@staff_required
def check_new(request):
    """A batch check: the codes (typed or a CSV file) and the purpose; the result page follows."""
    form = BatchCheckForm(
        request.POST or None, request.FILES or None, organizations=_organizations_or_403(request.user)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                check = reports.batch_check(
                    actor=request.user, text=data["text"], purpose=data["purpose"], organization=data["organization"]
                )
            except ApplicationError as error:
                if error.extra.get("field") == "subjects":
                    error.extra = {**error.extra, "field": "file" if data.get("file") else "subjects"}
                add_application_error(form, error)
                status = error.status
                lines = error.extra.get("lines") or []
                return render(request, "credit/staff/check_new.html", {"form": form, "rejected": lines}, status=status)
            return redirect("credit_staff:check", number=check.number)
        status = 400
    return render(request, "credit/staff/check_new.html", {"form": form, "rejected": []}, status=status)


@staff_required
def check_detail(request, number: str):
    """A batch check's result: each subject's memberships, the lines not checked, the sealed PDF."""
    try:
        check = check_of(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None
    black = sum(1 for row in check.results if row["black"])
    red = sum(1 for row in check.results if row["red"])
    return render(request, "credit/staff/check.html", {"check": check, "black": black, "red": red})


@staff_required
def check_download(request, number: str):
    """The sealed PDF of a batch check the staff member ran (404 for anyone else's)."""
    try:
        check = check_of(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None
    return _pdf(check.file, check.number)
