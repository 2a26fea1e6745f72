"""Celery tasks of the portal: named, thin, calling one action."""

from celery import shared_task

from egov.portal import actions_pages
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
@shared_task(name="portal.pages_publish_scheduled")
def pages_publish_scheduled() -> dict[str, int]:
    """Publish the pages approved for a go-live time now past and unpublish the expired ones
    (Wagtail's scheduled publishing, run by Celery beat every minute instead of a cron job)."""
    return actions_pages.pages_publish_scheduled()
