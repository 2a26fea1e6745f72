"""Writes of the exchange's traffic rollups (issue 20 item 4): ``TrafficMinute`` rows added to.

Not audited: the rows are counts and timings of requests that the message log and the audit log
record already, with no payload, key or purpose.
"""

from django.db import IntegrityError, transaction

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
            key = {"resource_code": row["resource_code"], "consumer_code": row["consumer_code"],
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
