from django.urls import path

from egov.services import views_casework, views_intake_staff, views_ratings_staff

# Included under /staff/cases/ with the namespace ``services_staff`` by ``egov.urls_staff``, after
# the old list's redirects to the staff inbox (``egov.casework``).
app_name = "services_staff"
urlpatterns = [
    path("intake/", views_intake_staff.intake_queue, name="intake"),
    path("intake/<str:receipt>/retry/", views_intake_staff.intake_retry_view, name="intake_retry"),
    path("ratings/", views_ratings_staff.rectifications, name="rectifications"),
    path("ratings/<int:rectification_id>/", views_ratings_staff.rectification, name="rectification"),
    path("ratings/<int:rectification_id>/steps/<str:step>/", views_ratings_staff.rectification_step,
         name="rectification_step"),
    path("<str:number>/", views_casework.case, name="case"),
    path("<str:number>/steps/<str:step>/", views_casework.case_step, name="step"),
    path("<str:number>/materials/<int:row_id>/", views_casework.material_download, name="material"),
]
