"""Staff API of data sharing (``/api/v1/staff/exchange/``, mounted only when the staff site is
served): sharing requests (共享申请) and grants of the organizations the caller acts for.

Auth: a signed-in staff session that passed MFA where the staff member's roles require it; unsafe
methods need the CSRF token. Who may do what is the actions' (``exchange.permissions``): the
consumer's data stewards and operators ask and withdraw, the provider's decide and revoke; a
request or grant of other organizations is 404.
"""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status

from egov.accounts.apiauth import staff_session
from egov.core.apischema import ErrorOut
from egov.core.errors import NotFound, ValidationFailed
from egov.exchange import actions, selectors
from egov.exchange.actions import subscriptions as subscription_actions
from egov.exchange.actions.grants import valid_until_of
from egov.exchange.models import InformationResource, SharingGrant, SharingRequest, Subscription

router = Router(tags=["exchange"])




class RequestItemOut(Schema):
    field: str
    name: str
    sharing_type: str = Field(..., description="unconditional (无条件共享), conditional (有条件共享), none (不予共享)")
    outcome: str = Field(..., description="pending, granted or refused")
    reason: str = Field(..., description="conditions of use (granted) or reasons (refused)")
    grant: int | None = Field(None, description="the grant holding this item (a request decided in parts has one "
                                                "grant per decision, each with its own validity)")
    valid_until: dt.date | None = Field(None, description="last day the consumer may read this item (its grant's)")
    grant_state: str | None = Field(None, description="its grant's state: in_force, expired or revoked")


class EventOut(Schema):
    at: dt.datetime
    move: str
    status: str
    by: str
    note: str


class RequestOut(Schema):
    number: str
    resource: str = Field(..., description="the resource code (资源代码)")
    resource_name: str
    provider: str = Field(..., description="the provider's unified social credit code")
    consumer: str = Field(..., description="the consumer's unified social credit code")
    purpose: str
    case_number: str
    legal_basis: str
    status: str = Field(..., description="pending, granted, partly_granted, refused or withdrawn")
    submitted_at: dt.datetime
    decision_due_on: dt.date | None = Field(..., description="last working day of the provider's decision")
    items: list[RequestItemOut]
    grants: list[int]
    timeline: list[EventOut]


class RequestIn(Schema):
    resource: str = Field(..., description="the resource code (资源代码)")
    consumer: str | None = Field(None, description="the asking organization's USCC; optional when the caller "
                                                   "acts for one organization only")
    fields: list[str] = Field(..., description="the items' field keys")
    purpose: str
    case_number: str = ""
    legal_basis: str
    idempotency_key: str | None = Field(None, description="or the Idempotency-Key header; 8–64 of A-Z a-z 0-9 - _")


class DecisionItemIn(Schema):
    field: str
    decision: str = Field(..., description="grant or refuse")
    reason: str = Field("", description="conditions of use (optional) or reasons for refusing (required)")


class DecisionIn(Schema):
    items: list[DecisionItemIn]
    valid_until: dt.date | None = Field(None, description="last day of the grant (default: one year from today)")


class RevokeIn(Schema):
    reason: str


class GrantOut(Schema):
    id: int
    resource: str
    provider: str
    consumer: str
    consumer_name: str
    fields: list[str]
    purpose: str
    legal_basis: str
    conditions: str
    state: str = Field(..., description="in_force, expired or revoked")
    granted_at: dt.datetime
    valid_until: dt.date | None
    revoked_at: dt.datetime | None
    revocation_reason: str
    request: str | None


def _request_item_out(item, grant: SharingGrant | None) -> dict:
    return {"field": item.field, "name": item.name, "sharing_type": item.sharing_type, "outcome": item.outcome,
            "reason": item.reason, "grant": grant.pk if grant else None,
            "valid_until": valid_until_of(grant) if grant else None,
            "grant_state": selectors.grant_state(grant) if grant else None}


