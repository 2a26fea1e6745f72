"""The timestamp of the audit log's anchors: a port that the composition root fills (``egov.wiring``
sets the platform TSA of ``trust``, which sits above audit and may not be imported here).

An anchor (``actions.audit_anchor_write``) carries an RFC 3161 token over the chain head's hash, so
that a copy of the anchor file proves when the head was what it says, and ``egov audit verify``
checks the token (``selectors.audit_chain_verify``).
"""

import os
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


def last_line(handle) -> str:
    """The last non-empty line of the anchor file open in binary mode (read from its end: the file grows by one line
    a minute while the platform is busy)."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    block = b""
    position = end
    while position > 0:
        step = min(4096, position)
        position -= step
        handle.seek(position)
        block = handle.read(step) + block
        lines = block.rstrip(b"\n").split(b"\n")
        if len(lines) > 1 or position == 0:
            return lines[-1].decode("utf-8")
    return ""
