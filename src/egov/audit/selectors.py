"""Reads of the audit log."""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from egov.audit import anchoring
from egov.audit.chain import GENESIS_HASH, event_hash
from egov.audit.models import AuditCheckpoint, AuditEvent


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
    """The anchors written by ``audit_anchor_write``: ``[{"seq", "hash", "at", "tst"}, ...]`` (empty
    when the file does not exist yet); ``tst`` is the timestamp token's DER bytes, or None for an
    anchor written without one. A line that is not an anchor is reported as one with ``seq`` None."""
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            anchor = json.loads(line)
            token = anchor.get("tst")
            anchors.append({"seq": int(anchor["seq"]), "hash": str(anchor["hash"]), "at": str(anchor.get("at", "")),
                            "tst": base64.b64decode(token, validate=True) if token else None})
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            anchors.append({"seq": None, "hash": "", "at": "", "tst": None})
    return anchors


def audit_anchor_last(path: Path) -> dict | None:
    """The newest anchor of the anchor file, ``{"seq", "hash", "at"}`` (``at``: an aware datetime, the
    time it was written), read from the file's end; None when the file is missing, empty, or its last
    line is not an anchor (``egov audit verify`` says what is wrong with it)."""
    if not path.exists():
        return None
    with path.open("rb") as handle:
        line = anchoring.last_line(handle)
    try:
        anchor = json.loads(line)
        at = datetime.datetime.fromisoformat(str(anchor["at"]))
        return {"seq": int(anchor["seq"]), "hash": str(anchor["hash"]),
                "at": at if at.tzinfo else at.replace(tzinfo=datetime.UTC)}
    except (ValueError, KeyError, TypeError):
        return None


def audit_chain_verify(*, chunk_size: int = 2000, anchors: list[dict] | None = None) -> ChainReport:
    """Recompute the hash chain of the whole audit log, oldest first, in constant memory, then check
    it against the anchors (the heads copied outside the database, ``audit_anchor_write``).

    Returns the first break found, or ``ok=True``. The chain alone cannot tell that the newest
    events were deleted, or that the whole chain was recomputed after an edit: an anchor can
    (``"anchored event missing (events 4-5 deleted from the end of the log, …)"`` with ``broken_seq``
    the first missing event, ``"anchored hash differs"``). The newest anchor's timestamp token is checked
    with the wired timestamper (``anchoring``): ``"anchor timestamp invalid"`` when it does not stamp
    the anchored hash or its signature is not our TSA's.

    When months have been archived (``archive.audit_archive``), the chain is verified from the newest
    archived month's checkpoint (``AuditCheckpoint``: its ``last_hash`` is the next event's
    ``prev_hash``), which must be among the anchors when anchors are given (``"checkpoint not
    anchored"``); anchors of archived events are left to the archive files.
    """
    # Archived months (``egov audit archive``) are verified from their files; the chain in the
    # database goes on from the newest archived month's checkpoint, which must be anchored.
    base = AuditCheckpoint.objects.filter(archived_at__isnull=False).order_by("-last_seq").first()
    expected_seq = base.last_seq + 1 if base else 1
    prev_hash = base.last_hash if base else GENESIS_HASH
    if base is not None and anchors and not any(
            anchor["seq"] == base.last_seq and anchor["hash"] == base.last_hash for anchor in anchors):
        return ChainReport(0, False, base.last_seq, None,
                           f"checkpoint not anchored (month {base.month:%Y-%m}, event {base.last_seq})")
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
    last_seq = expected_seq - 1  # the chain is intact up to here: seq 1..last_seq, nothing missing
    stamper = anchoring.timestamper()
    anchors = anchors or []
    if any(anchor["seq"] is None for anchor in anchors):
        return ChainReport(checked, False, None, None, "unreadable anchor")
    top = max(anchors, key=lambda anchor: anchor["seq"], default=None)
    if top is not None and top["seq"] > last_seq:
        # the newest events were deleted: name the gap, from the first missing one to the highest anchored
        return ChainReport(checked, False, last_seq + 1, None,
                           f"anchored event missing (events {last_seq + 1}-{top['seq']} deleted from the "
                           f"end of the log, which ends at {last_seq}; anchored {top['at']})")
    for anchor in anchors:
        if base is not None and anchor["seq"] <= base.last_seq:
            continue  # an archived event: its archive file verifies it
        event = AuditEvent.objects.filter(seq=anchor["seq"]).only("pk", "hash").first()
        if event.hash != anchor["hash"]:
            return ChainReport(checked, False, anchor["seq"], event.pk,
                               f"anchored hash differs (anchored {anchor['at']})")
        # The newest anchor's token is checked (a signature check with the CA's CRLs, some
        # milliseconds: one a minute for a year would take hours); older anchors guard recomputed
        # chains by their hashes, which the newest token's time also vouches for.
        if anchor is anchors[-1] and anchor.get("tst") is not None and stamper is not None:
            try:
                stamper.check(anchor["tst"], bytes.fromhex(anchor["hash"]))
            except ValueError as error:
                return ChainReport(checked, False, anchor["seq"], event.pk,
                                   f"anchor timestamp invalid ({error}; anchored {anchor['at']})")
    return ChainReport(checked, True)


def audit_events_for(*, object_type: str, object_id: str | int):
    """Return the events about one object, oldest first (a QuerySet of ``AuditEvent``)."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("seq")
