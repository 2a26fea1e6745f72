"""信用公示 on the public site, mounted at /credit/ by ``egov.urls_public``."""

from django.urls import path

from egov.credit import views_public, views_reports

app_name = "credit_public"
urlpatterns = [
    path("", views_public.credit_search, name="search"),
    path("statistics/", views_public.credit_statistics, name="statistics"),
    path("mine/", views_public.credit_mine, name="mine"),
    path("mine/reports/new/", views_reports.report_new_public, name="report_new"),
    path("mine/reports/<str:number>/pdf/", views_reports.report_download_public, name="report_pdf"),
    path("mine/<str:number>/<str:kind>/", views_public.request_new, name="request_new"),
    path("<str:key>/", views_public.credit_subject, name="subject"),
]
