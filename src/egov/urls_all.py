"""The embedded default (EGOV_SITE=all): the public site, plus the staff site under /staff/ and /admin/."""

from django.urls import path

from egov import urls_public, urls_staff
from egov.monitoring import views as monitoring

# /metrics belongs to the staff site: served here because this URLconf serves the staff site too.
urlpatterns = urls_public.site_patterns + urls_staff.site_patterns + [
    path("metrics", monitoring.metrics, name="metrics"),
] + urls_public.page_patterns

handler500 = "egov.core.middleware.server_error"
