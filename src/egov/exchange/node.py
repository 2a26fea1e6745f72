"""One organization's exchange node (交换节点) at run time: receive and send signed, logged messages.

``node_runtime()`` builds, once per process, the node's signer (its key and certificate chain),
the certificate checker (platform root, OCSP), one ``httpx.Client`` with mutual TLS and a
keep-alive pool for peers, the platform's OCSP and TSA, and the batch timestamper thread.

Receiving (``Node.receive``), in this order: size (413), timestamp backlog (503), envelope syntax
(400), sender's chain and OCSP status (403, 503), signature, sender = certificate, receiver = us,
body digest, time window (403), TLS client certificate = signing certificate (403); then the
service answers (no grant: 403 with the reason; only granted 信息项 come back), the response is
signed, and request and response are logged together in one transaction (``LogWriter``: a
message id received before fails it, 409). The response leaves only after that commit, so a
node killed at any point has either logged both and answered, or logged neither and answered
nothing. Sending (``Node.send``) likewise logs its request and the checked answer in one commit
before the answer goes back to our system.
"""

import json
import ssl
import threading
import time
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key
from django.db import IntegrityError
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.exchange.actions.subscriptions import DELIVER_SERVICE, events_receive
from egov.exchange.actions.traffic import traffic_flush
from egov.exchange.certcheck import CertificateChecker
from egov.exchange.config import NodeConfig, ServiceSpec, node_config
from egov.exchange.discovery import META_SERVICES, discovery_answer
from egov.exchange.envelope import (
    HEADER,
    Envelope,
    Signer,
    body_digest,
    envelope_check_signature,
    envelope_parse,
    envelope_sign,
    message_id,
)
from egov.exchange.errors import MessageTooLarge
from egov.exchange.log import LogWriter
from egov.exchange.models import SharingGrant
from egov.exchange.records import csv_lookup
from egov.exchange.resource_sources import (
    ADAPTER_PREFIX,
    CSV_TYPE,
    EXTRACT_CSV_MAX,
    source_extract,
    source_extract_csv,
    source_lookup,
)
from egov.exchange.selectors import Allowed, allowed_fields, record_cut
from egov.exchange.sources import record_source_read
from egov.exchange.timestamping import BatchTimestamper, timestamping_check
from egov.exchange.traffic import TrafficFlusher, TrafficMeter
from egov.exchange.traffic_report import TrafficReporter

SERVICE_PATH = "/exchange/v1/services/"


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


JSON_TYPE = "application/json"


@dataclass(frozen=True)
class RawAnswer:
    """A service's answer as bytes (an extract page, CSV or JSON): signed as it is, and logged with
    its body unless ``keep_body`` is False (then by its envelope, digest and size: ``log.py``)."""

    content: bytes
    content_type: str
    keep_body: bool = True


def extract_asked(query: dict) -> bool:
    """Whether a query asks for a page of a bulk extract (``{"extract": {...}}``)."""
    return isinstance(query, dict) and isinstance(query.get("extract"), dict)


def _subject_read(*, record: dict, given: dict, resource_code: str, consumer_code: str, purpose: dict) -> None:
    """Record a served read of one person's data for "who read my data" (``exchange.actions.query.
    subject_read_log``): the consumer named by its organization on the platform, else by its USCC."""
    from egov.exchange.actions.query import subject_read_log
    from egov.exchange.models import InformationResource
    from egov.orgs.models import Organization

    resource = InformationResource.objects.filter(code=resource_code).first()
    if resource is None or not given:
        return
    consumer = Organization.objects.filter(uscc=consumer_code).first()
    subject_read_log(record=record, fields=given, resource=resource, purpose=purpose, action="exchange.serve",
                     organization=consumer, organization_label=consumer_code)


@dataclass(frozen=True)
class Reply:
    """What a peer answered: HTTP status, the body as received (``content``) and parsed (``body``,
    on first use), whether it came signed, and the id of our request in the message log."""

    status: int
    content: bytes
    signed: bool
    message_id: str = ""
    content_type: str = "application/json"

    @cached_property
    def body(self) -> dict:
        """The JSON body; a body that is not JSON as ``{"message": its first 500 characters, "extra": {}}``."""
        try:
            return json.loads(self.content)
        except ValueError:
            return {"message": self.content[:2000].decode("utf-8", "replace")[:500], "extra": {}}


