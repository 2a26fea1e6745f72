from django.urls import path

from egov.documents import views, views_flow

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_new, name="new"),
    path("search/", views.document_search, name="search"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/move/", views.document_move, name="move"),
    path("<int:pk>/receive/", views.document_receive, name="receive"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/preview.pdf", views.document_preview, name="preview"),
    path("<int:pk>/history/", views.document_history, name="history"),
    path("<int:pk>/countersign/", views_flow.countersign, name="countersign"),
    path("outbox/", views_flow.outbox, name="outbox"),
    path("inbox/", views_flow.inbox, name="inbox"),
    path("incoming/<int:pk>/", views_flow.incoming_detail, name="incoming"),
    path("incoming/<int:pk>/archive.zip", views_flow.incoming_archive_download, name="incoming_archive"),
    path("incoming/<int:pk>/<slug:step>/", views_flow.incoming_step, name="incoming_step"),
]
