"""Reads answered from Django's cache (``CACHES["default"]``) and never stale: each entry carries the
stamp of its scope, and a change to what the scope covers drops the stamp after the change commits.

A scope is one thing that changes as a whole (one case). ``scope_read`` reads the scope's stamp and
the entry in one round trip (``get_many``) and answers from the entry only when the entry was built
under the current stamp; otherwise it builds the value from the database and stores it under the
stamp it read *before* building. ``scope_changed`` deletes the stamp once the writer's transaction
has committed, so the next reader draws a new random stamp and every older entry of the scope stops
matching, in every process that shares the cache:

- a reader that read the stamp before the commit and the database before it too stores the old value
  under the old stamp, which nobody reads again;
- a reader that draws a stamp after the delete reads the database after the commit.

This needs a cache that all processes share (Redis, or the file cache on one machine; see
``settings.CACHES``); a per-process local-memory cache would keep serving another process's old
entries. When the cache cannot be reached the value is built from the database every time.

Keys are ``egov:<kind>:<HMAC-SHA256 of the parts under SECRET_KEY>``: whatever identifies the entry
(a tracking number, a query code) never appears in a key that another tenant of the cache can list.
"""

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long an entry and a stamp live (seconds): a bound on staleness of what no scope covers (an
# item's or an organization's name shown beside the case) and on the memory a scope's stamp holds.
ENTRY_SECONDS = 600


def cache_key(kind: str, *parts: str) -> str:
    """``egov:<kind>:<40 hex digits>``, the digits an HMAC-SHA256 of ``parts`` under ``SECRET_KEY``:
    the parts (secrets or personal data) cannot be read back from the key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), "\x1f".join((kind, *parts)).encode(), hashlib.sha256)
    return f"egov:{kind}:{digest.hexdigest()[:40]}"


def scope_read(*, scope: str, key: str, build: Callable[[], T], seconds: int = ENTRY_SECONDS) -> T:
    """The value stored at ``key`` if it was built under ``scope``'s current stamp, else ``build()``
    (then stored for ``seconds``). An exception of ``build`` propagates and nothing is stored, so a
    failed lookup (an unknown case, a wrong code) is never cached.

    Args:
        scope: the stamp's key (``cache_key``), one per thing that changes as a whole.
        key: the entry's key (``cache_key``); several entries may share a scope (languages, codes).
        build: reads the value from the database; its result must pickle and hold no personal data.
    """
    cache = caches["default"]
    try:
        found = cache.get_many([scope, key])
        stamp = found.get(scope)
        if stamp is None:
            stamp = secrets.token_hex(8)
            if not cache.add(scope, stamp, seconds):
                stamp = cache.get(scope)  # another process drew it first
        entry = found.get(key)
    except Exception:  # noqa: BLE001 — the cache is an optimization: the database answers without it
        log.warning("cache unreachable; %s read from the database", scope.split(":")[1], exc_info=True)
        return build()
    if stamp is not None and entry is not None and entry[0] == stamp:
        return entry[1]
    value = build()
    if stamp is not None:
        try:
            cache.set(key, (stamp, value), seconds)
        except Exception:  # noqa: BLE001
            log.warning("cache unreachable; entry not stored", exc_info=True)
    return value


def scope_changed(scope: str) -> None:
    """Drop ``scope``'s stamp after the current transaction commits (at once outside one): every
    entry built under it stops being served. Call it in the write that changes what the scope covers."""

    def drop() -> None:
        try:
            caches["default"].delete(scope)
        except Exception:  # noqa: BLE001 — entries then live out their ENTRY_SECONDS
            log.error("cache unreachable; stamp %s not dropped", scope, exc_info=True)

    transaction.on_commit(drop)
