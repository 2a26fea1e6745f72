"""Writes of the platform CA: set-up, issuance, revocation, renewal, CRLs, seals and their grants.

Each action is atomic and audited (``trust.<entity>.<verb>``). Issuing and publishing need the CA
passphrase (``egov.trust.keys.ca_passphrase``); a wrong one fails before anything is written.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.audit.models import AuditEvent
from egov.core.actors import SYSTEM
from egov.core.errors import Conflict, ValidationFailed
from egov.orgs.models import Membership, Organization
from egov.orgs.permissions import require_operator
from egov.orgs.roles import Role
from egov.trust import images
from egov.trust.keys import ca_passphrase, key_decrypt, key_encrypt, key_generate
from egov.trust.models import Certificate, CertificateAuthority, Seal, SealGrant
from egov.trust.profiles import Subject, build_certificate, build_crl
from egov.trust.selectors import certificate_x509, certificates_expiring, issuing_authority

# How long a CRL stays current (RFC 5280 §5.1.2.5 nextUpdate); it is renewed before then.
CRL_VALIDITY = timedelta(days=7)

# The words a certificate's OU and the seal's lower line carry, by seal kind (data, not UI text).
SEAL_KIND_NAMES = {
    Seal.Kind.OFFICIAL: "公章",
    Seal.Kind.CONTRACT: "合同专用章",
    Seal.Kind.BUSINESS: "业务专用章",
    Seal.Kind.FINANCE: "财务专用章",
    Seal.Kind.DOCUMENT: "公文专用章",
}


@dataclass(frozen=True)
class CaInitResult:
    """What ``ca_init`` found or made: the two CAs, and whether they were created now."""

    root: CertificateAuthority
    issuing: CertificateAuthority
    created: bool


def _store(*, purpose: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey, passphrase: bytes,
           issuer: CertificateAuthority | None, organization: Organization | None = None, user=None,
           renewed_from: Certificate | None = None) -> Certificate:
    common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    return Certificate.objects.create(
        purpose=purpose, issuer=issuer, serial=f"{cert.serial_number:x}", subject=cert.subject.rfc4514_string()[:500],
        common_name=str(common_name)[:200], fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        organization=organization, user=user, not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        der=cert.public_bytes(Encoding.DER), key_p12=key_encrypt(key=key, certificate=cert,
                                                                        passphrase=passphrase, name=str(common_name)),
        renewed_from=renewed_from,
    )


def _ca_subject(role: str) -> Subject:
    return Subject(common_name=f"{settings.EGOV_CA_NAME} {role}", organization=settings.EGOV_CA_NAME)


def _issue(*, purpose: str, subject: Subject, passphrase: bytes, organization: Organization | None = None,
           user=None, days: int | None = None, renewed_from: Certificate | None = None) -> Certificate:
    """Issue an end-entity certificate from the issuing CA with a fresh key."""
    authority = issuing_authority()
    if authority.certificate.is_revoked or authority.certificate.not_after <= timezone.now():
        raise Conflict(_("The issuing CA is revoked or expired: it issues nothing."), extra={"rule": "issuer_invalid"})
    issuer_key = key_decrypt(blob=authority.certificate.key_p12, passphrase=passphrase)
    key = key_generate()
    cert = build_certificate(purpose=purpose, subject=subject, public_key=key.public_key(),
                             issuer_cert=certificate_x509(authority.certificate), issuer_key=issuer_key,
                             issuer_slug=authority.slug, now=timezone.now(), days=days)
    return _store(purpose=purpose, cert=cert, key=key, passphrase=passphrase, issuer=authority,
                  organization=organization, user=user, renewed_from=renewed_from)


@transaction.atomic
def ca_init(*, actor=SYSTEM) -> CaInitResult:
    """Create the root CA, the issuing CA, and the TSA and OCSP responder certificates (idempotent).

    When the CAs exist, proves that the passphrase opens their keys and issues a TSA or OCSP
    certificate if none is valid any more; otherwise creates everything and publishes both CRLs.

    Raises:
        PermissionDenied: ``actor`` is not an operator of the root organization.
        ValidationFailed: the passphrase is missing, the demo default outside the demo, too short,
            or does not open existing keys. Nothing is written.
    """
    require_operator(actor, None)
    passphrase = ca_passphrase()
    root = CertificateAuthority.objects.filter(kind=CertificateAuthority.Kind.ROOT).first()
    if root is not None:
        issuing = issuing_authority()
        for authority in (root, issuing):
            key_decrypt(blob=authority.certificate.key_p12, passphrase=passphrase)
        _ensure_service_certificates(passphrase=passphrase, actor=actor)
        return CaInitResult(root=root, issuing=issuing, created=False)
    now = timezone.now()
    root_key = key_generate(ca=True)
    root_cert = build_certificate(purpose="root_ca", subject=_ca_subject("Root CA"), public_key=root_key.public_key(),
                                  issuer_cert=None, issuer_key=root_key, issuer_slug="root", now=now)
    root_row = _store(purpose=Certificate.Purpose.ROOT_CA, cert=root_cert, key=root_key, passphrase=passphrase,
                      issuer=None)
    root = CertificateAuthority.objects.create(slug="root", kind=CertificateAuthority.Kind.ROOT, certificate=root_row)
    root_row.issuer = root
    root_row.save(update_fields=["issuer"])
    issuing_key = key_generate(ca=True)
    issuing_cert = build_certificate(purpose="issuing_ca", subject=_ca_subject("Issuing CA 1"),
                                     public_key=issuing_key.public_key(), issuer_cert=root_cert, issuer_key=root_key,
                                     issuer_slug="root", parent_slug="root", now=now)
    issuing_row = _store(purpose=Certificate.Purpose.ISSUING_CA, cert=issuing_cert, key=issuing_key,
                         passphrase=passphrase, issuer=root)
    issuing = CertificateAuthority.objects.create(slug="issuing-1", kind=CertificateAuthority.Kind.ISSUING,
                                                  parent=root, certificate=issuing_row)
    audit_record(action="trust.ca.init", actor=actor, obj=root, summary="platform CA created",
                 changes={"root": root_row.fingerprint, "issuing": issuing_row.fingerprint})
    _ensure_service_certificates(passphrase=passphrase, actor=actor)
    for authority in (root, issuing):
        crl_publish(authority=authority)
    return CaInitResult(root=root, issuing=issuing, created=True)


def _ensure_service_certificates(*, passphrase: bytes, actor) -> None:
    now = timezone.now()
    names = {Certificate.Purpose.TSA: "Timestamping Authority", Certificate.Purpose.OCSP: "OCSP Responder"}
    for purpose, role in names.items():
        # Renew 30 days before expiry, so that the responder never signs with an expired certificate.
        if Certificate.objects.filter(purpose=purpose, revoked_at__isnull=True,
                                      not_after__gt=now + timedelta(days=30)).exists():
            continue
        certificate = _issue(purpose=purpose, subject=_ca_subject(role), passphrase=passphrase)
        audit_record(action="trust.certificate.issue", actor=actor, obj=certificate,
                     summary=f"{purpose} certificate issued",
                     changes={"purpose": purpose, "serial": certificate.serial})


@transaction.atomic
def crl_publish(*, authority: CertificateAuthority) -> CertificateAuthority:
    """Sign and keep a new CRL for ``authority`` listing every certificate it revoked.

    The CRL number goes up by one (RFC 5280 §5.2.3); ``thisUpdate`` is now and ``nextUpdate``
    seven days on. Run by the platform (after a revocation, at init, and when the stored CRL
    nears its ``nextUpdate``).

    Raises:
        ValidationFailed: the CA passphrase is missing or wrong.
    """
    authority = CertificateAuthority.objects.select_for_update().select_related("certificate").get(pk=authority.pk)
    key = key_decrypt(blob=authority.certificate.key_p12, passphrase=ca_passphrase())
    revoked = [
        (int(c.serial, 16), c.revoked_at, c.revocation_reason)
        for c in Certificate.objects.filter(issuer=authority, revoked_at__isnull=False)
        .exclude(pk=authority.certificate_id).order_by("revoked_at")
    ]
    now = timezone.now().replace(microsecond=0)
    authority.crl_number += 1
    crl = build_crl(issuer_cert=certificate_x509(authority.certificate), issuer_key=key, number=authority.crl_number,
                    revoked=revoked, this_update=now, next_update=now + CRL_VALIDITY)
    authority.crl_der = crl.public_bytes(Encoding.DER)
    authority.crl_this_update = now
    authority.crl_next_update = now + CRL_VALIDITY
    authority.save(update_fields=["crl_number", "crl_der", "crl_this_update", "crl_next_update"])
    audit_record(action="trust.crl.publish", obj=authority, summary=f"CRL {authority.crl_number} of {authority.slug}",
                 changes={"number": authority.crl_number, "revoked": len(revoked)})
    return authority


def _staff_subject(user, organization: Organization) -> Subject:
    return Subject(common_name=user.name, organization=organization.name, user_id=user.username,
                   organization_identifier=organization.uscc or "")


@transaction.atomic
def certificate_issue(*, actor, purpose: str, organization: Organization, user=None,
                      dns_names: tuple[str, ...] = (), days: int | None = None) -> Certificate:
    """Issue a staff signing certificate (``purpose="staff"``, for ``user``, a member of
    ``organization``) or an exchange node's TLS certificate (``purpose="node"``, for ``dns_names``).

    Seal certificates come with ``seal_create``; CA, TSA and OCSP ones with ``ca_init``.

    Raises:
        PermissionDenied: ``actor`` is not an operator over ``organization``.
        ValidationFailed: another purpose (``purpose``), no user or not a member (``user``),
            no DNS name (``dns_names``), ``days`` outside 1–825.
    """
    require_operator(actor, organization)
    if days is not None and not 1 <= days <= 825:
        raise ValidationFailed(_("A certificate is valid for 1 to 825 days."), extra={"field": "days", "rule": "range"})
    if purpose == Certificate.Purpose.STAFF:
        if user is None or not Membership.objects.filter(user=user, organization=organization).exists():
            raise ValidationFailed(_("A staff certificate is for a member of the organization."),
                                   extra={"field": "user", "rule": "member"})
        subject = _staff_subject(user, organization)
    elif purpose == Certificate.Purpose.NODE:
        names = tuple(n.strip().lower() for n in dns_names if n.strip())
        if not names:
            raise ValidationFailed(_("A node certificate names at least one host."),
                                   extra={"field": "dns_names", "rule": "required"})
        subject = Subject(common_name=names[0], organization=organization.name, dns_names=names,
                          organization_identifier=organization.uscc or "")
    else:
        raise ValidationFailed(_("Certificates of this purpose are not issued this way."),
                               extra={"field": "purpose", "rule": "choice"})
    certificate = _issue(purpose=purpose, subject=subject, passphrase=ca_passphrase(), organization=organization,
                         user=user, days=days)
    audit_record(action="trust.certificate.issue", actor=actor, organization=organization, obj=certificate,
                 summary=f"{purpose} certificate for {certificate.common_name}",
                 changes={"purpose": purpose, "serial": certificate.serial, "user": getattr(user, "pk", None)})
    return certificate


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke ``certificate`` now for ``reason`` (an RFC 5280 §5.3.1 name) and publish its CA's CRL.

    Raises:
        PermissionDenied: ``actor`` is not an operator over the certificate's organization (the
            root organization for platform certificates).
        ValidationFailed: unknown reason (``reason``); the root CA cannot be revoked.
        Conflict: revoked already.
    """
    require_operator(actor, certificate.organization)
    if reason not in Certificate.Reason.values:
        raise ValidationFailed(_("Unknown revocation reason."), extra={"field": "reason", "rule": "choice"})
    if certificate.purpose == Certificate.Purpose.ROOT_CA:
        raise ValidationFailed(_("The root CA cannot be revoked; retire it instead."),
                               extra={"field": "certificate", "rule": "root"})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.is_revoked:
        raise Conflict(_("This certificate is revoked already."), extra={"rule": "revoked"})
    certificate.revoked_at = timezone.now().replace(microsecond=0)
    certificate.revocation_reason = reason
    certificate.save(update_fields=["revoked_at", "revocation_reason"])
    audit_record(action="trust.certificate.revoke", actor=actor, organization=certificate.organization,
                 obj=certificate, summary=f"revoked {certificate.common_name}: {reason}",
                 changes={"serial": certificate.serial, "reason": reason})
    crl_publish(authority=certificate.issuer)
    return certificate


