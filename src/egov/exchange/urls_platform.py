"""URLs on the platform for the exchange nodes themselves (not for people): a node's traffic report
(``traffic_report``), signed in an envelope and checked against the platform's CA records."""

from django.urls import path

from egov.exchange import views_platform

urlpatterns = [path("traffic", views_platform.traffic_report, name="exchange_node_traffic_report")]
