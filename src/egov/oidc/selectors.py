"""Reads of the OpenID Connect provider: consents, allowed scopes and the claims a system receives."""

from django.db.models import QuerySet
from oauth2_provider.models import Application

from egov.oidc.models import ClientPolicy, Consent
from egov.orgs.selectors import memberships_of


def oidc_allowed_scopes(*, application: Application) -> set[str]:
    """The scopes ``application`` was registered for (``ClientPolicy``); ``{"openid"}`` when it has no
    policy (a client made outside ``actions.oidc_client_add``)."""
    policy = ClientPolicy.objects.filter(application=application).first()
    return policy.scope_set if policy else {"openid"}


def oidc_consent_active(*, user, application: Application) -> Consent | None:
    """The consent ``user`` gave ``application`` and has not withdrawn, or None."""
    return Consent.objects.filter(user=user, application=application, revoked_at=None).first()


def oidc_consents_of(*, user) -> QuerySet[Consent]:
    """The systems ``user`` has allowed to sign them in, newest first (the account page's list)."""
    return Consent.objects.filter(user=user, revoked_at=None).select_related("application").order_by("-granted_at")


def real_name_state(user) -> tuple[bool, str]:
    """``(verified, method)``: whether the account's holder is verified (实名认证) and how.

    The hook for the real-name verification of issue 17 item 1: an account model with
    ``is_real_name_verified`` and ``verification_method`` answers from them; without them nothing is
    verified, ``(False, "")``.
    """
    verified = bool(getattr(user, "is_real_name_verified", False))
    return verified, (getattr(user, "verification_method", "") or "") if verified else ""


def oidc_claims(*, user, subject: str) -> dict:
    """The claims about ``user`` a system may receive; the provider filters them by the granted scopes
    (``validators.EgovValidator.oidc_claim_scope``).

    Returns:
        ``sub`` (the pairwise ``subject``); ``profile``: ``name``, ``egov_kind``
        (``natural``/``legal``/``staff``); ``identity``: ``egov_verified`` (bool),
        ``egov_verification_method``, and, for a natural person, ``resident_id`` and
        ``resident_id_verified``, for a legal person ``uscc`` and ``uscc_verified``; ``staff`` (staff
        accounts): ``egov_organizations`` (list of ``{"name", "uscc", "roles"}``).
    """
    verified, method = real_name_state(user)
    claims: dict = {
        "sub": subject,
        "name": user.name,
        "egov_kind": user.kind,
        "egov_verified": verified,
        "egov_verification_method": method,
    }
    natural = getattr(user, "natural_person", None) if user.kind == "natural" else None
    legal = getattr(user, "legal_person", None) if user.kind == "legal" else None
    if natural is not None:
        claims.update(resident_id=natural.id_number, resident_id_verified=verified)
    if legal is not None:
        claims.update(uscc=legal.uscc, uscc_verified=verified)
    if user.kind == "staff":
        claims["egov_organizations"] = [
            {
                "name": m.organization.name,
                "uscc": m.organization.uscc or "",
                "roles": sorted(r.role for r in m.roles.all()),
            }
            for m in memberships_of(user=user)
        ]
    return claims
