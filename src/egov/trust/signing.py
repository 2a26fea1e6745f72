"""Signing PDFs on the platform: PAdES B-LT (ETSI EN 319 142-1) with pyHanko.

Each signature carries an RFC 3161 timestamp from our TSA and, in the document security store,
the certificates, CRLs and OCSP responses that prove its chain valid at signing time; a visible
appearance (the seal, or the signer's name) sits where asked. Signing an already signed PDF adds
an incremental revision, so earlier signatures stay valid (countersignatures); a seal without
an explicit box is placed beside the earlier ones, never over them. The first platform signature
also prints a QR code with the document's verification code; every signed output is registered
as a revision of that document, byte for byte.
"""

import asyncio
import hashlib
import io
import secrets
import threading
import zlib
from dataclasses import dataclass, field

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PreSignValidationStatus
from pyhanko.stamp import StaticContentStamp, StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov.accounts.models import User
from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.core.eventloop import outside_event_loop
from egov.trust import images
from egov.trust.cms_signer import PlatformSigner
from egov.trust.models import Certificate, Seal, SignedDocument, SignedRevision
from egov.trust.pdf import pdf_open
from egov.trust.profiles import public_url
from egov.trust.responders import crl_current, ocsp_for, platform_timestamper, timestamp_tokens_collected
from egov.trust.selectors import (
    certificate_private_key,
    issuing_authority,
    root_authority,
    seal_usable_by,
    service_certificate,
)

SEAL_SIZE_PT = 119  # a 42 mm seal, the usual size of an organization's round seal (1 pt = 1/72 in)
MARK_WIDTH_PT = 72
MARK_ORIGIN_PT = 31  # the verification mark's lower-left corner, from the page's lower-left corner
# Where the verification mark may lie (a QR code with one line under it is at most 1.5 times as
# high as wide); seals placed by default keep out of it.
MARK_AREA = (0.0, 0.0, MARK_ORIGIN_PT + MARK_WIDTH_PT + 10.0, MARK_ORIGIN_PT + 1.5 * MARK_WIDTH_PT + 10.0)
TEXT_MARGIN_PT = 72  # default seals stay one inch inside the page's edges
SEAL_GAP_PT = 12  # between seals placed side by side
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
# Room reserved for the CMS beyond the certificates it carries (the signer's chain, the TSA's in its
# token): signed attributes, the two ECDSA signatures, the TSTInfo, the DER headers. Measured at
# about 1,300 bytes with the demo CA; reserved with a margin, so pyHanko need not make a dry-run
# signature (with a second timestamp) to estimate the size.
CMS_OVERHEAD_BYTES = 4096

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class SignedPdf:
    """The result of a signing: the signed bytes, the document (its ``code``) and the revision
    that registers these bytes (``revision.number`` 1 for a new document)."""

    pdf: bytes
    document: SignedDocument
    revision: SignedRevision


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


def _rect(annotation) -> Box | None:
    try:
        x1, y1, x2, y2 = (float(v) for v in annotation["/Rect"])
    except (KeyError, TypeError, ValueError):
        return None
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))


def _widget_boxes(page_object) -> list[Box]:
    """The rectangles of the page's widget annotations (signature fields and other form fields)."""
    boxes = []
    for ref in page_object.get("/Annots") or []:
        annotation = ref.get_object()
        if annotation.get("/Subtype") == "/Widget" and (rect := _rect(annotation)) is not None:
            boxes.append(rect)
    return boxes


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _free_place(media: list[float], taken: list[Box], size: float) -> Box | None:
    """The first ``size`` square inside the text area (the page less 1-inch margins) that overlaps
    nothing in ``taken``: the lower-right corner first, then leftwards, then a row higher."""
    left, bottom, right, top = media[0] + TEXT_MARGIN_PT, media[1] + TEXT_MARGIN_PT, \
        media[2] - TEXT_MARGIN_PT, media[3] - TEXT_MARGIN_PT
    step = size + SEAL_GAP_PT
    y1 = bottom
    while y1 + size <= top:
        x2 = right
        while x2 - size >= left:
            candidate = (x2 - size, y1, x2, y1 + size)
            if not any(_overlaps(candidate, box) for box in taken):
                return candidate
            x2 -= step
        y1 += step
    return None


