"""Traffic rollups of the exchange (issue 20 item 4): one row per minute, resource and consumer.

Written by ``actions.traffic.traffic_flush`` from each process's ``traffic.TrafficMeter`` (a node's
served requests, the platform's own queries); read by ``traffic_selectors``, which sums the minutes of
a period in one indexed range query instead of scanning the message log.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrafficMinute(models.Model):
    """Requests of one consumer for one resource answered within one minute (UTC, seconds cut).

    ``buckets`` counts the requests per latency bucket (``traffic.BOUNDS_MS``, upper bounds in ms,
    then one open bucket); ``latency_ms_total`` their summed latency in milliseconds; ``errors``
    those answered with a status ≥ 400 or refused. No payload, key or purpose is kept here.
    """

    minute = models.DateTimeField(_("minute"))
    resource_code = models.CharField(_("resource"), max_length=64)
    consumer_code = models.CharField(_("consumer"), max_length=18)
    requests = models.PositiveIntegerField(_("requests"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    buckets = models.JSONField(_("latency buckets"), default=list)
    latency_ms_total = models.FloatField(_("summed latency (ms)"), default=0)

    class Meta:
        ordering = ["minute"]
        constraints = [models.UniqueConstraint(fields=["resource_code", "consumer_code", "minute"],
                                               name="exchange_traffic_minute_once")]
        indexes = [models.Index(fields=["resource_code", "minute"], name="exchange_traffic_resource")]

    def __str__(self) -> str:
        return f"{self.minute:%Y-%m-%d %H:%M} {self.resource_code} ← {self.consumer_code}: {self.requests}"
