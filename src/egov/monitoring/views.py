"""``/metrics`` (staff site only), ``/health/live`` and ``/health/ready`` (both sites).

``/health`` (egov.views.health) stays as it was: 200 with the active organizations' count.
"""

import hmac
import ipaddress
import logging
import os

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector

from egov.core.clients import client_address
from egov.core.middleware import logged_once
from egov.monitoring.collectors import PlatformCollector, queue_depths

logger = logging.getLogger(__name__)

_migrations_applied = False  # once true in a process, it stays true until the next release's restart


def metrics_allowed(request) -> bool:
    """Whether ``request`` may read ``/metrics``: its client address (through the trusted proxies,
    ``egov.core.clients.client_address``) is in ``EGOV_METRICS_ALLOWED_NETWORKS``, or it carries
    ``Authorization: Bearer <EGOV_METRICS_TOKEN>`` (compared in constant time; never with no token set)."""
    token = settings.EGOV_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address.version == network.version and address in network
               for network in settings.EGOV_METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics(request):
    """The Prometheus text exposition (format 0.0.4, which every Prometheus 2 reads): the request
    counters and latency histograms of every web process (gunicorn's workers share them through
    ``PROMETHEUS_MULTIPROC_DIR``, set by ``egov serve``) and the platform's state
    (``collectors.PlatformCollector``). 403 with a JSON message for a client that is neither in the
    allowed networks nor holds the token."""
    if not metrics_allowed(request):
        return JsonResponse({"detail": "metrics: this address is not in EGOV_METRICS_ALLOWED_NETWORKS and no valid "
                                       "bearer token (EGOV_METRICS_TOKEN) was given"}, status=403)
    platform = CollectorRegistry()
    platform.register(PlatformCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    return HttpResponse(generate_latest(processes) + generate_latest(platform), content_type=CONTENT_TYPE_PLAIN_0_0_4)


@never_cache
def live(request):
    """Liveness: 200 ``{"status": "ok"}`` as long as the process answers; touches no database or
    broker (restarting a process would not mend them)."""
    return JsonResponse({"status": "ok"})


def _migrations_check() -> str:
    global _migrations_applied
    if _migrations_applied:
        return "ok"
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        first = plan[0][0]
        return f"{len(plan)} migrations not applied (run egov migrate), the first {first.app_label}.{first.name}"
    _migrations_applied = True
    return "ok"


@never_cache
def ready(request):
    """Readiness: 200 when the database answers, every migration is applied and the task broker
    answers (within ``collectors.BROKER_TIMEOUT`` seconds); else 503. The body says each check:
    ``{"status": "ready" | "not ready", "read_only": bool | None, "checks": {"database", "migrations",
    "broker"}}``, each check ``"ok"`` or what failed. ``read_only`` is true on a read-only database (a
    hot standby, a role with ``default_transaction_read_only``: PostgreSQL's ``transaction_read_only``),
    which still answers reads, so it stays ready: a load balancer that must send writes elsewhere
    reads it here (docs/operations.md "Read-only"); None when the database does not answer. A 503 is
    logged once at WARNING with the checks, not as a server error: a load balancer probes every few
    seconds through a failover or a maintenance window."""
    checks = {}
    read_only = None
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT current_setting('transaction_read_only') = 'on'")
                read_only = bool(cursor.fetchone()[0])
            else:
                cursor.execute("SELECT 1")
                read_only = False
        checks["database"] = "ok"
        checks["migrations"] = _migrations_check()
    except Exception as error:  # noqa: BLE001 (any database error means not ready; said in the body)
        checks["database"] = f"unreachable: {type(error).__name__}"
        checks["migrations"] = "unknown"
    checks["broker"] = "ok" if queue_depths() is not None else "unreachable"
    ok = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ready" if ok else "not ready", "read_only": read_only, "checks": checks},
                            status=200 if ok else 503)
    if ok:
        return response
    logger.warning("not ready: %s %s answered 503 (%s)", request.method, request.path,
                   ", ".join(f"{name}: {value}" for name, value in checks.items()))
    return logged_once(response)
