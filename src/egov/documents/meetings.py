"""会议管理: a meeting, its notice (会议通知) to invited organizations, their replies (回执) and the
minutes, issued as a 纪要 (党政机关公文处理工作条例 §8 (十五)) through the outgoing flow.

The organizer's document clerk (文书) creates the meeting with its agenda and the organizations
invited (each asked for a number of attendees) and sends the notice: it shows in each invited
organization's meeting inbox. A document clerk of an invited organization replies by the reply
deadline (attending or not, who comes, a note); a reply after the deadline is refused (the
organizer sees who has not replied and can remind them, and arranges late changes directly).
"Draft the minutes" makes an ``OfficialDocument`` of kind 纪要 of the organizer, addressed (主送)
to the organizations attending, which then goes 拟稿 → 核稿 → 签发 → … → 核发 like any document.

Who sees a meeting (deny by default): members of the organizer, and members of an invited
organization once the notice is sent. Everyone else: NotFound.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from egov.accounts.models import User
from egov.audit.actions import audit_record
from egov.audit.selectors import audit_events_for
from egov.core.actors import is_system
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.core.i18n import series
from egov.core.text import text_clean
from egov.documents.actions import document_draft
from egov.documents.models import AgendaItem, Invitation, Kind, Meeting, OfficialDocument
from egov.documents.states import Status as DocumentStatus
from egov.facilities.notifications import in_both_languages, notification_send
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.permissions import has_role, member_organization_ids
from egov.orgs.roles import Role

ATTENDEES_MAX = 20


def meetings_visible(user, queryset: QuerySet[Meeting] | None = None) -> QuerySet[Meeting]:
    """``queryset`` (default: all meetings) narrowed to those ``user`` may see (None: the platform)."""
    queryset = Meeting.objects.all() if queryset is None else queryset
    if user is None:
        return queryset
    orgs = member_organization_ids(user)
    return queryset.filter(
        Q(organizer_id__in=orgs) | Q(notice_sent_at__isnull=False, invitations__organization_id__in=orgs)
    ).distinct()


def meeting_get(*, actor, pk: int) -> Meeting:
    """The meeting ``pk``.

    Raises:
        NotFound: no such meeting, or the actor may not see it (the same answer for both).
    """
    meeting = meetings_visible(actor, Meeting.objects.select_related("organizer", "minutes")).filter(pk=pk).first()
    if meeting is None:
        raise NotFound(_("No such meeting."), extra={"meeting": pk})
    return meeting


def meetings_organized_by(*, actor) -> QuerySet[Meeting]:
    """The meetings of the actor's organizations, latest first."""
    return Meeting.objects.filter(organizer_id__in=member_organization_ids(actor)).select_related("organizer").order_by(
        "-starts_at", "-id")


def meeting_notices_for(*, actor) -> QuerySet[Invitation]:
    """The meeting notices received by the actor's organizations (sent ones only), latest meeting first."""
    return (Invitation.objects.filter(organization_id__in=member_organization_ids(actor),
                                      meeting__notice_sent_at__isnull=False)
            .select_related("meeting", "meeting__organizer", "organization").order_by("-meeting__starts_at", "-id"))


def clerk_organizations(user) -> QuerySet[Organization]:
    """The active organizations where ``user`` is a document clerk: those whose meetings they may
    organize and whose supervision items they may create."""
    ids = RoleAssignment.objects.filter(membership__user=user, role=Role.DOCUMENT_CLERK).values_list(
        "membership__organization_id", flat=True)
    return Organization.objects.filter(pk__in=ids, is_active=True).order_by("path")


def _require_clerk(actor, organization: Organization, action: str) -> None:
    if not is_system(actor) and not has_role(actor, organization, Role.DOCUMENT_CLERK):
        raise PermissionDenied(_("Only a document clerk of %(organization)s can %(action)s.")
                               % {"organization": organization.name, "action": action},
                               extra={"role": Role.DOCUMENT_CLERK})


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    return text_clean(value, field=field, limit=limit, required=required)


