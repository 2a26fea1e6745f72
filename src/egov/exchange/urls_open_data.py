"""The public open-data pages, mounted at /open-data/: the open resources, their open items, and
the catalog's open part as JSON, XLSX and DCAT-AP JSON-LD at stable addresses."""

from django.urls import path

from egov.exchange import views_open_data

app_name = "open_data"
urlpatterns = [
    path("", views_open_data.open_list, name="list"),
    path("catalog.jsonld", views_open_data.open_dcat, name="dcat"),
    path("catalog.json", views_open_data.open_download, {"format": "json"}, name="json"),
    path("catalog.xlsx", views_open_data.open_download, {"format": "xlsx"}, name="xlsx"),
    path("<str:code>/", views_open_data.open_detail, name="resource"),
]
