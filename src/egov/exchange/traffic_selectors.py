"""Reads of the exchange's traffic and quality (issue 20 item 4) for the staff pages: requests, errors
and latency per resource and consumer over time (from the ``TrafficMinute`` rollups: one indexed
range query per page, the minutes summed here), who read what for a provider (from the read records,
``audit.SubjectRead``, without the person), and the resources past their 更新周期.

Who sees what (deny by default, ``traffic_scope``): the data stewards and operators of the providing
organization (operators also from above it) see every consumer of its resources; those of a consumer
organization see only their own organization's requests; anyone else is told nothing (404).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from egov.audit.models import SubjectRead
from egov.core.errors import NotFound
from egov.exchange.models import InformationResource
from egov.exchange.models_traffic import TrafficMinute
from egov.exchange.permissions import sharing_organization_ids
from egov.exchange.traffic import BUCKETS, buckets_add, percentile_ms
from egov.orgs.models import Organization

# The periods a page offers: (length, step of one point).
PERIODS = {"day": (timedelta(days=1), timedelta(hours=1)), "week": (timedelta(days=7), timedelta(days=1)),
           "month": (timedelta(days=30), timedelta(days=1))}


@dataclass(frozen=True)
class Figures:
    """Requests, errors and latency of a period (or a point of it). Latency in ms; None without requests."""

    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    mean_ms: float | None

    @property
    def error_rate(self) -> float | None:
        """Errors per request (0–1), None without requests."""
        return self.errors / self.requests if self.requests else None


@dataclass(frozen=True)
class Point:
    start: datetime
    figures: Figures


@dataclass(frozen=True)
class ConsumerFigures:
    consumer_code: str
    consumer_name: str
    figures: Figures


def _figures(requests: int, errors: int, buckets: list[int], total_ms: float) -> Figures:
    timed = sum(buckets)
    return Figures(requests=requests, errors=errors, p50_ms=percentile_ms(buckets, 50),
                   p95_ms=percentile_ms(buckets, 95), mean_ms=total_ms / timed if timed else None)


def _zero() -> list:
    """An empty accumulator: ``[requests, errors, buckets, summed latency ms]`` (``_figures``'s arguments)."""
    return [0, 0, [0] * BUCKETS, 0.0]


def _add(acc: list, requests: int, errors: int, buckets: list[int], latency: float) -> None:
    """Add one ``TrafficMinute`` row's counts to the accumulator ``acc`` (``_zero``)."""
    acc[0] += requests
    acc[1] += errors
    acc[2] = buckets_add(acc[2], buckets)
    acc[3] += latency


def traffic_scope(*, user, resource: InformationResource) -> frozenset[str] | None:
    """Which consumers' traffic of ``resource`` ``user`` may see.

    Returns:
        None: every consumer (a data steward or operator acting for the provider); else the USCCs
        of the consumer organizations ``user`` acts for (non-empty).

    Raises:
        NotFound: ``user`` acts for neither the provider nor any organization with a USCC.
    """
    ids = sharing_organization_ids(user)
    codes = set(Organization.objects.filter(pk__in=ids).exclude(uscc="").values_list("uscc", flat=True))
    if resource.provider_code in codes:
        return None
    if not codes:
        raise NotFound("no such resource traffic", extra={"resource": resource.code})
    return frozenset(codes)


def traffic_series(*, resource_code: str, start: datetime, end: datetime, step: timedelta,
                   consumers: frozenset[str] | None = None) -> tuple[list[Point], list[ConsumerFigures], Figures]:
    """The traffic of ``resource_code`` in [start, end): one point per ``step`` (the first at
    ``start``), the figures per consumer (most requests first) and the total.

    Args:
        consumers: only these consumers' USCCs (``traffic_scope``); None for all.

    Returns:
        ``(points, per_consumer, total)``; latency percentiles from the summed buckets
        (``traffic.percentile_ms``: the bucket's upper bound).
    """
    rows = TrafficMinute.objects.filter(resource_code=resource_code, minute__gte=start, minute__lt=end)
    if consumers is not None:
        rows = rows.filter(consumer_code__in=consumers)
    count = max(1, int((end - start) / step))
    sums = [_zero() for _ in range(count)]
    by_consumer: dict[str, list] = {}
    total = _zero()
    for minute, consumer, requests, errors, buckets, latency in rows.values_list(
            "minute", "consumer_code", "requests", "errors", "buckets", "latency_ms_total"):
        index = min(count - 1, int((minute - start) / step))
        for acc in (sums[index], by_consumer.setdefault(consumer, _zero()), total):
            _add(acc, requests, errors, buckets, latency)
    names = dict(Organization.objects.filter(uscc__in=list(by_consumer)).values_list("uscc", "name"))
    points = [Point(start=start + step * i, figures=_figures(*acc)) for i, acc in enumerate(sums)]
    consumers_out = sorted((ConsumerFigures(consumer_code=code, consumer_name=names.get(code, ""),
                                            figures=_figures(*acc)) for code, acc in by_consumer.items()),
                           key=lambda c: (-c.figures.requests, c.consumer_code))
    return points, consumers_out, _figures(*total)


@dataclass(frozen=True)
class ServerFigures:
    """The requests of a period answered by one server: the platform (``node_code == ""``, its own
    queries) or one node (its organization's USCC; reported by ``traffic_report``)."""

    node_code: str
    node_name: str
    figures: Figures


def traffic_by_server(*, resource_code: str, start: datetime, end: datetime,
                      consumers: frozenset[str] | None = None) -> list[ServerFigures]:
    """The traffic of ``resource_code`` in [start, end) by who answered it: the platform first,
    then each node by most requests. The totals add up to ``traffic_series``'s total.

    Args:
        consumers: only these consumers' USCCs (``traffic_scope``); None for all.
    """
    rows = TrafficMinute.objects.filter(resource_code=resource_code, minute__gte=start, minute__lt=end)
    if consumers is not None:
        rows = rows.filter(consumer_code__in=consumers)
    sums: dict[str, list] = {}
    for node, requests, errors, buckets, latency in rows.values_list(
            "node_code", "requests", "errors", "buckets", "latency_ms_total"):
        _add(sums.setdefault(node, _zero()), requests, errors, buckets, latency)
    names = dict(Organization.objects.filter(uscc__in=[c for c in sums if c]).values_list("uscc", "name"))
    servers = [ServerFigures(node_code=code, node_name=names.get(code, ""), figures=_figures(*acc))
               for code, acc in sums.items()]
    return sorted(servers, key=lambda s: (s.node_code != "", -s.figures.requests, s.node_code))


def period_bounds(*, period: str, now: datetime | None = None) -> tuple[datetime, datetime, timedelta]:
    """``(start, end, step)`` of a page's period (``PERIODS``) ending with the current step: the
    last 24 hours by the hour (the current hour included), or the last 7 or 30 days by the day
    (local days, today included)."""
    length, step = PERIODS[period]
    now = timezone.localtime(now or timezone.now())
    if step == timedelta(hours=1):
        end = now.replace(minute=0, second=0, microsecond=0) + step
    else:
        end = now.replace(hour=0, minute=0, second=0, microsecond=0) + step
    return end - length, end, step


def resource_reads(*, resource_code: str, organization_ids: set[int] | None = None):
    """The read records of one resource, newest first (``audit.SubjectRead``): when, which
    organization, which 信息项, for which case and legal basis. The person (``subject``) is not
    selected: a provider sees who read what and why, not whose record.

    Args:
        organization_ids: only reads by these organizations (a consumer's view); None for all.
    """
    reads = SubjectRead.objects.filter(resource_code=resource_code).order_by("-occurred_at", "-pk")
    if organization_ids is not None:
        reads = reads.filter(organization_id__in=organization_ids)
    return reads.only("occurred_at", "organization_label", "fields", "case", "basis", "action", "via")


def provided_resources(*, user, now: datetime | None = None) -> list[dict]:
    """The resources provided by the organizations ``user`` acts for in sharing, each with its
    traffic of the last 24 hours and whether it is past its 更新周期: ``[{"resource", "stale_since",
    "figures"}]``, stale ones first, then by code. Empty for anyone else."""
    now = now or timezone.now()
    ids = sharing_organization_ids(user)
    codes = set(Organization.objects.filter(pk__in=ids).exclude(uscc="").values_list("uscc", flat=True))
    resources = list(InformationResource.objects.filter(provider_code__in=codes).order_by("code"))
    since = now - timedelta(days=1)
    sums: dict[str, list] = {}
    for code, requests, errors, buckets, latency in TrafficMinute.objects.filter(
            resource_code__in=[r.code for r in resources], minute__gte=since).values_list(
            "resource_code", "requests", "errors", "buckets", "latency_ms_total"):
        _add(sums.setdefault(code, _zero()), requests, errors, buckets, latency)
    rows = [{"resource": r, "stale_since": r.stale_since(now),
             "figures": _figures(*sums.get(r.code, _zero()))} for r in resources]
    return sorted(rows, key=lambda row: (row["stale_since"] is None, row["resource"].code))
