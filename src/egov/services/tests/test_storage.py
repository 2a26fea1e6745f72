"""Material files: type by magic bytes, content addressing, refusals that leave nothing behind."""

import io
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.accounts.actions import natural_person_register
from egov.accounts.tests.factories import make_verified
from egov.audit.models import AuditEvent
from egov.core.errors import NotFound, PermissionDenied, ValidationFailed
from egov.facilities import files as storage
from egov.facilities.files import file_get as stored_file_get
from egov.facilities.files import file_read as stored_file_read
from egov.facilities.models import StoredFile
from egov.services.actions import material_file_store

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in names:
            package.writestr(name, "<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"/>")
    return buffer.getvalue()


def _files(root) -> list:
    return [p for p in (root / "materials").rglob("*") if p.is_file()] if (root / "materials").exists() else []


@pytest.fixture
def citizen(db):
    return make_verified(
        natural_person_register(id_number="11010519491231002X", name="李四", password="a-long-password-1").user)


def test_sha256_is_fips_180_2():
    # FIPS 180-2 appendix B.1: SHA-256("abc")
    assert storage.sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize(("content", "kind"), [
    (PDF, "pdf"), (JPEG, "jpeg"), (PNG, "png"), (_zip(["OFD.xml", "Doc_0/Document.xml"]), "ofd"),
    (_zip(["word/document.xml", "[Content_Types].xml"]), "ooxml"),  # a DOCX is a ZIP without OFD.xml: not OFD
    (_zip(["Doc_0/OFD.xml"]), None),  # OFD.xml must be at the root
    (b"PK\x03\x04 not really a zip", None), (EXE, None), (b"GIF89a" + b"\x00" * 10, None), (b"%PDX-", None),
])
def test_kind_comes_from_the_bytes(content, kind):
    assert storage.detect_kind(content) == kind


def test_a_docx_is_not_a_material(citizen, media_root):
    # Office files are told apart (documents' attachments may be one) but no material accepts them
    # unless its catalogue entry says so: a DOCX named .ofd is refused.
    with pytest.raises(ValidationFailed) as raised:
        material_file_store(actor=citizen, content=_zip(["word/document.xml", "[Content_Types].xml"]))
    assert raised.value.extra["rule"] == "file_type"
    assert not StoredFile.objects.exists() and _files(media_root) == []


def test_store_places_the_bytes_under_their_hash(citizen, media_root):
    stored = material_file_store(actor=citizen, content=PDF)
    digest = storage.sha256_hex(PDF)
    assert (stored.sha256, stored.size, stored.kind) == (digest, len(PDF), "pdf")
    path = media_root / "materials" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == PDF
    assert stored_file_read(stored=stored_file_get(sha256=digest)) == PDF
    event = AuditEvent.objects.get(action="services.material_file.store")
    assert event.changes == {"sha256": digest, "kind": "pdf", "size": len(PDF), "new": True, "material": None}


def test_the_same_bytes_are_stored_once(citizen, media_root):
    first = material_file_store(actor=citizen, content=PNG)
    again = material_file_store(actor=citizen, content=SimpleUploadedFile("another-name.png", PNG, "image/png"))
    assert again.pk == first.pk
    assert StoredFile.objects.count() == 1 and len(_files(media_root)) == 1
    assert [e.changes["new"] for e in AuditEvent.objects.filter(action="services.material_file.store")] == [True, False]


def test_client_name_and_type_are_not_trusted(citizen, media_root):
    disguised = SimpleUploadedFile("licence.pdf", EXE, content_type="application/pdf")
    with pytest.raises(ValidationFailed) as failure:
        material_file_store(actor=citizen, content=disguised)
    assert (failure.value.extra["field"], failure.value.extra["rule"]) == ("file", "file_type")
    assert not StoredFile.objects.exists() and _files(media_root) == []
    # and a real JPEG named .txt is a JPEG
    assert material_file_store(actor=citizen, content=SimpleUploadedFile("x.txt", JPEG, "text/plain")).kind == "jpeg"


def test_too_large_is_refused_and_leaves_nothing(citizen, media_root, item):
    material = item.materials.get(name="住所使用相关文件")  # PDF only, 1024 bytes at most
    exactly = PDF + b"0" * (1024 - len(PDF))
    assert material_file_store(actor=citizen, content=exactly, material=material).size == 1024
    with pytest.raises(ValidationFailed) as failure:
        material_file_store(actor=citizen, content=exactly + b"0", material=material)
    assert failure.value.extra == {"field": "file", "rule": "max_size", "limit": 1024}
    assert StoredFile.objects.count() == 1 and len(_files(media_root)) == 1


def test_site_wide_limit_applies_without_a_material(citizen, media_root, settings):
    settings.EGOV_MATERIAL_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as failure:
        material_file_store(actor=citizen, content=PDF + b"0" * 100)
    assert failure.value.extra["rule"] == "max_size"
    assert not StoredFile.objects.exists() and _files(media_root) == []


def test_a_type_the_material_does_not_accept_is_refused(citizen, media_root, item):
    material = item.materials.get(name="住所使用相关文件")
    with pytest.raises(ValidationFailed) as failure:
        material_file_store(actor=citizen, content=PNG, material=material)
    assert failure.value.extra == {"field": "file", "rule": "file_type", "accepted": ["pdf"]}
    assert not StoredFile.objects.exists() and _files(media_root) == []


def test_ofd_is_accepted(citizen, media_root):
    assert material_file_store(actor=citizen, content=_zip(["OFD.xml"])).kind == "ofd"


def test_empty_file_and_anonymous_upload_are_refused(citizen, media_root):
    with pytest.raises(ValidationFailed) as failure:
        material_file_store(actor=citizen, content=b"")
    assert failure.value.extra["rule"] == "empty"
    for nobody in (None, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            material_file_store(actor=nobody, content=PDF)
    assert not StoredFile.objects.exists() and _files(media_root) == []


def test_a_failed_row_removes_the_bytes_it_wrote(citizen, media_root, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr("egov.facilities.files.audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        material_file_store(actor=citizen, content=PDF)
    assert not StoredFile.objects.exists() and _files(media_root) == []


def test_damaged_bytes_are_not_served(citizen, media_root):
    stored = material_file_store(actor=citizen, content=PDF)
    storage.blob_path(stored.sha256).write_bytes(PDF + b"tampered")
    with pytest.raises(NotFound) as failure:
        stored_file_read(stored=stored)
    assert failure.value.extra["rule"] == "hash"


def test_the_leftovers_of_a_killed_writer_are_swept_after_a_day_and_a_write_in_progress_is_not(media_root):
    import os
    import time

    from egov.facilities.files import incoming_sweep, materials_root

    folder = materials_root() / "ab" / "cd"
    folder.mkdir(parents=True)
    old, fresh = folder / ".incoming-killed", folder / ".incoming-writing"
    old.write_bytes(b"half a file")
    fresh.write_bytes(b"being written")
    kept = folder / ("ab" + "cd" + "0" * 60)
    kept.write_bytes(b"a stored file")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(kept, (two_days_ago, two_days_ago))
    assert incoming_sweep() == 1
    assert not old.exists() and fresh.exists() and kept.exists()