def _request_out(row: SharingRequest) -> dict:
    held = selectors.request_item_grants(row)
    return {"number": row.number, "resource": row.resource.code, "resource_name": row.resource.name,
            "provider": row.provider.uscc or "", "consumer": row.consumer.uscc or "", "purpose": row.purpose,
            "case_number": row.case_number, "legal_basis": row.legal_basis, "status": row.status,
            "submitted_at": row.submitted_at, "decision_due_on": row.decision_due_on,
            "items": [_request_item_out(i, held.get(i.field) if i.outcome == "granted" else None)
                      for i in row.items.all()],
            "grants": list(row.grants.values_list("pk", flat=True)),
            "timeline": [{"at": e.at, "move": e.move, "status": e.status_to, "by": e.by, "note": e.note}
                         for e in row.events.all()]}


def _grant_out(grant: SharingGrant) -> dict:
    return {"id": grant.pk, "resource": grant.resource.code, "provider": grant.resource.provider_code,
            "consumer": grant.consumer_code, "consumer_name": grant.consumer_name,
            "fields": [item.field for item in grant.items.all()], "purpose": grant.purpose,
            "legal_basis": grant.legal_basis, "conditions": grant.conditions, "state": selectors.grant_state(grant),
            "granted_at": grant.granted_at, "valid_until": valid_until_of(grant), "revoked_at": grant.revoked_at,
            "revocation_reason": grant.revocation_reason,
            "request": grant.request.number if grant.request_id else None}


def _resource_and_consumer(request, code: str, consumer_code: str | None, unnamed: str):
    """The resource ``code`` and the organization the signed-in staff member acts for in data
    sharing (named by ``consumer_code``, or the only one they act for), never its provider.

    Raises:
        NotFound: no such resource (``field: resource``). ValidationFailed: no such organization of
            theirs, or several and none named (``field: consumer``, message ``unnamed``).
    """
    resource = InformationResource.objects.filter(code=code).first()
    if resource is None:
        raise NotFound(_("No such information resource."), extra={"field": "resource"})
    organizations = [o for o in selectors.sharing_organizations(user=request.auth)
                     if o.uscc != resource.provider_code]
    if consumer_code:
        consumer = next((o for o in organizations if o.uscc == consumer_code.strip().upper()), None)
    else:
        consumer = organizations[0] if len(organizations) == 1 else None
    if consumer is None:
        raise ValidationFailed(unnamed, extra={"field": "consumer", "rule": "choice"})
    return resource, consumer


@router.get("/sharing-requests", response={200: list[RequestOut], 401: ErrorOut}, auth=staff_session)
def request_list(request, side: str = Query("", pattern="^(|consumer|provider)$"),  # noqa: B008
                 state: str = Query("", pattern="^(|open|decided)$"),  # noqa: B008
                 limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=100_000)):  # noqa: B008
    """Requests of my organizations, newest first: ``side`` consumer (asked by them) or provider
    (asked of them); ``state`` open (waiting for the provider) or decided."""
    rows = selectors.requests_visible(user=request.auth, side=side, state=state)[offset:offset + limit]
    return [_request_out(row) for row in rows]


