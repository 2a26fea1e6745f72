from django.urls import path

from egov.services import views

app_name = "services"
urlpatterns = [
    path("", views.catalog_list, name="catalog"),
    path("<str:code>/", views.catalog_detail, name="item"),
]
