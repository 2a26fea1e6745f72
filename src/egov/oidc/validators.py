"""The OAuth 2.0 / OIDC request validator of django-oauth-toolkit, with the city's rules: scopes per
client, pairwise subjects, verified identity claims, every sign-in audited."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from egov.oidc import actions, selectors


class EgovValidator(OAuth2Validator):
    """``OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"]``."""

    # Which scope releases which claim (OpenID Connect Core 1.0 §5.4); a claim not listed is never released.
    oidc_claim_scope = {
        "sub": "openid",
        "name": "profile",
        "egov_kind": "profile",
        "egov_verified": "identity",
        "egov_verification_method": "identity",
        "resident_id": "identity",
        "resident_id_verified": "identity",
        "uscc": "identity",
        "uscc_verified": "identity",
        "egov_organizations": "staff",
    }

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        """Refuse scopes the client was not registered for (``invalid_scope``)."""
        if not set(scopes) <= selectors.oidc_allowed_scopes(application=client):
            return False
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    def validate_silent_login(self, request):
        """``prompt=none``: True — oauthlib's request carries no session, so the authorization view
        decides (``AuthorizeView.dispatch`` answers ``login_required`` to a signed-out person)."""
        return True

    def validate_silent_authorization(self, request):
        """``prompt=none``: True — ``AuthorizeView.get`` answers ``consent_required`` when no remembered
        consent covers the scopes (OpenID Connect Core 1.0 §3.1.2.6)."""
        return True

    def get_additional_claims(self, request):
        subject = actions.oidc_subject(user=request.user, application=request.client)
        return selectors.oidc_claims(user=request.user, subject=subject)

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        actions.oidc_signin_record(user=request.user, application=request.client, scopes=request.scopes)
