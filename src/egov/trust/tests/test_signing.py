"""Signing PDFs at PAdES B-LT and verifying them: with our verifier and with pyHanko's own."""

import hashlib
import io
import time
from datetime import timedelta

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.utils import timezone, translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.trust.actions import certificate_issue, certificate_revoke, seal_create, seal_grant
from egov.trust.models import Certificate
from egov.trust.responders import PlatformTimeStamper, tsa_material
from egov.trust.selectors import certificate_private_key
from egov.trust.signing import pdf_sign_personal, pdf_sign_with_seal
from egov.trust.tests.conftest import openssl
from egov.trust.verification import pdf_verify, pdf_verify_code


def _pyhanko_status(signed: bytes, root_der: bytes, index: int = 0):
    """pyHanko's own validation, our root the only trust anchor, revocation data only from the file."""
    reader = PdfFileReader(io.BytesIO(signed))
    dss = DocumentSecurityStore.read_dss(reader)
    context = dss.as_validation_context({"trust_roots": [asn1_x509.Certificate.load(root_der)],
                                         "allow_fetching": False, "revocation_mode": "hard-fail"})
    return validate_pdf_signature(reader.embedded_signatures[index], signer_validation_context=context)


def test_seal_signature_is_b_lt_and_pyhanko_validates_it(seal, pdf, ca):
    result = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf, reason="审批通过")
    status = _pyhanko_status(result.pdf, bytes(ca.root.certificate.der))
    assert status.intact and status.valid and status.trusted and not status.revoked
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    reader = PdfFileReader(io.BytesIO(result.pdf))
    signature = reader.embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES (ETSI EN 319 142-1)
    dss = DocumentSecurityStore.read_dss(reader)
    assert dss.ocsps and dss.crls  # LT: revocation data embedded
    report = pdf_verify(pdf=result.pdf)
    assert report.valid and report.signatures[0].seal["id"] == seal.pk
    assert report.signatures[0].organization == "测试市行政审批局"
    assert report.signatures[0].revocation["status"] == "good"
    assert not report.signatures[0].changed_after_signing
    event = AuditEvent.objects.get(action="trust.seal.use")
    assert event.changes["document"] == result.document.code
    assert event.changes["input_sha256"] == hashlib.sha256(pdf).hexdigest()


def test_openssl_verifies_the_timestamp_inside_the_signature(seal, pdf, pki_files, tmp_path):
    signed = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf
    signer_info = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0].signer_info
    token = next(a["values"][0] for a in signer_info["unsigned_attrs"]
                 if a["type"].native == "signature_time_stamp_token")
    (tmp_path / "token.der").write_bytes(token.dump())
    # RFC 3161 Appendix A / CAdES: the token's imprint is the hash of the signature value.
    digest = hashlib.sha256(signer_info["signature"].native).hexdigest()
    result = openssl("ts", "-verify", "-in", str(tmp_path / "token.der"), "-token_in", "-digest", digest,
                     "-CAfile", str(pki_files["root"]), "-untrusted", str(pki_files["issuing"]))
    assert b"Verification: OK" in result.stdout, result.stdout + result.stderr


def test_countersignatures_all_stay_valid(seal, ca, organization, pdf):
    second = seal_create(actor=None, organization=organization, kind="contract")
    first = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf)
    both = pdf_sign_with_seal(actor=None, seal=second, pdf=first.pdf, box=(72, 300, 191, 419))
    assert both.document.pk == first.document.pk and both.revision.signatures == 2
    report = pdf_verify(pdf=both.pdf)
    assert report.valid and [s.valid for s in report.signatures] == [True, True]
    assert [s.changed_after_signing for s in report.signatures] == [False, False]
    for index in (0, 1):
        status = _pyhanko_status(both.pdf, bytes(ca.root.certificate.der), index)
        assert status.bottom_line
    assert pdf_verify_code(code=both.document.code.lower()).signatures[1].seal["kind"] == "contract"


