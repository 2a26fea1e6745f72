from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from egov.accounts.models import User
from egov.accounts.permissions import staff_session_ok
from egov.core.admin import ReadOnlyAdmin


class EgovAdminSite(admin.AdminSite):
    """The admin site for operators: only staff with ``is_staff`` whose session passed MFA if required."""

    site_header = "egov"

    def has_permission(self, request):
        return staff_session_ok(request) and request.user.is_staff

    def login(self, request, extra_context=None):
        return redirect_to_login(request.get_full_path(), reverse("staff_accounts:login"))


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    """Staff accounts, read-only: accounts change through egov.accounts.actions, which audit every
    change. Citizens' accounts are not listed here: reading personal data goes through audited selectors."""

    list_display = ["username", "name", "kind", "is_active", "date_joined"]
    list_filter = ["kind", "is_active"]
    search_fields = ["username", "name"]
    exclude = ["password"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=User.Kind.STAFF)
