"""Writes of the exchange catalog: resources with their 信息项, grants field by field.

Each action is atomic and audited (``exchange.<entity>.<verb>``). ``actor=None`` is the platform
itself (an ``egov exchange`` command run by the operator of the node or platform); a person must
be an operator over the providing organization.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from egov.audit.actions import audit_record
from egov.core.errors import Conflict, ValidationFailed
from egov.exchange.models import InformationItem, InformationResource, SharingGrant
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
    try:
        instance.full_clean(exclude=["resource"] if isinstance(instance, InformationItem) else None)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(f"{prefix}: {messages[0]}", extra={"field": field, "rule": "invalid"}) from None


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
        _full_clean(item, _("Information item"))
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
def grant_create(*, actor, resource: InformationResource, consumer_code: str, consumer_name: str,
                 fields: list[str], purpose: str, legal_basis: str,
                 expires_at: dt.datetime | None = None) -> SharingGrant:
    """Grant ``consumer_code`` the items ``fields`` of ``resource`` for ``purpose`` until ``expires_at``.

    Raises:
        PermissionDenied: ``actor`` is no operator over the provider.
        ValidationFailed: an unknown field, an item marked 不予共享 (``rule == "not_shared"``, with
            its legal reason in ``extra["reason"]``), no purpose or legal basis, an expiry in the past.
    """
    _require_provider_operator(actor, resource.provider_code)
    consumer_code = _code(consumer_code, "consumer_code")
    if not purpose.strip() or not legal_basis.strip():
        raise ValidationFailed(_("A grant states its purpose and legal basis."),
                               extra={"field": "purpose" if not purpose.strip() else "legal_basis",
                                      "rule": "required"})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(_("A grant cannot expire in the past."), extra={"field": "expires_at", "rule": "past"})
    items = {item.field: item for item in resource.items.all()}
    if not fields:
        raise ValidationFailed(_("Name the information items to grant."), extra={"field": "fields", "rule": "required"})
    for name in fields:
        item = items.get(name)
        if item is None:
            raise ValidationFailed(_("The resource has no item %(field)s.") % {"field": name},
                                   extra={"field": "fields", "rule": "unknown", "item": name})
        if item.sharing_type == InformationItem.SharingType.NONE:
            raise ValidationFailed(_("The item %(field)s is not shared: %(reason)s") % {
                "field": item.name, "reason": item.refusal_basis},
                extra={"field": "fields", "rule": "not_shared", "item": name, "reason": item.refusal_basis})
    grant = SharingGrant.objects.create(resource=resource, consumer_code=consumer_code,
                                        consumer_name=consumer_name[:200], purpose=purpose[:500],
                                        legal_basis=legal_basis[:500], expires_at=expires_at)
    grant.items.set([items[name] for name in fields])
    audit_record(action="exchange.grant.create", actor=actor, obj=grant, actor_label="egov exchange",
                 summary=f"{resource.code} → {consumer_code}", changes={"fields": sorted(fields)})
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: SharingGrant, reason: str) -> SharingGrant:
    """Revoke ``grant`` now for ``reason``.

    Raises:
        PermissionDenied: ``actor`` is no operator over the provider.
        ValidationFailed: no reason. Conflict: revoked already.
    """
    _require_provider_operator(actor, grant.resource.provider_code)
    if not reason.strip():
        raise ValidationFailed(_("Say why the grant is revoked."), extra={"field": "reason", "rule": "required"})
    grant = SharingGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise Conflict(_("This grant is revoked already."), extra={"rule": "revoked"})
    grant.revoked_at = timezone.now()
    grant.revocation_reason = reason[:500]
    grant.save(update_fields=["revoked_at", "revocation_reason"])
    audit_record(action="exchange.grant.revoke", actor=actor, obj=grant, actor_label="egov exchange",
                 summary=f"revoked {grant}", changes={"reason": reason[:500]})
    return grant


@transaction.atomic
def catalog_import(*, actor, data: dict[str, Any]) -> dict[str, int]:
    """Load ``{"resources": [...], "grants": [...]}``: each resource as ``resource_publish`` takes it,
    each grant ``{"resource", "consumer_code", "consumer_name", "fields", "purpose", "legal_basis",
    "expires_at"?}`` (ISO 8601). All or nothing.

    Returns:
        ``{"resources": n, "grants": m}``.

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
    return {"resources": len(resources), "grants": grants}
