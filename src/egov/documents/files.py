"""The kinds of file that documents' attachments may be, told from their bytes, not their names."""

import io
import zipfile

# Magic numbers of the files a 公文 or a progress report may carry: PDF (ISO 32000-1 §7.5.2)
# "%PDF-"; JPEG (ITU T.81) SOI FF D8 then a marker FF; PNG (ISO/IEC 15948 §5.2) its 8-byte signature; the OLE2
# compound file of .doc/.xls/.ppt and .wps/.et (MS-CFB §2.2) D0 CF 11 E0 A1 B1 1A E1; ZIP packages
# (PK 03 04): OFD (GB/T 33190-2016 §7.1, OFD.xml at the root) and Office Open XML (ISO/IEC 29500-2,
# [Content_Types].xml at the root: .docx, .xlsx, .pptx).
_MAGIC = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"),
          (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"))


def attachment_kind(content: bytes) -> str | None:
    """What an attachment (of a 公文 or a progress report) is, from its bytes: ``"pdf"``, ``"jpeg"``,
    ``"png"``, ``"ole2"`` (older Office/WPS documents), ``"ofd"`` or ``"ooxml"`` (.docx/.xlsx/.pptx);
    None for anything else (HTML, SVG, scripts, archives…), which is refused."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "OFD.xml" in names:
            return "ofd"
        if "[Content_Types].xml" in names:
            return "ooxml"
    return None