class GrantCache:
    """What ``selectors.allowed_fields`` answers, kept in the process for ``seconds`` per
    (resource, consumer): the grant lookup costs three queries, more CPU than the signature.

    A refusal (no grant in force, no such resource) is kept as long as an answer, so that a grant
    made or revoked on the provider's database takes effect in every process of the node within
    ``seconds``; an answer is never used past the earliest ``expires_at`` of the grants behind it,
    so an expiry counts to the second. ``clear`` forgets everything at once (and an answer looked
    up while it ran is not kept). Thread-safe.

    Args:
        seconds: how long an answer is used; 0 looks the grants up for every message.
    """

    def __init__(self, *, seconds: float):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[float, Allowed | ApplicationError]] = {}
        self._generation = 0

    def allowed(self, *, resource_code: str, consumer_code: str, now: float | None = None) -> Allowed:
        """``allowed_fields(resource_code=…, consumer_code=…)``, from the cache when fresh.

        Args:
            now: seconds since the epoch (our clock) when not now.

        Raises:
            NotFound, PermissionDenied: as ``allowed_fields`` (a new error each time).
        """
        now = time.time() if now is None else now
        key = (resource_code, consumer_code)
        with self._lock:
            entry, generation = self._entries.get(key), self._generation
        if entry is not None and now < entry[0]:
            outcome = entry[1]
        else:
            try:
                outcome = allowed_fields(resource_code=resource_code, consumer_code=consumer_code)
                earliest = (SharingGrant.objects.filter(pk__in=outcome.grant_ids, expires_at__isnull=False)
                            .aggregate(at=Min("expires_at"))["at"])
                until = min(now + self.seconds, earliest.timestamp() if earliest else now + self.seconds)
            except (NotFound, PermissionDenied) as error:
                outcome, until = error, now + self.seconds
            with self._lock:
                if self.seconds > 0 and self._generation == generation:
                    self._entries[key] = (until, outcome)
        if isinstance(outcome, ApplicationError):
            raise type(outcome)(outcome.message, extra=dict(outcome.extra))
        return outcome

    def clear(self) -> None:
        """Forget every answer (e.g. after revoking a grant in this process)."""
        with self._lock:
            self._entries.clear()
            self._generation += 1


