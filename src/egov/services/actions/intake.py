"""The intake worker (内网办理): turn each intake record into a case, exactly once, in order.

The public site stores a checked submission as an ``IntakeRecord`` (``applying.intake_submit``).
``intake_process_next`` takes the oldest waiting record with ``SELECT … FOR UPDATE SKIP LOCKED``
(PostgreSQL; SQLite runs one writer at a time), makes its case — tracking number, materials,
once-only fetches, process start, timeline, notification, audit — and marks the record done in the
same transaction. The case holds a unique reference to its record: a worker killed at any moment
leaves the record waiting with nothing of its case written (the transaction rolls back), and no
replay can make a second case. A record that cannot become a case (a held material the register
cannot give, an item withdrawn meanwhile) is marked failed with the reason the applicant sees; an
operator may put it back in the queue (``intake_retry``).
"""

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import LegalPerson, User
from egov.audit.actions import audit_deferred, audit_record
from egov.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.facilities.models import StoredFile
from egov.orgs.roles import Role
from egov.services import once_only
from egov.services.actions.applying import (
    application_create,
    held_materials,
    intake_signal,
    intake_submit,
    once_only_fetch,
)
from egov.services.actions.numbers import tracking_number_allocate
from egov.services.models import Application, IntakeRecord, IntakeState, ServiceItem
from egov.services.permissions import require_intake_operator

logger = logging.getLogger(__name__)

_ERRORS = {400: ValidationFailed, 403: PermissionDenied, 404: NotFound, 409: Conflict}


def intake_error(record: IntakeRecord) -> ApplicationError:
    """The error a failed record failed with, as the ``ApplicationError`` it was raised as."""
    error = record.error or {}
    kind = _ERRORS.get(error.get("status", 400), ValidationFailed)
    return kind(error.get("message", ""), extra=error.get("extra", {}))


def intake_process_next() -> IntakeRecord | None:
    """Turn the oldest waiting intake record that no other worker holds into a case.

    Returns:
        The record, now ``done`` (``record.application`` is its case) or ``failed`` (with
        ``record.error``); None when no record waits.

    An unexpected error (a bug, a lost connection) rolls the whole attempt back; the record is then
    marked failed in a transaction of its own (``rule: "internal"``), so that one bad record does
    not stop the queue, and an operator may retry it.
    """
    try:
        with audit_deferred():
            record = (IntakeRecord.objects.select_for_update(skip_locked=True)
                      .filter(state=IntakeState.WAITING).order_by("id").first())
            if record is None:
                return None
            return _process_locked(record)
    except Exception as error:  # noqa: BLE001 - any failure must leave the queue moving
        if "record" not in locals() or record is None:
            raise
        logger.exception("intake %s failed unexpectedly", record.receipt)
        return _mark_failed_unexpectedly(record.pk, error)


def intake_process(*, record: IntakeRecord) -> IntakeRecord:
    """Turn ``record`` into its case now, in this process (``applying.application_submit``), waiting
    for a worker that holds it. A record already done or failed is returned as it is (reloaded)."""
    with audit_deferred():
        record = IntakeRecord.objects.select_for_update().get(pk=record.pk)
        if record.state != IntakeState.WAITING:
            return record
        return _process_locked(record)


def _process_locked(record: IntakeRecord) -> IntakeRecord:
    """Make the case of ``record`` (locked by the caller's transaction) or mark it failed."""
    record.attempts += 1
    record.processed_at = timezone.now()
    try:
        with transaction.atomic():  # a failure leaves nothing of the case, but the fetch logs stay
            application = _case_from(record)
    except ApplicationError as error:
        record.state = IntakeState.FAILED
        record.error = {"message": str(error.message), "extra": error.extra, "status": error.status}
        record.save(update_fields=["state", "error", "attempts", "processed_at"])
        audit_record(action="services.intake.fail", actor=record.submitted_by, obj=record,
                     organization=record.item.organization, summary=f"{record.receipt} failed: {error.message}",
                     changes={"state": [IntakeState.WAITING, IntakeState.FAILED], "error": record.error})
        return record
    record.state = IntakeState.DONE
    record.error = {}
    record.save(update_fields=["state", "error", "attempts", "processed_at"])
    record.application = application
    return record


