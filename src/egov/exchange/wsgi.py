"""WSGI entry of an exchange node (``egov node serve``): Django, plus the node's runtime built at
once in each worker, so that its batch timestamper starts with the process (after a restart the
backlog is timestamped before the first request needs it) rather than at the first request."""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from egov.exchange.node import node_runtime  # noqa: E402 (needs the app registry that the line above fills)

node_runtime()
