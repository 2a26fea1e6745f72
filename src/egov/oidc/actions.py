"""Writes of the OpenID Connect provider: clients, subjects, consents, sign-ins; each audited."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from egov.audit.actions import audit_record
from egov.core.errors import ValidationFailed
from egov.oidc.models import ClientPolicy, Consent, PairwiseSubject

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _check_redirect_uri(uri: str) -> None:
    """Raise ``ValidationFailed`` (field ``redirect_uris``) unless ``uri`` is an absolute https URL without a
    fragment (RFC 6749 §3.1.2), or http on this machine outside production (RFC 8252 §7.3)."""
    parts = urlsplit(uri)
    local_http = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS and not settings.PRODUCTION
    if not parts.netloc or parts.fragment or (parts.scheme != "https" and not local_http):
        raise ValidationFailed(
            _("Redirect URI %(uri)s is not an https address without a fragment.") % {"uri": uri},
            extra={"field": "redirect_uris", "rule": "https_absolute"},
        )


@transaction.atomic
def oidc_client_add(
    *,
    actor,
    name: str,
    redirect_uris: list[str],
    scopes: list[str],
    organization=None,
    confidential: bool = True,
    actor_label: str = "",
) -> tuple[Application, str]:
    """Register an agency's system as an OpenID Connect client (authorization code flow with PKCE).

    Args:
        actor: the operator registering it (a user), or ``SYSTEM`` with ``actor_label`` (the command).
        name: the system's name, shown to people on the consent page (1–100 characters).
        redirect_uris: where the system receives the code: https, no fragment; http only on
            127.0.0.1/localhost outside production (RFC 8252 §7.3).
        scopes: what it may ask for, from ``settings.OAUTH2_PROVIDER["SCOPES"]``; ``openid`` is always
            included.
        organization: the agency operating it (``orgs.Organization``) or None.
        confidential: True for a server-side system holding a secret; False for a public client
            (PKCE alone, no secret).

    Returns:
        ``(application, client_secret)``: the secret in clear text, shown once (stored hashed), or ""
        for a public client.

    Raises:
        ValidationFailed: ``extra["field"]`` is ``name``, ``redirect_uris`` or ``scopes``.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed(
            _("Give the system a name of 1 to 100 characters."), extra={"field": "name", "rule": "length"}
        )
    if not redirect_uris:
        raise ValidationFailed(
            _("Give at least one redirect URI."), extra={"field": "redirect_uris", "rule": "required"}
        )
    for uri in redirect_uris:
        _check_redirect_uri(uri)
    known = settings.OAUTH2_PROVIDER["SCOPES"]
    unknown = sorted(set(scopes) - set(known))
    if unknown:
        raise ValidationFailed(
            _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)},
            extra={"field": "scopes", "rule": "known", "allowed": sorted(known)},
        )
    allowed = ["openid", *sorted(set(scopes) - {"openid"})]
    secret = secrets.token_urlsafe(32) if confidential else ""
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        algorithm=Application.RS256_ALGORITHM,
        client_secret=secret,
        skip_authorization=False,
    )
    ClientPolicy.objects.create(application=application, organization=organization, scopes=" ".join(allowed))
    audit_record(
        action="oidc.client.add",
        actor=actor,
        actor_label=actor_label,
        organization=organization,
        obj=application,
        summary=f"OIDC client {name}",
        changes={
            "client_id": application.client_id,
            "scopes": allowed,
            "redirect_uris": redirect_uris,
            "confidential": confidential,
        },
    )
    return application, secret


def oidc_subject(*, user, application: Application) -> str:
    """Return the pairwise ``sub`` of ``user`` at ``application``, creating it on first use (random,
    stable; OpenID Connect Core 1.0 §8.1)."""
    subject, _created = PairwiseSubject.objects.get_or_create(user=user, application=application)
    return subject.value


@transaction.atomic
def oidc_consent_grant(*, user, application: Application, scopes: list[str]) -> Consent:
    """Remember that ``user`` allowed ``application`` to sign them in with ``scopes``.

    An active consent that already covers the scopes is returned unchanged; otherwise it is replaced
    by one for the union of the old and new scopes. Audited as ``oidc.consent.grant``.
    """
    current = Consent.objects.select_for_update().filter(user=user, application=application, revoked_at=None).first()
    wanted = set(scopes)
    if current is not None and wanted <= current.scope_set:
        return current
    if current is not None:
        wanted |= current.scope_set
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
    consent = Consent.objects.create(user=user, application=application, scopes=" ".join(sorted(wanted)))
    audit_record(
        action="oidc.consent.grant",
        actor=user,
        obj=consent,
        summary=f"consent to {application.name}",
        changes={"client_id": application.client_id, "scopes": sorted(wanted)},
    )
    return consent


@transaction.atomic
def oidc_consent_revoke(*, user, consent_id: int) -> Consent:
    """Withdraw ``user``'s consent ``consent_id``: the system's tokens for the user are revoked and the
    next sign-in asks again. Audited as ``oidc.consent.revoke``.

    Raises:
        ValidationFailed: ``extra["field"] == "consent"``: not an active consent of this user.
    """
    consent = Consent.objects.select_for_update().filter(pk=consent_id, user=user, revoked_at=None).first()
    if consent is None:
        raise ValidationFailed(
            _("This permission does not exist or was already withdrawn."),
            extra={"field": "consent", "rule": "active_own"},
        )
    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at"])
    application = consent.application
    for refresh in RefreshToken.objects.filter(user=user, application=application, revoked=None):
        refresh.revoke()
    AccessToken.objects.filter(user=user, application=application).delete()
    IDToken.objects.filter(user=user, application=application).delete()
    Grant.objects.filter(user=user, application=application).delete()
    audit_record(
        action="oidc.consent.revoke",
        actor=user,
        obj=consent,
        summary=f"consent to {application.name} withdrawn",
        changes={"client_id": application.client_id, "scopes": sorted(consent.scope_set)},
    )
    return consent


def oidc_signin_record(*, user, application: Application, scopes: list[str]) -> None:
    """Audit one sign-in through OpenID Connect (an authorization code issued to ``application`` for
    ``user`` with ``scopes``), as ``oidc.signin``."""
    audit_record(
        action="oidc.signin",
        actor=user,
        obj=application,
        summary=f"signed in to {application.name}",
        changes={"client_id": application.client_id, "scopes": sorted(scopes)},
    )
