"""Signing PDFs on the platform: PAdES B-LT (ETSI EN 319 142-1) with pyHanko.

Each signature carries an RFC 3161 timestamp from our TSA and, in the document security store,
the certificates, CRLs and OCSP responses that prove its chain valid at signing time; a visible
appearance (the seal, or the signer's name) sits where asked. Signing an already signed PDF adds
an incremental revision, so earlier signatures stay valid (countersignatures). The first
platform signature also prints a QR code with the document's verification code.
"""

import hashlib
import io
import secrets
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.stamp import StaticContentStamp, StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov.accounts.models import User
from egov.audit.actions import audit_record
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.trust import images
from egov.trust.models import Certificate, Seal, SignedDocument
from egov.trust.pdf import pdf_open
from egov.trust.profiles import public_url
from egov.trust.responders import PlatformTimeStamper, crl_current, ocsp_for, tsa_material
from egov.trust.selectors import (
    certificate_private_key,
    issuing_authority,
    root_authority,
    seal_usable_by,
    service_certificate,
)

SEAL_SIZE_PT = 119  # a 42 mm seal, the usual size of an organization's round seal (1 pt = 1/72 in)
MARK_WIDTH_PT = 72
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class SignedPdf:
    """The result of a signing: the signed bytes and the document record with its code."""

    pdf: bytes
    document: SignedDocument


