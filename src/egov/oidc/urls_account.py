"""The account's list of systems allowed to sign its holder in (/accounts/me/systems/)."""

from django.urls import path

from egov.oidc import views

app_name = "oidc_account"
urlpatterns = [
    path("", views.systems, name="systems"),
    path("<int:pk>/withdraw/", views.system_revoke, name="revoke"),
]
