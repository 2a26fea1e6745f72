"""The timestamp of the audit log's anchors: a port that the composition root fills (``egov.wiring``
sets the platform TSA of ``trust``, which sits above audit and may not be imported here).

An anchor (``actions.audit_anchor_write``) carries an RFC 3161 token over the chain head's hash, so
that a copy of the anchor file proves when the head was what it says, and ``egov audit verify``
checks the token (``selectors.audit_chain_verify``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Timestamper:
    """``stamp(digest)`` returns a DER ``TimeStampToken`` over a SHA-256 digest (32 bytes), raising
    when the TSA cannot answer (no CA yet); ``check(token, digest)`` returns the token's time, raising
    ``ValueError`` naming what is wrong."""

    stamp: Callable[[bytes], bytes]
    check: Callable[[bytes, bytes], datetime]


_timestamper: Timestamper | None = None


def timestamper_set(timestamper: Timestamper | None) -> None:
    """Set (or, with None, remove) the timestamper of the anchors; called once by ``egov.wiring.wire``."""
    global _timestamper
    _timestamper = timestamper


def timestamper() -> Timestamper | None:
    """The timestamper set by the wiring, or None (anchors are then written without a token)."""
    return _timestamper
