"""Staff pages of 督查督办 (/staff/documents/supervision/): my items (open first, overdue first,
by deadline), a new item (also "from this document" / "from this meeting"), an item with its
reports, reminders, the steps I may take and its history.

Thin: a visibility-checked fetch (NotFound → 404), one action, a response.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound, ValidationFailed
from egov.core.forms import add_application_error
from egov.documents import selectors
from egov.documents import supervision as sv
from egov.documents.forms_supervision import ReportForm, SupervisionFilterForm, SupervisionItemForm
from egov.documents.history import actor_names
from egov.documents.meetings import clerk_organizations, meeting_get
from egov.documents.models import SupervisionReminder
from egov.facilities.files import detect_kind, file_response
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role


def _item_or_404(request, pk: int):
    try:
        return sv.supervision_item_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such supervision item.")) from None


PER_PAGE = 50


@staff_required
def supervision_list(request):
    """The items I may see, open ones by default (filter by status, owner, overdue, words), overdue
    first, then by deadline, 50 a page; today's reminders marked."""
    form = SupervisionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    status = filters.get("status") or sv.OPEN
    owner = filters.get("owner")
    items = sv.supervision_items_for(actor=request.user, status="" if status == "all" else status,
                                     owner_id=owner.pk if owner else None, overdue=filters.get("overdue", False),
                                     query=filters.get("q", ""))
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    reminded = set(SupervisionReminder.objects.filter(item__in=[i.pk for i in page], sent_on=timezone.localdate())
                   .values_list("item_id", flat=True))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "documents/supervision_list.html", {
        "form": form, "page": page, "items": list(page.object_list), "query": query.urlencode(),
        "reminded": reminded, "today": timezone.localdate(),
        "can_create": clerk_organizations(request.user).exists(), "status": sv.Status,
    }, status=400 if form.errors else 200)


def _source(request):
    """The document or meeting named by ``?document=`` / ``?meeting=`` (or the posted fields); 404
    when the actor may not see it."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        if data.get("document"):
            return selectors.document_get(actor=request.user, pk=int(data["document"])), None
    except (NotFound, ValueError):
        raise Http404(_("No such document.")) from None
    try:
        if data.get("meeting"):
            return None, meeting_get(actor=request.user, pk=int(data["meeting"]))
    except (NotFound, ValueError):
        raise Http404(_("No such meeting.")) from None
    return None, None


@staff_required
def supervision_new(request):
    """立项: a new item of one of my organizations, prefilled from a document or a meeting."""
    supervisors = clerk_organizations(request.user)
    if not supervisors.exists():
        raise Http404(_("You are no document clerk of any organization."))
    document, meeting = _source(request)
    initial = {}
    if document is not None:
        initial = {"title": document.title[:200], "requirement": f"落实《{document.title}》"}
    elif meeting is not None:
        initial = {"title": f"{meeting.title}议定事项"[:200],
                   "requirement": "\n".join(f"{i.position}. {i.topic}" for i in meeting.agenda.all())}
    form = SupervisionItemForm(request.POST or None, supervisors=supervisors, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deadline = data["deadline"] or sv.deadline_in_working_days(data["working_days"])
            item = sv.supervision_item_create(
                actor=request.user, supervisor=data["supervisor"], title=data["title"],
                requirement=data["requirement"], owner=data["owner"], co_owners=list(data["co_owners"]),
                deadline=deadline, source_document=document, source_meeting=meeting)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("The supervision item is created."))
            return redirect("documents:supervision", pk=item.pk)
    return render(request, "documents/supervision_new.html", {"form": form, "document": document, "meeting": meeting},
                  status=400 if form.errors else 200)


@staff_required
def supervision_detail(request, pk: int):
    """An item: what, who, by when, its reports and reminders, the steps I may take, its history."""
    item = _item_or_404(request, pk)
    user = request.user
    co_owners = list(item.co_owners.all())
    return render(request, "documents/supervision_detail.html", {
        "item": item, "status": sv.Status, "co_owners": co_owners,
        "reports": item.reports.select_related("author", "organization"),
        "reminders": item.reminders.select_related("sent_by").prefetch_related("notified")[:20],
        "is_supervisor": has_role(user, item.supervisor, Role.DOCUMENT_CLERK),
        "is_owner": has_role(user, item.owner, Role.DOCUMENT_CLERK),
        "can_report": item.status in sv.OPEN_FOR_OWNER and any(
            has_role(user, o, Role.DOCUMENT_CLERK) for o in [item.owner, *co_owners]),
        "open_for_owner": item.status in sv.OPEN_FOR_OWNER,
        "report_form": ReportForm(),
        "events": _history(user, item),
    })


def _history(user, item) -> list[dict]:
    """The item's history rows, each naming the person who acted (their name, not the sign-in name
    the audit log keeps), or the platform."""
    events = list(sv.supervision_history(actor=user, item=item))
    names = actor_names(events)
    return [{"occurred_at": e.occurred_at, "summary": e.summary, "what": sv.supervision_event_label(e.action),
             "actor_label": names.get(e.actor_id) or e.actor_label or _("The platform")} for e in events]


def form_error(form) -> ValidationFailed:
    """The first error of a bound, invalid form as a ValidationFailed (shown as a message)."""
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    colon = pgettext("label colon", ": ")
    return ValidationFailed(f"{label}{colon}{errors[0]}" if label else errors[0], extra={"field": field})


def _report(request, item):
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        raise form_error(form)
    sv.supervision_report(actor=request.user, item=item, text=form.cleaned_data["text"],
                          percent=form.cleaned_data["percent"], attachment=form.cleaned_data["attachment"])


_STEPS = {
    "report": _report,
    "complete": lambda request, item: sv.supervision_request_completion(actor=request.user, item=item,
                                                                        text=request.POST.get("text", "")),
    "remind": lambda request, item: sv.supervision_remind(actor=request.user, item=item,
                                                          note=request.POST.get("note", "")),
    "close": lambda request, item: sv.supervision_close(actor=request.user, item=item,
                                                        note=request.POST.get("note", "")),
    "return": lambda request, item: sv.supervision_return(actor=request.user, item=item,
                                                          reasons=request.POST.get("reasons", "")),
}


@staff_required
def report_attachment(request, pk: int, report_pk: int):
    """The attachment of a progress report, to those who may see the item."""
    item = _item_or_404(request, pk)
    report = item.reports.filter(pk=report_pk).exclude(attachment="").first()
    if report is None:
        raise Http404(_("No such attachment."))
    with report.attachment.open("rb") as handle:
        data = handle.read()
    # Typed by the bytes checked at upload (supervision_report), never by the uploaded name: a PDF
    # named .html was served as text/html (issue 17).
    return file_response(data=data, kind=detect_kind(data), name=report.attachment_name.rsplit(".", 1)[0])


@staff_required
@require_POST
def supervision_step(request, pk: int, step: str):
    """Take one step on an item (the action checks the state and the role)."""
    item = _item_or_404(request, pk)
    if step not in _STEPS:
        raise Http404(_("No such step."))
    try:
        _STEPS[step](request, item)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect("documents:supervision", pk=item.pk)
