"""What the verifier reports on damaged, extended and registered files, and how it names certificates."""

import io
import re

from django.utils import translation
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from egov.trust.actions import seal_create
from egov.trust.signing import pdf_sign_with_seal
from egov.trust.verification import pdf_verify


def test_a_damaged_signature_dictionary_is_damaged_not_unsigned(seal, pdf):
    signed = bytearray(pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf)
    byte_range = re.search(rb"/ByteRange\s*\[[^\]]*\]", signed)
    signed[byte_range.end()] = ord("!")  # the padding after /ByteRange: the dictionary no longer parses
    report = pdf_verify(pdf=bytes(signed))
    assert report.status == "damaged" and not report.valid
    with translation.override("en"):
        assert pdf_verify(pdf=bytes(signed)).message == ("The file carries a signature that cannot be read: "
                                                         "it is damaged or was modified.")


def test_unsigned_file_is_unsigned(ca, pdf):
    assert pdf_verify(pdf=pdf).status == "unsigned"


def test_the_issued_file_reports_its_code(seal, pdf):
    signed = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf)
    report = pdf_verify(pdf=signed.pdf)
    assert report.status == "valid" and report.code == signed.document.code
    assert report.registered["exact"] and report.registered["latest"] and report.registered["revision"] == 1
    # PAdES B-LT: the validation data (DSS) is added in an incremental update after the signature.
    signature = report.signatures[0]
    assert (signature.coverage, signature.modification_level) == ("entire_revision", "lta_updates")
    assert signature.later_additions == "permitted" and not signature.changed_after_signing


def test_white_space_after_the_last_eof_is_not_a_change(seal, pdf):
    signed = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf)
    report = pdf_verify(pdf=signed.pdf + b"\r\n\r\n")
    assert report.valid and report.signatures[0].later_additions == "permitted"


def test_bytes_appended_after_the_last_signature_are_reported(seal, pdf):
    signed = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf)
    report = pdf_verify(pdf=signed.pdf + b"% appended after signing\n")
    signature = report.signatures[0]
    # The signature covers its revision, not the whole file; the appended bytes form no revision.
    assert signature.coverage == "entire_revision" and signature.intact and signature.signature_valid
    assert signature.later_additions == "unparsed" and signature.changed_after_signing and not report.valid
    # The signed part is still the registered file: its code is given, marked as not exact.
    assert report.code == signed.document.code and report.registered["exact"] is False


def test_an_empty_incremental_update_is_permitted_but_reported(seal, pdf):
    signed = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.update_root()  # a new revision that changes nothing
    out = io.BytesIO()
    writer.write(out)
    signature = pdf_verify(pdf=out.getvalue()).signatures[0]
    assert signature.coverage == "entire_revision" and signature.modification_level == "lta_updates"
    assert signature.later_additions == "permitted" and not signature.changed_after_signing
    assert signature.notices  # "later signatures or validation data were added…"


def test_a_countersignature_is_a_permitted_later_addition(seal, organization, pdf):
    second = seal_create(actor=None, organization=organization, kind="contract")
    both = pdf_sign_with_seal(actor=None, seal=second, pdf=pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf)
    first, last = pdf_verify(pdf=both.pdf).signatures
    assert (first.modification_level, first.later_additions) == ("form_filling", "permitted")
    assert (last.modification_level, last.later_additions) == ("lta_updates", "permitted")


def test_certificate_names_have_translated_labels(seal, pdf):
    signed = pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf
    with translation.override("en"):
        english = pdf_verify(pdf=signed).signatures[0]
    assert english.chain[-1] == "Common name: egov 政务CA Root CA, Organization: egov 政务CA, Country: CN"
    with translation.override("zh-hans"):
        chinese = pdf_verify(pdf=signed).signatures[0]
    assert chinese.chain[-1] == "通用名称：egov 政务CA Root CA，组织：egov 政务CA，国家：CN"
    assert "Common Name" not in str(chinese) and "Organization" not in str(chinese)