@transaction.atomic
def meeting_create(*, actor, organizer: Organization, title: str, starts_at: datetime, ends_at: datetime,
                   place: str, reply_due: datetime, agenda: list[tuple[str, str]],
                   invited: list[tuple[Organization, int]], notice: str = "",
                   now: datetime | None = None) -> Meeting:
    """Create a meeting of ``organizer`` (its notice not sent yet).

    Args:
        actor: a document clerk of ``organizer`` (None: the platform).
        starts_at, ends_at: aware datetimes, the end after the start.
        reply_due: the 回执 deadline, before the start.
        agenda: ``(topic, presenter)`` in order; at least one topic.
        invited: ``(organization, attendees asked)``; at least one organization other than the
            organizer, 1–20 attendees each.
        notice: the text of the notice (会议通知), optional.
        now: the present (default: now); the meeting and its reply deadline are after it.

    Raises:
        PermissionDenied: the actor is no document clerk of ``organizer``.
        ValidationFailed: a field breaks a rule (``extra["field"]``): a start or a reply deadline
            in the past (``rule: "past"``).
    """
    _require_clerk(actor, organizer, _("organize its meetings"))
    _require_future(starts_at, reply_due, now or timezone.now())
    if ends_at <= starts_at:
        raise ValidationFailed(_("The meeting ends after it starts."), extra={"field": "ends_at", "rule": "order"})
    if reply_due > starts_at:
        raise ValidationFailed(_("Replies are due before the meeting starts."),
                               extra={"field": "reply_due", "rule": "order"})
    agenda = [(_text(topic, "agenda", 300), _text(presenter, "agenda", 100, required=False))
              for topic, presenter in agenda if (topic or "").strip()]
    if not agenda:
        raise ValidationFailed(_("Give at least one agenda item."), extra={"field": "agenda", "rule": "required"})
    seen: set[int] = set()
    rows = []
    for organization, asked in invited:
        if organization.pk == organizer.pk or organization.pk in seen:
            continue
        if not organization.is_active:
            raise ValidationFailed(_("%(name)s is no longer active.") % {"name": organization.name},
                                   extra={"field": "invited", "rule": "inactive"})
        if not 1 <= int(asked) <= ATTENDEES_MAX:
            raise ValidationFailed(_("Ask for between 1 and %(n)d attendees.") % {"n": ATTENDEES_MAX},
                                   extra={"field": "invited", "rule": "attendees"})
        seen.add(organization.pk)
        rows.append((organization, int(asked)))
    if not rows:
        raise ValidationFailed(_("Invite at least one other organization."),
                               extra={"field": "invited", "rule": "required"})
    meeting = Meeting(organizer=organizer, title=_text(title, "title", 200), starts_at=starts_at, ends_at=ends_at,
                      place=_text(place, "place", 200), reply_due=reply_due, notice=_text(notice, "notice", 4000,
                                                                                           required=False),
                      created_by=actor)
    meeting.save()
    AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, position=index, topic=topic, presenter=presenter)
                                    for index, (topic, presenter) in enumerate(agenda, start=1)])
    Invitation.objects.bulk_create([Invitation(meeting=meeting, organization=organization, attendees_asked=asked)
                                    for organization, asked in rows])
    audit_record(action="documents.meeting.create", actor=actor, organization=organizer, obj=meeting,
                 summary=f"{meeting.title} {starts_at.isoformat()}"[:500],
                 changes={"invited": [o.pk for o, _asked in rows], "agenda": len(agenda),
                          "starts_at": starts_at.isoformat(), "reply_due": reply_due.isoformat()})
    return meeting


