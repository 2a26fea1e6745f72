"""督查督办: supervision items, their progress reports, reminders (催办) and closing (办结).

The supervising organization (督查室, e.g. the government office) creates an item, from a document,
from a meeting or on its own, for an owner organization (承办单位) and optional co-owners (协办单位),
with a deadline. The owner side reports progress and asks for completion; the supervising side
closes the item with a closing note or returns it for more work (``SUPERVISION_MOVES``). Reminders
go by hand with a note, and daily (Celery beat, ``supervision_reminders_send``) from
``remind_days()`` working days before the deadline and once it has passed (the item is then
flagged ``overdue``). Deadlines are dates; "N working days from today" uses the working-day
calendar (``workflow``'s table of 国务院办公厅 holiday schedules).

Who (deny by default; roles are held in the organization itself):
- seeing an item: members of its supervising, owner and co-owner organizations; others NotFound;
- creating, reminding, closing, returning: a document clerk (文书) of the supervising organization;
- reporting: a document clerk of the owner or a co-owner; asking for completion: of the owner.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from egov.accounts.models import User
from egov.audit.actions import audit_record
from egov.audit.selectors import audit_events_for
from egov.core.actors import SYSTEM, is_system
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.core.text import text_clean
from egov.core.workdays import working_days_add, working_days_between
from egov.documents.meetings import meeting_get
from egov.documents.models import (
    Meeting,
    OfficialDocument,
    ProgressReport,
    SupervisionItem,
    SupervisionReminder,
)
from egov.documents.permissions import require_visible
from egov.facilities import transitions
from egov.facilities.files import detect_kind
from egov.facilities.notifications import in_both_languages, notification_send
from egov.facilities.transitions import Machine
from egov.orgs.models import Organization
from egov.orgs.permissions import has_role, member_organization_ids
from egov.orgs.roles import Role
from egov.workflow.selectors import work_calendar

Status = SupervisionItem.Status
TEXT_MAX = 4000
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

# (from, to) → the move's name; who makes it is in ``_SUPERVISOR_MOVES`` / ``_OWNER_MOVES``.
SUPERVISION_MOVES: dict[tuple[str, str], str] = {
    (Status.ASSIGNED, Status.IN_PROGRESS): "report",
    (Status.RETURNED, Status.IN_PROGRESS): "report",
    (Status.ASSIGNED, Status.COMPLETION_REQUESTED): "request_completion",
    (Status.IN_PROGRESS, Status.COMPLETION_REQUESTED): "request_completion",
    (Status.RETURNED, Status.COMPLETION_REQUESTED): "request_completion",
    (Status.COMPLETION_REQUESTED, Status.RETURNED): "return",
    (Status.COMPLETION_REQUESTED, Status.CLOSED): "close",
    (Status.IN_PROGRESS, Status.CLOSED): "close",
}
# Items waiting for the owner side: reminders apply and they can be overdue.
OPEN_FOR_OWNER = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED})


# A supervision item follows up a decision of this term of office (督查督办 of a 会议 or a 公文): its
# deadline lies within two years. A later date (9999-12-31) is a typing error, and an item that is
# never due is never reminded nor overdue.
DEADLINE_MAX_YEARS = 2


def deadline_latest(*, today: date | None = None) -> date:
    """The latest deadline an item may have: ``DEADLINE_MAX_YEARS`` years after today (28 February
    for a 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + DEADLINE_MAX_YEARS)
    except ValueError:
        return today.replace(year=today.year + DEADLINE_MAX_YEARS, day=28)


def remind_days() -> int:
    """How many working days before its deadline an item is reminded automatically
    (setting ``EGOV_SUPERVISION_REMIND_DAYS``, default 3)."""
    return int(getattr(settings, "EGOV_SUPERVISION_REMIND_DAYS", 3))


def deadline_in_working_days(days: int, *, today: date | None = None) -> date:
    """The deadline "``days`` working days from today": the ``days``-th working day after today on
    the stored calendar (today not counted, 民法典 §201).

    Raises:
        ValidationFailed: ``days`` is not between 1 and 250 (``field: "working_days"``).
    """
    if not 1 <= days <= 250:
        raise ValidationFailed(_("Give between 1 and 250 working days."),
                               extra={"field": "working_days", "rule": "range"})
    return working_days_add(today or timezone.localdate(), days, calendar=work_calendar())


