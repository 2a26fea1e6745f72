"""收文办理: a received document as its receiving organization handles it (条例 §§24–25).

签收 (``actions.document_receive``) opens one ``IncomingDocument`` per receiving organization;
then 登记 (收文编号) → 初审 (returned to the sender with reasons, or accepted) → 拟办 → 批办 (the
leader names the 承办人) → 承办 → 答复 → 归档, by the table ``states.INCOMING_MOVES``. 传阅 with read
receipts goes alongside, and 催办 (``reminders_send``, Celery beat) reminds before deadlines.

Only members of the receiving organization see its received document (others: NotFound).
"""

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import User
from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.core.text import text_clean
from egov.core.workdays import working_days_between
from egov.documents import rules
from egov.documents.models import Circulation, IncomingCounter, IncomingDocument, Recipient, Reminder
from egov.documents.states import CIRCULATING, INCOMING_MOVES, INCOMING_OPEN, IncomingStatus
from egov.facilities import transitions
from egov.facilities.notifications import in_both_languages, notification_send
from egov.facilities.numbering import counter_take
from egov.facilities.transitions import Machine
from egov.orgs.models import Membership
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role
from egov.workflow.selectors import work_calendar

TEXT_MAX = 2000
REMIND_DAYS_BEFORE = 1  # 催办 from one working day before the deadline


def handling_days() -> int:
    """Working days a received 平件 may take to be handled (``EGOV_DOCUMENT_HANDLING_DAYS``, default 10);
    特急 1, 加急 at most 3 (``rules.handling_working_days``)."""
    return int(getattr(settings, "EGOV_DOCUMENT_HANDLING_DAYS", 10))


def _text(value: str, field: str, *, required: bool = True) -> str:
    return text_clean(value, field=field, limit=TEXT_MAX, required=required)


def is_member(user, organization_id: int) -> bool:
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return False
    return Membership.objects.filter(user=user, organization_id=organization_id).exists()


def require_incoming_visible(user, incoming: IncomingDocument) -> None:
    """Raise NotFound unless ``user`` is a member of the receiving organization (None: the platform)."""
    if user is not None and not is_member(user, incoming.organization_id):
        raise NotFound(_("No such document."), extra={"incoming": incoming.pk})


def incoming_open(*, recipient: Recipient, actor, now: datetime) -> IncomingDocument:
    """Open the 收文 record of a delivery just signed for (called by ``document_receive``, in its
    transaction). Its handling deadline is ``handling_days()`` working days after today (特急/加急
    shorter, ``rules.handling_deadline``)."""
    document = recipient.document
    due = rules.handling_deadline(received_on=timezone.localdate(now), urgency=document.urgency,
                                  normal_days=handling_days(), calendar=work_calendar())
    incoming = IncomingDocument.objects.create(recipient=recipient, document=document,
                                               organization=recipient.organization, handling_due=due)
    audit_record(action="documents.incoming.receive", actor=actor, organization=recipient.organization, obj=incoming,
                 summary=f"signed for {document}"[:500],
                 changes={"document": document.pk, "handling_due": due.isoformat()})
    return incoming


def _locked(incoming: IncomingDocument) -> IncomingDocument:
    return (IncomingDocument.objects.select_for_update(of=("self",)).select_related("organization", "document")
            .get(pk=incoming.pk))


INCOMING = Machine.from_pairs(
    kind="documents.incoming", pairs=INCOMING_MOVES,
    refused=gettext_lazy("A received document in status %(status)s cannot move to %(target)s."))


def _move(incoming: IncomingDocument, actor, target: str, *, changes: dict | None = None, summary: str = "") -> str:
    """Check the table (``states.INCOMING_MOVES``) and who may make the move; move, save and audit
    (``facilities.transitions``). ``incoming`` is locked."""
    require_incoming_visible(actor, incoming)
    name, move = transitions.move_between(machine=INCOMING, obj=incoming, target=target)
    if move.role is None:
        if is_system(actor) or actor.pk != incoming.handler_id:
            raise PermissionDenied(_("Only the person handling this document (承办人) can do this."),
                                   extra={"rule": "handler"})
    elif not has_role(actor, incoming.organization, move.role):
        raise PermissionDenied(_("This needs the role %(role)s in %(organization)s.")
                               % {"role": move.role.label, "organization": incoming.organization.name},
                               extra={"role": str(move.role)})
    transitions.transition_apply(machine=INCOMING, obj=incoming, move=name, actor=actor,
                                 organization=incoming.organization, summary=summary or f"{incoming.status} → {target}",
                                 changes=changes, fields=None)
    return name


def _registration_code(incoming: IncomingDocument) -> str:
    organization = incoming.organization
    return f"{organization.doc_code or organization.short_name or organization.name}收"[:24]


