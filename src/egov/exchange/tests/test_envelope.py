"""Envelopes: what is signed is what is checked (RFC 7515 compact JWS, ES256, x5c)."""

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from egov.core.errors import PermissionDenied, ValidationFailed
from egov.exchange.envelope import envelope_check_signature, envelope_parse, envelope_sign
from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE, signer_for

BODY = b'{"id_number":"11010519491231002X"}'


@pytest.fixture
def signer(ca, consumer_org):
    return signer_for(consumer_org, "approval.node.egov")[0]


def _request(signer, body=BODY, **claims):
    return envelope_sign(
        signer=signer,
        body=body,
        claims={
            "id": "0" * 32,
            "kind": "request",
            "receiver": PROVIDER_CODE,
            "service": "person",
            "purpose": {"case": "SP202612040001", "basis": "行政许可法第三十一条"},
            **claims,
        },
    )


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_an_envelope_is_a_compact_jws_with_the_chain_and_the_claims(signer):
    token = _request(signer)
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(_b64(header_b64))
    assert header["alg"] == "ES256" and header["typ"] == "egov-envelope"
    assert [base64.b64decode(c) for c in header["x5c"]] == [c.public_bytes(Encoding.DER) for c in signer.chain]
    claims = json.loads(_b64(payload_b64))
    assert claims["sender"] == CONSUMER_CODE and claims["receiver"] == PROVIDER_CODE
    # SHA-256 of BODY, worked out once with `sha256sum` on the literal bytes
    assert claims["digest"] == "13855013ff07ce63318124c9b03e71adb6e63b7802d4ba366dc051efeef3e3ba"
    assert len(_b64(signature_b64)) == 64  # ES256: r || s, 32 bytes each (RFC 7518 §3.4)
    envelope = envelope_parse(token)
    envelope_check_signature(envelope, body=BODY, receiver=PROVIDER_CODE, now=time.time(), window=300)


def test_a_changed_payload_breaks_the_signature(signer):
    header, payload, signature = _request(signer).split(".")
    claims = json.loads(_b64(payload))
    claims["service"] = "person-full"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(PermissionDenied) as caught:
        envelope_check_signature(
            envelope_parse(f"{header}.{forged}.{signature}"),
            body=BODY,
            receiver=PROVIDER_CODE,
            now=time.time(),
            window=300,
        )
    assert caught.value.extra["rule"] == "signature"


def test_another_body_another_receiver_or_a_stale_time_is_refused(signer):
    envelope = envelope_parse(_request(signer))
    for kwargs, rule in [
        ({"body": b'{"id_number":"110105194912310037"}', "receiver": PROVIDER_CODE, "now": time.time()}, "digest"),
        ({"body": BODY, "receiver": CONSUMER_CODE, "now": time.time()}, "receiver"),
        ({"body": BODY, "receiver": PROVIDER_CODE, "now": time.time() + 301}, "time"),
        ({"body": BODY, "receiver": PROVIDER_CODE, "now": time.time() - 301}, "time"),
    ]:
        with pytest.raises(PermissionDenied) as caught:
            envelope_check_signature(envelope, window=300, **kwargs)
        assert caught.value.extra["rule"] == rule


def test_a_certificate_of_another_organization_cannot_sign_for_it(ca, consumer_org, provider_org):
    from egov.exchange.envelope import Signer

    provider_signer = signer_for(provider_org, "police.node.egov")[0]
    impostor = Signer(code=CONSUMER_CODE, key=provider_signer.key, chain=provider_signer.chain)
    token = envelope_sign(
        signer=impostor,
        body=BODY,
        claims={"id": "1" * 32, "kind": "request", "receiver": PROVIDER_CODE, "service": "person"},
    )
    with pytest.raises(PermissionDenied) as caught:
        envelope_check_signature(envelope_parse(token), body=BODY, receiver=PROVIDER_CODE, now=time.time(), window=300)
    assert caught.value.extra["rule"] == "sender"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_what_is_not_an_envelope_is_a_clear_400(token):
    with pytest.raises(ValidationFailed) as caught:
        envelope_parse(token)
    assert caught.value.status == 400 and caught.value.extra["rule"] == "envelope"


def test_a_certificate_seen_before_still_checks_each_signature(ca, consumer_org, provider_org):
    """Parsed certificates and their keys are cached by the exact x5c text: a second envelope that
    names an already-seen certificate but is signed with another key is still refused."""
    from egov.exchange.envelope import Signer

    provider_signer = signer_for(provider_org, "police.node.egov")[0]
    consumer_signer = signer_for(consumer_org, "approval.node.egov")[0]
    claims = {"id": "2" * 32, "kind": "request", "receiver": CONSUMER_CODE, "service": "person"}
    genuine = envelope_parse(envelope_sign(signer=provider_signer, body=BODY, claims=claims))
    envelope_check_signature(genuine, body=BODY, receiver=CONSUMER_CODE, now=time.time(), window=300)
    assert envelope_parse(genuine.token).chain[0] is genuine.chain[0]  # parsed once
    forger = Signer(code=PROVIDER_CODE, key=consumer_signer.key, chain=provider_signer.chain)
    forged = envelope_parse(envelope_sign(signer=forger, body=BODY, claims=claims))
    with pytest.raises(PermissionDenied) as caught:
        envelope_check_signature(forged, body=BODY, receiver=CONSUMER_CODE, now=time.time(), window=300)
    assert caught.value.extra["rule"] == "signature"


def test_an_x5c_entry_that_is_not_text_is_a_clear_400(signer):
    header_b64, payload_b64, signature_b64 = _request(signer).split(".")
    header = json.loads(_b64(header_b64))
    header["x5c"] = [header["x5c"]]  # a list inside the list: unhashable, not base64
    bad = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    with pytest.raises(ValidationFailed) as caught:
        envelope_parse(f"{bad}.{payload_b64}.{signature_b64}")
    assert caught.value.extra["rule"] == "envelope"