def items_visible(user, queryset: QuerySet[SupervisionItem] | None = None) -> QuerySet[SupervisionItem]:
    """``queryset`` (default: all items) narrowed to those ``user`` may see (None: the platform)."""
    queryset = SupervisionItem.objects.all() if queryset is None else queryset
    if user is None:
        return queryset
    orgs = member_organization_ids(user)
    return queryset.filter(Q(supervisor_id__in=orgs) | Q(owner_id__in=orgs) | Q(co_owners__in=orgs)).distinct()


OPEN = "open"  # the status filter of every status but closed


def supervision_items_for(*, actor, status: str = "", owner_id: int | None = None, overdue: bool = False,
                          query: str = "") -> QuerySet[SupervisionItem]:
    """The items ``actor`` may see: open ones first, overdue first among them, then by deadline.

    Args:
        status: a ``SupervisionItem.Status`` value, ``OPEN`` (all but closed), or "" for all.
        owner_id: only the items of this owner organization.
        overdue: only the open items past their deadline.
        query: only the items whose title or requirement contains it (case-insensitive).
    """
    queryset = SupervisionItem.objects.select_related("supervisor", "owner").annotate(
        closed=Case(When(status=Status.CLOSED, then=Value(1)), default=Value(0)))
    if status == OPEN:
        queryset = queryset.exclude(status=Status.CLOSED)
    elif status:
        queryset = queryset.filter(status=status)
    if owner_id:
        queryset = queryset.filter(owner_id=owner_id)
    if overdue:
        queryset = queryset.filter(overdue=True).exclude(status=Status.CLOSED)
    query = (query or "").strip()
    if query:
        queryset = queryset.filter(Q(title__icontains=query) | Q(requirement__icontains=query))
    return items_visible(actor, queryset).order_by("closed", "-overdue", "deadline", "id")


@dataclass(frozen=True)
class WaitingItem:
    """A supervision item waiting for ``user`` (``supervision_items_waiting_for``): ``item``, the
    ``organization`` it waits in, and ``step``: ``"report"`` (the owner reports progress or asks to
    close it) or ``"decide"`` (the supervisor closes it or returns it)."""

    item: SupervisionItem
    organization: Organization
    step: str


def supervision_items_waiting_for(*, user) -> list[WaitingItem]:
    """The items waiting for ``user``'s work, for the staff inbox: open items (assigned, in
    progress, returned) whose owner organization has ``user`` as a document clerk, and items whose
    completion was asked for (申请办结) whose supervising organization has ``user`` as a document
    clerk; by deadline."""
    clerk_of = list(Organization.objects.filter(
        memberships__user=user, memberships__roles__role=Role.DOCUMENT_CLERK).values_list("pk", flat=True)) \
        if getattr(user, "is_active", False) and getattr(user, "pk", None) else []
    if not clerk_of:
        return []
    items = (SupervisionItem.objects.filter(Q(status__in=OPEN_FOR_OWNER, owner_id__in=clerk_of)
                                            | Q(status=Status.COMPLETION_REQUESTED, supervisor_id__in=clerk_of))
             .select_related("supervisor", "owner").order_by("deadline", "pk"))
    return [WaitingItem(item=item, organization=item.owner, step="report") if item.status in OPEN_FOR_OWNER
            else WaitingItem(item=item, organization=item.supervisor, step="decide") for item in items]


def supervision_item_get(*, actor, pk: int) -> SupervisionItem:
    """The item ``pk``.

    Raises:
        NotFound: no such item, or the actor may not see it (the same answer for both).
    """
    item = items_visible(actor, SupervisionItem.objects.select_related(
        "supervisor", "owner", "source_document", "source_meeting")).filter(pk=pk).first()
    if item is None:
        raise NotFound(_("No such supervision item."), extra={"item": pk})
    return item