def test_one_byte_changed_after_signing_is_reported(seal, pdf):
    signed = bytearray(pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf)
    position = signed.index(b"TEST-0001")
    signed[position] = ord("X")
    report = pdf_verify(pdf=bytes(signed))
    assert not report.valid
    assert not report.signatures[0].intact and report.signatures[0].changed_after_signing


def test_a_change_appended_after_signing_is_reported(seal, pdf):
    signed = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.add_stream_to_page(0, writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 600 Td (Amount: 1000000) Tj ET")))
    out = io.BytesIO()
    writer.write(out)
    report = pdf_verify(pdf=out.getvalue())
    signature = report.signatures[0]
    assert signature.intact and signature.changed_after_signing and not report.valid


def test_malformed_and_encrypted_pdfs_get_clear_errors(seal, pdf):
    with pytest.raises(ValidationFailed) as error:
        pdf_verify(pdf=b"%PDF-1.7\nthis is not really a PDF")
    assert error.value.extra == {"field": "file", "rule": "malformed"}
    with pytest.raises(ValidationFailed) as error:
        pdf_sign_with_seal(actor=None, seal=seal, pdf=b"hello")
    assert error.value.extra["rule"] == "malformed"
    writer = PdfFileWriter()
    reader = PdfFileReader(io.BytesIO(pdf))
    writer.root["/Pages"] = writer.import_object(reader.root.raw_get("/Pages"))
    writer.encrypt("owner-secret", "user-secret")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    for attempt in (lambda: pdf_verify(pdf=encrypted.getvalue()),
                    lambda: pdf_sign_with_seal(actor=None, seal=seal, pdf=encrypted.getvalue())):
        with pytest.raises(ValidationFailed) as error:
            attempt()
        assert error.value.extra == {"field": "file", "rule": "encrypted"}
    assert not AuditEvent.objects.filter(action="trust.seal.use").exists()


def test_revoked_or_expired_certificates_do_not_sign(seal, pdf, organization):
    certificate_revoke(actor=None, certificate=seal.certificate, reason="key_compromise")
    seal.refresh_from_db()
    with pytest.raises(Conflict) as error:
        pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf)
    assert error.value.extra["rule"] == "revoked"
    other = seal_create(actor=None, organization=organization, kind="finance")
    Certificate.objects.filter(pk=other.certificate_id).update(not_after=timezone.now() - timedelta(seconds=1))
    other.refresh_from_db()
    with pytest.raises(Conflict) as error:
        pdf_sign_with_seal(actor=None, seal=other, pdf=pdf)
    assert error.value.extra["rule"] == "expired"


def test_signature_made_before_revocation_stays_valid_one_made_after_is_invalid(seal, pdf, ca):
    before = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf
    time.sleep(1.1)  # timestamps and CRL dates count whole seconds: revoke in a later second
    certificate_revoke(actor=None, certificate=seal.certificate, reason="key_compromise")
    report = pdf_verify(pdf=before)
    assert report.valid and report.signatures[0].revocation["status"] == "good"
    # Still valid, but the report says what the certificate's status is now (tester, issue 4 #1).
    seal.certificate.refresh_from_db()
    current = report.signatures[0].current_status
    assert current["status"] == "revoked" and current["reason"] == "key_compromise" and current["after_signing"]
    assert current["revoked_at"] == timezone.localtime(seal.certificate.revoked_at).isoformat()
    with translation.override("en"):
        message = pdf_verify(pdf=before).signatures[0].message
    when = timezone.localtime(seal.certificate.revoked_at).strftime("%Y-%m-%d %H:%M:%S")
    assert f"revoked since {when} (Key compromise), after the signing time" in message
    # A thief with the key signs after the revocation, bypassing our refusal, with a genuine timestamp.
    key = certificate_private_key(seal.certificate)
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(bytes(seal.certificate.der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())),
        cert_registry=None,
    )
    after = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                             signers.PdfSignatureMetadata(field_name="stolen"), signer=signer,
                             timestamper=PlatformTimeStamper(tsa_material())).getvalue()
    report = pdf_verify(pdf=after)
    signature = report.signatures[0]
    assert not report.valid and signature.revocation["status"] == "revoked"
    assert signature.revocation["reason"] == "key_compromise"
    assert signature.intact and signature.timestamp["valid"]


