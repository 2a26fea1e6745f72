"""Stored files: the content-addressed store of uploads and the check of their bytes.

A file is stored once, under the SHA-256 of its bytes, at ``MEDIA_ROOT/materials/ab/cd/abcd…``, and
recorded as a ``StoredFile``. Its kind is found from its magic numbers, never from the client's file
name or content type, and checked with its size against a ``FileSpec`` the owner app gives. The
owner app (a case's material, a request's answer, a document's attachment) points at the stored file
and decides who may download it; ``file_read`` gives the bytes back after checking their hash.
"""

import hashlib
import io
import os
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.errors import NotFound, PermissionDenied, ValidationFailed
from egov.facilities.models import StoredFile

# Magic numbers: PDF 1.7 (ISO 32000-1 §7.5.2) begins "%PDF-"; JPEG (ITU T.81) begins with the SOI
# marker FF D8 followed by another marker FF xx; PNG (ISO/IEC 15948 §5.2) has an 8-byte signature; the
# OLE2 compound file of .doc/.xls/.ppt and .wps/.et (MS-CFB §2.2) D0 CF 11 E0 A1 B1 1A E1; ZIP packages
# (PK 03 04): OFD (GB/T 33190-2016 §7.1) holds OFD.xml at its root, Office Open XML (ISO/IEC 29500-2)
# [Content_Types].xml (.docx, .xlsx, .pptx).
_MAGIC = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"),
          (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"))
_ZIP = b"PK\x03\x04"

MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png", "ofd": "application/ofd",
               "ole2": "application/octet-stream",
               "ooxml": "application/octet-stream"}
# What a citizen's upload may be unless its owner says otherwise: no office formats, which carry macros.
UPLOAD_KINDS = frozenset({"pdf", "jpeg", "png", "ofd"})
# What a browser may show in place (a PDF in a frame of this site, an image); all else is downloaded.
INLINE_KINDS = frozenset({"pdf", "jpeg", "png"})
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "ofd": ".ofd", "ole2": ".doc", "ooxml": ".docx"}


def detect_kind(content: bytes) -> str | None:
    """What ``content`` is, from its bytes: ``"pdf"``, ``"jpeg"``, ``"png"``, ``"ole2"`` (older
    Office/WPS documents), ``"ofd"`` or ``"ooxml"`` (.docx/.xlsx/.pptx); None for anything else (HTML,
    SVG, scripts, other archives). A ZIP file counts only when it opens and holds the entry file of
    its format at its root.
    """
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if content.startswith(_ZIP):
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


@dataclass(frozen=True)
class FileSpec:
    """What one upload may be: ``kinds`` (``StoredFile.Kind`` values) and ``max_bytes`` (bytes).

    The owner app builds it: the service hall from a catalogue ``Material``, 依申请公开 for its
    answer PDF, documents for attachments. ``FileSpec()`` allows PDF, JPEG, PNG and OFD up to
    ``settings.EGOV_MATERIAL_MAX_BYTES``.
    """

    kinds: frozenset = field(default=UPLOAD_KINDS)
    max_bytes: int = 0  # 0: settings.EGOV_MATERIAL_MAX_BYTES

    @property
    def limit(self) -> int:
        """The largest size in bytes."""
        return self.max_bytes or settings.EGOV_MATERIAL_MAX_BYTES


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


def _read_upload(content, limit: int) -> bytes:
    """The bytes of ``content`` (bytes or a file object), reading at most ``limit + 1`` of them."""
    if isinstance(content, bytes | bytearray):
        return bytes(content[: limit + 1])
    if hasattr(content, "seek"):
        content.seek(0)
    return content.read(limit + 1)


def file_check(*, content, spec: FileSpec) -> tuple[bytes, str]:
    """Check one uploaded file against ``spec`` without storing it.

    Args:
        content: the bytes, or an open file; read up to the limit plus one byte.
        spec: the kinds allowed and the largest size.

    Returns:
        ``(data, kind)``: the file's bytes and its ``StoredFile.Kind`` found from its magic bytes.

    Raises:
        ValidationFailed: ``extra = {"field": "file", "rule": r}``, ``r`` one of ``empty``,
            ``max_size`` (with ``limit`` in bytes), ``file_type`` (with ``accepted``).
    """
    limit = spec.limit
    data = _read_upload(content, limit)
    if not data:
        raise ValidationFailed(_("The file is empty."), extra={"field": "file", "rule": "empty"})
    if len(data) > limit:
        raise ValidationFailed(_("The file is larger than %(mb)s MB.") % {"mb": f"{limit / 1048576:.3g}"},
                               extra={"field": "file", "rule": "max_size", "limit": limit})
    kind = detect_kind(data)
    if kind is None or kind not in spec.kinds:
        names = ", ".join(StoredFile.Kind(k).label for k in sorted(spec.kinds))
        raise ValidationFailed(_("This file is not of an accepted type (%(types)s).") % {"types": names},
                               extra={"field": "file", "rule": "file_type", "accepted": sorted(spec.kinds)})
    return data, kind


