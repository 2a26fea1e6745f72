"""Celery tasks of the portal: named, thin, calling one action."""

from celery import shared_task

from egov.portal.actions import requests_mark_overdue
from egov.portal.actions_letters import letters_mark_overdue


@shared_task(name="portal.disclosure_requests_daily")
def disclosure_requests_daily() -> dict[str, int]:
    """Mark overdue requests, remind disclosure offices 3 working days before the due date, end
    uncorrected requests (run by Celery beat, daily); returns the counts."""
    return requests_mark_overdue()


@shared_task(name="portal.letters_daily")
def letters_daily() -> dict[str, int]:
    """Mark overdue letters to the mayor and remind handlers before the due date (Celery beat,
    daily); returns the counts (``actions_letters.letters_mark_overdue``)."""
    return letters_mark_overdue()
