"""A node's message log (消息日志): every request and response, hash-chained like the audit log.

Each row's ``hash`` is SHA-256 over the canonical JSON (``egov.core.canonical``, as the audit
chain) of ``HASHED_FIELDS``; the body enters as its SHA-256 (``body_sha256``), so that a row can
be proven with the envelope alone when the body must not be shown. ``prev_hash`` is the hash of
row ``seq - 1`` (64 zeros for the first). Appends are serialized by a transaction-scoped advisory
lock on PostgreSQL, so ``seq`` order is commit order.
"""

import hashlib
from datetime import UTC

from django.db import connection
from django.utils import timezone

from egov.core.canonical import canonical_json
from egov.exchange.models import LoggedMessage

GENESIS_HASH = "0" * 64
_LOG_LOCK_KEY = 0x65676F76_78636867  # "egov" "xchg"

HASHED_FIELDS = ("seq", "logged_at", "direction", "kind", "message_id", "in_reply_to", "peer_code", "service",
                 "status", "envelope", "body_sha256", "prev_hash")


def row_values(row: LoggedMessage) -> dict:
    """The hashed values of ``row`` (``logged_at`` as ISO 8601 UTC with microseconds)."""
    values = {name: getattr(row, name) for name in HASHED_FIELDS if name not in ("body_sha256", "logged_at")}
    values["logged_at"] = row.logged_at.astimezone(UTC).isoformat(timespec="microseconds")
    values["body_sha256"] = hashlib.sha256(bytes(row.body)).hexdigest()
    return values


def values_hash(values: dict) -> str:
    """SHA-256 hex of the canonical JSON of a row's hashed values (offline verifiers use this too)."""
    return hashlib.sha256(canonical_json(values)).hexdigest()


def log_append(*, direction: str, kind: str, message_id: str, peer_code: str, service: str, envelope: str,
               body: bytes, status: int = 0, in_reply_to: str = "") -> LoggedMessage:
    """Append one row inside the caller's transaction (which must be atomic) and return it.

    Raises:
        django.db.IntegrityError: a received request with this ``message_id`` is logged already.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOG_LOCK_KEY])
    last = LoggedMessage.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    row = LoggedMessage(seq=seq, logged_at=timezone.now(), direction=direction, kind=kind, message_id=message_id,
                        in_reply_to=in_reply_to, peer_code=peer_code, service=service[:100], status=status,
                        envelope=envelope, body=body, prev_hash=prev_hash)
    row.hash = values_hash(row_values(row))
    row.save(force_insert=True)
    return row


def log_verify() -> int | None:
    """Recompute the chain; return the ``seq`` of the first row that does not fit, or None when intact."""
    expected_prev, expected_seq = GENESIS_HASH, 1
    for row in LoggedMessage.objects.order_by("seq").iterator(chunk_size=2000):
        if row.seq != expected_seq or row.prev_hash != expected_prev or values_hash(row_values(row)) != row.hash:
            return row.seq
        expected_prev, expected_seq = row.hash, row.seq + 1
    return None
