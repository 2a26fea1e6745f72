"""Reads of the intake inbox: the applicant's receipts, tracking by receipt, the operators' view."""

import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import Agent
from egov.core.errors import NotFound
from egov.services.actions.intake import intake_files_kept, intake_retry_facts, intake_retry_refusal
from egov.services.models import IntakeRecord, IntakeState
from egov.services.permissions import intake_operator_organization_ids

RECEIPT_LENGTH = 18  # "SL" + YYYYMMDD + 8 characters


def _not_found(message: str | None = None) -> NotFound:
    return NotFound(message or _("No submission with this receipt number and query code."), extra={"field": "receipt"})


def _normalized(value: str) -> str:
    # What a Chinese input method types in full-width mode (ＳＬ２０２６…, ＡＢＣＤ－１２３４) is read as
    # ASCII (NFKC), as /services/track/ reads case numbers; receipts and codes hold only letters and
    # digits, so spaces and hyphens are dropped (the code's hyphen is put back where it belongs).
    return "".join(ch for ch in unicodedata.normalize("NFKC", value or "").upper() if ch.isascii() and ch.isalnum())


def is_receipt_number(number: str) -> bool:
    """Whether what someone typed into a tracking form is a receipt number (``SL…``, in any width)
    rather than a case's tracking number."""
    return _normalized(number).startswith("SL")


def intake_files_deleted(record: IntakeRecord) -> bool:
    """Whether the failed ``record`` (annotated ``content_kept``: ``actions.intake.intake_files_kept``, or
    ``actions.intake.intake_retry_facts``) has lost its files' bytes — when the applicant applied
    again, or ``EGOV_INTAKE_FAILED_FILES_DAYS`` after it failed (``services.intake_sweep``) — so that
    no operator's retry can register it any more (``intake_retry_refusal``'s ``files_deleted``)."""
    return record.state == IntakeState.FAILED and bool(record.files) and not getattr(record, "content_kept", True)


def intake_track(*, receipt: str, code: str) -> IntakeRecord:
    """The intake record ``receipt`` if ``code`` is its query code (tracking without sign-in),
    with its case when it has one.

    Raises:
        NotFound: unknown receipt or wrong code: the same answer for both.
    """
    receipt = _normalized(receipt)
    record = None
    if len(receipt) == RECEIPT_LENGTH:
        record = (intake_files_kept(IntakeRecord.objects.defer("content")).select_related("item", "item__organization",
                                                                                    "application")
                  .filter(receipt=receipt).first())
    code = _normalized(code)
    if len(code) == 8:
        code = f"{code[:4]}-{code[4:]}"
    expected = record.query_code.encode() if record is not None else b"\0" * 9
    if not hmac.compare_digest(code.encode(), expected) or record is None:
        raise _not_found()
    return record


def _own(user) -> Q:
    legal_users = Agent.objects.filter(person__user=user, revoked_at__isnull=True).values("legal_person__user")
    return Q(applicant=user) | Q(submitted_by=user) | Q(applicant__in=legal_users)


def intake_get_for_applicant(*, user, receipt: str) -> IntakeRecord:
    """The applicant's own intake record (or one they submitted as agent), with its case.

    Raises:
        NotFound: unknown, or not theirs (the same answer).
    """
    if not getattr(user, "pk", None):
        raise _not_found(_("You have no submission with this receipt number."))
    record = (intake_files_kept(IntakeRecord.objects.defer("content")).select_related("item", "item__organization",
                                                                                "application")
              .filter(_own(user), receipt=_normalized(receipt)).first())
    if record is None:
        raise _not_found(_("You have no submission with this receipt number."))
    return record


def intakes_pending_of(*, user) -> list[IntakeRecord]:
    """The applicant's submissions that have no case yet (waiting or failed), newest first: 我的办件
    lists them above the cases."""
    if not getattr(user, "pk", None):
        return []
    return list(IntakeRecord.objects.defer("content").select_related("item").filter(_own(user))
                .exclude(state=IntakeState.DONE).order_by("-id")[:50])


