"""Writes of grants (授权): granting 信息项 of a resource to a consumer, revoking, and the daily run
that marks expired grants and tells consumers ahead of an expiry.

Each action is atomic and audited (``exchange.grant.<verb>``). ``actor=SYSTEM`` is the platform (an
``egov exchange`` command, the daily run); a person must act for the provider
(``exchange.permissions.require_sharing_staff``: its data steward, or an operator over it).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from egov.audit.actions import audit_record
from egov.core import workdays
from egov.core.actors import SYSTEM
from egov.core.dates import months_add
from egov.core.errors import Conflict, ValidationFailed
from egov.core.text import text_clean
from egov.exchange.actions.notices import organization_notify
from egov.exchange.models import InformationItem, InformationResource, SharingGrant
from egov.exchange.permissions import require_sharing_staff
from egov.orgs.models import Organization
from egov.workflow.selectors import work_calendar


def provider_of(resource: InformationResource) -> Organization | None:
    """The organization on the platform whose USCC is the resource's 提供方代码 (None when unknown)."""
    return Organization.objects.filter(uscc=resource.provider_code).first()


def consumer_of(grant: SharingGrant) -> Organization | None:
    """The organization on the platform holding the grant (None when unknown here)."""
    return Organization.objects.filter(uscc=grant.consumer_code).first()


def _require_provider(actor, resource: InformationResource) -> None:
    if actor is SYSTEM:
        return
    require_sharing_staff(actor, provider_of(resource), side="provider")


def expiry_for(valid_until: dt.date) -> dt.datetime:
    """The moment a grant valid through the local date ``valid_until`` ends: the start of the next day."""
    return timezone.make_aware(dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time.min))


def valid_until_of(grant: SharingGrant) -> dt.date | None:
    """The last local date the grant is valid on (None: no expiry)."""
    if grant.expires_at is None:
        return None
    return timezone.localdate(grant.expires_at - dt.timedelta(microseconds=1))


def default_valid_until(today: dt.date) -> dt.date:
    """``today`` plus ``EGOV_SHARING_GRANT_MONTHS`` months (default 12: 2026-12-04 → 2027-12-04; a
    29 February becomes the last day of the month: ``core.dates.months_add``, 民法典 §202)."""
    return months_add(today, settings.EGOV_SHARING_GRANT_MONTHS)


def valid_until_check(valid_until: dt.date, today: dt.date) -> dt.date:
    """``valid_until`` when it is after ``today`` and no later than ``today`` plus
    ``EGOV_SHARING_GRANT_MAX_MONTHS`` months (default 36: 2026-12-05 → 2029-12-05 is the last day allowed).

    Raises:
        ValidationFailed: ``field = "valid_until"``, ``rule = "past"`` (not after today) or
            ``rule = "too_long"`` (beyond the bound, with ``max`` the last day allowed, ISO 8601).
    """
    if valid_until <= today:
        raise ValidationFailed(_("The grant must be valid after today."),
                               extra={"field": "valid_until", "rule": "past"})
    latest = months_add(today, settings.EGOV_SHARING_GRANT_MAX_MONTHS)
    if valid_until > latest:
        raise ValidationFailed(
            _("A grant is valid for %(months)s months at most: choose a day no later than %(day)s.")
            % {"months": settings.EGOV_SHARING_GRANT_MAX_MONTHS, "day": latest.isoformat()},
            extra={"field": "valid_until", "rule": "too_long", "max": latest.isoformat()})
    return valid_until


