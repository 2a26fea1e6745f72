"""A request that loses (or cannot open) its database connection answers 503 with ``Retry-After``,
not a 500 page: the failover drill (issue 22, deploy/local/failover_drill.py) saw 500s while the
primary was gone."""

import json
import logging
import socket

import psycopg
import pytest
from django.db import connection
from django.test import RequestFactory

from egov.core.database import connection_lost
from egov.core.middleware import UNAVAILABLE_RETRY_AFTER, server_error


def _closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def lost_database():
    """The server ends Django's session (``pg_terminate_backend`` from a second connection: SQLSTATE
    57P01 on the next statement) and the server's address becomes a closed port, so that reconnecting
    is refused, as while a failover has not yet promoted a replica. The address comes back after."""
    if connection.vendor != "postgresql":
        pytest.skip("the failover is PostgreSQL's")
    settings = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = {"host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432,
              "user": settings["USER"], "dbname": settings["NAME"]}
    if settings["PASSWORD"]:
        params["password"] = settings["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0] is True
    host, port = settings["HOST"], settings["PORT"]
    settings["HOST"], settings["PORT"] = "127.0.0.1", _closed_port()
    try:
        yield
    finally:
        settings["HOST"], settings["PORT"] = host, port
        connection.close()


def test_the_api_answers_503_json_with_retry_after_while_the_database_is_gone(db, lost_database, client):
    response = client.get("/api/v1/services/items")

    assert response.status_code == 503
    assert response["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER) == "5"
    body = json.loads(response.content)
    assert body["extra"] == {"retry": True}
    assert body["message"] == "服务暂时不可用，请几秒钟后再试。"  # Chinese by default


def test_a_lost_connection_is_logged_once_as_a_warning_not_as_a_server_error(db, lost_database, client, caplog):
    # django.request logged each of these 503s again at ERROR: a failover paged the operator once
    # per request it handled as designed.
    caplog.set_level(logging.WARNING)
    assert client.get("/api/v1/services/items").status_code == 503
    assert [(r.name, r.levelname) for r in caplog.records] == [("egov.database", "WARNING")]


def test_readiness_while_the_database_is_gone_is_logged_once_as_a_warning_not_as_a_server_error(
        db, lost_database, client, caplog):
    # Found by testerB on a server whose database was gone: every probe of /health/ready (a load
    # balancer's, every few seconds) was logged by django.request at ERROR ("Service Unavailable:
    # /health/ready"), the alert on ERROR lines that the 503s above no longer set off.
    caplog.set_level(logging.WARNING)
    response = client.get("/health/ready")
    assert response.status_code == 503 and response.json()["read_only"] is None
    assert [(r.name, r.levelname) for r in caplog.records] == [("egov.monitoring.views", "WARNING")]
    assert caplog.records[0].getMessage() == (
        "not ready: GET /health/ready answered 503 (database: unreachable: OperationalError, "
        "migrations: unknown, broker: ok)")


def test_a_page_answers_the_503_page_in_chinese_then_in_english(db, lost_database, client):
    # The first request meets the terminated session (57P01), the second a refused connection (no SQLSTATE).
    response = client.get("/services/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "服务暂时不可用" in page and "请几秒钟后再试" in page
    assert "govuk-warning-text" in page

    response = client.get("/services/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "Service temporarily unavailable" in response.content.decode()


def test_the_500_handler_answers_503_for_a_refused_connection_and_500_otherwise():
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "en"
    try:
        raise psycopg.OperationalError("connection failed: Connection refused")
    except psycopg.Error:
        response = server_error(request)
        assert response.status_code == 503 and response["Retry-After"] == "5"
    try:
        raise psycopg.errors.LockNotAvailable("could not obtain lock")
    except psycopg.Error:
        assert server_error(request).status_code == 500


def test_what_counts_as_a_lost_connection():
    from django.db import InterfaceError, OperationalError

    def wrapped(cause):  # as Django raises it: its own class, psycopg's error as the cause
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error

    assert connection_lost(InterfaceError("connection already closed"))
    assert connection_lost(wrapped(psycopg.OperationalError("server closed the connection unexpectedly")))
    assert connection_lost(wrapped(psycopg.errors.AdminShutdown("terminating connection")))  # 57P01
    assert connection_lost(wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")))  # 57P03
    assert connection_lost(psycopg.errors.ConnectionFailure("08006"))
    assert not connection_lost(wrapped(psycopg.errors.LockNotAvailable("55P03")))
    assert not connection_lost(wrapped(psycopg.errors.ReadOnlySqlTransaction("25006")))
    assert not connection_lost(psycopg.errors.UniqueViolation("23505"))
    assert not connection_lost(ValueError("not a database error"))
    assert not connection_lost(None)
