"""Writes of applicants (外网受理): submit an application, answer a 补正 request, withdraw.

Each action is atomic and audited, checks that the actor is the applicant (deny by default), and
changes the status only through ``egov.services.actions.lifecycle``.
"""

import contextlib
import hashlib
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import Agent, LegalPerson, User
from egov.accounts.permissions import require_verified_public_user
from egov.core import context
from egov.core.actors import SYSTEM
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.facilities.idempotency import body_digest, idempotency_key_check, submitted_before
from egov.services.actions.catalog import item_materials, material_file_check, material_file_store
from egov.services.actions.intake import (
    INTAKE_CHANNEL,
    held_materials,
    intake_error,
    intake_process,
    material_error,
    replaced_retried_error,
)
from egov.services.actions.lifecycle import application_locked, application_move, move_target
from egov.services.formschema import form_data_validate
from egov.services.models import (
    Application,
    ApplicationMaterial,
    IntakeRecord,
    IntakeState,
    KeptUpload,
    Material,
    ServiceItem,
)
from egov.services.permissions import require_applicant
from egov.workflow.actions import instance_clock_resume, process_cancel

REASON_MAX = 500


def _applicant_for(actor: User, legal_person: LegalPerson | None) -> User:
    """The account the case belongs to: the actor, or the legal person it acts for as its agent."""
    if legal_person is None:
        return actor
    if legal_person.user_id == actor.pk:
        return actor
    if not Agent.objects.filter(legal_person=legal_person, person__user=actor, revoked_at__isnull=True).exists():
        raise PermissionDenied(_("You are not an agent of %(name)s.") % {"name": legal_person.name},
                               extra={"field": "legal_person"})
    return legal_person.user


def materials_check(*, materials: list[Material], files: Mapping[int, Any], required: set[int]
                    ) -> dict[int, tuple[bytes, str]]:
    """Check the uploaded file of each material without storing anything.

    Args:
        materials: the materials asked for; files: ``{material id: bytes or file}``; required: the
            ids of the materials that must have a file.

    Returns:
        ``{material id: (bytes, StoredFile.Kind found from the bytes)}`` of the files sent.

    Raises ``ValidationFailed`` naming the first material in error as ``materials.<id>`` with every
    error in ``extra["errors"]`` (``required``, ``max_size``, ``file_type``, ``empty``, ``unknown``).
    """
    known = {material.pk for material in materials}
    unknown = sorted(set(files) - known)
    if unknown:
        raise ValidationFailed(_("A file was sent for a material that this step does not ask for."),
                               extra={"field": f"materials.{unknown[0]}", "rule": "unknown"})
    errors = []
    checked = {}
    for material in materials:
        content = files.get(material.pk)
        if content is None:
            if material.pk in required:
                errors.append(material_error(material, "required", _("This material is required.")))
            continue
        try:
            checked[material.pk] = material_file_check(content=content, material=material)
        except ValidationFailed as error:
            errors.append(material_error(material, error.extra.get("rule", "invalid"), error.message))
    if errors:
        raise ValidationFailed(errors[0]["message"], extra={"field": errors[0]["field"], "rule": errors[0]["rule"],
                                                            "errors": errors})
    return checked


def _store_files(*, actor, materials: list[Material], files: Mapping[int, Any], required: set[int]
                 ) -> list[tuple[Material, Any]]:
    """Check, then store, the uploaded file of each material: ``[(material, StoredFile)]``.

    Raises ``ValidationFailed`` as ``materials_check`` does; then nothing is stored.
    """
    materials_check(materials=materials, files=files, required=required)
    return [(material, material_file_store(actor=actor, content=files[material.pk], material=material))
            for material in materials if material.pk in files]


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


