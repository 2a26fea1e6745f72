"""The public site (外网): portal, applying, tracking, verification, the public API. No staff view."""

from django.urls import include, path
from django.views.i18n import set_language

from egov import views
from egov.api import api
from egov.monitoring import views as monitoring
from egov.portal.urls_pages import feed_patterns, page_patterns

site_patterns = [
    path("", views.public_home, name="public_home"),
    path("health", views.health, name="health"),
    path("health/live", monitoring.live, name="health_live"),
    path("health/ready", monitoring.ready, name="health_ready"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/me/data-use/", include("egov.registries.urls_public")),
    path("accounts/me/data-reads/", include("egov.exchange.urls_reads_public")),
    path("accounts/me/systems/", include("egov.oidc.urls_account")),
    path("oidc/", include("egov.oidc.urls_public")),
    path("accounts/", include("egov.accounts.urls_public")),
    path("services/", include("egov.services.urls_public")),
    path("trust/", include("egov.trust.urls_public")),
    path("open-data/", include("egov.exchange.urls_open_data")),
    path("exchange/v1/platform/", include("egov.exchange.urls_platform")),
    path("credit/", include("egov.credit.urls_public")),
    path("letters/", include("egov.portal.urls_letters")),
    path("api/", api.urls),
    path("", include("egov.portal.urls_public")),
    path("", include((feed_patterns, "portal_pages"))),
]

# Wagtail's pages answer any other path (news, notices, organizations…): after every pattern of both
# sites (egov.urls_all), so that it never hides one. No Wagtail admin here: it is on the staff site.
urlpatterns = site_patterns + page_patterns

handler500 = "egov.core.middleware.server_error"
