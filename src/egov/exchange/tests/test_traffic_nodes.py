"""Node traffic reaches the platform (issue 20 item 4, ``traffic_report.py``): lookups answered by a
provider's node, asked through a consumer's node, both real processes, appear on the platform's
resource traffic page with the counts worked by hand; a report sent again counts once; a platform
that was down gets the backlog; a node may not report another organization's resource (403)."""

import json
import os
import time

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from egov.exchange.envelope import HEADER, Signer, envelope_sign, message_id
from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE, STRANGER_CODE
from egov.exchange.tests.harness import Network, query
from egov.exchange.tests.test_catalog import GRANT, PERSON
from egov.exchange.traffic_report import PLATFORM_RECEIVER, REPORT_PATH, REPORT_SERVICE

RESOURCE = PERSON["code"]
CSV = "id_number,name,address,religion\n11010519491231002X,张三,梁溪区人民中路1号,无\n"
PAGE = f"/staff/exchange/catalog/resources/{RESOURCE}/traffic/"
# Render the resource's traffic page on the platform's database as the provider's data steward.
PAGE_SCRIPT = (
    "import re\n"
    "from django.test import Client\n"
    "from egov.accounts.tests.factories import StaffUserFactory\n"
    "from egov.orgs.models import Organization\n"
    "from egov.orgs.roles import Role\n"
    "from django.contrib.auth import get_user_model\n"
    f"user = get_user_model().objects.filter(username='gaj-data').first() or StaffUserFactory("
    f"organization=Organization.objects.get(uscc='{PROVIDER_CODE}'), roles=[Role.DATA_STEWARD], "
    "username='gaj-data')\n"
    "client = Client()\n"
    "client.force_login(user)\n"
    f"page = client.get('{PAGE}', HTTP_ACCEPT_LANGUAGE='en')\n"
    "html = page.content.decode()\n"
    "def table(name):\n"
    "    part = html.split(f'id=\"{name}\"', 1)[1].split('</table>', 1)[0]\n"
    "    rows = re.findall(r'<tr class=\"govuk-table__row\">(.*?)</tr>', part, re.S)\n"
    "    return [[re.sub(r'<[^>]+>', ' ', c).split() for c in re.findall(r'<t[hd][^>]*>(.*?)</t[hd]>', r, re.S)]"
    " for r in rows[1:]]\n"
    "print(json.dumps({'status': page.status_code, 'consumers': table('consumers'),"
    " 'servers': table('servers')}))\n"
)


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    base = os.environ.get("TEST_DATABASE_URL") or os.environ["DATABASE_URL"]
    folder = tmp_path_factory.mktemp("traffic")
    net = Network(base_url=base, folder=folder, prefix=f"egov_xtr_{os.getpid()}")
    try:
        net.create([(PROVIDER_CODE, "无锡市公安局", "police.node.egov"),
                    (CONSUMER_CODE, "无锡市行政审批局", "approval.node.egov"),
                    (STRANGER_CODE, "无锡市某局", "other.node.egov")])
        provider = net.nodes[PROVIDER_CODE]
        (provider.folder / "people.csv").write_text(CSV, encoding="utf-8")
        catalog = provider.folder / "catalog.json"
        catalog.write_text(json.dumps({"resources": [PERSON], "grants": [GRANT]}), encoding="utf-8")
        net.egov("exchange", "import", str(catalog), db=provider.db)
        net.egov("exchange", "import", str(catalog), db=net.platform_db)  # the platform's catalog
        timing = {"tsa_interval": 0.5, "tsa_grace": 600, "traffic_interval": 0.5, "traffic_report_interval": 0.5}
        net.configure(PROVIDER_CODE, services={"person": {"resource": RESOURCE, "csv": "people.csv",
                                                          "key": "id_number"}}, **timing)
        net.configure(CONSUMER_CODE, **timing)
        net.configure(STRANGER_CODE, **timing)
        net.start_platform()
        for code in net.nodes:
            net.start(code)
        for code in (CONSUMER_CODE, STRANGER_CODE):  # warm up (first OCSP answers, imports): not counted
            for _attempt in range(3):
                if net.call(code, PROVIDER_CODE, "meta.list", {}, timeout=60).status_code == 200:
                    break
        yield net
    finally:
        net.stop()


def _platform_rows(net) -> list[tuple]:
    return query(net.platform_db, "SELECT node_code, consumer_code, SUM(requests), SUM(errors) "
                                  "FROM exchange_trafficminute WHERE resource_code = %s "
                                  "GROUP BY node_code, consumer_code ORDER BY consumer_code", (RESOURCE,))


def _wait_for(net, expected: list[tuple], *, timeout: float = 60) -> list[tuple]:
    deadline = time.monotonic() + timeout
    rows = _platform_rows(net)
    while rows != expected and time.monotonic() < deadline:
        time.sleep(0.5)
        rows = _platform_rows(net)
    return rows


def _page(net) -> dict:
    done = net.egov("shell", "-c", "import json\n" + PAGE_SCRIPT, db=net.platform_db)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _lookups(net) -> None:
    """5 found (200), 2 not found (404: errors) by the consumer; 1 refused (403: no grant) to the stranger."""
    for _ in range(5):
        assert net.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": "11010519491231002X"}).status_code == 200
    for _ in range(2):
        assert net.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": "320202198001010012"}).status_code == 404
    assert net.call(STRANGER_CODE, PROVIDER_CODE, "person", {"id_number": "11010519491231002X"}).status_code == 403


