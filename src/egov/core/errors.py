"""The one error family of egov (STYLE.md "Errors").

Actions raise these; the API maps them once to HTTP 4xx JSON ``{"message": ..., "extra": {...}}``
(``egov.api``) and views map them once to form errors (``egov.core.forms``).
"""

from typing import Any


class ApplicationError(Exception):
    """A request that cannot be carried out as asked.

    Args:
        message: one sentence for the person who asked, already translated (gettext).
        extra: machine-readable details, e.g. ``{"field": "id_number", "rule": "check_character"}``.

    ``status`` is the HTTP status the API answers with (400 unless a subclass says otherwise).
    """

    status = 400

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.extra = extra or {}

    def as_json(self) -> dict[str, Any]:
        """Return the API's error shape ``{"message": str, "extra": dict}``."""
        return {"message": self.message, "extra": self.extra}


class ValidationFailed(ApplicationError):
    """Input broke a rule; ``extra["field"]`` names the field and ``extra["rule"]`` the rule."""

    status = 400


class PermissionDenied(ApplicationError):
    """The actor holds no role that allows this action on this object (deny by default)."""

    status = 403


class NotFound(ApplicationError):
    """The object does not exist or the actor may not know that it exists (both answer 404)."""

    status = 404


class Conflict(ApplicationError):
    """The object is in a state that does not allow the move (e.g. an illegal state transition)."""

    status = 409


class TooManyRequests(ApplicationError):
    """Too many requests of this kind from this client (or overall) for now: answered 429 with a
    ``Retry-After`` header of ``retry_after`` seconds (RFC 6585 section 4; RFC 9110 section 10.2.3).
    ``extra = {"rule": "rate_limit", "retry_after": seconds}``."""

    status = 429

    def __init__(self, message: str, *, retry_after: int, extra: dict[str, Any] | None = None):
        super().__init__(message, extra={"rule": "rate_limit", "retry_after": retry_after, **(extra or {})})
        self.retry_after = retry_after


class UnsupportedMediaType(ApplicationError):
    """The request body is not in the media type the operation reads (415, RFC 9110 section 15.5.16)."""

    status = 415
