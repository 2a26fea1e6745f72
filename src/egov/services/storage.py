"""Where stored material files live on disk, and what their bytes are.

No database access here: ``egov.services.actions.material_file_store`` decides and records;
this module detects a file's kind from its bytes and places the bytes under their hash.
"""

import hashlib
import io
import os
import tempfile
import time
import zipfile
from pathlib import Path

from django.conf import settings

# Magic numbers: PDF 1.7 (ISO 32000-1 §7.5.2) begins "%PDF-"; JPEG (ITU T.81) begins with the SOI
# marker FF D8 followed by another marker FF xx; PNG (ISO/IEC 15948 §5.2) has an 8-byte signature;
# OFD (GB/T 33190-2016 §7.1) is a ZIP package whose entry file is OFD.xml at its root.
_PDF = b"%PDF-"
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_ZIP = b"PK\x03\x04"

MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png", "ofd": "application/ofd"}


def detect_kind(content: bytes) -> str | None:
    """Return ``"pdf"``, ``"jpeg"``, ``"png"`` or ``"ofd"`` for bytes of that kind, else None.

    A ZIP file counts as OFD only when it opens and holds ``OFD.xml`` at its root.
    """
    if content.startswith(_PDF):
        return "pdf"
    if content.startswith(_JPEG):
        return "jpeg"
    if content.startswith(_PNG):
        return "png"
    if content.startswith(_ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        return "ofd" if "OFD.xml" in names else None
    return None


def sha256_hex(content: bytes) -> str:
    """The SHA-256 of ``content`` as 64 lower-case hex digits (FIPS 180-4)."""
    return hashlib.sha256(content).hexdigest()


def materials_root() -> Path:
    """``MEDIA_ROOT/materials``: the root of the store."""
    return Path(settings.MEDIA_ROOT) / "materials"


def blob_path(sha256: str) -> Path:
    """``MEDIA_ROOT/materials/ab/cd/abcd…`` for the hash ``abcd…``."""
    return materials_root() / sha256[:2] / sha256[2:4] / sha256


def blob_write(sha256: str, content: bytes) -> bool:
    """Write ``content`` under its hash unless it is there already; True when this call wrote it.

    The bytes go to a temporary file in the same directory, are flushed to disk and renamed into
    place, so a reader never sees half a file and two writers of the same bytes both end well.
    """
    path = blob_path(sha256)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def incoming_sweep(*, older_than: float = 86400.0, now: float | None = None) -> int:
    """Remove the temporary ``.incoming-*`` files that a killed writer left (``blob_write`` removes
    its own on any error it lives through). Only files untouched for ``older_than`` seconds go, so a
    write in progress is never cut. Returns how many were removed."""
    cutoff = (time.time() if now is None else now) - older_than
    removed = 0
    for path in materials_root().glob("*/*/.incoming-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile (its writer finished or another sweep ran)
    return removed


def blob_remove(sha256: str) -> None:
    """Remove the file of ``sha256`` (used to undo a write whose database row was not saved)."""
    blob_path(sha256).unlink(missing_ok=True)


def blob_read(sha256: str) -> bytes:
    """The stored bytes of ``sha256``; raises ``FileNotFoundError`` when they are missing."""
    return blob_path(sha256).read_bytes()
