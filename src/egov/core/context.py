"""Per-request facts that the audit log records: client address and request id.

The middleware (``egov.core.middleware.RequestContextMiddleware``) sets them for each HTTP request;
commands and Celery tasks run with the defaults (no address, a fresh id per ``request_scope``).
"""

import contextlib
import contextvars
import uuid
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    """``client_ip``: the caller's address as text, or "" when there is none (CLI, tasks).
    ``request_id``: 32 hex characters identifying one request or one command run."""

    client_ip: str = ""
    request_id: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "egov_request_context", default=RequestContext()  # noqa: B039 (frozen dataclass: immutable)
)


def current() -> RequestContext:
    """Return the context of the request being served (or the empty default)."""
    return _current.get()


@contextlib.contextmanager
def request_scope(*, client_ip: str = "", request_id: str = "") -> Iterator[RequestContext]:
    """Run a block with the given client address and request id (a new id when none is given)."""
    ctx = RequestContext(client_ip=client_ip, request_id=request_id or uuid.uuid4().hex)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
