"""Private keys of the platform CA: generated, encrypted with the CA passphrase, decrypted on use.

Keys are stored as PKCS #12 (RFC 7292) with PBES2 / AES-256-CBC and PBKDF2-SHA256 at
``KDF_ROUNDS`` iterations, so that ``openssl pkcs12`` can read an exported key. The passphrase
comes from the environment variable ``EGOV_CA_PASSPHRASE``; the demo (``EGOV_ENV=demo``) falls back
to ``DEMO_CA_PASSPHRASE``, which every other environment refuses, as it refuses a missing or short one.
"""

import hashlib
import os
import threading

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12
from cryptography.hazmat.primitives.serialization.pkcs12 import PBES
from django.conf import settings
from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed

PASSPHRASE_ENV = "EGOV_CA_PASSPHRASE"
DEMO_CA_PASSPHRASE = "egov-demo-ca-passphrase"  # printed in the README: never acceptable outside the demo
MIN_PASSPHRASE_LENGTH = 12
KDF_ROUNDS = 200_000

# Decrypted keys, per process: (SHA-256 of the blob, SHA-256 of the passphrase) -> key. PBKDF2 at
# 200 000 rounds costs tens of milliseconds; signing many documents should pay it once.
_cache: dict[tuple[bytes, bytes], ec.EllipticCurvePrivateKey] = {}
_cache_lock = threading.Lock()


def ca_passphrase() -> bytes:
    """Return the CA passphrase from the environment, checked.

    Raises:
        ValidationFailed: ``extra["field"] == "EGOV_CA_PASSPHRASE"``; ``rule`` is ``required``
            (unset outside the demo), ``default`` (the demo passphrase outside the demo) or
            ``min_length`` (fewer than 12 characters).
    """
    value = os.environ.get(PASSPHRASE_ENV, "")
    demo = settings.EGOV_ENV == "demo"
    if not value:
        if demo:
            return DEMO_CA_PASSPHRASE.encode()
        raise ValidationFailed(_("EGOV_CA_PASSPHRASE is not set: the CA keys cannot be opened."),
                               extra={"field": PASSPHRASE_ENV, "rule": "required"})
    if value == DEMO_CA_PASSPHRASE and not demo:
        raise ValidationFailed(_("EGOV_CA_PASSPHRASE is the published demo passphrase: choose your own."),
                               extra={"field": PASSPHRASE_ENV, "rule": "default"})
    if len(value) < MIN_PASSPHRASE_LENGTH:
        raise ValidationFailed(
            _("EGOV_CA_PASSPHRASE is shorter than %(n)d characters.") % {"n": MIN_PASSPHRASE_LENGTH},
            extra={"field": PASSPHRASE_ENV, "rule": "min_length"},
        )
    return value.encode()


def key_generate(*, ca: bool = False) -> ec.EllipticCurvePrivateKey:
    """A new ECDSA key: P-384 for CAs, P-256 for end entities (FIPS 186-4 curves, RFC 5480)."""
    return ec.generate_private_key(ec.SECP384R1() if ca else ec.SECP256R1())


def key_encrypt(*, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate, passphrase: bytes,
                name: str) -> bytes:
    """Return ``key`` and ``certificate`` as an encrypted PKCS #12 blob (DER bytes)."""
    encryption = (
        PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(KDF_ROUNDS)
        .key_cert_algorithm(PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(certificate.signature_hash_algorithm)
        .build(passphrase)
    )
    return pkcs12.serialize_key_and_certificates(name.encode(), key, certificate, None, encryption)


def key_decrypt(*, blob: bytes, passphrase: bytes) -> ec.EllipticCurvePrivateKey:
    """Open a blob made by ``key_encrypt``.

    Raises:
        ValidationFailed: the passphrase does not open it (``rule == "wrong_passphrase"``).
    """
    blob = bytes(blob)
    cache_key = (hashlib.sha256(blob).digest(), hashlib.sha256(passphrase).digest())
    with _cache_lock:
        key = _cache.get(cache_key)
    if key is not None:
        return key
    try:
        key, _cert, _extra = pkcs12.load_key_and_certificates(blob, passphrase)
    except ValueError:
        raise ValidationFailed(_("EGOV_CA_PASSPHRASE does not open the CA keys (wrong passphrase)."),
                               extra={"field": PASSPHRASE_ENV, "rule": "wrong_passphrase"}) from None
    with _cache_lock:
        _cache[cache_key] = key
    return key