def file_store(*, actor, content, spec: FileSpec, audit_action: str = "facilities.stored_file.store",
               changes: dict | None = None) -> StoredFile:
    """Store one uploaded file by the SHA-256 of its bytes; the same bytes are stored once.

    Args:
        actor: the signed-in, active user uploading (public or staff); the owner app has checked
            what else the upload needs.
        content: the bytes, or an open file (Django ``UploadedFile``); the client's file name and
            content type are ignored.
        spec: the kinds allowed and the largest size.
        audit_action: the audit event's action, named by the owner app (``services.material_file.store``).
        changes: more for the audit event (the material the file is for).

    Returns:
        The ``StoredFile`` (an existing one when these bytes were stored before).

    Raises:
        PermissionDenied: no signed-in active user.
        ValidationFailed: as ``file_check``. A refused file leaves nothing on disk or in the database.

    Runs in its own transaction (a savepoint inside the caller's); when the row cannot be saved the
    bytes written are removed. If an enclosing transaction rolls back later, the file stays without a
    row: harmless, because the next store of the same bytes finds it and records it.
    """
    if actor is None or not getattr(actor, "pk", None) or not getattr(actor, "is_active", False):
        raise PermissionDenied(_("Sign in to upload files."))
    data, kind = file_check(content=content, spec=spec)
    digest = sha256_hex(data)
    wrote = False
    try:
        with transaction.atomic():
            stored, created = StoredFile.objects.get_or_create(
                sha256=digest, defaults={"size": len(data), "kind": kind, "created_by": actor})
            if not blob_path(digest).exists():
                wrote = blob_write(digest, data)
            audit_record(action=audit_action, actor=actor, obj=stored,
                         summary=f"stored file {digest[:12]} ({kind}, {len(data)} B)",
                         changes={"sha256": digest, "kind": kind, "size": len(data), "new": created,
                                  **(changes or {})})
    except BaseException:
        if wrote:
            blob_remove(digest)
        raise
    return stored


@dataclass(frozen=True)
class StoredUpload:
    """One file of a batch stored by ``files_store``: the row and whether this call created it."""

    stored: StoredFile
    new: bool

    def facts(self) -> dict:
        """What the audit log says of it, as ``file_store``'s event does: ``{"sha256", "kind",
        "size" (bytes), "new"}``."""
        return {"sha256": self.stored.sha256, "kind": self.stored.kind, "size": self.stored.size, "new": self.new}


def files_store(*, actor, uploads: Sequence[tuple[Any, FileSpec]], digests: Sequence[str] | None = None
                ) -> list[StoredUpload]:
    """Store several uploaded files at once by the SHA-256 of their bytes: one ``INSERT … ON
    CONFLICT DO NOTHING`` of them all, then one ``SELECT`` of those stored before (only when there
    are any), no savepoint. Records no audit event: the
    caller's own event (one per business change) carries ``StoredUpload.facts()`` of each file, as
    the service hall's submission does (``services.application.submit``, ``changes["files"]``).

    Args:
        actor: the signed-in, active user uploading (as ``file_store``).
        uploads: ``[(content, spec)]``: the bytes or an open file, and what it may be.
        digests: the SHA-256 (hex) of each upload's bytes, in order, when the caller has them
            already (the service hall's submission hashes its files once, for its request digest);
            None: computed here.

    Returns:
        One ``StoredUpload`` per upload, in order (the same row twice when two uploads have the same bytes).

    Raises:
        PermissionDenied: no signed-in active user.
        ValidationFailed: as ``file_check``, for the first refused upload; then nothing is stored.

    Runs in the caller's transaction (or in autocommit). The bytes are written before the rows
    (temporary file, fsync, rename); when this call fails, the blobs it wrote are removed. If the
    caller's transaction rolls back later, a blob stays without a row: harmless, the next store of
    the same bytes finds it and records it. Two concurrent batches inserting the same new bytes both
    end well (``INSERT … ON CONFLICT (sha256) DO NOTHING RETURNING``, then the rows another batch
    inserted first are read: the public site's database role needs INSERT, not UPDATE, here).
    """
    if actor is None or not getattr(actor, "pk", None) or not getattr(actor, "is_active", False):
        raise PermissionDenied(_("Sign in to upload files."))
    checks = [file_check(content=content, spec=spec) for content, spec in uploads]
    digests = list(digests) if digests is not None else [sha256_hex(data) for data, _kind in checks]
    checked = dict(zip(digests, checks, strict=True))  # one entry per distinct content
    if not checked:
        return []
    fresh = [StoredFile(sha256=digest, size=len(data), kind=kind, created_by=actor)
             for digest, (data, kind) in checked.items()]
    written: list[str] = []
    try:
        for digest, (data, _kind) in checked.items():  # a known row whose bytes went missing gets them back
            if blob_write(digest, data):
                written.append(digest)
        # Inserted first, read only if some were stored before: one statement for new bytes.
        rows, new = _stored_files_insert(fresh)
    except BaseException:
        for digest in written:
            blob_remove(digest)
        raise
    return [StoredUpload(stored=rows[digest], new=digest in new) for digest in digests]


