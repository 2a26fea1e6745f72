"""Staff pages of credit (mounted at /staff/credit/): entering a 行政处罚 (双公示) or a list membership
(严重失信主体名单, 经营异常名录, 红名单) decided by one of the staff member's organizations; the credit
office's list of objections and repair applications and the page deciding one, with the download of the
subject's supporting file. Only staff holding ``permissions.ENTER_ROLES`` somewhere see the forms (403
otherwise); the action checks the chosen organization again."""

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
from egov.credit.actions import objection_days, record_enter, request_decide
from egov.credit.forms import DecideForm, ListingForm, PenaltyForm
from egov.credit.models import Kind, Status
from egov.credit.permissions import providers_of
from egov.credit.selectors import office_request, office_request_attachment, office_requests
from egov.facilities.files import file_response


def _record_new(request, *, form_class, kind: str | None, page: dict):
    """The form of a record of ``kind`` (None: the form's ``kind`` field), shared by the penalty and the
    listing pages; after a valid POST the record is entered (``actions.record_enter``) and the same form
    comes back empty with a message saying what became of it (``_entered_text``)."""
    providers = providers_of(request.user)
    if not providers.exists():
        raise HttpForbidden(_("Only the staff who decide penalties and listings may enter them."))
    form = form_class(request.POST or None, providers=providers)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["kind"] = kind or data["kind"]
            try:
                record = record_enter(actor=request.user, **data)
            except ApplicationError as error:
                add_application_error(form, error)
                status = error.status
            else:
                messages.success(request, _entered_text(record))
                return redirect(request.path)
        else:
            status = 400
    return render(request, "credit/staff/record_new.html", {"form": form, **page}, status=status)


def _entered_text(record) -> str:
    """What became of a record just entered: published (until when), proposed with the subject told (the
    objection window's last day), or held for matching."""
    values = {"number": record.number, "kind": record.get_kind_display()}
    if record.status == Status.PUBLISHED:
        return _("%(kind)s %(number)s entered and published until %(until)s.") % {
            **values,
            "until": record.published_until.isoformat(),
        }
    if record.status == Status.OBJECTION:
        return _(
            "%(kind)s %(number)s proposed. The subject has been told and may object until %(until)s; the "
            "listing is published after that unless an objection is upheld."
        ) % {**values, "until": record.objection_until.isoformat()}
    return (
        _(
            "%(kind)s %(number)s entered. The registers do not know the subject: it is held for matching and not "
            "published."
        )
        % values
    )


@staff_required
def penalty_new(request):
    """The form for a 行政处罚 (published at once when the registers know the subject, else held)."""
    return _record_new(
        request,
        form_class=PenaltyForm,
        kind=Kind.PENALTY,
        page={
            "title": _("Enter an administrative penalty"),
            "intro": _(
                "A penalty decision is published on the credit disclosure pages within 7 working days of the "
                "decision. A subject the base registers do not know is held for matching and not published."
            ),
            "button": _("Enter the penalty"),
            "other": ("credit_staff:listing_new", _("Enter a list membership instead")),
        },
    )


@staff_required
def listing_new(request):
    """The form for a membership of 严重失信主体名单, 经营异常名录 or 红名单: proposed, with notice to the
    subject and an objection window, when the registers know the subject; else held."""
    return _record_new(
        request,
        form_class=ListingForm,
        kind=None,
        page={
            "title": _("Enter a list membership"),
            "intro": _(
                "The subject is told what is proposed, why, on what basis and with what measures, and may "
                "object for %(days)s working days. The listing is published after that unless an objection "
                "is upheld. A subject the base registers do not know is held for matching."
            )
            % {"days": objection_days()},
            "button": _("Propose the listing"),
            "other": ("credit_staff:penalty_new", _("Enter an administrative penalty instead")),
        },
    )


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


@staff_required
def request_attachment(request, number: str):
    """The subject's supporting file of one request, to the credit office only (403 for other staff), as a
    download with the content type of the kind found from its bytes at upload; the read is audited."""
    try:
        row, data = office_request_attachment(user=request.user, number=number)
    except PermissionDenied as error:
        raise HttpForbidden(error.message) from None
    except NotFound as error:
        raise Http404(error.message) from None
    return file_response(data=data, kind=row.attachment.kind, name=row.number)
