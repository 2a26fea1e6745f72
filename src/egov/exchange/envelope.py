"""Signed envelopes (JWS, RFC 7515) over every exchanged request and response.

An envelope is a JWS Compact Serialization (§7.1) whose protected header is
``{"alg": "ES256", "typ": "egov-envelope", "x5c": [node certificate, issuing CA]}`` (ES256 is
ECDSA P-256 with SHA-256, RFC 7518 §3.4, the key of a node certificate; ``x5c`` is §4.1.6:
base64 DER, the signer's certificate first) and whose payload is the canonical JSON
(``egov.core.canonical``) of the claims:

| claim      | meaning                                                                 |
|------------|-------------------------------------------------------------------------|
| `v`        | envelope version, 1                                                     |
| `id`       | message id, 32 lower-case hex characters, unique per sender             |
| `kind`     | `request` or `response`                                                 |
| `sender`   | the sending organization's unified social credit code                   |
| `receiver` | the receiving organization's code                                       |
| `service`  | the service name                                                        |
| `iat`      | signing time, seconds since 1970-01-01 UTC                              |
| `digest`   | SHA-256 of the HTTP body, lower-case hex                                |
| `purpose`  | `{"case": 办件编号 or 发文字号, "basis": legal basis}` (requests)          |
| `reply_to` | the request's `id` (responses)                                          |
| `status`   | the HTTP status answered (responses)                                    |

The body travels as the HTTP body; the envelope in the ``X-Egov-Envelope`` header.
The JOSE work is joserfc's; this module only decides what is signed and what is checked.
"""

import base64
import functools
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from egov.core.canonical import canonical_json
from egov.core.errors import PermissionDenied, ValidationFailed

ALGORITHM = "ES256"
TYPE = "egov-envelope"
HEADER = "X-Egov-Envelope"

# joserfc's default registry refuses protected headers over 512 bytes; ours carries two
# certificates in x5c (about 1.5 KB of base64). Claims are small: the body travels beside them.
REGISTRY = jws.JWSRegistry(algorithms=[ALGORITHM])
REGISTRY.max_header_length = 8 * 1024
REGISTRY.max_payload_length = 16 * 1024


@dataclass(frozen=True)
class Signer:
    """A node's signing identity: its organization code, private key and certificate chain."""

    code: str
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...]  # the node certificate first, then the issuing CA

    def __post_init__(self):
        object.__setattr__(self, "_jwk", ECKey.import_key(self.key))
        object.__setattr__(self, "_x5c", [base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in self.chain])


@dataclass(frozen=True)
class Envelope:
    """A parsed envelope: its claims, the certificates of its ``x5c`` and the token as received."""

    claims: dict[str, Any]
    chain: tuple[x509.Certificate, ...]
    token: str

    @property
    def id(self) -> str:
        return self.claims["id"]


@functools.lru_cache(maxsize=256)
def _certificate(der_base64: str) -> x509.Certificate:
    """The certificate of one ``x5c`` entry, parsed once per distinct entry (a node sees the same
    few peers' certificates in every envelope). Keyed by the exact text, so nothing is trusted
    because it is cached: the chain and OCSP checks still run on every message.

    Raises:
        ValueError: not base64 DER of a certificate (not cached).
    """
    return x509.load_der_x509_certificate(base64.b64decode(der_base64, validate=True))


@functools.lru_cache(maxsize=256)
def _verify_key(certificate: x509.Certificate) -> ECKey:
    """The JWK of a certificate's public key, imported once per certificate.

    Raises:
        ValueError, JoseError: not an EC key joserfc accepts (not cached).
    """
    return ECKey.import_key(certificate.public_key())


def message_id() -> str:
    """A new message id: 128 random bits as 32 hex characters."""
    return secrets.token_hex(16)


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def envelope_sign(*, signer: Signer, claims: dict[str, Any], body: bytes, digest: str = "") -> str:
    """Sign ``claims`` (without ``v``, ``sender``, ``iat``, ``digest``, which are added) over ``body``.

    Args:
        digest: ``body_digest(body)`` when the caller computed it already (it is not checked).

    Returns:
        The compact JWS (ASCII text).
    """
    payload = {**claims, "v": 1, "sender": signer.code, "iat": int(time.time()), "digest": digest or body_digest(body)}
    header = {"alg": ALGORITHM, "typ": TYPE, "x5c": signer._x5c}
    return jws.serialize_compact(header, canonical_json(payload), signer._jwk, registry=REGISTRY)


def organization_code(certificate: x509.Certificate) -> str:
    """The ``organizationIdentifier`` (the USCC) a node certificate names, or ``""``."""
    values = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
    return str(values[0].value) if values else ""


def _malformed(reason: str) -> ValidationFailed:
    return ValidationFailed(_("The message envelope cannot be read."), extra={"rule": "envelope", "reason": reason})


def envelope_parse(token: str) -> Envelope:
    """Read an envelope without trusting it yet: header, claims and certificates.

    Raises:
        ValidationFailed: not a compact JWS of our type (``extra["rule"] == "envelope"``).
    """
    try:
        compact = jws.extract_compact(token.encode("ascii"), registry=REGISTRY)
        header = compact.headers()
        claims = json.loads(compact.payload)
        chain = tuple(_certificate(c) for c in header["x5c"])
    except (JoseError, ValueError, KeyError, TypeError, UnicodeError):
        raise _malformed("syntax") from None
    if header.get("alg") != ALGORITHM or header.get("typ") != TYPE or not chain or not isinstance(claims, dict):
        raise _malformed("header")
    required = {"v", "id", "kind", "sender", "receiver", "service", "iat", "digest"}
    if not required <= claims.keys() or claims["v"] != 1 or not isinstance(claims["iat"], int):
        raise _malformed("claims")
    return Envelope(claims=claims, chain=chain, token=token)


def envelope_check_signature(envelope: Envelope, *, body: bytes, receiver: str, now: float, window: int) -> None:
    """Check the signature with the key of ``x5c[0]`` (whose chain the caller checks), that the
    certificate belongs to the claimed sender, that we are the receiver, the body digest and the time.

    Args:
        now: our clock, seconds since the epoch; ``window``: the largest difference from ``iat``
            accepted, seconds.

    Raises:
        PermissionDenied: ``extra["rule"]`` is ``signature`` (bad signature), ``sender`` (the
            certificate is another organization's), ``receiver`` (not addressed to us), ``digest``
            (the body is not the one signed) or ``time`` (``iat`` outside the window).
    """
    try:
        jws.deserialize_compact(envelope.token, _verify_key(envelope.chain[0]), registry=REGISTRY)
    except (JoseError, ValueError):
        raise PermissionDenied(_("The message signature is not valid."), extra={"rule": "signature"}) from None
    claims = envelope.claims
    if organization_code(envelope.chain[0]) != claims["sender"]:
        raise PermissionDenied(_("The signing certificate is not the sender's."), extra={"rule": "sender"})
    if claims["receiver"] != receiver:
        raise PermissionDenied(_("The message is addressed to another organization."), extra={"rule": "receiver"})
    if claims["digest"] != body_digest(body):
        raise PermissionDenied(_("The message body is not the one that was signed."), extra={"rule": "digest"})
    if abs(now - claims["iat"]) > window:
        raise PermissionDenied(
            _("The message was signed outside the accepted time window."),
            extra={"rule": "time", "window_seconds": window},
        )
