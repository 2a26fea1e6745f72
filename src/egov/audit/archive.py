"""The audit log over years: a checkpoint per month, and months archived off-line.

Once a month is over, its checkpoint (the chain's head at the month's end) is recorded in
``AuditCheckpoint`` and appended to the anchor file, timestamped (``audit_checkpoints_record``:
the beat's anchor task, ``egov audit checkpoint``). ``egov audit archive --before YYYY-MM`` then
writes each older month's events to a file with its checkpoint, verifies the file, and detaches the
month's partition (``audit_archive``); ``egov audit verify`` goes on verifying the remaining chain
from the newest archived checkpoint, and ``egov audit verify-archive FILE`` verifies a file on its
own (``audit_archive_verify``).

An archive file is JSON lines (UTF-8): first the header ``{"format": "egov-audit-archive/1",
"month": "2026-01", "first_seq", "last_seq", "count", "prev_hash", "last_hash"}``, then one line per
event, oldest first, with the hashed fields (``chain.HASHED_FIELDS``), ``id`` and ``hash``.
"""

import datetime
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from egov.audit import partitions
from egov.audit.actions import audit_anchor_append, audit_record
from egov.audit.chain import GENESIS_HASH, HASHED_FIELDS, event_hash
from egov.audit.models import AuditCheckpoint, AuditEvent
from egov.core.errors import ApplicationError

FORMAT = "egov-audit-archive/1"


class AuditArchiveError(ApplicationError):
    """A checkpoint or an archive cannot be made as asked (the message says why)."""


def audit_checkpoints_record(*, now: datetime.datetime, anchor_path: Path) -> list[AuditCheckpoint]:
    """Record the checkpoint of every month before ``now``'s month that has events and none yet,
    oldest first, each anchored (a line ``{"seq", "hash", "at", "checkpoint": "YYYY-MM", "tst"}``).

    Returns the checkpoints recorded (empty when all are). Raises ``AuditArchiveError`` when a
    month is not one unbroken run of the chain following the previous checkpoint (events of an older
    release written out of time order at a month's turn): that month cannot be archived on its own.
    """
    current = partitions.month_of(now)
    recorded = []
    with transaction.atomic():
        last = AuditCheckpoint.objects.order_by("-month").first()
        month_from = partitions.next_month(last.month) if last else None
        first_event = AuditEvent.objects.order_by("seq").only("occurred_at").first()
        if first_event is None:
            return []
        month = month_from or partitions.month_of(first_event.occurred_at)
        expected_first = last.last_seq + 1 if last else _first_seq()
        prev_hash = last.last_hash if last else None
        while month < current:
            start, end = partitions.month_bounds(month)
            figures = AuditEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).aggregate(
                first=Min("seq"), last=Max("seq"), count=Count("id"))
            if figures["count"]:
                if figures["first"] != expected_first or figures["count"] != figures["last"] - figures["first"] + 1:
                    raise AuditArchiveError(
                        f"the events of {month:%Y-%m} are not one run of the chain (seq {figures['first']}-"
                        f"{figures['last']}, {figures['count']} events, expected to start at {expected_first})")
                head = AuditEvent.objects.get(seq=figures["last"])
                first = AuditEvent.objects.get(seq=figures["first"])
                if prev_hash is not None and first.prev_hash != prev_hash:
                    raise AuditArchiveError(f"the first event of {month:%Y-%m} (seq {first.seq}) does not follow "
                                            "the previous checkpoint")
                checkpoint = AuditCheckpoint.objects.create(
                    month=month, first_seq=figures["first"], last_seq=head.seq, count=figures["count"],
                    prev_hash=first.prev_hash, last_hash=head.hash, recorded_at=now)
                recorded.append(checkpoint)
                expected_first, prev_hash = head.seq + 1, head.hash
            month = partitions.next_month(month)
    # Anchored once committed (the timestamp is asked of the TSA outside the transaction).
    for checkpoint in recorded:
        audit_anchor_append(path=anchor_path, seq=checkpoint.last_seq, hash_hex=checkpoint.last_hash,
                            extra={"checkpoint": f"{checkpoint.month:%Y-%m}"})
    return recorded


def _first_seq() -> int:
    first = AuditEvent.objects.order_by("seq").only("seq").first()
    return first.seq if first else 1


def audit_archive(*, before: datetime.date, directory: Path, anchor_path: Path, now: datetime.datetime,
                  drop: bool = False) -> list[AuditCheckpoint]:
    """Archive every month older than ``before`` (a first day) whose partition is still attached,
    oldest first: record its checkpoint, write its events to ``directory/audit-YYYY-MM.jsonl``
    (fsynced, then verified by ``audit_archive_verify``), mark the checkpoint archived and detach the
    partition (dropped too with ``drop``; else left as a table of its own to be dumped off-line).
    Each month is audited (``audit.archive``).

    Returns the checkpoints of the months archived. Raises ``AuditArchiveError`` off a partitioned
    log (SQLite), for a month not yet over (``before`` after ``now``'s month), or when a month's
    events do not form one run of the chain.
    """
    if not partitions.is_partitioned():
        raise AuditArchiveError("the audit log is not partitioned (only on PostgreSQL): nothing to archive")
    if before > partitions.month_of(now):
        raise AuditArchiveError(f"{before:%Y-%m} is not over yet: archive only months before the current one")
    audit_checkpoints_record(now=now, anchor_path=anchor_path)
    directory.mkdir(parents=True, exist_ok=True)
    done = []
    for month in [m for m in partitions.partitions_attached() if m < before]:
        checkpoint = AuditCheckpoint.objects.filter(month=month).first()
        with transaction.atomic():
            if checkpoint is not None:
                path = directory / f"audit-{month:%Y-%m}.jsonl"
                digest = _archive_write(path=path, checkpoint=checkpoint)
                report = audit_archive_verify(path=path)
                if not report.ok:
                    raise AuditArchiveError(f"the archive of {month:%Y-%m} does not verify: {report.reason}")
                checkpoint.archived_at, checkpoint.archive_name, checkpoint.archive_sha256 = now, path.name, digest
                checkpoint.save(update_fields=["archived_at", "archive_name", "archive_sha256"])
                done.append(checkpoint)
            # Recorded before the detach: the event belongs to the current month's partition.
            audit_record(action="audit.archive", actor_label="egov audit archive", object_type="audit.month",
                         object_id=f"{month:%Y-%m}",
                         summary=f"audit events of {month:%Y-%m} archived and partition detached",
                         changes={"events": checkpoint.count if checkpoint else 0,
                                  "last_seq": checkpoint.last_seq if checkpoint else None,
                                  "file": checkpoint.archive_name if checkpoint else "", "dropped": drop})
            partitions.partition_detach(month, drop=drop)
    return done


