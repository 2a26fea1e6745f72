"""The portal's staff pages (政务公开 handled by staff), mounted at /staff/disclosure/."""

from django.urls import path

from egov.portal import views_requests_staff

app_name = "portal_staff"
urlpatterns = [
    path("requests/", views_requests_staff.queue, name="queue"),
    path("requests/<str:number>/", views_requests_staff.request_detail, name="request"),
    path("requests/<str:number>/steps/<str:step>/", views_requests_staff.request_step, name="request_step"),
    path("requests/<str:number>/answer.pdf", views_requests_staff.answer_file, name="request_answer_file"),
]
