from django.urls import path

from egov.documents import views, views_flow, views_meetings, views_steps, views_supervision

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_new, name="new"),
    path("search/", views.document_search, name="search"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/move/", views_steps.document_move, name="move"),
    path("<int:pk>/steps/<slug:step>/", views_steps.document_step, name="step"),
    path("<int:pk>/publication/", views.document_publication, name="publication"),
    path("<int:pk>/receive/", views.document_receive, name="receive"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:position>/", views.attachment_download, name="attachment"),
    path("<int:pk>/attachments/<int:position>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<int:pk>/preview.pdf", views.document_preview, name="preview"),
    path("<int:pk>/history/", views.document_history, name="history"),
    path("<int:pk>/archive.zip", views.archive_download, {"side": "issuer"}, name="archive"),
    path("<int:pk>/countersign/", views_flow.countersign, name="countersign"),
    path("outbox/", views_flow.outbox, name="outbox"),
    path("inbox/", views_flow.inbox, name="inbox"),
    path("incoming/<int:pk>/", views_flow.incoming_detail, name="incoming"),
    path("incoming/<int:pk>/archive.zip", views.archive_download, {"side": "incoming"}, name="incoming_archive"),
    path("incoming/<int:pk>/<slug:step>/", views_flow.incoming_step, name="incoming_step"),
    path("supervision/", views_supervision.supervision_list, name="supervision_list"),
    path("supervision/new/", views_supervision.supervision_new, name="supervision_new"),
    path("supervision/<int:pk>/", views_supervision.supervision_detail, name="supervision"),
    path("supervision/<int:pk>/reports/<int:report_pk>/", views_supervision.report_attachment,
         name="report_attachment"),
    path("supervision/<int:pk>/<slug:step>/", views_supervision.supervision_step, name="supervision_step"),
    path("meetings/", views_meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", views_meetings.meeting_new, name="meeting_new"),
    path("meetings/notices/", views_meetings.meeting_notices, name="meeting_notices"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/<slug:step>/", views_meetings.meeting_step, name="meeting_step"),
]