def intake_submit(
    *, actor: User, item: ServiceItem, form_data: dict | None, files: Mapping[int, Any], idempotency_key: str,
    legal_person: LegalPerson | None = None, replaces: str = "",
) -> tuple[IntakeRecord, bool]:
    """Receive an online application (外网受理): check everything that can be checked without a case,
    insert the form and the files (their bytes) as one intake record — nothing else is written, no
    audit event, no file store — and answer with its receipt at once. The staff side's worker
    (``egov.services.actions.intake``) stores the files, audits the receipt (``services.intake.receive``,
    with the address and request id kept in the record) and turns the record into a case.

    Args:
        actor: the signed-in natural or legal person; an agent (经办人) of ``legal_person`` applies
            for it.
        item: a published item that can be applied for online (办理深度 ≥ 3, 网上受理).
        form_data: the form as JSON, validated against ``item.form_schema``; a field with
            ``"register"`` is stored with the applicant's register value when the case is made.
        files: ``{material id: bytes or uploaded file}``; every required material of the item needs
            one (unless the platform holds it, 免提交); each is checked by its bytes against the
            material's types and size and stored by its hash (``facilities.files``).
        idempotency_key: 8–64 letters, digits, ``-`` or ``_``, chosen by the client; unique per applicant.
            The files are kept in the record (``IntakeRecord.content``) until the worker stores them.
        legal_person: the legal person applied for, when the actor is its agent or its own account.
        replaces: the receipt number of this applicant's failed submission of this item that this one
            applies again for (the failed receipt's "Apply again"); "" for none. The old one is then
            never retried by an operator (``intake.intake_retry``).

    Returns:
        ``(record, created)``: ``created`` is False when this applicant sent this same request
        (item, form, files) with this key before; that record is returned unchanged (in whatever
        state it now is) and nothing is written.

    Raises:
        PermissionDenied: not a signed-in citizen or enterprise, not verified (``rule: "unverified"``,
            issue 17), or not an agent of ``legal_person``.
        ValidationFailed: ``extra["field"]`` names what is wrong: ``idempotency_key``, ``item``
            (``online``: not applicable online; ``applicant_kind``), ``form.<name>`` (with every error
            in ``extra["errors"]``), ``materials.<id>`` (``required``, ``max_size``, ``file_type``, ``empty``).
        NotFound: ``replaces`` names no failed submission of this applicant for this item.
        Conflict: ``replaces`` names a submission an operator has put back in the queue since it
            failed (``rule = "retried"``, with its ``receipt``): it is being registered, not to be
            applied for twice (a retry that comes after this check fails the new record in the
            worker with the same answer); or one applied again for already (``rule = "replaced"``,
            with the ``receipt`` of the submission that did, refused by the insert); or the key was
            used for another item (``rule = "idempotency_key"``), or for this item with another form
            or other files (``rule = "idempotency_key_content"``, with the first submission's receipt
            or case ``number``): a changed request is never answered with the first one as if it
            were new.
    """
    require_verified_public_user(actor, _("Sign in as a citizen or an enterprise to apply."))
    key = idempotency_key_check(idempotency_key)
    applicant = _applicant_for(actor, legal_person)
    digest, file_digests = _request_digest(item=item, form_data=form_data, files=files)
    form_data = {} if form_data is None else form_data
    # No look-up of the key before the checks: a first submission (nearly all of them) costs no
    # query for it. A replay is found when a check refuses it (the item withdrawn since, say) or
    # when the insert meets the key's unique constraint; either way it gets the first answer (or
    # the 409 of a key reused with other content), as if it had been looked up first.
    try:
        if not item.is_published or item.online_depth < ServiceItem.OnlineDepth.ACCEPTANCE:
            raise ValidationFailed(_("This item cannot be applied for online."),
                                   extra={"field": "item", "rule": "online"})
        if applicant.kind not in item.applicant_kinds:
            raise ValidationFailed(_("This item is not open to applicants of your kind."),
                                   extra={"field": "item", "rule": "applicant_kind"})
        materials = item_materials(item)
        required = {m.pk for m in materials if m.required} - {m.pk for m in held_materials(materials, files)}
        checked = _check_form_and_files(item=item, form_data=form_data, materials=materials, files=files,
                                        required=required)
    except ValidationFailed:
        existing = _submitted_before(applicant=applicant, key=key, item=item, digest=digest)
        if existing is not None:
            return existing, False
        raise
    # The record is all the public site writes (one statement, its files' bytes inside it): the
    # worker stores the files, audits the receipt (with this request's address and id) and makes
    # the case, in one transaction of its own (``intake._process_locked``).
    sent = [m for m in materials if m.pk in checked]
    request = context.current()
    record = IntakeRecord(
        item=item, applicant=applicant, submitted_by=actor, idempotency_key=key, request_digest=digest,
        form_data=form_data, content=b"".join(checked[m.pk][0] for m in sent),
        files=[{"material": m.pk, "sha256": file_digests[str(m.pk)], "kind": checked[m.pk][1],
                "size": len(checked[m.pk][0])} for m in sent],
        client_ip=request.client_ip, request_id=request.request_id)
    if replaces:
        record.replaces = _replaced_get(applicant=applicant, item=item, receipt=replaces)
    refused: IntegrityError | None = None
    try:
        # One statement: in a request (autocommit) it is its own transaction, with no BEGIN and
        # COMMIT to send; inside a caller's transaction a savepoint keeps a refused insert from
        # breaking that transaction.
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            inserted = _intake_insert(record)
    except IntegrityError as error:
        # The one other constraint an "Apply again" may meet: the failed record was applied again
        # for already (``intake_replaced_once``), unless this is a replay of that very request.
        if record.replaces_id is None:
            raise
        inserted, refused = False, error
    if not inserted:
        # The key is taken: a double click, a client's retry (or one that raced this one to the
        # same key). The same request gets the first record; other content a 409.
        existing = _submitted_before(applicant=applicant, key=key, item=item, digest=digest)
        if existing is not None:
            return existing, False
        if refused is not None:
            _replaced_once(record.replaces)
            raise refused
        raise IntegrityError(  # pragma: no cover (PostgreSQL's ON CONFLICT waited for the holder's commit)
            "intake record: idempotency key taken, but no record holds it")
    return record, True


