"""Reads of the trust app: CAs, certificates with their keys, seals, signed documents and revisions."""

from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.errors import Conflict, NotFound
from egov.orgs.permissions import has_role
from egov.trust.keys import ca_passphrase, key_decrypt
from egov.trust.models import Certificate, CertificateAuthority, Seal, SignedDocument, SignedRevision


def ca_exists() -> bool:
    """True when ``egov trust init`` has run (a root CA exists)."""
    return CertificateAuthority.objects.filter(kind=CertificateAuthority.Kind.ROOT).exists()


def authority_get(*, slug: str) -> CertificateAuthority:
    """The CA named ``slug`` in URLs. Raises ``NotFound``."""
    authority = CertificateAuthority.objects.select_related("certificate", "parent").filter(slug=slug).first()
    if authority is None:
        raise NotFound(_("No such certificate authority."), extra={"field": "ca"})
    return authority


def _authority_of_kind(kind: str) -> CertificateAuthority:
    authority = CertificateAuthority.objects.select_related("certificate").filter(kind=kind).order_by("-pk").first()
    if authority is None:
        raise Conflict(_("The platform CA is not set up: run `egov trust init`."), extra={"rule": "no_ca"})
    return authority


def root_authority() -> CertificateAuthority:
    """The root CA. Raises ``Conflict`` (``rule == "no_ca"``) before ``egov trust init``."""
    return _authority_of_kind(CertificateAuthority.Kind.ROOT)


def issuing_authority() -> CertificateAuthority:
    """The issuing CA that signs end-entity certificates. Raises ``Conflict`` before init."""
    return _authority_of_kind(CertificateAuthority.Kind.ISSUING)


def certificate_x509(certificate: Certificate) -> x509.Certificate:
    """The stored certificate, parsed."""
    return x509.load_der_x509_certificate(bytes(certificate.der))


def certificate_private_key(certificate: Certificate) -> ec.EllipticCurvePrivateKey:
    """Decrypt the certificate's key with the CA passphrase.

    Raises:
        ValidationFailed: the passphrase is missing, a default, or wrong (``keys.ca_passphrase``).
    """
    return key_decrypt(blob=certificate.key_p12, passphrase=ca_passphrase())


def service_certificate(*, purpose: str) -> Certificate:
    """The newest valid, unrevoked certificate of the TSA (``"tsa"``) or OCSP responder (``"ocsp"``).

    Raises:
        Conflict: none is valid now (``rule == "no_service_certificate"``): run ``egov trust init``.
    """
    now = timezone.now()
    certificate = (
        Certificate.objects.filter(purpose=purpose, revoked_at__isnull=True, not_before__lte=now, not_after__gt=now)
        .order_by("-not_after")
        .first()
    )
    if certificate is None:
        raise Conflict(_("No valid %(purpose)s certificate: run `egov trust init`.") % {"purpose": purpose},
                       extra={"rule": "no_service_certificate", "purpose": purpose})
    return certificate


def chain_certificates() -> list[x509.Certificate]:
    """The CA certificates, issuing CA first then the root (what a signer sends with its own)."""
    return [certificate_x509(issuing_authority().certificate), certificate_x509(root_authority().certificate)]


def certificates_expiring(*, within_days: int = 30) -> QuerySet[Certificate]:
    """Unrevoked certificates whose ``not_after`` falls within the next ``within_days`` days (or has
    passed), soonest first; renewed certificates (those with a later renewal) are left out."""
    limit = timezone.now() + timedelta(days=within_days)
    return (
        Certificate.objects.filter(revoked_at__isnull=True, not_after__lte=limit, renewals__isnull=True)
        .select_related("organization", "user")
        .order_by("not_after")
    )


def certificates_with_an_outdated_signer_profile() -> list[Certificate]:
    """Seal and staff certificates still in use (unrevoked, not renewed, not expired) whose extended key
    usage lacks what ``profiles.SIGNER_EKU`` now gives them: those issued before seal and staff
    certificates carried emailProtection, which NSS (pdfsig) and OpenSSL's ``cms -verify`` need
    (issue 19). ``egov trust renew --outdated`` renews them. Oldest first."""
    from egov.trust.profiles import SIGNER_EKU

    candidates = Certificate.objects.filter(
        purpose__in=(Certificate.Purpose.SEAL, Certificate.Purpose.STAFF), revoked_at__isnull=True,
        renewals__isnull=True, not_after__gt=timezone.now(),
    ).select_related("organization", "user").order_by("not_before", "pk")
    outdated = []
    for certificate in candidates:
        try:
            usages = set(certificate_x509(certificate).extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
        except x509.ExtensionNotFound:
            continue  # no EKU: every verifier accepts it for any purpose (RFC 5280 §4.2.1.12)
        if not set(SIGNER_EKU) <= usages:
            outdated.append(certificate)
    return outdated


def seal_get(*, seal_id: int) -> Seal:
    """The seal with this id, with its organization and certificate. Raises ``NotFound``."""
    seal = Seal.objects.select_related("organization", "certificate").filter(pk=seal_id).first()
    if seal is None:
        raise NotFound(_("No such seal."), extra={"field": "seal"})
    return seal


def seals_of(*, organization) -> QuerySet[Seal]:
    """The active seals of ``organization`` with their grants."""
    return Seal.objects.filter(organization=organization, is_active=True).prefetch_related("grants")


def seal_usable_by(*, seal: Seal, user) -> bool:
    """True when ``user`` holds, in the seal's organization, a role the seal is granted to.
    ``user=None`` is the platform itself, which may use every seal (and is audited as such)."""
    if user is None:
        return True
    return any(has_role(user, seal.organization, grant.role) for grant in seal.grants.all())


def signed_document_by_code(*, code: str) -> SignedDocument:
    """The document whose verification code is ``code`` (case and dashes do not matter).

    Raises:
        NotFound: no document has this code.
    """
    normalized = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    normalized = "-".join(normalized[i:i + 4] for i in range(0, len(normalized), 4))
    document = SignedDocument.objects.filter(code=normalized).first()
    if document is None:
        raise NotFound(_("No document has this verification code."), extra={"field": "code", "rule": "unknown"})
    return document


def signed_revision_of(*, document: SignedDocument, number: int | None = None) -> SignedRevision:
    """Revision ``number`` of ``document``, or its latest revision when ``number`` is None.

    Raises:
        NotFound: the document has no such revision.
    """
    revisions = document.revisions.select_related("document")
    revision = revisions.order_by("-number").first() if number is None else revisions.filter(number=number).first()
    if revision is None:
        raise NotFound(_("This document has no such version."), extra={"field": "revision", "rule": "unknown"})
    return revision


def signed_revisions_by_sha256(*, sha256s: list[str]) -> list[SignedRevision]:
    """The registered revisions whose bytes have one of these SHA-256 digests (hex)."""
    return list(SignedRevision.objects.select_related("document").filter(sha256__in=sha256s))


def signed_revisions_summary(*, document: SignedDocument) -> list[dict]:
    """Every revision of ``document``, oldest first: ``number``, ``sha256``, ``signatures`` and
    ``registered_at`` (a datetime)."""
    return [
        {"number": number, "sha256": sha256, "signatures": signatures, "registered_at": created_at}
        for number, sha256, signatures, created_at in document.revisions.order_by("number")
        .values_list("number", "sha256", "signatures", "created_at")
    ]
