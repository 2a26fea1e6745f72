"""Signing PDFs at PAdES B-LT and verifying them: with our verifier and with pyHanko's own."""

import hashlib
import io
import time
from datetime import timedelta

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.utils import timezone
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
    assert both.document.pk == first.document.pk and both.document.signatures == 2
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

