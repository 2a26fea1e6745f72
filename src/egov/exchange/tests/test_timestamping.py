"""Batch timestamping against the platform's own TSA (pytest-django's live server, real HTTP):
how many tokens a round asks for."""

import httpx
import pytest
from django.db import transaction

from egov.exchange.log import log_append
from egov.exchange.models import LoggedMessage, TimestampBatch
from egov.exchange.tests.conftest import CONSUMER_CODE
from egov.exchange.timestamping import BatchTimestamper, batch_timestamp


def _log(n: int, start: int = 0) -> None:
    with transaction.atomic():
        for i in range(start, start + n):
            log_append(direction="in", kind="request", message_id=f"{i:032x}", peer_code=CONSUMER_CODE,
                       service="person", envelope="e.n.v", body=b"{}")


class TrafficDuringTheTsaCall(httpx.HTTPTransport):
    """HTTP to the TSA, while a message arrives at the node during each of the first ``calls`` requests."""

    def __init__(self, calls: int):
        super().__init__()
        self.calls, self.seen = calls, 0

    def handle_request(self, request):
        if self.seen < self.calls:
            _log(1, start=1000 + self.seen)
        self.seen += 1
        return super().handle_request(request)


@pytest.mark.django_db(transaction=True)
def test_a_round_under_steady_traffic_asks_the_tsa_once(ca, live_server):
    _log(3)
    transport = TrafficDuringTheTsaCall(calls=5)
    with httpx.Client(transport=transport) as http:
        stamper = BatchTimestamper(tsa_url=f"{live_server.url}/trust/tsa", interval=5, batch_size=100, http=http)
        # Every TSA call sees a new row logged; before, the round went on while any row waited.
        assert stamper.round() == 1
        assert transport.seen == 1
    batch = TimestampBatch.objects.get()
    assert (batch.first_seq, batch.last_seq) == (1, 3)
    assert LoggedMessage.objects.filter(batch__isnull=True).count() == 1  # the row that came during the call


@pytest.mark.django_db(transaction=True)
def test_a_backlog_is_drained_in_full_batches_and_a_recent_batch_skips_the_round(ca, live_server):
    _log(5)
    tsa_url = f"{live_server.url}/trust/tsa"
    with httpx.Client() as http:
        stamper = BatchTimestamper(tsa_url=tsa_url, interval=5, batch_size=2, http=http)
        assert stamper.round() == 3  # rows 1–2, 3–4 (full: go on), 5 (partial: stop)
        assert list(TimestampBatch.objects.values_list("first_seq", "last_seq")) == [(1, 2), (3, 4), (5, 5)]
        _log(1, start=100)
        # another process of the node made a batch less than an interval ago: this round waits
        assert stamper.round() == 0
        assert batch_timestamp(tsa_url=tsa_url, batch_size=2, http=http).last_seq == 6
