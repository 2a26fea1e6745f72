"""Who read my data, on the public site at /accounts/me/data-reads/ (namespace ``exchange_reads``)."""

from django.urls import path

from egov.exchange import views_reads

app_name = "exchange_reads"
urlpatterns = [
    path("", views_reads.mine, name="mine"),
    path("<int:read_id>/ask/", views_reads.ask, name="ask"),
]
