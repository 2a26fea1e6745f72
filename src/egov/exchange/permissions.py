"""Who may ask for, decide on and revoke sharing (共享申请 and grants), by organization and role.

Deny by default. An organization's data stewards (``Role.DATA_STEWARD``, 数据管理员, in the
organization itself) and its operators (``Role.OPERATOR`` in it or in an ancestor, as
``orgs.permissions.require_operator`` has it) act for it: on the consumer's side they ask, on the
provider's side they decide and revoke. Anyone else is not told that a request exists (404).
"""

from django.utils.translation import gettext as _

from egov.core.actors import is_system
from egov.core.errors import NotFound, PermissionDenied
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.permissions import has_role, has_role_over
from egov.orgs.roles import Role

SHARING_ROLES = (Role.DATA_STEWARD, Role.OPERATOR)


def sharing_organization_ids(user) -> set[int]:
    """Ids of the organizations ``user`` acts for in sharing: where it is a data steward or operator,
    and the organizations below one where it is an operator. Empty for anyone else."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return set()
    rows = RoleAssignment.objects.filter(membership__user=user, role__in=SHARING_ROLES).values_list(
        "role", "membership__organization_id", "membership__organization__path")
    ids: set[int] = set()
    for role, organization_id, path in rows:
        ids.add(organization_id)
        if role == Role.OPERATOR:
            ids.update(Organization.objects.filter(path__startswith=path).values_list("pk", flat=True))
    return ids


def may_act_for(user, organization: Organization | None) -> bool:
    """True when ``user`` is a data steward of ``organization`` or an operator over it."""
    if organization is None:
        return False
    return has_role(user, organization, Role.DATA_STEWARD) or has_role_over(user, organization, Role.OPERATOR)


def require_sharing_staff(actor, organization: Organization | None, *, side: str, message: str = "") -> None:
    """Raise unless ``actor`` (or the platform, ``SYSTEM``) acts for ``organization`` in sharing.

    Args:
        side: ``consumer`` (asking) or ``provider`` (deciding, revoking), for the message.
        message: what the refusal says when it is about something else than asking, deciding or
            revoking (pushing changes, replaying dead letters).

    Raises:
        PermissionDenied: ``extra = {"rule": "sharing_role", "side": side, "roles": [...]}``.
    """
    if is_system(actor) or may_act_for(actor, organization):
        return
    message = message or (_("Only a data steward or operator of the consumer organization can ask for its data.")
                          if side == "consumer" else
                          _("Only a data steward or operator of the providing organization can decide or revoke."))
    raise PermissionDenied(message, extra={"rule": "sharing_role", "side": side,
                                           "roles": [str(role) for role in SHARING_ROLES]})


def require_request_party(user, request) -> None:
    """Raise unless ``user`` acts for the request's consumer or provider.

    Raises:
        NotFound: anyone else (not told that the request exists).
    """
    ids = sharing_organization_ids(user)
    if request.consumer_id not in ids and request.provider_id not in ids:
        raise NotFound(_("There is no such sharing request."), extra={"field": "number"})