def verification_code_new() -> str:
    """16 random Crockford base32 characters (80 bits) in four groups: ``7K3M-Q9XA-…``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def verification_url(code: str) -> str:
    return public_url(f"/trust/verify?code={code}")


def _asn1_cert(certificate: Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(bytes(certificate.der))


def _check_signable(certificate: Certificate) -> None:
    now = timezone.now()
    if certificate.is_revoked:
        raise Conflict(_("The signing certificate is revoked: it cannot sign."),
                       extra={"field": "certificate", "rule": "revoked"})
    if not certificate.not_before <= now < certificate.not_after:
        raise Conflict(_("The signing certificate is expired or not yet valid: it cannot sign."),
                       extra={"field": "certificate", "rule": "expired"})
    issuer = certificate.issuer.certificate
    if issuer.is_revoked or issuer.not_after <= now:
        raise Conflict(_("The issuing CA is revoked or expired: its certificates cannot sign."),
                       extra={"field": "certificate", "rule": "issuer_invalid"})


def _check_place(reader, page: int, box: Box | None, size: float) -> Box:
    """The box to sign in: ``box`` checked against the page, or the default lower-right place."""
    pages = int(reader.root["/Pages"]["/Count"])
    if not 0 <= page < pages:
        raise ValidationFailed(_("The PDF has no page %(n)d.") % {"n": page + 1},
                               extra={"field": "page", "rule": "range"})
    page_ref, _resources = reader.find_page_for_modification(page)
    try:
        media = [float(v) for v in page_ref.get_object()["/MediaBox"]]
    except KeyError:
        media = [float(v) for v in reader.root["/Pages"]["/MediaBox"]]
    if box is None:
        return (media[2] - 72 - size, media[1] + 72, media[2] - 72, media[1] + 72 + size)
    x1, y1, x2, y2 = box
    if not (media[0] <= x1 < x2 <= media[2] and media[1] <= y1 < y2 <= media[3]):
        raise ValidationFailed(_("The signature box lies outside the page."), extra={"field": "box", "rule": "range"})
    return box


def _stamp_verification_mark(writer: IncrementalPdfFileWriter, page: int, code: str) -> None:
    mark = images.verification_mark(code=code, url=verification_url(code))
    height = MARK_WIDTH_PT * mark.height / mark.width
    style = StaticStampStyle(background=PdfImage(mark), border_width=0, background_opacity=1.0)
    stamp = StaticContentStamp(writer=writer, style=style, box=BoxConstraints(width=MARK_WIDTH_PT + 10,
                                                                              height=height + 10))
    stamp.apply(page, 31, 31)


def _sign(*, certificate: Certificate, pdf: bytes, appearance: Image.Image, page: int, box: Box | None,
          reason: str, location: str, title: str, mark: bool) -> tuple[bytes, SignedDocument, bool]:
    """Sign ``pdf`` with ``certificate`` at PAdES B-LT; store the document. Returns
    ``(signed bytes, document, whether the document record is new)``. Writes nothing on error."""
    reader = pdf_open(pdf)
    _check_signable(certificate)
    box = _check_place(reader, page, box, SEAL_SIZE_PT)
    existing = list(reader.embedded_signatures)
    previous = SignedDocument.objects.select_for_update().filter(sha256=hashlib.sha256(pdf).hexdigest()).first()
    code = previous.code if previous else verification_code_new()

    key = certificate_private_key(certificate)
    root = _asn1_cert(root_authority().certificate)
    issuing = _asn1_cert(issuing_authority().certificate)
    tsa_cert = service_certificate(purpose=Certificate.Purpose.TSA)
    # Revocation information, obtained in-process from the same code behind /trust/crl and /trust/ocsp.
    crls = [crl_current(authority=root_authority()), crl_current(authority=issuing_authority())]
    ocsps = [ocsp_for(certificate), ocsp_for(tsa_cert)]
    validation_context = ValidationContext(trust_roots=[root], other_certs=[issuing], crls=crls, ocsps=ocsps,
                                           allow_fetching=False, revocation_mode="hard-fail")
    timestamper = PlatformTimeStamper(tsa_material())
    pkcs8 = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    signer = signers.SimpleSigner(signing_cert=_asn1_cert(certificate),
                                  signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8),
                                  cert_registry=SimpleCertificateStore.from_certs([issuing, root]))
    field_name = f"egov-signature-{len(existing) + 1}"
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if mark and not existing and previous is None:
        _stamp_verification_mark(writer, page, code)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=True, validation_context=validation_context, reason=reason or None,
        location=location or None,
    )
    style = StaticStampStyle(background=PdfImage(appearance), border_width=0, background_opacity=1.0)
    pdf_signer = signers.PdfSigner(
        metadata, signer=signer, timestamper=timestamper, stamp_style=style,
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=page,
                                           box=tuple(int(round(v)) for v in box)),
    )
    signed = pdf_signer.sign_pdf(writer).getvalue()
    for row in timestamper.issued:
        row.save(force_insert=True)
    digest = hashlib.sha256(signed).hexdigest()
    if previous is None:
        document = SignedDocument.objects.create(code=code, title=title[:200], sha256=digest, pdf=signed,
                                                 signatures=len(existing) + 1)
    else:
        previous.sha256, previous.pdf, previous.signatures = digest, signed, len(existing) + 1
        previous.save(update_fields=["sha256", "pdf", "signatures", "updated_at"])
        document = previous
    return signed, document, previous is None


@transaction.atomic
def pdf_sign_with_seal(*, actor: User | None, seal: Seal, pdf: bytes, page: int = 0, box: Box | None = None,
                       reason: str = "", location: str = "", title: str = "", mark: bool = True) -> SignedPdf:
    """Seal ``pdf`` with ``seal`` (用印): a PAdES B-LT signature by the seal certificate whose
    appearance is the seal image.

    Args:
        actor: a staff user holding a role the seal is granted to, or None for the platform
            (``egov trust sign-pdf``); every use is audited either way.
        pdf: the document (unencrypted PDF, at most 50 MB); may carry earlier signatures.
        page: 0-based page index for the seal; box: ``(x1, y1, x2, y2)`` in PDF points from the
            lower-left corner (default a 42 mm seal one inch from the lower-right corner).
        mark: print the verification QR code at the lower left when the document has no signature yet.

    Returns:
        ``SignedPdf`` with the signed bytes and the ``SignedDocument`` (its verification ``code``).

    Raises:
        PermissionDenied: the actor may not use this seal.
        ValidationFailed: a malformed or encrypted PDF (``file``), a page or box off the page,
            a missing or wrong CA passphrase.
        Conflict: the seal is retired, or its certificate is revoked or expired.
    """
    if actor is not None and (getattr(actor, "kind", None) != User.Kind.STAFF or not seal_usable_by(seal=seal,
                                                                                                    user=actor)):
        raise PermissionDenied(_("You may not use this seal."), extra={"seal": seal.pk})
    if not seal.is_active:
        raise Conflict(_("This seal is retired."), extra={"field": "seal", "rule": "retired"})
    appearance = Image.open(io.BytesIO(bytes(seal.image_png)))
    signed, document, created = _sign(certificate=seal.certificate, pdf=pdf, appearance=appearance, page=page,
                                      box=box, reason=reason, location=location, title=title, mark=mark)
    audit_record(action="trust.seal.use", actor=actor, organization=seal.organization, obj=seal,
                 summary=f"{seal} used on document {document.code}",
                 changes={"document": document.code, "new_document": created, "certificate": seal.certificate.serial,
                          "input_sha256": hashlib.sha256(pdf).hexdigest(), "output_sha256": document.sha256})
    return SignedPdf(pdf=signed, document=document)


@transaction.atomic
def pdf_sign_personal(*, actor: User, certificate: Certificate, mfa_verified: bool, pdf: bytes, page: int = 0,
                      box: Box | None = None, reason: str = "", location: str = "", title: str = "",
                      mark: bool = True) -> SignedPdf:
    """Sign ``pdf`` as the staff member ``actor`` with their own staff certificate (个人签名).

    Args:
        mfa_verified: whether the actor's session passed TOTP (``request.user.is_verified()``);
            a personal signature needs it.
        The rest as ``pdf_sign_with_seal``; the appearance shows the signer's name.

    Raises:
        PermissionDenied: the session did not pass MFA, or the certificate is not the actor's own.
        ValidationFailed, Conflict: as ``pdf_sign_with_seal``.
    """
    if not mfa_verified:
        raise PermissionDenied(_("A personal signature needs a sign-in verified with a second factor."),
                               extra={"rule": "mfa_required"})
    if certificate.purpose != Certificate.Purpose.STAFF or certificate.user_id != actor.pk:
        raise PermissionDenied(_("This is not your signing certificate."), extra={"field": "certificate"})
    appearance = images.signature_mark(name=actor.name)
    signed, document, created = _sign(certificate=certificate, pdf=pdf, appearance=appearance, page=page, box=box,
                                      reason=reason, location=location, title=title, mark=mark)
    audit_record(action="trust.signature.sign", actor=actor, organization=certificate.organization, obj=certificate,
                 summary=f"{actor} signed document {document.code}",
                 changes={"document": document.code, "new_document": created, "certificate": certificate.serial,
                          "input_sha256": hashlib.sha256(pdf).hexdigest(), "output_sha256": document.sha256})
    return SignedPdf(pdf=signed, document=document)
