"""Writes of the audit log: the only way rows get into ``AuditEvent``."""

import base64
import datetime
import fcntl
import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from egov.audit import anchoring, partitions
from egov.audit.chain import GENESIS_HASH, event_hash
from egov.audit.models import AuditEvent
from egov.core import context
from egov.core.actors import is_system
from egov.core.canonical import canonical_json

logger = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock that serializes appends to the chain (any fixed 64-bit number).
_CHAIN_LOCK_KEY = 0x65676F76_61756474  # "egov" "audt"


def audit_record(
    *,
    action: str,
    actor: Any = None,
    organization: Any = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the audit log, inside the caller's transaction.

    Args:
        action: dotted name of what happened, ``<app>.<entity>.<verb>``, e.g.
            ``"accounts.natural_person.register"`` or ``"accounts.natural_person.read"``.
        actor: the user who acted (anything with ``pk`` and ``str()``), or ``SYSTEM`` (the platform).
        organization: the organization on whose behalf the actor acted, or None.
        obj: the model instance acted on; gives ``object_type`` (``app_label.model``) and ``object_id``.
        object_type, object_id: given instead of ``obj`` for things that are not model rows.
        summary: one line for people (at most 500 characters; longer is cut).
        changes: what changed, JSON without floats, e.g. ``{"status": ["submitted", "accepted"]}``.
            Personal data is referred to by field name, never copied here.
        actor_label: who acted when ``actor`` is None, e.g. a command (``egov documents import``).

    Returns:
        The event: saved, or, inside ``audit_deferred``, to be saved with its block (``seq`` and
        ``hash`` are set then).

    Raises:
        TypeError: ``changes`` holds a float or a value JSON cannot express (``core.canonical``).

    The append takes the chain lock (a transaction-scoped advisory lock on PostgreSQL; SQLite
    serializes writers itself), so concurrent transactions get consecutive ``seq`` values and the
    lock is held until the caller's transaction ends. Inside ``audit_deferred`` the event waits in
    memory and the lock is taken once, when the block ends.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    request = context.current()
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_label=(actor_label if is_system(actor) else str(actor))[:200],
        organization_id=getattr(organization, "pk", None),
        organization_label=str(organization)[:200] if organization is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
        changes=changes or {},
        client_ip=request.client_ip,
        request_id=request.request_id,
    )
    canonical_json(event.changes)  # refuse floats now, where the caller can see which event it was
    batch = getattr(connection, _BATCH_ATTRIBUTE, None)
    if batch is not None and connection.in_atomic_block:
        marker = _SavepointMarker()
        transaction.on_commit(marker)  # discarded by Django if a savepoint around this event rolls back
        batch.append((marker, event))
        return event
    _chain_append([event])
    return event


