from django.urls import path

from egov.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("done/", views.done, name="done"),
    path("<int:task_id>/", views.task_detail, name="task"),
    path("<int:task_id>/claim/", views.task_claim, name="claim"),
    path("<int:task_id>/release/", views.task_release, name="release"),
    path("<int:task_id>/complete/", views.task_complete, name="complete"),
]
