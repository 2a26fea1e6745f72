"""Celery tasks of credit: named, thin, calling one action."""

from celery import shared_task

from egov.credit.actions import credit_daily


@shared_task(name="credit.daily")
def daily() -> dict[str, int]:
    """The daily credit run (Celery beat, daily; ``actions.credit_daily``): publish the list memberships whose
    objection window closed, end the publications whose period ended; returns ``{"published": n, "expired": n}``."""
    return credit_daily()
