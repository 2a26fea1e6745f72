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

    ``node_code`` is empty for the requests this database's own process answered (a node's
    served requests in the node's database, the platform's own queries in the platform's); on the
    platform it names the node (its organization's USCC) whose report brought the row
    (``actions.traffic.node_traffic_store``). ``reported_requests`` is kept on a node: how many of
    ``requests`` the platform has been told (``traffic_report.TrafficReporter``); a row with more
    requests than that is sent (again) at the next report.
    """

    minute = models.DateTimeField(_("minute"))
    resource_code = models.CharField(_("resource"), max_length=64)
    consumer_code = models.CharField(_("consumer"), max_length=18)
    requests = models.PositiveIntegerField(_("requests"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    buckets = models.JSONField(_("latency buckets"), default=list)
    latency_ms_total = models.FloatField(_("summed latency (ms)"), default=0)
    node_code = models.CharField(_("served by node"), max_length=18, blank=True, default="")
    reported_requests = models.PositiveIntegerField(_("requests reported to the platform"), default=0)

    class Meta:
        ordering = ["minute"]
        constraints = [models.UniqueConstraint(fields=["node_code", "resource_code", "consumer_code", "minute"],
                                               name="exchange_traffic_minute_once_per_node")]
        indexes = [models.Index(fields=["resource_code", "minute"], name="exchange_traffic_resource"),
                   # a node's rows still to report (traffic_report.traffic_unreported), not a scan of all
                   models.Index(fields=["minute"], name="exchange_traffic_unreported",
                                condition=models.Q(requests__gt=models.F("reported_requests")))]

    def __str__(self) -> str:
        served = f" @{self.node_code}" if self.node_code else ""
        return f"{self.minute:%Y-%m-%d %H:%M} {self.resource_code}{served} ← {self.consumer_code}: {self.requests}"
