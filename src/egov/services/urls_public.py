from django.urls import path

from egov.services import views, views_applying, views_outcomes

app_name = "services"
urlpatterns = [
    path("", views.catalog_list, name="catalog"),
    path("track/", views_outcomes.track, name="track"),
    path("results/", views_outcomes.results, name="results"),
    path("ratings/", views_outcomes.ratings, name="ratings"),
    path("notifications/", views_outcomes.notifications, name="notifications"),
    path("applications/", views_applying.my_applications, name="my_applications"),
    path("receipts/<str:receipt>/", views_applying.receipt, name="receipt"),
    path("applications/<str:number>/", views_applying.application_detail, name="application"),
    path("applications/<str:number>/submitted/", views_applying.submitted, name="submitted"),
    path("applications/<str:number>/supplement/", views_applying.supplement_upload, name="supplement"),
    path("applications/<str:number>/withdraw/", views_applying.withdraw, name="withdraw"),
    path("applications/<str:number>/licence/", views_outcomes.licence_download, name="licence"),
    path("applications/<str:number>/rate/", views_outcomes.rate, name="rate"),
    path("<str:code>/", views.catalog_detail, name="item"),
    path("<str:code>/apply/", views_applying.apply, name="apply"),
]
