"""Celery tasks of services: named, thin, calling one action."""

from celery import shared_task

from egov.services.notifying import notification_email_send
from egov.services.processing import applications_mark_overdue
from egov.services.storage import incoming_sweep


@shared_task(name="services.mark_overdue")
def mark_overdue() -> int:
    """Mark the accepted cases whose deadline passed (run by Celery beat, hourly); returns how many."""
    return applications_mark_overdue()


@shared_task(name="services.notification_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email(notification_id: int) -> bool:
    """E-mail one notification (sent after the transaction that created it commits); retried on
    connection errors with back-off."""
    return notification_email_send(notification_id=notification_id)


@shared_task(name="services.incoming_sweep")
def sweep_incoming() -> int:
    """Remove temporary upload files a killed process left, a day old or more (Celery beat, daily)."""
    return incoming_sweep()
