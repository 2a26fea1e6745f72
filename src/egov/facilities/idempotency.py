"""Idempotent submissions: a client sends a key with a submission; the same key again is the same
submission (a double click, a reload, a retried API call) and gets the first object back; the same key
with another body is refused with 409 naming the first object, never answered as if it were new.

The owner model holds ``idempotency_key`` (unique per submitter) and ``request_digest`` (the body's
digest, ``body_digest``) and a ``number`` naming the object to people; the owner app serializes
submissions per submitter (a row lock) around ``submitted_before`` and its create.
"""

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from egov.core.errors import Conflict, ValidationFailed

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def idempotency_key_check(key: str | None) -> str:
    """The key without surrounding spaces: 8–64 letters, digits, ``-`` or ``_``, chosen by the client.

    The key is required: the API takes it from the ``Idempotency-Key`` header or the body's
    ``idempotency_key`` field, the pages from their form's hidden field (always filled).

    Raises:
        ValidationFailed: no key: ``extra = {"field": "idempotency_key", "rule": "required",
            "header": "Idempotency-Key"}``, the message naming the header; a malformed one:
            ``extra = {"field": "idempotency_key", "rule": "format"}``.
    """
    key = (key or "").strip()
    if not key:
        raise ValidationFailed(
            _("An idempotency key is required: send the Idempotency-Key header (or the idempotency_key field) "
              "with 8 to 64 letters, digits, - or _, new for each submission and the same when it is retried."),
            extra={"field": "idempotency_key", "rule": "required", "header": "Idempotency-Key"})
    if not KEY_PATTERN.match(key):
        raise ValidationFailed(_("The idempotency key is 8 to 64 letters, digits, - or _."),
                               extra={"field": "idempotency_key", "rule": "format"})
    return key


def body_digest(body: dict[str, Any]) -> str:
    """SHA-256 (64 hex digits) of what a submission asks, as JSON with sorted keys (values JSON cannot
    express, such as dates, as their text). The form is fixed: stored digests are compared with it."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def submitted_before(*, queryset: QuerySet, key: str, digest: str, other_body_message: str,
                     check: Callable[[Model], None] | None = None) -> Model | None:
    """The object submitted before with ``key`` among ``queryset`` (the submitter's), or None.

    Args:
        queryset: the submitter's objects of the owner model, whose ``idempotency_key`` is unique
            among them.
        key, digest: as checked and computed by ``idempotency_key_check`` and ``body_digest``.
        other_body_message: the translated message for a replay with another body, with
            ``%(number)s`` for the first object's number.
        check: more to refuse before the body is compared (the service hall refuses a key used for
            another service item); raises its own error.

    Raises:
        Conflict: the key came with another body: ``extra = {"field": "idempotency_key", "rule":
            "idempotency_key_content", "number": <the first object's number>}``.
    """
    # The key is unique per submitter (each owner model's constraint), so at most one row: no
    # ORDER BY (``first()`` would add one, and Django's compiler then hashes every selected column).
    existing = next(iter(queryset.filter(idempotency_key=key).order_by()[:1]), None)
    if existing is None:
        return None
    if check is not None:
        check(existing)
    if existing.request_digest and existing.request_digest != digest:
        raise Conflict(other_body_message % {"number": existing.number},
                       extra={"field": "idempotency_key", "rule": "idempotency_key_content",
                              "number": existing.number})
    return existing
