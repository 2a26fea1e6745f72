"""The platform's state as Prometheus metrics, computed from the database at each scrape.

Every metric is a gauge unless said otherwise; names and units follow Prometheus's naming practice
(base units: seconds; days where the operator thinks in days, said in the name).

- ``egov_queue_depth{queue}``: tasks waiting in the broker (not those a worker holds).
- ``egov_broker_up``: 1 when the broker answered the queue-depth question, else 0.
- ``egov_intake_waiting``: online submissions (``services.IntakeRecord``) the intake worker has not
  yet made a case of (受理中); ``egov_intake_oldest_waiting_age_seconds``: seconds since the oldest of
  them arrived, absent when none waits (a worker that stopped shows as this growing);
  ``egov_intake_failed``: submissions that failed and wait for an operator's retry or a new
  application (``/staff/cases/intake/``). The broker's queue does not hold these.
- ``egov_cases_overdue``: running cases (``workflow.ProcessInstance``) whose deadline passed and
  whose clock runs, counted at the scrape (whether or not the hourly task has marked them yet).
- ``egov_cases_nearest_deadline_working_days``: working days (the platform's calendar,
  ``workflow.selectors.working_days_between``) from today to the nearest deadline of a running case
  not yet overdue; 0 on the deadline day; absent when no case has one.
- ``egov_audit_last_anchor_age_seconds``: seconds since the newest anchor of the audit chain
  (``EGOV_AUDIT_ANCHOR_FILE``); absent when there is none. ``egov_audit_anchor_seq``: its seq.
- ``egov_certificate_expiry_days{purpose}``: calendar days (fractional) until the soonest expiry of a
  certificate of that purpose that is valid now and not renewed.
- ``egov_trust_service_up{service}``: 1 when the TSA / OCSP responder has a valid, unrevoked
  certificate (``trust.selectors.service_certificate``), else 0: without one it answers nothing.
- ``egov_exchange_failed_messages_total{direction}`` (counter): refusals and error responses
  (HTTP status 400 or more) in the exchange's message log, sent (``out``) and received (``in``).
  The exchange delivers synchronously and has no delivery queue: these are its failed deliveries.
- ``egov_backup_last_success_timestamp_seconds{repo}`` / ``egov_backup_last_failure_timestamp_seconds{repo}``:
  unix time of the last successful / failed ``egov ops backup`` per pgBackRest repository (``repo1``,
  ``repo2``: the off-site copy), from ``EGOV_BACKUP_STATE_FILE``; absent before the first.
"""

import logging
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from egov.audit.selectors import audit_anchor_last
from egov.core.errors import Conflict
from egov.exchange.models import LoggedMessage
from egov.ops.backup import backup_state
from egov.services.models import IntakeRecord, IntakeState
from egov.trust.models import Certificate
from egov.trust.selectors import service_certificate
from egov.workflow.models import ProcessInstance
from egov.workflow.selectors import working_days_between

logger = logging.getLogger(__name__)

# Seconds the broker has to answer a scrape's queue-depth question.
BROKER_TIMEOUT = 3.0


def queue_depths(*, timeout: float = BROKER_TIMEOUT) -> dict[str, int] | None:
    """Messages waiting in the queue the workers read (``{"celery": n}``; the queue is Celery's
    ``task_default_queue``, ``EGOV_TASK_QUEUE``: egov routes no task elsewhere), or None when the
    broker cannot be reached within ``timeout`` seconds. A passive declare: a queue is never created
    by asking."""
    from egov.celery import app

    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
            channel = connection.default_channel
            depths = {}
            for queue in (app.conf.task_default_queue or "celery",):
                try:
                    depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except Exception:  # noqa: BLE001 (AMQP: 404 NOT_FOUND until a worker declared it)
                    depths[queue] = 0
                    channel = connection.channel()
            return depths
    except Exception as error:  # noqa: BLE001 (any transport's connection error: the broker is down)
        logger.warning("broker unreachable for the queue depth: %s", error)
        return None