def audit_list_read(
    *,
    action: str,
    actor: Any,
    object_type: str,
    object_ids: Iterable[str | int],
    organization: Any = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Audit one staff page that lists personal data (an inbox, a queue, search results): one event
    per page shown, naming the records on it, as the single-record reads name their record.

    Args:
        action: ``<app>.<entity>.read_list``, e.g. ``"services.application.read_list"``.
        actor: the staff user who saw the page.
        object_type: ``app_label.model`` of the records listed (``"services.application"``).
        object_ids: the primary keys of the records on the page, in the order shown.
        organization: the organization the list is of, or None (several).
        summary: one line for people; default ``"<object_type>: <n> shown"``.
        changes: more context (the page number, the filter's field names), merged under ``"shown"``.

    Returns:
        The event (``changes["shown"]``: the ids as strings), or None when the page lists nothing.
    """
    shown = [str(pk) for pk in object_ids]
    if not shown:
        return None
    return audit_record(action=action, actor=actor, organization=organization, object_type=object_type,
                        summary=summary or f"{object_type}: {len(shown)} shown",
                        changes={**(changes or {}), "shown": shown, "count": len(shown)})


class _SavepointMarker:
    """A no-op commit callback standing for one deferred event: while it is still registered, the
    savepoints the event was recorded in have not been rolled back (Django drops the callbacks of a
    rolled-back savepoint: "Savepoints" in Django's documentation on ``transaction.on_commit``)."""

    def __call__(self) -> None:
        return None


_BATCH_ATTRIBUTE = "egov_audit_batch"


@contextmanager
def audit_deferred() -> Iterator[None]:
    """Run a block in one transaction whose audit events are appended together when it ends.

    The chain lock (``audit_record``) is then held only from the end of the block to the commit,
    instead of from the block's first event, so that concurrent writers elsewhere on the platform
    (other applicants' submissions) do not wait for this whole block. Events recorded inside a
    savepoint that was rolled back (an inner ``transaction.atomic`` left by an exception that the
    block caught) are dropped, as their rows would have been. Nested uses join the outermost one.
    If the block raises, its transaction rolls back and none of its events is written.
    """
    if getattr(connection, _BATCH_ATTRIBUTE, None) is not None:
        with transaction.atomic():
            yield
        return
    batch: list[tuple[_SavepointMarker, AuditEvent]] = []
    try:
        with transaction.atomic():
            setattr(connection, _BATCH_ATTRIBUTE, batch)
            yield
            setattr(connection, _BATCH_ATTRIBUTE, None)
            # Django's list of commit callbacks (``connection.run_on_commit``) has lost the markers
            # of rolled-back savepoints; the markers have done their work and leave it again.
            live = {id(callback) for _sids, callback, _robust in connection.run_on_commit}
            connection.run_on_commit = [entry for entry in connection.run_on_commit
                                        if not isinstance(entry[1], _SavepointMarker)]
            _chain_append([event for marker, event in batch if id(marker) in live])
    finally:
        setattr(connection, _BATCH_ATTRIBUTE, None)


def _as_datetime(value) -> datetime.datetime:
    """A timestamp read by a raw statement as an aware datetime (SQLite hands back text in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _chain_append(events: list[AuditEvent]) -> None:
    """Link ``events`` after the chain's head and insert them, under the chain lock."""
    if not events:
        return
    # No savepoint: a failure here fails the caller's transaction as a whole (the error propagates).
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        # The chain's head: a plain statement (an ORM ``first()`` here cost more CPU to compile
        # than the database spent answering it, on every audited write of the platform).
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT seq, hash, occurred_at FROM {connection.ops.quote_name(AuditEvent._meta.db_table)} "
                           "ORDER BY seq DESC LIMIT 1")
            last = cursor.fetchone()
        seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
        # Times never go back along the chain (an event recorded before the lock was had may come
        # after one recorded later): so each month's partition holds one unbroken run of seq.
        floor = _as_datetime(last[2]) if last else None
        for event in events:
            if floor is not None and event.occurred_at < floor:
                event.occurred_at = floor
            floor = event.occurred_at
            partitions.partition_ensure(partitions.month_of(event.occurred_at))
            seq += 1
            event.seq, event.prev_hash = seq, prev_hash
            event.hash = prev_hash = event_hash(event)
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)
    if settings.EGOV_AUDIT_ANCHOR_ON_COMMIT and (
        events[0].seq == 1 or time.monotonic() - _last_anchor_try[0] >= settings.EGOV_AUDIT_ANCHOR_INTERVAL
    ):
        _last_anchor_try[0] = time.monotonic()
        transaction.on_commit(_anchor_after_commit)


# When this process last anchored after a commit (``time.monotonic()``); -inf: never.
_last_anchor_try = [float("-inf")]


def _anchor_after_commit() -> None:
    """Anchor the head after a commit (the log's first event, then at most every
    ``EGOV_AUDIT_ANCHOR_INTERVAL`` per process). A failure is logged, never raised into the request
    whose change is already committed: the worker's next anchor covers the head as well."""
    try:
        audit_anchor_write(path=Path(settings.EGOV_AUDIT_ANCHOR_FILE))
    except Exception:  # noqa: BLE001 (the change is committed; the anchor is retried by the worker)
        logger.exception("audit anchor after commit failed")


def audit_anchor_write(*, path: Path) -> dict | None:
    """Append the head of the chain (one JSON line) to the anchor file, with an RFC 3161 token of
    the platform's TSA over the head's hash when one can be had.

    The file lives outside the database (``EGOV_AUDIT_ANCHOR_FILE``); operators copy it off-site
    with the backups, so that ``egov audit verify`` notices events deleted from the end of the log
    or a chain recomputed after an edit. Written after the commit of the log's first event, then
    every ``EGOV_AUDIT_ANCHOR_INTERVAL`` seconds while the head moves (Celery beat, the worker's
    start, web processes after a commit: ``settings.EGOV_AUDIT_ANCHOR_ON_COMMIT``), and by
    ``egov audit anchor``. Concurrent writers (processes) take an exclusive lock on the file.

    Returns:
        The anchor written, ``{"seq", "hash", "at"}`` plus ``"tst"`` (the DER ``TimeStampToken``
        in base64) or, when the TSA could not answer (no CA yet), ``"tst_error"`` (the error's
        class name); None when the log is empty or its head is anchored already.
    """
    head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    if head is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # released when the file is closed
        last = anchoring.last_line(handle)
        try:
            if last and json.loads(last).get("seq") == head.seq:
                return None
        except ValueError:
            pass  # a damaged last line: write a good anchor after it (verify reports the damaged one)
        return _anchor_line_write(handle, seq=head.seq, hash_hex=head.hash)


def audit_anchor_append(*, path: Path, seq: int, hash_hex: str, extra: dict | None = None) -> dict:
    """Append one anchor for event ``seq`` whose hash is ``hash_hex`` (timestamped like the heads),
    with ``extra`` keys, e.g. ``{"checkpoint": "2026-01"}`` for a month's checkpoint
    (``archive.audit_checkpoints_record``). Returns the anchor written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        return _anchor_line_write(handle, seq=seq, hash_hex=hash_hex, extra=extra)


def _anchor_line_write(handle, *, seq: int, hash_hex: str, extra: dict | None = None) -> dict:
    """Write one anchor line at the end of the locked anchor file ``handle`` and fsync it."""
    anchor = {"seq": seq, "hash": hash_hex, "at": timezone.now().isoformat(timespec="seconds"), **(extra or {})}
    stamper = anchoring.timestamper()
    if stamper is not None:
        try:
            anchor["tst"] = base64.b64encode(stamper.stamp(bytes.fromhex(hash_hex))).decode("ascii")
        except Exception as error:  # noqa: BLE001 (the anchor without a token still guards the tail)
            logger.warning("audit anchor seq=%s written without a timestamp: %r", seq, error)
            anchor["tst_error"] = type(error).__name__
    handle.seek(0, os.SEEK_END)
    handle.write((json.dumps(anchor) + "\n").encode("utf-8"))
    handle.flush()
    os.fsync(handle.fileno())
    return anchor


def subject_key(identifier: str) -> str:
    """The digest a ``SubjectRead`` names its subject by: HMAC-SHA256 (RFC 2104) keyed with
    ``EGOV_SUBJECT_KEY`` over the identifier upper-case without spaces, as 64 hex characters ("" for
    an empty identifier). Changing the key makes the reads recorded before it unreachable."""
    code = "".join(str(identifier or "").split()).upper()
    if not code:
        return ""
    return hmac.new(settings.EGOV_SUBJECT_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def audit_subject_read(
    *,
    subject: str,
    subject_kind: str,
    organization: Any = None,
    organization_label: str = "",
    action: str,
    fields: Iterable = (),
    case: str = "",
    basis: str = "",
    resource_code: str = "",
    resource_name: str = "",
    resource_name_en: str = "",
    via: str = "",
    event: AuditEvent | None = None,
):
    """Record that ``organization`` read ``subject``'s personal data, for "who read my data", in the
    caller's transaction (the read's own ``AuditEvent`` is written by the caller: pass it as
    ``event`` to link the two).

    Args:
        subject: the resident ID number (``subject_kind="natural"``) or USCC (``"legal"``); stored
            as ``subject_key(subject)``. An empty subject records nothing.
        organization: the reading ``Organization`` (id and name copied), or None with
            ``organization_label`` (e.g. a consumer known only by its USCC).
        action: the read's audit action, e.g. ``"exchange.query"``, ``"registries.population.read"``.
        fields: the 信息项 read: ``(field, name, name_en)`` triples or bare field names.
        case, basis: the purpose (办件编号 or other case line; legal basis).
        via: ``"exchange"`` (a query through the exchange) or ``"platform"`` (a staff page).

    Returns:
        The ``SubjectRead`` row, or None when ``subject`` is empty.
    """
    from egov.audit.models import SubjectRead

    subject = subject_key(subject)
    if not subject:
        return None
    rows = []
    for field in fields:
        if isinstance(field, (list, tuple)):
            rows.append([str(part) for part in field][:3] + [""] * (3 - len(field)))
        else:
            rows.append([str(field), str(field), str(field)])
    return SubjectRead.objects.create(
        occurred_at=event.occurred_at if event is not None else timezone.now(),
        subject_kind=subject_kind,
        subject=subject,
        organization_id=getattr(organization, "pk", None),
        organization_label=(str(organization) if organization is not None else organization_label)[:200],
        action=action,
        resource_code=resource_code[:64],
        resource_name=resource_name[:200],
        resource_name_en=resource_name_en[:200],
        fields=rows,
        case=str(case)[:200],
        basis=str(basis)[:500],
        via=via[:20],
        event_seq=getattr(event, "seq", None),
    )
