"""Node traffic reaches the platform (issue 20 item 4): a node reports the counts of the requests
it answered (``TrafficMinute`` rows of its database: minute, resource, consumer, requests, errors,
latency buckets — never a payload, key or purpose) so that the platform's traffic pages show
node-served traffic beside the platform's own queries.

The channel is the one a node already uses towards the platform (``/trust/ocsp``, ``/trust/tsa``):
the node's ``httpx`` client, which presents the node certificate when the platform is reached over
TLS, and the body signed in an envelope (``envelope.py``) addressed to ``PLATFORM_RECEIVER`` for
the service ``REPORT_SERVICE``. The platform checks the envelope as a node checks a peer's, but
against its own CA records instead of OCSP (``report_envelope_check``): the chain to its root, the
leaf a node certificate it issued and did not revoke, issued to the sending organization, the
signature, the digest and the time; when the connection carries a TLS client certificate it must
be the signing one.

Idempotent by construction: each row carries the node's running total of its minute, and the
platform replaces what it holds for (node, resource, consumer, minute) when the total grew
(``actions.traffic.node_traffic_store``). The node sends every row whose ``requests`` exceed its
``reported_requests``, oldest minute first, at most ``REPORT_ROWS_MAX`` a report, and marks a row
reported only with the total it sent: a minute still being counted is sent again when it changed;
a platform that is down gets the backlog, in order, when it returns.
"""

import json
import threading
import time
from datetime import UTC

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.verification import Store
from django.db.models import F
from django.utils.translation import gettext as _

from egov.core.errors import PermissionDenied, ValidationFailed
from egov.exchange.certcheck import chain_check
from egov.exchange.envelope import (
    HEADER,
    Envelope,
    envelope_check_signature,
    envelope_parse,
    envelope_sign,
    message_id,
)

PLATFORM_RECEIVER = "platform"  # the ``receiver`` claim of a message to the platform itself
REPORT_SERVICE = "traffic.report"
REPORT_PATH = "/exchange/v1/platform/traffic"
REPORT_WINDOW_SECONDS = 300  # the largest clock difference accepted (as a node's ``time_window``)


# --- the node's side ------------------------------------------------------------------------------

def traffic_unreported(*, limit: int) -> list:
    """This node's minute rows whose requests the platform has not been told in full, oldest first
    (at most ``limit``)."""
    from egov.exchange.models_traffic import TrafficMinute

    return list(TrafficMinute.objects.filter(node_code="", requests__gt=F("reported_requests"))
                .order_by("minute", "pk")[:limit])


def traffic_report_once(*, signer, http: httpx.Client, platform_url: str, limit: int = 500) -> int:
    """Send one report of the unreported rows (``traffic_unreported``) to the platform, and mark
    each reported with the total sent.

    Returns:
        The number of rows sent (0 when nothing was due).

    Raises:
        httpx.HTTPError: the platform cannot be reached (nothing marked).
        RuntimeError: the platform refused the report (its status and message; nothing marked).
    """
    from egov.exchange.models_traffic import TrafficMinute

    rows = traffic_unreported(limit=limit)
    if not rows:
        return 0
    body = json.dumps({"minutes": [
        {"minute": row.minute.astimezone(UTC).isoformat(), "resource_code": row.resource_code,
         "consumer_code": row.consumer_code, "requests": row.requests, "errors": row.errors,
         "buckets": row.buckets, "latency_ms_total": row.latency_ms_total} for row in rows]},
        separators=(",", ":")).encode()
    token = envelope_sign(signer=signer, body=body, claims={
        "id": message_id(), "kind": "request", "receiver": PLATFORM_RECEIVER, "service": REPORT_SERVICE})
    answer = http.post(f"{platform_url}{REPORT_PATH}", content=body,
                       headers={HEADER: token, "Content-Type": "application/json"}, timeout=30)
    if answer.status_code != 200:
        raise RuntimeError(f"the platform refused the traffic report: {answer.status_code} {answer.text[:300]}")
    for row in rows:  # only the total sent: requests counted meanwhile are sent at the next report
        TrafficMinute.objects.filter(pk=row.pk, reported_requests__lt=row.requests).update(
            reported_requests=row.requests)
    return len(rows)


