"""Celery tasks of services: named, thin, calling one action."""

from celery import shared_task

from egov.services.actions.intake import intake_files_expire
from egov.services.actions.processing import applications_mark_overdue


@shared_task(name="services.mark_overdue")
def mark_overdue() -> int:
    """Mark the accepted cases whose deadline passed (run by Celery beat, hourly); returns how many."""
    return applications_mark_overdue()


@shared_task(name="services.intake_sweep")
def intake_sweep() -> int:
    """Delete the files' bytes of failed intake records past their retention
    (``EGOV_INTAKE_FAILED_FILES_DAYS`` calendar days; run by Celery beat, daily); returns how many."""
    return intake_files_expire()
