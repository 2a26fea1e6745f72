"""信用公示 on the public site, mounted at /credit/ by ``egov.urls_public``."""

from django.urls import path

from egov.credit import views_public

app_name = "credit_public"
urlpatterns = [
    path("", views_public.credit_search, name="search"),
    path("statistics/", views_public.credit_statistics, name="statistics"),
    path("mine/", views_public.credit_mine, name="mine"),
    path("mine/<str:number>/<str:kind>/", views_public.request_new, name="request_new"),
    path("<str:key>/", views_public.credit_subject, name="subject"),
]
