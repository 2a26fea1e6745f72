"""Staff pages of 会议管理 (/staff/documents/meetings/): the meetings of my organizations, a new
meeting, the meeting notices my organizations received (the meeting inbox), and a meeting with its
agenda, the reply table (organizer) or our reply (invited), the minutes' state and number.

Thin: a visibility-checked fetch (NotFound → 404), one action, a response.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound
from egov.core.forms import add_application_error
from egov.core.i18n import series
from egov.documents import meetings as mt
from egov.documents.forms_supervision import MeetingForm, ReplyForm
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role


def _meeting_or_404(request, pk: int):
    try:
        return mt.meeting_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such meeting.")) from None


@staff_required
def meeting_list(request):
    """The meetings of my organizations, latest first."""
    return render(request, "documents/meeting_list.html", {
        "meetings": mt.meetings_organized_by(actor=request.user)[:200],
        "can_create": mt.clerk_organizations(request.user).exists(),
    })


@staff_required
def meeting_notices(request):
    """The meeting inbox: notices my organizations received, with their reply state and deadline."""
    return render(request, "documents/meeting_notices.html", {
        "invitations": mt.meeting_notices_for(actor=request.user)[:200], "now": timezone.now(),
    })


@staff_required
def meeting_new(request):
    """A new meeting of one of my organizations (its notice is sent from its page)."""
    organizers = mt.clerk_organizations(request.user)
    if not organizers.exists():
        raise Http404(_("You are no document clerk of any organization."))
    form = MeetingForm(request.POST or None, organizers=organizers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = mt.meeting_create(
                actor=request.user, organizer=data["organizer"], title=data["title"], starts_at=data["starts_at"],
                ends_at=data["ends_at"], place=data["place"], reply_due=data["reply_due"], notice=data["notice"],
                agenda=form.agenda_rows(), invited=[(o, data["attendees_asked"]) for o in data["invited"]])
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("The meeting is saved; send its notice when ready."))
            return redirect("documents:meeting", pk=meeting.pk)
    return render(request, "documents/meeting_new.html", {"form": form}, status=400 if form.errors else 200)


@staff_required
def meeting_detail(request, pk: int):
    """A meeting: for the organizer the reply table and the steps; for an invited organization its reply."""
    return _detail(request, _meeting_or_404(request, pk))


def _detail(request, meeting, *, bound: dict | None = None, status: int = 200):
    """The meeting page; ``bound``: ``{invitation id: ReplyForm}`` as typed, shown with its errors."""
    user = request.user
    is_organizer = has_role(user, meeting.organizer, Role.DOCUMENT_CLERK)
    invitations = list(meeting.invitations.select_related("organization", "replied_by"))
    mine = [i for i in invitations if has_role(user, i.organization, Role.DOCUMENT_CLERK)]
    organizer_side = is_organizer or user.memberships.filter(organization=meeting.organizer).exists()
    reply_forms = [(i, (bound or {}).get(i.pk) or ReplyForm(prefix=f"i{i.pk}", initial={
        "attending": "yes" if i.attending in (True, None) else "no", "note": i.reply_note,
        "attendees": "\n".join(f"{a['name']}，{a['position']}" if a["position"] else a["name"]
                               for a in i.attendees)})) for i in mine]
    return render(request, "documents/meeting_detail.html", {
        "meeting": meeting, "agenda": meeting.agenda.all(), "is_organizer": is_organizer,
        "invitations": invitations if organizer_side else mine, "organizer_side": organizer_side,
        "replied": sum(1 for i in invitations if i.replied_at), "pending": sum(1 for i in invitations
                                                                                if not i.replied_at),
        "reply_forms": reply_forms if meeting.notice_sent_at else [], "open": timezone.now() <= meeting.reply_due,
        "minutes": meeting.minutes, "items": meeting.supervision_items.all() if organizer_side else [],
        "events": [{"occurred_at": e.occurred_at, "actor_label": e.actor_label,
                    **dict(zip(("what", "details"), mt.meeting_event_describe(e), strict=True))}
                   for e in mt.meeting_history(actor=user, meeting=meeting)] if organizer_side else [],
    }, status=status)


def _reply(request, meeting):
    """Our reply (回执); a refused one comes back as typed, with its errors (not as last saved)."""
    invitation = meeting.invitations.filter(pk=request.POST.get("invitation") or 0).first()
    if invitation is None:
        raise Http404(_("No such meeting."))
    form = ReplyForm(request.POST, prefix=f"i{invitation.pk}")
    if form.is_valid():
        try:
            mt.meeting_reply(actor=request.user, invitation=invitation, attending=form.cleaned_data["attending"],
                             attendees=form.attendee_rows(), note=form.cleaned_data["note"])
        except NotFound:
            raise Http404(_("No such meeting.")) from None
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Done."))
            return redirect("documents:meeting", pk=meeting.pk)
    return _detail(request, meeting, bound={invitation.pk: form}, status=400)


def _remind(request, meeting):
    reminded = mt.meeting_remind(actor=request.user, meeting=meeting)
    messages.info(request, _("Reminded: %(names)s") % {"names": series(i.organization.local_name for i in reminded)
                                                        or "—"})


_STEPS = {
    "notice": lambda request, meeting: mt.meeting_notice_send(actor=request.user, meeting=meeting),
    "remind": _remind,
    "minutes": lambda request, meeting: mt.meeting_minutes_draft(actor=request.user, meeting=meeting),
}


@staff_required
@require_POST
def meeting_step(request, pk: int, step: str):
    """Take one step on a meeting (the action checks the state and the role)."""
    meeting = _meeting_or_404(request, pk)
    if step == "reply":
        return _reply(request, meeting)
    if step not in _STEPS:
        raise Http404(_("No such step."))
    try:
        _STEPS[step](request, meeting)
    except NotFound:
        raise Http404(_("No such meeting.")) from None
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect("documents:meeting", pk=meeting.pk)
