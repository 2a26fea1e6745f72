"""Writes of the exchange's traffic rollups (issue 20 item 4): ``TrafficMinute`` rows added to.

Not audited: the rows are counts and timings of requests that the message log and the audit log
record already, with no payload, key or purpose.
"""

import math
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.errors import PermissionDenied, ValidationFailed
from egov.exchange.models import InformationResource
from egov.exchange.models_traffic import TrafficMinute
from egov.exchange.traffic import BUCKETS, bucket_of, buckets_add, minute_of


def traffic_flush(*, rows: list[dict]) -> int:
    """Add ``rows`` (``TrafficMeter.take``'s shape: ``minute``, ``resource_code``, ``consumer_code``,
    ``requests``, ``errors``, ``buckets``, ``latency_ms_total``) to the minute rows, in one
    transaction; a minute row another process wrote meanwhile is locked and added to, not replaced.

    Returns:
        The number of rows given.
    """
    with transaction.atomic():
        for row in sorted(rows, key=lambda r: (r["resource_code"], r["consumer_code"], r["minute"])):
            key = {"node_code": "", "resource_code": row["resource_code"], "consumer_code": row["consumer_code"],
                   "minute": row["minute"]}
            for _attempt in range(2):
                current = TrafficMinute.objects.select_for_update().filter(**key).first()
                if current is not None:
                    current.requests += row["requests"]
                    current.errors += row["errors"]
                    current.buckets = buckets_add(current.buckets, row["buckets"])
                    current.latency_ms_total += row["latency_ms_total"]
                    current.save(update_fields=["requests", "errors", "buckets", "latency_ms_total"])
                    break
                try:
                    with transaction.atomic():  # a savepoint: another process may insert the same minute first
                        TrafficMinute.objects.create(**key, requests=row["requests"], errors=row["errors"],
                                                     buckets=list(row["buckets"]),
                                                     latency_ms_total=row["latency_ms_total"])
                    break
                except IntegrityError:
                    continue
    return len(rows)


def traffic_record(*, at, resource_code: str, consumer_code: str, ms: float, error: bool) -> None:
    """Count one request at once (the platform's own queries, in the query's transaction): as
    ``TrafficMeter.record`` followed by ``traffic_flush``."""
    buckets = [0] * BUCKETS
    buckets[bucket_of(ms)] = 1
    traffic_flush(rows=[{"minute": minute_of(at), "resource_code": resource_code[:64],
                         "consumer_code": consumer_code[:18], "requests": 1, "errors": 1 if error else 0,
                         "buckets": buckets, "latency_ms_total": ms}])


# The most minute rows one report may carry (a node sends its backlog in reports of this size).
REPORT_ROWS_MAX = 500
# The largest count a row may carry: ``TrafficMinute``'s PositiveIntegerField (a PostgreSQL integer).
COUNT_MAX = 2**31 - 1
# How far after the platform's clock a reported minute may start: a node's clock is within the
# envelope's window (``traffic_report.REPORT_WINDOW_SECONDS``, 300 s), so a later minute is impossible.
MINUTE_AHEAD = timedelta(seconds=300)


def _report_rows(rows, *, now: datetime | None = None) -> list[dict]:
    """``rows`` of a node's report checked for shape: a list of ``{"minute": ISO 8601 with offset,
    "resource_code", "consumer_code", "requests", "errors", "buckets", "latency_ms_total"}``;
    counts whole numbers from 0 to ``COUNT_MAX``, the summed latency (ms) finite, the minute a whole
    minute that exists in UTC and starts no later than ``MINUTE_AHEAD`` after ``now``.

    Raises:
        ValidationFailed: not that shape (``extra["rule"] == "shape"``), or too many rows.
    """
    latest = (now or timezone.now()) + MINUTE_AHEAD
    if not isinstance(rows, list) or len(rows) > REPORT_ROWS_MAX:
        raise ValidationFailed(_("A traffic report is a list of at most %(n)s minute rows.") % {"n": REPORT_ROWS_MAX},
                               extra={"field": "minutes", "rule": "shape"})
    checked = []
    for row in rows:
        try:
            minute = datetime.fromisoformat(row["minute"])
            requests, errors, buckets = row["requests"], row["errors"], row["buckets"]
            latency = float(row["latency_ms_total"])
            resource, consumer = str(row["resource_code"]), str(row["consumer_code"])
            ok = (minute.tzinfo is not None and minute.second == 0 and minute.microsecond == 0
                  and minute.astimezone(UTC) <= latest  # OverflowError: before year 1 or after 9999 in UTC
                  and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= COUNT_MAX
                          for v in (requests, errors, *buckets))
                  and isinstance(buckets, list) and len(buckets) <= BUCKETS and errors <= requests
                  and sum(buckets) <= requests and math.isfinite(latency) and latency >= 0
                  and 0 < len(resource) <= 64 and len(consumer) <= 18)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            ok = False
        if not ok:
            raise ValidationFailed(_("A row of the traffic report is malformed."),
                                   extra={"field": "minutes", "rule": "shape"})
        checked.append({"minute": minute, "resource_code": resource, "consumer_code": consumer,
                        "requests": requests, "errors": errors, "buckets": list(buckets),
                        "latency_ms_total": latency})
    return checked


def node_traffic_store(*, node_code: str, rows) -> int:
    """Store a node's report of the requests it answered (``traffic_report``): each row is the
    node's running total of one minute, resource and consumer, and replaces what the platform holds
    for that node and key — so a minute reported twice counts once, and a minute still being counted
    when it was first sent is corrected by the next report. A row with fewer requests than the one
    held (a replayed older report) is ignored: a node's totals only grow.

    Args:
        node_code: the reporting node's organization (USCC), from its checked envelope.
        rows: the report's ``minutes`` (``_report_rows``'s shape).

    Returns:
        The number of rows stored or updated.

    Raises:
        ValidationFailed: malformed rows (nothing stored).
        PermissionDenied: a row names a resource that is not in the platform's catalog as provided
            by ``node_code`` (``extra["rule"] == "not_provider"``; nothing stored).
    """
    checked = _report_rows(rows)
    codes = {row["resource_code"] for row in checked}
    own = set(InformationResource.objects.filter(code__in=codes, provider_code=node_code)
              .values_list("code", flat=True))
    if codes - own:
        raise PermissionDenied(_("A node reports only the traffic of the resources its organization provides."),
                               extra={"rule": "not_provider", "resources": sorted(codes - own)[:10]})
    stored = 0
    with transaction.atomic():
        for row in sorted(checked, key=lambda r: (r["resource_code"], r["consumer_code"], r["minute"])):
            key = {"node_code": node_code, "resource_code": row["resource_code"],
                   "consumer_code": row["consumer_code"], "minute": row["minute"]}
            values = {"requests": row["requests"], "errors": row["errors"], "buckets": row["buckets"],
                      "latency_ms_total": row["latency_ms_total"]}
            current = TrafficMinute.objects.select_for_update().filter(**key).first()
            if current is None:
                try:
                    with transaction.atomic():
                        TrafficMinute.objects.create(**key, **values)
                    stored += 1
                    continue
                except IntegrityError:  # the same report arrived twice at once: the other one stored it
                    current = TrafficMinute.objects.select_for_update().get(**key)
            if row["requests"] > current.requests:
                TrafficMinute.objects.filter(pk=current.pk).update(**values)
                stored += 1
    return stored
