"""The portal's public pages, mounted at the root of the public site."""

from django.urls import path

from egov.portal import views

app_name = "portal"
urlpatterns = [
    path("disclosure/", views.disclosure_list, name="disclosure_list"),
    path("disclosure/<int:pk>/", views.disclosure_detail, name="disclosure_detail"),
    path("disclosure/<int:pk>/pdf", views.disclosure_pdf_download, name="disclosure_pdf"),
    path("search/", views.search, name="search"),
]
