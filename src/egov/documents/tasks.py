"""Celery tasks of documents: named, thin, calling one action."""

from celery import shared_task

from egov.documents.incoming import reminders_send


@shared_task(name="documents.send_reminders")
def send_reminders() -> int:
    """催办: remind the organizations whose deliveries or received documents near their deadline
    (Celery beat, daily); returns how many reminders were sent."""
    return reminders_send()