@transaction.atomic
def grant_create(*, actor, resource: InformationResource, consumer_code: str, consumer_name: str,
                 fields: list[str], purpose: str, legal_basis: str,
                 expires_at: dt.datetime | None = None, request=None, conditions: str = "") -> SharingGrant:
    """Grant ``consumer_code`` the items ``fields`` of ``resource`` for ``purpose`` until ``expires_at``.

    Args:
        request: the ``SharingRequest`` the grant answers (None: loaded or made directly).
        conditions: the provider's conditions of use (有条件共享), shown with the grant.

    Raises:
        PermissionDenied: ``actor`` does not act for the provider.
        ValidationFailed: an unknown field, an item marked 不予共享 (``rule == "not_shared"``, with
            its legal reason in ``extra["reason"]``), no purpose or legal basis, an expiry in the past.
    """
    _require_provider(actor, resource)
    if not uscc.is_valid(consumer_code or ""):
        raise ValidationFailed(_("Not a valid unified social credit code."),
                               extra={"field": "consumer_code", "rule": "uscc"})
    consumer_code = uscc.compact(consumer_code)
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
                                        legal_basis=legal_basis[:500], expires_at=expires_at, request=request,
                                        conditions=conditions)
    grant.items.set([items[name] for name in fields])
    audit_record(action="exchange.grant.create", actor=actor, obj=grant, actor_label="egov exchange",
                 summary=f"{resource.code} → {consumer_code}",
                 changes={"fields": sorted(fields), "request": request.number if request is not None else None,
                          "expires_at": expires_at.isoformat() if expires_at else None})
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: SharingGrant, reason: str) -> SharingGrant:
    """Revoke ``grant`` now for ``reason``; the consumer's data stewards and operators are told.

    Raises:
        PermissionDenied: ``actor`` does not act for the provider.
        ValidationFailed: no reason (``field = "reason"``), or longer than 500 characters.
        Conflict: revoked already (``rule = "revoked"``).
    """
    _require_provider(actor, grant.resource)
    reason = text_clean(reason, field="reason", limit=500, required_message=_("Say why the grant is revoked."))
    grant = SharingGrant.objects.select_for_update().select_related("resource").get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise Conflict(_("This grant is revoked already."), extra={"rule": "revoked"})
    grant.revoked_at = timezone.now()
    grant.revocation_reason = reason
    grant.save(update_fields=["revoked_at", "revocation_reason"])
    audit_record(action="exchange.grant.revoke", actor=actor, obj=grant, actor_label="egov exchange",
                 organization=provider_of(grant.resource), summary=f"revoked {grant}", changes={"reason": reason})

    def compose() -> tuple[str, str]:
        return (_("Grant revoked: %(resource)s") % {"resource": grant.resource.name},
                _("%(provider)s revoked the grant of %(resource)s (%(code)s) to %(consumer)s. Reason: %(reason)s")
                % {"provider": grant.resource.provider_name, "resource": grant.resource.name,
                   "code": grant.resource.code, "consumer": grant.consumer_name, "reason": reason})

    organization_notify(organization=consumer_of(grant), compose=compose, link_name="exchange_sharing:grant",
                        link_args=[grant.pk])
    return grant


@transaction.atomic
def grants_expire(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily run: mark the grants whose expiry has passed (once each, audited, the consumer
    told), and tell consumers once when a grant in force has ``EGOV_SHARING_EXPIRY_NOTICE_DAYS``
    working days or fewer left (default 10, on the platform's calendar).

    ``selectors.grants_in_force`` needs no mark: it compares ``expires_at`` with the time of the
    call. The mark records the end in the audit log and sends the notice.

    Returns:
        ``{"expired": n, "noticed": n}``.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    calendar = work_calendar()
    counts = {"expired": 0, "noticed": 0}
    live = SharingGrant.objects.select_for_update(of=("self",)).select_related("resource").filter(
        revoked_at__isnull=True, expires_at__isnull=False)
    for grant in live.filter(lapsed_at__isnull=True, expires_at__lte=now):
        grant.lapsed_at = now
        grant.save(update_fields=["lapsed_at"])
        audit_record(action="exchange.grant.expire", obj=grant, actor_label="egov exchange",
                     summary=f"expired {grant}", changes={"expires_at": grant.expires_at.isoformat()})
        last = valid_until_of(grant)

        def expired(grant=grant, last=last) -> tuple[str, str]:
            return (_("Grant expired: %(resource)s") % {"resource": grant.resource.name},
                    _("The grant of %(resource)s (%(code)s) from %(provider)s ended on %(day)s. Ask again if "
                      "the data is still needed.") % {"resource": grant.resource.name, "code": grant.resource.code,
                                                       "provider": grant.resource.provider_name,
                                                       "day": last.isoformat()})

        organization_notify(organization=consumer_of(grant), compose=expired, link_name="exchange_sharing:grant",
                            link_args=[grant.pk])
        counts["expired"] += 1
    for grant in live.filter(expiry_noticed_on__isnull=True, expires_at__gt=now):
        last = valid_until_of(grant)
        left = workdays.working_days_between(today, last, calendar=calendar)
        if left > settings.EGOV_SHARING_EXPIRY_NOTICE_DAYS:
            continue
        grant.expiry_noticed_on = today
        grant.save(update_fields=["expiry_noticed_on"])

        def soon(grant=grant, last=last, left=left) -> tuple[str, str]:
            return (_("Grant expires on %(day)s: %(resource)s") % {"day": last.isoformat(),
                                                                    "resource": grant.resource.name},
                    _("The grant of %(resource)s (%(code)s) from %(provider)s is valid until %(day)s (%(left)d "
                      "working days left). Ask again in time if the data is still needed.")
                    % {"resource": grant.resource.name, "code": grant.resource.code,
                       "provider": grant.resource.provider_name, "day": last.isoformat(), "left": left})

        organization_notify(organization=consumer_of(grant), compose=soon, link_name="exchange_sharing:grant",
                            link_args=[grant.pk])
        counts["noticed"] += 1
    return counts