@dataclass(frozen=True)
class IntakeOverview:
    """The intake queue as an operator sees it: ``waiting`` records (all organizations), the age in
    seconds of the oldest (None when none waits), the ``failed`` records of the operator's
    organizations (newest first, at most 100; each with ``retry_refusal``, the ``Conflict`` a retry
    would answer, None when a retry may make its case), and how many were ``done`` in the last hour."""

    waiting: int
    oldest_received_at: datetime | None
    oldest_age_seconds: float | None
    failed: list[IntakeRecord]
    failed_count: int
    done_last_hour: int

    def as_json(self) -> dict:
        return {"waiting": self.waiting, "oldest_received_at": self.oldest_received_at,
                "oldest_age_seconds": self.oldest_age_seconds, "failed_count": self.failed_count,
                "done_last_hour": self.done_last_hour,
                "failed": [{"receipt": r.receipt, "item": r.item.code, "item_name": r.item.local_name,
                            "received_at": r.received_at, "processed_at": r.processed_at, "attempts": r.attempts,
                            "message": r.error_text, "extra": r.error.get("extra", {}),
                            "retry": r.retry_refusal is None,
                            "retry_refused": None if r.retry_refusal is None else
                            {"message": r.retry_refusal.message, "extra": r.retry_refusal.extra}}
                           for r in self.failed]}


def intake_overview(*, user) -> IntakeOverview:
    """The queue for an operator (运维管理员).

    Raises:
        NotFound: the user is no operator anywhere (deny by default; the page does not exist for them).
    """
    organization_ids = intake_operator_organization_ids(user)
    if not organization_ids:
        raise NotFound(_("Page not found."))
    now = timezone.now()
    waiting = IntakeRecord.objects.filter(state=IntakeState.WAITING).aggregate(
        count=Count("id"), oldest=Min("received_at"))
    failed = IntakeRecord.objects.defer("content").filter(state=IntakeState.FAILED,
                                                          item__organization_id__in=organization_ids)
    oldest = waiting["oldest"]
    failed_rows = list(intake_retry_facts(failed.select_related("item")).order_by("-id")[:100])
    for record in failed_rows:
        record.error_text = intake_error_message(record)  # in the reader's language
        record.retry_refusal = intake_retry_refusal(record)  # why a retry cannot succeed, or None
    return IntakeOverview(
        waiting=waiting["count"], oldest_received_at=oldest,
        oldest_age_seconds=round((now - oldest).total_seconds(), 1) if oldest else None,
        failed=failed_rows, failed_count=failed.count(),
        done_last_hour=IntakeRecord.objects.filter(state=IntakeState.DONE,
                                                   processed_at__gte=now - timedelta(hours=1)).count())


def intake_get_for_operator(*, user, receipt: str) -> IntakeRecord:
    """A failed-or-any intake record of the operator's organizations.

    Raises:
        NotFound: unknown, or outside the operator's organizations.
    """
    record = (IntakeRecord.objects.defer("content").select_related("item", "item__organization")
              .filter(receipt=_normalized(receipt), item__organization_id__in=intake_operator_organization_ids(user))
              .first())
    if record is None:
        raise _not_found(_("No submission with this receipt number for the organizations you operate for."))
    return record


def intake_error_says_files_deleted(record: IntakeRecord) -> bool:
    """Whether ``intake_error_message(record)`` itself says that the files were deleted: only a
    fault's (``internal``) reason does, where it takes back the operator's retry it promised; for
    any other reason the receipt page says it below the reason."""
    return ((record.error or {}).get("extra") or {}).get("rule") == "internal" and intake_files_deleted(record)


def intake_error_message(record: IntakeRecord) -> str:
    """Why ``record`` failed, in the reader's language: the worker wrote the reason in its own
    language, so the reasons it gives are worded again here by their rule; any other is shown as
    written. A fault (``internal``) promises an operator's retry only while the files are kept
    (``intake_files_deleted``)."""
    error = record.error or {}
    extra = error.get("extra") or {}
    rule, field = extra.get("rule", ""), str(extra.get("field", ""))
    if rule == "online":
        return _("This item cannot be applied for online any more.")
    if rule == "internal":
        if intake_error_says_files_deleted(record):  # no operator can register it now: do not promise it
            return _("A fault on the platform's side stopped this application from being registered, and its "
                     "files have since been deleted: it can no longer be registered. Apply again.")
        return _("A fault on the platform's side stopped this application from being registered; an "
                 "operator will register it again.")
    if field.startswith("materials.") and rule == "required":
        return _("The platform could not fetch a material it holds for you: upload it when you apply again.")
    return error.get("message", "")
