"""The CA's status and time services, shared by the HTTP views and in-process signing:
CRLs (RFC 5280 §5), the OCSP responder (RFC 6960) and the timestamping authority (RFC 3161).

Signing inside the platform calls these functions directly, so PAdES B-LT needs no network round
trip; ``/trust/crl/<ca>.crl``, ``/trust/ocsp`` and ``/trust/tsa`` answer the same bytes over HTTP.
"""

import asyncio
import hashlib
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from asn1crypto import cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509 import ocsp
from django.conf import settings
from django.utils import timezone
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov.core import context
from egov.trust.actions import crl_publish
from egov.trust.cms_signer import PlatformSigner
from egov.trust.keys import ca_passphrase, key_decrypt
from egov.trust.models import Certificate, CertificateAuthority, TimestampToken
from egov.trust.profiles import REASON_FLAGS
from egov.trust.selectors import certificate_x509, issuing_authority, service_certificate

# Renew the stored CRL once less than this is left before its nextUpdate.
CRL_RENEW_BEFORE = timedelta(days=1)
# How long an OCSP answer may be cached by relying parties (RFC 6960 §2.4 nextUpdate).
OCSP_VALIDITY = timedelta(hours=4)
# How long in-process signing reuses an OCSP response it built (``ocsp_for``): a response embedded
# in a signature then still has at least OCSP_VALIDITY - OCSP_REUSE (3 hours) before its nextUpdate.
OCSP_REUSE = timedelta(hours=1)
TSA_HASHES = {"sha256": 32, "sha384": 48, "sha512": 64}


def crl_current(*, authority: CertificateAuthority) -> bytes:
    """The CA's current CRL (DER), signing a new one first when the stored one is missing or due."""
    if authority.crl_der is None or authority.crl_next_update - CRL_RENEW_BEFORE <= timezone.now():
        authority = crl_publish(authority=authority)
    return bytes(authority.crl_der)


# --- OCSP (RFC 6960) ---------------------------------------------------------------------------

_OCSP_HASHES = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256(), "sha384": hashes.SHA384(),
                "sha512": hashes.SHA512()}


def _issuer_hashes(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """(issuerNameHash, issuerKeyHash) of RFC 6960 §4.1.1 for ``issuer``."""
    name_hash = hashes.Hash(algorithm)
    name_hash.update(issuer.subject.public_bytes())
    key_info = asn1_x509.Certificate.load(issuer.public_bytes(Encoding.DER)).public_key
    key_hash = hashes.Hash(algorithm)
    key_hash.update(key_info["public_key"].contents[1:])  # the BIT STRING's bytes, without the unused-bits octet
    return name_hash.finalize(), key_hash.finalize()


def ocsp_respond(request_der: bytes) -> bytes:
    """Answer one DER ``OCSPRequest`` with a DER ``OCSPResponse`` signed by the delegated responder.

    Answers ``malformedRequest`` for bytes that are not a request (or ask about several
    certificates), ``unauthorized`` for certificates of another issuer, and for ours ``good``,
    ``revoked`` (with time and reason) or ``unknown`` (a serial we never issued). A request nonce
    (RFC 8954) is echoed.
    """
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        algorithm = _OCSP_HASHES[request.hash_algorithm.name]
        serial = request.serial_number
    except (ValueError, KeyError):
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(
            Encoding.DER)
    authority = issuing_authority()
    issuer = certificate_x509(authority.certificate)
    if (request.issuer_name_hash, request.issuer_key_hash) != _issuer_hashes(issuer, algorithm):
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(
            Encoding.DER)
    responder = service_certificate(purpose=Certificate.Purpose.OCSP)
    responder_cert = certificate_x509(responder)
    responder_key = key_decrypt(blob=responder.key_p12, passphrase=ca_passphrase())
    now = timezone.now().replace(microsecond=0)
    row = Certificate.objects.filter(issuer=authority, serial=f"{serial:x}").first()
    builder = ocsp.OCSPResponseBuilder()
    if row is None:
        builder = builder.add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash, issuer_key_hash=request.issuer_key_hash,
            serial_number=serial, algorithm=algorithm, cert_status=ocsp.OCSPCertStatus.UNKNOWN,
            this_update=now, next_update=now + OCSP_VALIDITY, revocation_time=None, revocation_reason=None,
        )
    else:
        revoked = row.revoked_at is not None
        reason = row.revocation_reason if revoked and row.revocation_reason != "unspecified" else None
        builder = builder.add_response(
            cert=certificate_x509(row), issuer=issuer, algorithm=algorithm,
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=now, next_update=now + OCSP_VALIDITY,
            revocation_time=row.revoked_at if revoked else None,
            revocation_reason=REASON_FLAGS[reason] if reason else None,
        )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, responder_cert).certificates([responder_cert])
    try:
        nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value
        builder = builder.add_extension(nonce, critical=False)
    except x509.ExtensionNotFound:
        pass  # RFC 6960 §4.4.1: the nonce is optional; without one the response carries none
    return builder.sign(responder_key, hashes.SHA256()).public_bytes(Encoding.DER)


