"""Who may do what with credit records (deny by default).

- Enter a record (行政处罚 and the lists): staff of the providing organization holding one of
  ``ENTER_ROLES`` there.
- Check a subject (联合奖惩核查): staff holding one of ``CHECK_ROLES`` in any organization.
- Run the lifecycle (publish after the objection window, revoke): the credit office, i.e. a
  ``CREDIT_OFFICER`` of any organization (the demo's 市发展改革委 (信用办)), or the platform.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from egov.accounts.models import Agent, LegalPerson, NaturalPerson
from egov.core.actors import is_system
from egov.core.errors import PermissionDenied
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role

ENTER_ROLES = (Role.CREDIT_OFFICER, Role.APPROVER, Role.DATA_STEWARD)
CHECK_ROLES = (Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.CREDIT_OFFICER)


def roles_held(user, roles) -> list[tuple[int, str]]:
    """``[(organization id, role)]`` of ``roles`` the active ``user`` holds, in any organization."""
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return []
    return list(
        RoleAssignment.objects.filter(membership__user=user, role__in=list(roles)).values_list(
            "membership__organization_id", "role"
        )
    )


def providers_of(user):
    """The organizations ``user`` may enter credit records for (holding one of ``ENTER_ROLES`` there),
    by their place in the tree; none for anyone else."""
    ids = {organization_id for organization_id, _role in roles_held(user, ENTER_ROLES)}
    return Organization.objects.filter(pk__in=ids).order_by("path")


def checkers_of(user):
    """The organizations on whose behalf ``user`` may check subjects and ask for credit reports (holding one of
    ``CHECK_ROLES`` there), by their place in the tree; none for anyone else."""
    ids = {organization_id for organization_id, _role in roles_held(user, CHECK_ROLES)}
    return Organization.objects.filter(pk__in=ids).order_by("path")


def require_enter(actor, provider) -> str:
    """The role by which ``actor`` enters records for ``provider`` ("" for the platform).

    Raises:
        PermissionDenied: ``extra = {"rule": "role"}``.
    """
    if is_system(actor):
        return ""
    for role in ENTER_ROLES:
        if has_role(actor, provider, role):
            return str(role)
    raise PermissionDenied(
        _("Only the providing organization's staff may enter its credit records."), extra={"rule": "role"}
    )


def require_check(actor) -> str:
    """The role by which ``actor`` may run the sanction check.

    Raises:
        PermissionDenied: ``extra = {"rule": "role"}``.
    """
    held = roles_held(actor, CHECK_ROLES)
    if not held:
        raise PermissionDenied(
            _("Only clerks, reviewers, approvers and credit officers may check a subject."), extra={"rule": "role"}
        )
    return str(held[0][1])


def require_credit_office(actor) -> None:
    """Raise unless ``actor`` is the platform or a credit officer.

    Raises:
        PermissionDenied: ``extra = {"rule": "role", "role": "credit_officer"}``.
    """
    if is_system(actor) or roles_held(actor, [Role.CREDIT_OFFICER]):
        return
    raise PermissionDenied(
        _("Only the credit office may do this."), extra={"rule": "role", "role": Role.CREDIT_OFFICER}
    )


def _verified(user) -> bool:
    """Whether ``user`` is an active, signed-in account whose holder is verified (实名认证, issue 17)."""
    return bool(
        user is not None
        and getattr(user, "is_active", False)
        and getattr(user, "pk", None)
        and getattr(user, "is_real_name_verified", False)
    )


def _agencies(user):
    """The active agencies of ``user`` that count: the enterprise's own account is verified too (an agent of
    an impostor enterprise account speaks for nobody)."""
    return Agent.objects.filter(person__user=user, revoked_at__isnull=True).exclude(
        legal_person__user__verification_method=""
    )


def is_subject(user, record) -> bool:
    """Whether ``user`` speaks for ``record``'s subject: a legal entity's own account or one of its agents
    (not revoked); a person's own account, matched by the resident ID.

    Only verified accounts speak for anyone (实名认证, issue 17): an account registered with a listed
    enterprise's USCC or a person's ID under another name stays unverified and speaks for nobody. An agent
    counts when both its own account and the enterprise's account are verified.
    """
    if not _verified(user):
        return False
    if record.subject_kind == "natural":
        return NaturalPerson.objects.filter(user=user, id_number=record.subject_code).exists()
    if LegalPerson.objects.filter(user=user, uscc=record.subject_code).exists():
        return True
    return _agencies(user).filter(legal_person__uscc=record.subject_code).exists()


def subject_codes(user) -> list[str]:
    """The codes of the subjects ``user`` speaks for: its own USCC or resident ID and the USCCs of the
    enterprises it is an agent of (not revoked, the enterprise's account verified); none for an anonymous,
    inactive or unverified user (``is_subject``)."""
    if not _verified(user):
        return []
    codes = list(LegalPerson.objects.filter(user=user).values_list("uscc", flat=True))
    codes += NaturalPerson.objects.filter(user=user).values_list("id_number", flat=True)
    codes += _agencies(user).values_list("legal_person__uscc", flat=True)
    return codes


def require_subject(actor, record) -> None:
    """Raise unless ``actor`` speaks for ``record``'s subject (``is_subject``).

    Raises:
        PermissionDenied: ``extra = {"rule": "subject"}``.
    """
    if not is_subject(actor, record):
        raise PermissionDenied(_("Only the record's subject may do this."), extra={"rule": "subject"})


def credit_officers():
    """The active users holding the credit officer's role somewhere (the credit office, to notify)."""
    return get_user_model().objects.filter(is_active=True, memberships__roles__role=Role.CREDIT_OFFICER).distinct()
