"""Celery tasks of the shared facilities: named, thin, calling one function."""

from celery import shared_task

from egov.facilities.emailing import notification_email_send
from egov.facilities.files import incoming_sweep


@shared_task(name="facilities.notification_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email(notification_id: int) -> bool:
    """E-mail one notification (sent after the transaction that created it commits); retried on
    connection errors with back-off."""
    return notification_email_send(notification_id=notification_id)


@shared_task(name="facilities.incoming_sweep")
def sweep_incoming() -> int:
    """Remove temporary upload files a killed process left, a day old or more (Celery beat, daily)."""
    return incoming_sweep()