# OCSP responses built for in-process signing, per process: (certificate id, serial, revocation time
# and reason) -> (DER response, reuse until). A revocation changes the key, so it is never hidden.
_ocsp_cache: dict[tuple, tuple[bytes, datetime]] = {}
_ocsp_lock = threading.Lock()


def ocsp_for(certificate: Certificate) -> bytes:
    """The OCSP response (DER) for ``certificate``, built in-process by ``ocsp_respond``.

    A response is reused by this process for ``OCSP_REUSE`` (1 hour) of its 4 hours of validity
    (RFC 6960 §2.4 thisUpdate/nextUpdate), as a relying party caches it, so that sealing one
    document after another signs one response an hour per certificate instead of one per seal.
    The cache is keyed by the certificate's revocation time and reason as read from the row
    passed in: a certificate revoked since gets a fresh ``revoked`` answer at once.
    """
    key = (certificate.pk, certificate.serial, certificate.revoked_at, certificate.revocation_reason)
    now = timezone.now()
    with _ocsp_lock:
        cached = _ocsp_cache.get(key)
    if cached is not None and now < cached[1]:
        return cached[0]
    cert = certificate_x509(certificate)
    issuer = certificate_x509(certificate.issuer.certificate)
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
    response = ocsp_respond(request.public_bytes(Encoding.DER))
    with _ocsp_lock:
        for stale in [k for k, (_der, until) in _ocsp_cache.items() if until <= now]:
            del _ocsp_cache[stale]
        _ocsp_cache[key] = (response, now + OCSP_REUSE)
    return response


# --- Timestamping authority (RFC 3161) -----------------------------------------------------------

@dataclass(frozen=True)
class TsaMaterial:
    """What the TSA signs with: its certificate, key and the chain sent with the token."""

    certificate: asn1_x509.Certificate
    key: asn1_keys.PrivateKeyInfo
    chain: tuple[asn1_x509.Certificate, ...]


def tsa_material(tsa: Certificate | None = None) -> TsaMaterial:
    """Load the TSA's certificate and key (needs the CA passphrase): ``tsa``, or the current TSA
    certificate when None. Raises like ``service_certificate``."""
    tsa = tsa or service_certificate(purpose=Certificate.Purpose.TSA)
    key = key_decrypt(blob=tsa.key_p12, passphrase=ca_passphrase())
    pkcs8 = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    issuing = certificate_x509(issuing_authority().certificate)
    return TsaMaterial(
        certificate=asn1_x509.Certificate.load(bytes(tsa.der)),
        key=asn1_keys.PrivateKeyInfo.load(pkcs8),
        chain=(asn1_x509.Certificate.load(issuing.public_bytes(Encoding.DER)),),
    )


class _Rejection(Exception):
    def __init__(self, fail_info: str, text: str):
        super().__init__(text)
        self.fail_info = fail_info
        self.text = text


class _RejectedResponse(core.Sequence):
    """``TimeStampResp`` without its token, as RFC 3161 §2.4.2 sends a rejection (asn1crypto's
    ``TimeStampResp`` insists on the token)."""

    _fields = [("status", tsp.PKIStatusInfo)]


def _tsa_reject(fail_info: str, text: str) -> bytes:
    status = tsp.PKIStatusInfo({"status": "rejection", "status_string": [text],
                                "fail_info": tsp.PKIFailureInfo({fail_info})})
    return _RejectedResponse({"status": status}).dump()


