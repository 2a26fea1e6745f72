"""Three exchange nodes as separate processes with separate databases, and the platform's CA,
OCSP and TSA served by a fourth: the exchange as it runs (issue 14, "Done when")."""

import base64
import json
import os
import threading
import time

import httpx
import pytest

from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE, STRANGER_CODE
from egov.exchange.tests.harness import Network, query
from egov.exchange.tests.test_catalog import GRANT, PERSON

PERSON_ID = "11010519491231002X"
CSV = "id_number,name,address,religion\n11010519491231002X,张三,梁溪区人民中路1号,无\n" \
      "320202198001010012,李四,滨湖区太湖大道2号,无\n"


@pytest.fixture(scope="module")
def network(tmp_path_factory, django_db_blocker):
    base = os.environ.get("TEST_DATABASE_URL") or os.environ["DATABASE_URL"]
    folder = tmp_path_factory.mktemp("exchange")
    net = Network(base_url=base, folder=folder, prefix=f"egov_xt_{os.getpid()}")
    try:
        net.create([(PROVIDER_CODE, "无锡市公安局", "police.node.egov"),
                    (CONSUMER_CODE, "无锡市行政审批局", "approval.node.egov"),
                    (STRANGER_CODE, "无锡市某局", "other.node.egov")])
        provider = net.nodes[PROVIDER_CODE]
        (provider.folder / "people.csv").write_text(CSV, encoding="utf-8")
        (provider.folder / "catalog.json").write_text(json.dumps({"resources": [PERSON], "grants": [GRANT]}),
                                                      encoding="utf-8")
        net.egov("exchange", "import", str(provider.folder / "catalog.json"), db=provider.db)
        timing = {"tsa_interval": 0.5, "tsa_batch_size": 1000, "tsa_grace": 4, "ocsp_fresh": 1,
                  "max_message_bytes": 4096, "grant_cache_seconds": 1}
        net.configure(PROVIDER_CODE, services={"person": {"resource": "320200-GA-001", "csv": "people.csv",
                                                          "key": "id_number"}}, **timing)
        net.configure(CONSUMER_CODE, **timing)
        net.configure(STRANGER_CODE, **timing)
        net.start_platform()
        for code in net.nodes:
            net.start(code)
        yield net
    finally:
        net.stop()


def _rows(net, code: str, sql: str, params=()):
    return query(net.nodes[code].db, sql, params)


def test_a_granted_lookup_returns_only_the_granted_items(network):
    answer = network.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": PERSON_ID})
    assert answer.status_code == 200, answer.text
    # granted: id_number and name; address is 有条件共享 but not granted; religion is 不予共享
    assert answer.json()["record"] == {"id_number": PERSON_ID, "name": "张三"}
    # both sides logged request and response, each with its envelope
    provider_log = _rows(network, PROVIDER_CODE, "SELECT direction, kind, status FROM exchange_loggedmessage "
                                                 "ORDER BY seq")
    assert provider_log[-2:] == [("in", "request", 0), ("out", "response", 200)]
    consumer_log = _rows(network, CONSUMER_CODE, "SELECT direction, kind, status FROM exchange_loggedmessage "
                                                 "ORDER BY seq")
    assert consumer_log[-2:] == [("out", "request", 0), ("in", "response", 200)]


def test_without_a_grant_the_answer_is_403_with_the_reason_and_is_logged(network):
    answer = network.call(STRANGER_CODE, PROVIDER_CODE, "person", {"id_number": PERSON_ID})
    assert answer.status_code == 403
    assert answer.json()["extra"]["rule"] == "no_grant"
    assert _rows(network, STRANGER_CODE, "SELECT kind, status FROM exchange_loggedmessage ORDER BY seq")[-1] == \
        ("response", 403)


def test_discovery_lists_the_services_those_the_caller_may_use_and_their_openapi(network):
    listed = network.call(CONSUMER_CODE, PROVIDER_CODE, "meta.list", {})
    assert listed.json() == {"services": [{"name": "person", "resource": "320200-GA-001",
                                           "resource_name": "人口基本信息"}]}
    allowed = network.call(CONSUMER_CODE, PROVIDER_CODE, "meta.allowed", {})
    assert allowed.json() == {"services": [{"name": "person", "fields": ["id_number", "name"]}]}
    assert network.call(STRANGER_CODE, PROVIDER_CODE, "meta.allowed", {}).json() == {"services": []}
    described = network.call(CONSUMER_CODE, PROVIDER_CODE, "meta.openapi", {"service": "person"}).json()
    assert described["openapi"] == "3.1.0"
    record = described["paths"]["/exchange/v1/services/person"]["post"]["responses"]["200"]["content"][
        "application/json"]["schema"]["properties"]["record"]
    # religion is 不予共享: not even described
    assert set(record["properties"]) == {"id_number", "name", "address"}


