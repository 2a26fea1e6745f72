"""Who may do what, by organization and role (deny by default)."""

from django.utils.translation import gettext as _

from egov.core.actors import is_system
from egov.core.errors import PermissionDenied
from egov.orgs.models import Membership, Organization, RoleAssignment
from egov.orgs.roles import Role


def member_organization_ids(user) -> list[int]:
    """Ids of the organizations ``user`` is a member of; none for an inactive, anonymous or unsaved user."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return []
    return list(Membership.objects.filter(user=user).values_list("organization_id", flat=True))


def has_role(user, organization: Organization, role: Role) -> bool:
    """True when the active ``user`` holds ``role`` through a membership of ``organization`` itself."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return False
    return RoleAssignment.objects.filter(
        membership__user=user, membership__organization=organization, role=role
    ).exists()


def has_role_over(user, organization: Organization, role: Role) -> bool:
    """True when ``user`` holds ``role`` in ``organization`` or in one of its ancestors.

    An operator of the municipal government administers its departments; one of a department does
    not administer the government.
    """
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return False
    ancestor_ids = [int(part) for part in organization.path.split("/") if part]
    return RoleAssignment.objects.filter(
        membership__user=user, membership__organization_id__in=ancestor_ids, role=role
    ).exists()


def require_operator(actor, organization: Organization | None) -> None:
    """Raise unless ``actor`` may administer ``organization`` (None: the whole tree).

    ``actor=SYSTEM`` is the platform itself (migrations, ``egov`` commands run by the server's
    operator); people always act as themselves.

    Raises:
        PermissionDenied: the actor holds no operator role over the organization.
    """
    if is_system(actor):
        return
    if organization is None:
        allowed = getattr(actor, "is_active", False) and RoleAssignment.objects.filter(
            membership__user=actor, membership__organization__parent__isnull=True, role=Role.OPERATOR
        ).exists()
    else:
        allowed = has_role_over(actor, organization, Role.OPERATOR)
    if not allowed:
        raise PermissionDenied(_("You are not an operator of this organization."), extra={"role": Role.OPERATOR})