def _text(value: str, field: str, *, required: bool = True, limit: int = TEXT_MAX, label: str = "") -> str:
    return text_clean(value, field=field, limit=limit, required=required, label=label)


def _require_role(actor, organization: Organization, action: str) -> None:
    if not is_system(actor) and not has_role(actor, organization, Role.DOCUMENT_CLERK):
        raise PermissionDenied(_("Only a document clerk of %(organization)s can %(action)s.")
                               % {"organization": organization.name, "action": action},
                               extra={"role": Role.DOCUMENT_CLERK})


def _locked(item: SupervisionItem, actor) -> SupervisionItem:
    if not is_system(actor):
        supervision_item_get(actor=actor, pk=item.pk)
    return SupervisionItem.objects.select_for_update(of=("self",)).select_related("supervisor", "owner").get(
        pk=item.pk)


SUPERVISION = Machine.from_pairs(
    kind="documents.supervision", pairs=SUPERVISION_MOVES,
    refused=gettext_lazy("A supervision item in status %(status)s cannot move to %(target)s."))


def _move(item: SupervisionItem, actor, target: str, *, summary: str = "", changes: dict | None = None) -> None:
    """Move the locked ``item`` to ``target`` along ``SUPERVISION_MOVES`` (``facilities.transitions``)."""
    name, _move_name = transitions.move_between(machine=SUPERVISION, obj=item, target=target)
    transitions.transition_apply(machine=SUPERVISION, obj=item, move=name, actor=actor, organization=item.supervisor,
                                 summary=summary or f"{item.status} → {target}", changes=changes, fields=None)


@transaction.atomic
def supervision_item_create(*, actor, supervisor: Organization, title: str, requirement: str, owner: Organization,
                            deadline: date, co_owners=(), source_document: OfficialDocument | None = None,
                            source_meeting: Meeting | None = None) -> SupervisionItem:
    """Create a supervision item (立项) of ``supervisor`` for ``owner``; status ``assigned``.

    Args:
        actor: a document clerk of ``supervisor`` (None: the platform).
        title, requirement: what is to be done (at most 200 and 4000 characters).
        owner: 承办单位; ``co_owners``: 协办单位 (the owner and the supervisor are left out of them).
        deadline: the date by which it is to be done (not before today, at most
            ``DEADLINE_MAX_YEARS`` (2) years ahead: ``deadline_latest``); see
            ``deadline_in_working_days`` for "N working days from today".
        source_document, source_meeting: where it comes from (at most one; the actor must see it).

    Raises:
        PermissionDenied: the actor is no document clerk of ``supervisor``.
        NotFound: the source is not visible to the actor.
        ValidationFailed: a field breaks a rule (``extra["field"]``).
    """
    _require_role(actor, supervisor, _("create supervision items"))
    if source_document is not None and source_meeting is not None:
        raise ValidationFailed(_("An item comes from one document or one meeting, not both."),
                               extra={"field": "source", "rule": "one_source"})
    if source_document is not None:
        require_visible(actor, source_document)
    if source_meeting is not None and not is_system(actor):
        meeting_get(actor=actor, pk=source_meeting.pk)
    if deadline < timezone.localdate():
        raise ValidationFailed(_("The deadline cannot be in the past."), extra={"field": "deadline", "rule": "past"})
    latest = deadline_latest()
    if deadline > latest:
        raise ValidationFailed(_("The deadline can be at most %(years)d years ahead (until %(day)s).")
                               % {"years": DEADLINE_MAX_YEARS, "day": latest.isoformat()},
                               extra={"field": "deadline", "rule": "range"})
    if owner.pk == supervisor.pk or not owner.is_active:
        raise ValidationFailed(_("Choose another active organization as the owner."),
                               extra={"field": "owner", "rule": "owner"})
    item = SupervisionItem(title=_text(title, "title", limit=200), requirement=_text(requirement, "requirement"),
                           supervisor=supervisor, owner=owner, deadline=deadline, created_by=actor,
                           source_document=source_document, source_meeting=source_meeting)
    item.full_clean()
    item.save()
    others = [o for o in dict.fromkeys(co_owners) if o.pk not in (owner.pk, supervisor.pk)]
    item.co_owners.set(others)
    audit_record(action="documents.supervision.create", actor=actor, organization=supervisor, obj=item,
                 summary=f"{item.title} → {owner.name}, {deadline.isoformat()}"[:500],
                 changes={"owner": owner.pk, "co_owners": [o.pk for o in others], "deadline": deadline.isoformat(),
                          "source_document": getattr(source_document, "pk", None),
                          "source_meeting": getattr(source_meeting, "pk", None)})
    return item


