"""Reads of the exchange: which 信息项 a consumer may receive, and records cut down to them."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.core.errors import NotFound, PermissionDenied
from egov.exchange.models import InformationItem, InformationResource, SharingGrant, SharingRequest
from egov.exchange.permissions import SHARING_ROLES, require_request_party, sharing_organization_ids
from egov.orgs.models import Organization


@dataclass(frozen=True)
class Allowed:
    """What a consumer may receive of a resource: field names, and the grants that allow them."""

    resource: InformationResource
    fields: frozenset[str]
    grant_ids: tuple[int, ...]


def grants_in_force(*, resource: InformationResource, consumer_code: str):
    """Grants of ``resource`` to ``consumer_code`` that are not revoked and not expired now."""
    now = timezone.now()
    return (SharingGrant.objects.filter(resource=resource, consumer_code=consumer_code, revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)))


def allowed_fields(*, resource_code: str, consumer_code: str,
                   resource: InformationResource | None = None) -> Allowed:
    """The fields of ``resource_code`` granted to ``consumer_code``, never an item marked 不予共享.

    ``resource``: the resource of ``resource_code`` when the caller has just read it
    (``exchange_query``), so that it is not read twice.

    Raises:
        NotFound: no such resource.
        PermissionDenied: no grant in force (``extra["rule"] == "no_grant"``), with the reason.
    """
    if resource is None or resource.code != resource_code:
        resource = InformationResource.objects.filter(code=resource_code).first()
    if resource is None:
        raise NotFound(_("No such information resource."), extra={"resource": resource_code})
    grants = list(grants_in_force(resource=resource, consumer_code=consumer_code))
    if not grants:
        raise PermissionDenied(
            _("Your organization holds no sharing grant in force for this resource: ask the provider for one."),
            extra={"rule": "no_grant", "resource": resource_code, "consumer": consumer_code},
        )
    fields = (InformationItem.objects.filter(grants__in=grants)
              .exclude(sharing_type=InformationItem.SharingType.NONE).values_list("field", flat=True))
    return Allowed(resource=resource, fields=frozenset(fields), grant_ids=tuple(g.pk for g in grants))


def record_cut(record: dict, *, fields: frozenset[str]) -> dict:
    """``record`` with only the granted ``fields`` (in the record's order)."""
    return {name: value for name, value in record.items() if name in fields}


# Sharing requests and grants, as both sides see them.

REQUEST_STATES = {"open": ("pending",), "decided": ("granted", "partly_granted", "refused", "withdrawn")}
GRANT_STATES = ("in_force", "expired", "revoked")


def sharing_staff_of(*, organization):
    """The active staff who act for ``organization`` in sharing and are told of its requests and
    grants: its data stewards and operators (in the organization itself)."""
    return (User.objects.filter(is_active=True, memberships__organization=organization,
                                memberships__roles__role__in=SHARING_ROLES).distinct().order_by("pk"))


def sharing_organizations(*, user):
    """The organizations ``user`` acts for in sharing (``exchange.permissions``), in tree order."""
    return Organization.objects.filter(pk__in=sharing_organization_ids(user), is_active=True).order_by("path")


def requests_visible(*, user, side: str = "", state: str = "", organization: int | None = None):
    """Sharing requests ``user`` may see (its organizations asked or are asked), newest first.

    Args:
        side: ``consumer`` (asked by my organizations), ``provider`` (asked of them), "" both.
        state: ``open`` (waiting for the provider) or ``decided`` (ended), "" all.
        organization: only requests of this organization (id, on the chosen side).
    """
    ids = sharing_organization_ids(user)
    if organization:
        ids = ids & {organization}
    mine = {"consumer": Q(consumer_id__in=ids), "provider": Q(provider_id__in=ids)}
    rows = SharingRequest.objects.filter(mine.get(side) or (mine["consumer"] | mine["provider"]))
    if state in REQUEST_STATES:
        rows = rows.filter(status__in=REQUEST_STATES[state])
    return rows.select_related("resource", "provider", "consumer").order_by("-submitted_at", "-pk")


def request_get(*, user, number: str):
    """The request ``number`` if ``user`` acts for one of its sides.

    Raises:
        NotFound: no such request, or not one of the user's organizations' (the same answer).
    """
    request = (SharingRequest.objects.select_related("resource", "provider", "consumer", "requested_by")
               .filter(number=number).first())
    if request is None:
        raise NotFound(_("There is no such sharing request."), extra={"field": "number"})
    require_request_party(user, request)
    return request


def request_item_grants(request: SharingRequest) -> dict[str, SharingGrant]:
    """For each granted item of ``request`` (by ``field``), the grant of this request that holds it.

    A request decided in parts has one grant per decision, not one for the whole request: the
    无条件共享 items are granted at submission (valid ``EGOV_SHARING_GRANT_MONTHS``), the 有条件共享
    items the provider approves later, with the validity and conditions of use it chooses; each
    grant is one authorization with one validity, revoked or expiring on its own. This map gives
    pages and the API one answer per item: which grant lets the consumer read it, until when.
    """
    out: dict[str, SharingGrant] = {}
    for grant in request.grants.prefetch_related("items").order_by("granted_at", "pk"):
        for item in grant.items.all():
            out[item.field] = grant
    return out


def pending_decisions(*, user):
    """Requests waiting for a decision by one of ``user``'s organizations, earliest due first."""
    return requests_visible(user=user, side="provider", state="open").order_by("decision_due_on", "submitted_at")


def grant_state(grant: SharingGrant, *, now=None) -> str:
    """``revoked``, ``expired`` or ``in_force`` (as ``grants_in_force`` decides)."""
    now = now or timezone.now()
    if grant.revoked_at is not None:
        return "revoked"
    if grant.expires_at is not None and grant.expires_at <= now:
        return "expired"
    return "in_force"


def grants_visible(*, user, side: str = "", state: str = "", organization: int | None = None):
    """Grants to or from the organizations ``user`` acts for, newest first.

    Args:
        side: ``consumer`` (held by my organizations), ``provider`` (of their resources), "" both.
        state: ``in_force``, ``expired``, ``revoked``, "" all.
        organization: only grants of this organization (id, on the chosen side).
    """
    ids = sharing_organization_ids(user)
    if organization:
        ids = ids & {organization}
    codes = [code for code in Organization.objects.filter(pk__in=ids).values_list("uscc", flat=True) if code]
    mine = {"consumer": Q(consumer_code__in=codes), "provider": Q(resource__provider_code__in=codes)}
    rows = SharingGrant.objects.filter(mine.get(side) or (mine["consumer"] | mine["provider"]))
    now = timezone.now()
    if state == "revoked":
        rows = rows.filter(revoked_at__isnull=False)
    elif state == "expired":
        rows = rows.filter(revoked_at__isnull=True, expires_at__lte=now)
    elif state == "in_force":
        rows = rows.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    return rows.select_related("resource", "request").prefetch_related("items").order_by("-granted_at", "-pk")


def grant_get(*, user, grant_id: int) -> SharingGrant:
    """Grant ``grant_id`` if ``user`` acts for its consumer or its provider.

    Raises:
        NotFound: no such grant, or not one of the user's organizations' (the same answer).
    """
    grant = grants_visible(user=user).filter(pk=grant_id).first()
    if grant is None:
        raise NotFound(_("There is no such grant."), extra={"field": "grant"})
    return grant


def requestable_resources():
    """Resources an organization can ask for: those with at least one item that is not 不予共享."""
    return (InformationResource.objects.filter(items__sharing_type__in=[InformationItem.SharingType.UNCONDITIONAL,
                                                                         InformationItem.SharingType.CONDITIONAL])
            .distinct().order_by("code"))


# Subscriptions (订阅), as both sides see them: the consumer's and the provider's data stewards and operators.

def subscriptions_visible(*, user, side: str = ""):
    """Subscriptions of (``side=consumer``) or to the resources of (``side=provider``) the
    organizations ``user`` acts for in sharing, "" both; by resource code and consumer."""
    from egov.exchange.models import Subscription

    ids = sharing_organization_ids(user)
    codes = [code for code in Organization.objects.filter(pk__in=ids).values_list("uscc", flat=True) if code]
    mine = {"consumer": Q(consumer_code__in=codes), "provider": Q(resource__provider_code__in=codes)}
    return (Subscription.objects.filter(mine.get(side) or (mine["consumer"] | mine["provider"]))
            .select_related("resource").order_by("resource__code", "consumer_code", "-pk"))


def subscription_get(*, user, subscription_id: int):
    """Subscription ``subscription_id`` if ``user`` acts for its consumer or its provider.

    Raises:
        NotFound: no such subscription, or not one of the user's organizations' (the same answer).
    """
    row = subscriptions_visible(user=user).filter(pk=subscription_id).first()
    if row is None:
        raise NotFound(_("There is no such subscription."), extra={"field": "subscription"})
    return row


def subscription_status(subscription) -> dict:
    """The delivery status: ``{"last_delivered_seq", "last_delivered_at", "pending", "dead",
    "failures", "last_error", "last_error_at", "next_attempt_at", "last_attempt_at"}`` (counts of
    events; times as stored; ``next_attempt_at`` None when nothing is pending)."""
    from django.db.models import Count

    from egov.exchange.models import Delivery

    counts = dict(Delivery.objects.filter(subscription=subscription, state__in=["pending", "dead"])
                  .values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return {"last_delivered_seq": subscription.last_delivered_seq,
            "last_delivered_at": subscription.last_delivered_at, "pending": counts.get("pending", 0),
            "dead": counts.get("dead", 0), "failures": subscription.failures, "last_error": subscription.last_error,
            "last_error_at": subscription.last_error_at, "next_attempt_at": subscription.next_attempt_at,
            "last_attempt_at": subscription.last_attempt_at}


def dead_letters(subscription):
    """The subscription's dead letters in change order (no values, no record key: nothing personal)."""
    from egov.exchange.models import Delivery

    return (Delivery.objects.filter(subscription=subscription, state=Delivery.State.DEAD)
            .select_related("event").order_by("event__seq"))
