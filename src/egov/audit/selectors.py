"""Reads of the audit log."""

import json
from dataclasses import dataclass
from pathlib import Path

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


def audit_anchors_read(path: Path) -> list[dict]:
    """The anchors written by ``audit_anchor_write``: ``[{"seq", "hash", "at"}, ...]`` (empty when the
    file does not exist yet). A line that is not an anchor is reported as one with ``seq`` None."""
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            anchor = json.loads(line)
            anchors.append({"seq": int(anchor["seq"]), "hash": str(anchor["hash"]), "at": str(anchor.get("at", ""))})
        except (ValueError, KeyError, TypeError):
            anchors.append({"seq": None, "hash": "", "at": ""})
    return anchors


def audit_chain_verify(*, chunk_size: int = 2000, anchors: list[dict] | None = None) -> ChainReport:
    """Recompute the hash chain of the whole audit log, oldest first, in constant memory, then check
    it against the anchors (the heads copied outside the database, ``audit_anchor_write``).

    Returns the first break found, or ``ok=True``. The chain alone cannot tell that the newest
    events were deleted, or that the whole chain was recomputed after an edit: an anchor can
    (``"anchored event missing"``, ``"anchored hash differs"``).
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
    for anchor in anchors or []:
        if anchor["seq"] is None:
            return ChainReport(checked, False, None, None, "unreadable anchor")
        event = AuditEvent.objects.filter(seq=anchor["seq"]).only("pk", "hash").first()
        if event is None:
            return ChainReport(checked, False, anchor["seq"], None, f"anchored event missing (anchored {anchor['at']})")
        if event.hash != anchor["hash"]:
            return ChainReport(checked, False, anchor["seq"], event.pk,
                               f"anchored hash differs (anchored {anchor['at']})")
    return ChainReport(checked, True)


def audit_events_for(*, object_type: str, object_id: str | int):
    """Return the events about one object, oldest first (a QuerySet of ``AuditEvent``)."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("seq")
