"""Archives of a message log holding rows logged without their body (extract pages: ``log.py``,
"bodies"), proven offline against the platform root; the platform's TSA over real HTTP."""

import asyncio
import base64
import hashlib
import json
import threading

import httpx
import pytest
from django.db import transaction

from egov.exchange.archive import archive_export, archive_verify
from egov.exchange.envelope import envelope_sign, message_id
from egov.exchange.log import log_append
from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE, signer_for
from egov.exchange.timestamping import batch_timestamp

REQUEST = b'{"extract":{"after":null,"limit":2,"format":"csv"}}'
PAGE = ("id_number,name,_row,_problem\n11010519491231002X,张三,,\n320202198001010012,李四,320202198001010012,\n"
        .encode())


@pytest.fixture
def archived(reference_data, ca, provider_org, consumer_org, live_server, tmp_path):
    """The provider's log of one extract page (request kept, page without its body), timestamped
    and archived: ``(path of the file, the root certificate, the request's id)``."""
    from egov.trust.selectors import certificate_x509, root_authority

    consumer, _row = signer_for(consumer_org, "approval.node.egov")
    provider, _row = signer_for(provider_org, "police.node.egov")
    request_id, reply_id = message_id(), message_id()
    request = envelope_sign(signer=consumer, body=REQUEST, claims={
        "id": request_id, "kind": "request", "receiver": PROVIDER_CODE, "service": "people",
        "purpose": {"case": "SP-2026-1", "basis": "行政许可法第三十一条"}})
    reply = envelope_sign(signer=provider, body=PAGE, claims={
        "id": reply_id, "kind": "response", "receiver": CONSUMER_CODE, "service": "people", "reply_to": request_id,
        "status": 200})
    with transaction.atomic():
        log_append(direction="in", kind="request", message_id=request_id, peer_code=CONSUMER_CODE, service="people",
                   envelope=request, body=REQUEST)
        log_append(direction="out", kind="response", message_id=reply_id, in_reply_to=request_id,
                   peer_code=CONSUMER_CODE, service="people", envelope=reply, body=PAGE, status=200, keep_body=False)
    with httpx.Client() as http:
        assert batch_timestamp(tsa_url=f"{live_server.url}/trust/tsa", batch_size=100, http=http).last_seq == 2
    written = archive_export(node_code=PROVIDER_CODE, folder=tmp_path / "archive")
    return tmp_path / "archive" / written.name, certificate_x509(root_authority().certificate), request_id


def _tampered(path, change) -> object:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(next(r for r in document["rows"] if r["kind"] == "response"))
    out = path.with_name("tampered.json")
    out.write_text(json.dumps(document), encoding="utf-8")
    return out


@pytest.mark.django_db(transaction=True)
def test_an_archived_page_logged_without_its_body_is_proven_by_its_digest_and_envelope(archived):
    path, root, request_id = archived
    document = json.loads(path.read_text(encoding="utf-8"))
    page = document["rows"][1]
    assert page["body"] is None
    assert (page["body_sha256"], page["body_size"]) == (hashlib.sha256(PAGE).hexdigest(), 103)
    assert base64.b64decode(document["rows"][0]["body"]) == REQUEST
    report = archive_verify(path=path, root=root, message_id=request_id)
    assert report.valid, report.problems
    assert [(r["direction"], r["kind"]) for r in report.message["rows"]] == [("in", "request"), ("out", "response")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("change", "problems"), [
    # another digest: the row's hash breaks, and the envelope signs another body
    (lambda row: row.update(body_sha256=hashlib.sha256(b"another page").hexdigest()),
     {"row 2: its hash does not match its content", "row 2: the envelope signs another body"}),
    # another size: the row's hash breaks
    (lambda row: row.update(body_size=102), {"row 2: its hash does not match its content"}),
    # a body put in where none was logged, even the very page: not what the row's hash is about
    (lambda row: row.update(body=base64.b64encode(PAGE).decode()), {"row 2: its hash does not match its content"}),
    # no size at all
    (lambda row: row.pop("body_size"), {"row 2: incomplete"}),
])
def test_a_tampered_archived_page_is_found(archived, change, problems):
    path, root, _request_id = archived
    report = archive_verify(path=_tampered(path, change), root=root)
    assert not report.valid
    assert {p for p in report.problems if p.startswith("row 2:")} == problems


@pytest.mark.django_db(transaction=True)
def test_an_archive_verifies_in_a_thread_that_runs_an_event_loop(archived):
    """The full suite failed here: after a browser test, Playwright's sync API leaves an event loop
    running in the main thread, and the token's check (``asyncio.run``) raised RuntimeError, which the
    report gave as "the timestamp does not verify". An async server's thread is the same case."""
    path, root, _request_id = archived

    async def verify_from_a_coroutine():
        return archive_verify(path=path, root=root)

    # A thread of its own, whose loop runs the check (this test's thread may run Playwright's already).
    reports = []
    thread = threading.Thread(target=lambda: reports.append(asyncio.run(verify_from_a_coroutine())))
    thread.start()
    thread.join()
    assert reports and reports[0].valid, reports and reports[0].problems
