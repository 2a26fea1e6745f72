"""The staff inbox of notifications, mounted at /staff/notifications/."""

from django.urls import path

from egov.facilities import views

app_name = "facilities_staff"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_all_read, name="mark_all_read"),
]
