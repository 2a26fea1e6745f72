"""Writes of the exchange catalog: resources with their 信息项, and the import of a catalog with grants.

Each action is atomic and audited (``exchange.<entity>.<verb>``). ``actor=None`` is the platform
itself (an ``egov exchange`` command run by the operator of the node or platform); a person must
be an operator over the providing organization.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from egov.audit.actions import audit_record
from egov.core.errors import Conflict, ValidationFailed
from egov.exchange.actions.grants import grant_create
from egov.exchange.models import InformationItem, InformationResource
from egov.orgs.models import Organization
from egov.orgs.permissions import require_operator


def _require_provider_operator(actor, provider_code: str) -> None:
    if actor is None:
        return
    organization = Organization.objects.filter(uscc=provider_code).first()
    require_operator(actor, organization) if organization is not None else require_operator(actor, None)


def _code(value: str, field: str) -> str:
    if not uscc.is_valid(value or ""):
        raise ValidationFailed(_("Not a valid unified social credit code."), extra={"field": field, "rule": "uscc"})
    return uscc.compact(value)


def _full_clean(instance, prefix: str) -> None:
    """``instance.full_clean()`` as one ValidationFailed naming the field (its label in the message;
    ``extra["field"]`` ``items.<field>.<name>`` for an item, so that an import reports the item's row)."""
    item = isinstance(instance, InformationItem)
    try:
        instance.full_clean(exclude=["resource"] if item else None)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = instance._meta.get_field(field).verbose_name if field != "__all__" else ""
        message = f"{prefix}: {label}: {messages[0]}" if label else f"{prefix}: {messages[0]}"
        raise ValidationFailed(message, extra={"field": f"items.{instance.field}.{field}" if item else field,
                                               "rule": "invalid"}) from None


@transaction.atomic
def resource_publish(*, actor, data: dict[str, Any]) -> InformationResource:
    """Create or replace the catalog entry ``data["code"]`` with its items.

    Args:
        data: the resource's fields (``InformationResource``) and ``items``, a list of the items'
            fields (``InformationItem``); 不予共享 items need ``refusal_basis``, 有条件共享 ones
            ``sharing_condition``. An existing resource keeps the items still named (by ``field``)
            and their grants; items no longer named are removed unless a grant names them.

    Raises:
        PermissionDenied: ``actor`` is no operator over the provider.
        ValidationFailed: a field breaks a rule (``extra["field"]``).
        Conflict: an item to remove is still granted.
    """
    provider_code = _code(data.get("provider_code", ""), "provider_code")
    _require_provider_operator(actor, provider_code)
    items = data.get("items") or []
    if not items:
        raise ValidationFailed(_("A resource has at least one information item."),
                               extra={"field": "items", "rule": "required"})
    fields = {k: v for k, v in data.items() if k not in ("items", "provider_code")}
    resource = InformationResource.objects.filter(code=data.get("code", "")).first() or InformationResource()
    for name, value in fields.items():
        setattr(resource, name, dt.date.fromisoformat(value) if name == "published_on" and isinstance(value, str)
                else value)
    resource.provider_code = provider_code
    _full_clean(resource, _("Resource"))
    created = resource.pk is None
    resource.save()
    kept = []
    for order, spec in enumerate(items):
        item = InformationItem.objects.filter(resource=resource, field=spec.get("field", "")).first() \
            or InformationItem(resource=resource)
        for name, value in spec.items():
            setattr(item, name, value)
        item.sort_order = order
        if item.sharing_type == InformationItem.SharingType.NONE and not item.refusal_basis.strip():
            raise ValidationFailed(_("An item that is not shared needs its legal reason."),
                                   extra={"field": f"items.{item.field}.refusal_basis", "rule": "required"})
        if item.sharing_type == InformationItem.SharingType.CONDITIONAL and not item.sharing_condition.strip():
            raise ValidationFailed(_("An item shared on conditions needs its conditions."),
                                   extra={"field": f"items.{item.field}.sharing_condition", "rule": "required"})
        _full_clean(item, _("Information item %(field)s") % {"field": item.field})
        item.save()
        kept.append(item.pk)
    removed = resource.items.exclude(pk__in=kept)
    if removed.filter(grants__isnull=False).exists():
        raise Conflict(_("An item that is granted cannot be removed; revoke its grants first."),
                       extra={"rule": "item_granted"})
    removed.delete()
    audit_record(action="exchange.resource.publish", actor=actor, obj=resource, actor_label="egov exchange",
                 summary=f"{'published' if created else 'updated'} {resource.code}",
                 changes={"items": [i.field for i in resource.items.all()]})
    return resource


@transaction.atomic
def catalog_import(*, actor, data: dict[str, Any]) -> dict[str, int]:
    """Load ``{"resources": [...], "grants": [...], "subscriptions": [...]}``: each resource as
    ``resource_publish`` takes it, each grant ``{"resource", "consumer_code", "consumer_name",
    "fields", "purpose", "legal_basis", "expires_at"?}`` (ISO 8601), each subscription
    ``{"resource", "consumer_code", "consumer_name", "purpose", "legal_basis"}``
    (``subscription_create``: a grant in force first). All or nothing.

    Returns:
        ``{"resources": n, "grants": m}`` and ``"subscriptions": k`` when the file has any.

    Raises:
        What ``resource_publish`` and ``grant_create`` raise; ValidationFailed for an unknown resource.
    """
    resources = [resource_publish(actor=actor, data=spec) for spec in data.get("resources", [])]
    grants = 0
    for spec in data.get("grants", []):
        resource = InformationResource.objects.filter(code=spec.get("resource", "")).first()
        if resource is None:
            raise ValidationFailed(_("No such information resource."),
                                   extra={"field": "resource", "rule": "unknown", "resource": spec.get("resource")})
        expires = spec.get("expires_at")
        grant_create(actor=actor, resource=resource, consumer_code=spec.get("consumer_code", ""),
                     consumer_name=spec.get("consumer_name", ""), fields=list(spec.get("fields", [])),
                     purpose=spec.get("purpose", ""), legal_basis=spec.get("legal_basis", ""),
                     expires_at=dt.datetime.fromisoformat(expires) if expires else None)
        grants += 1
    counts = {"resources": len(resources), "grants": grants}
    if data.get("subscriptions"):
        from egov.exchange.actions.subscriptions import subscription_create

        for spec in data["subscriptions"]:
            resource = InformationResource.objects.filter(code=spec.get("resource", "")).first()
            if resource is None:
                raise ValidationFailed(_("No such information resource."), extra={
                    "field": "resource", "rule": "unknown", "resource": spec.get("resource")})
            subscription_create(actor=actor, resource=resource, consumer_code=spec.get("consumer_code", ""),
                                consumer_name=spec.get("consumer_name", ""), purpose=spec.get("purpose", ""),
                                legal_basis=spec.get("legal_basis", ""))
        counts["subscriptions"] = len(data["subscriptions"])
    return counts
