"""The API, the public page, the `egov trust` command, the passphrase rules and the seal images."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from egov.audit.models import AuditEvent
from egov.core.errors import ValidationFailed
from egov.trust.actions import ca_init, seal_create
from egov.trust.images import SEAL_RED, seal_image_draw
from egov.trust.models import Certificate
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
