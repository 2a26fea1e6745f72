"""The API, the public page, the `egov trust` command, the passphrase rules and the seal images."""

import hashlib
import io
import json
import re
import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from PIL import Image

from egov.audit.models import AuditEvent
from egov.core.errors import ValidationFailed
from egov.trust.actions import ca_init, certificate_revoke, seal_create
from egov.trust.images import SEAL_RED, seal_image_draw
from egov.trust.models import Certificate
from egov.trust.pdf import MAX_PDF_BYTES
from egov.trust.signing import pdf_sign_with_seal
from egov.trust.tests.conftest import TEST_PASSPHRASE


@pytest.fixture
def signed(seal, pdf):
    return pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf)


def test_api_verifies_a_file_in_chinese(client, signed):
    upload = io.BytesIO(signed.pdf)
    upload.name = "licence.pdf"
    response = client.post("/api/v1/trust/verify", {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["signatures"][0]["valid"] is True
    assert body["message"] == "签名有效。"


def test_api_by_code_and_errors(client, signed):
    response = client.post("/api/v1/trust/verify", {"code": signed.document.code})
    assert response.status_code == 200 and response.json()["code"] == signed.document.code
    assert client.post("/api/v1/trust/verify", {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}).status_code == 404
    bad = io.BytesIO(b"not a pdf")
    bad.name = "x.pdf"
    response = client.post("/api/v1/trust/verify", {"file": bad})
    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "file", "rule": "malformed"}
    response = client.post("/api/v1/trust/verify", {})
    assert response.status_code == 400 and response.json()["extra"]["rule"] == "required"


def test_public_page_in_chinese_by_default(client, signed):
    page = client.get("/trust/verify")
    assert page.status_code == 200 and "核验电子签章文件" in page.content.decode()
    result = client.get("/trust/verify", {"code": signed.document.code})
    text = result.content.decode()
    assert result.status_code == 200 and "签名有效。" in text and "测试市行政审批局" in text
    empty = client.post("/trust/verify", {})
    assert empty.status_code == 400


def test_command_sign_and_verify_exit_codes(seal, pdf, tmp_path, capsys):
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(pdf)
    call_command("trust", "sign-pdf", str(source), str(target), "--seal", str(seal.pk))
    assert AuditEvent.objects.filter(action="trust.seal.use", actor_id__isnull=True).count() == 1
    call_command("trust", "verify-pdf", str(target), "--json")
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["valid"] is True
    tampered = bytearray(target.read_bytes())
    tampered[tampered.index(b"TEST-0001")] = ord("Y")
    target.write_bytes(bytes(tampered))
    with pytest.raises(SystemExit) as exit_:
        call_command("trust", "verify-pdf", str(target), "--json")
    assert exit_.value.code == 1
    source.write_bytes(b"garbage")
    with pytest.raises(CommandError) as error:
        call_command("trust", "sign-pdf", str(source), str(target), "--seal", str(seal.pk))
    assert error.value.returncode == 2 and str(error.value) == "文件不是PDF。"


def test_passphrase_rules(db, monkeypatch):
    monkeypatch.delenv("EGOV_CA_PASSPHRASE")
    with pytest.raises(CommandError) as error:
        call_command("trust", "init")
    assert error.value.returncode == 2 and "EGOV_CA_PASSPHRASE" in str(error.value)
    for value, rule in (("egov-demo-ca-passphrase", "default"), ("short", "min_length")):
        monkeypatch.setenv("EGOV_CA_PASSPHRASE", value)
        with pytest.raises(ValidationFailed) as failed:
            ca_init(actor=None)
        assert failed.value.extra["rule"] == rule
    assert not Certificate.objects.exists()


def test_wrong_passphrase_writes_nothing(ca, organization, monkeypatch):
    certificates, events = Certificate.objects.count(), AuditEvent.objects.count()
    monkeypatch.setenv("EGOV_CA_PASSPHRASE", TEST_PASSPHRASE + "-wrong")
    for attempt in (lambda: ca_init(actor=None), lambda: seal_create(actor=None, organization=organization,
                                                                     kind="official")):
        with pytest.raises(ValidationFailed) as failed:
            attempt()
        assert failed.value.extra["rule"] == "wrong_passphrase"
    with pytest.raises(CommandError) as error:
        call_command("trust", "init")
    assert error.value.returncode == 2
    assert (Certificate.objects.count(), AuditEvent.objects.count()) == (certificates, events)


def test_seal_image_is_round_red_and_uploads_are_checked(ca, organization):
    image = Image.open(io.BytesIO(seal_image_draw(name="无锡市人民政府")))
    assert image.size == (600, 600) and image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0  # transparent outside the ring
    ring = image.getpixel((300, 14))  # on the ring at the top
    assert ring[0] > 180 and ring[1] < 60 and ring[3] > 200
    assert image.getpixel((300, 300))[:3] == SEAL_RED[:3]  # the star's centre
    with pytest.raises(ValidationFailed) as failed:
        seal_create(actor=None, organization=organization, kind="official", image_png=b"GIF89a not a png")
    assert failed.value.extra == {"field": "image", "rule": "format"}
    uploaded = io.BytesIO()
    Image.new("RGBA", (300, 300), (200, 0, 0, 255)).save(uploaded, format="PNG")
    seal = seal_create(actor=None, organization=organization, kind="official", image_png=uploaded.getvalue())
    assert seal.image_uploaded


def test_command_json_on_unreadable_input_and_exit_codes(ca, pdf, tmp_path, capsys):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\nthis is not really a PDF")
    with translation.override("en"):
        with pytest.raises(CommandError) as error:
            call_command("trust", "verify-pdf", str(bad), "--json")
    assert error.value.returncode == 2
    assert json.loads(capsys.readouterr().out.strip()) == {
        "valid": False, "error": {"message": "The PDF file is damaged and cannot be read.",
                                  "extra": {"field": "file", "rule": "malformed"}}}
    with pytest.raises(CommandError) as error:
        call_command("trust", "verify-pdf", str(tmp_path / "missing.pdf"), "--json")
    assert error.value.returncode == 2
    assert json.loads(capsys.readouterr().out.strip())["error"]["extra"] == {"field": "file", "rule": "not_found"}
    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(pdf)
    with pytest.raises(SystemExit) as exit_:
        call_command("trust", "verify-pdf", str(unsigned), "--json")
    assert exit_.value.code == 1 and json.loads(capsys.readouterr().out.strip())["status"] == "unsigned"


def test_damaged_signature_through_the_command_and_the_api(client, signed, tmp_path, capsys):
    tampered = bytearray(signed.pdf)
    byte_range = re.search(rb"/ByteRange\s*\[[^\]]*\]", tampered)
    tampered[byte_range.end()] = ord("!")
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(tampered))
    with pytest.raises(SystemExit) as exit_:
        call_command("trust", "verify-pdf", str(path), "--json")
    report = json.loads(capsys.readouterr().out.strip())
    assert exit_.value.code == 1 and report["status"] == "damaged" and report["message"] != "文件没有签名。"
    upload = io.BytesIO(bytes(tampered))
    upload.name = "tampered.pdf"
    body = client.post("/api/v1/trust/verify", {"file": upload}).json()
    assert body["status"] == "damaged" and body["valid"] is False


