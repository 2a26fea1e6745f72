"""/metrics, /health/live, /health/ready and the JSON log lines (issue 22 item 4)."""

import datetime
import json
import logging
import re

import pytest
from django.utils import timezone

from egov.core.context import request_scope
from egov.core.logs import JsonFormatter


def _sample(text: str, name: str, **labels) -> float | None:
    """The value of one sample of the exposition ``text`` (labels in any order), or None."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match[2] or ""))
        if found == {key: str(value) for key, value in labels.items()}:
            return float(match[3])
    return None


def test_liveness_answers_without_the_database(client):
    response = client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_readiness_checks_the_database_the_migrations_and_the_broker(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "read_only": False,
                               "checks": {"database": "ok", "migrations": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readiness_is_503_when_the_broker_is_unreachable(client):
    from egov.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens on port 1
    try:
        response = client.get("/health/ready")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unreachable" and response.json()["status"] == "not ready"


@pytest.mark.django_db
def test_metrics_refuse_an_address_outside_the_allowed_networks_unless_it_holds_the_token(client, settings):
    settings.EGOV_METRICS_TOKEN = "t" * 40
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    refused = client.get("/metrics", **outside)
    assert refused.status_code == 403 and "EGOV_METRICS_ALLOWED_NETWORKS" in refused.json()["detail"]
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "x" * 40, **outside).status_code == 403
    allowed = client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "t" * 40, **outside)
    assert allowed.status_code == 200 and allowed["Content-Type"].startswith("text/plain; version=0.0.4")


@pytest.mark.django_db
def test_metrics_are_not_served_by_the_public_site(client, settings):
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve("/metrics", urlconf="egov.urls_public")
    assert resolve("/metrics", urlconf="egov.urls_staff").url_name == "metrics"


@pytest.mark.django_db
def test_requests_are_counted_by_route_name_never_by_path(client):
    before = _sample(client.get("/metrics").text, "egov_http_requests_total",
                     method="GET", route="health_live", status="2xx") or 0
    for _ in range(3):
        client.get("/health/live")
    # Under /staff/ (Wagtail's pages answer any other path ending in "/", and a path without one is
    # redirected to it): a path no pattern matches.
    client.get("/staff/no/such/page/12345/")
    text = client.get("/metrics").text
    assert _sample(text, "egov_http_requests_total", method="GET", route="health_live", status="2xx") == before + 3
    assert _sample(text, "egov_http_requests_total", method="GET", route="<unmatched>", status="4xx") >= 1
    assert "/no/such/page" not in text and "12345" not in text
    assert _sample(text, "egov_http_request_duration_seconds_count", method="GET", route="health_live") >= 3


@pytest.mark.django_db
def test_platform_metrics_from_hand_made_state(client, settings, tmp_path, department):
    from egov.trust.actions import ca_init
    from egov.trust.models import Certificate
    from egov.workflow.models import ProcessDefinition, ProcessInstance

    # The audit chain's newest anchor was written 120 s ago (the file's last line counts).
    anchors = tmp_path / "anchors.jsonl"
    old = (timezone.now() - datetime.timedelta(hours=5)).isoformat(timespec="seconds")
    recent = (timezone.now() - datetime.timedelta(seconds=120)).isoformat(timespec="seconds")
    anchors.write_text(json.dumps({"seq": 7, "hash": "a" * 64, "at": old}) + "\n"
                       + json.dumps({"seq": 9, "hash": "b" * 64, "at": recent}) + "\n")
    settings.EGOV_AUDIT_ANCHOR_FILE = str(anchors)

    # Two running cases past their deadline (one with its clock stopped: not counted), one due today.
    definition = ProcessDefinition.objects.create(key="k", version=1, name="n", bpmn_xml="<x/>", checksum="0" * 64)
    today = timezone.localdate()
    for due, paused in [(today - datetime.timedelta(days=3), None), (today - datetime.timedelta(days=1), None),
                        (today - datetime.timedelta(days=1), today), (today, None)]:
        ProcessInstance.objects.create(definition=definition, subject_type_id=1, subject_id="1", owner=department,
                                       state="{}", due_date=due, paused_since=paused)

    # The TSA's certificate expires in 10 days; the OCSP responder's is revoked: it answers nothing.
    ca_init(actor=None)
    now = timezone.now()
    Certificate.objects.filter(purpose="tsa").update(not_after=now + datetime.timedelta(days=10))
    Certificate.objects.filter(purpose="ocsp").update(revoked_at=now)

    text = client.get("/metrics").text
    assert _sample(text, "egov_audit_anchor_seq") == 9
    assert 120 <= _sample(text, "egov_audit_last_anchor_age_seconds") < 180
    assert _sample(text, "egov_cases_overdue") == 2
    assert _sample(text, "egov_cases_nearest_deadline_working_days") == 0  # due today: 0 (workdays)
    assert 9.99 < _sample(text, "egov_certificate_expiry_days", purpose="tsa") <= 10
    assert _sample(text, "egov_certificate_expiry_days", purpose="ocsp") is None
    assert _sample(text, "egov_trust_service_up", service="tsa") == 1
    assert _sample(text, "egov_trust_service_up", service="ocsp") == 0
    assert _sample(text, "egov_exchange_failed_messages_total", direction="in") == 0
    assert _sample(text, "egov_broker_up") in (0, 1)


def test_a_log_record_is_one_json_line_with_the_request_id():
    record = logging.LogRecord("egov.test", logging.WARNING, __file__, 1, "申请 %s 已超期\n第二行", ("A-1",), None)
    record.created = 1767225600.25  # 2026-01-01 00:00:00.250 UTC
    with request_scope(request_id="req-0001-abcdef"):
        line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) == {"time": "2026-01-01T00:00:00.250Z", "level": "WARNING", "logger": "egov.test",
                                "message": "申请 A-1 已超期\n第二行", "request_id": "req-0001-abcdef"}


@pytest.mark.django_db
def test_queue_depth_counts_the_queue_the_workers_read_from_egov_task_queue(client, tmp_path):
    """A deployment on its own queue (``EGOV_TASK_QUEUE``, e.g. the one-machine layout's) is
    measured on that queue: two tasks waiting there are ``egov_queue_depth{queue=…} 2``. Before,
    the collector asked only for "celery", reported 0 for it and never saw the backlog (tester22)."""
    from kombu import Connection

    from egov.celery import app

    broker = f"egovsqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    previous = app.conf.broker_url, app.conf.task_default_queue
    app.conf.broker_url, app.conf.task_default_queue = broker, "egov-city-a"
    try:
        with Connection(broker) as connection:
            queue = connection.SimpleQueue("egov-city-a")
            queue.put({"task": 1})
            queue.put({"task": 2})
            queue.close()
        text = client.get("/metrics").text
    finally:
        app.conf.broker_url, app.conf.task_default_queue = previous
    assert _sample(text, "egov_broker_up") == 1
    assert _sample(text, "egov_queue_depth", queue="egov-city-a") == 2
    assert _sample(text, "egov_queue_depth", queue="celery") is None
