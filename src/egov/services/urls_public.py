from django.urls import path

from egov.services import views, views_applying

app_name = "services"
urlpatterns = [
    path("", views.catalog_list, name="catalog"),
    path("applications/", views_applying.my_applications, name="my_applications"),
    path("applications/<str:number>/", views_applying.application_detail, name="application"),
    path("applications/<str:number>/submitted/", views_applying.submitted, name="submitted"),
    path("applications/<str:number>/supplement/", views_applying.supplement_upload, name="supplement"),
    path("applications/<str:number>/withdraw/", views_applying.withdraw, name="withdraw"),
    path("<str:code>/", views.catalog_detail, name="item"),
    path("<str:code>/apply/", views_applying.apply, name="apply"),
]
