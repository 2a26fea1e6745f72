"""Writes of accounts: registration, agents, staff accounts, MFA devices. Atomic and audited."""

import math
import re
import unicodedata
from collections.abc import Iterable

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import throttling, verification
from egov.accounts.models import Agent, LegalPerson, NaturalPerson, User
from egov.accounts.selectors import may_verify_in_person
from egov.accounts.signals import second_factor_changed
from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.context import current as request_context
from egov.core.errors import Conflict, PermissionDenied, TooManyRequests, ValidationFailed
from egov.core.text import name_clean
from egov.orgs.actions import membership_grant
from egov.orgs.identifiers import resident_id_check, uscc_check
from egov.orgs.models import Organization, Position
from egov.orgs.permissions import require_operator

_NAME_MAX = 200


def _check_name(name: str, field: str = "name") -> str:
    """A registered or display name: ``core.text.name_clean`` (no bidirectional, zero-width or
    control characters; rare CJK welcome), at most 200 characters."""
    return name_clean(name, field=field, limit=_NAME_MAX, label=_("The name"),
                      required_message=_("The name is required."))


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), extra={"field": "password", "rule": "password"}) from None


def _check_user_fields(user: User) -> None:
    """The model's own field rules (lengths, e-mail syntax), and no NUL, which PostgreSQL text refuses:
    bad input is a ``ValidationFailed``, never a database error."""
    for field in ("username", "email", "phone"):
        if "\x00" in getattr(user, field):
            raise ValidationFailed(_("This field contains a null character."),
                                   extra={"field": field, "rule": "invalid"})
    try:
        user.clean_fields(exclude=["password"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(messages[0], extra={"field": field, "rule": "invalid"}) from None


# Mainland mobile numbers: 11 digits, 1 then 3–9 (电信网编号计划 (2017年版): 移动业务 13x–19x).
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def mobile_phone_check(value: str, *, field: str = "phone") -> str:
    """Check a mainland mobile number and return it as 11 ASCII digits ("" stays "": not given).

    Read as typed: full-width digits, spaces and hyphens between groups, and a leading +86 or 86
    are accepted. Raises ``ValidationFailed`` (``extra = {"field": field, "rule": "format"}``) for
    anything else, such as a 10-digit number or one that does not start with 13–19.
    """
    number = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or ""))
    if not number:
        return ""
    number = re.sub(r"^\+?86(?=1[0-9]{10}$)", "", number)
    if not _MOBILE.match(number):
        raise ValidationFailed(_("A mobile number is 11 digits starting with 13 to 19."),
                               extra={"field": field, "rule": "format"})
    return number


def _create_user(*, username: str, name: str, kind: str, password: str, email: str = "", phone: str = "") -> User:
    user = User(username=username, name=name, kind=kind, email=email.strip(), phone=mobile_phone_check(phone))
    _check_user_fields(user)
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationFailed(_("An account with this sign-in name exists already."),
                               extra={"field": "username", "rule": "already_registered"}) from None
    return user


