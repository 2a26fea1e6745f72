"""Writes of organizations, positions and memberships. Each is atomic and audited."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.errors import Conflict, ValidationFailed
from egov.orgs.identifiers import uscc_check
from egov.orgs.models import Division, Membership, Organization, Position, RoleAssignment
from egov.orgs.permissions import require_operator
from egov.orgs.roles import Role


def _path_segment(pk: int) -> str:
    return f"{pk:06d}/"


def _full_clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(f"{field}: {messages[0]}", extra={"field": field, "rule": "invalid"}) from None


@transaction.atomic
def organization_create(
    *,
    actor,
    name: str,
    kind: str,
    division_code: str,
    parent: Organization | None = None,
    short_name: str = "",
    name_en: str = "",
    uscc: str | None = None,
    doc_code: str | None = None,
    sort_order: int = 0,
) -> Organization:
    """Create an organization under ``parent`` (None: a root, such as the municipal government).

    Args:
        actor: the operator doing it (an operator of ``parent`` or above), or None for the platform.
        kind: an ``Organization.Kind`` value.
        division_code: a GB/T 2260 code in use today (6 digits).
        uscc: its unified social credit code (GB 32100-2015), checked; None when not yet known.
        doc_code: its 机关代字 for document numbers, unique across the platform (e.g. ``锡政发``).

    Raises:
        PermissionDenied: the actor is not an operator over ``parent``.
        ValidationFailed: unknown kind, a division code not in use, a bad USCC, a duplicate name,
            USCC or 机关代字 (``extra["field"]`` names it).
    """
    require_operator(actor, parent)
    division = Division.objects.filter(code=division_code, valid_until__isnull=True).first()
    if division is None:
        raise ValidationFailed(
            _("%(code)s is not a division code in use.") % {"code": division_code},
            extra={"field": "division_code", "rule": "division_code"},
        )
    organization = Organization(
        name=name.strip(),
        short_name=short_name.strip(),
        name_en=name_en.strip(),
        kind=kind,
        parent=parent,
        uscc=uscc_check(uscc) if uscc else None,
        division=division,
        doc_code=(doc_code or "").strip() or None,
        sort_order=sort_order,
        path="-",  # replaced below, once the id is known
    )
    _full_clean(organization)
    organization.save()
    organization.path = (parent.path if parent else "") + _path_segment(organization.pk)
    organization.save(update_fields=["path"])
    audit_record(
        action="orgs.organization.create",
        actor=actor,
        organization=parent,
        obj=organization,
        summary=f"created {organization.name}",
        changes={"name": organization.name, "kind": kind, "parent": parent.pk if parent else None,
                 "division": division_code, "uscc": organization.uscc, "doc_code": organization.doc_code},
    )
    return organization


@transaction.atomic
def organization_external(*, actor, name: str, actor_label: str = "") -> Organization:
    """The organization outside the city named ``name`` (the State Council, a ministry, the province:
    the issuer or sender of a document, 来文单位), recorded on first mention.

    An organization with that name (as written) is returned as it is; the caller compares other
    written forms first (``documents`` looks the simplified script up too). A new one is
    ``Kind.EXTERNAL``: no parent, no division, its path ``x`` + id (outside the tree), audited as
    ``orgs.organization.create``.

    Args:
        actor: who records it (the platform, ``SYSTEM``, for ``egov documents import``).
        name: the name as printed in the document (at most 200 characters, not blank).
        actor_label: names the actor in the audit log when ``actor`` is None.

    Returns:
        The organization, found or created.

    Raises:
        ValidationFailed: a blank name or one over 200 characters (``extra["field"] == "name"``).
    """
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed(_("An organization's name has 1 to 200 characters."),
                               extra={"field": "name", "rule": "length"})
    found = Organization.objects.filter(name=name).first()
    if found is not None:
        return found
    organization = Organization(name=name, kind=Organization.Kind.EXTERNAL, path="-")
    _full_clean(organization)
    organization.save()
    organization.path = "x" + _path_segment(organization.pk)
    organization.save(update_fields=["path"])
    audit_record(action="orgs.organization.create", actor=actor, obj=organization,
                 summary=f"recorded {organization.name} (outside the city)",
                 changes={"name": organization.name, "kind": Organization.Kind.EXTERNAL},
                 actor_label=actor_label)
    return organization


@transaction.atomic
def position_create(*, actor, organization: Organization, title: str) -> Position:
    """Create a post ``title`` in ``organization``.

    Raises:
        PermissionDenied: the actor is not an operator over ``organization``.
        ValidationFailed: the title is empty or exists already there.
    """
    require_operator(actor, organization)
    position = Position(organization=organization, title=title.strip())
    _full_clean(position)
    position.save()
    audit_record(action="orgs.position.create", actor=actor, organization=organization, obj=position,
                 summary=f"created position {position.title}", changes={"title": position.title})
    return position


@transaction.atomic
def membership_grant(
    *, actor, user, organization: Organization, roles: Iterable[str], position: Position | None = None
) -> Membership:
    """Make ``user`` a member of ``organization`` holding ``roles`` (added to any held already).

    Args:
        user: a staff user (``user.kind == "staff"``).
        roles: ``Role`` values.
        position: a post of the same organization, or None.

    Raises:
        PermissionDenied: the actor is not an operator over ``organization``.
        ValidationFailed: the user is not staff, an unknown role, or a position of another organization.
    """
    require_operator(actor, organization)
    if getattr(user, "kind", None) != "staff":
        raise ValidationFailed(_("Only staff accounts can be members of an organization."),
                               extra={"field": "user", "rule": "staff_only"})
    roles = sorted(set(roles))
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ValidationFailed(_("Unknown role: %(role)s") % {"role": unknown[0]},
                               extra={"field": "roles", "rule": "unknown_role"})
    if position is not None and position.organization_id != organization.pk:
        raise ValidationFailed(_("The position belongs to another organization."),
                               extra={"field": "position", "rule": "position_organization"})
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization,
        defaults={"position": position, "is_primary": not Membership.objects.filter(user=user).exists()},
    )
    if position is not None and membership.position_id != position.pk:
        membership.position = position
        membership.save(update_fields=["position"])
    held = set(membership.roles.values_list("role", flat=True))
    added = [role for role in roles if role not in held]
    try:
        RoleAssignment.objects.bulk_create([RoleAssignment(membership=membership, role=role) for role in added])
    except IntegrityError:
        raise Conflict(_("The roles changed meanwhile; try again.")) from None
    audit_record(
        action="orgs.membership.grant", actor=actor, organization=organization, obj=membership,
        summary=f"{user} in {organization}: {', '.join(added) or 'no new roles'}",
        changes={"user": user.pk, "created": created, "roles_added": added,
                 "position": position.pk if position else None},
    )
    return membership


@transaction.atomic
def membership_revoke_roles(*, actor, membership: Membership, roles: Iterable[str]) -> Membership:
    """Take ``roles`` away from ``membership`` (roles not held are ignored).

    Raises:
        PermissionDenied: the actor is not an operator over the membership's organization.
    """
    require_operator(actor, membership.organization)
    roles = sorted(set(roles))
    removed = list(membership.roles.filter(role__in=roles).values_list("role", flat=True))
    membership.roles.filter(role__in=roles).delete()
    audit_record(
        action="orgs.membership.revoke_roles", actor=actor, organization=membership.organization,
        obj=membership, summary=f"{membership.user} in {membership.organization}: -{', '.join(removed)}",
        changes={"roles_removed": sorted(removed)},
    )
    return membership