def _last_request(network) -> tuple[str, bytes]:
    (token, body), = _rows(network, CONSUMER_CODE, "SELECT envelope, body FROM exchange_loggedmessage "
                                                   "WHERE direction = 'out' AND kind = 'request' "
                                                   "ORDER BY seq DESC LIMIT 1")
    return token, bytes(body)


def _post(network, token: str, body: bytes, *, code: str | None = CONSUMER_CODE) -> httpx.Response:
    provider = network.nodes[PROVIDER_CODE]
    with network.peer_client(code) as client:
        return client.post(f"https://127.0.0.1:{provider.port}/exchange/v1/services/person", content=body,
                           headers={"X-Egov-Envelope": token}, extensions={"sni_hostname": provider.host})


def test_a_replayed_message_is_refused_and_logged(network):
    assert network.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": PERSON_ID}).status_code == 200
    token, body = _last_request(network)
    answer = _post(network, token, body)
    assert answer.status_code == 409 and answer.json()["extra"]["rule"] == "replay"
    assert _rows(network, PROVIDER_CODE, "SELECT kind, status FROM exchange_loggedmessage ORDER BY seq DESC "
                                         "LIMIT 1") == [("refusal", 409)]


def test_a_tampered_body_an_oversized_one_and_a_stranger_without_certificate_are_refused(network):
    token, body = _last_request(network)
    tampered = body.replace(PERSON_ID.encode(), b"320202198001010012")
    answer = _post(network, token, tampered)
    assert answer.status_code == 403 and answer.json()["extra"]["rule"] == "digest"
    answer = _post(network, token, b"x" * 4097)
    assert answer.status_code == 413
    with pytest.raises(httpx.HTTPError):  # the TLS handshake needs a client certificate of the platform CA
        _post(network, token, body, code=None)
    # a request signed by another node than the one holding the TLS connection
    answer = _post(network, token, body, code=STRANGER_CODE)
    assert answer.status_code == 403 and answer.json()["extra"]["rule"] == "tls"