def _case_from(record: IntakeRecord) -> Application:
    item = ServiceItem.objects.select_related("organization").get(pk=record.item_id)
    if not item.is_published or item.online_depth < ServiceItem.OnlineDepth.ACCEPTANCE:
        raise ValidationFailed(_("This item cannot be applied for online any more."),
                               extra={"field": "item", "rule": "online"})
    materials = list(item.materials.all())
    files = {int(pk): file_id for pk, file_id in record.files.items()}
    stored_files = StoredFile.objects.in_bulk(list(files.values()))
    stored = [(material, stored_files[files[material.pk]]) for material in materials if material.pk in files]
    held = held_materials(materials, files)
    applicant = record.applicant
    number = tracking_number_allocate(organization=item.organization,
                                      day=timezone.localdate(record.received_at))
    fetched = once_only_fetch(applicant=applicant, item=item, held=held, number=number)
    # A field the register fills takes the register's value, whatever the client sent.
    form_data = {**record.form_data, **once_only.form_from_register(item.form_schema, fetched.get("register"))}
    return application_create(actor=record.submitted_by, item=item, applicant=applicant, number=number,
                              key=record.idempotency_key, form_data=form_data, stored=stored,
                              now=record.received_at, digest=record.request_digest, fetched=fetched, intake=record)


def _mark_failed_unexpectedly(record_id: int, error: Exception) -> IntakeRecord | None:
    with audit_deferred():
        record = IntakeRecord.objects.select_for_update().filter(pk=record_id, state=IntakeState.WAITING).first()
        if record is None:
            return None
        record.state = IntakeState.FAILED
        record.attempts += 1
        record.processed_at = timezone.now()
        record.error = {"message": _("The platform could not register this application. It will be retried."),
                        "extra": {"rule": "internal", "error": type(error).__name__}, "status": 500}
        record.save(update_fields=["state", "error", "attempts", "processed_at"])
        audit_record(action="services.intake.fail", actor=record.submitted_by, obj=record,
                     summary=f"{record.receipt} failed: {type(error).__name__}",
                     changes={"state": [IntakeState.WAITING, IntakeState.FAILED], "error": record.error})
        return record


def application_submit(
    *, actor: User, item: ServiceItem, form_data: dict, files: Mapping[int, Any], idempotency_key: str,
    legal_person: LegalPerson | None = None,
) -> tuple[Application, bool]:
    """Submit an application and make its case at once (网上申请 without the intake inbox's wait):
    ``intake_submit``, then the worker's ``intake.intake_process`` of that record in this process.

    For callers inside the platform that need the case in hand (the demo, the smokes, tests); the
    public site's pages and API answer with the receipt of ``intake_submit`` instead.

    Args and errors: as ``intake_submit``; a record that fails in the worker raises its error here
    (``ValidationFailed`` naming ``materials.<id>`` when a held material could not be fetched).

    Returns:
        ``(application, created)``: ``created`` is False when this applicant submitted this same
        request with this key before; that case is returned unchanged and nothing is written.
    """
    record, created = intake_submit(actor=actor, item=item, form_data=form_data, files=files,
                                    idempotency_key=idempotency_key, legal_person=legal_person)
    record = intake_process(record=record)
    if record.state == IntakeState.FAILED:
        raise intake_error(record)
    return record.application, created and record.attempts == 1


def intake_work(*, limit: int | None = None) -> int:
    """Process waiting records until none waits (or ``limit`` were taken); returns how many."""
    count = 0
    while limit is None or count < limit:
        if intake_process_next() is None:
            break
        count += 1
    return count


def intake_retry(*, actor, record: IntakeRecord) -> IntakeRecord:
    """Put a failed record back in the queue (an operator, 运维管理员 of the item's organization or
    above), audited as ``services.intake.retry``; the worker takes it again in its order.

    Raises:
        PermissionDenied: the actor is not an operator over the item's organization.
        Conflict: the record has not failed (the message names its state).
    """
    require_intake_operator(actor, record.item.organization)
    with audit_deferred():
        record = IntakeRecord.objects.select_for_update().get(pk=record.pk)
        if record.state != IntakeState.FAILED:
            raise Conflict(_("Only a failed submission can be retried; this one is %(state)s.")
                           % {"state": record.get_state_display()}, extra={"field": "state", "rule": "state"})
        previous = record.error
        record.state = IntakeState.WAITING
        record.error = {}
        record.save(update_fields=["state", "error"])
        audit_record(action="services.intake.retry", actor=actor, obj=record, organization=record.item.organization,
                     summary=f"{record.receipt} put back in the queue",
                     changes={"state": [IntakeState.FAILED, IntakeState.WAITING], "error": previous,
                              "role": Role.OPERATOR})
        intake_signal()
    return record