def test_oversized_files_are_refused_before_reading(ca, tmp_path):
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:  # sparse: 50 MB + 1 byte on paper, nothing on disk
        handle.truncate(MAX_PDF_BYTES + 1)
    tracemalloc.start()
    try:
        with pytest.raises(CommandError) as error:
            call_command("trust", "verify-pdf", str(big))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.value.returncode == 2 and str(error.value) == "文件超过50 MB。"
    assert peak < 5 * 1024 * 1024  # the 50 MB were never read


def test_api_refuses_an_oversized_upload(client, ca):
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"\0" * MAX_PDF_BYTES, content_type="application/pdf")
    response = client.post("/api/v1/trust/verify", {"file": upload})
    assert response.status_code == 400 and response.json()["extra"] == {"field": "file", "rule": "max_size"}


def test_revoked_certificate_and_versions_on_the_page_and_in_the_command(client, signed, seal, organization,
                                                                         tmp_path, capsys):
    both = pdf_sign_with_seal(actor=None, seal=seal_create(actor=None, organization=organization, kind="contract"),
                              pdf=signed.pdf)
    time.sleep(1.1)  # revoke in a later second than the timestamps
    certificate_revoke(actor=None, certificate=seal.certificate, reason="key_compromise")
    seal.certificate.refresh_from_db()
    when = timezone.localtime(seal.certificate.revoked_at)
    text = client.get("/trust/verify", {"code": signed.document.code, "revision": "1"}).content.decode()
    assert f"自 {when:%Y-%m-%d %H:%M:%S} 起已吊销（密钥泄露），在签名时间之后" in text
    assert "第 1 版（共 2 版）" in text and "revision=2" in text
    assert hashlib.sha256(signed.pdf).hexdigest() in text and hashlib.sha256(both.pdf).hexdigest() in text
    assert client.get("/trust/verify", {"code": signed.document.code, "revision": "x"}).status_code == 400
    path = tmp_path / "first.pdf"
    path.write_bytes(signed.pdf)
    call_command("trust", "verify-pdf", str(path))
    out = capsys.readouterr().out
    assert f"证书自 {when:%Y-%m-%d %H:%M:%S} 起已吊销（密钥泄露），在签名时间之后" in out
    assert f"此文件是验证码 {signed.document.code} 登记的第 1 版（共 2 版）" in out


