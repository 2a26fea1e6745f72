"""用印: the printed PDF sealed by trust, the seal drawn over the 署名 and 成文日期."""

import io
from datetime import date

import pypdf
import pytest
from django.urls import reverse

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.documents.actions import document_number_allocate, document_print, document_seal, document_transition
from egov.documents.models import OfficialDocument
from egov.documents.selectors import document_seal_for
from egov.documents.tests.conftest import advance_to_registering
from egov.documents.tests.pdfcheck import MM, Pdf
from egov.trust.actions import seal_create
from egov.trust.verification import pdf_verify


@pytest.fixture
def printed(wuxi, draft):
    document = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    return document_print(document=document, actor=wuxi.clerk, printed_on=date(2026, 12, 1))


def _widget_rect(pdf: bytes) -> tuple[int, list[float]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/FT") == "/Sig" or annotation.get("/Subtype") == "/Widget":
                return index, [float(v) for v in annotation["/Rect"]]
    raise AssertionError("no signature widget")


def test_seal_lands_over_signature_and_date_and_verifies(wuxi, printed, government_seal):
    sealed = document_seal(document=printed, actor=wuxi.clerk, seal=government_seal)
    assert sealed.status == "dispatching"
    data = sealed.sealed_pdf.read()
    report = pdf_verify(pdf=data)
    assert report.valid, report.message
    assert sealed.verification_code and len(sealed.verification_code) == 19  # XXXX-XXXX-XXXX-XXXX
    page, rect = _widget_rect(data)
    assert page == sealed.seal_page
    assert all(abs(a - b) <= 0.5 for a, b in zip(rect, sealed.seal_box, strict=True))  # pyHanko rounds to points
    # 42 mm across, centred over the 成文日期 line, which sits a little below the seal's centre.
    x1, y1, x2, y2 = (v / MM for v in rect)
    assert abs((x2 - x1) - 42) < 0.05 and abs((y2 - y1) - 42) < 0.05
    printed_pdf = Pdf(printed.printed_pdf.read())
    date_line = next(line for line in printed_pdf.lines(page).values()
                     if "".join(g.text for g in line) == f"{sealed.written_on.year}年{sealed.written_on.month}月"
                                                         f"{sealed.written_on.day}日")
    page_height = printed_pdf.sizes[page][1]
    centre_from_top = page_height - (y1 + y2) / 2
    assert 0 < date_line[0].baseline - centre_from_top < 21
    assert abs((x1 + x2) / 2 - (date_line[0].x0 + date_line[-1].x1) / 2) < 1
    event = AuditEvent.objects.filter(action="documents.document.sealed").get()
    assert event.changes["verification_code"] == sealed.verification_code


def test_seal_of_another_organization_is_refused(wuxi, printed, government_seal):
    other = seal_create(actor=None, organization=wuxi.finance, kind="official")
    with pytest.raises(ValidationFailed) as error:
        document_seal(document=printed, actor=wuxi.clerk, seal=other)
    assert error.value.extra == {"field": "seal", "rule": "issuer"}
    assert OfficialDocument.objects.get(pk=printed.pk).status == "sealing"


def test_seal_needs_a_granted_role_and_the_sealing_step(wuxi, draft, printed, government_seal):
    with pytest.raises(PermissionDenied):
        document_seal(document=printed, actor=wuxi.reviewer, seal=government_seal)
    with pytest.raises(Conflict):
        document_transition(actor=wuxi.clerk, document=printed, to="dispatching")  # 用印 is its own action
    assert document_seal_for(actor=wuxi.clerk, document=printed) == government_seal
    assert document_seal_for(actor=wuxi.reviewer, document=printed) is None


def test_sealing_from_the_page(wuxi, printed, government_seal, client):
    client.force_login(wuxi.clerk)
    assert client.post(reverse("documents:move", args=[printed.pk]), {"to": "dispatching"})["Location"] == reverse(
        "documents:step", args=[printed.pk, "seal"])  # 用印 is confirmed on its own page
    client.post(reverse("documents:step", args=[printed.pk, "seal"]), {"seal": government_seal.pk})
    document = OfficialDocument.objects.get(pk=printed.pk)
    assert document.status == "dispatching" and document.sealed_pdf
    preview = client.get(reverse("documents:preview", args=[printed.pk]))
    assert preview.content == document.sealed_pdf.read()


@pytest.fixture
def public_url(reference_data, live_server, settings):
    """The live server as ``EGOV_PUBLIC_URL`` before the CA exists: the seal certificate's AIA then names
    an OCSP responder that answers NSS."""
    settings.EGOV_PUBLIC_URL = live_server.url
    return live_server.url


def test_a_sealed_document_is_valid_in_pdfsig_and_openssl(public_url, wuxi, printed, government_seal, tmp_path):
    """Issue 19 item 3: a reader over NSS (poppler's pdfsig) and OpenSSL, trusting only the platform
    root, accept the 公文's seal: signature and certificate."""
    from egov.trust.selectors import root_authority
    from egov.trust.tests.verifiers import openssl_cms_verify, pdfsig

    sealed = document_seal(document=printed, actor=wuxi.clerk, seal=government_seal)
    data = sealed.sealed_pdf.read()
    root = bytes(root_authority().certificate.der)
    report = pdfsig(data, root_der=root, directory=tmp_path / "pdfsig")
    assert [(s["signature"], s["certificate"]) for s in report] == [
        ("Signature is Valid.", "Certificate is Trusted.")]
    assert report[0]["Signer Certificate Common Name"].startswith("无锡市人民政府")
    result = openssl_cms_verify(data, root_der=root, directory=tmp_path / "cms")
    assert result.returncode == 0 and "Verification successful" in result.stderr, result.stderr