class Node:
    """The node of ``config.org``. Thread-safe; one per process (``node_runtime``)."""

    def __init__(self, config: NodeConfig, *, start_timestamper: bool = True):
        self.config = config
        chain = tuple(x509.load_pem_x509_certificates(config.cert_file.read_bytes()))
        key = load_pem_private_key(config.key_file.read_bytes(), password=None)
        self.signer = Signer(code=config.org, key=key, chain=chain)
        self.leaf_der = chain[0].public_bytes(Encoding.DER)
        roots = x509.load_pem_x509_certificates(config.root_file.read_bytes())
        context = ssl.create_default_context(cafile=str(config.root_file))
        context.load_cert_chain(str(config.cert_file), str(config.key_file))
        self.http = httpx.Client(verify=context, timeout=10,
                                 limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))
        self.checker = CertificateChecker(roots=roots, ocsp_url=f"{config.platform_url}/trust/ocsp", http=self.http,
                                          fresh=config.ocsp_fresh, timeout=config.ocsp_timeout)
        self.log = LogWriter()
        self.grants = GrantCache(seconds=config.grant_cache_seconds)
        self.traffic = TrafficMeter()  # requests served per resource and consumer (issue 20 item 4)
        self._grace_checked_at = 0.0
        self._grace_lock = threading.Lock()
        if start_timestamper:
            BatchTimestamper(tsa_url=f"{config.platform_url}/trust/tsa", interval=config.tsa_interval,
                             batch_size=config.tsa_batch_size, http=self.http).start()
            TrafficFlusher(meter=self.traffic, flush=traffic_flush, interval=config.traffic_interval).start()
            TrafficReporter(signer=self.signer, http=self.http, platform_url=config.platform_url,
                            interval=config.traffic_report_interval).start()

    def _count(self, *, service: str, consumer_code: str, started: float | None, error: bool) -> None:
        """Count a request for one of our resources' services (meta services and deliveries are not
        a resource's traffic) in the traffic meter."""
        spec = self.config.services.get(service)
        if spec is None:
            return
        self.traffic.record(at=timezone.now(), resource_code=spec.resource, consumer_code=consumer_code,
                            ms=None if started is None else (time.perf_counter() - started) * 1000, error=error)

    # --- checks shared by both directions ---------------------------------------------------------

    def _timestamping_check(self) -> None:
        # At most one query a second per process: the backlog changes slowly against the grace period.
        now = time.monotonic()
        with self._grace_lock:
            if now - self._grace_checked_at < 1.0:
                return
        timestamping_check(grace=self.config.tsa_grace)
        with self._grace_lock:
            self._grace_checked_at = now

    def _open(self, token: str, body: bytes) -> Envelope:
        envelope = envelope_parse(token)
        self.checker.check(envelope.chain)
        envelope_check_signature(envelope, body=body, receiver=self.config.org, now=time.time(),
                                 window=self.config.time_window)
        return envelope

    # --- receiving --------------------------------------------------------------------------------

    def receive(self, *, service: str, token: str, body: bytes,
                tls_peer_der: bytes | None) -> tuple[int, bytes, str, str]:
        """Carry out one received request. Returns ``(status, response body, response envelope,
        its media type)``: JSON, or CSV for an extract page asked for as CSV (``_serve_adapter``).

        Raises:
            ApplicationError: refused before it was logged as a request (the caller logs the
                refusal and answers unsigned): 400, 403, 409, 413 or 503, as the module says.
        """
        started = time.perf_counter()
        if len(body) > self.config.max_message_bytes:
            raise MessageTooLarge(_("The message is larger than this node accepts."),
                                  extra={"rule": "size", "limit_bytes": self.config.max_message_bytes})
        self._timestamping_check()
        envelope = self._open(token, body)
        claims = envelope.claims
        if tls_peer_der is not None and tls_peer_der != envelope.chain[0].public_bytes(Encoding.DER):
            raise PermissionDenied(_("The message is signed with another certificate than the connection's."),
                                   extra={"rule": "tls"})
        if claims["kind"] != "request" or claims["service"] != service:
            raise ValidationFailed(_("The envelope is not a request for this service."),
                                   extra={"rule": "envelope", "reason": "service"})
        try:
            status, answer = 200, self._serve(service=service, claims=claims, body=body)
        except ApplicationError as error:
            status, answer = error.status, error.as_json()
        if isinstance(answer, RawAnswer):
            response, content_type, keep_body = answer.content, answer.content_type, answer.keep_body
        else:
            response, content_type, keep_body = json_bytes(answer), JSON_TYPE, True
        reply_id, digest = message_id(), body_digest(response)
        reply_token = envelope_sign(signer=self.signer, body=response, digest=digest, claims={
            "id": reply_id, "kind": "response", "receiver": claims["sender"], "service": service,
            "reply_to": envelope.id, "status": status})
        try:
            self.log.append([
                {"direction": "in", "kind": "request", "message_id": envelope.id, "peer_code": claims["sender"],
                 "service": service, "envelope": token, "body": body, "body_sha256": claims["digest"]},
                {"direction": "out", "kind": "response", "message_id": reply_id, "in_reply_to": envelope.id,
                 "peer_code": claims["sender"], "service": service, "envelope": reply_token, "body": response,
                 "status": status, "body_sha256": digest, "keep_body": keep_body},
            ])
        except IntegrityError:
            raise Conflict(_("This message was received before (replay)."),
                           extra={"rule": "replay", "message_id": envelope.id}) from None
        self._count(service=service, consumer_code=claims["sender"], started=started, error=status >= 400)
        return status, response, reply_token, content_type

    def _serve(self, *, service: str, claims: dict, body: bytes) -> dict | RawAnswer:
        if service in META_SERVICES:
            try:
                query = json.loads(body or b"{}")
            except ValueError:
                query = None
            if not isinstance(query, dict):
                raise ValidationFailed(_("The request body is not a JSON object."), extra={"rule": "json"})
            return discovery_answer(config=self.config, service=service, consumer_code=claims["sender"],
                                    query=query)
        if service == DELIVER_SERVICE:  # a provider delivers the changes we subscribe to
            try:
                events = json.loads(body or b"{}").get("events")
            except (ValueError, AttributeError):
                events = None
            return events_receive(provider_code=claims["sender"], events=events)
        spec = self.config.services.get(service)
        if spec is None:
            raise NotFound(_("This node provides no such service."), extra={"service": service})
        purpose = claims.get("purpose") or {}
        if not str(purpose.get("case", "")).strip() or not str(purpose.get("basis", "")).strip():
            raise ValidationFailed(_("A request states its purpose: the case number and the legal basis."),
                                   extra={"field": "purpose", "rule": "required"})
        allowed = self.grants.allowed(resource_code=spec.resource, consumer_code=claims["sender"])
        if spec.source.startswith(ADAPTER_PREFIX):
            return self._serve_adapter(spec=spec, body=body, fields=allowed.fields, consumer_code=claims["sender"],
                                       purpose=purpose)
        try:
            query = json.loads(body)
            value = str(query[spec.key])
        except (ValueError, KeyError, TypeError):
            raise ValidationFailed(_("The request names the record it asks for by %(key)s.") % {"key": spec.key},
                                   extra={"field": spec.key, "rule": "required"}) from None
        if spec.source:
            record = record_source_read(name=spec.source, key=value, consumer_code=claims["sender"], purpose=purpose)
        else:
            record = csv_lookup(path=spec.csv, key=spec.key, value=value)
        if record is None:
            raise NotFound(_("No such record."), extra={"field": spec.key})
        given = record_cut(record, fields=allowed.fields)
        if spec.source:
            _subject_read(record=record, given=given, resource_code=spec.resource, consumer_code=claims["sender"],
                          purpose=purpose)
        return {"resource": spec.resource, "record": given,
                "granted": sorted(allowed.fields)}

    def _serve_adapter(self, *, spec: ServiceSpec, body: bytes, fields: set[str] | frozenset[str],
                       consumer_code: str, purpose: dict) -> dict | RawAnswer:
        """A lookup (``{<key>: value}``: ``{"record": {field: value}}``) or a page of a bulk extract
        (``{"extract": {"after": cursor or null, "limit": n ≤ 10000}}``; without ``limit`` the largest page
        the provider serves: 50,000 rows as CSV, 10,000 as JSON: ``{"fields": [...], "rows":
        [[...], ...], "next": cursor or null}``, rows in key order, values in the order of ``fields``)
        from the ``ResourceSource`` named by ``source = "adapter:<code>"``. Only the granted 信息项
        are read; malformed rows are listed in ``problems`` (row key, item, reason, never the value)
        and the good ones served. A source that is down: 503 naming the resource. A lookup is
        recorded for "who read my data" (the person named by the key); a bulk extract is not yet.

        An extract page asked for with ``"format": "csv"`` from a PostgreSQL source whose granted
        items the database can write is answered as CSV (``text/csv``; ``SqlAdapter.extract_csv``:
        a header naming the fields, then ``_row`` and ``_problem``; n ≤ 50,000); otherwise as the JSON page.
        A page is logged without its body unless the node's ``log_extract_bodies`` is set (``log.py``)."""
        code = spec.source[len(ADAPTER_PREFIX):]
        try:
            query = json.loads(body)
            if not isinstance(query, dict):
                raise TypeError
        except (ValueError, TypeError):
            raise ValidationFailed(_("The request body is not a JSON object."), extra={"rule": "json"}) from None
        if "extract" in query:
            page = query["extract"] if isinstance(query["extract"], dict) else {}
            # No limit asked: the largest page this provider serves (EXTRACT_CSV_MAX, cut to
            # EXTRACT_MAX for a JSON page): fewer round trips, each signed and logged once.
            after, limit = page.get("after"), page.get("limit", EXTRACT_CSV_MAX)
            if (after is not None and not isinstance(after, str)) or not isinstance(limit, int) or limit < 1:
                raise ValidationFailed(_('Ask for a page as {"extract": {"after": cursor or null, "limit": n}}.'),
                                       extra={"field": "extract", "rule": "shape"})
            keep_body = self.config.log_extract_bodies
            if page.get("format") == "csv":
                csv_page = source_extract_csv(code, after=after, limit=limit, fields=fields)
                if csv_page is not None:
                    return RawAnswer(content=csv_page[1], content_type=CSV_TYPE, keep_body=keep_body)
            names, rows, cursor, problems = source_extract(code, after=after, limit=limit, fields=fields)
            return RawAnswer(content=json_bytes({
                "resource": spec.resource, "fields": names, "rows": rows, "next": cursor,
                "problems": [p.as_json() for p in problems], "granted": sorted(fields)}),
                content_type=JSON_TYPE, keep_body=keep_body)
        if spec.key not in query or isinstance(query[spec.key], dict | list) or query[spec.key] is None:
            raise ValidationFailed(_("The request names the record it asks for by %(key)s.") % {"key": spec.key},
                                   extra={"field": spec.key, "rule": "required"})
        record, problems = source_lookup(code, str(query[spec.key]), fields=fields)
        if problems:
            return {"resource": spec.resource, "record": None, "problems": [p.as_json() for p in problems],
                    "granted": sorted(fields)}
        if record is None:
            raise NotFound(_("No such record."), extra={"field": spec.key})
        _subject_read(record={**record, spec.key: str(query[spec.key])}, given=record, resource_code=spec.resource,
                      consumer_code=consumer_code, purpose=purpose)
        return {"resource": spec.resource, "record": record, "granted": sorted(fields)}

    def refusal_log(self, *, service: str, token: str, body: bytes, error: ApplicationError) -> None:
        """Log a request refused before it counted as received (unsigned answer ``error``)."""
        try:
            claims = envelope_parse(token).claims
        except ApplicationError:
            claims = {}
        self.log.append([{"direction": "in", "kind": "refusal", "message_id": str(claims.get("id", ""))[:64],
                          "peer_code": str(claims.get("sender", ""))[:18], "service": service,
                          "envelope": token[:20000], "body": body if error.status != 413 else b"",
                          "status": error.status}])
        self._count(service=service, consumer_code=str(claims.get("sender", ""))[:18], started=None, error=True)

    # --- sending ----------------------------------------------------------------------------------

    def send(self, *, receiver: str, service: str, query: dict, purpose: dict) -> Reply:
        """Ask ``receiver``'s node for ``service`` with ``query``, for ``purpose`` (``{"case", "basis"}``).

        A signed response is checked like a request (chain, OCSP, signature) and that it answers
        our message; then request and answer are logged together, in one commit, and only then
        returned: nothing reaches our system unlogged, and a node killed before that commit has
        answered nothing (the provider's log holds the request, signed by us, and its answer).
        When the peer cannot be reached or its answer does not check out, the request is logged
        alone before the error is raised. A signed 200 answer to an extract request (``extract_asked``)
        is logged without its body unless ``log_extract_bodies`` is set (``log.py``, "bodies").

        Raises:
            NotFound: ``receiver`` is not among this node's peers.
            ExchangeUnavailable: timestamps overdue (503); ``httpx.HTTPError`` when the peer
                cannot be reached (the request logged).
            PermissionDenied, ValidationFailed: the answer's envelope does not check out (the
                request logged, the answer not).
        """
        peer = self.config.peers.get(receiver)
        if peer is None:
            raise NotFound(_("This node knows no such peer."), extra={"field": "receiver"})
        self._timestamping_check()
        body = json_bytes(query)
        request_id = message_id()
        token = envelope_sign(signer=self.signer, body=body, claims={
            "id": request_id, "kind": "request", "receiver": receiver, "service": service,
            "purpose": {"case": str(purpose.get("case", "")), "basis": str(purpose.get("basis", ""))}})
        request = {"direction": "out", "kind": "request", "message_id": request_id, "peer_code": receiver,
                   "service": service, "envelope": token, "body": body}
        try:
            answer = self.http.post(f"{peer.url}{SERVICE_PATH}{service}", content=body,
                                    headers={HEADER: token, "Content-Type": "application/json"},
                                    extensions={"sni_hostname": peer.host})
            reply_token = answer.headers.get(HEADER, "")
            if reply_token:
                envelope = self._open(reply_token, answer.content)
                if (envelope.claims["kind"] != "response" or envelope.claims.get("reply_to") != request_id
                        or envelope.claims["sender"] != receiver):
                    raise ValidationFailed(_("The answer does not answer our request."), extra={"rule": "reply_to"})
        except (httpx.HTTPError, ApplicationError):
            self.log.append([request])
            raise
        # One commit for both rows (bench/README.md: a commit is the largest cost of a round trip).
        reply = {"direction": "in", "kind": "response" if reply_token else "refusal",
                 "message_id": envelope.id if reply_token else "", "in_reply_to": request_id,
                 "peer_code": receiver, "service": service, "envelope": reply_token,
                 "body": answer.content, "status": answer.status_code}
        if reply_token:  # the envelope's digest was checked against the body (``_open``)
            reply["body_sha256"] = envelope.claims["digest"]
            reply["keep_body"] = (answer.status_code != 200 or not extract_asked(query)
                                  or self.config.log_extract_bodies)
        self.log.append([request, reply])
        return Reply(status=answer.status_code, content=answer.content, signed=bool(reply_token),
                     message_id=request_id, content_type=answer.headers.get("content-type", JSON_TYPE))


@cache
def node_runtime() -> Node:
    """This process's node, built on first use from ``EGOV_NODE_CONFIG``."""
    return Node(node_config())
