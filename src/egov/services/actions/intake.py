"""The intake worker (内网办理): turn each intake record into a case, exactly once, in order.

The public site stores a checked submission as an ``IntakeRecord``, its files' bytes inside it, and
nothing else (``applying.intake_submit``). ``intake_process_next`` takes the oldest waiting record
with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite runs one writer at a time), audits its
receipt (``services.intake.receive``, at the first attempt, in the submitting request's name),
makes its case — the files into the file store, tracking number, materials, once-only fetches,
process start, timeline, notification, audit — and marks the record done (its bytes dropped) in the
same transaction. The case holds a unique reference to its record: a worker killed at any moment
leaves the record waiting with nothing of its case written (the transaction rolls back), and no
replay can make a second case. A record that cannot become a case (a held material the register
cannot give, an item withdrawn meanwhile) is marked failed with the reason the applicant sees; an
operator may put it back in the queue (``intake_retry``) while a retry can make its case
(``intake_retry_refusal``). A failed record keeps its files' bytes until the applicant applies again
for it (dropped when the worker takes the new one) or for ``intake_files_kept_days`` calendar days
after its last attempt (``intake_files_expire``, daily); either is audited.

``applying`` (the public half) imports this module, never the other way round: what both halves
share (``held_materials``, ``material_error``, ``intake_signal``) lives here.
"""

import logging
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, CharField, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from egov.accounts.models import User
from egov.audit.actions import audit_deferred, audit_record
from egov.audit.models import AuditEvent
from egov.core import context
from egov.core.actors import SYSTEM
from egov.core.database import connection_lost
from egov.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.orgs.roles import Role
from egov.services import once_only
from egov.services.actions.catalog import item_materials, material_files_store
from egov.services.actions.lifecycle import MOVE_LABELS
from egov.services.actions.notifying import application_notify
from egov.services.actions.numbers import tracking_number_allocate
from egov.services.models import (
    Application,
    ApplicationEvent,
    ApplicationMaterial,
    IntakeRecord,
    IntakeState,
    KeptUpload,
    Material,
    ServiceItem,
)
from egov.services.models import ApplicationStatus as S
from egov.services.permissions import require_intake_operator
from egov.workflow.actions import process_start

logger = logging.getLogger(__name__)


def material_error(material: Material, rule: str, reason: str) -> dict[str, str]:
    """One entry of ``extra["errors"]`` about ``material``: ``message`` names the material (in the
    reader's language) for an API client; ``reason`` does not, for a page that shows it under the
    material's own label."""
    return {"field": f"materials.{material.pk}", "rule": rule, "reason": str(reason),
            "message": f"{material.local_name}{pgettext('label colon', ': ')}{reason}"}


def replaced_retried_error(receipt: str) -> Conflict:
    """The answer to applying again for the failed submission ``receipt`` once an operator has put
    it back in the queue (``rule: "retried"``): the public site gives it when it sees so before the
    insert, the worker (``_process_locked``) when the retry came in between."""
    return Conflict(_("The service desk is already registering submission %(receipt)s again: follow it on its "
                      "receipt instead of applying again.") % {"receipt": receipt},
                    extra={"field": "replaces", "rule": "retried", "receipt": receipt})


INTAKE_CHANNEL = "egov_intake"  # PostgreSQL NOTIFY channel the intake worker LISTENs on


