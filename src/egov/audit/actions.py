"""Writes of the audit log: the only way rows get into ``AuditEvent``."""

import json
import os
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from egov.audit.chain import GENESIS_HASH, event_hash
from egov.audit.models import AuditEvent
from egov.core import context

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
) -> AuditEvent:
    """Append one event to the audit log, inside the caller's transaction.

    Args:
        action: dotted name of what happened, ``<app>.<entity>.<verb>``, e.g.
            ``"accounts.natural_person.register"`` or ``"accounts.natural_person.read"``.
        actor: the user who acted (anything with ``pk`` and ``str()``), or None for the system.
        organization: the organization on whose behalf the actor acted, or None.
        obj: the model instance acted on; gives ``object_type`` (``app_label.model``) and ``object_id``.
        object_type, object_id: given instead of ``obj`` for things that are not model rows.
        summary: one line for people (at most 500 characters; longer is cut).
        changes: what changed, JSON without floats, e.g. ``{"status": ["submitted", "accepted"]}``.
            Personal data is referred to by field name, never copied here.

    Returns:
        The saved event.

    The append takes the chain lock (a transaction-scoped advisory lock on PostgreSQL; SQLite
    serializes writers itself), so concurrent transactions get consecutive ``seq`` values and the
    lock is held until the caller's transaction ends.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    request = context.current()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        event = AuditEvent(
            seq=(last.seq + 1) if last else 1,
            occurred_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_label=str(actor)[:200] if actor is not None else "",
            organization_id=getattr(organization, "pk", None),
            organization_label=str(organization)[:200] if organization is not None else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            summary=summary[:500],
            changes=changes or {},
            client_ip=request.client_ip,
            request_id=request.request_id,
            prev_hash=last.hash if last else GENESIS_HASH,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
    return event


def audit_anchor_write(*, path: Path) -> dict | None:
    """Append the head of the chain (``{"seq", "hash", "at"}``, one JSON line) to the anchor file.

    The file lives outside the database (``EGOV_AUDIT_ANCHOR_FILE``); operators copy it off-site
    with the backups, so that ``egov audit verify`` notices events deleted from the end of the log
    or a chain recomputed after an edit. Run hourly by Celery beat and by ``egov audit anchor``.

    Returns:
        The anchor written, or None when the log is empty or its head is anchored already.
    """
    head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    if head is None:
        return None
    anchor = {"seq": head.seq, "hash": head.hash, "at": timezone.now().isoformat(timespec="seconds")}
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines and json.loads(lines[-1]).get("seq") == head.seq:
            return None
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(anchor) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return anchor
