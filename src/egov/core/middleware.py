import logging
import re
import uuid

from django.utils.log import log_response
from prometheus_client import Counter

from egov.core.clients import client_address
from egov.core.context import request_scope
from egov.core.database import connection_lost

logger = logging.getLogger("egov.database")

# Requests answered 503 because the database could not be reached (a failover, a restart): an alert
# can watch its rate (deploy/prometheus/alerts.yml).
DATABASE_UNAVAILABLE = Counter("egov_database_unavailable", "Requests answered 503 because the database "
                               "connection was lost or refused.")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Bind the client address (``egov.core.clients.client_address``: through the trusted proxies)
    and a request id to the request for the audit log.

    A well-formed ``X-Request-ID`` from the load balancer is kept so that its logs and ours join;
    anything else is replaced. The id is echoed in the ``X-Request-ID`` response header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        with request_scope(client_ip=client_address(request), request_id=request_id):
            request.request_id = request_id
            response = self.get_response(request)
            if response.status_code >= 400:
                # Django's handler logs a 4xx/5xx answer ("Not Found: /path") only after the
                # middleware has returned, out of this scope: logged here, the line carries the
                # request id (``log_response`` marks the response, so it is not logged twice).
                log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        response["X-Request-ID"] = request_id
        return response


# SQLSTATE 25006 read_only_sql_transaction (PostgreSQL, Appendix A "Error Codes"): a write on a hot
# standby or in a transaction (or under a role) with default_transaction_read_only = on.
READ_ONLY_SQLSTATE = "25006"
# Seconds a client is asked to wait before retrying a write refused as read-only (RFC 9110 §10.2.3):
# about the time a Patroni failover or the end of a maintenance window takes.
READ_ONLY_RETRY_AFTER = 30
# Seconds a client is asked to wait after the database connection was lost or refused: a Patroni
# failover promotes a replica within seconds, and each request connects afresh.
UNAVAILABLE_RETRY_AFTER = 5


def is_read_only_error(error: BaseException | None) -> bool:
    """True when ``error`` (a Django database error, or what caused it) is PostgreSQL's
    ``read_only_sql_transaction`` (SQLSTATE 25006): the platform runs against a read-only database."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if getattr(error, "sqlstate", None) == READ_ONLY_SQLSTATE:
            return True
        error = error.__cause__ or error.__context__
    return False


def logged_once(response):
    """Mark a 503 that its maker has logged at WARNING (the database's or the broker's state, not a
    fault of the platform's: this module's refusals, ``/health/ready``) so that ``django.request``
    does not log it again at ERROR, with a traceback, for an operator to be woken by
    (``django.utils.log.log_response`` skips a response marked so). Returns ``response``."""
    response._has_been_logged = True
    return response


def read_only_response(request):
    """The answer to a write refused by a read-only database: 503 with ``Retry-After``, JSON
    ``{"message", "extra": {"read_only": true}}`` for the API (``/api/`` or a JSON ``Accept``), else
    the page ``read_only.html`` (维护中/只读). Logged once (``egov.database``, WARNING), not as a
    server error."""
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext

    logger.warning("database read-only: %s %s answered 503", request.method, request.path,
                   extra={"path": request.path, "error": "read_only"})
    message = gettext("The service is under maintenance and read-only: you can look things up, but nothing "
                      "can be saved now. Please try again in a few minutes.")
    wants_json = "/api/" in request.path or "application/json" in request.headers.get("Accept", "")
    if wants_json:
        response = JsonResponse({"message": message, "extra": {"read_only": True}}, status=503)
    else:
        response = render(request, "read_only.html", {"message": message}, status=503)
    response["Retry-After"] = str(READ_ONLY_RETRY_AFTER)
    return logged_once(response)


def unavailable_response(request, error: BaseException | None = None):
    """The answer to a request that lost (or could not open) its database connection
    (``egov.core.database.connection_lost``): 503 with ``Retry-After: 5`` (RFC 9110 §15.6.4,
    §10.2.3), JSON ``{"message", "extra": {"retry": true}}`` for the API (``/api/`` or a JSON
    ``Accept``), else the page ``unavailable.html`` (服务暂时不可用). Counted
    (``egov_database_unavailable_total``) and logged once (``egov.database``, WARNING), not as a
    server error.

    The page is rendered without the context processors: they read the session and the user, which
    would need the database that is gone."""
    from django.http import HttpResponse, JsonResponse
    from django.middleware.csrf import get_token
    from django.template.loader import get_template
    from django.utils.translation import gettext

    from egov.core.context_processors import site

    DATABASE_UNAVAILABLE.inc()
    logger.warning("database unavailable: %s %s answered 503 (%s)", request.method, request.path,
                   type(error).__name__ if error is not None else "unknown",
                   extra={"path": request.path, "error": type(error).__name__ if error is not None else None})
    message = gettext("The service is temporarily unavailable. Please try again in a few seconds.")
    wants_json = "/api/" in request.path or "application/json" in request.headers.get("Accept", "")
    if wants_json:
        response = JsonResponse({"message": message, "extra": {"retry": True}}, status=503)
    else:
        context = {**site(request), "message": message, "request": request, "csrf_token": get_token(request)}
        response = HttpResponse(get_template("unavailable.html").render(context), status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    return logged_once(response)


class ReadOnlyDatabaseMiddleware:
    """Answer a write that the database refuses as read-only (a hot standby, or a role with
    ``default_transaction_read_only = on``: SQLSTATE 25006) with 503 and ``Retry-After`` instead of
    a 500, so that the platform started against a replica serves reads and says clearly that writes
    wait (docs/operations.md "Read-only"). Reads go on as usual; a read that is audited (personal
    data) writes its audit event and so is refused the same way.

    Views' exceptions come to ``process_exception``; a write refused in a middleware's own phase (a
    session saved at sign-in) has been turned into a 500 by Django's handler before it could reach a
    middleware, so the URLconfs' ``handler500`` (``server_error``) answers it the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        """Return the 503 answer for a read-only refusal or a lost database connection raised by a
        view; None for anything else."""
        if is_read_only_error(exception):
            return read_only_response(request)
        if connection_lost(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request):
    """The URLconfs' ``handler500``: 503 for a write refused by a read-only database or for a lost
    database connection (the exception being handled, ``sys.exc_info()``), else Django's own 500
    page (``500.html``)."""
    import sys

    from django.views.defaults import server_error as django_server_error

    error = sys.exc_info()[1]
    if is_read_only_error(error):
        return read_only_response(request)
    if connection_lost(error):
        return unavailable_response(request, error)
    return django_server_error(request)