@transaction.atomic
def incoming_register(*, actor, incoming: IncomingDocument) -> IncomingDocument:
    """登记: give the received document the next 收文编号 of its organization this year
    (e.g. 锡财收〔2026〕1号), numbered 1, 2, 3… under a row lock, so never twice.

    Raises:
        NotFound: the actor is not of the receiving organization.
        PermissionDenied: not its document clerk. Conflict: not waiting for 登记.
    """
    incoming = _locked(incoming)
    year = timezone.localdate().year
    # 收文编号 run without gaps: the counter row stays locked until this transaction ends.
    seq = counter_take(model=IncomingCounter, key={"organization": incoming.organization, "year": year},
                       field="last_seq", gapless=True)
    incoming.registration_code = _registration_code(incoming)
    incoming.registration_year, incoming.registration_seq = year, seq
    _move(incoming, actor, IncomingStatus.REGISTERED, summary=incoming.registration_number,
          changes={"number": incoming.registration_number})
    return incoming


@transaction.atomic
def incoming_return(*, actor, incoming: IncomingDocument, reasons: str) -> IncomingDocument:
    """初审 not passed: return the document to the sender with reasons (they show in its delivery table).

    Raises:
        NotFound, PermissionDenied: as ``incoming_register``. ValidationFailed: no reasons.
        Conflict: not registered (初审 follows 登记).
    """
    incoming = _locked(incoming)
    incoming.return_reasons = _text(reasons, "reasons")
    _move(incoming, actor, IncomingStatus.RETURNED, summary=incoming.return_reasons,
          changes={"reasons": incoming.return_reasons})
    return incoming


@transaction.atomic
def incoming_accept(*, actor, incoming: IncomingDocument) -> IncomingDocument:
    """初审 passed: the document goes to 拟办.

    Raises:
        NotFound, PermissionDenied: as ``incoming_register``. Conflict: not registered.
    """
    incoming = _locked(incoming)
    _move(incoming, actor, IncomingStatus.PROPOSING)
    return incoming


@transaction.atomic
def incoming_propose(*, actor, incoming: IncomingDocument, proposal: str) -> IncomingDocument:
    """拟办: the office (reviewer role) proposes how to handle it, for the leader.

    Raises:
        NotFound; PermissionDenied (not a reviewer there); ValidationFailed (no proposal);
        Conflict (not at 拟办).
    """
    incoming = _locked(incoming)
    incoming.proposal = _text(proposal, "proposal")
    _move(incoming, actor, IncomingStatus.INSTRUCTING, summary=incoming.proposal,
          changes={"proposal": incoming.proposal})
    return incoming


@transaction.atomic
def incoming_instruct(*, actor, incoming: IncomingDocument, instruction: str, handler) -> IncomingDocument:
    """批办: a leader (approver role) instructs and names the 承办人, a member of the organization.

    Raises:
        NotFound; PermissionDenied (not an approver there); ValidationFailed (no instruction, or a
        handler outside the organization: ``field: "handler"``); Conflict (not at 批办).
    """
    incoming = _locked(incoming)
    incoming.instruction = _text(instruction, "instruction")
    if handler is None or not is_member(handler, incoming.organization_id):
        raise ValidationFailed(_("Choose the person to handle it among the staff of %(organization)s.")
                               % {"organization": incoming.organization.name},
                               extra={"field": "handler", "rule": "member"})
    incoming.handler = handler
    _move(incoming, actor, IncomingStatus.HANDLING, summary=f"{incoming.instruction} → {handler.name}",
          changes={"instruction": incoming.instruction, "handler": handler.pk})
    return incoming


@transaction.atomic
def incoming_handle(*, actor, incoming: IncomingDocument, result: str) -> IncomingDocument:
    """承办: the 承办人 records what was done.

    Raises:
        NotFound; PermissionDenied (not the 承办人); ValidationFailed (no result); Conflict (not at 承办).
    """
    incoming = _locked(incoming)
    incoming.result = _text(result, "result")
    _move(incoming, actor, IncomingStatus.HANDLED, summary=incoming.result, changes={"result": incoming.result})
    return incoming


@transaction.atomic
def incoming_reply(*, actor, incoming: IncomingDocument, reply: str) -> IncomingDocument:
    """答复: the 承办人 answers the sender (shown in the sender's delivery table).

    Raises:
        NotFound; PermissionDenied (not the 承办人); ValidationFailed (no text); Conflict (not handled).
    """
    incoming = _locked(incoming)
    incoming.reply = _text(reply, "reply")
    _move(incoming, actor, IncomingStatus.REPLIED, summary=incoming.reply, changes={"reply": incoming.reply})
    return incoming


@transaction.atomic
def incoming_archive(*, actor, incoming: IncomingDocument) -> IncomingDocument:
    """归档: the document clerk files the handled (or returned) document; its archive package
    (``archive.archive_package``) can then be downloaded.

    Raises:
        NotFound; PermissionDenied (not the document clerk); Conflict (still being handled).
    """
    incoming = _locked(incoming)
    _move(incoming, actor, IncomingStatus.ARCHIVED)
    return incoming