def intake_signal() -> None:
    """Wake the intake worker when the current transaction commits (PostgreSQL ``NOTIFY``, which is
    delivered at commit and needs no privilege; elsewhere the worker polls)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {INTAKE_CHANNEL}")


def held_materials(materials: list[Material], files: Mapping) -> list[Material]:
    """The materials the platform holds (免提交) that the applicant sent no file for: the worker
    fetches them through the exchange. None without a once-only provider."""
    if once_only.provider_get() is None:
        return []
    return [m for m in materials if m.held_as and m.pk not in files and str(m.pk) not in files]


def once_only_fetch(*, applicant: User, item: ServiceItem, held: list[Material], number: str) -> dict:
    """Fetch through the exchange, with the 办件编号 ``number`` as purpose, the applicant's register
    row and each ``held`` material (``services.once_only``). Each read commits with its log and audit
    rows, whatever becomes of the submission: it happened.

    Returns:
        ``Application.once_only``: ``{"register": record or {"held_as", "error"}, "materials":
        {material id (str): record}}`` (``{}`` without a provider).

    Raises:
        ValidationFailed: a held material could not be fetched (``materials.<id>``, ``required``):
            the applicant uploads it instead (the number taken stays unused: a gap).
    """
    if once_only.provider_get() is None:
        return {}
    result: dict = {"register": {}, "materials": {}}
    own = once_only.applicant_register(applicant)
    if own:
        try:
            result["register"] = once_only.fetch(held_as=own, applicant=applicant, consumer=item.organization,
                                                 case=number).as_json()
        except once_only.Unavailable as error:
            result["register"] = {"held_as": own, "error": error.reason}
    errors = []
    for material in held:
        try:
            result["materials"][str(material.pk)] = once_only.fetch(
                held_as=material.held_as, applicant=applicant, consumer=item.organization, case=number).as_json()
        except once_only.Unavailable:
            if material.required:
                errors.append(material_error(material, "required", _(
                    "The platform could not fetch this material: upload it.")))
    if errors:
        raise ValidationFailed(errors[0]["message"], extra={"field": errors[0]["field"], "rule": "required",
                                                            "errors": errors})
    return result


def application_create(*, actor: User, item: ServiceItem, applicant: User, number: str, key: str,
                       form_data: dict, stored: list, now, digest: str, fetched: dict,
                       intake: IntakeRecord | None = None, new_files: frozenset[str] = frozenset()) -> Application:
    """Create the case of a checked submission (the intake worker calls it in its transaction):
    the ``Application`` (``query_code`` taken over from ``intake``), its materials ``stored``
    (``[(Material, StoredFile)]``), its process started, its first timeline line, the applicant
    notified and one audit event ``services.application.submit`` carrying what the process start
    would have recorded (``changes["process"]``: the instance ``id`` and ``workflow.process_start``'s
    ``start_facts``), each material's file (``changes["files"]``: ``material``, ``sha256``, ``kind``,
    ``size`` in bytes, ``new``: its SHA-256 is in ``new_files``, the bytes this case stored first) and the
    ``intake`` receipt. Returns the case."""
    application = Application.objects.create(
        number=number, item=item, organization=item.organization, applicant=applicant,
        applicant_name=applicant.name, submitted_by=actor, idempotency_key=key, request_digest=digest,
        form_data=form_data, limit_days=item.promised_limit_days, submitted_at=now, once_only=fetched,
        intake=intake, **({"query_code": intake.query_code} if intake is not None else {}),
    )
    ApplicationMaterial.objects.bulk_create([ApplicationMaterial(application=application, material=material,
                                                                 file=file) for material, file in stored])
    application.process = process_start(actor=SYSTEM, subject=application, definition_key=item.process_key,
                                        owner=item.organization, audit=False,
                                        data={"tracking_number": application.number, "service_code": item.code})
    application.save(update_fields=["process"])
    ApplicationEvent.objects.create(application=application, move="submit", status_to=S.SUBMITTED, by=actor.name)
    application_notify(application=application, move_label=MOVE_LABELS["submit"])
    audit_record(action="services.application.submit", actor=actor, organization=item.organization,
                 obj=application, summary=f"{application.number} submitted for {item.code}",
                 changes={"status": [None, S.SUBMITTED], "item": item.code, "applicant": applicant.pk,
                          "fields": sorted(form_data), "materials": [m.pk for m, _f in stored],
                          "held_materials": sorted(int(pk) for pk in fetched.get("materials", {})),
                          "files": [{"material": m.pk, "sha256": f.sha256, "kind": f.kind, "size": f.size,
                                     "new": f.sha256 in new_files} for m, f in stored],
                          "intake": intake.receipt if intake is not None else None,
                          "process": {"id": application.process.pk, **application.process.start_facts}})
    return application


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

    An unexpected error (a bug) rolls the whole attempt back; the record is then marked failed in
    a transaction of its own (``rule: "internal"``), so that one bad record does not stop the
    queue, and an operator may retry it.

    Raises:
        django.db.OperationalError / InterfaceError: the database connection was lost (the primary
            died, a failover): the attempt is rolled back with the session, the record stays
            ``waiting`` for the next attempt (the record is not at fault), and the connection is
            closed so that the next call connects again (to the new primary). Before, such a record
            was marked failed and waited for an operator (the failover drill, issue 22).
    """
    if connection.vendor != "postgresql" and not IntakeRecord.objects.filter(state=IntakeState.WAITING).exists():
        return None  # SQLite: no write transaction (a database-wide lock there) to find nothing
    held: list[IntakeRecord] = []
    try:
        with audit_deferred():
            # The applicant, the submitter and the item with its organization come with the
            # record (one query, not four); only the record's row is locked (``of``), never the
            # accounts' or the item's.
            record = (IntakeRecord.objects.select_related("applicant", "submitted_by", "item__organization")
                      .select_for_update(skip_locked=True, of=("self",))
                      .filter(state=IntakeState.WAITING).order_by("id").first())
            if record is None:
                return None
            held.append(record)
            return _process_locked(record)
    except Exception as error:  # noqa: BLE001 - any failure must leave the queue moving
        if not held:
            raise
        if connection_lost(error):
            connection.close()
            raise
        logger.exception("intake %s failed unexpectedly", held[0].receipt)
        return _mark_failed_unexpectedly(held[0].pk, error)


