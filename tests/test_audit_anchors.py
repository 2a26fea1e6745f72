"""The audit log's tail is anchored outside the database from the first event, each anchor
timestamped by the platform's TSA, so that deleting the newest events is caught at any age (issue 17).

Cross-app: the anchors are audit's, their timestamps trust's (wired in ``egov.wiring``)."""

import base64
import json
from io import StringIO

import pytest
from django.core.management import call_command

from egov.audit import actions as audit_actions
from egov.audit.actions import audit_record
from egov.audit.models import AuditEvent
from egov.audit.tests.test_actions import tamper
from egov.celery import anchor_audit_at_start
from egov.trust.models import TimestampToken
from egov.trust.tests.conftest import ca, openssl, pki_files  # noqa: F401 (fixtures)
from egov.trust.timestamps import TimestampInvalid, timestamp_digest, timestamp_token_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchor_file(settings, tmp_path):
    """Anchors to a file of this test, written after each commit as in production."""
    settings.EGOV_AUDIT_ANCHOR_FILE = str(tmp_path / "var" / "audit-anchors.jsonl")
    settings.EGOV_AUDIT_ANCHOR_ON_COMMIT = True
    settings.EGOV_AUDIT_ANCHOR_INTERVAL = 60
    audit_actions._last_anchor_try[0] = float("-inf")  # this process has not anchored yet
    yield tmp_path / "var" / "audit-anchors.jsonl"
    audit_actions._last_anchor_try[0] = float("-inf")


def anchors(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def verify() -> tuple[int, dict]:
    out = StringIO()
    try:
        call_command("audit", "verify", "--json", stdout=out)
    except SystemExit as exit_:
        return exit_.code, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def test_the_first_events_commit_anchors_it(anchor_file, django_capture_on_commit_callbacks):
    """Found by a tester: a fresh deployment had no anchor for an hour, and deleting its newest
    events went unnoticed. Here no CA exists yet: the anchor is written without a timestamp."""
    with django_capture_on_commit_callbacks(execute=True):
        first = audit_record(action="tests.thing.touch", object_id=1)
    assert first.seq == 1
    (anchor,) = anchors(anchor_file)
    assert (anchor["seq"], anchor["hash"], "tst" in anchor) == (1, first.hash, False)
    assert anchor["tst_error"]  # the TSA could not answer (no CA), named in the file
    # further commits within the interval do not anchor again (the worker's beat does)
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(action="tests.thing.touch", object_id=2)
    assert len(anchors(anchor_file)) == 1
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [2])
    assert verify()[0] == 0  # seq 2 was never anchored: the minute's window the interval leaves open
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [1])
    code, report = verify()
    assert (code, report["broken_seq"]) == (1, 1)
    assert report["reason"].startswith("anchored event missing (events 1-1 deleted from the end of the log")


def test_deleting_the_newest_events_after_an_anchor_names_the_gap(anchor_file, ca):  # noqa: F811
    for i in range(3):
        audit_record(action="tests.thing.touch", object_id=i)
    head = AuditEvent.objects.order_by("-seq").first().seq
    anchor_audit_at_start()  # the worker's start
    tamper("DELETE FROM audit_auditevent WHERE seq >= %s", [head - 1])
    code, report = verify()
    assert code == 1 and report["broken_seq"] == head - 1
    assert report["reason"].startswith(
        f"anchored event missing (events {head - 1}-{head} deleted from the end of the log, which ends at {head - 2};"
    )


def test_an_anchor_carries_a_token_of_our_tsa_that_openssl_verifies(anchor_file, ca, pki_files, tmp_path):  # noqa: F811
    audit_record(action="tests.thing.touch", object_id=1)
    head = AuditEvent.objects.order_by("-seq").first()
    before = TimestampToken.objects.count()
    call_command("audit", "anchor", stdout=StringIO())
    (anchor,) = anchors(anchor_file)
    assert anchor["seq"] == head.seq and anchor["hash"] == head.hash
    token = base64.b64decode(anchor["tst"])
    assert TimestampToken.objects.count() == before + 1
    assert TimestampToken.objects.latest("pk").message_imprint == head.hash
    # checked by a tool we did not write: the token stamps the head's hash and chains to our root
    (tmp_path / "token.der").write_bytes(token)
    verified = openssl(
        "ts",
        "-verify",
        "-digest",
        head.hash,
        "-in",
        str(tmp_path / "token.der"),
        "-token_in",
        "-CAfile",
        str(pki_files["root"]),
        "-untrusted",
        str(pki_files["issuing"]),
    )
    assert b"Verification: OK" in verified.stdout, verified.stdout + verified.stderr
    assert (
        abs(
            (
                timestamp_token_check(token=token, digest=bytes.fromhex(head.hash))
                - TimestampToken.objects.latest("pk").gen_time
            ).total_seconds()
        )
        == 0
    )
    assert verify()[0] == 0


def test_a_token_over_another_digest_is_refused(anchor_file, ca):  # noqa: F811
    audit_record(action="tests.thing.touch", object_id=1)
    call_command("audit", "anchor", stdout=StringIO())
    (anchor,) = anchors(anchor_file)
    other = timestamp_digest(digest=bytes(32))
    with pytest.raises(TimestampInvalid, match="another digest"):
        timestamp_token_check(token=other, digest=bytes.fromhex(anchor["hash"]))
    anchor["tst"] = base64.b64encode(other).decode()
    anchor_file.write_text(json.dumps(anchor) + "\n")
    code, report = verify()
    assert (code, report["broken_seq"]) == (1, anchor["seq"])
    assert report["reason"].startswith("anchor timestamp invalid (the token stamps another digest")


def test_a_token_signed_by_another_key_is_refused(anchor_file, ca):  # noqa: F811
    """A token whose signature bytes were altered does not verify."""
    audit_record(action="tests.thing.touch", object_id=1)
    head = AuditEvent.objects.order_by("-seq").first()
    token = bytearray(timestamp_digest(digest=bytes.fromhex(head.hash)))
    token[-5] ^= 0xFF  # inside the signature value, the last field of the SignerInfo
    with pytest.raises(TimestampInvalid, match="signature"):
        timestamp_token_check(token=bytes(token), digest=bytes.fromhex(head.hash))