def _check_timestamp_request(request: tsp.TimeStampReq) -> None:
    if request["version"].native != "v1":
        raise _Rejection("bad_request", "version must be 1")
    imprint = request["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in TSA_HASHES:
        raise _Rejection("bad_alg", f"hash algorithm {algorithm} is not accepted")
    if len(imprint["hashed_message"].native) != TSA_HASHES[algorithm]:
        raise _Rejection("bad_data_format", "the message imprint has the wrong length")
    policy = request["req_policy"].native
    if policy is not None and policy != settings.EGOV_TSA_POLICY_OID:
        raise _Rejection("unaccepted_policy", f"policy {policy} is not offered")
    if request["extensions"].native:
        raise _Rejection("unaccepted_extension", "extensions are not supported")


async def tsa_answer(request_der: bytes, material: TsaMaterial) -> tuple[bytes, TimestampToken | None]:
    """Answer a DER ``TimeStampReq`` with a DER ``TimeStampResp`` (RFC 3161 §2.4); no database use.

    Granted tokens carry our policy (``settings.EGOV_TSA_POLICY_OID``), a random 128-bit serial
    number, the time to the second with an accuracy of one second, the request's nonce, and the
    TSA certificate with the issuing CA's when ``certReq`` asks (and no certificates when it does
    not, §2.4.1). A request that cannot be parsed or that we refuse gets status ``rejection``
    with a ``PKIFailureInfo`` (badRequest, badAlg, badDataFormat, unacceptedPolicy,
    unacceptedExtension).

    Returns:
        ``(response DER, unsaved TimestampToken log row or None when rejected)``.
    """
    try:
        request = tsp.TimeStampReq.load(request_der)
        request.native  # noqa: B018 (parses every field now, so bad DER is caught here)
        _check_timestamp_request(request)
    except _Rejection as rejection:
        return _tsa_reject(rejection.fail_info, rejection.text), None
    except (ValueError, TypeError, KeyError):
        return _tsa_reject("bad_data_format", "not a DER TimeStampReq"), None
    imprint = request["message_imprint"]
    gen_time = timezone.now().replace(microsecond=0)
    serial = int.from_bytes(secrets.token_bytes(16), "big")
    info = {
        "version": "v1",
        "policy": settings.EGOV_TSA_POLICY_OID,
        "message_imprint": imprint,
        "serial_number": serial,
        "gen_time": gen_time,
        "accuracy": {"seconds": 1},
        "ordering": False,
        "tsa": asn1_x509.GeneralName(name="directory_name", value=material.certificate.subject),
    }
    if request["nonce"].native is not None:
        info["nonce"] = request["nonce"]
    encap = cms.EncapsulatedContentInfo({
        "content_type": "tst_info",
        "content": cms.ParsableOctetString(tsp.TSTInfo(info).dump()),
    })
    signer = PlatformSigner(signing_cert=material.certificate, signing_key=material.key,
                            cert_registry=SimpleCertificateStore.from_certs(material.chain), embed_roots=False)
    token = await signer.async_sign_general_data(encap, "sha256", detached=False)
    if not request["cert_req"].native:
        del token["content"]["certificates"]
    response = tsp.TimeStampResp({"status": tsp.PKIStatusInfo({"status": "granted"}), "time_stamp_token": token})
    row = TimestampToken(serial=f"{serial:x}", gen_time=gen_time,
                         hash_algorithm=imprint["hash_algorithm"]["algorithm"].native,
                         message_imprint=imprint["hashed_message"].native.hex(), client_ip=context.current().client_ip)
    return response.dump(), row


def tsa_respond(request_der: bytes) -> bytes:
    """``tsa_answer`` for synchronous callers (the HTTP view): also logs the issued token."""
    response, row = asyncio.run(tsa_answer(request_der, tsa_material()))
    if row is not None:
        row.save(force_insert=True)
    return response


# Log rows of the tokens issued while ``timestamp_tokens_collected`` is active in this context.
_collected_tokens: ContextVar[list[TimestampToken] | None] = ContextVar("egov_trust_collected_tokens", default=None)


class PlatformTimeStamper(TimeStamper):
    """A pyHanko ``TimeStamper`` that asks our TSA in-process (no HTTP).

    The log rows of the tokens it gets go to the list of ``timestamp_tokens_collected`` when one
    is active in the caller's context (what the shared ``platform_timestamper`` relies on, since
    several threads may sign with it at once), else to ``issued``; the caller saves them once back
    in synchronous code.
    """

    def __init__(self, material: TsaMaterial):
        super().__init__(include_nonce=True)
        self.material = material
        self.issued: list[TimestampToken] = []

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        response, row = await tsa_answer(req.dump(), self.material)
        if row is not None:
            collected = _collected_tokens.get()
            (self.issued if collected is None else collected).append(row)
        return tsp.TimeStampResp.load(response)


@contextmanager
def timestamp_tokens_collected() -> Iterator[list[TimestampToken]]:
    """Collect, into the list yielded, the unsaved log rows of the tokens any ``PlatformTimeStamper``
    issues within the block in this context (the thread, and the tasks ``asyncio.run`` starts in it)."""
    rows: list[TimestampToken] = []
    token = _collected_tokens.set(rows)
    try:
        yield rows
    finally:
        _collected_tokens.reset(token)


_timestamper: tuple[tuple, PlatformTimeStamper] | None = None
_timestamper_lock = threading.Lock()


def platform_timestamper() -> PlatformTimeStamper:
    """The process's ``PlatformTimeStamper`` for the current TSA certificate, made on first use and
    again when the TSA certificate, the issuing CA or the CA passphrase changes.

    pyHanko asks a timestamper once for a token over a dummy digest, to learn the TSA's
    certificates (whose chain a B-LT signature proves valid) and the token's size; one timestamper
    per process pays that once instead of once per signature. One query (the TSA certificate).

    Raises:
        Conflict: no valid TSA certificate (``service_certificate``).
        ValidationFailed: the CA passphrase is missing or wrong (``keys.ca_passphrase``).
    """
    global _timestamper
    tsa = service_certificate(purpose=Certificate.Purpose.TSA)
    key = (tsa.pk, tsa.serial, tsa.issuer_id, hashlib.sha256(ca_passphrase()).digest())
    with _timestamper_lock:
        current = _timestamper
    if current is not None and current[0] == key:
        return current[1]
    timestamper = PlatformTimeStamper(tsa_material(tsa))
    with _timestamper_lock:
        _timestamper = (key, timestamper)
    return timestamper