def _replaced_get(*, applicant: User, item: ServiceItem, receipt: str) -> IntakeRecord:
    """The failed record ``receipt`` of ``applicant`` for ``item`` (a plain read: the public site
    locks nothing; the worker locks it when it makes the new record's case, ``intake._process_locked``,
    and fails that record if an operator has retried this one meanwhile)."""
    record = (IntakeRecord.objects.only("pk", "receipt", "state")
              .filter(receipt=receipt, applicant=applicant, item=item).first())
    if record is None:
        raise NotFound(_("The submission to apply again for was not found."),
                       extra={"field": "replaces", "rule": "not_found"})
    if record.state != IntakeState.FAILED:
        raise replaced_retried_error(record.receipt)
    return record


def _replaced_once(replaced: IntakeRecord) -> None:
    """Raise the answer to a second "Apply again" for ``replaced`` (its insert met
    ``intake_replaced_once``): ``Conflict`` with ``rule: "replaced"`` and the ``receipt`` of the
    submission that applied again for it first. Returns when none did (another constraint failed)."""
    newer = (IntakeRecord.objects.defer("content").select_related("application")
             .filter(replaces=replaced).first())
    if newer is None:
        return
    raise Conflict(_("Submission %(receipt)s has been applied for again already, as %(number)s: follow that one "
                     "instead of applying again.") % {"receipt": replaced.receipt, "number": newer.number},
                   extra={"field": "replaces", "rule": "replaced", "receipt": newer.receipt})


