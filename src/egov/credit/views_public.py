"""Public pages of 信用公示 (mounted at /credit/): search of the subjects with published credit records and a
subject's public record. Only published records are shown (``selectors.published``); a natural person's
name and resident ID are masked and never in an address."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.permissions import public_user_required, verified_public_user_required
from egov.core.errors import ApplicationError, NotFound
from egov.core.forms import add_application_error
from egov.credit.actions import repair_possible_from, request_file
from egov.credit.forms import PublicSearchForm, RequestForm
from egov.credit.models import RequestKind
from egov.credit.selectors import (
    public_subject,
    public_subjects,
    public_subjects_shown,
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
    what it may do about each now, and its objections and repair applications."""
    rows = [(record, repair_possible_from(record)) for record in subject_records(user=request.user)]
    return render(
        request,
        "credit/public/mine.html",
        {"rows": rows, "requests": subject_requests(user=request.user), "today": timezone.localdate()},
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
