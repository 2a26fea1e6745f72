"""Credit's staff pages, mounted at /staff/credit/ by ``egov.urls_staff``."""

from django.urls import path

from egov.credit import views_imports, views_reports, views_staff

app_name = "credit_staff"
urlpatterns = [
    path("penalties/new/", views_staff.penalty_new, name="penalty_new"),
    path("listings/new/", views_staff.listing_new, name="listing_new"),
    path("import/", views_imports.import_new, name="import_new"),
    path("import/<int:pk>/", views_imports.import_detail, name="import"),
    path("import/<int:pk>/report.csv", views_imports.import_report, name="import_report"),
    path("requests/<str:number>/attachment/", views_staff.request_attachment, name="request_attachment"),
    path("requests/", views_staff.requests_list, name="requests"),
    path("requests/<str:number>/", views_staff.request_detail, name="request"),
    path("reports/", views_reports.reports_staff, name="reports"),
    path("reports/new/", views_reports.report_new_staff, name="report_new"),
    path("reports/<str:number>/pdf/", views_reports.report_download_staff, name="report_pdf"),
    path("checks/new/", views_reports.check_new, name="check_new"),
    path("checks/<str:number>/", views_reports.check_detail, name="check"),
    path("checks/<str:number>/pdf/", views_reports.check_download, name="check_pdf"),
]