def _intake_insert(record: IntakeRecord) -> bool:
    """Insert ``record`` unless its applicant used its idempotency key before: one statement,
    ``INSERT … ON CONFLICT (applicant_id, idempotency_key) DO NOTHING RETURNING id`` (PostgreSQL,
    SQLite ≥ 3.35), so that a replay costs no failed transaction and no savepoint, and the public
    site's role needs INSERT only. On PostgreSQL the same statement wakes the intake worker
    (``RETURNING … pg_notify``: ``intake_signal``'s ``NOTIFY``, delivered at the commit, sent only
    when the row was inserted). True when inserted (``record.pk`` set), False when the key was taken.

    Raises ``IntegrityError`` for any other constraint (a receipt number drawn twice: 40 bits).
    """
    meta = IntakeRecord._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    values = [f.get_db_prep_save(f.pre_save(record, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({quote('applicant_id')}, {quote('idempotency_key')}) DO NOTHING RETURNING {quote('id')}"
            + (", pg_notify(%s, '')" if connection.vendor == "postgresql" else ""),
            [*values, INTAKE_CHANNEL] if connection.vendor == "postgresql" else values)
        row = cursor.fetchone()
    if row is None:
        return False
    record.pk = row[0]
    record._state.adding = False
    record._state.db = connection.alias
    return True


def kept_upload_insert(*, actor: User, material: Material, content) -> KeptUpload:
    """Keep a good file of an apply form sent back with an error (the apply page), so that the
    applicant need not choose it again: one INSERT into the intake side's ``KeptUpload`` (what the
    public site's role may do; no file store, no audit event — the file is audited with the
    submission that sends it, ``services.intake.receive``).

    Args:
        actor: the signed-in applicant; material: the material it was chosen for; content: bytes or
            an uploaded file.

    Raises:
        ValidationFailed: the file is refused by the material's checks (``material_file_check``).
    """
    data, kind = material_file_check(content=content, material=material)
    return KeptUpload.objects.create(user=actor, material=material, sha256=hashlib.sha256(data).hexdigest(),
                                     kind=kind, size=len(data), content=data)


def _request_digest(*, item: ServiceItem, form_data: dict | None, files: Mapping[int, Any]
                    ) -> tuple[str, dict[str, str]]:
    """SHA-256 (hex) of what a submission asks: the item, the form as sent and each file's bytes;
    and ``{material id (str): SHA-256 of its file}``, which the file store reuses."""
    file_digests = {}
    for material_id, content in sorted(files.items()):
        if hasattr(content, "seek"):
            content.seek(0)
        data = content if isinstance(content, bytes | bytearray) else content.read()
        file_digests[str(material_id)] = hashlib.sha256(data).hexdigest()
    return body_digest({"item": item.code, "form": form_data, "files": file_digests}), file_digests


def _check_form_and_files(*, item: ServiceItem, form_data, materials: list[Material], files: Mapping[int, Any],
                          required: set[int]) -> dict[int, tuple[bytes, str]]:
    """Check the form and the files together, so that every error is told in one answer; returns
    ``materials_check``'s ``{material id: (bytes, kind)}``.

    Raises:
        ValidationFailed: named after the first error (the form's, then the files'), with every
            error of both in ``extra["errors"]``.
    """
    failures = []
    checked = {}
    try:
        form_data_validate(schema=item.form_schema, data=form_data)
    except ValidationFailed as error:
        failures.append(error)
    try:
        checked = materials_check(materials=materials, files=files, required=required)
    except ValidationFailed as error:
        failures.append(error)
    if not failures:
        return checked
    first = failures[0]
    errors = [entry for failure in failures for entry in failure.extra.get("errors", [])]
    raise ValidationFailed(first.message, extra={**first.extra, "errors": errors})


def _submitted_before(*, applicant: User, key: str, item: ServiceItem, digest: str) -> IntakeRecord | None:
    def same_item(existing: IntakeRecord) -> None:
        if existing.item_id != item.pk:
            raise Conflict(_("This idempotency key was used for another application (%(number)s).")
                           % {"number": existing.number},
                           extra={"field": "idempotency_key", "rule": "idempotency_key", "number": existing.number})

    return submitted_before(
        queryset=IntakeRecord.objects.defer("content").select_related("application").filter(applicant=applicant),
        key=key,
        digest=digest, check=same_item,
        other_body_message=_("This form was already sent as %(number)s, with other content. To send "
                             "different content, start a new application."))


@transaction.atomic
def application_supplement_upload(*, actor: User, application: Application, files: Mapping[int, Any]
                                  ) -> Application:
    """Answer the 补正 request: one file for each material it asks for; the clock restarts today.

    Raises:
        NotFound: the actor is not the case's applicant.
        Conflict: no supplement is owed (the message names the status).
        ValidationFailed: a requested material without a file, or a refused file (``materials.<id>``).
    """
    require_applicant(actor, application)
    application = application_locked(application)
    move_target(application, "supplement_upload")
    request = application.supplement_request
    asked = list(request.materials.order_by("sort_order", "pk"))
    stored = _store_files(actor=actor, materials=asked, files=files, required={m.pk for m in asked})
    ApplicationMaterial.objects.bulk_create([ApplicationMaterial(application=application, material=material,
                                                                 file=file, supplement=True)
                                             for material, file in stored])
    request.answered_at = timezone.now()
    request.save(update_fields=["answered_at"])
    pause = instance_clock_resume(actor=SYSTEM, instance=application.process)
    return application_move(application=application, move="supplement_upload", actor=actor, by=actor.name,
                            note="、".join(str(m) for m in asked),
                            changes={"materials": [m.pk for m in asked], "paused_working_days": pause.working_days})


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str) -> Application:
    """Withdraw an application before the decision (撤回); its open steps are cancelled.

    Raises:
        NotFound: the actor is not the case's applicant.
        ValidationFailed: no reason, or longer than 500 characters (``reason``).
        Conflict: the case is decided or ended already (the message names the status).
    """
    require_applicant(actor, application)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for withdrawing."), extra={"field": "reason", "rule": "required"})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("The reason is longer than %(n)d characters.") % {"n": REASON_MAX},
                               extra={"field": "reason", "rule": "max_length"})
    application = application_locked(application)
    move_target(application, "withdraw")
    process_cancel(actor=SYSTEM, instance=application.process, reason=f"withdrawn by the applicant: {reason}")
    application.withdrawn_at = timezone.now()
    return application_move(application=application, move="withdraw", actor=actor, by=actor.name, note=reason,
                            fields=("withdrawn_at",))
