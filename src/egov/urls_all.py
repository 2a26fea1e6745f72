"""The embedded default (EGOV_SITE=all): the public site, plus the staff site under /staff/ and /admin/."""

from egov import urls_public, urls_staff

urlpatterns = urls_public.urlpatterns + urls_staff.site_patterns