def _check_place(reader, page: int, box: Box | None, size: float) -> Box:
    """The box to sign in: ``box`` checked against the page, or else the first free place.

    Without a box, the seal goes one inch from the lower-right corner; when earlier seals or
    fields (widget annotations) or the verification mark already sit there, it moves left, then
    up, so that a joint seal (会签) never covers an earlier one.
    """
    pages = int(reader.root["/Pages"]["/Count"])
    if not 0 <= page < pages:
        raise ValidationFailed(_("The PDF has no page %(n)d.") % {"n": page + 1},
                               extra={"field": "page", "rule": "range"})
    page_ref, _resources = reader.find_page_for_modification(page)
    page_object = page_ref.get_object()
    try:
        media = [float(v) for v in page_object["/MediaBox"]]
    except KeyError:
        media = [float(v) for v in reader.root["/Pages"]["/MediaBox"]]
    if box is None:
        place = _free_place(media, [*_widget_boxes(page_object), MARK_AREA], size)
        if place is None:
            raise ValidationFailed(_("There is no free place for the seal on this page: give a box."),
                                   extra={"field": "box", "rule": "no_room"})
        return place
    x1, y1, x2, y2 = box
    if not (media[0] <= x1 < x2 <= media[2] and media[1] <= y1 < y2 <= media[3]):
        raise ValidationFailed(_("The signature box lies outside the page."), extra={"field": "box", "rule": "range"})
    return box


@dataclass(frozen=True)
class _EncodedImage:
    """An image's PDF XObject data, Flate-compressed once: the colour samples and the alpha mask."""

    width: int
    height: int
    colour_space: str  # "/DeviceRGB" or "/DeviceGray"
    samples: bytes
    alpha: bytes | None


def _image_encode(image: Image.Image) -> _EncodedImage:
    """What ``pyhanko.pdf_utils.images.pil_image`` writes for ``image``, compressed (8 bits per
    component; an alpha channel becomes the /SMask), kept to be copied into every PDF."""
    alpha = None
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA" if image.mode != "LA" else "LA")
        alpha = zlib.compress(image.getchannel("A").tobytes())
        image = image.convert(image.mode[:-1])
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return _EncodedImage(width=image.width, height=image.height,
                         colour_space="/DeviceGray" if image.mode == "L" else "/DeviceRGB",
                         samples=zlib.compress(image.tobytes()), alpha=alpha)


class _PreencodedImage(PdfImage):
    """A pyHanko ``PdfImage`` whose XObject streams are copied from an ``_EncodedImage`` instead of
    being encoded again for every PDF (the seal's 600 px RGBA picture costs milliseconds to compress)."""

    def __init__(self, encoded: _EncodedImage):
        super().__init__(Image.new("L", (encoded.width, encoded.height)))
        self.encoded = encoded

    def _stream(self, colour_space: str, data: bytes, smask=None) -> generic.IndirectObject:
        entries = {
            pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Image"),
            pdf_name("/Width"): generic.NumberObject(self.encoded.width),
            pdf_name("/Height"): generic.NumberObject(self.encoded.height),
            pdf_name("/ColorSpace"): pdf_name(colour_space),
            pdf_name("/BitsPerComponent"): generic.NumberObject(8),
            pdf_name("/Filter"): pdf_name("/FlateDecode"),
        }
        if smask is not None:
            entries[pdf_name("/SMask")] = smask
        return self.writer.add_object(generic.StreamObject(entries, encoded_data=data))

    @property
    def image_ref(self) -> generic.IndirectObject:
        ref = self._image_ref
        if ref is None or ref.get_pdf_handler() is not self.writer:
            smask = None if self.encoded.alpha is None else self._stream("/DeviceGray", self.encoded.alpha)
            ref = self._image_ref = self._stream(self.encoded.colour_space, self.encoded.samples, smask)
        return ref