@transaction.atomic
def incoming_circulate(*, actor, incoming: IncomingDocument, readers) -> list[Circulation]:
    """传阅: pass the document to ``readers`` (members of the organization) for reading; each read
    is receipted (``incoming_read``). Readers who have it already are left as they are.

    Raises:
        NotFound; PermissionDenied (not the document clerk); ValidationFailed (no reader, or one
        outside the organization: ``field: "readers"``); Conflict (before 初审 or after 归档).
    """
    incoming = _locked(incoming)
    require_incoming_visible(actor, incoming)
    if not has_role(actor, incoming.organization, "document_clerk"):
        raise PermissionDenied(_("Only a document clerk of %(organization)s circulates its documents.")
                               % {"organization": incoming.organization.name}, extra={"role": "document_clerk"})
    if incoming.status not in CIRCULATING:
        raise Conflict(_("A received document in status %(status)s is not circulated.")
                       % {"status": incoming.get_status_display()}, extra={"status": incoming.status})
    readers = list(readers)
    if not readers or any(not is_member(reader, incoming.organization_id) for reader in readers):
        raise ValidationFailed(_("Choose the readers among the staff of %(organization)s.")
                               % {"organization": incoming.organization.name},
                               extra={"field": "readers", "rule": "member"})
    known = set(incoming.circulations.values_list("reader_id", flat=True))
    created = [Circulation.objects.create(incoming=incoming, reader=reader, sent_by=actor)
               for reader in readers if reader.pk not in known]
    if created:
        audit_record(action="documents.incoming.circulate", actor=actor, organization=incoming.organization,
                     obj=incoming, summary="、".join(c.reader.name for c in created)[:500],
                     changes={"readers": [c.reader_id for c in created]})
    return created


@transaction.atomic
def incoming_read(*, actor, incoming: IncomingDocument) -> Circulation:
    """Read receipt (阅知): the reader confirms having read a circulated document; recorded once.

    Raises:
        NotFound: the actor is not of the organization. Conflict: not circulated to the actor.
    """
    require_incoming_visible(actor, incoming)
    circulation = Circulation.objects.select_for_update().filter(incoming=incoming, reader=actor).first()
    if circulation is None:
        raise Conflict(_("This document was not passed to you for reading."), extra={"rule": "not_circulated"})
    if circulation.read_at is None:
        circulation.read_at = timezone.now()
        circulation.save(update_fields=["read_at"])
        audit_record(action="documents.incoming.read", actor=actor, organization=incoming.organization,
                     obj=incoming, summary=f"read by {actor.name}", changes={"reader": actor.pk})
    return circulation


def _remind_clerks(recipient: Recipient, kind: str, due: date) -> None:
    """Tell the receiving organization's document clerks in their inbox (/staff/notifications/) and by
    e-mail after commit, in the platform's language and in English (``in_both_languages``)."""

    def compose() -> tuple[str, str]:
        what = (_("to be signed for") if kind == Reminder.Kind.RECEIPT else _("to be handled"))
        subject = _("Reminder (催办): “%(title)s” %(what)s by %(day)s") % {
            "title": recipient.document.title[:80], "what": what, "day": due.isoformat()}
        return subject, subject

    texts = in_both_languages(compose)
    clerks = User.objects.filter(is_active=True, memberships__organization=recipient.organization,
                                 memberships__roles__role=Role.DOCUMENT_CLERK).distinct()
    for person in clerks:
        notification_send(recipient=person, link_name="documents:inbox", **texts)


def _remind(recipient: Recipient, kind: str, due: date, today: date) -> bool:
    _reminder, created = Reminder.objects.get_or_create(recipient=recipient, kind=kind, sent_on=today,
                                                        defaults={"due_on": due})
    if created:
        _remind_clerks(recipient, kind, due)
        audit_record(action=f"documents.reminder.{kind}", organization=recipient.organization,
                     obj=recipient.document, summary=f"催办 {recipient.organization}: due {due.isoformat()}",
                     changes={"recipient": recipient.pk, "kind": kind, "due_on": due.isoformat()})
    return created


@transaction.atomic
def reminders_send(*, today: date | None = None) -> int:
    """催办: remind, once a day, every receiving organization that has a delivery still to sign for
    or a received document still to handle whose deadline is at most ``REMIND_DAYS_BEFORE``
    working day away or passed. Each reminder is a ``Reminder`` row (shown in the inboxes of both
    sides) and an audit event. Returns how many were sent (Celery beat, daily)."""
    today = today or timezone.localdate()
    calendar = work_calendar()
    sent = 0
    deliveries = Recipient.objects.filter(delivered_at__isnull=False, received_at__isnull=True,
                                          receipt_due__isnull=False).select_related("organization", "document")
    for recipient in deliveries:
        if working_days_between(today, recipient.receipt_due, calendar=calendar) <= REMIND_DAYS_BEFORE:
            sent += _remind(recipient, Reminder.Kind.RECEIPT, recipient.receipt_due, today)
    pending = IncomingDocument.objects.filter(status__in=INCOMING_OPEN, handling_due__isnull=False).select_related(
        "recipient__organization", "recipient__document")
    for incoming in pending:
        if working_days_between(today, incoming.handling_due, calendar=calendar) <= REMIND_DAYS_BEFORE:
            sent += _remind(incoming.recipient, Reminder.Kind.HANDLING, incoming.handling_due, today)
    return sent
