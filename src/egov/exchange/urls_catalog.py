"""The catalog's staff pages, mounted at /staff/exchange/catalog/."""

from django.urls import path

from egov.exchange import views_catalog, views_sources, views_traffic

app_name = "exchange_catalog"
urlpatterns = [
    path("", views_catalog.catalog_list, name="list"),
    path("classification/", views_catalog.catalog_tree, name="tree"),
    path("new/", views_catalog.resource_edit, name="new"),
    path("traffic/", views_traffic.traffic_overview, name="traffic"),
    path("import/", views_catalog.catalog_upload, name="upload"),
    path("export.<str:format>", views_catalog.catalog_download, name="download"),
    path("resources/<str:code>/", views_catalog.resource_detail, name="resource"),
    path("resources/<str:code>/edit/", views_catalog.resource_edit, name="edit"),
    path("resources/<str:code>/traffic/", views_traffic.resource_traffic, name="resource_traffic"),
    path("resources/<str:code>/sources/", views_sources.source_list, name="sources"),
    path("resources/<str:code>/sources/new/", views_sources.source_edit, name="source_new"),
    path("resources/<str:code>/sources/<str:source>/edit/", views_sources.source_edit, name="source_edit"),
]
