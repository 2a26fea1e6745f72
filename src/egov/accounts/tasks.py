"""Celery tasks of accounts: named, thin, calling one function."""

from celery import shared_task

from egov.accounts.throttling import attempts_prune


@shared_task(name="accounts.attempts_prune")
def prune_attempts() -> int:
    """Delete sign-in and registration attempts a day old or more (Celery beat, hourly)."""
    return attempts_prune()
