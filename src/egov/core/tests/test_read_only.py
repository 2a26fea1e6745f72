"""The platform against a read-only database answers reads and refuses writes with 503, not 500
(issue 22 "Bad input and faults"; docs/operations.md "Read-only")."""

import json
import logging

import psycopg
import pytest
from django.db import connection
from django.test import RequestFactory

from egov.core.middleware import READ_ONLY_RETRY_AFTER, is_read_only_error, server_error

ROLE = "egov_read_only_test"


@pytest.fixture
def read_only_connection(reference_data):
    """Reconnect Django's connection as a LOGIN role with ``default_transaction_read_only = on``
    (PostgreSQL applies a role's settings at login, as on a hot standby every transaction is
    read-only), SELECT on every table; the owner's connection comes back afterwards. The reference
    data (GB/T 2260 divisions) is loaded first: registration checks the ID number's place code."""
    if connection.vendor != "postgresql":
        pytest.skip("read-only roles are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}" if _role_exists(cursor) else "SELECT 1")
        cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cursor.execute(f"CREATE ROLE {ROLE} LOGIN")
        cursor.execute(f"ALTER ROLE {ROLE} SET default_transaction_read_only = on")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
        cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {ROLE}")
    owner = connection.settings_dict["USER"]
    connection.close()
    connection.settings_dict["USER"] = ROLE
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW default_transaction_read_only")
            assert cursor.fetchone()[0] == "on"
        yield
    finally:
        connection.close()
        connection.settings_dict["USER"] = owner
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {ROLE}")
            cursor.execute(f"DROP ROLE {ROLE}")


def _role_exists(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE])
    return cursor.fetchone() is not None


def test_reads_answer_and_an_api_write_gets_503_json_with_retry_after(read_only_connection, client):
    assert client.get("/health").status_code == 200
    assert client.get("/api/v1/services/items").status_code == 200

    response = client.post("/api/v1/accounts/natural-persons", content_type="application/json",
                           data={"id_number": "11010519491231002X", "name": "张三", "password": "a long passphrase 42"})

    assert response.status_code == 503
    assert response["Retry-After"] == str(READ_ONLY_RETRY_AFTER)
    body = json.loads(response.content)
    assert body["extra"] == {"read_only": True}
    assert "read-only" in body["message"] or "只读" in body["message"]


def test_readiness_says_the_database_is_read_only(read_only_connection, client):
    # It answers reads, so it stays ready; a load balancer that must send writes elsewhere reads this.
    assert client.get("/health/ready").json()["read_only"] is True


def test_a_page_write_gets_the_503_page_in_chinese(read_only_connection, client):
    response = client.post("/accounts/register/person/", {"id_number": "11010519491231002X", "name": "张三",
                                                   "password": "a long passphrase 42"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 503, response.content.decode()[-3000:]
    assert response["Retry-After"] == str(READ_ONLY_RETRY_AFTER)
    page = response.content.decode()
    assert "维护中" in page and "只读" in page
    assert "govuk-warning-text" in page


def test_a_refused_write_is_logged_once_as_a_warning_not_as_a_server_error(read_only_connection, client, caplog):
    # Found looking at the logs: each refusal was also logged by django.request at ERROR with a
    # traceback ("Service Unavailable: /accounts/register/person/"), paging the operator for a
    # maintenance window that the platform handles as designed.
    caplog.set_level(logging.WARNING)
    person = {"id_number": "11010519491231002X", "name": "张三", "password": "a long passphrase 42"}
    for path, kind in (("/accounts/register/person/", None), ("/api/v1/accounts/natural-persons", "application/json")):
        caplog.clear()
        response = (client.post(path, person, content_type=kind) if kind else client.post(path, person))
        assert response.status_code == 503
        assert [(r.name, r.levelname) for r in caplog.records] == [("egov.database", "WARNING")]
        assert caplog.records[0].getMessage() == f"database read-only: POST {path} answered 503"


def test_the_500_handler_answers_503_for_a_read_only_refusal_and_500_otherwise():
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "en"
    try:
        raise psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction")
    except psycopg.Error:
        assert server_error(request).status_code == 503
    try:
        raise ValueError("something else")
    except ValueError:
        assert server_error(request).status_code == 500


def test_only_sqlstate_25006_counts_as_read_only():
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = psycopg.errors.ReadOnlySqlTransaction("read-only")
    assert is_read_only_error(wrapped)
    assert not is_read_only_error(psycopg.errors.UniqueViolation("duplicate"))
    assert not is_read_only_error(None)
