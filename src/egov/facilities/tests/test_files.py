"""Stored files checked against a spec given by the owner app, not by a service-hall material."""

import pytest

from egov.audit.models import AuditEvent
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.facilities.files import FileSpec, blob_path, file_check, file_read, file_store, files_store, sha256_hex

PDF = b"%PDF-1.7\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40  # an OLE2 compound file (MS-CFB §2.2)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def person(citizen):
    """The citizen's account (the fixture gives the natural person)."""
    return citizen.user


def test_a_spec_limits_kinds_and_bytes():
    only_pdf = FileSpec(kinds=frozenset({"pdf"}), max_bytes=len(PDF))
    assert file_check(content=PDF, spec=only_pdf) == (PDF, "pdf")
    with pytest.raises(ValidationFailed) as raised:
        file_check(content=PDF + b" ", spec=only_pdf)
    assert raised.value.extra == {"field": "file", "rule": "max_size", "limit": 15}
    with pytest.raises(ValidationFailed) as raised:
        file_check(content=PNG, spec=FileSpec(kinds=frozenset({"pdf"})))  # 36 bytes, under the default limit
    assert raised.value.extra == {"field": "file", "rule": "file_type", "accepted": ["pdf"]}


def test_office_files_only_where_the_spec_allows_them():
    with pytest.raises(ValidationFailed):
        file_check(content=DOC, spec=FileSpec())
    assert file_check(content=DOC, spec=FileSpec(kinds=frozenset({"pdf", "ole2"})))[1] == "ole2"


def test_store_audits_under_the_owner_apps_action(person, media_root):
    stored = file_store(actor=person, content=PDF, spec=FileSpec(), audit_action="portal.answer_file.store",
                        changes={"request": "YSQ-20261127-0001"})
    event = AuditEvent.objects.get(action="portal.answer_file.store")
    assert event.changes["request"] == "YSQ-20261127-0001" and event.changes["size"] == 15
    assert file_read(stored=stored) == PDF


def test_nobody_stores(db, media_root):
    with pytest.raises(PermissionDenied):
        file_store(actor=None, content=PDF, spec=FileSpec())


# file_response: the one way stored files are sent (issue 17, downloads typed by their checked bytes).


def test_a_download_is_typed_by_its_kind_and_named_with_its_extension():
    from egov.facilities.files import file_response

    response = file_response(data=b"%PDF-1.7 x", kind="pdf", name="进展")
    assert response["Content-Type"] == "application/pdf" and response.content == b"%PDF-1.7 x"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E8%BF%9B%E5%B1%95.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_only_pdf_and_images_are_shown_inline_and_unknown_bytes_are_octet_streams():
    from egov.facilities.files import file_response

    png = file_response(data=b"x", kind="png", name="a", inline=True)
    assert png["Content-Disposition"] == 'inline; filename="a.png"'
    ofd = file_response(data=b"x", kind="ofd", name="a", inline=True)
    assert ofd["Content-Disposition"] == 'attachment; filename="a.ofd"' and ofd["Content-Type"] == "application/ofd"
    unknown = file_response(data=b"<html>", kind=None, name="page", inline=True)
    assert unknown["Content-Type"] == "application/octet-stream"
    assert unknown["Content-Disposition"] == 'attachment; filename="page"'


def test_a_batch_is_stored_with_one_select_and_one_insert(db, media_root, person, django_assert_num_queries):
    from egov.facilities.models import StoredFile

    known = file_store(actor=person, content=PNG, spec=FileSpec())
    blob_path(known.sha256).unlink()  # its bytes lost (a restore from an old backup): the batch writes them back
    # A new PDF twice (one row), the known PNG: 1 SELECT of the three hashes, 1 INSERT of the PDF's row.
    with django_assert_num_queries(2):
        uploads = files_store(actor=person, uploads=[(PDF, FileSpec()), (PNG, FileSpec()), (PDF, FileSpec())])
    assert [(u.stored.sha256, u.new) for u in uploads] == [(sha256_hex(PDF), True), (known.sha256, False),
                                                           (sha256_hex(PDF), True)]
    assert uploads[0].stored.pk == uploads[2].stored.pk and uploads[1].stored.pk == known.pk
    assert uploads[0].facts() == {"sha256": sha256_hex(PDF), "kind": "pdf", "size": 15, "new": True}
    assert file_read(stored=StoredFile.objects.get(sha256=sha256_hex(PDF))) == PDF
    assert blob_path(known.sha256).read_bytes() == PNG


def test_a_batch_with_a_refused_file_stores_nothing(db, media_root, person):
    from egov.facilities.models import StoredFile

    with pytest.raises(ValidationFailed) as raised:
        files_store(actor=person, uploads=[(PDF, FileSpec()), (DOC, FileSpec())])
    assert raised.value.extra["rule"] == "file_type"
    assert not StoredFile.objects.exists() and not blob_path(sha256_hex(PDF)).exists()
    with pytest.raises(PermissionDenied):
        files_store(actor=None, uploads=[(PDF, FileSpec())])
