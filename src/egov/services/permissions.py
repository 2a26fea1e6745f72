"""Who may change the catalogue, upload material files, and see and work on cases (deny by default)."""

from django.utils.translation import gettext as _

from egov.accounts.models import Agent
from egov.core.errors import NotFound, PermissionDenied
from egov.orgs.models import Membership, Organization
from egov.orgs.permissions import has_role, has_role_over, require_operator
from egov.orgs.roles import Role
from egov.workflow.models import WorkTask


def require_catalog_editor(actor, organization: Organization) -> None:
    """Raise unless ``actor`` may maintain the catalogue items of ``organization``: an operator of it
    or of an organization above it, or None (the platform: migrations, ``egov demo``).

    Raises:
        PermissionDenied: see ``orgs.permissions.require_operator``.
    """
    require_operator(actor, organization)


def require_uploader(actor) -> None:
    """Raise unless ``actor`` is a signed-in, active user (a citizen, an enterprise or staff).

    Raises:
        PermissionDenied: anonymous or deactivated.
    """
    if actor is None or not getattr(actor, "pk", None) or not getattr(actor, "is_active", False):
        raise PermissionDenied(_("Sign in to upload files."))


def applicant_can_see(user, application) -> bool:
    """True when ``user`` is the case's applicant, the account that submitted it, or an active agent
    (经办人) of the legal person that applied."""
    if user is None or not getattr(user, "pk", None) or not getattr(user, "is_active", False):
        return False
    if user.pk in (application.applicant_id, application.submitted_by_id):
        return True
    return Agent.objects.filter(legal_person__user_id=application.applicant_id, person__user=user,
                                revoked_at__isnull=True).exists()


def require_applicant(user, application) -> None:
    """Raise unless ``user`` may see and act on ``application`` as its applicant.

    Raises:
        NotFound: anyone else (not told that the case exists).
    """
    if not applicant_can_see(user, application):
        raise NotFound(_("There is no such case."), extra={"field": "number"})


def staff_can_see(user, application) -> bool:
    """True when the active staff ``user`` is a member of the implementing organization or of an
    organization one of the case's steps was offered to (a joint reviewer)."""
    if user is None or not getattr(user, "pk", None) or not getattr(user, "is_active", False):
        return False
    organizations = {application.organization_id}
    if application.process_id:
        organizations.update(WorkTask.objects.filter(instance_id=application.process_id)
                             .values_list("candidate_organization_id", flat=True))
    return Membership.objects.filter(user=user, organization_id__in=organizations).exists()


def require_case_staff(user, application) -> None:
    """Raise unless ``user`` works in an organization that handles ``application`` (its implementing
    organization or one asked for a joint review: ``staff_can_see``); a role is checked separately
    (``require_case_role``). Not ``workflow.permissions.require_owner_member``, which asks about the
    organization owning a process instance.

    Raises:
        NotFound: staff of other organizations (not told that the case exists).
    """
    if not staff_can_see(user, application):
        raise NotFound(_("There is no such case."), extra={"field": "number"})


def require_case_role(user, organization: Organization, roles) -> None:
    """Raise unless ``user`` holds one of ``roles`` in ``organization`` (deny by default).

    Raises:
        PermissionDenied: naming the roles needed.
    """
    if not any(has_role(user, organization, role) for role in roles):
        raise PermissionDenied(
            _("This step needs the role %(roles)s in %(organization)s.")
            % {"roles": " / ".join(str(role.label) for role in roles), "organization": organization},
            extra={"roles": [str(role) for role in roles]})


def can_review_appeal(user, rectification) -> bool:
    """An operator of an organization above the rated one (never the rated organization itself)."""
    parent = rectification.organization.parent
    return parent is not None and has_role_over(user, parent, Role.OPERATOR)


def intake_operator_organization_ids(user) -> list[int]:
    """Ids of the organizations whose intake queue ``user`` watches: those where the active user is an
    operator (运维管理员), with every organization below them; none for anyone else (deny by default)."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return []
    paths = list(Organization.objects.filter(memberships__user=user, memberships__roles__role=Role.OPERATOR)
                 .values_list("path", flat=True))
    if not paths:
        return []
    ids: set[int] = set()
    for path in paths:
        ids.update(Organization.objects.filter(path__startswith=path).values_list("pk", flat=True))
    return sorted(ids)


def require_intake_operator(user, organization: Organization) -> None:
    """Raise unless ``user`` is an operator (运维管理员) of ``organization`` or of one above it.

    Raises:
        PermissionDenied: naming the role needed.
    """
    if not has_role_over(user, organization, Role.OPERATOR):
        raise PermissionDenied(_("This needs the role %(role)s over %(organization)s.")
                               % {"role": Role.OPERATOR.label, "organization": organization},
                               extra={"roles": [str(Role.OPERATOR)]})
