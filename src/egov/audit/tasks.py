"""Celery tasks of audit: named, thin, calling one action."""

from pathlib import Path

from celery import shared_task
from django.conf import settings

from egov.audit.actions import audit_anchor_write


@shared_task(name="audit.anchor")
def anchor() -> int | None:
    """Append the chain's head, timestamped, to the anchor file when it moved (Celery beat, every
    ``EGOV_AUDIT_ANCHOR_INTERVAL`` seconds; the worker's start); returns the seq anchored."""
    written = audit_anchor_write(path=Path(settings.EGOV_AUDIT_ANCHOR_FILE))
    return written["seq"] if written else None
