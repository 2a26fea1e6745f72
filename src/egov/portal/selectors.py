"""Reads of the portal: the PDF of a published document."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from egov.documents.models import OfficialDocument
from egov.documents.rendering import pdf_render, print_data


def disclosure_pdf(document: OfficialDocument) -> tuple[bytes, bool]:
    """The PDF of a published document and whether the platform signed it.

    Returns ``(pdf, True)``: the sealed PDF (用印, signed with the issuer's e-seal, PAdES) when
    there is one; otherwise ``(pdf, False)``: a GB/T 9704-2012 rendering of the record (e.g. an
    imported document, issued before the platform), cached in the default storage under
    ``disclosure/`` and rendered again once the record changes (its ``updated_at``).
    """
    if document.sealed_pdf:
        with document.sealed_pdf.open("rb") as handle:
            return handle.read(), True
    name = f"disclosure/{document.pk}-{document.updated_at:%Y%m%d%H%M%S%f}.pdf"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return handle.read(), False
    pdf = pdf_render(print_data(document)).pdf
    default_storage.save(name, ContentFile(pdf))
    return pdf, False
