"""Reads of accounts. Reads of personal data by staff are audited."""

from django.db.models import QuerySet
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import Agent, LegalPerson, NaturalPerson, User
from egov.audit.actions import audit_record, audit_subject_read
from egov.orgs.models import RoleAssignment
from egov.orgs.roles import MFA_REQUIRED_ROLES


def mfa_required(*, user: User) -> bool:
    """True when ``user`` must pass TOTP to sign in: a staff member holding an approving or
    administering role anywhere (``orgs.roles.MFA_REQUIRED_ROLES``), or anyone with a confirmed device."""
    if user.kind == User.Kind.STAFF and RoleAssignment.objects.filter(
        membership__user=user, role__in=list(MFA_REQUIRED_ROLES)
    ).exists():
        return True
    return any(True for _ in devices_for_user(user, confirmed=True))


def has_second_factor(*, user: User) -> bool:
    """True when ``user`` can pass the TOTP step now: a confirmed authenticator, or unused backup codes."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or StaticToken.objects.filter(
        device__user=user, device__confirmed=True
    ).exists()


def first_enrolment_allowed(*, user: User) -> bool:
    """True when ``user`` never had a second factor (no confirmed authenticator, no backup-code
    device): only then may the password step lead straight to setting one up."""
    return not TOTPDevice.objects.filter(user=user, confirmed=True).exists() and not StaticDevice.objects.filter(
        user=user, confirmed=True
    ).exists()


def natural_persons_search(*, actor: User, name: str, limit: int = 50) -> QuerySet[NaturalPerson]:
    """Natural persons whose name contains ``name`` (any Unicode, Extension B included), for staff.

    The search is a read of personal data: one audit event names the actor and the query.
    Authorization is the caller's (an API or view that requires a staff role).
    """
    name = name.strip()
    audit_record(action="accounts.natural_person.search", actor=actor, object_type="accounts.naturalperson",
                 summary=f"name search ({len(name)} characters)", changes={"query_length": len(name)})
    return NaturalPerson.objects.filter(name__contains=name).order_by("name")[:limit]


def legal_persons_acted_for(*, user: User) -> list[LegalPerson]:
    """The legal persons ``user`` (a natural person's account) is an active agent (经办人) of, by
    name; ``[]`` for anyone else. The user's own data: not audited."""
    return [agent.legal_person for agent in Agent.objects.filter(person__user=user, revoked_at__isnull=True)
            .select_related("legal_person").order_by("legal_person__name")]


def public_account_for_window(*, actor: User, identifier: str) -> User | None:
    """The public account whose sign-in name is ``identifier`` (a resident ID number or USCC, spaces
    and a lowercase x allowed), for a clerk verifying its holder at a service window; None when there
    is none. Showing its name is a read of personal data: audited when found.

    Authorization is the caller's (the window page requires an intake clerk).
    """
    code = "".join(identifier.split()).upper()[:30]
    user = User.objects.filter(username=code, kind__in=[User.Kind.NATURAL, User.Kind.LEGAL]).first()
    if user is not None:
        event = audit_record(action="accounts.user.read", actor=actor, object_type="accounts.user",
                             object_id=user.pk, summary="account shown for verification at a service window",
                             changes={"purpose": "verify"})
        audit_subject_read(subject=user.username, subject_kind=user.kind, action="accounts.user.read",
                           organization_label=str(actor), case="窗口核验身份", via="platform", event=event,
                           resource_name="账户姓名", resource_name_en="Account name")
    return user


def may_verify_in_person(*, user) -> bool:
    """True when ``user`` is an active staff member holding the intake-clerk role somewhere (who
    verifies identities at a service window, ``actions.account_verify_in_person``)."""
    from egov.orgs.roles import Role

    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.kind == User.Kind.STAFF
                and RoleAssignment.objects.filter(membership__user=user, role=Role.CLERK).exists())
