"""Celery tasks of services: named, thin, calling one action."""

from celery import shared_task

from egov.services.actions.intake import intake_files_expire, kept_uploads_expire
from egov.services.actions.processing import applications_mark_overdue


@shared_task(name="services.mark_overdue")
def mark_overdue() -> int:
    """Mark the accepted cases whose deadline passed (run by Celery beat, hourly); returns how many."""
    return applications_mark_overdue()


@shared_task(name="services.intake_sweep")
def intake_sweep() -> dict:
    """Delete the files' bytes of failed intake records past their retention
    (``EGOV_INTAKE_FAILED_FILES_DAYS`` calendar days) and the apply page's kept uploads a day old
    (run by Celery beat, daily); returns ``{"files_dropped": records, "kept_deleted": uploads}``."""
    return {"files_dropped": intake_files_expire(), "kept_deleted": kept_uploads_expire()}
