from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "egov.accounts"
    label = "accounts"
    default = True
    verbose_name = "accounts"


class EgovAdminConfig(admin_apps.AdminConfig):
    """Django's admin, behind the staff sign-in (with its TOTP step) instead of its own login page."""

    default = False
    default_site = "egov.accounts.admin_site.EgovAdminSite"
