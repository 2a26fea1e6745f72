"""Public pages of 信用公示 (mounted at /credit/): search of the subjects with published credit records and a
subject's public record. Only published records are shown (``selectors.published``); a natural person's
name and resident ID are masked and never in an address."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from egov.accounts.permissions import public_user_required, verified_public_user_required
from egov.core.errors import ApplicationError, NotFound
from egov.core.forms import add_application_error
from egov.credit.actions import repair_possible_from, request_file
from egov.credit.forms import PublicSearchForm, RequestForm
from egov.credit.models import CreditRequest, Kind, RequestKind, RequestStatus
from egov.credit.selectors import (
    public_statistics,
    public_subject,
    public_subjects,
    public_subjects_shown,
    reports_about,
    reports_requested_by,
    subject_record,
    subject_records,
    subject_requests,
)

PER_PAGE = 20


def credit_search(request):
    """The subjects with published records, searched by name or code, 20 a page."""
    form = PublicSearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = Paginator(public_subjects(q=q), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "credit/public/search.html",
        {
            "form": form,
            "q": q,
            "page": page,
            "subjects": public_subjects_shown(page.object_list),
            "query": urlencode({"q": q}) if q else "",
        },
        status=400 if form.errors else 200,
    )


def credit_statistics(request):
    """信用公示统计: the records published now by kind and by deciding organization, and the records first
    published in each of the last 12 months, each as a chart with the same figures in a table beside it
    (``selectors.public_statistics``; charts drawn by ECharts from JSON built from the tables' rows)."""
    figures = public_statistics(today=timezone.localdate())
    sections = [
        ("kind", _("Published records by kind"), _("Kind"), [(Kind(kind).label, n) for kind, n in figures.by_kind]),
        ("provider", _("Published records by deciding organization"), _("Deciding organization"), figures.by_provider),
        (
            "month",
            _("Records published for the first time, by month"),
            _("Month"),
            [(date_format(month, "YEAR_MONTH_FORMAT"), n) for month, n in figures.by_month],
        ),
    ]
    # The month chart's axis names months short (2026-01), so that twelve fit on a phone; its table in full.
    labels = {"month": [f"{month:%Y-%m}" for month, _n in figures.by_month]}
    return render(
        request,
        "credit/public/statistics.html",
        {
            "figures": figures,
            "sections": [
                {
                    "name": name,
                    "script_id": f"chart-{name}-data",
                    "title": title,
                    "column": column,
                    "rows": rows,
                    "chart": {
                        "kind": "line" if name == "month" else "bar",
                        "horizontal": name != "month",
                        "integer": True,
                        "title": title,
                        "unit": _("records"),
                        "labels": labels.get(name) or [str(label) for label, _n in rows],
                        "values": [n for _label, n in rows],
                    },
                }
                for name, title, column, rows in sections
            ],
        },
    )


def credit_subject(request, key: str):
    """One subject's published records: kind, decision document, deciding organization, decision date,
    legal basis, measures and publication period of each."""
    try:
        subject, records = public_subject(key=key)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(request, "credit/public/subject.html", {"subject": subject, "records": records})


@public_user_required
def credit_mine(request):
    """The signed-in subject's credit records (its own, or those of the enterprises it is an agent of), with
    what it may do about each now, its objections and repair applications, the credit reports it asked for
    (to download) and who asked for reports about it (organization, purpose, date). An unverified account
    speaks for nobody (``permissions.subject_codes``): it sees how to get verified instead (issue 17)."""
    if not request.user.is_real_name_verified:
        return render(request, "credit/public/mine.html", {"unverified": True})
    records = subject_records(user=request.user)
    # What is already awaiting the credit office is not offered again (a second one would be refused, 409).
    open_kinds = {
        (record_id, kind)
        for record_id, kind in CreditRequest.objects.filter(
            record__in=records, status=RequestStatus.SUBMITTED
        ).values_list("record_id", "kind")
    }
    rows = [
        (
            record,
            repair_possible_from(record),
            (record.pk, RequestKind.OBJECTION) in open_kinds,
            (record.pk, RequestKind.REPAIR) in open_kinds,
        )
        for record in records
    ]
    return render(
        request,
        "credit/public/mine.html",
        {
            "rows": rows,
            "requests": subject_requests(user=request.user),
            "today": timezone.localdate(),
            "reports": reports_requested_by(user=request.user)[:50],
            "asked_about": reports_about(user=request.user)[:100],
        },
    )


@verified_public_user_required
def request_new(request, number: str, kind: str):
    """The form of an objection (``kind`` "objection") or a repair application ("repair") about one of the
    subject's records; refusals (window closed, too early) show on the form with their dates."""
    if kind not in RequestKind.values:
        raise Http404
    try:
        record = subject_record(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None
    form = RequestForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                row = request_file(
                    actor=request.user,
                    record=record,
                    kind=kind,
                    reason=form.cleaned_data["reason"],
                    attachment=form.cleaned_data["attachment"],
                )
            except ApplicationError as error:
                add_application_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("%(kind)s %(number)s filed. The credit office answers by %(due)s.")
                    % {"kind": row.get_kind_display(), "number": row.number, "due": row.answer_due.isoformat()},
                )
                return redirect("credit_public:mine")
        else:
            status = 400
    return render(
        request,
        "credit/public/request_new.html",
        {"form": form, "record": record, "kind": kind, "kind_label": RequestKind(kind).label},
        status=status,
    )