class TrafficReporter(threading.Thread):
    """A daemon thread of a node's process that reports its traffic to the platform every
    ``interval`` seconds (``traffic_report_once``, the backlog in reports of ``limit`` rows until
    none is left); when the platform cannot be reached or refuses, it tries again at the next round.
    Two processes of one node may report the same rows: the platform counts them once."""

    def __init__(self, *, signer, http: httpx.Client, platform_url: str, interval: float = 30.0,
                 limit: int = 500):
        super().__init__(name="exchange-traffic-report", daemon=True)
        self.signer, self.http, self.platform_url = signer, http, platform_url
        self.interval, self.limit = interval, limit
        self.failures = 0
        self.last_error = ""
        self._stop = threading.Event()

    def run(self) -> None:
        from django.db import close_old_connections

        while not self._stop.wait(self.interval):
            try:
                while traffic_report_once(signer=self.signer, http=self.http, platform_url=self.platform_url,
                                          limit=self.limit) == self.limit:
                    pass
            except Exception as exc:  # platform down or refusing, database down: the next round tries again
                self.failures += 1
                self.last_error = str(exc)[:300]
            finally:
                close_old_connections()


# --- the platform's side --------------------------------------------------------------------------

def report_envelope_check(*, token: str, body: bytes, tls_peer_der: bytes | None = None,
                          now: float | None = None) -> Envelope:
    """Check a node's signed message to the platform against the platform's own CA records.

    Returns:
        The envelope; ``claims["sender"]`` is the node's organization (USCC).

    Raises:
        ValidationFailed: not an envelope, or not a ``REPORT_SERVICE`` request (400).
        PermissionDenied (403): ``extra["rule"]`` ``chain`` (does not lead to the platform root),
            ``unknown`` (not a node certificate the platform issued), ``revoked``, ``owner`` (issued
            to another organization than the sender), ``tls`` (the connection's client certificate
            is another), or as ``envelope_check_signature``.
    """
    from egov.trust.models import Certificate, CertificateAuthority

    now = time.time() if now is None else now
    envelope = envelope_parse(token)
    chain = envelope.chain
    roots = [x509.load_der_x509_certificate(bytes(der)) for der in CertificateAuthority.objects.filter(
        kind=CertificateAuthority.Kind.ROOT).values_list("certificate__der", flat=True)]
    if not roots:
        raise PermissionDenied(_("The sender's certificate chain is incomplete."), extra={"rule": "chain"})
    chain_check(chain, Store(roots), now=now)
    issued = (Certificate.objects.filter(fingerprint=chain[0].fingerprint(hashes.SHA256()).hex(),
                                         purpose=Certificate.Purpose.NODE)
              .select_related("organization").first())
    if issued is None:
        raise PermissionDenied(_("The platform issued no such node certificate."), extra={"rule": "unknown"})
    if issued.is_revoked:
        raise PermissionDenied(_("The sender's certificate is revoked."), extra={"rule": "revoked"})
    envelope_check_signature(envelope, body=body, receiver=PLATFORM_RECEIVER, now=now, window=REPORT_WINDOW_SECONDS)
    if issued.organization is None or issued.organization.uscc != envelope.claims["sender"]:
        raise PermissionDenied(_("The signing certificate is not the sender's."), extra={"rule": "owner"})
    if tls_peer_der is not None and tls_peer_der != chain[0].public_bytes(Encoding.DER):
        raise PermissionDenied(_("The message is signed with another certificate than the connection's."),
                               extra={"rule": "tls"})
    if envelope.claims["kind"] != "request" or envelope.claims["service"] != REPORT_SERVICE:
        raise ValidationFailed(_("The envelope is not a request for this service."),
                               extra={"rule": "envelope", "reason": "service"})
    return envelope
