"""Celery tasks of documents: named, thin, calling one action."""

from celery import shared_task

from egov.documents.incoming import reminders_send
from egov.documents.supervision import supervision_reminders_send


@shared_task(name="documents.send_reminders")
def send_reminders() -> int:
    """催办: remind the organizations whose deliveries or received documents near their deadline
    (Celery beat, daily); returns how many reminders were sent."""
    return reminders_send()


@shared_task(name="documents.send_supervision_reminders")
def send_supervision_reminders() -> dict:
    """督查督办 催办: remind the owners of supervision items near or past their deadline and flag the
    overdue ones (Celery beat, daily); returns the item ids reminded and flagged."""
    run = supervision_reminders_send()
    return {"due_soon": run.due_soon, "overdue": run.overdue, "flagged": run.flagged}