def test_seal_use_needs_a_granted_role(seal, pdf, organization):
    from egov.accounts.actions import staff_user_create

    approver = staff_user_create(actor=None, username="approver1", name="审批员", password="a-long-password-1",
                                 organization=organization, roles=["approver"])
    with pytest.raises(PermissionDenied):
        pdf_sign_with_seal(actor=approver, seal=seal, pdf=pdf)
    seal_grant(actor=None, seal=seal, role="approver")
    result = pdf_sign_with_seal(actor=approver, seal=seal, pdf=pdf)
    event = AuditEvent.objects.get(action="trust.seal.use")
    assert event.actor_id == approver.pk and event.changes["document"] == result.document.code


def test_personal_signature_needs_mfa_and_own_certificate(ca, organization, pdf):
    from egov.accounts.actions import staff_user_create

    user = staff_user_create(actor=None, username="leader1", name="赵强", password="a-long-password-1",
                             organization=organization, roles=["approver"])
    certificate = certificate_issue(actor=None, purpose="staff", organization=organization, user=user)
    with pytest.raises(PermissionDenied) as error:
        pdf_sign_personal(actor=user, certificate=certificate, mfa_verified=False, pdf=pdf)
    assert error.value.extra == {"rule": "mfa_required"}
    result = pdf_sign_personal(actor=user, certificate=certificate, mfa_verified=True, pdf=pdf)
    report = pdf_verify(pdf=result.pdf)
    assert report.valid and report.signatures[0].signer == "赵强" and report.signatures[0].seal is None


def test_unknown_verification_code(ca):
    with pytest.raises(NotFound):
        pdf_verify_code(code="0000-0000-0000-0000")


def test_unsigned_pdf_is_not_valid(ca, pdf):
    report = pdf_verify(pdf=pdf)
    assert not report.valid and report.signatures == []



def _widget_rects(signed: bytes) -> list[tuple[float, ...]]:
    """The /Rect of every widget annotation on page 1, read from the PDF with pyHanko's reader."""
    page = PdfFileReader(io.BytesIO(signed)).root["/Pages"]["/Kids"][0].get_object()
    return [tuple(float(v) for v in ref.get_object()["/Rect"]) for ref in page["/Annots"]
            if ref.get_object()["/Subtype"] == "/Widget"]


