"""信用公示 on the public site, mounted at /credit/ by ``egov.urls_public``."""

from django.urls import path

from egov.credit import views_public

app_name = "credit_public"
urlpatterns = [
    path("", views_public.credit_search, name="search"),
    path("<str:key>/", views_public.credit_subject, name="subject"),
]
