"""Reading PDFs handed to the trust app: one place that turns bad bytes into a clear error."""

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.core.errors import ApplicationError, ValidationFailed

MAX_PDF_BYTES = 50 * 1024 * 1024

logger = logging.getLogger(__name__)


def _malformed() -> ValidationFailed:
    return ValidationFailed(_("The PDF file is damaged and cannot be read."),
                            extra={"field": "file", "rule": "malformed"})


@contextmanager
def pdf_reading() -> Iterator[None]:
    """The one boundary around pyHanko's reading of untrusted bytes: whatever it raises on a broken
    file becomes ``ValidationFailed`` (``extra == {"field": "file", "rule": "malformed"}``).

    pyHanko parses lazily and, on hostile input, raises more than ``PdfError``: an ``AssertionError``
    when a trailer's ``/Prev`` points back into the body instead of at a cross-reference section
    (issue 17), ``RecursionError`` on deeply nested objects, ``TypeError``/``KeyError``/``IndexError``
    on objects of the wrong type. Our own errors (``ApplicationError``) and database errors pass
    through unchanged: they are not the file's fault.
    """
    try:
        yield
    except (ApplicationError, DatabaseError):
        raise
    except Exception as error:  # noqa: BLE001 - any failure to read hostile bytes is the file's
        logger.info("unreadable PDF: %s: %s", type(error).__name__, str(error)[:200])
        raise _malformed() from None


def pdf_size_check(*, size: int) -> None:
    """Refuse a file of ``size`` bytes before reading it: call with the size on disk (``stat``) or
    of the upload, so that an oversized file is never read into memory.

    Raises:
        ValidationFailed: ``extra == {"field": "file", "rule": "empty" | "max_size"}``.
    """
    if size <= 0:
        raise ValidationFailed(_("The file is empty."), extra={"field": "file", "rule": "empty"})
    if size > MAX_PDF_BYTES:
        raise ValidationFailed(_("The file is larger than 50 MB."), extra={"field": "file", "rule": "max_size"})


def pdf_open(data: bytes) -> PdfFileReader:
    """Parse ``data`` as an unencrypted PDF with at least one page.

    Raises:
        ValidationFailed: ``extra["field"] == "file"``; ``rule`` is ``empty``, ``max_size``
            (over 50 MB), ``malformed`` (not a PDF, or broken), ``encrypted`` (password-protected
            or certificate-encrypted: sign or verify the decrypted file) or ``no_pages``.
    """
    pdf_size_check(size=len(data))
    if not data.lstrip()[:5] == b"%PDF-":
        raise ValidationFailed(_("The file is not a PDF."), extra={"field": "file", "rule": "malformed"})
    with pdf_reading():
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        encrypted = reader.encrypted
        pages = None if encrypted else int(reader.root["/Pages"]["/Count"])
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
