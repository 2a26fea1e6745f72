"""URLs of an exchange node (``EGOV_SITE=node``): the peer listener (mutual TLS) serves the
services; the local listener (``EGOV_NODE_LISTENER=local``, loopback) serves outbound calls."""

import os

from django.urls import path

from egov.exchange import views_node

if os.environ.get("EGOV_NODE_LISTENER") == "local":
    urlpatterns = [path("exchange/v1/outbound/<str:receiver>/<str:service>", views_node.outbound)]
else:
    urlpatterns = [path("exchange/v1/services/<str:service>", views_node.service)]