@transaction.atomic
def supervision_report(*, actor, item: SupervisionItem, text: str, percent: int | None = None,
                       reported_on: date | None = None, attachment: File | None = None) -> ProgressReport:
    """A progress report (进展情况) of the owner or a co-owner; the first one moves an assigned (or
    returned) item to ``in_progress``.

    Args:
        percent: how much is done, 0–100, optional. reported_on: default today.
        attachment: one file (at most 20 MB), optional.

    Raises:
        NotFound: the actor may not see the item.
        PermissionDenied: the actor is no document clerk of the owner or a co-owner.
        Conflict: the item is closed or waits for the supervisor's decision.
        ValidationFailed: no text, a percent outside 0–100, a date in the future, a too large file,
            a file that is not PDF, an image (JPEG, PNG), OFD or an office document
            (``rule: "file_type"``, by its bytes: ``facilities.files.detect_kind``).
    """
    item = _locked(item, actor)
    organization = next((o for o in [item.owner, *item.co_owners.all()] if has_role(actor, o, Role.DOCUMENT_CLERK)),
                        None) if not is_system(actor) else item.owner
    if organization is None:
        raise PermissionDenied(_("Only a document clerk of the owner organization or a co-owner reports progress."),
                               extra={"role": Role.DOCUMENT_CLERK})
    if item.status not in OPEN_FOR_OWNER:
        raise Conflict(_("A supervision item in status %(status)s takes no more reports.")
                       % {"status": item.get_status_display()}, extra={"status": item.status})
    today = timezone.localdate()
    reported_on = reported_on or today
    if reported_on > today:
        raise ValidationFailed(_("The date cannot be in the future."), extra={"field": "reported_on", "rule": "future"})
    if percent is not None and not 0 <= percent <= 100:
        raise ValidationFailed(_("The percentage is between 0 and 100."), extra={"field": "percent", "rule": "range"})
    report = ProgressReport(item=item, organization=organization, author=actor, reported_on=reported_on,
                            text=_text(text, "text"), percent=percent)
    if attachment is not None:
        if attachment.size > ATTACHMENT_MAX_BYTES:
            raise ValidationFailed(_("The file is larger than %(n)d MB.") % {"n": ATTACHMENT_MAX_BYTES // 2**20},
                                   extra={"field": "attachment", "rule": "max_size"})
        content = attachment.read()
        attachment.seek(0)
        if detect_kind(content) is None:
            raise ValidationFailed(_("Attach a PDF, an image (JPEG, PNG), an OFD or an office document."),
                                   extra={"field": "attachment", "rule": "file_type"})
        report.attachment_name = (attachment.name or "attachment")[:200]
        report.attachment.save(report.attachment_name.rsplit("/", 1)[-1], attachment, save=False)
    report.save()
    changes = {"report": report.pk, "percent": percent, "organization": organization.pk}
    if item.status != Status.IN_PROGRESS and organization.pk == item.owner_id:
        _move(item, actor, Status.IN_PROGRESS, summary=report.text, changes=changes)
    else:
        audit_record(action="documents.supervision.report", actor=actor, organization=organization, obj=item,
                     summary=report.text[:500], changes=changes)
    return report


@transaction.atomic
def supervision_request_completion(*, actor, item: SupervisionItem, text: str) -> SupervisionItem:
    """The owner reports the item done (申请办结) with a final report; the supervisor decides.

    Raises:
        NotFound; PermissionDenied (no document clerk of the owner); ValidationFailed (no text);
        Conflict (closed already or waiting for the decision).
    """
    item = _locked(item, actor)
    _require_role(actor, item.owner, _("ask to close this item"))
    text = _text(text, "text", label=_("the final report"))
    ProgressReport.objects.create(item=item, organization=item.owner, author=actor, reported_on=timezone.localdate(),
                                  text=text, percent=100)
    _move(item, actor, Status.COMPLETION_REQUESTED, summary=text)
    return item


@transaction.atomic
def supervision_close(*, actor, item: SupervisionItem, note: str) -> SupervisionItem:
    """办结: the supervising organization closes the item with a closing note.

    Raises:
        NotFound; PermissionDenied (no document clerk of the supervising organization — the
        owner cannot close its own item); ValidationFailed (no note); Conflict (not open).
    """
    item = _locked(item, actor)
    _require_role(actor, item.supervisor, _("close supervision items"))
    item.closing_note = _text(note, "note", label=_("the closing note"))
    item.closed_at = timezone.now()
    _move(item, actor, Status.CLOSED, summary=item.closing_note, changes={"note": item.closing_note})
    return item


@transaction.atomic
def supervision_return(*, actor, item: SupervisionItem, reasons: str) -> SupervisionItem:
    """The supervising organization returns an item whose completion was asked for, with reasons.

    Raises:
        NotFound; PermissionDenied (no document clerk of the supervising organization);
        ValidationFailed (no reasons); Conflict (completion not asked for).
    """
    item = _locked(item, actor)
    _require_role(actor, item.supervisor, _("return supervision items"))
    item.return_reasons = _text(reasons, "reasons", label=_("the reasons for returning it"))
    _move(item, actor, Status.RETURNED, summary=item.return_reasons, changes={"reasons": item.return_reasons})
    return item


def _owner_clerks(item: SupervisionItem) -> list[User]:
    """The active document clerks of the owner (承办单位) and of every co-owner (协办单位): a 催办
    reaches everyone who reports on the item."""
    organizations = [item.owner_id, *item.co_owners.values_list("pk", flat=True)]
    return list(User.objects.filter(
        is_active=True, memberships__organization__in=organizations,
        memberships__roles__role=Role.DOCUMENT_CLERK).distinct().order_by("pk"))


def _reminder(item: SupervisionItem, kind: str, *, today: date, actor=SYSTEM, note: str = "") -> SupervisionReminder:
    reminder = SupervisionReminder.objects.create(item=item, kind=kind, note=note, sent_on=today, sent_by=actor)
    notified = _owner_clerks(item)
    reminder.notified.set(notified)

    def compose() -> tuple[str, str]:  # read later, in the platform's language or in English
        subject = _("Supervision item “%(title)s”: reminder (due %(day)s)") % {
            "title": item.title, "day": item.deadline.isoformat()}
        body = "\n".join(str(line) for line in (
            _("%(supervisor)s reminds %(owner)s of the supervision item “%(title)s”, due %(day)s.")
            % {"supervisor": item.supervisor.local_name, "owner": item.owner.local_name, "title": item.title,
               "day": item.deadline.isoformat()}, note) if line)
        return subject, body

    texts = in_both_languages(compose)
    for person in notified:  # the staff inbox (/staff/notifications/) and an e-mail after commit
        notification_send(recipient=person, link_name="documents:supervision", link_args=[item.pk], **texts)
    audit_record(action=f"documents.supervision.remind_{kind}", actor=actor, organization=item.supervisor, obj=item,
                 summary=f"催办 {item.owner.name}: {note or item.deadline.isoformat()}"[:500],
                 changes={"kind": kind, "deadline": item.deadline.isoformat(), "notified": [u.pk for u in notified]})
    return reminder


@transaction.atomic
def supervision_remind(*, actor, item: SupervisionItem, note: str) -> SupervisionReminder:
    """催办 by hand: the supervising organization reminds the owner with a note; the document clerks
    of the owner and of the co-owners are notified (shown on their supervision pages).

    Raises:
        NotFound; PermissionDenied (no document clerk of the supervising organization);
        ValidationFailed (no note); Conflict (the item does not wait for the owner).
    """
    item = _locked(item, actor)
    _require_role(actor, item.supervisor, _("send reminders"))
    if item.status not in OPEN_FOR_OWNER:
        raise Conflict(_("A supervision item in status %(status)s is not reminded.")
                       % {"status": item.get_status_display()}, extra={"status": item.status})
    return _reminder(item, SupervisionReminder.Kind.MANUAL, today=timezone.localdate(), actor=actor,
                     note=_text(note, "note", limit=500, label=_("the reminder note")))


@dataclass(frozen=True)
class ReminderRun:
    """What one run of ``supervision_reminders_send`` did: item ids reminded as due soon, as
    overdue, and newly flagged overdue."""

    due_soon: list[int]
    overdue: list[int]
    flagged: list[int]


def supervision_reminders_send(*, today: date | None = None) -> ReminderRun:
    """催办 by the daily task: remind each item waiting for its owner whose deadline is at most
    ``remind_days()`` working days away (``due_soon``; 0 on the deadline itself), and each whose
    deadline has passed (``overdue``; the item is flagged ``overdue``). At most one automatic
    reminder of a kind per item and day: a second run on the same day sends nothing. Nothing is
    sent on a day off (weekends, holidays): the next working day's run catches up.

    Returns the ``ReminderRun``. Each item is handled in its own transaction.
    """
    today = today or timezone.localdate()
    calendar = work_calendar()
    window = remind_days()
    run = ReminderRun(due_soon=[], overdue=[], flagged=[])
    if not calendar.is_working_day(today):
        return run
    for item in SupervisionItem.objects.filter(status__in=OPEN_FOR_OWNER).select_related("supervisor", "owner"):
        if item.deadline < today:
            kind = SupervisionReminder.Kind.OVERDUE
        elif working_days_between(today, item.deadline, calendar=calendar) <= window:
            kind = SupervisionReminder.Kind.DUE_SOON
        else:
            continue
        if SupervisionReminder.objects.filter(item=item, kind=kind, sent_on=today).exists():
            continue
        flag = kind == SupervisionReminder.Kind.OVERDUE and not item.overdue
        try:
            with transaction.atomic():
                if flag:
                    SupervisionItem.objects.filter(pk=item.pk).update(overdue=True)
                    audit_record(action="documents.supervision.overdue", organization=item.supervisor, obj=item,
                                 summary=f"overdue since {item.deadline.isoformat()}", changes={"overdue": True})
                _reminder(item, kind, today=today)
        except IntegrityError:
            continue  # a concurrent run reminded it a moment ago
        if flag:
            run.flagged.append(item.pk)
        (run.overdue if kind == SupervisionReminder.Kind.OVERDUE else run.due_soon).append(item.pk)
    return run


def supervision_history(*, actor, item: SupervisionItem):
    """The audit events about ``item``, oldest first.

    Raises:
        NotFound: the actor may not see the item.
    """
    supervision_item_get(actor=actor, pk=item.pk)
    return audit_events_for(object_type=SupervisionItem._meta.label_lower, object_id=item.pk)


_EVENT_LABELS = {
    "documents.supervision.create": pgettext_lazy("supervision history", "Item created (立项)"),
    "documents.supervision.report": pgettext_lazy("supervision history", "Progress report"),
    "documents.supervision.request_completion": pgettext_lazy("supervision history", "Completion requested"),
    "documents.supervision.return": pgettext_lazy("supervision history", "Returned for more work"),
    "documents.supervision.close": pgettext_lazy("supervision history", "Closed (办结)"),
    "documents.supervision.overdue": pgettext_lazy("supervision history", "Marked overdue"),
}


def supervision_event_label(action: str) -> str:
    """What an item's audit event was, in the active language, for its history table (the audit
    log keeps its action names as written); a reminder (催办) is named with its kind."""
    if action.startswith("documents.supervision.remind_"):
        kind = action.removeprefix("documents.supervision.remind_")
        label = SupervisionReminder.Kind(kind).label if kind in SupervisionReminder.Kind.values else kind
        return pgettext("supervision history", "Reminder: %(kind)s") % {"kind": label}
    return str(_EVENT_LABELS.get(action, action))