@pytest.mark.parametrize("prepared", ["nothing", "empty database"])
def test_verify_pdf_outside_a_prepared_environment_says_what_is_missing(tmp_path, prepared):
    """Found by a tester: in a fresh EGOV_VAR_DIR, ``egov trust verify-pdf`` printed a traceback and
    left an empty database behind. It now says in one line what is missing, exits 2, creates no
    database, and with --json prints the error object as its one line."""
    import os
    import sqlite3
    import subprocess
    import sys

    from egov.trust.pdf import pdf_one_page

    var = tmp_path / "var"
    var.mkdir()
    database = var / "egov.sqlite3"
    if prepared == "empty database":
        sqlite3.connect(database).close()  # exists, but nothing migrated
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(pdf_one_page(lines=["not signed"]))
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "EGOV_ENV")}
    env |= {"EGOV_VAR_DIR": str(var), "LANG": "C"}
    plain = subprocess.run([sys.executable, "-m", "egov.cli", "trust", "verify-pdf", str(path)],
                           capture_output=True, text=True, env=env, timeout=120)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert len(plain.stderr.strip().splitlines()) == 1 and plain.stdout == ""
    assert "egov trust init" in plain.stderr
    assert database.exists() == (prepared == "empty database")
    as_json = subprocess.run([sys.executable, "-m", "egov.cli", "trust", "verify-pdf", str(path), "--json"],
                             capture_output=True, text=True, env=env, timeout=120)
    assert as_json.returncode == 2
    body = json.loads(as_json.stdout)
    assert body["valid"] is False and body["error"]["extra"] == {"field": "database", "rule": "not_prepared"}
    if prepared == "empty database":
        assert sqlite3.connect(database).execute("select count(*) from sqlite_master").fetchone() == (0,)


def _pdf_with_prev(target: str) -> bytes:
    """A one-page PDF written by hand whose trailer's /Prev points at its own cross-reference
    section (``"self"``: a loop) or back into the body at object 1 (``"body"``: pyHanko asserts
    that what it finds there is an /XRef stream and raised AssertionError, a 500: issue 17)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    prev = xref if target == "self" else offsets[0]
    out += b"trailer\n<< /Size 4 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (prev, xref)
    return bytes(out)


@pytest.mark.parametrize("target", ["self", "body"])
def test_a_pdf_whose_prev_loops_is_not_a_readable_pdf_on_the_api_and_the_page(client, ca, target):
    upload = SimpleUploadedFile("loop.pdf", _pdf_with_prev(target), content_type="application/pdf")
    response = client.post("/api/v1/trust/verify", {"file": upload})
    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "file", "rule": "malformed"}
    upload = SimpleUploadedFile("loop.pdf", _pdf_with_prev(target), content_type="application/pdf")
    with translation.override("en"):
        page = client.post("/trust/verify", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400 and "The PDF file is damaged and cannot be read." in page.content.decode()
