"""Traffic and quality of the exchange (issue 20 item 4): what is counted, how latency is kept, and
when a resource is stale. Pure functions and the in-process meter; the write is
``actions.traffic.traffic_flush``, the reads ``traffic_selectors``.

Latency is kept as a histogram of fixed buckets (``BOUNDS_MS``, upper bounds in milliseconds, the
last one open), so that minutes add up by adding counts and a percentile over any period is read
from the summed buckets without storing each request. A percentile is reported as the upper bound
of the bucket in which it falls (as Prometheus' ``histogram_quantile`` without interpolation):
never below the true value, at most one bucket step (≈ 1.5×) above it.
"""

import bisect
import math
import threading
from datetime import date, datetime, time, timedelta

from django.utils import timezone

# Upper bounds (ms) of the latency buckets, a 1-1.5-2-3-5-7 series; the last bucket is everything above.
BOUNDS_MS: tuple[float, ...] = (1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000,
                                1500, 2000, 3000, 5000, 7000, 10000, 15000, 20000, 30000)
BUCKETS = len(BOUNDS_MS) + 1


def bucket_of(ms: float) -> int:
    """Index of the bucket holding a latency of ``ms`` milliseconds (a value on a bound belongs to
    that bound's bucket: ``bucket_of(1) == 0``, ``bucket_of(1.01) == 1``)."""
    return bisect.bisect_left(BOUNDS_MS, ms)


def buckets_add(total: list[int], more: list[int]) -> list[int]:
    """Element-wise sum of two bucket lists (a shorter or empty one counts as zeros)."""
    size = max(len(total), len(more), BUCKETS)
    return [(total[i] if i < len(total) else 0) + (more[i] if i < len(more) else 0) for i in range(size)]


def percentile_ms(buckets: list[int], p: float) -> float | None:
    """The ``p``-th percentile (0 < p ≤ 100) of the latencies counted in ``buckets``, in ms: the
    upper bound of the bucket holding the request of rank ⌈p/100 · n⌉ (nearest-rank definition),
    ``math.inf`` when it is in the open last bucket, None when nothing was counted.

    Example: 100 requests timed 1, 2, …, 100 ms: p50 is rank 50 (50 ms) → bucket ≤ 50 → 50.0;
    p95 is rank 95 (95 ms) → bucket (70, 100] → 100.0.
    """
    count = sum(buckets)
    if count == 0:
        return None
    rank = max(1, math.ceil(p / 100 * count))
    seen = 0
    for index, n in enumerate(buckets):
        seen += n
        if seen >= rank:
            return BOUNDS_MS[index] if index < len(BOUNDS_MS) else math.inf
    return math.inf


def minute_of(moment: datetime) -> datetime:
    """``moment`` cut to its minute (the rollup's key)."""
    return moment.replace(second=0, microsecond=0)


class TrafficMeter:
    """Counts of one process, per (minute, resource code, consumer code): requests, errors, the
    latency histogram and the sum of latencies (ms). ``record`` is called per request and costs a
    lock and a dict update; ``take`` hands over and forgets what was counted (the flusher writes
    it with ``actions.traffic.traffic_flush``). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[datetime, str, str], list] = {}

    def record(self, *, at: datetime, resource_code: str, consumer_code: str, ms: float | None,
               error: bool) -> None:
        """Count one request answered at ``at`` (aware datetime) after ``ms`` milliseconds (None: not
        timed, e.g. refused before it was carried out — counted, not in the histogram); ``error``
        when it was answered with a status ≥ 400 or refused."""
        key = (minute_of(at), resource_code[:64], consumer_code[:18])
        with self._lock:
            entry = self._counts.get(key)
            if entry is None:
                entry = self._counts[key] = [0, 0, [0] * BUCKETS, 0.0]
            entry[0] += 1
            entry[1] += 1 if error else 0
            if ms is not None:
                entry[2][bucket_of(ms)] += 1
                entry[3] += ms

    def take(self) -> list[dict]:
        """What was counted since the last ``take``, as rows ``{"minute", "resource_code",
        "consumer_code", "requests", "errors", "buckets", "latency_ms_total"}``."""
        with self._lock:
            counts, self._counts = self._counts, {}
        return [{"minute": minute, "resource_code": resource, "consumer_code": consumer, "requests": n,
                 "errors": errors, "buckets": buckets, "latency_ms_total": total}
                for (minute, resource, consumer), (n, errors, buckets, total) in counts.items()]

    def put_back(self, rows: list[dict]) -> None:
        """Count again rows that ``take`` gave and could not be written (the database was down)."""
        with self._lock:
            for row in rows:
                key = (row["minute"], row["resource_code"], row["consumer_code"])
                entry = self._counts.setdefault(key, [0, 0, [0] * BUCKETS, 0.0])
                entry[0] += row["requests"]
                entry[1] += row["errors"]
                entry[2] = buckets_add(entry[2], row["buckets"])
                entry[3] += row["latency_ms_total"]


# The longest period each 更新周期 can mean (a month of 31 days, a quarter of 92, a year of 366), so
# that a resource updated on time is never flagged; 不定期 (irregular) is never stale.
CYCLE_DAYS = {"realtime": 1, "daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}


def stale_since(*, update_cycle: str, last_update: datetime | None, published_on: date | None,
                now: datetime) -> datetime | None:
    """When a resource went past its 更新周期 (the 2017 指南's 更新周期 metadata), or None when it has not.

    Args:
        update_cycle: ``InformationResource.UpdateCycle`` value.
        last_update: when its data last changed (``InformationResource.data_updated_at``), or None
            when never recorded: then the end of ``published_on`` (the next local midnight) counts.
        now: the moment judged (aware datetime).

    Returns:
        ``last_update + CYCLE_DAYS[update_cycle]`` when that is before ``now``; None otherwise, for
        不定期, or when nothing is known. Examples: daily, last update 2026-12-01 08:00, judged
        2026-12-02 08:00 → None, judged 08:01 → 2026-12-02 08:00; weekly, published 2026-11-01 and
        never updated → stale from 2026-11-09 00:00 local time.
    """
    days = CYCLE_DAYS.get(update_cycle)
    if days is None:
        return None
    if last_update is None:
        if published_on is None:
            return None
        last_update = timezone.make_aware(datetime.combine(published_on + timedelta(days=1), time.min))
    due = last_update + timedelta(days=days)
    return due if due < now else None


class TrafficFlusher(threading.Thread):
    """A daemon thread that writes a meter's counts every ``interval`` seconds with ``flush``
    (``actions.traffic.traffic_flush``); counts that could not be written are put back and tried
    again at the next round."""

    def __init__(self, *, meter: TrafficMeter, flush, interval: float = 10.0):
        super().__init__(name="exchange-traffic", daemon=True)
        self.meter, self.flush, self.interval = meter, flush, interval
        self._stop = threading.Event()

    def run(self) -> None:
        from django.db import close_old_connections

        while not self._stop.wait(self.interval):
            rows = self.meter.take()
            if not rows:
                continue
            try:
                self.flush(rows=rows)
            except Exception:  # the database is down: keep the counts for the next round
                self.meter.put_back(rows)
            finally:
                close_old_connections()
