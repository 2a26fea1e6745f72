"""X.509 certificate and CRL profiles of the platform CA (RFC 5280).

Every certificate names where its status is published: a CRL distribution point
(``/trust/crl/<ca>.crl``) and an Authority Information Access with the OCSP responder
(``/trust/ocsp``, RFC 6960) and the issuer's certificate (``/trust/ca/<ca>.cer``), all under
``settings.EGOV_PUBLIC_URL``.

| purpose     | key usage (critical)                      | extended key usage                         | validity |
|-------------|-------------------------------------------|--------------------------------------------|----------|
| root CA     | keyCertSign, cRLSign                      | —                                          | 20 years |
| issuing CA  | keyCertSign, cRLSign (pathLen 0)          | —                                          | 10 years |
| seal        | digitalSignature, contentCommitment       | documentSigning (RFC 9336), emailProtection | 2 years |
| staff       | digitalSignature, contentCommitment       | documentSigning (RFC 9336), emailProtection | 1 year  |
| node        | digitalSignature                          | serverAuth, clientAuth                     | 1 year   |
| tsa         | digitalSignature, contentCommitment       | timeStamping, critical (RFC 3161 §2.3)     | 5 years  |
| ocsp        | digitalSignature                          | OCSPSigning + id-pkix-ocsp-nocheck (§4.2.2.2.1) | 1 year |
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.conf import settings

# RFC 9336: id-kp-documentSigning
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
# What seal and staff certificates carry: documentSigning names the purpose (RFC 9336 §3), and
# emailProtection (RFC 5280 §4.2.1.12) is what the common verifiers look for in the signer of a CMS
# signature: NSS (poppler's pdfsig, Evince, Okular, Firefox) checks it as certUsageEmailSigner and
# OpenSSL's ``cms -verify`` with the purpose smimesign, and both refuse an EKU extension without
# emailProtection ("Unknown issue with Certificate", "unsuitable certificate purpose"); Adobe Acrobat
# accepts emailProtection too. RFC 5280 §4.2.1.12 lets a certificate name several purposes: each relying
# party needs only the one it looks for. Key usage stays digitalSignature + contentCommitment
# (nonRepudiation), which all three accept for signing.
SIGNER_EKU = (DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION)

VALIDITY_DAYS = {
    "root_ca": 20 * 365,
    "issuing_ca": 10 * 365,
    "seal": 2 * 365,
    "staff": 365,
    "node": 365,
    "tsa": 5 * 365,
    "ocsp": 365,
}

# Validity starts a little in the past so that clocks slightly behind ours accept a new certificate.
BACKDATE = timedelta(minutes=5)


@dataclass(frozen=True)
class Subject:
    """Who a certificate names. ``common_name`` is required; the rest appear when given."""

    common_name: str
    organization: str = ""
    organization_identifier: str = ""  # the organization's unified social credit code (GB 32100-2015)
    organizational_unit: str = ""
    user_id: str = ""
    locality: str = ""
    dns_names: tuple[str, ...] = field(default_factory=tuple)

    def name(self) -> x509.Name:
        attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
        if self.locality:
            attributes.append(x509.NameAttribute(NameOID.LOCALITY_NAME, self.locality))
        if self.organization:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organization))
        if self.organizational_unit:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, self.organizational_unit))
        if self.organization_identifier:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, self.organization_identifier))
        if self.user_id:
            attributes.append(x509.NameAttribute(NameOID.USER_ID, self.user_id))
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, self.common_name))
        return x509.Name(attributes)


def public_url(path: str) -> str:
    """``settings.EGOV_PUBLIC_URL`` joined with ``path`` (which starts with ``/``)."""
    return settings.EGOV_PUBLIC_URL.rstrip("/") + path


def crl_url(ca_slug: str) -> str:
    return public_url(f"/trust/crl/{ca_slug}.crl")


def ca_cert_url(ca_slug: str) -> str:
    return public_url(f"/trust/ca/{ca_slug}.cer")


def ocsp_url() -> str:
    return public_url("/trust/ocsp")


def _key_usage(*, sign: bool = False, commit: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=commit, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
    )


def build_certificate(
    *,
    purpose: str,
    subject: Subject,
    public_key: ec.EllipticCurvePublicKey,
    issuer_cert: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer_slug: str,
    parent_slug: str = "",
    now: datetime,
    days: int | None = None,
) -> x509.Certificate:
    """Sign a certificate of ``purpose`` (a ``Certificate.Purpose`` value) for ``subject``.

    Args:
        issuer_cert: the issuing CA's certificate, or None for the self-signed root.
        issuer_slug: the issuing CA's slug (its CRL and certificate URLs).
        parent_slug: for an issuing CA, the slug of the root above it.
        now: the issuing time (aware); validity runs from ``now - 5 min`` for ``days``
            (default ``VALIDITY_DAYS[purpose]``), never past the issuer's own ``not_after``.

    Returns:
        The certificate, signed with ECDSA-SHA-256 (or SHA-384 by a P-384 CA key).
    """
    name = subject.name()
    not_after = now + timedelta(days=days if days is not None else VALIDITY_DAYS[purpose])
    if issuer_cert is not None:
        not_after = min(not_after, issuer_cert.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_cert.subject if issuer_cert is not None else name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), critical=False
        )
    if purpose == "root_ca":
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        builder = builder.add_extension(_key_usage(ca=True), critical=True)
    elif purpose == "issuing_ca":
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        builder = builder.add_extension(_key_usage(ca=True), critical=True)
        builder = _with_status_urls(builder, crl_slug=parent_slug, issuer_slug=parent_slug, ocsp=False)
    else:
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        builder = _with_leaf_profile(builder, purpose, subject)
        builder = _with_status_urls(builder, crl_slug=issuer_slug, issuer_slug=issuer_slug,
                                    ocsp=purpose != "ocsp")
    algorithm = hashes.SHA384() if isinstance(issuer_key.curve, ec.SECP384R1) else hashes.SHA256()
    return builder.sign(issuer_key, algorithm)


def _with_leaf_profile(builder: x509.CertificateBuilder, purpose: str, subject: Subject) -> x509.CertificateBuilder:
    if purpose in ("seal", "staff"):
        builder = builder.add_extension(_key_usage(sign=True, commit=True), critical=True)
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(SIGNER_EKU)), critical=False)
    elif purpose == "node":
        builder = builder.add_extension(_key_usage(sign=True), critical=True)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        if subject.dns_names:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in subject.dns_names]), critical=False
            )
    elif purpose == "tsa":
        builder = builder.add_extension(_key_usage(sign=True, commit=True), critical=True)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    elif purpose == "ocsp":
        builder = builder.add_extension(_key_usage(sign=True), critical=True)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
        builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    else:
        raise ValueError(f"unknown certificate purpose {purpose!r}")
    return builder


def _with_status_urls(builder: x509.CertificateBuilder, *, crl_slug: str, issuer_slug: str,
                      ocsp: bool) -> x509.CertificateBuilder:
    builder = builder.add_extension(
        x509.CRLDistributionPoints([
            x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(crl_url(crl_slug))],
                                   relative_name=None, reasons=None, crl_issuer=None)
        ]),
        critical=False,
    )
    access = [x509.AccessDescription(x509.AuthorityInformationAccessOID.CA_ISSUERS,
                                     x509.UniformResourceIdentifier(ca_cert_url(issuer_slug)))]
    if ocsp:
        access.insert(0, x509.AccessDescription(x509.AuthorityInformationAccessOID.OCSP,
                                                x509.UniformResourceIdentifier(ocsp_url())))
    return builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)


# RFC 5280 §5.3.1 reason names (our choices) -> cryptography's flags
REASON_FLAGS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "ca_compromise": x509.ReasonFlags.ca_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
    "privilege_withdrawn": x509.ReasonFlags.privilege_withdrawn,
}


def build_crl(
    *,
    issuer_cert: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    number: int,
    revoked: list[tuple[int, datetime, str]],
    this_update: datetime,
    next_update: datetime,
) -> x509.CertificateRevocationList:
    """A CRL v2 (RFC 5280 §5) with a CRL number and authority key identifier.

    Args:
        revoked: ``(serial as int, revocation time, reason name)`` for each revoked certificate.
            The reason ``unspecified`` is left out of the entry, as §5.3.1 recommends.
    """
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), critical=False)
    )
    for serial, revoked_at, reason in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(revoked_at)
        if reason and reason != "unspecified":
            entry = entry.add_extension(x509.CRLReason(REASON_FLAGS[reason]), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    algorithm = hashes.SHA384() if isinstance(issuer_key.curve, ec.SECP384R1) else hashes.SHA256()
    return builder.sign(issuer_key, algorithm)
