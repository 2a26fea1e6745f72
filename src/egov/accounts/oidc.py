"""Real-name verification by OpenID Connect at the provincial identity provider (省统一身份认证,
issue 17 item 1): egov is the relying party (authorization code flow, authlib's Django client).

Configured by ``EGOV_OIDC_ISSUER`` (the provider's issuer URL; its ``/.well-known/openid-configuration``
names the endpoints and keys), ``EGOV_OIDC_CLIENT_ID`` and ``EGOV_OIDC_CLIENT_SECRET``; the claims that
carry the resident ID number and the name are ``EGOV_OIDC_ID_CLAIM`` (default ``id_number``) and
``EGOV_OIDC_NAME_CLAIM`` (``name``). Without an issuer the way is not offered.

authlib checks the ID token (OpenID Connect Core 1.0 §3.1.3.7): its signature against the provider's
JWKS, ``iss``, ``aud`` (our client id), ``exp`` and the ``nonce`` it sent; the state parameter is kept in
the session.
"""

from authlib.common.errors import AuthlibBaseError
from django.conf import settings
from joserfc.errors import JoseError
from requests import RequestException

# What a failed round trip raises: the provider's error or a state mismatch (OAuthError), an ID token
# whose claims fail (iss, aud, exp, nonce: authlib's InvalidClaimError), a bad signature or key
# (joserfc), the provider unreachable (requests).
REFUSALS = (AuthlibBaseError, JoseError, RequestException)


def configured() -> bool:
    """True when a provincial identity provider is configured (``EGOV_OIDC_ISSUER`` and client id)."""
    return bool(getattr(settings, "EGOV_OIDC_ISSUER", "") and getattr(settings, "EGOV_OIDC_CLIENT_ID", ""))


def client():
    """The authlib client of the configured provider (built on each call: settings may change in tests)."""
    from authlib.integrations.django_client import OAuth

    issuer = settings.EGOV_OIDC_ISSUER.rstrip("/")
    oauth = OAuth()
    return oauth.register(
        name="province",
        client_id=settings.EGOV_OIDC_CLIENT_ID,
        client_secret=settings.EGOV_OIDC_CLIENT_SECRET,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile"},
    )


def identity(claims: dict) -> tuple[str, str]:
    """The (resident ID number, name) the provider's verified claims state ("" where missing)."""
    id_claim = getattr(settings, "EGOV_OIDC_ID_CLAIM", "id_number")
    name_claim = getattr(settings, "EGOV_OIDC_NAME_CLAIM", "name")
    return str(claims.get(id_claim, "") or "").strip().upper(), str(claims.get(name_claim, "") or "").strip()
