"""Staff API of the intake queue (外网受理 → 内网办理), for operators (运维管理员): the backlog, the
age of the oldest waiting submission, the failures, and retrying one. Mounted at
``/api/v1/staff/intake/`` on the staff site only."""

from datetime import datetime

from ninja import Field, Router, Schema

from egov.accounts.apiauth import staff_session
from egov.core.apischema import ErrorOut
from egov.services.actions.intake import intake_retry
from egov.services.api import ReceiptOut, receipt_out
from egov.services.selectors_intake import intake_get_for_operator, intake_overview

router = Router(tags=["staff"])



class FailedOut(Schema):
    receipt: str
    item: str
    item_name: str
    received_at: datetime
    processed_at: datetime | None
    attempts: int
    message: str
    extra: dict
    retry: bool = Field(..., description="whether a retry can make its case (else retry_refused says why)")
    retry_refused: ErrorOut | None = Field(..., description="the 409 a retry answers: rule replaced, retried "
                                                            "or files_deleted")


class QueueOut(Schema):
    waiting: int = Field(..., description="submissions waiting to become cases (all organizations)")
    oldest_received_at: datetime | None
    oldest_age_seconds: float | None = Field(..., description="seconds since the oldest waiting one arrived")
    failed_count: int = Field(..., description="failed submissions of the operator's organizations")
    done_last_hour: int
    failed: list[FailedOut] = Field(..., description="the newest 100 failed submissions")


@router.get("", response={200: QueueOut, 401: ErrorOut, 404: ErrorOut}, auth=staff_session)
def queue(request):
    """The intake queue for an operator (运维管理员); 404 for anyone else."""
    return intake_overview(user=request.auth).as_json()


@router.post("/{receipt}/retry", response={200: ReceiptOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                           409: ErrorOut}, auth=staff_session)
def retry(request, receipt: str):
    """Put a failed submission back in the queue (audited); 409 when it has not failed."""
    record = intake_get_for_operator(user=request.auth, receipt=receipt)
    return receipt_out(intake_retry(actor=request.auth, record=record))
