"""Is a peer's certificate one to trust now? Chain to the platform root, and its OCSP status.

The chain is checked with ``cryptography.x509.verification`` (RFC 5280 path validation, the
client-certificate profile: EKU clientAuth) against the platform root alone. Status comes from
the platform's OCSP responder (RFC 6960), whose answer is checked (signed by a delegated responder
certificate that the issuing CA issued for OCSPSigning, about this serial) and cached for
``fresh`` seconds, never past its ``nextUpdate``. When the responder cannot be reached, a cached
answer still inside its ``nextUpdate`` is used; without one the message is refused (503).
"""

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from django.utils.translation import gettext as _

from egov.core.errors import PermissionDenied
from egov.exchange.errors import ExchangeUnavailable


def chain_check(chain: tuple[x509.Certificate, ...] | list[x509.Certificate], store: Store, *, now: float) -> None:
    """Check that ``chain`` (leaf first, then its issuers) leads to a root of ``store`` at ``now``
    (seconds since the epoch), as a client certificate (RFC 5280 path validation, EKU clientAuth).

    Raises ``PermissionDenied`` (rule ``chain``) when the chain is shorter than leaf + issuer or does
    not validate; the reason (at most 200 characters) in ``extra``.
    """
    if len(chain) < 2:
        raise PermissionDenied(_("The sender's certificate chain is incomplete."), extra={"rule": "chain"})
    verifier = PolicyBuilder().store(store).time(datetime.fromtimestamp(now, UTC)).build_client_verifier()
    try:
        verifier.verify(chain[0], list(chain[1:]))
    except VerificationError as exc:
        raise PermissionDenied(_("The sender's certificate does not lead to the platform root."),
                               extra={"rule": "chain", "reason": str(exc)[:200]}) from None


@dataclass
class _Status:
    good: bool
    reason: str
    checked_at: float
    next_update: float


class CertificateChecker:
    """Checks peers' certificate chains and revocation, caching both per process (thread-safe).

    Args:
        roots: the trust anchors (the platform root CA).
        ocsp_url: the platform's OCSP responder (``…/trust/ocsp``).
        http: the client that asks it.
        fresh: how long an OCSP answer is used, seconds.
        timeout: how long to wait for the responder, seconds.
    """

    def __init__(self, *, roots: list[x509.Certificate], ocsp_url: str, http: httpx.Client, fresh: int,
                 timeout: float = 5.0):
        self.store = Store(roots)
        self.ocsp_url = ocsp_url
        self.http = http
        self.fresh = fresh
        self.timeout = timeout
        self._lock = threading.Lock()
        self._chains: dict[bytes, float] = {}  # leaf fingerprint -> valid until (epoch seconds)
        self._status: dict[bytes, _Status] = {}

    def check(self, chain: tuple[x509.Certificate, ...], *, now: float | None = None) -> None:
        """Accept ``chain`` (leaf first) or raise.

        Raises:
            PermissionDenied: ``extra["rule"]`` is ``chain`` (does not lead to the root, expired, not
                a node certificate) or ``revoked`` (OCSP says revoked or unknown).
            ExchangeUnavailable: no usable OCSP answer (``rule == "ocsp_unavailable"``).
        """
        now = time.time() if now is None else now
        leaf = chain[0]
        fingerprint = leaf.fingerprint(hashes.SHA256())
        with self._lock:
            valid_until = self._chains.get(fingerprint)
        if valid_until is None or valid_until < now:
            self._check_chain(chain, now=now)
            with self._lock:
                self._chains[fingerprint] = leaf.not_valid_after_utc.timestamp()
        status = self._ocsp(chain, fingerprint, now=now)
        if not status.good:
            raise PermissionDenied(_("The sender's certificate is revoked."),
                                   extra={"rule": "revoked", "reason": status.reason})

    def _check_chain(self, chain: tuple[x509.Certificate, ...], *, now: float) -> None:
        chain_check(chain, self.store, now=now)

    def _ocsp(self, chain: tuple[x509.Certificate, ...], fingerprint: bytes, *, now: float) -> _Status:
        with self._lock:
            cached = self._status.get(fingerprint)
        if cached is not None and now - cached.checked_at < self.fresh and now < cached.next_update:
            return cached
        try:
            status = self._ocsp_fetch(chain[0], chain[1], now=now)
        except (httpx.HTTPError, ValueError, InvalidSignature) as exc:
            if cached is not None and now < cached.next_update:
                return cached
            raise ExchangeUnavailable(_("The certificate's status cannot be learned from the OCSP responder."),
                                      extra={"rule": "ocsp_unavailable", "reason": str(exc)[:200]}) from None
        with self._lock:
            self._status[fingerprint] = status
        return status

    def _ocsp_fetch(self, leaf: x509.Certificate, issuer: x509.Certificate, *, now: float) -> _Status:
        request = ocsp.OCSPRequestBuilder().add_certificate(leaf, issuer, hashes.SHA256()).build()
        answer = self.http.post(self.ocsp_url, content=request.public_bytes(Encoding.DER),
                                headers={"Content-Type": "application/ocsp-request"}, timeout=self.timeout)
        answer.raise_for_status()
        response = ocsp.load_der_ocsp_response(answer.content)
        if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise ValueError(f"OCSP responder answered {response.response_status.name}")
        if response.serial_number != leaf.serial_number:
            raise ValueError("OCSP answer about another certificate")
        responder = _responder(response, issuer)
        responder.public_key().verify(response.signature, response.tbs_response_bytes,
                                      ec.ECDSA(response.signature_hash_algorithm))
        next_update = response.next_update_utc.timestamp() if response.next_update_utc else now + self.fresh
        good = response.certificate_status == ocsp.OCSPCertStatus.GOOD
        reason = "" if good else response.certificate_status.name.lower()
        if response.certificate_status == ocsp.OCSPCertStatus.REVOKED and response.revocation_reason:
            reason = response.revocation_reason.name
        return _Status(good=good, reason=reason, checked_at=now, next_update=next_update)


def _responder(response: ocsp.OCSPResponse, issuer: x509.Certificate) -> x509.Certificate:
    """The certificate that signed ``response``: the issuer itself, or a delegated responder it
    issued with EKU OCSPSigning (RFC 6960 §4.2.2.2)."""
    for candidate in response.certificates:
        try:
            candidate.verify_directly_issued_by(issuer)
            usage = candidate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
            continue
        if ExtendedKeyUsageOID.OCSP_SIGNING in usage:
            return candidate
    raise ValueError("the OCSP answer is not signed by a responder of the issuing CA")