def test_a_node_killed_in_the_middle_loses_nothing_and_answers_nothing_twice(network):
    answered: list[str] = []
    stop = threading.Event()

    def traffic():
        until = time.monotonic() + 90
        while time.monotonic() < until and not stop.is_set():
            try:
                answer = network.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": PERSON_ID}, timeout=5)
            except httpx.HTTPError:
                answer = None
            if answer is not None and answer.status_code == 200:
                answered.append("ok")
            else:
                time.sleep(0.1)  # the provider is down or restarting: do not spin

    worker = threading.Thread(target=traffic)
    worker.start()
    time.sleep(2)
    network.kill(PROVIDER_CODE)
    before = len(answered)
    network.start(PROVIDER_CODE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(answered) <= before:
        time.sleep(0.2)
    stop.set()
    worker.join(timeout=30)
    assert before and len(answered) > before  # answers before the kill and after the restart
    # every response the consumer received signed is in the provider's log, with its request
    received = {r[0] for r in _rows(network, CONSUMER_CODE, "SELECT message_id FROM exchange_loggedmessage "
                                                            "WHERE direction = 'in' AND kind = 'response'")}
    sent = {r[0] for r in _rows(network, PROVIDER_CODE, "SELECT message_id FROM exchange_loggedmessage "
                                                        "WHERE direction = 'out' AND kind = 'response'")}
    assert received <= sent
    # no request was carried out twice, and the chain is whole
    requests = _rows(network, PROVIDER_CODE, "SELECT message_id, count(*) FROM exchange_loggedmessage "
                                             "WHERE direction = 'in' AND kind = 'request' GROUP BY message_id "
                                             "HAVING count(*) > 1")
    assert requests == []
    assert network.egov("exchange", "verify-log", db=network.nodes[PROVIDER_CODE].db).stdout.strip() == \
        "message log intact"
    # asked again, an answered message is a replay
    token, body = _last_request(network)
    answer = _post(network, token, body)
    assert answer.status_code == 409, answer.text


def test_the_log_is_timestamped_in_batches_and_a_tsa_outage_pauses_the_exchange_until_it_returns(network):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _rows(network, PROVIDER_CODE, "SELECT count(*) FROM "
                                                "exchange_loggedmessage WHERE batch_id IS NULL")[0][0]:
        time.sleep(0.5)
    (rows, batches), = _rows(network, PROVIDER_CODE, "SELECT count(*), count(DISTINCT batch_id) FROM "
                                                     "exchange_loggedmessage")
    assert rows > batches > 0  # fewer tokens than rows
    network.stop_platform()
    try:
        assert network.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": PERSON_ID}).status_code == 200
        deadline, answer = time.monotonic() + 20, None
        while time.monotonic() < deadline:
            answer = network.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": PERSON_ID})
            if answer.status_code == 503:
                break
            time.sleep(0.5)
        assert answer.status_code == 503, answer.text
        assert answer.json()["extra"]["rule"] == "timestamping"
    finally:
        network.start_platform()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = network.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": PERSON_ID})
        if answer.status_code == 200:
            break
        time.sleep(0.5)
    assert answer.status_code == 200, answer.text


def test_a_revoked_node_certificate_is_refused(network):
    (serial,), = query(network.platform_db, "SELECT serial FROM trust_certificate WHERE purpose = 'node' AND "
                                            "subject LIKE %s", (f"%{STRANGER_CODE}%",))
    network.egov("trust", "revoke", serial, "--reason", "key_compromise", db=network.platform_db)
    time.sleep(1.5)  # the provider's cached OCSP answer is fresh for 1 s here
    answer = network.call(STRANGER_CODE, PROVIDER_CODE, "person", {"id_number": PERSON_ID})
    assert answer.status_code == 403 and answer.json()["extra"] == {"rule": "revoked", "reason": "key_compromise"}


def test_the_log_is_archived_and_a_third_party_proves_a_message_offline(network, tmp_path):
    provider = network.nodes[PROVIDER_CODE]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _rows(network, PROVIDER_CODE, "SELECT count(*) FROM "
                                                "exchange_loggedmessage WHERE batch_id IS NULL")[0][0]:
        time.sleep(0.5)
    (request_id,), = _rows(network, PROVIDER_CODE, "SELECT message_id FROM exchange_loggedmessage WHERE "
                                                   "direction = 'in' AND kind = 'request' ORDER BY seq LIMIT 1")
    written = network.egov("exchange", "archive", "--org", PROVIDER_CODE, "--out", str(tmp_path),
                           "--max-rows", "1000000", db=provider.db).stdout.split()
    assert len(written) == 1
    archive, root = written[0], str(provider.folder / "root.pem")
    checked = network.egov("exchange", "verify-archive", archive, "--root", root, "--message", request_id,
                           db=provider.db, check=False)
    report = json.loads(checked.stdout)
    assert checked.returncode == 0, report["problems"][:5]
    assert [(r["direction"], r["kind"]) for r in report["message"]["rows"]] == [("in", "request"),
                                                                               ("out", "response")]
    # one changed byte of a logged body: the file no longer proves anything about that row
    document = json.loads(open(archive, encoding="utf-8").read())
    row = next(r for r in document["rows"] if r["kind"] == "response")
    row["body"] = base64.b64encode(base64.b64decode(row["body"]).replace("张三".encode(), "李四".encode())).decode()
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document), encoding="utf-8")
    checked = network.egov("exchange", "verify-archive", str(tampered), "--root", root, db=provider.db, check=False)
    assert checked.returncode == 1
    assert any(f"row {row['seq']}:" in p for p in json.loads(checked.stdout)["problems"])
    (tmp_path / "garbage.json").write_text("not json", encoding="utf-8")
    checked = network.egov("exchange", "verify-archive", str(tmp_path / "garbage.json"), "--root", root,
                           db=provider.db, check=False)
    assert checked.returncode == 2 and json.loads(checked.stdout)["valid"] is False


def test_a_revoked_grant_is_refused_once_the_cached_grants_are_a_second_old(network):
    # the last test of the module: the consumer loses its grant
    assert network.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": PERSON_ID}).status_code == 200
    network.egov("shell", "-c", "from egov.exchange.actions import grant_revoke\n"
                 "from egov.exchange.models import SharingGrant\n"
                 "for g in SharingGrant.objects.filter(revoked_at__isnull=True):\n"
                 "    grant_revoke(actor=None, grant=g, reason='test')\n", db=network.nodes[PROVIDER_CODE].db)
    time.sleep(1.2)  # grant_cache_seconds = 1 here
    answer = network.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": PERSON_ID})
    assert answer.status_code == 403 and answer.json()["extra"]["rule"] == "no_grant"
