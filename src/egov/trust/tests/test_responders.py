"""OCSP (RFC 6960), TSA (RFC 3161) and CRL endpoints over real HTTP, with openssl as the client."""

import urllib.request

from asn1crypto import core, tsp

from egov.trust.actions import certificate_revoke
from egov.trust.models import TimestampToken
from egov.trust.responders import ocsp_respond, tsa_respond
from egov.trust.tests.conftest import openssl, pem


def _post(url: str, body: bytes, content_type: str) -> bytes:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return response.read()


def test_openssl_ocsp_good_then_revoked(reference_data, live_server, seal, pki_files, tmp_path):
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(pem(seal.certificate))
    url = f"{live_server.url}/trust/ocsp"
    args = ["ocsp", "-issuer", str(pki_files["issuing"]), "-cert", str(leaf), "-url", url,
            "-CAfile", str(pki_files["root"]), "-verify_other", str(pki_files["issuing"])]
    result = openssl(*args)
    assert result.returncode == 0, result.stderr
    assert b"Response verify OK" in result.stderr + result.stdout
    assert f"{leaf}: good".encode() in result.stdout
    certificate_revoke(actor=None, certificate=seal.certificate, reason="key_compromise")
    result = openssl(*args)
    assert b"Response verify OK" in result.stderr + result.stdout
    assert f"{leaf}: revoked".encode() in result.stdout
    assert b"Reason: keyCompromise" in result.stdout


def test_ocsp_answers_malformed_and_foreign_requests(ca):
    from cryptography.x509 import ocsp

    response = ocsp.load_der_ocsp_response(ocsp_respond(b"not an OCSP request"))
    assert response.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_openssl_ts_verifies_our_timestamp_over_http(live_server, ca, pki_files, tmp_path):
    data = tmp_path / "data.txt"
    data.write_bytes("锡政发〔2004〕99号".encode())
    query = tmp_path / "request.tsq"
    made = openssl("ts", "-query", "-data", str(data), "-sha256", "-cert", "-out", str(query))
    assert made.returncode == 0, made.stderr
    reply = tmp_path / "reply.tsr"
    reply.write_bytes(_post(f"{live_server.url}/trust/tsa", query.read_bytes(), "application/timestamp-query"))
    verified = openssl("ts", "-verify", "-data", str(data), "-in", str(reply), "-CAfile", str(pki_files["root"]),
                       "-untrusted", str(pki_files["issuing"]))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert b"Verification: OK" in verified.stdout
    text = openssl("ts", "-reply", "-in", str(reply), "-text").stdout.decode()
    assert "Status: Granted." in text
    assert "Policy OID: 2.25.285411794484358224890877180322523579696" in text
    assert "Accuracy: 0x01 seconds" in text or "Accuracy: 1 seconds" in text
    assert TimestampToken.objects.count() == 1


def _rejection(der: bytes) -> tsp.PKIStatusInfo:
    """The status of a token-less TimeStampResp (asn1crypto's TimeStampResp wants a token)."""
    return tsp.PKIStatusInfo.load(core.Sequence.load(der)[0].dump())


def test_tsa_rejects_bad_requests_with_a_failure_info(ca):
    status = _rejection(tsa_respond(b"\x30\x03\x02\x01\x01"))
    assert status["status"].native == "rejection"
    assert status["fail_info"].native == {"bad_data_format"}
    request = tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": b"\x00" * 31},
    })
    assert _rejection(tsa_respond(request.dump()))["fail_info"].native == {"bad_data_format"}
    request = tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "md5"}, "hashed_message": b"\x00" * 16},
    })
    assert _rejection(tsa_respond(request.dump()))["fail_info"].native == {"bad_alg"}
    assert TimestampToken.objects.count() == 0


def test_token_without_cert_req_has_no_certificates(ca):
    request = tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": b"\x01" * 32},
        "nonce": 4711,
        "cert_req": False,
    })
    response = tsp.TimeStampResp.load(tsa_respond(request.dump()))
    assert response["status"]["status"].native == "granted"
    signed_data = response["time_stamp_token"]["content"]
    assert not signed_data["certificates"].native
    assert signed_data["encap_content_info"]["content"].parsed["nonce"].native == 4711


def test_crl_and_ca_certificate_over_http(live_server, ca, pki_files, tmp_path):
    with urllib.request.urlopen(f"{live_server.url}/trust/crl/issuing-1.crl", timeout=30) as response:
        assert response.headers["Content-Type"] == "application/pkix-crl"
        (tmp_path / "issuing.crl").write_bytes(response.read())
    checked = openssl("crl", "-inform", "DER", "-in", str(tmp_path / "issuing.crl"), "-CAfile",
                      str(pki_files["issuing"]), "-noout")
    assert b"verify OK" in checked.stdout + checked.stderr
    with urllib.request.urlopen(f"{live_server.url}/trust/ca/root.cer", timeout=30) as response:
        assert response.read() == bytes(ca.root.certificate.der)