@router.post("/sharing-requests", response={200: RequestOut, 201: RequestOut, 400: ErrorOut, 401: ErrorOut,
                                            403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, auth=staff_session)
def request_create(request, payload: RequestIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """Ask for 信息项 (共享申请): 201 with the request (无条件共享 items granted, 不予共享 refused at
    once, 有条件共享 pending); 200 with the same request when this key was sent before with this
    content; 409 when it came with other content. 400 names the field."""
    key = idempotency_key or payload.idempotency_key or ""
    resource, consumer = _resource_and_consumer(request, payload.resource, payload.consumer, _(
        "Name the asking organization, one you act for in data sharing."))
    before = SharingRequest.objects.filter(consumer=consumer, idempotency_key=key.strip()).exists() if key else False
    row = actions.request_submit(actor=request.auth, consumer=consumer, resource=resource, fields=payload.fields,
                                 purpose=payload.purpose, case_number=payload.case_number,
                                 legal_basis=payload.legal_basis, idempotency_key=key)
    return Status(200 if before else 201, _request_out(row))


@router.get("/sharing-requests/{number}", response={200: RequestOut, 401: ErrorOut, 404: ErrorOut},
            auth=staff_session)
def request_detail(request, number: str):
    """A request of my organizations, with its items, grants and timeline (404 for others)."""
    return _request_out(selectors.request_get(user=request.auth, number=number))


@router.post("/sharing-requests/{number}/decision", response={200: RequestOut, 400: ErrorOut, 401: ErrorOut,
                                                               403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             auth=staff_session)
def request_decide(request, number: str, payload: DecisionIn):
    """The provider decides on every item waiting: ``grant`` (conditions optional) or ``refuse``
    (reasons required); the approved items are granted until ``valid_until``."""
    row = selectors.request_get(user=request.auth, number=number)
    decisions = {item.field: (item.decision, item.reason) for item in payload.items}
    return _request_out(actions.request_decide(actor=request.auth, request=row, decisions=decisions,
                                               valid_until=payload.valid_until))


@router.post("/sharing-requests/{number}/withdraw", response={200: RequestOut, 401: ErrorOut, 403: ErrorOut,
                                                               404: ErrorOut, 409: ErrorOut}, auth=staff_session)
def request_withdraw(request, number: str):
    """The consumer withdraws a request still waiting for the provider."""
    row = selectors.request_get(user=request.auth, number=number)
    return _request_out(actions.request_withdraw(actor=request.auth, request=row))


@router.get("/sharing-grants", response={200: list[GrantOut], 401: ErrorOut}, auth=staff_session)
def grant_list(request, side: str = Query("", pattern="^(|consumer|provider)$"),  # noqa: B008
               state: str = Query("", pattern="^(|in_force|expired|revoked)$"),  # noqa: B008
               limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=100_000)):  # noqa: B008
    """Grants to (``side=consumer``) or from (``side=provider``) my organizations, newest first,
    by ``state``: in_force, expired, revoked."""
    rows = selectors.grants_visible(user=request.auth, side=side, state=state)[offset:offset + limit]
    return [_grant_out(grant) for grant in rows]


@router.post("/sharing-grants/{grant_id}/revoke", response={200: GrantOut, 400: ErrorOut, 401: ErrorOut,
                                                            403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             auth=staff_session)
def grant_revoke(request, grant_id: int, payload: RevokeIn):
    """The provider revokes a grant with a reason (told to the consumer)."""
    grant = selectors.grant_get(user=request.auth, grant_id=grant_id)
    return _grant_out(actions.grant_revoke(actor=request.auth, grant=grant, reason=payload.reason))


# --- subscriptions (订阅) ------------------------------------------------------------------------------


class SubscriptionStatusOut(Schema):
    last_delivered_seq: int = Field(..., description="the resource's change number delivered last")
    last_delivered_at: dt.datetime | None
    pending: int = Field(..., description="events waiting to be delivered")
    dead: int = Field(..., description="events in the dead-letter list")
    failures: int = Field(..., description="failed tries in a row (0 after a success)")
    last_error: str
    last_error_at: dt.datetime | None
    next_attempt_at: dt.datetime | None = Field(..., description="when the next try is due (None: nothing pending)")
    last_attempt_at: dt.datetime | None


class DeadLetterOut(Schema):
    id: int = Field(..., description="the delivery's id (for a replay)")
    event: str = Field(..., description="the event id")
    seq: int = Field(..., description="the change number")
    op: str = Field(..., description="added, changed or removed")
    produced_at: dt.datetime
    attempts: int
    last_error: str
    dead_at: dt.datetime | None


class SubscriptionOut(Schema):
    id: int
    resource: str = Field(..., description="the resource code (资源代码)")
    provider: str = Field(..., description="the provider's unified social credit code")
    consumer: str = Field(..., description="the consumer's unified social credit code")
    consumer_name: str
    purpose: str
    legal_basis: str
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    status: SubscriptionStatusOut
    dead_letters: list[DeadLetterOut] | None = Field(None, description="on a subscription's own page only")


class SubscriptionIn(Schema):
    resource: str
    consumer: str = Field("", description="the subscribing organization's USCC (needed when acting for several)")
    purpose: str
    legal_basis: str


class ReplayIn(Schema):
    deliveries: list[int] | None = Field(None, description="the dead letters to replay (omitted: all)")


class ReplayOut(Schema):
    replayed: int


class ChangesIn(Schema):
    changes: list = Field(..., description='[{"op": "added"|"changed"|"removed", "key": "…", "row": {…}}], '
                                           'oldest first')


class ChangeEventOut(Schema):
    id: str
    seq: int


def _subscription_out(row: Subscription, *, detail: bool = False) -> dict:
    out = {"id": row.pk, "resource": row.resource.code, "provider": row.resource.provider_code,
           "consumer": row.consumer_code, "consumer_name": row.consumer_name, "purpose": row.purpose,
           "legal_basis": row.legal_basis, "created_at": row.created_at, "cancelled_at": row.cancelled_at,
           "status": selectors.subscription_status(row)}
    if detail:
        out["dead_letters"] = [
            {"id": d.pk, "event": d.event.event_id, "seq": d.event.seq, "op": d.event.operation,
             "produced_at": d.event.created_at, "attempts": d.attempts, "last_error": d.last_error,
             "dead_at": d.dead_at} for d in selectors.dead_letters(row)]
    return out


@router.get("/subscriptions", response={200: list[SubscriptionOut], 401: ErrorOut}, auth=staff_session)
def subscription_list(request, side: str = Query("", pattern="^(|consumer|provider)$"),  # noqa: B008
                      limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=100_000)):  # noqa: B008
    """Subscriptions of (``side=consumer``) or to the resources of (``side=provider``) my
    organizations, each with its delivery status."""
    rows = selectors.subscriptions_visible(user=request.auth, side=side)[offset:offset + limit]
    return [_subscription_out(row) for row in rows]


@router.post("/subscriptions", response={201: SubscriptionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                         404: ErrorOut, 409: ErrorOut}, auth=staff_session)
def subscription_create(request, payload: SubscriptionIn):
    """Subscribe one of my organizations to a resource's changes: it needs a grant in force (403
    ``no_grant`` otherwise); only the granted 信息项 are delivered. 409 when it subscribes already."""
    resource, consumer = _resource_and_consumer(request, payload.resource, payload.consumer, _(
        "Name the subscribing organization, one you act for in data sharing."))
    row = subscription_actions.subscription_create(actor=request.auth, resource=resource, consumer_code=consumer.uscc,
                                                   consumer_name=consumer.name, purpose=payload.purpose,
                                                   legal_basis=payload.legal_basis)
    return Status(201, _subscription_out(row, detail=True))


@router.get("/subscriptions/{subscription_id}", response={200: SubscriptionOut, 401: ErrorOut, 404: ErrorOut},
            auth=staff_session)
def subscription_detail(request, subscription_id: int):
    """A subscription of my organizations with its delivery status and dead letters (404 for others)."""
    return _subscription_out(selectors.subscription_get(user=request.auth, subscription_id=subscription_id),
                             detail=True)


@router.post("/subscriptions/{subscription_id}/replay", response={200: ReplayOut, 401: ErrorOut, 403: ErrorOut,
                                                                  404: ErrorOut}, auth=staff_session)
def subscription_replay(request, subscription_id: int, payload: ReplayIn):
    """The provider replays dead letters (all, or ``deliveries``): pending again, delivered in change order."""
    row = selectors.subscription_get(user=request.auth, subscription_id=subscription_id)
    count = subscription_actions.dead_letters_replay(actor=request.auth, subscription=row,
                                                     delivery_ids=payload.deliveries)
    return {"replayed": count}


@router.post("/subscriptions/{subscription_id}/cancel", response={200: SubscriptionOut, 401: ErrorOut,
                                                                  403: ErrorOut, 404: ErrorOut}, auth=staff_session)
def subscription_cancel(request, subscription_id: int):
    """The consumer (or the provider) ends a subscription."""
    row = selectors.subscription_get(user=request.auth, subscription_id=subscription_id)
    return _subscription_out(subscription_actions.subscription_cancel(actor=request.auth, subscription=row))


@router.post("/resources/{code}/changes", response={201: list[ChangeEventOut], 400: ErrorOut, 401: ErrorOut,
                                                    403: ErrorOut, 404: ErrorOut}, auth=staff_session)
def changes_push(request, code: str, payload: ChangesIn):
    """The provider's push: these rows of its resource were added, changed or removed (all or
    nothing; 400 names the change). The subscribers receive them in this order."""
    resource = InformationResource.objects.filter(code=code).first()
    if resource is None:
        raise NotFound(_("No such information resource."), extra={"field": "resource"})
    events = subscription_actions.changes_push(actor=request.auth, resource=resource, changes=payload.changes)
    return Status(201, [{"id": e.event_id, "seq": e.seq} for e in events])
