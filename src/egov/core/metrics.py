"""Request metrics for Prometheus (``/metrics``, egov.monitoring) and one log line per request.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``egov serve`` sets it for gunicorn), prometheus_client keeps
each worker's counts in files there and ``/metrics`` adds them up; without it, the counts are the
one process's.

Routes are labelled with the URL pattern's name (``services:application_detail``), never the raw
path: ids in paths would make a series per case. A request no pattern matched is ``<unmatched>``.
"""

import logging
import time

from prometheus_client import Counter, Histogram

REQUESTS = Counter("egov_http_requests", "HTTP requests answered, by route, method and status class.",
                   ["route", "method", "status"])
# Seconds from the middleware's entry to the response (Prometheus's default buckets plus 30 and 60 s,
# gunicorn's timeout being 60 s).
LATENCY = Histogram("egov_http_request_duration_seconds", "Time to answer a request, by route and method.",
                    ["route", "method"],
                    buckets=(.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0, 30.0, 60.0))
UNMATCHED = "<unmatched>"
# The methods HTTP defines (RFC 9110 §9, PATCH RFC 5789); anything else is counted as "other", so that
# a client cannot add series by inventing methods.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})

logger = logging.getLogger("egov.requests")


def route_of(request) -> str:
    """The name of the URL pattern that served ``request`` (``namespace:name``), the dotted view path
    for an unnamed pattern, or ``<unmatched>``."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or UNMATCHED


class RequestMetricsMiddleware:
    """Count each request and its time by route, and log it (``egov.requests``, INFO: method, route,
    status, milliseconds; the JSON formatter adds the request id). Put it right after
    ``RequestContextMiddleware`` so that the log line carries the request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = route_of(request)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(route=route, method=method, status=f"{response.status_code // 100}xx").inc()
        LATENCY.labels(route=route, method=method).observe(seconds)
        logger.info("%s %s %d %.1f ms", method, route, response.status_code, seconds * 1000,
                    extra={"method": method, "route": route, "status": response.status_code,
                           "duration_ms": round(seconds * 1000, 1)})
        return response
