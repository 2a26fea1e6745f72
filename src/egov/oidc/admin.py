"""The provider's clients and consents in Django's admin, read-only.

django-oauth-toolkit's own admins edit clients (redirect URIs, secrets, skip-consent) and tokens directly,
with nothing in the audit log (issue 17 item 4). Clients are registered through the audited
``actions.oidc_client_add`` (``egov oidc client add``) and consents withdrawn by their holder
(``actions.oidc_consent_revoke``); here operators only see them, never a secret or a token.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from egov.core.admin import ReadOnlyAdmin
from egov.oidc.models import ClientPolicy, Consent

for _model in (Application, AccessToken, RefreshToken, Grant, IDToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(ClientPolicy)
class ClientPolicyAdmin(ReadOnlyAdmin):
    """Registered systems: name, client_id, redirect URIs, allowed scopes, agency."""

    list_display = ["__str__", "client_id", "scopes", "organization", "created_at"]
    fields = ["application_name", "client_id", "redirect_uris", "scopes", "organization", "created_at"]
    readonly_fields = fields

    @admin.display(description="client_id")
    def client_id(self, policy):
        return policy.application.client_id

    @admin.display(description=_("system name"))
    def application_name(self, policy):
        return policy.application.name

    @admin.display(description=_("redirect URIs"))
    def redirect_uris(self, policy):
        return policy.application.redirect_uris


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    """Who allowed which system, with which scopes, until when."""

    list_display = ["user", "application", "scopes", "granted_at", "revoked_at"]
    fields = list_display
    readonly_fields = fields