def _registration_limit() -> str:
    """The client address of this registration, once ``throttling.registration_wait`` allows it.

    Raises:
        TooManyRequests: the address or the platform has opened its quota of accounts for now (429
            with ``Retry-After``).
    """
    address = request_context().client_ip
    wait = throttling.registration_wait(address=address)
    if wait:
        minutes = math.ceil(wait / 60)
        raise TooManyRequests(
            ngettext(
                "Too many accounts have been opened from here just now: try again in %(minutes)d minute.",
                "Too many accounts have been opened from here just now: try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=wait,
        )
    return address


@transaction.atomic
def natural_person_register(
    *, id_number: str, name: str, password: str, phone: str = "", email: str = ""
) -> NaturalPerson:
    """Open a public account for a natural person (自然人注册).

    Args:
        id_number: 18-character resident ID number; checked by ``orgs.identifiers.resident_id_check``
            (a lowercase x is stored as X).
        name: full name, any Unicode (CJK Extension B included), at most 200 characters.
        password: checked by Django's validators (at least 10 characters, not common, not numeric).

    Returns:
        The new ``NaturalPerson``; its user signs in with the ID number.

    Raises:
        ValidationFailed: the field and rule are in ``extra`` (``id_number``: ``format``,
            ``check_character``, ``birth_date``, ``division_code``, ``already_registered``;
            ``name``; ``password``). Nothing is written.
        TooManyRequests: more than ``EGOV_REGISTRATIONS_PER_ADDRESS_HOUR`` accounts from this client
            address in the last hour, or ``EGOV_REGISTRATIONS_PER_MINUTE`` overall in the last minute
            (web requests only: ``throttling.registration_wait``).
    """
    address = _registration_limit()
    rid = resident_id_check(id_number)
    name = _check_name(name)
    if NaturalPerson.objects.filter(id_number=rid.number).exists():
        raise ValidationFailed(_("This ID number is registered already."),
                               extra={"field": "id_number", "rule": "already_registered"})
    user = _create_user(username=rid.number, name=name, kind=User.Kind.NATURAL, password=password,
                        email=email, phone=phone)
    person = NaturalPerson.objects.create(user=user, id_number=rid.number, name=name, birth_date=rid.birth_date,
                                          sex=rid.sex, division_code=rid.division_code)
    audit_record(action="accounts.natural_person.register", actor=user, obj=person,
                 summary="natural person registered", changes={"fields": ["id_number", "name", "phone", "email"]})
    throttling.registration_note(address=address)
    account_verify_by_register(user=user)
    return person


@transaction.atomic
def legal_person_register(
    *, uscc: str, name: str, legal_representative: str, password: str, agent: NaturalPerson | None = None,
    email: str = "", phone: str = "",
) -> LegalPerson:
    """Open a public account for a legal person (法人注册), optionally naming its first agent (经办人).

    Raises:
        ValidationFailed: ``uscc`` (``format``, ``registration_authority``, ``check_character``,
            ``authority_type_pair``, ``division_code`` from ``orgs.identifiers.uscc_check``;
            ``already_registered``), ``name``, ``legal_representative``, ``password``. Nothing is written.
        TooManyRequests: as ``natural_person_register``.
    """
    address = _registration_limit()
    code = uscc_check(uscc)
    name = _check_name(name)
    legal_representative = _check_name(legal_representative, "legal_representative")
    if LegalPerson.objects.filter(uscc=code).exists():
        raise ValidationFailed(_("This unified social credit code is registered already."),
                               extra={"field": "uscc", "rule": "already_registered"})
    user = _create_user(username=code, name=name, kind=User.Kind.LEGAL, password=password, email=email, phone=phone)
    legal = LegalPerson.objects.create(user=user, uscc=code, name=name, legal_representative=legal_representative)
    audit_record(action="accounts.legal_person.register", actor=user, obj=legal, summary="legal person registered",
                 changes={"fields": ["uscc", "name", "legal_representative"]})
    throttling.registration_note(address=address)
    account_verify_by_register(user=user)
    if agent is not None:
        agent_appoint(actor=user, legal_person=legal, person=agent)
    return legal


def _verification_record(*, actor, user: User, method: str, reference: str) -> User:
    """Mark ``user`` verified by ``method`` now (the one write of the verification state), audited."""
    _public_account(user)
    user.verification_method, user.verified_at = method, timezone.now()
    user.verification_reference = reference[:200]
    user.save(update_fields=["verification_method", "verified_at", "verification_reference"])
    audit_record(action="accounts.user.verify", actor=actor, object_type="accounts.user", object_id=user.pk,
                 summary=f"real-name verified: {method}",
                 changes={"method": method, "reference": user.verification_reference})
    return user


def _public_account(user: User) -> tuple[str, str]:
    """The kind (``natural``/``legal``) and identifier (resident ID number / USCC) of a public account."""
    if user.kind == User.Kind.NATURAL:
        return "natural", user.natural_person.id_number
    if user.kind == User.Kind.LEGAL:
        return "legal", user.legal_person.uscc
    raise ValidationFailed(_("Only citizens' and enterprises' accounts are verified."),
                           extra={"field": "user", "rule": "kind"})


@transaction.atomic
def account_verify_by_register(*, user: User) -> bool:
    """Real-name verification against the base register (实名认证, issue 17): the account is verified
    when the configured register (``verification.register_get``; the population register for a
    citizen, the legal-entity register for an enterprise) holds its identifier under exactly its name,
    in force. Called at registration; an account verified already stays as it is.

    Returns:
        True when the account is verified (now or before); False when no register is configured or
        the register does not hold this identifier with this name (the account stays unverified and
        may get verified at a service window).

    Raises:
        ValidationFailed: ``user`` is a staff account (``rule: "kind"``).
    """
    if user.is_real_name_verified:
        return True
    kind, code = _public_account(user)
    register = verification.register_get()
    if register is None:
        return False
    # The purpose names the check, never the person: it is written to the audit log, the read log
    # ("who read my data") and the exchange's message log, none of which may hold an ID number.
    answer = register.check(kind=kind, code=code, name=user.name, purpose="实名认证")
    if not answer.holds:  # no state changes: nothing to audit (the register's read is audited there)
        return False
    _verification_record(actor=user, user=user, method=User.Verification.REGISTER, reference=answer.reference)
    return True


@transaction.atomic
def account_verification_import(*, actor, user: User, method: str, reference: str) -> User:
    """Record a verification made elsewhere, by the platform only (``SYSTEM``): accounts migrated
    from an earlier system with their verification, and test fixtures.

    Raises:
        PermissionDenied: ``actor`` is not the platform.
        ValidationFailed: unknown ``method`` (``field: "method"``); not a public account.
    """
    if not is_system(actor):
        raise PermissionDenied(_("Only the platform records verifications made elsewhere."))
    if method not in User.Verification.values:
        raise ValidationFailed(_("Unknown verification method."), extra={"field": "method", "rule": "choice"})
    return _verification_record(actor=actor, user=user, method=method, reference=reference)


@transaction.atomic
def account_verify_by_oidc(*, user: User, issuer: str, subject: str, id_number: str, name: str) -> User:
    """Verification by the provincial identity provider (OpenID Connect): the ID token's claims,
    already checked by the relying party (``accounts.oidc``), state ``id_number`` and ``name``; the
    account is verified when they are exactly its resident ID number and name.

    Args:
        issuer, subject: the token's ``iss`` and ``sub`` (kept as the reference, ``<iss> <sub>``).

    Returns:
        ``user`` verified ``oidc`` (unchanged when it was verified already).

    Raises:
        ValidationFailed: not a natural person's account (``rule: "kind"``); the provider's identity is
            another one (``field: "id_number"`` or ``"name"``, ``rule: "mismatch"``).
    """
    if user.kind != User.Kind.NATURAL:
        raise ValidationFailed(_("The identity provider verifies citizens' accounts only."),
                               extra={"field": "user", "rule": "kind"})
    if id_number != user.natural_person.id_number:
        raise ValidationFailed(_("The identity provider signed in another person: the ID numbers differ."),
                               extra={"field": "id_number", "rule": "mismatch"})
    if name != user.name:
        raise ValidationFailed(_("The identity provider knows this ID number under another name."),
                               extra={"field": "name", "rule": "mismatch"})
    if user.is_real_name_verified:
        return user
    return _verification_record(actor=user, user=user, method=User.Verification.OIDC, reference=f"{issuer} {subject}")


IDENTITY_DOCUMENTS = {
    "resident_id_card": gettext_lazy("Resident identity card"),  # 居民身份证
    "temporary_id_card": gettext_lazy("Temporary resident identity card"),  # 临时居民身份证
    "business_licence": gettext_lazy("Business licence"),  # 营业执照 (with the representative's ID card)
}


@transaction.atomic
def account_verify_in_person(*, actor: User, user: User, document: str) -> User:
    """Verification at a service window (窗口现场核验): a clerk has checked ``document`` presented by
    the account's holder (its number and name against the account's) and confirms.

    Args:
        actor: a staff member holding the intake-clerk role (``Role.CLERK``) in any organization.
        document: the kind of document checked, a key of ``IDENTITY_DOCUMENTS``.

    Returns:
        ``user``, verified ``in_person`` with the clerk and the document as its reference.

    Raises:
        PermissionDenied: ``actor`` is no intake clerk.
        ValidationFailed: ``document`` unknown (``field: "document"``); ``user`` not a public account.
        Conflict: the account is verified already (``rule: "verified"``).
    """
    if not may_verify_in_person(user=actor):
        raise PermissionDenied(_("Only an intake clerk at a service window verifies identities."))
    if document not in IDENTITY_DOCUMENTS:
        raise ValidationFailed(_("Choose the identity document you checked."),
                               extra={"field": "document", "rule": "choice"})
    _public_account(user)
    if user.is_real_name_verified:
        raise Conflict(_("This account is verified already."), extra={"field": "user", "rule": "verified"})
    return _verification_record(actor=actor, user=user, method=User.Verification.IN_PERSON,
                                reference=f"{document} checked by {actor.username}")


@transaction.atomic
def agent_appoint(*, actor: User, legal_person: LegalPerson, person: NaturalPerson) -> Agent:
    """Name ``person`` an agent (经办人) of ``legal_person``; only the legal person's own account may.

    Raises:
        PermissionDenied: ``actor`` is not the legal person's account.
        Conflict: the person is an active agent already.
    """
    if actor.pk != legal_person.user_id:
        raise PermissionDenied(_("Only the legal person's own account can appoint its agents."))
    try:
        with transaction.atomic():
            agent = Agent.objects.create(legal_person=legal_person, person=person)
    except IntegrityError:
        raise Conflict(_("This person is an agent already."), extra={"field": "person"}) from None
    audit_record(action="accounts.agent.appoint", actor=actor, obj=agent, summary="agent appointed",
                 changes={"legal_person": legal_person.pk, "person": person.pk})
    return agent


@transaction.atomic
def agent_revoke(*, actor: User, agent: Agent) -> Agent:
    """End an agent's appointment (kept for history).

    Raises:
        PermissionDenied: ``actor`` is not the legal person's account.
        Conflict: the appointment has ended already.
    """
    if actor.pk != agent.legal_person.user_id:
        raise PermissionDenied(_("Only the legal person's own account can revoke its agents."))
    if agent.revoked_at is not None:
        raise Conflict(_("This appointment has ended already."))
    agent.revoked_at = timezone.now()
    agent.save(update_fields=["revoked_at"])
    audit_record(action="accounts.agent.revoke", actor=actor, obj=agent, summary="agent revoked")
    return agent


@transaction.atomic
def staff_user_create(
    *, actor, username: str, name: str, password: str, organization: Organization, roles: Iterable[str],
    position: Position | None = None, email: str = "", phone: str = "",
) -> User:
    """Create a staff account (工作人员) as a member of ``organization`` holding ``roles``.

    Raises:
        PermissionDenied: ``actor`` is not an operator over ``organization``.
        ValidationFailed: ``username`` taken or empty, ``name``, ``password``, unknown role.
    """
    require_operator(actor, organization)
    username = (username or "").strip()
    if not username:
        raise ValidationFailed(_("The sign-in name is required."), extra={"field": "username", "rule": "required"})
    user = _create_user(username=username, name=_check_name(name), kind=User.Kind.STAFF, password=password,
                        email=email, phone=phone)
    audit_record(action="accounts.staff_user.create", actor=actor, organization=organization, obj=user,
                 summary=f"staff account {username} created", changes={"username": username})
    membership_grant(actor=actor, user=user, organization=organization, roles=roles, position=position)
    return user


@transaction.atomic
def staff_totp_enrol(*, user: User) -> TOTPDevice:
    """Start TOTP enrolment for a staff user: a new unconfirmed device (RFC 6238, 30 s, 6 digits).

    Any earlier unconfirmed device is replaced. The device counts only after
    ``staff_totp_confirm`` with a code from the authenticator app.
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    audit_record(action="accounts.totp.enrol", actor=user, obj=device, summary="TOTP enrolment started")
    return device


@transaction.atomic
def staff_totp_confirm(*, user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm an enrolled TOTP device with a current code.

    Raises:
        ValidationFailed: the code does not match (``extra["field"] == "token"``).
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationFailed(_("No enrolment is in progress."), extra={"field": "token", "rule": "no_enrolment"})
    if not device.verify_token((token or "").strip()):
        raise ValidationFailed(_("The code is wrong or has expired."), extra={"field": "token", "rule": "totp"})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action="accounts.totp.confirm", actor=user, obj=device, summary="TOTP device confirmed")
    return device


# Wrong codes in a row a device forgives before django-otp's back-off (then 2, 4, 8 … seconds) applies:
# a person who mistypes once and then types the right code is let in at once.
SECOND_FACTOR_FORGIVEN = 1
TOTP_DIGITS = 6  # RFC 6238 codes as our authenticators show them; backup codes have another length


@transaction.atomic
def staff_second_factor_match(*, user: User, token: str):
    """Check a second-factor code of ``user``: a 6-digit code against the user's authenticators
    (TOTP), any other against the backup codes (each usable once).

    Only devices of the code's kind are tried, so a right authenticator code never counts as a
    wrong backup code (nor the other way round). Each device forgives one
    wrong code (``SECOND_FACTOR_FORGIVEN``); after more in a row django-otp's exponential back-off
    refuses every code, right or wrong, until its wait has passed (``verify_is_allowed``: 2 s after
    the second, 4 s after the third …). A right code resets the count.

    Returns:
        The confirmed device that accepted the code, or None.
    """
    token = (token or "").strip()
    if not token:
        return None
    kind = TOTPDevice if len(token) == TOTP_DIGITS and token.isdigit() else StaticDevice
    for device in kind.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk"):
        if device.throttling_failure_count <= SECOND_FACTOR_FORGIVEN:
            device.throttling_failure_timestamp = None  # a forgiven wrong code: no wait (not saved)
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def staff_backup_codes_issue(*, actor, user: User, codes: Iterable[str]) -> StaticDevice:
    """Give ``user`` one-time backup codes (django-otp static tokens), replacing earlier ones.

    Used when an authenticator is lost, and by the demo to print a sign-in code.

    Raises:
        PermissionDenied: ``actor`` is neither the platform (``SYSTEM``) nor an operator over one of the
            user's organizations.
    """
    _require_operator_over_user(actor, user)
    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    device.token_set.all().delete()
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record(action="accounts.backup_codes.issue", actor=actor, obj=device, summary=f"backup codes for {user}")
    if not is_system(actor) and actor.pk != user.pk:
        second_factor_changed.send(sender=User, user=user, actor=actor, change="backup_codes")
    return device


def _require_operator_over_user(actor, user: User) -> None:
    """Raise unless ``actor`` is the platform or an operator over the organization of ``user``'s first
    membership (``orgs.permissions.require_operator``)."""
    if is_system(actor):
        return
    memberships = list(user.memberships.select_related("organization").order_by("pk"))
    if not memberships:
        raise PermissionDenied(_("This user belongs to no organization."))
    require_operator(actor, memberships[0].organization)


@transaction.atomic
def staff_second_factor_reset(*, actor, user: User, reason: str = "") -> dict[str, int]:
    """Remove every second factor of a staff user (TOTP authenticators, confirmed or not, and backup
    codes), as when the authenticator is lost: at the next sign-in the password step leads to
    setting up a new one (``selectors.first_enrolment_allowed``). Audited
    (``accounts.second_factor.reset`` on the user) and, when the actor is someone else, the user is
    told (``signals.second_factor_changed``, a notification through the wiring).

    Args:
        actor: an operator over the user's organization, or ``SYSTEM``.
        user: the staff user.
        reason: why, as the operator gave it (at most 200 characters; recorded in the event).

    Returns:
        ``{"totp_devices": n, "backup_devices": m}``: how many devices were removed.

    Raises:
        PermissionDenied: ``actor`` is not an operator over the user's organization.
        ValidationFailed: ``user`` is not a staff account (``field`` ``user``, ``rule`` ``staff_only``).
    """
    if user.kind != User.Kind.STAFF:
        raise ValidationFailed(_("Only staff accounts have a second factor."),
                               extra={"field": "user", "rule": "staff_only"})
    _require_operator_over_user(actor, user)
    removed = {"totp_devices": TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0),
               "backup_devices": StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)}
    audit_record(action="accounts.second_factor.reset", actor=actor, obj=user,
                 summary=f"second factors of {user} reset", changes={**removed, "reason": reason[:200]})
    if not is_system(actor) and actor.pk != user.pk:
        second_factor_changed.send(sender=User, user=user, actor=actor, change="reset")
    return removed


def session_login_record(*, user: User, mfa: bool) -> None:
    """Audit a successful sign-in (``mfa``: whether a second factor was verified)."""
    audit_record(action="accounts.session.login", actor=user, object_type="accounts.user", object_id=user.pk,
                 summary="signed in" + (" with MFA" if mfa else ""), changes={"mfa": mfa})


def session_login_failed_record(*, username: str, reason: str) -> None:
    """Audit a refused sign-in: ``reason`` is ``"password"``, ``"throttled"`` (held back unchecked:
    ``egov.accounts.throttling``), ``"wrong_site"``,
    ``"second_factor"`` or ``"no_second_factor_left"``. The sign-in name is recorded as typed (at most
    150 characters); the password never is."""
    audit_record(action="accounts.session.login_failed", object_type="accounts.user", object_id=username[:64],
                 summary=f"sign-in refused: {reason}", changes={"reason": reason})