# Encoded seal pictures, per process: (seal id, SHA-256 of its PNG) -> _EncodedImage; a new picture
# of the seal has another digest, so it is never shown stale.
_seal_images: dict[tuple[int, bytes], _EncodedImage] = {}
_seal_images_lock = threading.Lock()
SEAL_IMAGES_KEPT = 64


def _seal_appearance(seal: Seal) -> _EncodedImage:
    """The seal's picture as PDF image data, decoded and compressed once per process per picture."""
    png = bytes(seal.image_png)
    key = (seal.pk, hashlib.sha256(png).digest())
    with _seal_images_lock:
        encoded = _seal_images.get(key)
    if encoded is None:
        encoded = _image_encode(Image.open(io.BytesIO(png)))
        with _seal_images_lock:
            if len(_seal_images) >= SEAL_IMAGES_KEPT:
                _seal_images.clear()
            _seal_images[key] = encoded
    return encoded


def _bytes_reserved(signer_chain: list[asn1_x509.Certificate], tsa_chain: list[asn1_x509.Certificate]) -> int:
    """The size of ``/Contents`` to reserve (hex digits: twice the CMS's bytes): the certificates
    the CMS carries (the signer's chain, and the TSA's in its timestamp token) plus
    ``CMS_OVERHEAD_BYTES``. pyHanko's default estimate is a whole dry-run signature."""
    return 2 * (sum(len(c.dump()) for c in signer_chain) + sum(len(c.dump()) for c in tsa_chain) + CMS_OVERHEAD_BYTES)


# Validation contexts, per thread (pyHanko's are not meant to be shared between threads): kept while
# the revocation data they were made with (CRLs, OCSP responses) is the same, with the results of
# pyHanko's pre-signing validation made with them, so that the chains validated for one seal
# serve the next ones of the same CRL/OCSP period.
_contexts = threading.local()


@dataclass
class _KeptContext:
    key: bytes  # SHA-256 over the root, the issuing CA, the CRLs and the OCSP responses
    context: ValidationContext
    # (SHA-256 of the signer's certificate, SHA-256 of the TSA's) -> pyHanko's pre-signing validation
    validations: dict[tuple[bytes, bytes], PreSignValidationStatus] = field(default_factory=dict)


def _kept_context(root: asn1_x509.Certificate, issuing: asn1_x509.Certificate, crls: list[bytes],
                  ocsps: list[bytes]) -> _KeptContext:
    """This thread's validation context for these CRLs and OCSP responses (a new one, and no kept
    validations, when they changed: a new CRL, an OCSP response renewed or a revocation answered)."""
    key = hashlib.sha256(b"".join(hashlib.sha256(part).digest()
                                  for part in [root.dump(), issuing.dump(), *crls, *ocsps])).digest()
    kept = getattr(_contexts, "entry", None)
    if kept is not None and kept.key == key:
        return kept
    context = ValidationContext(trust_roots=[root], other_certs=[issuing], crls=crls, ocsps=ocsps,
                                allow_fetching=False, revocation_mode="hard-fail")
    _contexts.entry = kept = _KeptContext(key=key, context=context)
    return kept


