"""Reads of the audit log."""

from dataclasses import dataclass

from egov.audit.chain import GENESIS_HASH, event_hash
from egov.audit.models import AuditEvent


@dataclass(frozen=True)
class ChainReport:
    """Result of ``audit_chain_verify``.

    ``checked``: events read; ``ok``: True when the whole chain is intact; for a broken chain,
    ``broken_seq`` is the first event at which it breaks and ``reason`` says how
    (``"hash mismatch"`` when a row was altered, ``"missing event"`` when one was removed,
    ``"previous hash mismatch"`` when a row was replaced).
    """

    checked: int
    ok: bool
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Recompute the hash chain of the whole audit log, oldest first, in constant memory.

    Returns the first break found, or ``ok=True``. Deleting the newest events leaves a shorter
    chain that still verifies; docs/operations.md says how the head is anchored against that.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        checked += 1
        if event.seq != expected_seq:
            return ChainReport(checked, False, expected_seq, event.pk, "missing event")
        if event.prev_hash != prev_hash:
            return ChainReport(checked, False, event.seq, event.pk, "previous hash mismatch")
        if event_hash(event) != event.hash:
            return ChainReport(checked, False, event.seq, event.pk, "hash mismatch")
        prev_hash = event.hash
        expected_seq += 1
    return ChainReport(checked, True)


def audit_events_for(*, object_type: str, object_id: str | int):
    """Return the events about one object, oldest first (a QuerySet of ``AuditEvent``)."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("seq")
