"""The hash chain of the audit log."""

import hashlib
from datetime import UTC

from egov.core.canonical import canonical_json

GENESIS_HASH = "0" * 64

# The fields covered by the hash, in the order they are documented (the canonical JSON sorts them).
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "organization_id",
    "organization_label",
    "action",
    "object_type",
    "object_id",
    "summary",
    "changes",
    "client_ip",
    "request_id",
    "prev_hash",
)


def event_hash(event) -> str:
    """Return the SHA-256 hex digest of ``event``'s hashed fields as canonical JSON.

    ``occurred_at`` enters as ISO 8601 in UTC with microseconds (``2026-11-29T23:59:59.123456+00:00``),
    the form both PostgreSQL and SQLite give back unchanged.
    """
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["occurred_at"] = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    return hashlib.sha256(canonical_json(values)).hexdigest()
