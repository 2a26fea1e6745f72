"""The OpenID Connect provider on the staff site: signs in staff, with their second factor (/oidc/)."""

from egov.oidc.urls_public import STAFF, provider_patterns

app_name = "oauth2_provider"
urlpatterns = provider_patterns(STAFF)