def intake_process(*, record: IntakeRecord) -> IntakeRecord:
    """Turn ``record`` into its case now, in this process (``applying.application_submit``), waiting
    for a worker that holds it. A record already done or failed is returned as it is (reloaded)."""
    with audit_deferred():
        record = (IntakeRecord.objects.select_related("applicant", "submitted_by", "item__organization")
                  .select_for_update(of=("self",)).get(pk=record.pk))
        if record.state != IntakeState.WAITING:
            return record
        return _process_locked(record)


def intake_files(record: IntakeRecord) -> list[tuple[dict, bytes]]:
    """The files of ``record`` as the public site kept them: ``[(entry of record.files, bytes)]``,
    cut from ``record.content`` by their sizes; ``[]`` once the worker has stored them (``content``
    NULL). Raises ``ValueError`` when the bytes do not add up to the sizes (a damaged record)."""
    if record.content is None:
        return []
    content = bytes(record.content)  # memoryview on PostgreSQL
    files, offset = [], 0
    for entry in record.files:
        files.append((entry, content[offset:offset + entry["size"]]))
        offset += entry["size"]
    if offset != len(content):
        raise ValueError(f"intake {record.receipt}: {len(content)} bytes of content for files of {offset}")
    return files


def _receive_audit(record: IntakeRecord) -> None:
    """``services.intake.receive`` of ``record``: written by the worker at its first attempt (the
    public site writes no audit event), in the submitting request's name (its address and request
    id, ``received_at`` its time), with each file's ``sha256``, ``kind`` and ``size`` (bytes)."""
    files = record.files if isinstance(record.files, list) else []
    with context.request_scope(client_ip=record.client_ip, request_id=record.request_id):
        audit_record(action="services.intake.receive", actor=record.submitted_by, organization=record.item.organization,
                     obj=record, summary=f"{record.receipt} received for {record.item.code}",
                     changes={"state": [None, IntakeState.WAITING], "item": record.item.code,
                              "applicant": record.applicant_id, "fields": sorted(record.form_data),
                              "received_at": record.received_at.isoformat(),
                              "materials": [entry["material"] for entry in files],
                              "files": [{"material": entry["material"], "sha256": entry["sha256"],
                                         "kind": entry["kind"], "size": entry["size"]} for entry in files],
                              **({"replaces": record.replaces.receipt} if record.replaces_id else {})})


