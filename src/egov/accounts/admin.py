"""The admin of accounts (registered by the admin's autodiscovery, after django-otp's own admins,
which it replaces). The site itself is ``admin_site.EgovAdminSite``."""

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.actions import staff_second_factor_reset
from egov.accounts.models import User
from egov.core.admin import ReadOnlyAdmin
from egov.core.errors import ApplicationError


@admin.action(description=gettext_lazy("Reset the second factor (the user sets up a new one at the next sign-in)"))
def second_factor_reset(modeladmin, request, queryset):
    """The admin's way to ``accounts.actions.staff_second_factor_reset``: audited, the user told."""
    done = 0
    for user in queryset:
        try:
            staff_second_factor_reset(actor=request.user, user=user, reason="admin")
        except ApplicationError as error:
            modeladmin.message_user(request, f"{user.username}: {error.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request,
            _("Second factor reset for %(count)d staff members; each was told.") % {"count": done},
            messages.SUCCESS,
        )


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    """Staff accounts, read-only: accounts change through egov.accounts.actions, which audit every
    change. Citizens' accounts are not listed here: reading personal data goes through audited selectors.
    The one change offered here, resetting a second factor, calls that action."""

    list_display = ["username", "name", "kind", "is_active", "date_joined"]
    list_filter = ["kind", "is_active"]
    search_fields = ["username", "name"]
    exclude = ["password", "groups", "user_permissions"]
    actions = [second_factor_reset]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=User.Kind.STAFF)


# django-otp's own admins edit devices directly (a TOTP key shown and editable, backup codes added to
# anyone's account) with nothing in the audit log (issue 17). Second factors change only through the
# audited actions (``staff_totp_enrol``/``confirm``, ``staff_backup_codes_issue``,
# ``staff_second_factor_reset``); these read-only admins show that a device exists, never its secret.
# Django's groups carry no egov right (roles are ``orgs.RoleAssignment``): not offered for editing.
for _model in (TOTPDevice, StaticDevice, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    """Authenticators, read-only and without their key (no QR code, no configuration view)."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields


@admin.register(StaticDevice)
class StaticDeviceAdmin(ReadOnlyAdmin):
    """Backup-code sets, read-only and without their codes."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
