"""Who may work on which task and case (deny by default).

A task is offered to one role in one organization. Staff outside that organization are not told
that the task exists (``NotFound``); members without the role are refused (``PermissionDenied``).
"""

from django.utils.translation import gettext as _

from egov.core.actors import is_system
from egov.core.errors import NotFound, PermissionDenied
from egov.orgs.models import Membership, Organization, RoleAssignment
from egov.orgs.permissions import has_role
from egov.workflow.models import WorkTask


def is_member(user, organization: Organization) -> bool:
    """True when the active ``user`` has a membership of ``organization`` itself."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return False
    return Membership.objects.filter(user=user, organization=organization).exists()


def can_see_task(user, task: WorkTask) -> bool:
    """A member of the candidate organization, or the person who claimed or completed the task."""
    if user is None or not getattr(user, "pk", None):
        return False
    return user.pk in (task.claimed_by_id, task.completed_by_id) or is_member(user, task.candidate_organization)


def can_work_on(user, task: WorkTask) -> bool:
    """True when ``user`` holds the task's candidate role in its candidate organization."""
    return has_role(user, task.candidate_organization, task.candidate_role)


def require_candidate(user, task: WorkTask) -> None:
    """Raise unless ``user`` may claim, release or complete ``task``.

    Raises:
        NotFound: the user is not a member of the candidate organization (nor its claimer).
        PermissionDenied: a member without the candidate role.
    """
    if not can_see_task(user, task):
        raise NotFound(_("No such task."))
    if not can_work_on(user, task):
        raise PermissionDenied(
            _("This step needs the role %(role)s in %(organization)s.")
            % {"role": task.get_candidate_role_display(), "organization": task.candidate_organization},
            extra={"role": task.candidate_role},
        )


def require_owner_member(actor, organization: Organization) -> None:
    """Raise unless ``actor`` is the platform (``SYSTEM``) or holds any role in ``organization``, the
    organization that owns a process instance (not to be confused with ``services``'
    ``require_case_staff``, which asks whether a staff member handles one case).

    Raises:
        PermissionDenied: the actor holds no role there.
    """
    if is_system(actor):
        return
    if not RoleAssignment.objects.filter(membership__user=actor, membership__organization=organization).exists():
        raise PermissionDenied(_("You hold no role in %(organization)s.") % {"organization": organization})
