"""Celery tasks of trust: named, thin, calling one action."""

from celery import shared_task

from egov.trust.actions import certificates_expiry_warn


@shared_task(name="trust.warn_expiring")
def warn_expiring() -> int:
    """Warn the operators of certificates expiring within 30 days (Celery beat, daily); returns how many."""
    return certificates_expiry_warn(within_days=30)
