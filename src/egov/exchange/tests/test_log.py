"""The message log's hash chain, and node certificates issued from a CSR."""

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.db import transaction

from egov.core.errors import ValidationFailed
from egov.exchange.log import GENESIS_HASH, LogWriter, log_append, log_verify
from egov.exchange.models import LoggedMessage
from egov.exchange.tests.conftest import CONSUMER_CODE, csr_for, signer_for


def _append(n: int) -> list[LoggedMessage]:
    with transaction.atomic():
        return [log_append(direction="in", kind="request", message_id=f"{i:032x}", peer_code=CONSUMER_CODE,
                           service="person", envelope="e.n.v", body=b"{}") for i in range(n)]


def test_rows_chain_from_the_genesis_and_their_hash_is_sha256_of_canonical_json(db):
    rows = _append(3)
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == GENESIS_HASH and rows[1].prev_hash == rows[0].hash
    first = rows[0]
    # The hashed text written out by hand: sorted keys, no spaces, UTF-8 (docs/exchange.md).
    text = (
        '{{"body_sha256":"{}","direction":"in","envelope":"e.n.v","in_reply_to":"","kind":"request",'
        '"logged_at":"{}","message_id":"{}","peer_code":"{}","prev_hash":"{}","seq":1,"service":"person",'
        '"status":0}}'
    ).format(hashlib.sha256(b"{}").hexdigest(), first.logged_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
         "0" * 32, CONSUMER_CODE, GENESIS_HASH)
    assert first.hash == hashlib.sha256(text.encode()).hexdigest()
    assert log_verify() is None


def test_a_changed_row_is_found(db):
    _append(3)
    LoggedMessage.objects.filter(seq=2).update(body=b'{"x":1}')
    assert log_verify() == 2


def test_a_request_id_is_received_once(db):
    from django.db import IntegrityError

    _append(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        log_append(direction="in", kind="request", message_id="0" * 32, peer_code=CONSUMER_CODE, service="person",
                   envelope="", body=b"")


def _entry(i: int, *, direction: str = "out", kind: str = "request") -> dict:
    return {"direction": direction, "kind": kind, "message_id": f"{i:032x}", "peer_code": CONSUMER_CODE,
            "service": "person", "envelope": "e.n.v", "body": b"{}"}


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_node_keep_one_chain_and_a_replay_fails_alone():
    # A node's peer and local listeners are two processes with a writer each: each writer's
    # remembered head goes stale whenever the other one wrote, and must then be read again.
    a, b = LogWriter(), LogWriter()
    try:
        for i, writer in enumerate([a, a, b, a, b, b, a]):
            rows = writer.append([_entry(i)])
            assert rows[0].seq == i + 1
        rows = a.append([_entry(7), _entry(8, direction="in", kind="response")])
        assert [r.seq for r in rows] == [8, 9] and rows[1].prev_hash == rows[0].hash
        b.append([_entry(20, direction="in")])
        from django.db import IntegrityError

        with pytest.raises(IntegrityError):  # the same received request again: a replay
            a.append([_entry(20, direction="in")])
        assert a.append([_entry(21)])[0].seq == 11
        with pytest.raises(IntegrityError):  # again, now that the writer's head is the last row
            a.append([_entry(20, direction="in")])
        assert a.append([_entry(22)])[0].seq == 12
        assert list(LoggedMessage.objects.values_list("message_id", flat=True)) == \
            [f"{i:032x}" for i in (0, 1, 2, 3, 4, 5, 6, 7, 8, 20, 21, 22)]
        assert log_verify() is None
    finally:
        a.stop()
        b.stop()


def test_the_platform_issues_a_node_certificate_for_the_nodes_own_key(ca, consumer_org):
    signer, row = signer_for(consumer_org, "approval.node.egov")
    leaf = signer.chain[0]
    assert leaf.public_key().public_numbers() == signer.key.public_key().public_numbers()
    assert leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == CONSUMER_CODE
    usage = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(usage) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    assert bytes(row.key_p12) == b""  # the key stays on the node


def test_a_request_that_is_not_a_csr_or_not_p256_is_refused(ca, consumer_org):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding

    from egov.trust.actions import node_certificate_issue_for_csr

    with pytest.raises(ValidationFailed) as caught:
        node_certificate_issue_for_csr(actor=None, organization=consumer_org, csr_pem=b"not a csr")
    assert caught.value.extra == {"field": "csr", "rule": "invalid"}
    key = ec.generate_private_key(ec.SECP384R1())
    csr = (x509.CertificateSigningRequestBuilder().subject_name(x509.Name([]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName("a.node.egov")]), critical=False)
           .sign(key, hashes.SHA384()))
    with pytest.raises(ValidationFailed) as caught:
        node_certificate_issue_for_csr(actor=None, organization=consumer_org, csr_pem=csr.public_bytes(Encoding.PEM))
    assert caught.value.extra["rule"] == "key"
    _key, good = csr_for("a.node.egov")
    assert node_certificate_issue_for_csr(actor=None, organization=consumer_org, csr_pem=good).common_name == \
        "a.node.egov"


