"""Celery tasks of the portal: named, thin, calling one action."""

from celery import shared_task

from egov.portal.actions import requests_mark_overdue


@shared_task(name="portal.disclosure_requests_daily")
def disclosure_requests_daily() -> dict[str, int]:
    """Mark overdue requests, remind disclosure offices 3 working days before the due date, end
    uncorrected requests (run by Celery beat, daily); returns the counts."""
    return requests_mark_overdue()