def _process_locked(record: IntakeRecord) -> IntakeRecord:
    """Make the case of ``record`` (locked by the caller's transaction) or mark it failed; at its
    first attempt audit its receipt first (whatever becomes of it).

    A record that applies again for a failed one (``replaces``) locks that one too, here in the
    case's transaction (the public site may not: it has no UPDATE right), and fails as
    ``replaced_retried_error`` when an operator put that one back in the queue before (its retry
    locks it and refuses once this record exists): one submission never becomes two cases."""
    if record.replaces_id is not None:
        record.replaces = (IntakeRecord.objects.defer("content").select_related("item__organization")
                           .select_for_update(of=("self",)).get(pk=record.replaces_id))
        if record.replaces.state == IntakeState.FAILED:
            # Applied again for: it is never registered (``intake_retry_refusal``), so its bytes go.
            _files_drop(record.replaces, reason="replaced")
    if record.attempts == 0:
        _receive_audit(record)
    record.attempts += 1
    record.processed_at = timezone.now()
    try:
        # The number and the once-only fetches first: a fetch that fails fails the record, and its
        # log rows stay with it (it happened); the number stays unused, a gap.
        item, sent, number, fetched, form_data = _case_prepare(record)
        with transaction.atomic():  # a failure while writing the case leaves nothing of it
            # The files into the one file store (one insert; the blobs written first), with the case.
            uploads = material_files_store(actor=record.submitted_by, files=[(m, data) for m, _e, data in sent],
                                           digests=[entry["sha256"] for _m, entry, _d in sent])
            stored = [(material, upload.stored) for material, upload in uploads]
            application = application_create(
                actor=record.submitted_by, item=item, applicant=record.applicant, number=number,
                key=record.idempotency_key, form_data=form_data, stored=stored, now=record.received_at,
                digest=record.request_digest, fetched=fetched, intake=record,
                new_files=frozenset(upload.stored.sha256 for _m, upload in uploads if upload.new))
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
    record.content = None  # the bytes are in the file store now, with the case
    record.save(update_fields=["state", "error", "attempts", "processed_at", "content"])
    record.application = application
    return record


def _case_prepare(record: IntakeRecord) -> tuple[ServiceItem, list, str, dict, dict]:
    """What the case of ``record`` is made of: ``(item, [(Material, entry of record.files, bytes)],
    number, fetched, form_data)``. Raises ``ValidationFailed`` when the item is no longer applicable
    online or a held material required cannot be fetched; ``Conflict`` (``replaced_retried_error``)
    when the failed record this one replaces is no longer failed."""
    if record.replaces_id is not None and record.replaces.state != IntakeState.FAILED:
        raise replaced_retried_error(record.replaces.receipt)  # retried meanwhile (locked by the caller)
    item = record.item  # read with the record, in this transaction (item_materials keys on its updated_at)
    if not item.is_published or item.online_depth < ServiceItem.OnlineDepth.ACCEPTANCE:
        raise ValidationFailed(_("This item cannot be applied for online any more."),
                               extra={"field": "item", "rule": "online"})
    materials = item_materials(item)
    files = {entry["material"]: (entry, data) for entry, data in intake_files(record)}
    sent = [(material, *files[material.pk]) for material in materials if material.pk in files]
    held = held_materials(materials, files)
    number = tracking_number_allocate(organization=item.organization, day=timezone.localdate(record.received_at))
    fetched = once_only_fetch(applicant=record.applicant, item=item, held=held, number=number)
    # A field the register fills takes the register's value, whatever the client sent.
    form_data = {**record.form_data, **once_only.form_from_register(item.form_schema, fetched.get("register"))}
    return item, sent, number, fetched, form_data