def _require_future(starts_at: datetime, reply_due: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise ValidationFailed(_("The meeting would start in the past."), extra={"field": "starts_at", "rule": "past"})
    if reply_due <= now:
        raise ValidationFailed(_("The reply deadline has passed already."),
                               extra={"field": "reply_due", "rule": "past"})


def _locked(meeting: Meeting, actor) -> Meeting:
    if not is_system(actor):
        meeting_get(actor=actor, pk=meeting.pk)
    return Meeting.objects.select_for_update(of=("self",)).select_related("organizer").get(pk=meeting.pk)


@transaction.atomic
def meeting_notice_send(*, actor, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """Send the notice (会议通知): it is delivered to each invited organization's meeting inbox on
    this platform (``meeting_notices_for``). Sent once, while the reply deadline is ahead.

    Raises:
        NotFound; PermissionDenied (no document clerk of the organizer); Conflict (sent already;
        the meeting started or its reply deadline passed: ``rule: "past"``).
    """
    meeting = _locked(meeting, actor)
    _require_clerk(actor, meeting.organizer, _("send its meeting notices"))
    if meeting.notice_sent_at is not None:
        raise Conflict(_("The notice was sent already."), extra={"rule": "sent"})
    now = now or timezone.now()
    if meeting.reply_due <= now:
        raise Conflict(_("The reply deadline has passed already: change the meeting's dates first."),
                       extra={"rule": "past"})
    meeting.notice_sent_at = now
    meeting.save(update_fields=["notice_sent_at"])
    invited = list(meeting.invitations.values_list("organization_id", flat=True))
    audit_record(action="documents.meeting.notice", actor=actor, organization=meeting.organizer, obj=meeting,
                 summary=f"notice of {meeting.title} to {len(invited)} organizations"[:500],
                 changes={"invited": invited})
    return meeting


def _attendees(rows: list[dict]) -> list[dict]:
    cleaned = []
    for row in rows:
        name = (row.get("name") or "").strip()
        position = (row.get("position") or "").strip()
        if not name:
            continue
        if len(name) > 50 or len(position) > 100:
            raise ValidationFailed(_("A name or position is too long."), extra={"field": "attendees",
                                                                               "rule": "max_length"})
        cleaned.append({"name": name, "position": position})
    return cleaned


def attendees_parse(text: str) -> list[dict]:
    """Attendees as typed, one a line: name, then the position after a comma, a 、 or a space
    (``"周洁，办公室主任"`` → ``{"name": "周洁", "position": "办公室主任"}``)."""
    rows = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        for separator in ("，", ",", "、", "\u3000", " "):
            if separator in line:
                name, position = line.split(separator, 1)
                break
        else:
            name, position = line, ""
        rows.append({"name": name.strip(), "position": position.strip()})
    return rows


@transaction.atomic
def meeting_reply(*, actor, invitation: Invitation, attending: bool, attendees: list[dict] | None = None,
                  note: str = "", now: datetime | None = None) -> Invitation:
    """回执: an invited organization replies; it may change its reply until the deadline.

    Args:
        actor: a document clerk of the invited organization.
        attending: whether it attends. attendees: ``{"name", "position"}`` dicts, at least one and at
            most the number asked for when attending (none when not).
        note: a note to the organizer (at most 500 characters).

    Raises:
        NotFound: the actor may not see the meeting (or the notice is not sent yet).
        PermissionDenied: no document clerk of the invited organization.
        Conflict: the reply deadline has passed (``extra["rule"] == "late"``).
        ValidationFailed: attendees missing, too many, or too long.
    """
    meeting = _locked(invitation.meeting, actor)
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("organization").get(
        pk=invitation.pk)
    if meeting.notice_sent_at is None:
        raise NotFound(_("No such meeting."), extra={"meeting": meeting.pk})
    _require_clerk(actor, invitation.organization, _("reply for it"))
    now = now or timezone.now()
    if now > meeting.reply_due:
        raise Conflict(_("Replies were due by %(due)s; ask the organizer directly.")
                       % {"due": timezone.localtime(meeting.reply_due).strftime("%Y-%m-%d %H:%M")},
                       extra={"rule": "late", "reply_due": meeting.reply_due.isoformat()})
    people = _attendees(attendees or []) if attending else []
    if attending and not people:
        raise ValidationFailed(_("Name who attends."), extra={"field": "attendees", "rule": "required"})
    if len(people) > invitation.attendees_asked:
        raise ValidationFailed(_("You were asked for at most %(n)d attendees.") % {"n": invitation.attendees_asked},
                               extra={"field": "attendees", "rule": "too_many"})
    invitation.attending = bool(attending)
    invitation.attendees = people
    invitation.reply_note = _text(note, "note", 500, required=False)
    invitation.replied_at = now
    invitation.replied_by = actor
    invitation.save()
    audit_record(action="documents.meeting.reply", actor=actor, organization=invitation.organization, obj=meeting,
                 summary=f"{invitation.organization.name}: {'attending' if attending else 'not attending'}",
                 changes={"invitation": invitation.pk, "attending": bool(attending), "attendees": len(people)})
    return invitation


@transaction.atomic
def meeting_remind(*, actor, meeting: Meeting) -> list[Invitation]:
    """Remind the invited organizations that have not replied (shown in their meeting inbox).
    Returns those reminded (none once all replied or after the deadline).

    Raises:
        NotFound; PermissionDenied (no document clerk of the organizer); Conflict (notice not sent).
    """
    meeting = _locked(meeting, actor)
    _require_clerk(actor, meeting.organizer, _("send reminders"))
    if meeting.notice_sent_at is None:
        raise Conflict(_("Send the notice first."), extra={"rule": "not_sent"})
    now = timezone.now()
    if now > meeting.reply_due:
        return []
    pending = list(meeting.invitations.filter(replied_at__isnull=True).select_related("organization"))
    if pending:
        Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(reminded_at=now)
        _remind_clerks(meeting, pending)
        audit_record(action="documents.meeting.remind", actor=actor, organization=meeting.organizer, obj=meeting,
                     summary="催办 " + "、".join(i.organization.name for i in pending)[:480],
                     changes={"organizations": [i.organization_id for i in pending]})
    return pending


def _remind_clerks(meeting: Meeting, pending: list[Invitation]) -> None:
    """Tell the document clerks of each organization that has not replied, in their inbox
    (/staff/notifications/) and by e-mail after commit, in the platform's language and in English
    (``in_both_languages``)."""

    def compose() -> tuple[str, str]:
        subject = _("Meeting “%(title)s”: reply by %(due)s") % {
            "title": meeting.title, "due": timezone.localtime(meeting.reply_due).strftime("%Y-%m-%d %H:%M")}
        body = _("%(organizer)s asks for your organization's reply (回执) to the notice of “%(title)s”.") % {
            "organizer": meeting.organizer.local_name, "title": meeting.title}
        return subject, body

    texts = in_both_languages(compose)
    clerks = User.objects.filter(is_active=True, memberships__organization__in=[i.organization_id for i in pending],
                                 memberships__roles__role=Role.DOCUMENT_CLERK).distinct()
    for person in clerks:
        notification_send(recipient=person, link_name="documents:meeting_notices", **texts)


def minutes_title(meeting: Meeting) -> str:
    """The title of a meeting's 纪要: "…会议纪要" (the meeting's title ending in 会/会议 is kept as is)."""
    title = meeting.title.strip()
    if title.endswith("会议") or title.endswith("会"):
        return f"{title}纪要"
    return f"{title}会议纪要"


def minutes_body(meeting: Meeting) -> str:
    """The first draft of a 纪要's body: when, where, who organized it, and the agenda as headings
    一、二、… with the presenter, for the drafter to fill in what was decided."""
    start = timezone.localtime(meeting.starts_at)
    lines = [f"{start.year}年{start.month}月{start.day}日，{meeting.organizer.name}在{meeting.place}召开"
             f"{meeting.title}。会议议定事项纪要如下："]
    numerals = "一二三四五六七八九十"
    for index, item in enumerate(meeting.agenda.all()):
        heading = numerals[index] if index < len(numerals) else str(index + 1)
        presenter = f"（{item.presenter}）" if item.presenter else ""
        lines.append(f"{heading}、{item.topic}{presenter}")
    return "\n".join(lines)


@transaction.atomic
def meeting_minutes_draft(*, actor, meeting: Meeting, now: datetime | None = None) -> OfficialDocument:
    """"Draft the minutes": a 纪要 of the organizer, titled ``minutes_title``, its body from the
    agenda (``minutes_body``), addressed (主送) to the organizations that replied attending, linked
    to the meeting; it waits at 拟稿 in the outgoing flow (``documents.actions.document_draft``).

    Raises:
        NotFound; PermissionDenied (no document clerk of the organizer); Conflict (the notice was
        not sent; the meeting has not started yet, ``rule: "not_started"``: replies may still
        come; or minutes exist already and are not withdrawn).
    """
    meeting = _locked(meeting, actor)
    _require_clerk(actor, meeting.organizer, _("draft its minutes"))
    if meeting.notice_sent_at is None:
        raise Conflict(_("Send the notice first."), extra={"rule": "not_sent"})
    if (now or timezone.now()) < meeting.starts_at:
        raise Conflict(_("Minutes are drafted once the meeting has started."), extra={"rule": "not_started"})
    if meeting.minutes is not None and meeting.minutes.status != DocumentStatus.WITHDRAWN:
        raise Conflict(_("The minutes are drafted already."), extra={"document": meeting.minutes_id})
    attending = [i.organization for i in meeting.invitations.filter(attending=True).select_related("organization")]
    document = document_draft(actor=actor, issuer=meeting.organizer, kind=Kind.MINUTES, title=minutes_title(meeting),
                              body=minutes_body(meeting), main_to=attending)
    meeting.minutes = document
    meeting.save(update_fields=["minutes"])
    audit_record(action="documents.meeting.minutes", actor=actor, organization=meeting.organizer, obj=meeting,
                 summary=document.title[:500], changes={"document": document.pk})
    return document


def meeting_history(*, actor, meeting: Meeting):
    """The audit events about ``meeting``, oldest first.

    Raises:
        NotFound: the actor may not see the meeting.
    """
    meeting_get(actor=actor, pk=meeting.pk)
    return audit_events_for(object_type=Meeting._meta.label_lower, object_id=meeting.pk)


def meeting_event_describe(event) -> tuple[str, str]:
    """``(what, details)`` of a meeting's audit event in the active language, for its history page
    (the audit log keeps its summaries in English, as written)."""
    changes = event.changes or {}
    if event.action == "documents.meeting.create":
        return _("Meeting created"), event.summary
    if event.action == "documents.meeting.notice":
        count = len(changes.get("invited", []))
        return _("Notice sent"), ngettext("to %(count)d organization", "to %(count)d organizations",
                                          count) % {"count": count}
    if event.action == "documents.meeting.reply":
        answer = (ngettext("attending, %(count)d person", "attending, %(count)d people", changes.get("attendees", 0))
                  % {"count": changes.get("attendees", 0)}) if changes.get("attending") else _("not attending")
        organization = Organization.objects.filter(pk=event.organization_id).first()
        name = organization.local_name if organization else event.organization_label
        return pgettext("meeting", "Reply"), f"{name}{pgettext('label colon', ': ')}{answer}"
    if event.action == "documents.meeting.remind":
        names = Organization.objects.filter(pk__in=changes.get("organizations", [])).order_by("path")
        return _("Reminder sent (催办)"), series(organization.local_name for organization in names)
    if event.action == "documents.meeting.minutes":
        return _("Minutes drafted"), event.summary
    return event.action, event.summary
