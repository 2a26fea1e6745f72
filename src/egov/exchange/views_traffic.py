"""Staff pages of the exchange's traffic and quality (issue 20 item 4), under the catalog:
``traffic/`` (the resources of the organizations one acts for, with the last 24 hours and the stale
ones first) and ``resources/<code>/traffic/`` (requests, errors and latency p50/p95 over a day, a
week or a month, per consumer, and who read what, when and why). Each chart is drawn by ECharts
(``egov/charts.js``) from the same figures as the table beside it. Authorized by
``traffic_selectors.traffic_scope`` (deny by default: 404).
"""

import math

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from egov.accounts.permissions import staff_required
from egov.core.errors import NotFound
from egov.core.i18n import pick
from egov.exchange.catalog_selectors import resource_get
from egov.exchange.permissions import sharing_organization_ids
from egov.exchange.traffic_selectors import (
    PERIODS,
    period_bounds,
    provided_resources,
    resource_reads,
    traffic_by_server,
    traffic_scope,
    traffic_series,
)

READS_PER_PAGE = 20


def ms_label(value: float | None) -> str:
    """A latency for a table: ``≤ 50 ms``, ``> 30000 ms`` for the open bucket, ``—`` for none."""
    if value is None:
        return "—"
    if math.isinf(value):
        return _("> %(ms)s ms") % {"ms": 30000}
    return _("≤ %(ms)s ms") % {"ms": formats.number_format(value)}


@staff_required
def traffic_overview(request):
    """The resources provided by the organizations the staff member acts for in sharing: stale
    ones first, each with its requests, errors and latency of the last 24 hours."""
    rows = provided_resources(user=request.user)
    if not rows and not sharing_organization_ids(request.user):
        raise Http404(_("You act for no organization in sharing."))
    for row in rows:
        row["p50"], row["p95"] = ms_label(row["figures"].p50_ms), ms_label(row["figures"].p95_ms)
    return render(request, "exchange/catalog/traffic_overview.html", {
        "rows": rows, "stale": [row for row in rows if row["stale_since"]]})


@staff_required
def resource_traffic(request, code: str):
    """One resource's traffic over ``?period=day|week|month`` and its reads, 20 a page."""
    try:
        resource = resource_get(code=code)
        consumers = traffic_scope(user=request.user, resource=resource)
    except NotFound:
        raise Http404(_("No such resource, or you do not act for its provider or a consumer.")) from None
    period = request.GET.get("period", "day")
    if period not in PERIODS:
        period = "day"
    start, end, step = period_bounds(period=period)
    points, by_consumer, total = traffic_series(resource_code=resource.code, start=start, end=end, step=step,
                                                consumers=consumers)
    hourly = step.total_seconds() < 86400
    labels = [timezone.localtime(p.start).strftime("%H:00" if hourly else "%m-%d") for p in points]
    rows = [{"label": label, "start": p.start, "figures": p.figures, "p50": ms_label(p.figures.p50_ms),
             "p95": ms_label(p.figures.p95_ms)} for label, p in zip(labels, points, strict=True)]
    p95 = [p.figures.p95_ms for p in points]
    charts = [
        {"name": "requests", "script_id": "chart-requests-data", "title": _("Requests"), "chart": {
            "kind": "bar", "title": _("Requests"), "unit": _("requests"), "integer": True, "labels": labels,
            "values": [p.figures.requests for p in points]}},
        {"name": "errors", "script_id": "chart-errors-data", "title": _("Errors"), "chart": {
            "kind": "bar", "title": _("Errors"), "unit": _("errors"), "integer": True, "labels": labels,
            "values": [p.figures.errors for p in points]}},
        {"name": "p95", "script_id": "chart-p95-data", "title": _("Latency p95 (ms)"), "chart": {
            "kind": "line", "title": _("Latency p95 (ms)"), "unit": "ms", "labels": labels,
            "values": [0 if v is None else (30000 if math.isinf(v) else v) for v in p95]}},
    ]
    organization_ids = None if consumers is None else sharing_organization_ids(request.user)
    reads = Paginator(resource_reads(resource_code=resource.code, organization_ids=organization_ids),
                      READS_PER_PAGE).get_page(request.GET.get("page"))
    for read in reads.object_list:
        read.item_names = [pick(name, name_en) for _field, name, name_en in read.fields]
    consumer_rows = [{"code": c.consumer_code, "name": c.consumer_name, "figures": c.figures,
                      "p50": ms_label(c.figures.p50_ms), "p95": ms_label(c.figures.p95_ms)} for c in by_consumer]
    servers = [{"code": srv.node_code, "name": srv.node_name, "figures": srv.figures,
                "p95": ms_label(srv.figures.p95_ms)}
               for srv in traffic_by_server(resource_code=resource.code, start=start, end=end, consumers=consumers)]
    periods = [("day", _("Last 24 hours")), ("week", _("Last 7 days")), ("month", _("Last 30 days"))]
    return render(request, "exchange/catalog/traffic.html", {
        "resource": resource, "period": period, "periods": periods, "rows": rows, "charts": charts,
        "consumers": consumer_rows, "servers": servers, "total": total, "total_p50": ms_label(total.p50_ms),
        "total_p95": ms_label(total.p95_ms),
        "error_pct": "" if total.error_rate is None else f"{total.error_rate:.1%}",
        "reads": reads, "provider_view": consumers is None,
        "stale_since": resource.stale_since(), "column": _("Hour") if hourly else _("Day"),
        "query": f"period={period}"})