def _mark_failed_unexpectedly(record_id: int, error: Exception) -> IntakeRecord | None:
    with audit_deferred():
        record = IntakeRecord.objects.select_for_update().filter(pk=record_id, state=IntakeState.WAITING).first()
        if record is None:
            return None
        if record.attempts == 0:  # the attempt that would have audited the receipt was rolled back
            _receive_audit(record)
        record.state = IntakeState.FAILED
        record.attempts += 1
        record.processed_at = timezone.now()
        message = _("A fault on the platform's side stopped this application from being registered; an "
                    "operator will register it again.")
        record.error = {"message": message, "extra": {"rule": "internal", "error": type(error).__name__},
                        "status": 500}
        record.save(update_fields=["state", "error", "attempts", "processed_at"])
        audit_record(action="services.intake.fail", actor=record.submitted_by, obj=record,
                     summary=f"{record.receipt} failed: {type(error).__name__}",
                     changes={"state": [IntakeState.WAITING, IntakeState.FAILED], "error": record.error})
        return record


def intake_work(*, limit: int | None = None) -> int:
    """Process waiting records until none waits (or ``limit`` were taken); returns how many."""
    count = 0
    while limit is None or count < limit:
        if intake_process_next() is None:
            break
        count += 1
    return count


FILES_KEPT_DAYS_DEFAULT = 30  # calendar days a failed record keeps its files' bytes (EGOV_INTAKE_FAILED_FILES_DAYS)


def intake_files_kept_days() -> int:
    """How many calendar days (not working days: a storage period, not a statutory time limit) a
    failed record keeps its files' bytes after its last attempt: ``EGOV_INTAKE_FAILED_FILES_DAYS``,
    default 30."""
    return int(getattr(settings, "EGOV_INTAKE_FAILED_FILES_DAYS", FILES_KEPT_DAYS_DEFAULT))


def intake_files_kept(queryset):
    """``queryset`` of intake records annotated with ``content_kept``: whether a record still holds its
    files' bytes (read without loading them)."""
    return queryset.annotate(content_kept=ExpressionWrapper(Q(content__isnull=False), output_field=BooleanField()))


def intake_retry_facts(queryset):
    """``queryset`` of intake records annotated with what ``intake_retry_refusal`` reads, in the same
    query: ``newer_receipt`` (the submission that applied again for it), ``replaces_receipt`` and
    ``replaces_state`` (the one it applies again for), ``content_kept`` (its files' bytes still held),
    ``files_kept_days`` (the calendar days its files were kept, from the audit event of their
    deletion for retention, ``services.intake.files_drop``; None when none: the index on the
    events' object finds it)."""
    drops = (AuditEvent.objects.filter(object_type="services.intakerecord",
                                       object_id=Cast(OuterRef("pk"), output_field=CharField()),
                                       action="services.intake.files_drop", changes__reason="retention")
             .order_by("-seq"))
    return intake_files_kept(queryset).annotate(
        newer_receipt=Subquery(IntakeRecord.objects.filter(replaces=OuterRef("pk")).order_by("id")
                               .values("receipt")[:1]),
        replaces_receipt=F("replaces__receipt"), replaces_state=F("replaces__state"),
        files_kept_days=Cast(Subquery(drops.annotate(days=KeyTextTransform("days", "changes")).values("days")[:1]),
                             output_field=IntegerField()))


def intake_retry_refusal(record: IntakeRecord) -> Conflict | None:
    """Why an operator's retry of the failed ``record`` (annotated by ``intake_retry_facts``) cannot
    succeed, as the ``Conflict`` the retry answers; None when it may. A retry is refused when:

    - the applicant applied again for it (``rule: "replaced"``, the new ``receipt``): it would be a
      second case of one submission;
    - it applies again for a submission that an operator put back in the queue meanwhile
      (``rule: "retried"``, that one's ``receipt``): that one is being registered instead;
    - its files' bytes were deleted (``rule: "files_deleted"``): when it was replaced, or
      ``intake_files_kept_days`` after its last attempt (``intake_files_expire``); the message
      names the days in force when they were deleted (``files_kept_days``), not today's setting.
    """
    if record.newer_receipt:
        return Conflict(_("The applicant has already applied again for this submission (receipt %(receipt)s): it "
                          "is not registered again, so that it does not become two cases.")
                        % {"receipt": record.newer_receipt},
                        extra={"field": "state", "rule": "replaced", "receipt": record.newer_receipt})
    if record.replaces_receipt and record.replaces_state != IntakeState.FAILED:
        return Conflict(_("This submission applied again for %(receipt)s, which an operator has put back in the "
                          "queue since: that one is registered instead, so that one submission does not become "
                          "two cases.") % {"receipt": record.replaces_receipt},
                        extra={"field": "state", "rule": "retried", "receipt": record.replaces_receipt})
    if record.files and not record.content_kept:
        return Conflict(_("The files of this submission were deleted %(days)d days after it failed: it cannot be "
                          "registered again; the applicant applies again from the receipt.")
                        % {"days": record.files_kept_days if record.files_kept_days is not None
                           else intake_files_kept_days()},
                        extra={"field": "content", "rule": "files_deleted"})
    return None