def _signed_post(net, code: str, body: bytes, *, tamper: bytes | None = None) -> httpx.Response:
    folder = net.nodes[code].folder
    chain = tuple(x509.load_pem_x509_certificates((folder / "node.pem").read_bytes()))
    signer = Signer(code=code, key=load_pem_private_key((folder / "node.key").read_bytes(), password=None),
                    chain=chain)
    token = envelope_sign(signer=signer, body=body, claims={"id": message_id(), "kind": "request",
                                                            "receiver": PLATFORM_RECEIVER, "service": REPORT_SERVICE})
    return httpx.post(f"http://127.0.0.1:{net.platform_port}{REPORT_PATH}", content=tamper or body,
                      headers={HEADER: token, "Content-Type": "application/json"}, timeout=30)


def test_lookups_through_two_nodes_appear_on_the_platform_traffic_page(network):
    _lookups(network)
    # worked by hand: the consumer 5 + 2 = 7 requests, 2 errors; the stranger 1 request, 1 error;
    # all answered by the provider's node; the platform answered none itself
    expected = [(PROVIDER_CODE, CONSUMER_CODE, 7, 2), (PROVIDER_CODE, STRANGER_CODE, 1, 1)]
    assert _wait_for(network, expected) == expected
    page = _page(network)
    assert page["status"] == 200
    by_consumer = {row[0][-1]: (row[1], row[2]) for row in page["consumers"]}
    assert by_consumer == {CONSUMER_CODE: (["7"], ["2"]), STRANGER_CODE: (["1"], ["1"])}
    # one row "Exchange node of 无锡市公安局 <USCC>": 8 requests, 3 errors
    assert [(row[0][-1], row[1], row[2]) for row in page["servers"]] == [(PROVIDER_CODE, ["8"], ["3"])]
    assert page["servers"][0][0][:3] == ["Exchange", "node", "of"]


def test_a_minute_reported_again_counts_once(network):
    expected = _wait_for(network, [(PROVIDER_CODE, CONSUMER_CODE, 7, 2), (PROVIDER_CODE, STRANGER_CODE, 1, 1)])
    # the node forgets what it reported: it sends every row again; the platform holds the same totals
    query(network.nodes[PROVIDER_CODE].db, "UPDATE exchange_trafficminute SET reported_requests = 0 RETURNING id")
    unreported = "SELECT COUNT(*) FROM exchange_trafficminute WHERE requests > reported_requests"
    deadline = time.monotonic() + 30
    while query(network.nodes[PROVIDER_CODE].db, unreported)[0][0] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert query(network.nodes[PROVIDER_CODE].db, unreported)[0][0] == 0
    assert _platform_rows(network) == expected


def test_a_platform_down_gets_the_backlog_when_it_returns(network):
    _wait_for(network, [(PROVIDER_CODE, CONSUMER_CODE, 7, 2), (PROVIDER_CODE, STRANGER_CODE, 1, 1)])
    network.stop_platform()
    try:
        for _ in range(3):  # OCSP answers cached by both nodes, timestamps within their grace
            assert network.call(CONSUMER_CODE, PROVIDER_CODE, "person",
                                {"id_number": "11010519491231002X"}).status_code == 200
        time.sleep(2)  # several report rounds fail meanwhile
        assert query(network.nodes[PROVIDER_CODE].db, "SELECT SUM(requests - reported_requests) "
                                                      "FROM exchange_trafficminute")[0][0] == 3
    finally:
        network.start_platform()
    expected = [(PROVIDER_CODE, CONSUMER_CODE, 10, 2), (PROVIDER_CODE, STRANGER_CODE, 1, 1)]
    assert _wait_for(network, expected) == expected


def test_a_node_reports_only_its_own_resources_and_signed(network):
    row = {"minute": "2026-12-06T08:00:00+00:00", "resource_code": RESOURCE, "consumer_code": CONSUMER_CODE,
           "requests": 100, "errors": 0, "buckets": [100], "latency_ms_total": 50.0}
    body = json.dumps({"minutes": [row]}).encode()
    refused = _signed_post(network, STRANGER_CODE, body)  # the stranger's node does not provide it
    assert refused.status_code == 403 and refused.json()["extra"]["rule"] == "not_provider"
    tampered = _signed_post(network, PROVIDER_CODE, body, tamper=body.replace(b"100", b"900"))
    assert tampered.status_code == 403 and tampered.json()["extra"]["rule"] == "digest"
    unsigned = httpx.post(f"http://127.0.0.1:{network.platform_port}{REPORT_PATH}", content=body, timeout=30)
    assert unsigned.status_code == 400
    assert query(network.platform_db, "SELECT COUNT(*) FROM exchange_trafficminute WHERE minute = %s",
                 ("2026-12-06T08:00:00+00:00",))[0][0] == 0
    malformed = _signed_post(network, PROVIDER_CODE, json.dumps({"minutes": [{**row, "errors": 101}]}).encode())
    assert malformed.status_code == 400
    stored = _signed_post(network, PROVIDER_CODE, body)
    assert stored.status_code == 200 and stored.json() == {"stored": 1}
    again = _signed_post(network, PROVIDER_CODE, body)  # the same totals again: nothing changes
    assert again.status_code == 200 and again.json() == {"stored": 0}