async def _sign_pdf(pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter, *, bytes_reserved: int,
                    kept: _KeptContext, validation_key: tuple[bytes, bytes]) -> bytes:
    """pyHanko's ``PdfSigner.async_sign_pdf`` step by step (its interrupted-signing API), with the
    pre-signing validation taken from ``kept`` when this signer and TSA were validated with the same
    context already.

    pyHanko's ``perform_presign_validation`` builds and validates the signer's and the TSA's chains
    against the context's CRLs and OCSP responses (eight ECDSA verifications, ~9 ms of CPU), and
    its result (the validation paths, the CRLs and OCSP responses to embed) is what the DSS is
    written from. It depends only on the certificates and the context, which is kept only while
    the CRLs and OCSP responses are the same; so a kept result gives the DSS the same certificates,
    CRLs and OCSP responses as a new validation would. A certificate revoked since gets another
    OCSP answer, hence another context and a new validation (which then refuses to sign). Unlike
    ``sign_pdf``, the context is not closed afterwards: closing releases the network sessions a
    context opened for fetching, and ours fetches nothing and is kept for the next seal.

    Returns the signed PDF (the signature's revision and the DSS update after it)."""
    session = pdf_signer.init_signing_session(writer)
    validation = kept.validations.get(validation_key)
    if validation is None:
        validation = await session.perform_presign_validation(writer)
        kept.validations[validation_key] = validation
    tbs_document = session.prepare_tbs_document(validation_info=validation, bytes_reserved=bytes_reserved)
    prepared, output = tbs_document.digest_tbs_document()
    signed = await tbs_document.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=session.system_time,
                                                    adobe_revinfo_attr=validation.adobe_revinfo_attr,
                                                    cades_signed_attrs=pdf_signer.signature_meta.cades_signed_attr_spec),
    )
    await signed.post_signature_processing(output)
    return output.getvalue()


def _stamp_verification_mark(writer: IncrementalPdfFileWriter, page: int, code: str) -> None:
    mark = images.verification_mark(code=code, url=verification_url(code))
    height = MARK_WIDTH_PT * mark.height / mark.width
    style = StaticStampStyle(background=PdfImage(mark), border_width=0, background_opacity=1.0)
    stamp = StaticContentStamp(writer=writer, style=style, box=BoxConstraints(width=MARK_WIDTH_PT + 10,
                                                                              height=height + 10))
    stamp.apply(page, MARK_ORIGIN_PT, MARK_ORIGIN_PT)




