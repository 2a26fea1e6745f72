"""Reads of the exchange: which 信息项 a consumer may receive, and records cut down to them."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.errors import NotFound, PermissionDenied
from egov.exchange.models import InformationItem, InformationResource, SharingGrant


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


def allowed_fields(*, resource_code: str, consumer_code: str) -> Allowed:
    """The fields of ``resource_code`` granted to ``consumer_code``, never an item marked 不予共享.

    Raises:
        NotFound: no such resource.
        PermissionDenied: no grant in force (``extra["rule"] == "no_grant"``), with the reason.
    """
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