def _files_drop(record: IntakeRecord, *, reason: str) -> bool:
    """Delete the files' bytes of the failed ``record`` (locked by the caller), audited as
    ``services.intake.files_drop`` with ``reason`` (``replaced`` or ``retention``) and each file's
    ``sha256`` and ``size``; False when they were gone already."""
    if not IntakeRecord.objects.filter(pk=record.pk, content__isnull=False).update(content=None):
        return False
    audit_record(action="services.intake.files_drop", actor=SYSTEM, obj=record,
                 organization=record.item.organization,
                 summary=f"{record.receipt}: files deleted ({reason})",
                 changes={"reason": reason, "state": record.state,
                          "files": [{"material": e["material"], "sha256": e["sha256"], "size": e["size"]}
                                    for e in record.files],
                          **({"days": intake_files_kept_days()} if reason == "retention" else {})})
    return True


def intake_files_expire(*, now=None) -> int:
    """Delete the files' bytes of the failed records whose last attempt is more than
    ``intake_files_kept_days`` calendar days before ``now`` (Celery beat, daily:
    ``services.intake_sweep``), each audited (``services.intake.files_drop``, ``reason: "retention"``).
    Such a record can no longer be retried (``intake_retry_refusal``); its receipt still tells the
    applicant why it failed and offers "Apply again". Returns how many records lost their bytes."""
    cutoff = (now or timezone.now()) - timedelta(days=intake_files_kept_days())
    count = 0
    with audit_deferred():
        records = (IntakeRecord.objects.defer("content").select_related("item__organization")
                   .select_for_update(skip_locked=True, of=("self",))
                   .filter(state=IntakeState.FAILED, processed_at__lt=cutoff, content__isnull=False).order_by("id"))
        for record in records:
            count += _files_drop(record, reason="retention")
    return count


KEPT_UPLOAD_HOURS = 24  # the apply page's kept files: their token is valid for a day


def kept_uploads_expire(*, now=None) -> int:
    """Delete the apply page's kept uploads (``KeptUpload``) more than ``KEPT_UPLOAD_HOURS`` old
    (their tokens have expired; a form sent with one has the bytes in its intake record): the
    public site may not delete them, the staff side's daily ``services.intake_sweep`` does.
    Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=KEPT_UPLOAD_HOURS)
    return KeptUpload.objects.filter(created_at__lt=cutoff).delete()[0]


def intake_retry(*, actor, record: IntakeRecord) -> IntakeRecord:
    """Put a failed record back in the queue (an operator, 运维管理员 of the item's organization or
    above), audited as ``services.intake.retry``; the worker takes it again in its order.

    Raises:
        PermissionDenied: the actor is not an operator over the item's organization.
        Conflict: the record has not failed (the message names its state), or a retry cannot make
            its case (``intake_retry_refusal``: ``replaced``, ``retried``, ``files_deleted``).
    """
    require_intake_operator(actor, record.item.organization)
    with audit_deferred():
        record = IntakeRecord.objects.select_for_update().get(pk=record.pk)
        if record.state != IntakeState.FAILED:
            raise Conflict(_("Only a failed submission can be retried; this one is %(state)s.")
                           % {"state": record.get_state_display()}, extra={"field": "state", "rule": "state"})
        refusal = intake_retry_refusal(intake_retry_facts(IntakeRecord.objects.defer("content")).get(pk=record.pk))
        if refusal is not None:
            raise refusal
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
