"""The CMS signer of the platform's signatures and timestamp tokens: pyHanko's ``SimpleSigner`` with
the signing-certificate-v2 attribute built once per certificate.

Every CMS signature we make (a seal's or a staff member's PAdES signature, and each RFC 3161 token
of our TSA) carries the signed attribute signing-certificate-v2 (RFC 5035 §3: the SHA-256 of the
signer's certificate and its issuer and serial number, ``ESSCertIDv2``), which CAdES and PAdES
require (ETSI EN 319 122-1 §5.2.2) and RFC 5816 allows a TSA to use. pyHanko builds it afresh
for every signature as a nested asn1crypto structure; asn1crypto re-encodes a structure built in
Python on every access to its contents, and a ``dump`` reads its contents twice at each level, so
encoding the signed attributes costs time that doubles with each level of nesting (asn1crypto
issue #256, open). Most of the CPU of a CMS signature went there: about 10 ms of the signature's and
10 ms of the timestamp token's, against about 1 ms for the ECDSA signature itself.

``PlatformSigner`` builds the attribute's value once per certificate and keeps it as parsed DER
(an asn1crypto value loaded from bytes is encoded by copying those bytes). The signed attributes,
the ``SignerInfo`` and the ``SignedData`` are still assembled by pyHanko and come out identical to
``SimpleSigner``'s but for the signature value (``tests/test_cms_signer.py``); a seal's signature
and its timestamp token together took ~27 ms of CPU with ``SimpleSigner`` and ~5 ms with
``PlatformSigner`` on the benchmark machine (bench/README.md, "trust_sign.py").
"""

import threading
from collections.abc import Iterator

from asn1crypto import tsp
from pyhanko.sign.attributes import CMSAttributeProvider, SigningCertificateV2Provider
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.signers.pdf_cms import SimpleSigner

# signing-certificate-v2 values (RFC 5035 §3), per process: DER of the certificate -> the value
# parsed from its DER. A certificate's value never changes; the platform has a handful of signing
# certificates, so the dictionary is only emptied when it grows past SIGNING_CERTIFICATES_KEPT.
_signing_certificates: dict[bytes, tsp.SigningCertificateV2] = {}
_signing_certificates_lock = threading.Lock()
SIGNING_CERTIFICATES_KEPT = 256


def signing_certificate_v2(certificate) -> tsp.SigningCertificateV2:
    """The ``SigningCertificateV2`` value (RFC 5035 §3, SHA-256 ``ESSCertIDv2`` with issuer and
    serial) of ``certificate`` (an asn1crypto ``x509.Certificate``), as pyHanko's
    ``as_signing_certificate_v2`` builds it, parsed back from its DER; built once per process and
    certificate."""
    der = certificate.dump()
    with _signing_certificates_lock:
        value = _signing_certificates.get(der)
    if value is None:
        value = tsp.SigningCertificateV2.load(as_signing_certificate_v2(certificate).dump())
        with _signing_certificates_lock:
            if len(_signing_certificates) >= SIGNING_CERTIFICATES_KEPT:
                _signing_certificates.clear()
            _signing_certificates[der] = value
    return value


class _KeptSigningCertificateV2Provider(SigningCertificateV2Provider):
    """pyHanko's provider of the signing-certificate-v2 attribute, giving the value kept per certificate."""

    async def build_attr_value(self, dry_run=False) -> tsp.SigningCertificateV2:
        return signing_certificate_v2(self.signing_cert)


class PlatformSigner(SimpleSigner):
    """pyHanko's ``SimpleSigner`` (same arguments: ``signing_cert``, ``signing_key``,
    ``cert_registry``, ``embed_roots``…), whose signed attributes reuse the signing-certificate-v2
    value kept per certificate (``signing_certificate_v2``). Every other attribute, and the
    assembly of the CMS, is pyHanko's."""

    def _signed_attr_providers(self, *args, **kwargs) -> Iterator[CMSAttributeProvider]:
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if type(provider) is SigningCertificateV2Provider:
                provider = _KeptSigningCertificateV2Provider(signing_cert=provider.signing_cert)
            yield provider
