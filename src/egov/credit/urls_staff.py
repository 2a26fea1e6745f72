"""Credit's staff pages, mounted at /staff/credit/ by ``egov.urls_staff``."""

from django.urls import path

from egov.credit import views_staff

app_name = "credit_staff"
urlpatterns = [
    path("penalties/new/", views_staff.penalty_new, name="penalty_new"),
    path("listings/new/", views_staff.listing_new, name="listing_new"),
    path("requests/<str:number>/attachment/", views_staff.request_attachment, name="request_attachment"),
    path("requests/", views_staff.requests_list, name="requests"),
    path("requests/<str:number>/", views_staff.request_detail, name="request"),
]
