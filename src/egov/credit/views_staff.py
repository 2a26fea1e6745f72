"""Staff pages of credit (mounted at /staff/credit/): entering a 行政处罚 (双公示) decided by one of the
staff member's organizations; the credit office's list of objections and repair applications and the
page deciding one. Only staff holding ``permissions.ENTER_ROLES`` somewhere see the form
(403 otherwise); the action checks the chosen organization again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.permissions import staff_required
from egov.audit.actions import audit_list_read
from egov.core.errors import ApplicationError, NotFound, PermissionDenied
from egov.core.forms import add_application_error
from egov.credit.actions import record_enter, request_decide
from egov.credit.forms import DecideForm, PenaltyForm
from egov.credit.models import Kind, Status
from egov.credit.permissions import providers_of
from egov.credit.selectors import office_request, office_requests


@staff_required
def penalty_new(request):
    """The form for a 行政处罚; after a valid POST the record is entered (published at once when the
    registers know the subject, else held for matching) and the form comes back empty with a message."""
    providers = providers_of(request.user)
    if not providers.exists():
        raise HttpForbidden(_("Only the staff who decide penalties may enter them."))
    form = PenaltyForm(request.POST or None, providers=providers)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = record_enter(actor=request.user, kind=Kind.PENALTY, **data)
            except ApplicationError as error:
                add_application_error(form, error)
                status = error.status
            else:
                if record.status == Status.PUBLISHED:
                    text = _("Penalty %(number)s entered and published until %(until)s.") % {
                        "number": record.number,
                        "until": record.published_until.isoformat(),
                    }
                else:
                    text = _(
                        "Penalty %(number)s entered. The registers do not know the subject: it is held for "
                        "matching and not published."
                    ) % {"number": record.number}
                messages.success(request, text)
                return redirect("credit_staff:penalty_new")
        else:
            status = 400
    return render(request, "credit/staff/penalty_new.html", {"form": form}, status=status)


@staff_required
def requests_list(request):
    """The credit office's objections and repair applications: the open ones, earliest answer due first
    (``?all=1``: every one, newest first). 403 for staff who are not credit officers."""
    show_all = request.GET.get("all") == "1"
    try:
        rows = list(office_requests(user=request.user, open_only=not show_all))
    except PermissionDenied as error:
        raise HttpForbidden(error.message) from None
    # the list names each request's subject: one read event naming the requests shown (issue 17)
    audit_list_read(
        action="credit.request.read_list",
        actor=request.user,
        object_type="credit.creditrequest",
        object_ids=[row.pk for row in rows],
        summary="credit office's requests",
        changes={"all": show_all},
    )
    return render(
        request,
        "credit/staff/requests.html",
        {"rows": rows, "show_all": show_all, "today": timezone.localdate()},
    )


@staff_required
def request_detail(request, number: str):
    """One request (the read is audited) with the record it is about, and, while open, the form to accept
    or reject it with reasons."""
    try:
        row = office_request(user=request.user, number=number)
    except PermissionDenied as error:
        raise HttpForbidden(error.message) from None
    except NotFound as error:
        raise Http404(error.message) from None
    form = DecideForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                request_decide(
                    actor=request.user,
                    request=row,
                    accept=form.cleaned_data["decision"] == "accept",
                    reasons=form.cleaned_data["reasons"],
                )
            except ApplicationError as error:
                add_application_error(form, error)
                status = error.status
            else:
                row.refresh_from_db()
                messages.success(
                    request,
                    _("%(number)s answered: %(status)s.") % {"number": row.number, "status": row.get_status_display()},
                )
                return redirect("credit_staff:request", number=row.number)
        else:
            status = 400
    return render(request, "credit/staff/request.html", {"row": row, "form": form}, status=status)
