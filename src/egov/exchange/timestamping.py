"""Timestamps for the message log, in batches: one RFC 3161 token over the chain head.

Every ``tsa_interval`` seconds a node takes the rows not yet timestamped (at most
``tsa_batch_size``, lowest ``seq`` first), asks the platform TSA (``/trust/tsa``) for a token
whose message imprint is the ``hash`` of the last of them (SHA-256: the chain makes it cover every
earlier row), checks the answer (granted, our imprint and nonce) and records the batch. When the
TSA cannot be reached the rows wait; once the oldest has waited ``tsa_grace`` seconds the node
refuses new messages (``timestamping_check``, 503) until a batch succeeds again.
"""

import logging
import secrets
import threading
import time
from datetime import timedelta

import httpx
from asn1crypto import algos, cms, tsp
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.exchange.errors import ExchangeUnavailable
from egov.exchange.models import LoggedMessage, TimestampBatch

logger = logging.getLogger(__name__)
_BATCH_LOCK_KEY = 0x65676F76_74737462  # "egov" "tstb"


def tsa_request(*, tsa_url: str, imprint: bytes, http: httpx.Client) -> tuple[bytes, tsp.TSTInfo]:
    """Ask the TSA for a token over ``imprint`` (a SHA-256 digest).

    Returns:
        ``(token DER, its TSTInfo)``.

    Raises:
        httpx.HTTPError: the TSA cannot be reached or answers an HTTP error.
        ValueError: the answer is not granted, or not about our imprint and nonce.
    """
    nonce = int.from_bytes(secrets.token_bytes(8), "big")
    request = tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": tsp.MessageImprint({
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}), "hashed_message": imprint}),
        "nonce": nonce,
        "cert_req": True,
    })
    answer = http.post(tsa_url, content=request.dump(), headers={"Content-Type": "application/timestamp-query"},
                       timeout=10)
    answer.raise_for_status()
    response = tsp.TimeStampResp.load(answer.content)
    if response["status"]["status"].native not in ("granted", "granted_with_mods"):
        raise ValueError(f"the TSA refused: {response['status']['status'].native}")
    token: cms.ContentInfo = response["time_stamp_token"]
    info = token["content"]["encap_content_info"]["content"].parsed
    if info["message_imprint"]["hashed_message"].native != imprint or info["nonce"].native != nonce:
        raise ValueError("the TSA answered about another imprint or nonce")
    return token.dump(), info


def batch_timestamp(*, tsa_url: str, batch_size: int, http: httpx.Client, spacing: float = 0) -> TimestampBatch | None:
    """Timestamp the oldest rows that have no timestamp yet; None when there are none, when
    another process of the node holds the round (every worker runs a timestamper; one asks the
    TSA at a time), or when the node's last batch is younger than ``spacing`` seconds (so that a
    node asks the TSA about once an interval however many processes it runs). Raises what
    ``tsa_request`` raises, writing nothing.

    The round runs in one transaction holding a transaction-scoped advisory lock, the TSA call
    included (bounded by its 10 s timeout).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_BATCH_LOCK_KEY])
                if not cursor.fetchone()[0]:
                    return None
        if spacing > 0:
            last = TimestampBatch.objects.order_by("-last_seq").values_list("created_at", flat=True).first()
            if last is not None and timezone.now() - last < timedelta(seconds=spacing):
                return None
        rows = list(LoggedMessage.objects.filter(batch__isnull=True).order_by("seq")
                    .values_list("seq", "hash")[:batch_size])
        if not rows:
            return None
        (first_seq, _first), (last_seq, head) = rows[0], rows[-1]
        token, info = tsa_request(tsa_url=tsa_url, imprint=bytes.fromhex(head), http=http)
        batch = TimestampBatch.objects.create(first_seq=first_seq, last_seq=last_seq, imprint=head, token=token,
                                              gen_time=info["gen_time"].native)
        LoggedMessage.objects.filter(batch__isnull=True, seq__gte=first_seq, seq__lte=last_seq).update(batch=batch)
    return batch


def timestamping_check(*, grace: int) -> None:
    """Refuse when a logged row has waited for its timestamp longer than ``grace`` seconds.

    Raises:
        ExchangeUnavailable: ``extra["rule"] == "timestamping"``, with the waiting row's age.
    """
    oldest = (LoggedMessage.objects.filter(batch__isnull=True).order_by("seq")
              .values_list("logged_at", flat=True).first())
    if oldest is not None and timezone.now() - oldest > timedelta(seconds=grace):
        raise ExchangeUnavailable(
            _("The timestamping authority has been unreachable for too long: the exchange is paused until it "
              "returns."),
            extra={"rule": "timestamping", "waiting_seconds": int((timezone.now() - oldest).total_seconds())},
        )


class BatchTimestamper(threading.Thread):
    """A daemon thread that runs ``batch_timestamp`` at once and then every ``interval`` seconds
    until the process ends: a round is skipped when another process of the node made a batch in
    the last ``interval`` (less a tenth for the timers' jitter); a round drains a backlog in
    batches of ``batch_size``."""

    def __init__(self, *, tsa_url: str, interval: float, batch_size: int, http: httpx.Client):
        super().__init__(name="exchange-timestamper", daemon=True)
        self.tsa_url, self.interval, self.batch_size, self.http = tsa_url, interval, batch_size, http

    def run(self) -> None:
        while True:
            try:
                self.round()
            except (httpx.HTTPError, ValueError) as exc:
                logger.warning("exchange: timestamping failed, rows wait: %s", exc)
            except Exception:  # the thread must outlive a database hiccup; the next round retries
                logger.exception("exchange: timestamping round failed")
            finally:
                close_old_connections()
            time.sleep(self.interval)

    def round(self) -> int:
        """One round; returns the number of batches made. Raises what ``batch_timestamp`` raises.

        A full batch leaves a backlog (after a restart or an outage): the round goes on at once. A
        partial one took every row there was; rows logged since wait for the next round, or under
        steady traffic the node would ask the TSA back to back.
        """
        made = 0
        batch = batch_timestamp(tsa_url=self.tsa_url, batch_size=self.batch_size, http=self.http,
                                spacing=0.9 * self.interval)
        while batch is not None:
            made += 1
            if batch.last_seq - batch.first_seq + 1 < self.batch_size:
                break
            batch = batch_timestamp(tsa_url=self.tsa_url, batch_size=self.batch_size, http=self.http)
        return made