def _sign(*, certificate: Certificate, pdf: bytes, appearance: PdfImage, page: int, box: Box | None,
          reason: str, location: str, title: str, mark: bool) -> SignedPdf:
    """Sign ``pdf`` with ``certificate`` at PAdES B-LT and register the output as a new revision:
    of the document whose registered revision ``pdf`` is (a countersignature), else of a new
    document with a new code. Writes nothing on error."""
    reader = pdf_open(pdf)
    _check_signable(certificate)
    box = _check_place(reader, page, box, SEAL_SIZE_PT)
    existing = list(reader.embedded_signatures)
    previous = (SignedRevision.objects.select_for_update().select_related("document")
                .filter(sha256=hashlib.sha256(pdf).hexdigest()).first())
    code = previous.document.code if previous else verification_code_new()

    key = certificate_private_key(certificate)
    root_ca, issuing_ca = root_authority(), issuing_authority()
    root = _asn1_cert(root_ca.certificate)
    issuing = _asn1_cert(issuing_ca.certificate)
    tsa_cert = service_certificate(purpose=Certificate.Purpose.TSA)
    # Revocation information, obtained in-process from the same code behind /trust/crl and /trust/ocsp.
    crls = [crl_current(authority=root_ca), crl_current(authority=issuing_ca)]
    ocsps = [ocsp_for(certificate), ocsp_for(tsa_cert)]
    kept = _kept_context(root, issuing, crls, ocsps)
    timestamper = platform_timestamper()
    pkcs8 = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    signing_cert = _asn1_cert(certificate)
    signer = PlatformSigner(signing_cert=signing_cert, signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8),
                            cert_registry=SimpleCertificateStore.from_certs([issuing, root]))
    field_name = f"egov-signature-{len(existing) + 1}"
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if mark and not existing and previous is None:
        _stamp_verification_mark(writer, page, code)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=True, validation_context=kept.context, reason=reason or None,
        location=location or None,
    )
    style = StaticStampStyle(background=appearance, border_width=0, background_opacity=1.0)
    pdf_signer = signers.PdfSigner(
        metadata, signer=signer, timestamper=timestamper, stamp_style=style,
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=page,
                                           box=tuple(int(round(v)) for v in box)),
    )
    reserved = _bytes_reserved([signing_cert, issuing, root],
                               [timestamper.material.certificate, *timestamper.material.chain])
    validation_key = (hashlib.sha256(signing_cert.dump()).digest(),
                      hashlib.sha256(timestamper.material.certificate.dump()).digest())
    with timestamp_tokens_collected() as issued:
        signed = outside_event_loop(asyncio.run, _sign_pdf(pdf_signer, writer, bytes_reserved=reserved, kept=kept,
                                                            validation_key=validation_key))
    for row in issued:
        row.save(force_insert=True)
    if previous is None:
        document = SignedDocument.objects.create(code=code, title=title[:200])
        number = 1
    else:
        document = SignedDocument.objects.select_for_update().get(pk=previous.document_id)
        number = document.revisions.count() + 1
        document.save(update_fields=["updated_at"])
    revision = SignedRevision.objects.create(document=document, number=number, based_on=previous,
                                             sha256=hashlib.sha256(signed).hexdigest(), pdf=signed,
                                             signatures=len(existing) + 1)
    return SignedPdf(pdf=signed, document=document, revision=revision)


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
            lower-left corner (default a 42 mm seal one inch from the lower-right corner, or the
            first free place left of / above the page's earlier seals).
        mark: print the verification QR code at the lower left when the document has no signature yet.

    Returns:
        ``SignedPdf`` with the signed bytes, the ``SignedDocument`` (its verification ``code``: the
        earlier one when ``pdf`` is a registered revision) and the new ``SignedRevision``.

    Raises:
        PermissionDenied: the actor may not use this seal.
        ValidationFailed: a malformed, encrypted or too large PDF (``file``), a page or box off
            the page, no free place for a default box (``rule == "no_room"``), a missing or wrong
            CA passphrase.
        Conflict: the seal is retired, or its certificate is revoked or expired.
    """
    if not is_system(actor) and (getattr(actor, "kind", None) != User.Kind.STAFF or not seal_usable_by(seal=seal,
                                                                                                    user=actor)):
        raise PermissionDenied(_("You may not use this seal."), extra={"seal": seal.pk})
    if not seal.is_active:
        raise Conflict(_("This seal is retired."), extra={"field": "seal", "rule": "retired"})
    appearance = _PreencodedImage(_seal_appearance(seal))
    result = _sign(certificate=seal.certificate, pdf=pdf, appearance=appearance, page=page, box=box,
                   reason=reason, location=location, title=title, mark=mark)
    audit_record(action="trust.seal.use", actor=actor, organization=seal.organization, obj=seal,
                 summary=f"{seal} used on document {result.document.code}",
                 changes={"document": result.document.code, "revision": result.revision.number,
                          "new_document": result.revision.number == 1, "certificate": seal.certificate.serial,
                          "input_sha256": hashlib.sha256(pdf).hexdigest(), "output_sha256": result.revision.sha256})
    return result


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
    appearance = PdfImage(images.signature_mark(name=actor.name))
    result = _sign(certificate=certificate, pdf=pdf, appearance=appearance, page=page, box=box, reason=reason,
                   location=location, title=title, mark=mark)
    audit_record(action="trust.signature.sign", actor=actor, organization=certificate.organization, obj=certificate,
                 summary=f"{actor} signed document {result.document.code}",
                 changes={"document": result.document.code, "revision": result.revision.number,
                          "new_document": result.revision.number == 1, "certificate": certificate.serial,
                          "input_sha256": hashlib.sha256(pdf).hexdigest(), "output_sha256": result.revision.sha256})
    return result
