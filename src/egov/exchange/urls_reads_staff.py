"""Questions about reads of personal data, on the staff site at /staff/exchange/read-inquiries/
(namespace ``exchange_read_inquiries``)."""

from django.urls import path

from egov.exchange import views_reads

app_name = "exchange_read_inquiries"
urlpatterns = [
    path("", views_reads.inquiries, name="inquiries"),
    path("<int:pk>/", views_reads.inquiry, name="inquiry"),
    path("<int:pk>/answer/", views_reads.inquiry_answer, name="inquiry_answer"),
]
