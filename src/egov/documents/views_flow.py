"""Staff pages of 收发文: the 发文 and 收文 inboxes, 会签, a received document with its steps
(登记, 初审, 拟办, 批办, 承办, 传阅, 答复, 归档); its archive package is downloaded through
``views.archive_download``, the one archive view of issued and received documents.

Thin: a visibility-checked fetch (NotFound → 404), one action, a response.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.models import User
from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound
from egov.documents import incoming as steps
from egov.documents import selectors
from egov.documents.flow import document_countersign
from egov.documents.history import history_rows
from egov.documents.models import Reminder
from egov.documents.states import CIRCULATING, IncomingStatus
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role


def _incoming_or_404(request, pk: int):
    try:
        return selectors.incoming_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such document.")) from None


@staff_required
def outbox(request):
    """发文: the documents of my organizations, with where each stands."""
    return render(request, "documents/outbox.html", {"documents": selectors.outbox_for(actor=request.user)[:200]})


@staff_required
def inbox(request):
    """收文: deliveries waiting for 签收, then the received documents of my organizations."""
    today = timezone.localdate()
    incoming = list(selectors.incoming_for(actor=request.user)[:200])
    reminded = set(Reminder.objects.filter(recipient__in=[i.recipient_id for i in incoming], sent_on=today)
                   .values_list("recipient_id", flat=True))
    return render(request, "documents/inbox.html", {
        "to_sign": selectors.deliveries_to_sign_for(actor=request.user), "incoming": incoming, "today": today,
        "reminded": reminded,
    })


@staff_required
@require_POST
def countersign(request, pk: int):
    """会签: my organization's opinion on a document being countersigned."""
    try:
        document = selectors.document_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such document.")) from None
    try:
        document_countersign(actor=request.user, document=document, agree=request.POST.get("agree") == "yes",
                             opinion=request.POST.get("opinion", ""), mfa_verified=request.user.is_verified())
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your countersignature is recorded."))
    return redirect("documents:detail", pk=document.pk)


def _members(incoming):
    return User.objects.filter(memberships__organization=incoming.organization, is_active=True).order_by("name")


@staff_required
def incoming_detail(request, pk: int):
    """A received document: its steps as forms for whoever may take them, 传阅 and read receipts."""
    incoming = _incoming_or_404(request, pk)
    user = request.user
    organization = incoming.organization
    circulations = list(incoming.circulations.select_related("reader"))
    return render(request, "documents/incoming.html", {
        "incoming": incoming, "document": incoming.document, "status": IncomingStatus,
        "is_clerk": has_role(user, organization, Role.DOCUMENT_CLERK),
        "is_reviewer": has_role(user, organization, Role.REVIEWER),
        "is_approver": has_role(user, organization, Role.APPROVER),
        "is_handler": incoming.handler_id == user.pk, "members": _members(incoming),
        "circulating": incoming.status in CIRCULATING, "circulations": circulations,
        "to_read": any(c.reader_id == user.pk and c.read_at is None for c in circulations),
        "reminders": incoming.recipient.reminders.all()[:10],
        "rows": history_rows(selectors.incoming_history(actor=user, incoming=incoming), incoming=True),
    })


def _users(incoming, ids) -> list:
    members = {str(u.pk): u for u in _members(incoming)}
    return [members[i] for i in ids if i in members]


# step name → how to call it with the posted form
_STEPS = {
    "register": lambda request, i: steps.incoming_register(actor=request.user, incoming=i),
    "accept": lambda request, i: steps.incoming_accept(actor=request.user, incoming=i),
    "return": lambda request, i: steps.incoming_return(actor=request.user, incoming=i,
                                                       reasons=request.POST.get("reasons", "")),
    "propose": lambda request, i: steps.incoming_propose(actor=request.user, incoming=i,
                                                         proposal=request.POST.get("proposal", "")),
    "instruct": lambda request, i: steps.incoming_instruct(
        actor=request.user, incoming=i, instruction=request.POST.get("instruction", ""),
        handler=next(iter(_users(i, [request.POST.get("handler", "")])), None)),
    "handle": lambda request, i: steps.incoming_handle(actor=request.user, incoming=i,
                                                       result=request.POST.get("result", "")),
    "reply": lambda request, i: steps.incoming_reply(actor=request.user, incoming=i,
                                                     reply=request.POST.get("reply", "")),
    "archive": lambda request, i: steps.incoming_archive(actor=request.user, incoming=i),
    "circulate": lambda request, i: steps.incoming_circulate(actor=request.user, incoming=i,
                                                             readers=_users(i, request.POST.getlist("readers"))),
    "read": lambda request, i: steps.incoming_read(actor=request.user, incoming=i),
}


@staff_required
@require_POST
def incoming_step(request, pk: int, step: str):
    """Take one step of 收文办理 (the action checks the table and the role)."""
    incoming = _incoming_or_404(request, pk)
    if step not in _STEPS:
        raise Http404(_("No such step."))
    try:
        _STEPS[step](request, incoming)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect("documents:incoming", pk=incoming.pk)
