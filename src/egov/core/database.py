"""How a database failure is classified: the one place that says whether an exception means the
database connection was lost (a failover, a restart, a refused connection) rather than a fault of
the statement or of the data. Used by the request middleware (503 instead of 500,
``egov.core.middleware``) and by the intake worker (``services.actions.intake``: a record is not
failed for a lost connection)."""

import psycopg
from django.db import InterfaceError, OperationalError

# PostgreSQL, Appendix A "Error Codes": class 08 connection exception; 57P01 admin_shutdown,
# 57P02 crash_shutdown, 57P03 cannot_connect_now (the server is starting or shutting down).
_LOST_CLASS = "08"
_LOST_STATES = frozenset({"57P01", "57P02", "57P03"})


def connection_lost(error: BaseException | None) -> bool:
    """Whether ``error`` (a Django database error, a psycopg error, or an exception caused by one)
    came from losing the database connection: an ``InterfaceError`` (a closed connection), or an
    ``OperationalError`` whose SQLSTATE is of class 08 (connection exception) or 57P01–57P03 (the
    server shut down, crashed or cannot accept connections yet), or that has no SQLSTATE (the client
    lost or could not reach the server: "connection refused", "server closed the connection
    unexpectedly"). Any other error, and ``None``, is not (a lock timeout 55P03 or a read-only
    refusal 25006 is a fault of the statement, not of the connection).

    The first database error in the chain (``__cause__``, then ``__context__``) decides."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (InterfaceError, psycopg.InterfaceError)):
            return True
        if isinstance(error, (OperationalError, psycopg.OperationalError)):
            state = getattr(error, "sqlstate", None) or getattr(error.__cause__, "sqlstate", None)
            return state is None or state.startswith(_LOST_CLASS) or state in _LOST_STATES
        if isinstance(error, psycopg.Error) or type(error).__module__ == "django.db.utils":
            return False
        error = error.__cause__ or error.__context__
    return False
