"""Subscriptions across real nodes (issue 20, "Bad input and faults" and "Done when"): a provider
node's dispatcher delivers pushed changes to a subscriber node; the subscriber is killed, 50
changes are produced meanwhile, and once it is back it has every one, in order, none twice."""

import json
import os
import time

import httpx
import psycopg
import pytest

from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE
from egov.exchange.tests.harness import Network, query
from egov.exchange.tests.test_catalog import GRANT, PERSON

RESOURCE = PERSON["code"]
SUBSCRIPTION = {"resource": RESOURCE, "consumer_code": CONSUMER_CODE, "consumer_name": "无锡市行政审批局",
                "purpose": "同步人口基本信息用于核验", "legal_basis": "行政许可法第三十一条"}


@pytest.fixture(scope="module")
def network(tmp_path_factory, django_db_blocker):
    base = os.environ.get("TEST_DATABASE_URL") or os.environ["DATABASE_URL"]
    folder = tmp_path_factory.mktemp("subscriptions")
    net = Network(base_url=base, folder=folder, prefix=f"egov_st_{os.getpid()}")
    try:
        net.create([(PROVIDER_CODE, "无锡市公安局", "police.node.egov"),
                    (CONSUMER_CODE, "无锡市行政审批局", "approval.node.egov")])
        provider = net.nodes[PROVIDER_CODE]
        (provider.folder / "catalog.json").write_text(json.dumps(
            {"resources": [PERSON], "grants": [GRANT], "subscriptions": [SUBSCRIPTION]}), encoding="utf-8")
        net.egov("exchange", "import", str(provider.folder / "catalog.json"), db=provider.db)
        timing = {"tsa_interval": 0.5, "tsa_batch_size": 1000, "tsa_grace": 600, "ocsp_fresh": 30,
                  "grant_cache_seconds": 1}
        # A small back-off cap keeps the test short: a subscriber back is found within about a second.
        # (and, with tries that often, no dead letters however long the loaded machine takes to restart a node).
        net.configure(PROVIDER_CODE, subscription_interval=0.2, backoff_base=0.2, backoff_cap=1.0, max_attempts=100000,
                      **timing)
        net.configure(CONSUMER_CODE, **timing)
        net.start_platform()
        for code in net.nodes:
            net.start(code)
        yield net
    finally:
        net.stop()


def _push(net, changes: list[dict]) -> httpx.Response:
    provider = net.nodes[PROVIDER_CODE]
    return httpx.post(f"{provider.local}/exchange/v1/changes/{RESOURCE}", json={"changes": changes}, timeout=30)


def _status(net) -> dict:
    (row,) = query(net.nodes[PROVIDER_CODE].db, """
        SELECT s.last_delivered_seq, s.failures, s.last_error,
               (SELECT count(*) FROM exchange_delivery d WHERE d.subscription_id = s.id AND d.state = 'pending'),
               (SELECT count(*) FROM exchange_delivery d WHERE d.subscription_id = s.id AND d.state = 'dead')
        FROM exchange_subscription s""")
    return dict(zip(["last_delivered", "failures", "last_error", "pending", "dead"], row, strict=True))


def _wait(condition, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} after {timeout} s")
        time.sleep(0.2)


def _received(net) -> list[tuple]:
    return query(net.nodes[CONSUMER_CODE].db, "SELECT seq, operation, record_key FROM exchange_receivedevent "
                                              "ORDER BY id")


def _records(net) -> dict:
    return {key: (data, removed) for key, data, removed in query(
        net.nodes[CONSUMER_CODE].db, "SELECT record_key, data, removed FROM exchange_subscribedrecord")}


def test_pushed_changes_reach_the_subscriber_with_only_the_granted_items(network):
    answer = _push(network, [{"op": "added", "key": f"A{i}",
                              "row": {"id_number": f"A{i}", "name": f"甲{i}", "address": "梁溪区", "religion": "无"}}
                             for i in range(5)])
    assert answer.status_code == 201, answer.text
    assert [e["seq"] for e in answer.json()["events"]] == [1, 2, 3, 4, 5]
    _wait(lambda: _status(network)["last_delivered"] == 5, "the first changes are not delivered")
    records = _records(network)
    # address (有条件共享, not granted) and religion (不予共享) never travel
    assert records["A0"] == ({"id_number": "A0", "name": "甲0"}, False)
    assert [seq for seq, _op, _key in _received(network)] == [1, 2, 3, 4, 5]


