"""Celery tasks of audit: named, thin, calling one action."""

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from egov.audit.actions import audit_anchor_write
from egov.audit.archive import AuditArchiveError, partitions_maintain

logger = logging.getLogger(__name__)


@shared_task(name="audit.anchor")
def anchor() -> int | None:
    """Append the chain's head, timestamped, to the anchor file when it moved (Celery beat, every
    ``EGOV_AUDIT_ANCHOR_INTERVAL`` seconds; the worker's start); returns the seq anchored."""
    path = Path(settings.EGOV_AUDIT_ANCHOR_FILE)
    # The coming months' partitions and the checkpoints of months that are over, before the head's
    # anchor (cheap when nothing is to do: two catalog lookups and one query).
    try:
        partitions_maintain(anchor_path=path)
    except AuditArchiveError as error:  # a month of an older release out of order: say it, anchor anyway
        logger.warning("audit checkpoint not recorded: %s", error.message)
    written = audit_anchor_write(path=path)
    return written["seq"] if written else None
