"""Reading PDFs handed to the trust app: one place that turns bad bytes into a clear error."""

import io

from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.core.errors import ValidationFailed

MAX_PDF_BYTES = 50 * 1024 * 1024


def pdf_open(data: bytes) -> PdfFileReader:
    """Parse ``data`` as an unencrypted PDF with at least one page.

    Raises:
        ValidationFailed: ``extra["field"] == "file"``; ``rule`` is ``empty``, ``max_size``
            (over 50 MB), ``malformed`` (not a PDF, or broken), ``encrypted`` (password-protected
            or certificate-encrypted: sign or verify the decrypted file) or ``no_pages``.
    """
    if not data:
        raise ValidationFailed(_("The file is empty."), extra={"field": "file", "rule": "empty"})
    if len(data) > MAX_PDF_BYTES:
        raise ValidationFailed(_("The file is larger than 50 MB."), extra={"field": "file", "rule": "max_size"})
    if not data.lstrip()[:5] == b"%PDF-":
        raise ValidationFailed(_("The file is not a PDF."), extra={"field": "file", "rule": "malformed"})
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        encrypted = reader.encrypted
        pages = None if encrypted else int(reader.root["/Pages"]["/Count"])
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError):
        raise ValidationFailed(_("The PDF file is damaged and cannot be read."),
                               extra={"field": "file", "rule": "malformed"}) from None
    if encrypted:
        raise ValidationFailed(_("The PDF file is encrypted; remove the password protection first."),
                               extra={"field": "file", "rule": "encrypted"})
    if not pages:
        raise ValidationFailed(_("The PDF file has no pages."), extra={"field": "file", "rule": "no_pages"})
    return reader


def pdf_one_page(*, lines: list[str]) -> bytes:
    """A one-page A4 PDF with ``lines`` of Latin text in Helvetica (for smoke runs, benchmarks and
    tests; real documents come from the documents app's renderer)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

    writer = PdfFileWriter()
    text = b"".join(
        b"BT /F1 14 Tf 72 %d Td (%s) Tj ET\n" % (770 - 22 * i, line.encode("latin-1").replace(b"(", b"\\(")
                                                 .replace(b")", b"\\)"))
        for i, line in enumerate(lines)
    )
    font = generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Font"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
        generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
    })
    resources = generic.DictionaryObject({
        generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): writer.add_object(font)})
    })
    contents = writer.add_object(generic.StreamObject(stream_data=text))
    writer.insert_page(PageObject(contents=contents, media_box=(0, 0, 595, 842), resources=resources))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
