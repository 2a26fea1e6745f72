"""The credit API (staff site): the sanction check and the batch check. Mounted at ``/api/v1/staff/credit/``
(every staff route is under ``/api/v1/staff/``, ``docs/architecture.md`` "Two sites")."""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from egov.accounts.apiauth import staff_session
from egov.core.apischema import ErrorOut
from egov.core.errors import ValidationFailed
from egov.credit import reports, selectors
from egov.facilities.files import file_read, file_response
from egov.orgs.models import Organization

router = Router(tags=["credit"])




class MembershipOut(Schema):
    number: str
    kind: str
    kind_label: str
    list: str
    measures: str
    legal_basis: str
    decision_document: str
    decided_on: str
    provider: str
    published_from: str
    published_until: str


class CheckOut(Schema):
    subject: str
    kind: str
    known: bool
    black: bool
    red: bool
    memberships: list[MembershipOut]


class CheckIn(Schema):
    subject: str


@router.get("/check", response={200: CheckOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}, auth=staff_session)
def subject_check(request, query: Query[CheckIn]):
    """联合奖惩核查: the subject's (USCC or resident ID) list memberships in publication with their
    measures; an unknown subject gives ``known: false`` and an empty list. Clerks, reviewers, approvers
    and credit officers; each check is audited."""
    return selectors.subject_check(actor=request.user, code=query.subject)


class RejectedLineOut(Schema):
    line: int
    value: str
    rule: str
    message: str


class BatchResultOut(CheckOut):
    line: int
    name: str


class BatchCheckIn(Schema):
    purpose: str = Field(..., description="Why the subjects are checked (e.g. a procurement); printed and audited")
    subjects: list[str] = Field(
        ..., description="USCCs or resident ID numbers; a code's line is its place in this list, from 1"
    )
    organization: int | None = Field(
        None, description="The organization asked for (where the caller holds a check role); needed if several"
    )


class BatchCheckOut(Schema):
    number: str
    organization: str
    purpose: str
    verification_code: str
    pdf: str
    results: list[BatchResultOut]
    rejected: list[RejectedLineOut]


def _organization(pk: int | None):
    if pk is None:
        return None
    organization = Organization.objects.filter(pk=pk).first() if 0 < pk < 2**31 else None
    if organization is None:
        raise ValidationFailed(_("No such organization."), extra={"field": "organization", "rule": "unknown"})
    return organization


@router.post(
    "/checks",
    response={201: BatchCheckOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    auth=staff_session,
)
def batch_check(request, payload: BatchCheckIn):
    """批量核查: the sanction check of up to 500 subjects for a stated purpose, with a result sealed by the credit
    office (``pdf``: its download; ``verification_code`` for the platform's verification page). A code that is
    not a USCC or a resident ID, or one given before, is listed in ``rejected`` by its line (its place in
    ``subjects``, from 1) and the others are checked. 400 ``{"field": "subjects", "rule": "none_valid",
    "lines": [...]}`` when no line is a code, ``"max"`` over 500; ``{"field": "purpose", "rule": "required"}``.
    Clerks, reviewers, approvers and credit officers; audited once with every subject named."""
    if len(payload.subjects) > reports.batch_max():
        raise ValidationFailed(
            _("A batch check takes at most %(n)d subjects.") % {"n": reports.batch_max()},
            extra={"field": "subjects", "rule": "max"},
        )
    check = reports.batch_check(
        actor=request.user,
        codes=payload.subjects,
        purpose=payload.purpose,
        organization=_organization(payload.organization),
    )
    return Status(201, _check_out(check))


def _check_out(check) -> dict:
    return {
        "number": check.number,
        "organization": check.requester_organization.local_name,
        "purpose": check.purpose,
        "verification_code": check.document.code,
        "pdf": f"/api/v1/staff/credit/checks/{check.number}/pdf",
        "results": check.results,
        "rejected": [{k: row[k] for k in ("line", "value", "rule", "message")} for row in check.rejected],
    }


@router.get(
    "/checks/{number}/pdf",
    response={200: None, 401: ErrorOut, 404: ErrorOut},
    auth=staff_session,
    openapi_extra={"responses": {200: {"description": "the sealed result", "content": {"application/pdf": {}}}}},
)
def batch_check_pdf(request, number: str):
    """The sealed PDF of a batch check the caller ran (404 for anyone else's)."""
    check = selectors.check_of(user=request.user, number=number)
    return file_response(data=file_read(stored=check.file), kind="pdf", name=check.number)