@pytest.mark.django_db
def test_logged_bodies_are_compressed_with_lz4():
    """Migration 0010: an extract page's body costs ~4x less CPU to log with LZ4 than with pglz."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT attcompression FROM pg_attribute WHERE attrelid = 'exchange_loggedmessage'::regclass "
                       "AND attname = 'body'")
        assert cursor.fetchone()[0] == "l"


# --- rows logged without their body (extract pages: log.py, "bodies") ------------------------------------

PAGE = b"id_number,name,_row,_problem\n11010519491231002X,\xe5\xbc\xa0\xe4\xb8\x89,,\n"


def _append_page() -> LoggedMessage:
    with transaction.atomic():
        log_append(direction="in", kind="request", message_id="a" * 32, peer_code=CONSUMER_CODE, service="people",
                   envelope="e.n.v", body=b'{"extract":{}}')
        return log_append(direction="out", kind="response", message_id="b" * 32, in_reply_to="a" * 32,
                          peer_code=CONSUMER_CODE, service="people", envelope="e.n.w", body=PAGE, status=200,
                          keep_body=False)


def test_a_row_logged_without_its_body_hashes_its_digest_and_size(db):
    page = _append_page()
    stored = LoggedMessage.objects.get(seq=2)
    assert stored.body is None
    assert stored.body_sha256 == hashlib.sha256(PAGE).hexdigest() and stored.body_size == len(PAGE) == 57
    # The hashed text written out by hand: the row's values plus body_size (docs/exchange.md).
    text = (
        '{{"body_sha256":"{}","body_size":57,"direction":"out","envelope":"e.n.w","in_reply_to":"{}",'
        '"kind":"response","logged_at":"{}","message_id":"{}","peer_code":"{}","prev_hash":"{}","seq":2,'
        '"service":"people","status":200}}'
    ).format(hashlib.sha256(PAGE).hexdigest(), "a" * 32,
             page.logged_at.astimezone(dt.UTC).isoformat(timespec="microseconds"), "b" * 32, CONSUMER_CODE,
             LoggedMessage.objects.get(seq=1).hash)
    assert stored.hash == page.hash == hashlib.sha256(text.encode()).hexdigest()
    # The request kept its body, and its digest and size are stored beside it (not hashed).
    request = LoggedMessage.objects.get(seq=1)
    assert bytes(request.body) == b'{"extract":{}}' and request.body_size == 14
    assert request.body_sha256 == hashlib.sha256(b'{"extract":{}}').hexdigest()
    assert log_verify() is None


@pytest.mark.parametrize("change", [
    {"body_sha256": hashlib.sha256(b"another page").hexdigest()},  # a tampered digest
    {"body_size": 56},  # a tampered size
    {"body": PAGE},  # a body put back where none was logged
])
def test_a_tampered_row_logged_without_its_body_is_found(db, change):
    _append_page()
    LoggedMessage.objects.filter(seq=2).update(**change)
    assert log_verify() == 2


def test_a_body_dropped_from_a_row_that_kept_it_is_found(db):
    _append(3)
    # digest and size stored: dropping the body still breaks the hash (body_size was not hashed).
    LoggedMessage.objects.filter(seq=2).update(body=None)
    assert log_verify() == 2


def test_a_stored_digest_that_is_not_the_kept_bodys_is_found(db):
    _append(3)
    LoggedMessage.objects.filter(seq=3).update(body_sha256=hashlib.sha256(b"other").hexdigest())
    assert log_verify() == 3


def test_rows_logged_before_the_digest_was_stored_still_verify(db):
    # Migration 0011 left old rows with body_sha256 "" and body_size NULL: their digest is the body's.
    _append(2)
    LoggedMessage.objects.update(body_sha256="", body_size=None)
    assert log_verify() is None


@pytest.mark.django_db(transaction=True)
def test_the_writer_logs_a_page_without_its_body():
    writer = LogWriter()
    try:
        digest = hashlib.sha256(PAGE).hexdigest()
        rows = writer.append([_entry(1), {**_entry(2, direction="in", kind="response"), "body": PAGE,
                                          "body_sha256": digest, "keep_body": False}])
        assert [r.seq for r in rows] == [1, 2]
        stored = LoggedMessage.objects.get(seq=2)
        assert (stored.body, stored.body_sha256, stored.body_size) == (None, digest, 57)
        assert bytes(LoggedMessage.objects.get(seq=1).body) == b"{}"
        assert log_verify() is None
    finally:
        writer.stop()
