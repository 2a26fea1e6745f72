from django.urls import path

from egov.services import views_casework, views_ratings_staff

app_name = "services_staff"
urlpatterns = [
    path("", views_casework.workbench, name="workbench"),
    path("done/", views_casework.done, name="done"),
    path("ratings/", views_ratings_staff.rectifications, name="rectifications"),
    path("ratings/<int:rectification_id>/", views_ratings_staff.rectification, name="rectification"),
    path("ratings/<int:rectification_id>/steps/<str:step>/", views_ratings_staff.rectification_step,
         name="rectification_step"),
    path("<str:number>/", views_casework.case, name="case"),
    path("<str:number>/steps/<str:step>/", views_casework.case_step, name="step"),
    path("<str:number>/materials/<int:row_id>/", views_casework.material_download, name="material"),
]
