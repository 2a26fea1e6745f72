"""The admin site (``EgovAdminConfig.default_site``), in a module of its own: the site is created
before the admin's autodiscovery, and the registrations in ``accounts.admin`` must come after
django-otp's, which they replace."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from egov.accounts.permissions import staff_session_ok


class EgovAdminSite(admin.AdminSite):
    """The admin site for operators: only staff with ``is_staff`` whose session passed MFA if required."""

    site_header = "egov"

    def has_permission(self, request):
        return staff_session_ok(request) and request.user.is_staff

    def login(self, request, extra_context=None):
        return redirect_to_login(request.get_full_path(), reverse("staff_accounts:login"))