def _archive_write(*, path: Path, checkpoint: AuditCheckpoint) -> str:
    """Write the month's events to ``path`` (JSON lines, header first), fsync; return its SHA-256 hex."""
    start, end = partitions.month_bounds(checkpoint.month)
    header = {"format": FORMAT, "month": f"{checkpoint.month:%Y-%m}", "first_seq": checkpoint.first_seq,
              "last_seq": checkpoint.last_seq, "count": checkpoint.count, "prev_hash": checkpoint.prev_hash,
              "last_hash": checkpoint.last_hash}
    digest = hashlib.sha256()
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        for line in [header, *(_event_json(event) for event in AuditEvent.objects.filter(
                occurred_at__gte=start, occurred_at__lt=end).order_by("seq").iterator(chunk_size=2000))]:
            data = (json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
            digest.update(data)
            handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return digest.hexdigest()


def _event_json(event: AuditEvent) -> dict:
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["occurred_at"] = event.occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    values["id"], values["hash"] = event.pk, event.hash
    return values


@dataclass(frozen=True)
class ArchiveReport:
    """Result of ``audit_archive_verify``: ``checked`` events read; ``ok``; else ``broken_seq`` (the
    first event where it breaks, None for a header fault) and ``reason``."""

    month: str
    checked: int
    ok: bool
    broken_seq: int | None = None
    reason: str = ""


def audit_archive_verify(*, path: Path, anchors: list[dict] | None = None) -> ArchiveReport:
    """Verify an archive file on its own: each event's hash recomputed (``chain.event_hash``), seq
    without gaps from ``first_seq`` to ``last_seq``, the chain starting at the header's ``prev_hash``
    and ending at its ``last_hash`` with ``count`` events; with ``anchors`` (the anchor file's lines,
    ``selectors.audit_anchors_read``) also that the checkpoint was anchored.

    Reasons: ``"hash mismatch"``, ``"missing event"``, ``"previous hash mismatch"``, ``"not an
    archive"``, ``"ends before its checkpoint"``, ``"checkpoint not anchored"``.
    """
    with path.open("rb") as handle:
        try:
            header = json.loads(handle.readline())
            if header.get("format") != FORMAT:
                raise ValueError
            month = str(header["month"])
            expected_seq, prev_hash = int(header["first_seq"]), str(header["prev_hash"])
        except (ValueError, KeyError, TypeError, AttributeError):
            return ArchiveReport("", 0, False, None, "not an archive")
        checked = 0
        for raw in handle:
            row = json.loads(raw)
            checked += 1
            event = SimpleNamespace(**{name: row[name] for name in HASHED_FIELDS})
            event.occurred_at = datetime.datetime.fromisoformat(row["occurred_at"])
            if event.seq != expected_seq:
                return ArchiveReport(month, checked, False, expected_seq, "missing event")
            if event.prev_hash != prev_hash:
                return ArchiveReport(month, checked, False, event.seq, "previous hash mismatch")
            if event_hash(event) != row["hash"]:
                return ArchiveReport(month, checked, False, event.seq, "hash mismatch")
            prev_hash, expected_seq = row["hash"], expected_seq + 1
    if expected_seq - 1 != header["last_seq"] or prev_hash != header["last_hash"] or checked != header["count"]:
        return ArchiveReport(month, checked, False, expected_seq, "ends before its checkpoint")
    if anchors and not any(a["seq"] == header["last_seq"] and a["hash"] == header["last_hash"] for a in anchors):
        return ArchiveReport(month, checked, False, header["last_seq"], "checkpoint not anchored")
    return ArchiveReport(month, checked, True)


def archived_base() -> tuple[int, str]:
    """Where the chain in the database starts: ``(last_seq, last_hash)`` of the newest archived
    checkpoint, or ``(0, GENESIS_HASH)`` when no month is archived."""
    base = AuditCheckpoint.objects.filter(archived_at__isnull=False).order_by("-last_seq").first()
    return (base.last_seq, base.last_hash) if base else (0, GENESIS_HASH)


def partitions_maintain(*, now: datetime.datetime | None = None, anchor_path: Path) -> dict:
    """The periodic upkeep (the anchor task): the partitions of this month and the next ones exist,
    and every month that is over has its checkpoint. Returns ``{"partitions": [...], "checkpoints":
    [...]}`` (months as ``YYYY-MM``)."""
    now = now or timezone.now()
    months = partitions.partitions_ensure(now=now) if connection.vendor == "postgresql" else []
    recorded = audit_checkpoints_record(now=now, anchor_path=anchor_path)
    return {"partitions": [f"{m:%Y-%m}" for m in months], "checkpoints": [f"{c.month:%Y-%m}" for c in recorded]}
