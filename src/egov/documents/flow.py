"""The outgoing steps that involve other organizations: 会签 (countersigning) and 核发 (dispatch).

核发 delivers the sealed document to every 主送 and 抄送 organization. The delivery record is the
``Recipient`` row: its ``transport`` says how the document travelled, ``delivered_at`` when it
arrived, ``receipt_due`` by when it is to be signed for (签收). Today every organization is on this
platform, so delivery is in-database (``Transport.PLATFORM``: the document appears in the
recipient's 收文 inbox at once). An exchange transport (node to node over HTTP, a later issue)
becomes one more entry of ``TRANSPORTS``: it sends the sealed PDF, stores its message id in
``transport_ref`` and sets ``delivered_at`` when the peer node acknowledges.
"""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.errors import Conflict, PermissionDenied
from egov.core.text import text_clean
from egov.core.workdays import WorkCalendar
from egov.documents import rules
from egov.documents.actions.outgoing import OPINION_MAX, _move, opinion_record
from egov.documents.actions.publication import publication_on_issue
from egov.documents.models import OfficialDocument, Recipient, Transport
from egov.documents.permissions import require_visible
from egov.documents.process import countersign_task_for, outgoing_process, task_finish
from egov.documents.states import Status
from egov.workflow.models import WorkTask
from egov.workflow.selectors import work_calendar


def receipt_days() -> int:
    """Working days a 平件 may wait before it is signed for (``EGOV_DOCUMENT_RECEIPT_DAYS``, default 2);
    特急 and 加急 shorten it (``rules.handling_working_days``)."""
    return int(getattr(settings, "EGOV_DOCUMENT_RECEIPT_DAYS", 2))


@transaction.atomic
def document_countersign(*, actor, document: OfficialDocument, agree: bool, mfa_verified: bool,
                         opinion: str = "") -> OfficialDocument:
    """会签: a leader (approver role) of a countersigning organization gives its opinion. When the
    last organization has answered, the document goes on to 签发 (the opinions are the leader's to
    weigh; a disagreement does not stop it).

    Args:
        agree: 同意 (True) or 不同意 (False, ``opinion`` required).
        mfa_verified: the leader's session passed the second factor (``request.user.is_verified()``).

    Returns:
        The document, in status ``signing`` once all have answered, else still ``countersigning``.

    Raises:
        NotFound: the actor may not see the document.
        Conflict: the document is not in 会签 (the message names its status).
        PermissionDenied: no answer of the actor's organizations is awaited, the actor is not an
            approver there, or the session lacks the second factor (``rule: "mfa_required"``).
        ValidationFailed: disagreeing without an opinion; an opinion over 2000 characters.
    """
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    require_visible(actor, document)
    if document.status != Status.COUNTERSIGNING:
        raise Conflict(_("A document in status %(status)s is not being countersigned.")
                       % {"status": document.get_status_display()}, extra={"status": document.status})
    task = countersign_task_for(actor=actor, document=document)
    if task is None:
        raise PermissionDenied(_("No countersignature of your organization is awaited on this document."),
                               extra={"status": document.status})
    if not mfa_verified:
        raise PermissionDenied(_("Countersigning needs a session verified with the second factor."),
                               extra={"rule": "mfa_required"})
    opinion = text_clean(opinion, field="opinion", limit=OPINION_MAX, required=not agree,
                         required_message=_("Give the reasons for disagreeing."))
    organization = task.candidate_organization
    task_finish(actor=actor, task=task, data={"countersign_opinion": "agree" if agree else "disagree",
                                              "opinion": opinion})
    opinion_record(actor=actor, document=document, step=Status.COUNTERSIGNING,
                   move="countersign_agree" if agree else "countersign_disagree", target="", text=opinion,
                   organization=organization)
    audit_record(action="documents.document.countersign", actor=actor, organization=organization, obj=document,
                 summary=f"{organization.name}: {'同意' if agree else '不同意'} {opinion}"[:500],
                 changes={"organization": organization.pk, "agree": agree, "opinion": opinion})
    waiting = outgoing_process(document).tasks.filter(
        bpmn_id="countersign", status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED]).exists()
    if not waiting:
        document.status = Status.SIGNING
        document.save(update_fields=["status", "updated_at"])
        audit_record(action="documents.document.countersigned", actor=actor, organization=document.issuer,
                     obj=document, summary="countersigning → signing",
                     changes={"status": [Status.COUNTERSIGNING, Status.SIGNING]})
    return document


def _deliver_on_platform(recipient: Recipient, *, now: datetime) -> None:
    recipient.transport = Transport.PLATFORM
    recipient.delivered_at = now


# transport name → function delivering one recipient row (sets ``delivered_at`` when it arrived).
TRANSPORTS: dict[str, Callable[..., None]] = {Transport.PLATFORM: _deliver_on_platform}


def _transport_for(recipient: Recipient) -> str:
    """Every organization is on this platform for now; the exchange app will choose per recipient."""
    return Transport.PLATFORM


def dispatch_receipt_due(document: OfficialDocument, calendar: WorkCalendar | None = None):
    """The day by which recipients are to sign for ``document`` if it is dispatched today
    (``receipt_days()`` working days, shorter when urgent; shown on the 核发 confirmation)."""
    return rules.handling_deadline(received_on=timezone.localdate(), urgency=document.urgency,
                                   normal_days=receipt_days(), calendar=calendar or work_calendar())


@transaction.atomic
def document_dispatch(*, actor, document: OfficialDocument) -> OfficialDocument:
    """核发: deliver the sealed document to every 主送 and 抄送 organization; it is issued (已发).

    Each recipient organization's delivery gets its transport, the time it was delivered and the
    day by which it is to be signed for: ``receipt_days()`` working days (特急 1, 加急 at most half,
    ``rules.handling_deadline``) on the platform's calendar. Recipients named only as text are
    printed, not delivered. A 主动公开 document is published on the public site now, with its
    sealed PDF (``actions.publication_on_issue``).

    Raises:
        NotFound, PermissionDenied: as ``document_transition`` (role: document clerk of the issuer).
        Conflict: not in 核发 (the message names the status); not sealed.
        ValidationFailed: no recipient at all (``field: "main_to"``).
    """
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    if document.status == Status.DISPATCHING and not document.sealed_pdf:
        require_visible(actor, document)
        raise Conflict(_("Only a sealed document is dispatched."), extra={"status": document.status})
    _move(document, actor, Status.ISSUED, dedicated=True)
    now = timezone.now()
    calendar = work_calendar()
    due = dispatch_receipt_due(document, calendar)
    delivered = []
    for recipient in document.recipients.select_for_update().filter(organization__isnull=False):
        TRANSPORTS[_transport_for(recipient)](recipient, now=now)
        recipient.receipt_due = due
        recipient.save(update_fields=["transport", "transport_ref", "delivered_at", "receipt_due"])
        delivered.append(recipient)
    audit_record(action="documents.document.dispatched", actor=actor, organization=document.issuer, obj=document,
                 summary=f"delivered to {len(delivered)} organizations, to be signed for by {due.isoformat()}",
                 changes={"recipients": [r.organization_id for r in delivered], "receipt_due": due.isoformat()})
    publication_on_issue(actor=actor, document=document)
    return document
