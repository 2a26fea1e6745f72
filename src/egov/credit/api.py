"""The credit API (staff site): the sanction check. Mounted at ``/api/v1/staff/credit/`` (every staff
route is under ``/api/v1/staff/``, ``docs/architecture.md`` "Two sites")."""

from ninja import Query, Router, Schema
from ninja.security import SessionAuth

from egov.accounts.permissions import staff_session_ok
from egov.credit import selectors

router = Router(tags=["credit"])


class StaffSessionAuth(SessionAuth):
    """An active staff member's session, MFA passed where required (others: 401)."""

    def authenticate(self, request, key):
        return request.user if staff_session_ok(request) else None


class ErrorOut(Schema):
    message: str
    extra: dict


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


@router.get("/check", response={200: CheckOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}, auth=StaffSessionAuth())
def subject_check(request, query: Query[CheckIn]):
    """联合奖惩核查: the subject's (USCC or resident ID) list memberships in publication with their
    measures; an unknown subject gives ``known: false`` and an empty list. Clerks, reviewers, approvers
    and credit officers; each check is audited."""
    return selectors.subject_check(actor=request.user, code=query.subject)
