"""URLs of the workbench: ``inbox_patterns`` (namespace ``casework``, /staff/inbox/) and
``task_patterns`` (namespace ``workflow``, /staff/tasks/: the task pages keep their names)."""

from django.urls import path

from egov.casework import views

inbox_patterns = [
    path("", views.inbox, name="inbox"),
    path("done/", views.done, name="done"),
]

task_patterns = [
    path("", views.old_inbox, name="inbox"),
    path("done/", views.old_done, name="done"),
    path("<int:task_id>/", views.task_detail, name="task"),
    path("<int:task_id>/claim/", views.task_claim, name="claim"),
    path("<int:task_id>/release/", views.task_release, name="release"),
    path("<int:task_id>/complete/", views.task_complete, name="complete"),
]

# /staff/cases/ and /staff/cases/done/ before the case pages of ``services.urls_staff``.
case_list_patterns = [
    path("", views.old_inbox, {"kind": "case"}, name="workbench"),
    path("done/", views.old_done, name="done"),
]