def test_a_bad_push_is_refused_and_records_nothing(network):
    answer = _push(network, [{"op": "added", "key": "B1", "row": {"name": "乙"}}, {"op": "renamed", "key": "B2"}])
    assert answer.status_code == 400
    assert answer.json()["extra"] == {"field": "changes[1].op", "rule": "choice"}
    assert query(network.nodes[PROVIDER_CODE].db, "SELECT count(*) FROM exchange_changeevent") == [(5,)]


def test_a_subscriber_killed_receives_everything_once_back_in_order_nothing_twice(network):
    network.kill(CONSUMER_CODE)
    # 50 changes while it is down: K0–K9 added, changed three times, K0–K4 removed, K5–K9 changed once more.
    changes = []
    for i in range(50):
        key = f"K{i % 10}"
        op = "added" if i < 10 else "removed" if 40 <= i < 45 else "changed"
        changes.append({"op": op, "key": key, "row": {"id_number": key, "name": f"名{i}", "address": "滨湖区"}})
    for start in range(0, 50, 10):  # five pushes, as a system sending as it goes
        assert _push(network, changes[start:start + 10]).status_code == 201
    _wait(lambda: _status(network)["failures"] >= 2, "the provider does not retry")
    down = _status(network)
    assert down["last_delivered"] == 5 and down["pending"] == 50 and down["dead"] == 0
    assert down["last_error"].startswith("The subscriber's node cannot be reached: ")

    network.start(CONSUMER_CODE)
    _wait(lambda: _status(network)["pending"] == 0, "the subscriber back does not receive the changes")
    status = _status(network)
    assert (status["last_delivered"], status["failures"], status["dead"]) == (55, 0, 0)
    received = _received(network)
    assert [seq for seq, _op, _key in received] == list(range(1, 56))  # in order, each once
    assert received[5] == (6, "added", "K0") and received[45] == (46, "removed", "K0")
    records = _records(network)
    # By hand: K0–K4 were removed by changes 40–44; K5–K9 last changed by 45–49.
    assert {key: records[key] for key in ("K0", "K4")} == {"K0": ({}, True), "K4": ({}, True)}
    assert records["K5"] == ({"id_number": "K5", "name": "名45"}, False)
    assert records["K9"] == ({"id_number": "K9", "name": "名49"}, False)
    # Failed attempts were logged without values, status 0 (not reached); the values of delivered events are gone.
    attempts = query(network.nodes[PROVIDER_CODE].db,
                     "SELECT outcome, status, error FROM exchange_deliveryattempt WHERE outcome = 'failed'")
    assert attempts and all(status == 0 for _o, status, _e in attempts)
    assert query(network.nodes[PROVIDER_CODE].db,
                 "SELECT count(*) FROM exchange_changeevent WHERE row IS NOT NULL") == [(0,)]


def test_a_delivery_repeated_is_acknowledged_and_not_applied_twice(network):
    provider = network.nodes[PROVIDER_CODE].db
    # As if the provider had died after the subscriber's answer and before recording it: changes 53–55
    # (K7–K9) pending again, with their values (here other names: applied again, they would show).
    with psycopg.connect(provider) as conn:
        for seq, key in ((53, "K7"), (54, "K8"), (55, "K9")):
            conn.execute("UPDATE exchange_changeevent SET row = %s WHERE seq = %s",
                         [json.dumps({"id_number": key, "name": "重复"}), seq])
        conn.execute("UPDATE exchange_delivery SET state = 'pending', attempts = 0 WHERE event_id IN "
                     "(SELECT id FROM exchange_changeevent WHERE seq BETWEEN 53 AND 55)")
        conn.execute("UPDATE exchange_subscription SET next_attempt_at = now()")
    _wait(lambda: _status(network)["pending"] == 0, "the repeated delivery is not acknowledged")
    assert len(_received(network)) == 55
    assert _records(network)["K9"] == ({"id_number": "K9", "name": "名49"}, False)
    (last,) = query(provider, "SELECT first_seq, last_seq, outcome, status FROM exchange_deliveryattempt "
                              "ORDER BY id DESC LIMIT 1")
    assert last == (53, 55, "delivered", 200)
    # every delivery the provider sent is in the subscriber's log, signed request and answer
    sent = query(provider, "SELECT count(*) FROM exchange_deliveryattempt WHERE outcome = 'delivered'")[0][0]
    consumer_log = query(network.nodes[CONSUMER_CODE].db,
                         "SELECT direction, kind, status FROM exchange_loggedmessage "
                         "WHERE service = 'subscription.deliver' ORDER BY seq")
    assert consumer_log.count(("out", "response", 200)) == sent, consumer_log
