"""The registers' public page, mounted at /accounts/me/data-use/ (``settings.EGOV_DATA_USE_PATH``,
which the account page links to)."""

from django.urls import path

from egov.registries import views_public

app_name = "registries_public"
urlpatterns = [
    path("", views_public.data_use, name="data_use"),
]