@transaction.atomic
def node_certificate_issue_for_csr(*, actor, organization: Organization, csr_pem: bytes,
                                   days: int | None = None) -> Certificate:
    """Issue an exchange node's certificate for the key of a PKCS #10 request (RFC 2986) the node
    made itself (``egov node keygen``): the key never leaves the node, so no key is stored.

    The subject is ours (organization name and USCC as ``organizationIdentifier``); only the DNS
    names are taken from the request's subjectAltName.

    Raises:
        PermissionDenied: ``actor`` is not an operator over ``organization``.
        ValidationFailed: not a PEM CSR or its self-signature fails (``field == "csr"``), a key
            other than ECDSA P-256, no DNS name, the organization has no USCC, ``days`` outside 1–825.
    """
    require_operator(actor, organization)
    if days is not None and not 1 <= days <= 825:
        raise ValidationFailed(_("A certificate is valid for 1 to 825 days."), extra={"field": "days", "rule": "range"})
    try:
        csr = x509.load_pem_x509_csr(csr_pem)
        signature_ok = csr.is_signature_valid
    except ValueError:
        signature_ok = False
    if not signature_ok:
        raise ValidationFailed(_("This is not a signed certificate request (PEM CSR)."),
                               extra={"field": "csr", "rule": "invalid"})
    public_key = csr.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(public_key.curve, ec.SECP256R1):
        raise ValidationFailed(_("A node key is an ECDSA key on P-256."), extra={"field": "csr", "rule": "key"})
    try:
        names = tuple(n.lower() for n in csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
                      .value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        names = ()
    if not names:
        raise ValidationFailed(_("A node certificate names at least one host."),
                               extra={"field": "dns_names", "rule": "required"})
    if not organization.uscc:
        raise ValidationFailed(_("The organization has no unified social credit code."),
                               extra={"field": "organization", "rule": "uscc"})
    authority = issuing_authority()
    if authority.certificate.is_revoked or authority.certificate.not_after <= timezone.now():
        raise Conflict(_("The issuing CA is revoked or expired: it issues nothing."), extra={"rule": "issuer_invalid"})
    subject = Subject(common_name=names[0], organization=organization.name, dns_names=names,
                      organization_identifier=organization.uscc)
    cert = build_certificate(purpose=Certificate.Purpose.NODE, subject=subject, public_key=public_key,
                             issuer_cert=certificate_x509(authority.certificate),
                             issuer_key=key_decrypt(blob=authority.certificate.key_p12, passphrase=ca_passphrase()),
                             issuer_slug=authority.slug, now=timezone.now(), days=days)
    certificate = Certificate.objects.create(
        purpose=Certificate.Purpose.NODE, issuer=authority, serial=f"{cert.serial_number:x}",
        subject=cert.subject.rfc4514_string()[:500], common_name=names[0][:200],
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(), organization=organization,
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc, der=cert.public_bytes(Encoding.DER),
        key_p12=b"",
    )
    audit_record(action="trust.certificate.issue", actor=actor, organization=organization, obj=certificate,
                 summary=f"node certificate for {names[0]} (CSR)",
                 changes={"purpose": "node", "serial": certificate.serial, "csr": True})
    return certificate


def _subject_of(cert: x509.Certificate) -> Subject:
    def first(oid) -> str:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    try:
        dns = tuple(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
                    .get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        dns = ()
    return Subject(common_name=first(NameOID.COMMON_NAME), organization=first(NameOID.ORGANIZATION_NAME),
                   organization_identifier=first(NameOID.ORGANIZATION_IDENTIFIER),
                   organizational_unit=first(NameOID.ORGANIZATIONAL_UNIT_NAME), user_id=first(NameOID.USER_ID),
                   locality=first(NameOID.LOCALITY_NAME), dns_names=dns)


@transaction.atomic
def certificate_renew(*, actor, certificate: Certificate) -> Certificate:
    """Issue a successor of an end-entity ``certificate``: same subject and purpose, a new key, a
    full validity period. Seals bound to the old certificate move to the new one; the old one
    stays valid until it expires (revoke it separately if it must stop sooner).

    Raises:
        PermissionDenied: ``actor`` is not an operator over the certificate's organization.
        ValidationFailed: a CA certificate (``rule == "ca"``).
        Conflict: the certificate is revoked or renewed already.
    """
    require_operator(actor, certificate.organization)
    if certificate.purpose in (Certificate.Purpose.ROOT_CA, Certificate.Purpose.ISSUING_CA):
        raise ValidationFailed(_("CA certificates are not renewed this way."),
                               extra={"field": "certificate", "rule": "ca"})
    if certificate.is_revoked:
        raise Conflict(_("A revoked certificate cannot be renewed."), extra={"rule": "revoked"})
    if certificate.renewals.exists():
        raise Conflict(_("This certificate has been renewed already."), extra={"rule": "renewed"})
    renewed = _issue(purpose=certificate.purpose, subject=_subject_of(certificate_x509(certificate)),
                     passphrase=ca_passphrase(), organization=certificate.organization, user=certificate.user,
                     renewed_from=certificate)
    moved = Seal.objects.filter(certificate=certificate).update(certificate=renewed)
    audit_record(action="trust.certificate.renew", actor=actor, organization=certificate.organization, obj=renewed,
                 summary=f"renewed {certificate.common_name}",
                 changes={"old_serial": certificate.serial, "serial": renewed.serial, "seals_moved": moved})
    return renewed


def _seal_subject(organization: Organization, kind: str) -> Subject:
    return Subject(common_name=f"{organization.name}{SEAL_KIND_NAMES[kind]}", organization=organization.name,
                   organizational_unit=SEAL_KIND_NAMES[kind], organization_identifier=organization.uscc or "")


@transaction.atomic
def seal_create(*, actor, organization: Organization, kind: str, name: str = "",
                image_png: bytes | None = None) -> Seal:
    """Make an electronic seal of ``kind`` for ``organization`` and issue its seal certificate.

    Args:
        name: the text around the seal (default: the organization's name), at most 40 characters.
        image_png: an uploaded seal image (PNG, 100–2000 px a side, at most 1 MB); None draws the
            usual round red seal from ``name`` and the kind (``egov.trust.images``).

    Raises:
        PermissionDenied: ``actor`` is not an operator over ``organization``.
        ValidationFailed: unknown kind (``kind``), name too long (``name``), a bad image (``image``).
        Conflict: the organization has an active seal of this kind.
    """
    require_operator(actor, organization)
    if kind not in Seal.Kind.values:
        raise ValidationFailed(_("Unknown seal kind."), extra={"field": "kind", "rule": "choice"})
    name = (name or organization.name).strip()
    if len(name) > 40:
        raise ValidationFailed(_("The seal text is longer than 40 characters."),
                               extra={"field": "name", "rule": "max_length"})
    if Seal.objects.filter(organization=organization, kind=kind, is_active=True).exists():
        raise Conflict(_("This organization has an active seal of this kind."), extra={"field": "kind"})
    if image_png is not None:
        image = images.seal_image_check(image_png)
    else:
        image = images.seal_image_draw(name=name, kind_text="" if kind == Seal.Kind.OFFICIAL
                                           else SEAL_KIND_NAMES[kind])
    certificate = _issue(purpose=Certificate.Purpose.SEAL, subject=_seal_subject(organization, kind),
                         passphrase=ca_passphrase(), organization=organization)
    try:
        with transaction.atomic():
            seal = Seal.objects.create(organization=organization, kind=kind, name=name, image_png=image,
                                       image_uploaded=image_png is not None, certificate=certificate)
    except IntegrityError:
        raise Conflict(_("This organization has an active seal of this kind."), extra={"field": "kind"}) from None
    audit_record(action="trust.seal.create", actor=actor, organization=organization, obj=seal,
                 summary=f"seal {SEAL_KIND_NAMES[kind]} of {organization.name}",
                 changes={"kind": kind, "certificate": certificate.serial, "uploaded": image_png is not None,
                          "image_sha256": hashlib.sha256(image).hexdigest()})
    return seal


@transaction.atomic
def seal_grant(*, actor, seal: Seal, role: str) -> SealGrant:
    """Let holders of ``role`` in the seal's organization use the seal.

    Raises:
        PermissionDenied: ``actor`` is not an operator over the seal's organization.
        ValidationFailed: unknown role.
        Conflict: granted already.
    """
    require_operator(actor, seal.organization)
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role: %(role)s") % {"role": role}, extra={"field": "role", "rule": "choice"})
    try:
        with transaction.atomic():
            grant = SealGrant.objects.create(seal=seal, role=role)
    except IntegrityError:
        raise Conflict(_("The seal is granted to this role already."), extra={"field": "role"}) from None
    audit_record(action="trust.seal.grant", actor=actor, organization=seal.organization, obj=seal,
                 summary=f"{seal} granted to {role}", changes={"role": role})
    return grant


@transaction.atomic
def seal_grant_revoke(*, actor, seal: Seal, role: str) -> None:
    """Stop holders of ``role`` from using the seal.

    Raises:
        PermissionDenied: ``actor`` is not an operator over the seal's organization.
        Conflict: the seal is not granted to ``role``.
    """
    require_operator(actor, seal.organization)
    deleted, _rows = SealGrant.objects.filter(seal=seal, role=role).delete()
    if not deleted:
        raise Conflict(_("The seal is not granted to this role."), extra={"field": "role"})
    audit_record(action="trust.seal.grant_revoke", actor=actor, organization=seal.organization, obj=seal,
                 summary=f"{seal} no longer granted to {role}", changes={"role": role})


def certificates_expiry_warn(*, within_days: int = 30) -> int:
    """E-mail the platform's operators (operator role in a root organization) the certificates that
    expire within ``within_days`` calendar days or have expired, soonest first, and audit the warning.

    Once a day (platform time zone): a second run on a day that already warned (a task delivered
    again after its worker died, ``task_acks_late``) sends and writes nothing.

    Returns:
        How many certificates the warning lists (0: nothing is sent or written).
    """
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    if AuditEvent.objects.filter(action="trust.certificate.expiry_warning", occurred_at__gte=midnight).exists():
        return 0
    expiring = list(certificates_expiring(within_days=within_days))
    if not expiring:
        return 0
    recipients = sorted(set(
        Membership.objects.filter(organization__parent__isnull=True, roles__role=Role.OPERATOR,
                                  user__is_active=True)
        .exclude(user__email="").values_list("user__email", flat=True)
    ))
    lines = [f"{certificate.not_after:%Y-%m-%d}  {certificate}" for certificate in expiring]
    if recipients:
        send_mail(subject=_("egov: %(n)d certificates expire within %(days)d days")
                  % {"n": len(expiring), "days": within_days},
                  message="\n".join(lines), from_email=None, recipient_list=recipients)
    audit_record(action="trust.certificate.expiry_warning", object_type="trust.certificate",
                 summary=f"{len(expiring)} certificates expire within {within_days} days",
                 changes={"certificates": [certificate.pk for certificate in expiring], "recipients": len(recipients)})
    return len(expiring)