def _stored_files_insert(fresh: list[StoredFile]) -> tuple[dict[str, StoredFile], set[str]]:
    """Insert ``fresh`` rows (``INSERT … ON CONFLICT (sha256) DO NOTHING RETURNING id, sha256``, one
    statement on PostgreSQL and SQLite ≥ 3.35) and return ``({sha256: row} for all of them, the
    hashes this statement inserted)``: the rows stored before (or by a concurrent batch first) are
    read back, one more query, only then."""
    table = connection.ops.quote_name(StoredFile._meta.db_table)
    now = timezone.now()
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(fresh))
    parameters = []
    for row in fresh:
        row.created_at = now
        parameters += [row.sha256, row.size, row.kind, now, row.created_by_id]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (sha256, size, kind, created_at, created_by_id) VALUES {values} "
                       "ON CONFLICT (sha256) DO NOTHING RETURNING id, sha256", parameters)
        ids = dict((digest, pk) for pk, digest in cursor.fetchall())
    rows = {}
    for row in fresh:
        if row.sha256 in ids:
            row.pk = ids[row.sha256]
            row._state.adding = False
            row._state.db = "default"
            rows[row.sha256] = row
    missing = [row.sha256 for row in fresh if row.sha256 not in ids]
    if missing:
        rows.update({row.sha256: row for row in StoredFile.objects.filter(sha256__in=missing)})
    return rows, set(ids)


def file_get(*, sha256: str) -> StoredFile:
    """The stored file with this SHA-256 (64 hex digits).

    Raises:
        NotFound: no file with this hash is stored.
    """
    stored = StoredFile.objects.filter(sha256=(sha256 or "").lower()).first()
    if stored is None:
        raise NotFound(_("No such file."), extra={"field": "sha256"})
    return stored


def file_read(*, stored: StoredFile) -> bytes:
    """The bytes of a stored file, checked against its hash. The caller (the owner app) has decided
    that the reader may have them.

    Raises:
        NotFound: the bytes are missing from disk or no longer match the hash.
    """
    try:
        data = blob_read(stored.sha256)
    except FileNotFoundError:
        raise NotFound(_("The file's content is missing."), extra={"field": "sha256"}) from None
    if sha256_hex(data) != stored.sha256:
        raise NotFound(_("The file's content is damaged."), extra={"field": "sha256", "rule": "hash"})
    return data


def file_response(*, data: bytes, kind: str | None, name: str, inline: bool = False) -> HttpResponse:
    """The one way a stored file is sent to a browser (issue 17, "Downloads typed by their checked bytes").

    Args:
        data: the file's bytes (from ``file_read`` or the owner's storage).
        kind: what the bytes were checked to be at upload (``StoredFile.kind``, or ``detect_kind``
            of the same bytes); never the client's file name or header. None: unknown bytes.
        name: the name offered for saving, without extension: the one of ``kind`` is added, so
            PDF bytes uploaded as ``x.html`` are offered as ``x.pdf`` (the caller drops the
            uploaded name's own extension).
        inline: show in place (a preview) when ``kind`` is PDF, JPEG or PNG; anything else is
            always ``attachment``.

    Returns:
        An ``HttpResponse`` with ``Content-Type`` from ``kind`` (``application/octet-stream`` when
        unknown), ``X-Content-Type-Options: nosniff`` (so no browser guesses HTML from the bytes),
        ``Content-Disposition`` (RFC 6266, UTF-8 names encoded per RFC 5987) and
        ``Cache-Control: private, no-store``.
    """
    stem = name.rsplit("/", 1)[-1].strip() or "file"
    response = HttpResponse(data, content_type=MEDIA_TYPES.get(kind or "", "application/octet-stream"))
    response["Content-Disposition"] = content_disposition_header(
        not (inline and kind in INLINE_KINDS), f"{stem}{EXTENSIONS.get(kind or '', '')}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
