"""Who may read and write the base registers (deny by default).

- search and see masked rows: staff holding any of ``SEARCH_ROLES`` in some organization;
- see full values (each view audited): ``FULL_VIEW_ROLES`` — by default the data steward only;
- import files: ``IMPORT_ROLES`` — the data steward.

The role sets can be narrowed or widened in settings (``EGOV_REGISTRY_FULL_VIEW_ROLES`` …), never to
an empty check: a user without a role in an organization is always refused.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from egov.core.actors import is_system
from egov.core.errors import PermissionDenied
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.roles import Role

SEARCH_ROLES = (Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.DATA_STEWARD, Role.AUDITOR)
FULL_VIEW_ROLES = (Role.DATA_STEWARD,)
IMPORT_ROLES = (Role.DATA_STEWARD,)


def _roles(name: str, default: tuple) -> tuple:
    return tuple(getattr(settings, name, default))


def organization_with_role(user, roles) -> Organization | None:
    """The first organization in which the active ``user`` holds one of ``roles``; None if none."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return None
    assignment = (RoleAssignment.objects.filter(membership__user=user, role__in=list(roles))
                  .select_related("membership__organization").order_by("membership__organization_id").first())
    return assignment.membership.organization if assignment else None


def can_search(user) -> bool:
    """True when ``user`` may search the registers and see masked rows."""
    return organization_with_role(user, _roles("EGOV_REGISTRY_SEARCH_ROLES", SEARCH_ROLES)) is not None


def can_view_full(user) -> bool:
    """True when ``user`` may see a row's full values (the view is audited)."""
    return organization_with_role(user, _roles("EGOV_REGISTRY_FULL_VIEW_ROLES", FULL_VIEW_ROLES)) is not None


def can_import(user) -> bool:
    """True when ``user`` may import register files."""
    return organization_with_role(user, _roles("EGOV_REGISTRY_IMPORT_ROLES", IMPORT_ROLES)) is not None


def _require(actor, setting: str, default: tuple, message: str) -> Organization | None:
    if is_system(actor):
        return None
    organization = organization_with_role(actor, _roles(setting, default))
    if organization is None:
        raise PermissionDenied(message, extra={"roles": [str(role) for role in _roles(setting, default)]})
    return organization


def require_search(actor) -> Organization | None:
    """The organization on whose behalf ``actor`` searches (None for ``SYSTEM``).

    Raises:
        PermissionDenied: the actor holds none of the search roles.
    """
    return _require(actor, "EGOV_REGISTRY_SEARCH_ROLES", SEARCH_ROLES, _("You may not search the base registers."))


def require_full_view(actor) -> Organization | None:
    """The organization on whose behalf ``actor`` sees full values (None for ``SYSTEM``).

    Raises:
        PermissionDenied: the actor holds no role granted full values.
    """
    return _require(actor, "EGOV_REGISTRY_FULL_VIEW_ROLES", FULL_VIEW_ROLES,
                    _("Your role does not allow seeing full register values."))


def full_view_role(actor, organization: Organization | None) -> str:
    """The role (a ``Role`` value) by which ``actor`` sees full values in ``organization``; "" for
    the platform or none."""
    if organization is None or is_system(actor):
        return ""
    roles = _roles("EGOV_REGISTRY_FULL_VIEW_ROLES", FULL_VIEW_ROLES)
    return (RoleAssignment.objects.filter(membership__user=actor, membership__organization=organization,
                                          role__in=list(roles))
            .order_by("role").values_list("role", flat=True).first() or "")


def require_import(actor) -> Organization | None:
    """The organization on whose behalf ``actor`` imports (None for ``SYSTEM``).

    Raises:
        PermissionDenied: the actor is not a data steward.
    """
    return _require(actor, "EGOV_REGISTRY_IMPORT_ROLES", IMPORT_ROLES, _("Only a data steward may import register "
                                                                          "files."))