class PlatformCollector:
    """A prometheus_client collector (``collect()`` yields metric families) of the metrics above."""

    def collect(self) -> Iterator:
        yield from self._queues()
        yield from self._intake()
        yield from self._cases()
        yield from self._audit()
        yield from self._trust()
        yield from self._exchange()
        yield from self._backups()

    def _queues(self):
        depths = queue_depths()
        up = GaugeMetricFamily("egov_broker_up", "1 when the task broker answered the scrape, else 0.")
        up.add_metric([], 0 if depths is None else 1)
        yield up
        depth = GaugeMetricFamily("egov_queue_depth", "Tasks waiting in the broker's queue.", labels=["queue"])
        for queue, count in (depths or {}).items():
            depth.add_metric([queue], count)
        yield depth

    def _intake(self):
        figures = IntakeRecord.objects.aggregate(
            waiting=Count("pk", filter=Q(state=IntakeState.WAITING)),
            oldest=Min("received_at", filter=Q(state=IntakeState.WAITING)),
            failed=Count("pk", filter=Q(state=IntakeState.FAILED)))
        waiting = GaugeMetricFamily("egov_intake_waiting", "Online submissions waiting to be made cases (受理中).")
        waiting.add_metric([], figures["waiting"])
        yield waiting
        oldest = GaugeMetricFamily("egov_intake_oldest_waiting_age_seconds",
                                   "Seconds since the oldest waiting online submission arrived.")
        if figures["oldest"] is not None:
            oldest.add_metric([], (timezone.now() - figures["oldest"]).total_seconds())
        yield oldest
        failed = GaugeMetricFamily("egov_intake_failed", "Online submissions that failed, waiting for a retry.")
        failed.add_metric([], figures["failed"])
        yield failed

    def _cases(self):
        today = timezone.localdate()
        running = ProcessInstance.objects.filter(status=ProcessInstance.Status.RUNNING, paused_since__isnull=True,
                                                 due_date__isnull=False)
        figures = running.aggregate(overdue=Count("pk", filter=Q(due_date__lt=today)),
                                    nearest=Min("due_date", filter=Q(due_date__gte=today)))
        overdue = GaugeMetricFamily("egov_cases_overdue", "Running cases past their deadline, clock running.")
        overdue.add_metric([], figures["overdue"])
        yield overdue
        nearest = GaugeMetricFamily("egov_cases_nearest_deadline_working_days",
                                    "Working days from today to the nearest deadline of a running case.")
        if figures["nearest"] is not None:
            nearest.add_metric([], working_days_between(start=today, end=figures["nearest"]))
        yield nearest

    def _audit(self):
        anchor = audit_anchor_last(Path(settings.EGOV_AUDIT_ANCHOR_FILE))
        age = GaugeMetricFamily("egov_audit_last_anchor_age_seconds",
                                "Seconds since the newest anchor of the audit chain was written.")
        seq = GaugeMetricFamily("egov_audit_anchor_seq", "The seq of the audit event the newest anchor covers.")
        if anchor is not None:
            age.add_metric([], max(0.0, (timezone.now() - anchor["at"]).total_seconds()))
            seq.add_metric([], anchor["seq"])
        yield age
        yield seq

    def _backups(self):
        state = backup_state(Path(settings.EGOV_BACKUP_STATE_FILE))
        success = GaugeMetricFamily("egov_backup_last_success_timestamp_seconds",
                                    "Unix time of the last successful backup to each repository.", labels=["repo"])
        failure = GaugeMetricFamily("egov_backup_last_failure_timestamp_seconds",
                                    "Unix time of the last failed backup to each repository.", labels=["repo"])
        for repo, entry in sorted(state.items()):
            if isinstance(entry, dict) and "last_success" in entry:
                success.add_metric([repo], float(entry["last_success"]))
            if isinstance(entry, dict) and "last_failure" in entry:
                failure.add_metric([repo], float(entry["last_failure"]))
        yield success
        yield failure

    def _trust(self):
        now = timezone.now()
        expiry = GaugeMetricFamily("egov_certificate_expiry_days",
                                   "Days until the soonest expiry of a valid certificate, by purpose.",
                                   labels=["purpose"])
        soonest = (Certificate.objects.filter(revoked_at__isnull=True, renewals__isnull=True, not_before__lte=now,
                                              not_after__gt=now)
                   .values("purpose").annotate(soonest=Min("not_after")).order_by("purpose"))
        for row in soonest:
            expiry.add_metric([row["purpose"]], (row["soonest"] - now).total_seconds() / 86400)
        yield expiry
        up = GaugeMetricFamily("egov_trust_service_up",
                               "1 when the service has a valid certificate to answer with, else 0.", labels=["service"])
        for service in (Certificate.Purpose.TSA, Certificate.Purpose.OCSP):
            try:
                service_certificate(purpose=service)
                up.add_metric([service], 1)
            except Conflict:
                up.add_metric([service], 0)
        yield up

    def _exchange(self):
        failed = CounterMetricFamily("egov_exchange_failed_messages",
                                     "Refusals and error responses in the exchange's message log.",
                                     labels=["direction"])
        counts = (LoggedMessage.objects
                  .filter(Q(kind=LoggedMessage.Kind.REFUSAL) | Q(kind=LoggedMessage.Kind.RESPONSE, status__gte=400))
                  .aggregate(**{direction: Count("pk", filter=Q(direction=direction))
                                for direction in LoggedMessage.Direction.values}))
        for direction, count in sorted(counts.items()):
            failed.add_metric([direction], count)
        yield failed
