"""The registers' staff pages, mounted at /staff/registries/."""

from django.urls import path

from egov.registries import views

app_name = "registries"
urlpatterns = [
    path("", views.search, name="search"),
    path("import/", views.import_file, name="import"),
    path("<str:register>/<int:pk>/", views.record, name="record"),
    path("<str:register>/<int:pk>/full/", views.record_full, name="record_full"),
]