def test_joint_seals_without_a_box_are_placed_side_by_side(seal, organization, pdf):
    signed = pdf
    for kind in (None, "contract", "finance", "official"):
        current = seal if kind is None else seal_create(actor=None, organization=organization, kind=kind)
        signed = pdf_sign_with_seal(actor=None, seal=current, pdf=signed).pdf
    rects = _widget_rects(signed)
    # A4 (595 x 842 pt), 1-inch margins, 119-pt seals 12 pt apart: the lower-right corner, then
    # leftwards while x1 >= 72 (404, 273, 142), then one row up (72 + 131 = 203).
    assert rects == [(404, 72, 523, 191), (273, 72, 392, 191), (142, 72, 261, 191), (404, 203, 523, 322)]
    for i, a in enumerate(rects):
        assert 72 <= a[0] and a[2] <= 595 - 72 and 72 <= a[1] and a[3] <= 842 - 72
        for b in rects[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert pdf_verify(pdf=signed).valid


def test_each_signing_keeps_its_own_revision_under_the_first_code(seal, organization, pdf):
    second = seal_create(actor=None, organization=organization, kind="contract")
    first = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf)
    both = pdf_sign_with_seal(actor=None, seal=second, pdf=first.pdf)
    # The countersigned file keeps the QR code of the first: same code, a second revision.
    assert both.document.pk == first.document.pk
    assert (first.revision.number, both.revision.number) == (1, 2) and both.revision.based_on == first.revision
    first.revision.refresh_from_db()
    assert bytes(first.revision.pdf) == first.pdf  # the first file handed out is kept byte for byte
    assert first.revision.sha256 == hashlib.sha256(first.pdf).hexdigest()
    latest = pdf_verify_code(code=first.document.code)
    assert latest.sha256 == hashlib.sha256(both.pdf).hexdigest() and len(latest.signatures) == 2
    assert latest.registered["revision"] == 2 and latest.registered["revisions"] == 2
    assert [v["signatures"] for v in latest.registered["versions"]] == [1, 2]
    assert len(latest.notices) == 1  # "this code has 2 versions; upload your file to learn which"
    older = pdf_verify_code(code=first.document.code, revision=1)
    assert older.sha256 == hashlib.sha256(first.pdf).hexdigest() and len(older.signatures) == 1 and older.valid
    with pytest.raises(NotFound):
        pdf_verify_code(code=first.document.code, revision=3)
    # A citizen holding the first file learns it is version 1 of 2, not the latest.
    held = pdf_verify(pdf=first.pdf)
    assert held.code == first.document.code
    assert held.registered["revision"] == 1 and held.registered["exact"] and not held.registered["latest"]
    events = AuditEvent.objects.filter(action="trust.seal.use").order_by("pk")
    assert [e.changes["revision"] for e in events] == [1, 2]


# --- Sealing without waste (issue 18 item 4) --------------------------------------------------


def test_each_seal_asks_the_tsa_for_one_token_only(seal, pdf):
    """Before: every seal got two tokens, one over pyHanko's dummy digest for its size estimate. Now
    the process's timestamper asks for the dummy once, and the size is reserved without a dry run."""
    from egov.trust.models import TimestampToken

    for _ in range(3):
        pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf)
    # One dummy for this TSA certificate (new in this test), then one token per seal.
    assert TimestampToken.objects.count() == 1 + 3


def test_ocsp_responses_are_reused_until_the_certificate_changes(seal):
    from cryptography.x509 import ocsp

    from egov.trust.responders import ocsp_for

    first, again = ocsp_for(seal.certificate), ocsp_for(seal.certificate)
    assert first == again  # the same signed response, not a new one
    assert ocsp.load_der_ocsp_response(first).certificate_status == ocsp.OCSPCertStatus.GOOD
    certificate_revoke(actor=None, certificate=seal.certificate, reason="key_compromise")
    seal.certificate.refresh_from_db()
    revoked = ocsp.load_der_ocsp_response(ocsp_for(seal.certificate))
    assert revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED  # a revocation is never hidden


def test_two_seals_embed_the_same_ocsp_response_and_both_validate(seal, pdf, ca):
    one = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf
    two = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf
    ocsps = [{o.get_object().data for o in DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(b))).ocsps}
             for b in (one, two)]
    assert ocsps[0] == ocsps[1] and len(ocsps[0]) == 2  # the seal's and the TSA's certificate
    for signed in (one, two):
        status = _pyhanko_status(signed, bytes(ca.root.certificate.der))
        assert status.intact and status.valid and status.trusted and not status.revoked


def _dss_contents(signed: bytes) -> tuple[set, set, set]:
    """The DER of the certificates, OCSP responses and CRLs in the file's DSS."""
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(signed)))
    return ({c.get_object().data for c in dss.certs.values()}, {o.get_object().data for o in dss.ocsps},
            {c.get_object().data for c in dss.crls})


