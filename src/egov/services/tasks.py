"""Celery tasks of services: named, thin, calling one action."""

from celery import shared_task

from egov.services.actions.processing import applications_mark_overdue


@shared_task(name="services.mark_overdue")
def mark_overdue() -> int:
    """Mark the accepted cases whose deadline passed (run by Celery beat, hourly); returns how many."""
    return applications_mark_overdue()
