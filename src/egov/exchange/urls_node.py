"""URLs of an exchange node (``EGOV_SITE=node``): the peer listener (mutual TLS) serves the
services; the local listener (``EGOV_NODE_LISTENER=local``, loopback) serves outbound calls.
With ``plain_baseline`` (benchmarks only) both also serve the same lookup unsigned and unlogged."""

import os

from django.urls import path

from egov.exchange import views_node
from egov.exchange.config import node_config

if os.environ.get("EGOV_NODE_LISTENER") == "local":
    urlpatterns = [path("exchange/v1/outbound/<str:receiver>/<str:service>", views_node.outbound),
                   path("exchange/v1/changes/<str:resource>", views_node.changes)]
    if node_config().plain_baseline:
        urlpatterns.append(path("bench/plain/outbound/<str:receiver>/<str:service>", views_node.plain_outbound))
else:
    urlpatterns = [path("exchange/v1/services/<str:service>", views_node.service)]
    if node_config().plain_baseline:
        urlpatterns.append(path("bench/plain/services/<str:service>", views_node.plain_service))
