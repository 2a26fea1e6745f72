"""The staff site (内网): the workbench under /staff/ and Django's admin under /admin/."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from egov import views
from egov.api import api
from egov.casework.urls import case_list_patterns, inbox_patterns, task_patterns
from egov.monitoring import views as monitoring
from egov.services.urls_staff import urlpatterns as case_patterns

staff_patterns = [
    path("", views.staff_home, name="staff_home"),
    path("", include("egov.accounts.urls_staff")),
    path("inbox/", include((inbox_patterns, "casework"))),
    path("tasks/", include((task_patterns, "workflow"))),
    path("cases/", include((case_list_patterns + case_patterns, "services_staff"))),
    path("documents/", include("egov.documents.urls_staff")),
    path("disclosure/", include("egov.portal.urls_staff")),
    path("letters/", include("egov.portal.urls_letters_staff")),
    path("exchange/sharing/", include("egov.exchange.urls_sharing")),
    path("exchange/read-inquiries/", include("egov.exchange.urls_reads_staff")),
    path("notifications/", include("egov.facilities.urls_staff")),
    path("exchange/catalog/", include("egov.exchange.urls_catalog")),
    path("registries/", include("egov.registries.urls_staff")),
    path("credit/", include("egov.credit.urls_staff")),
    path("cms/", include("egov.portal.urls_cms")),  # Wagtail's admin: the portal's editors and reviewers
]

site_patterns = [
    path("staff/", include(staff_patterns)),
    path("admin/", admin.site.urls),
]

# Served alone (EGOV_SITE=staff), the staff site answers / with its workbench and has its own
# language switch, health check and API (its staff routers only, egov.api); with EGOV_SITE=all the
# public URLconf provides those.
urlpatterns = site_patterns + [
    path("api/", api.urls),
    path("oidc/", include("egov.oidc.urls_staff")),
    path("", RedirectView.as_view(pattern_name="staff_home", permanent=False)),
    path("health", views.health, name="health"),
    path("health/live", monitoring.live, name="health_live"),
    path("health/ready", monitoring.ready, name="health_ready"),
    path("metrics", monitoring.metrics, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", set_language, name="set_language"),
]

handler500 = "egov.core.middleware.server_error"