def test_the_chains_are_validated_once_per_crl_and_ocsp_period(seal, pdf, ca, organization, monkeypatch):
    """pyHanko's pre-signing validation of the signer's and the TSA's chains runs for the first seal
    of a CRL/OCSP period only; the DSS of later seals carries the same certificates, CRLs and OCSP
    responses; a new CRL (another certificate revoked) starts a new period."""
    from pyhanko.sign.signers.pdf_signer import PdfSigningSession

    validations = []
    original = PdfSigningSession.perform_presign_validation

    async def counted(self, pdf_out=None):  # counts, then runs pyHanko's own
        validations.append(self.pdf_signer.signer.signing_cert.serial_number)
        return await original(self, pdf_out)

    monkeypatch.setattr(PdfSigningSession, "perform_presign_validation", counted)
    first, second, third = (pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf for _ in range(3))
    assert validations == [int(seal.certificate.serial, 16)]
    assert _dss_contents(first) == _dss_contents(second) == _dss_contents(third)
    certificates, ocsps, crls = _dss_contents(first)
    # root, issuing CA, seal, TSA and OCSP responder; the seal's and the TSA's OCSP responses; two CRLs
    assert len(certificates) == 5 and len(ocsps) == 2 and len(crls) == 2
    other = seal_create(actor=None, organization=organization, kind="contract")
    pdf_sign_with_seal(actor=None, seal=other, pdf=pdf)  # another signer: its own validation
    assert len(validations) == 2
    certificate_revoke(actor=None, certificate=other.certificate, reason="superseded")  # a new issuing-CA CRL
    after = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf
    assert len(validations) == 3
    assert _dss_contents(after)[0] == certificates  # a new validation finds the same chains
    assert _dss_contents(after)[2] != crls  # and the new CRL is embedded
    for signed in (first, third, after):
        status = _pyhanko_status(signed, bytes(ca.root.certificate.der))
        assert status.intact and status.valid and status.trusted and not status.revoked


def _appearance_images(signed: bytes) -> list:
    """The image XObjects with an alpha mask in the signature's appearance, decoded."""
    from PIL import Image

    reader = PdfFileReader(io.BytesIO(signed))
    field = reader.embedded_signatures[0].sig_field
    found = []

    def walk(xobject):
        for value in (xobject.get("/Resources", generic.DictionaryObject()).get("/XObject") or {}).values():
            image = value.get_object()
            if image.get("/Subtype") == "/Image" and "/SMask" in image:
                size = (int(image["/Width"]), int(image["/Height"]))
                rgb = Image.frombytes("RGB", size, image.data)
                rgb.putalpha(Image.frombytes("L", size, image["/SMask"].get_object().data))
                found.append(rgb)
            elif image.get("/Subtype") == "/Form":
                walk(image)

    walk(field["/AP"]["/N"].get_object())
    return found


def test_the_cached_seal_picture_is_the_seal_image_and_follows_a_new_image(seal, pdf):
    from PIL import Image, ImageChops

    from egov.trust.images import seal_image_draw

    for _ in range(2):  # the second seal uses the picture encoded for the first
        [shown] = _appearance_images(pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf)
        expected = Image.open(io.BytesIO(bytes(seal.image_png))).convert("RGBA")
        assert shown.size == expected.size and ImageChops.difference(shown, expected).getbbox() is None
    seal.image_png = seal_image_draw(name="另一个名称", kind_text="合同专用章")
    seal.save(update_fields=["image_png"])
    [shown] = _appearance_images(pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf)
    expected = Image.open(io.BytesIO(bytes(seal.image_png))).convert("RGBA")
    assert ImageChops.difference(shown, expected).getbbox() is None


def test_the_verification_mark_has_the_pixels_of_segnos_qr_code():
    """The mark draws the QR modules from segno's matrix; they are the pixels segno's own PNG writer
    gives at 8 px a module with a 2-module quiet zone."""
    import segno
    from PIL import Image

    from egov.trust.images import verification_mark

    url = "https://egov.example.cn/trust/verify?code=7K3M-Q9XA-0000-ZZZZ"
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=2)
    reference = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    mark = verification_mark(code="7K3M-Q9XA-0000-ZZZZ", url=url)
    left = (mark.width - reference.width) // 2
    assert mark.crop((left, 0, left + reference.width, reference.height)).tobytes() == reference.tobytes()
