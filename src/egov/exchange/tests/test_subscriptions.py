"""Subscriptions in one process (the platform's way, ``local_transport``): grants, order, back-off,
dead letters and their replay, idempotent receipt, a poller over a PostgreSQL change column, and
the staff API and pages. Across real nodes: ``test_subscriptions_nodes.py``."""

import datetime as dt
import json
import random
import re

import pytest
from django.db import connection
from django.utils import timezone

from egov.audit.models import AuditEvent
from egov.core.errors import NotFound, PermissionDenied, ValidationFailed
from egov.exchange.actions import catalog_import
from egov.exchange.actions.subscriptions import (
    DeliveryFailed,
    DeliveryPolicy,
    Receipt,
    changes_poll,
    changes_publish,
    dead_letters_replay,
    deliveries_run,
    events_receive,
    local_transport,
    subscription_create,
)
from egov.exchange.models import ChangeEvent, Delivery, InformationResource, ReceivedEvent, SubscribedRecord
from egov.exchange.selectors import subscription_status
from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE, STRANGER_CODE
from egov.exchange.tests.test_catalog import GRANT, PERSON

POLICY = DeliveryPolicy(base=1, cap=8, max_attempts=3, max_age=3600, batch=2)


class _Fixed(random.Random):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def random(self):
        return self.value


def test_the_back_off_doubles_up_to_the_cap_with_jitter_between_half_and_all():
    low, high = _Fixed(0.0), _Fixed(1.0)
    # base 1 s, cap 8 s: 1, 2, 4, 8, 8 … seconds, each between half and all of it
    assert [POLICY.delay(n, rng=high) for n in (1, 2, 3, 4, 5, 30)] == [1, 2, 4, 8, 8, 8]
    assert [POLICY.delay(n, rng=low) for n in (1, 2, 3, 4, 5, 30)] == [0.5, 1, 2, 4, 4, 4]
    assert 0.5 <= POLICY.delay(1) <= 1


@pytest.fixture
def subscribed(provider_org, consumer_org):
    catalog_import(actor=None, data={"resources": [PERSON], "grants": [GRANT]})
    resource = InformationResource.objects.get(code=PERSON["code"])
    subscription = subscription_create(actor=None, resource=resource, consumer_code=CONSUMER_CODE,
                                       consumer_name="无锡市行政审批局", purpose="同步",
                                       legal_basis="行政许可法第三十一条")
    return resource, subscription


def _row(i, key=None):
    key = key or f"P{i}"
    return {"id_number": key, "name": f"名{i}", "address": "梁溪区", "religion": "无"}


def test_a_subscription_needs_a_grant_in_force(db, provider_org):
    catalog_import(actor=None, data={"resources": [PERSON], "grants": [GRANT]})
    resource = InformationResource.objects.get(code=PERSON["code"])
    with pytest.raises(PermissionDenied) as refused:
        subscription_create(actor=None, resource=resource, consumer_code=STRANGER_CODE, consumer_name="某局",
                            purpose="同步", legal_basis="无")
    assert refused.value.extra["rule"] == "no_grant"


def test_changes_reach_the_subscriber_in_order_with_only_the_granted_items(subscribed):
    resource, subscription = subscribed
    changes_publish(resource=resource, changes=[{"op": "added", "key": f"P{i}", "row": _row(i)} for i in range(5)])
    changes_publish(resource=resource, changes=[{"op": "removed", "key": "P1"}, {"op": "changed", "key": "P2",
                                                                                  "row": _row(9, "P2")}])
    totals = deliveries_run(transport=local_transport, policy=POLICY)
    assert totals == {"delivered": 7, "failed": 0, "dead": 0}
    assert list(ReceivedEvent.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    records = {r.record_key: (r.data, r.removed) for r in SubscribedRecord.objects.all()}
    assert records["P0"] == ({"id_number": "P0", "name": "名0"}, False)  # no address, no religion
    assert records["P1"] == ({}, True)
    assert records["P2"] == ({"id_number": "P2", "name": "名9"}, False)
    subscription.refresh_from_db()
    status = subscription_status(subscription)
    assert (status["last_delivered_seq"], status["pending"], status["dead"], status["next_attempt_at"]) == (7, 0, 0,
                                                                                                          None)
    # the values are dropped once delivered; the events stay
    assert ChangeEvent.objects.filter(row__isnull=False).count() == 0


def test_a_failure_backs_off_keeps_the_order_and_dead_letters_let_the_rest_through(subscribed):
    resource, subscription = subscribed
    changes_publish(resource=resource, changes=[{"op": "added", "key": f"P{i}", "row": _row(i)} for i in range(3)])
    sent = []

    def failing(sub, events):
        sent.append([e["seq"] for e in events])
        raise DeliveryFailed("refused by the test", status=503)

    before = timezone.now()
    assert deliveries_run(transport=failing, policy=POLICY)["failed"] == 1
    subscription.refresh_from_db()
    # after the first failure: between 0.5 and 1 s later (base 1 s, equal jitter)
    wait = (subscription.next_attempt_at - before).total_seconds()
    assert 0.5 <= wait <= 1.5 and subscription.failures == 1 and subscription.last_error == "refused by the test"
    # not due yet: nothing is sent
    assert deliveries_run(transport=failing, policy=POLICY)["failed"] == 0
    later = timezone.now() + dt.timedelta(seconds=60)
    assert deliveries_run(transport=failing, policy=POLICY, now=later) == {"delivered": 0, "failed": 1, "dead": 0}
    # the third try of 1 and 2 (max_attempts 3) makes them dead letters
    later += dt.timedelta(seconds=60)
    assert deliveries_run(transport=failing, policy=POLICY, now=later) == {"delivered": 0, "failed": 1, "dead": 2}
    # only the oldest two (batch 2) were ever sent: nothing after a pending event goes before it
    assert sent == [[1, 2], [1, 2], [1, 2]]
    # 3 goes at once (no back-off left over from the dead letters)
    assert deliveries_run(transport=local_transport, policy=POLICY) == {"delivered": 1, "failed": 0, "dead": 0}
    assert list(ReceivedEvent.objects.values_list("seq", flat=True)) == [3]
    subscription.refresh_from_db()
    status = subscription_status(subscription)
    assert (status["dead"], status["pending"], status["last_delivered_seq"]) == (2, 0, 3)
    # the values of dead letters are kept for their replay
    assert ChangeEvent.objects.filter(row__isnull=False).count() == 2


def test_an_event_older_than_the_maximum_age_is_a_dead_letter(subscribed):
    resource, subscription = subscribed
    changes_publish(resource=resource, changes=[{"op": "added", "key": "P0", "row": _row(0)}])
    ChangeEvent.objects.update(created_at=timezone.now() - dt.timedelta(seconds=3601))
    assert deliveries_run(transport=local_transport, policy=POLICY)["dead"] == 1
    assert Delivery.objects.get().state == "dead"


def test_a_replayed_dead_letter_is_delivered_but_does_not_undo_a_later_change(subscribed, people):
    resource, subscription = subscribed
    changes_publish(resource=resource, changes=[{"op": "added", "key": "P0", "row": _row(0)}])

    def failing(sub, events):
        raise DeliveryFailed("down")

    later = timezone.now()
    for _n in range(3):
        later += dt.timedelta(seconds=60)
        deliveries_run(transport=failing, policy=POLICY, now=later)
    changes_publish(resource=resource, changes=[{"op": "changed", "key": "P0", "row": _row(5, "P0")}])
    deliveries_run(transport=local_transport, policy=POLICY, now=later + dt.timedelta(seconds=60))
    dead = Delivery.objects.get(state="dead")
    with pytest.raises(PermissionDenied):  # the consumer's steward is not the provider's
        dead_letters_replay(actor=people["asker"], subscription=subscription)
    with pytest.raises(NotFound):
        dead_letters_replay(actor=people["decider"], subscription=subscription, delivery_ids=[dead.pk + 1000])
    assert dead_letters_replay(actor=people["decider"], subscription=subscription) == 1
    assert AuditEvent.objects.filter(action="exchange.subscription.replay").count() == 1
    assert deliveries_run(transport=local_transport, policy=POLICY)["delivered"] == 1
    # received (acknowledged, recorded), not applied: the record keeps change #2
    assert list(ReceivedEvent.objects.values_list("seq", "applied")) == [(2, True), (1, False)]
    assert SubscribedRecord.objects.get().data == {"id_number": "P0", "name": "名5"}


def test_a_repeated_event_is_acknowledged_and_not_applied_twice(db):
    event = {"id": "a" * 32, "resource": "R", "seq": 1, "op": "added", "key": "K", "row": {"name": "甲"}}
    assert events_receive(provider_code=PROVIDER_CODE, events=[event]) == {
        "acknowledged": ["a" * 32], "applied": 1, "repeated": 0}
    again = events_receive(provider_code=PROVIDER_CODE, events=[{**event, "row": {"name": "乙"}}])
    assert again == {"acknowledged": ["a" * 32], "applied": 0, "repeated": 1}
    assert SubscribedRecord.objects.get().data == {"name": "甲"}
    with pytest.raises(ValidationFailed) as bad:
        events_receive(provider_code=PROVIDER_CODE, events=[event, {"id": "b", "op": "added"}])
    assert bad.value.extra == {"field": "events[1]", "rule": "shape"}


def test_a_revoked_grant_stops_the_delivery(subscribed):
    from egov.exchange.actions import grant_revoke
    from egov.exchange.models import SharingGrant

    resource, subscription = subscribed
    grant_revoke(actor=None, grant=SharingGrant.objects.get(), reason="停止共享")
    changes_publish(resource=resource, changes=[{"op": "added", "key": "P0", "row": _row(0)}])
    assert deliveries_run(transport=local_transport, policy=POLICY)["failed"] == 1
    subscription.refresh_from_db()
    assert subscription.last_error.startswith("no_grant")
    assert not ReceivedEvent.objects.exists()


class _TableChanges:
    """A tiny change source: a PostgreSQL table with an ``updated_at`` column and a ``deleted``
    flag, read with plain SQL; the cursor is the last ``updated_at`` and id seen."""

    def changes_since(self, cursor):
        after_at, after_id = json.loads(cursor) if cursor else ("-infinity", "")
        with connection.cursor() as c:
            c.execute("SELECT id, name, updated_at, created_at = updated_at, deleted FROM subs_people "
                      "WHERE (updated_at, id) > (%s::timestamptz, %s) ORDER BY updated_at, id", [after_at, after_id])
            rows = c.fetchall()
        changes = [{"op": "removed" if deleted else "added" if fresh else "changed", "key": pid,
                    "row": None if deleted else {"id_number": pid, "name": name}}
                   for pid, name, _at, fresh, deleted in rows]
        return changes, (json.dumps([rows[-1][2].isoformat(), rows[-1][0]]) if rows else cursor)


def test_a_poller_publishes_a_change_columns_rows_once(subscribed):
    resource, subscription = subscribed
    with connection.cursor() as c:
        c.execute("CREATE TABLE subs_people (id text PRIMARY KEY, name text, created_at timestamptz, "
                  "updated_at timestamptz, deleted boolean DEFAULT false)")
        c.execute("INSERT INTO subs_people VALUES ('A', '甲', '2026-12-01T08:00Z', '2026-12-01T08:00Z'), "
                  "('B', '乙', '2026-12-01T09:00Z', '2026-12-01T09:00Z')")
    source = _TableChanges()
    assert changes_poll(name="people", resource=resource, source=source) == 2
    assert changes_poll(name="people", resource=resource, source=source) == 0  # nothing new: nothing twice
    with connection.cursor() as c:
        c.execute("UPDATE subs_people SET name = '甲甲', updated_at = '2026-12-02T08:00Z' WHERE id = 'A'")
        c.execute("UPDATE subs_people SET deleted = true, updated_at = '2026-12-02T09:00Z' WHERE id = 'B'")
    assert changes_poll(name="people", resource=resource, source=source) == 2
    assert list(ChangeEvent.objects.values_list("seq", "operation", "record_key", "origin")) == [
        (1, "added", "A", "poll"), (2, "added", "B", "poll"), (3, "changed", "A", "poll"), (4, "removed", "B", "poll")]
    deliveries_run(transport=local_transport, policy=POLICY)
    deliveries_run(transport=local_transport, policy=POLICY)
    records = {r.record_key: (r.data, r.removed) for r in SubscribedRecord.objects.all()}
    assert records == {"A": ({"id_number": "A", "name": "甲甲"}, False), "B": ({}, True)}


def test_a_failing_transport_receipt_without_every_event_is_a_failure(subscribed):
    resource, subscription = subscribed
    changes_publish(resource=resource, changes=[{"op": "added", "key": f"P{i}", "row": _row(i)} for i in range(2)])
    half = lambda sub, events: Receipt(acknowledged=frozenset([events[0]["id"]]))  # noqa: E731
    assert deliveries_run(transport=half, policy=POLICY)["failed"] == 1
    assert Delivery.objects.filter(state="pending").count() == 2


API = "/api/v1/staff/exchange"


def _post(client, path, body):
    return client.post(f"{API}{path}", json.dumps(body), content_type="application/json")


def test_the_api_subscribes_pushes_shows_the_status_and_replays_for_the_right_people(client, people):
    catalog_import(actor=None, data={"resources": [PERSON], "grants": [GRANT]})
    body = {"resource": PERSON["code"], "purpose": "同步人口信息", "legal_basis": "行政许可法第三十一条"}
    assert _post(client, "/subscriptions", body).status_code == 401
    client.force_login(people["stranger"])  # no grant for the stranger's organization
    refused = _post(client, "/subscriptions", {**body, "consumer": STRANGER_CODE})
    assert refused.status_code == 400 and refused.json()["extra"]["field"] == "consumer"
    client.force_login(people["asker"])
    created = _post(client, "/subscriptions", body)
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert created.json()["consumer"] == CONSUMER_CODE and created.json()["status"]["pending"] == 0
    assert _post(client, "/subscriptions", body).status_code == 409
    # only the provider pushes
    changes = {"changes": [{"op": "added", "key": "P0", "row": _row(0)}, {"op": "added", "key": "P1", "row": _row(1)}]}
    refused = _post(client, f"/resources/{PERSON['code']}/changes", changes)
    # the refusal says what was refused (it spoke of deciding or revoking grants)
    assert refused.status_code == 403 and "推送其信息资源的变更" in refused.json()["message"]
    client.force_login(people["decider"])
    bad = _post(client, f"/resources/{PERSON['code']}/changes", {"changes": [{"op": "added", "key": "P0"}]})
    assert bad.status_code == 400 and bad.json()["extra"] == {"field": "changes[0].row", "rule": "shape"}
    pushed = _post(client, f"/resources/{PERSON['code']}/changes", changes)
    assert pushed.status_code == 201 and [e["seq"] for e in pushed.json()] == [1, 2]
    push_audit = AuditEvent.objects.get(action="exchange.changes.push")
    assert push_audit.changes == {"first_seq": 1, "last_seq": 2, "count": 2}  # no keys, no values
    for _n in range(3):
        deliveries_run(transport=lambda sub, events: (_ for _ in ()).throw(DeliveryFailed("down")), policy=POLICY,
                       now=timezone.now() + dt.timedelta(days=_n + 1))
    detail = client.get(f"{API}/subscriptions/{sid}").json()
    assert detail["status"]["dead"] == 2 and detail["status"]["last_error"] == "down"
    assert [d["seq"] for d in detail["dead_letters"]] == [1, 2] and "P0" not in json.dumps(detail)
    assert client.get(f"{API}/subscriptions", {"side": "provider"}).json()[0]["id"] == sid
    client.force_login(people["asker"])  # the consumer sees the status, does not replay
    assert client.get(f"{API}/subscriptions/{sid}").json()["status"]["dead"] == 2
    assert _post(client, f"/subscriptions/{sid}/replay", {}).status_code == 403
    client.force_login(people["stranger"])
    assert client.get(f"{API}/subscriptions/{sid}").status_code == 404
    client.force_login(people["decider"])
    one = detail["dead_letters"][0]["id"]
    assert _post(client, f"/subscriptions/{sid}/replay", {"deliveries": [one]}).json() == {"replayed": 1}
    assert _post(client, f"/subscriptions/{sid}/replay", {}).json() == {"replayed": 1}
    assert deliveries_run(transport=local_transport, policy=POLICY)["delivered"] == 2


def test_the_pages_show_the_status_and_the_provider_replays(client, people):
    catalog_import(actor=None, data={"resources": [PERSON], "grants": [GRANT]})
    resource = InformationResource.objects.get(code=PERSON["code"])
    subscription = subscription_create(actor=people["asker"], resource=resource, consumer_code=CONSUMER_CODE,
                                       consumer_name="", purpose="同步", legal_basis="行政许可法第三十一条")
    changes_publish(resource=resource, changes=[{"op": "added", "key": "P0", "row": _row(0)}])
    deliveries_run(transport=lambda sub, events: (_ for _ in ()).throw(DeliveryFailed("对方节点不可达")),
                   policy=DeliveryPolicy(max_attempts=1))
    deliveries_run(transport=local_transport, policy=DeliveryPolicy(max_attempts=1),
                   now=timezone.now() + dt.timedelta(days=1))
    client.force_login(people["asker"])
    listed = client.get("/staff/exchange/sharing/subscriptions/")
    assert listed.status_code == 200 and "无锡市行政审批局" in listed.content.decode()
    page = client.get(f"/staff/exchange/sharing/subscriptions/{subscription.pk}/").content.decode()
    assert "对方节点不可达" in page and 'id="dead-letters"' in page and "subscription_replay" not in page
    assert "/replay/" not in page  # the consumer does not replay
    client.force_login(people["stranger"])
    assert client.get(f"/staff/exchange/sharing/subscriptions/{subscription.pk}/").status_code == 404
    client.force_login(people["decider"])
    page = client.get(f"/staff/exchange/sharing/subscriptions/{subscription.pk}/").content.decode()
    shown = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)  # a random token may hold "P0"
    assert "/replay/" in page and "P0" not in shown
    done = client.post(f"/staff/exchange/sharing/subscriptions/{subscription.pk}/replay/", {})
    assert done.status_code == 302
    assert Delivery.objects.get().state == "pending"


def test_a_row_without_any_item_of_the_resource_is_refused_not_sent_as_an_empty_record(subscribed):
    """Columns that are not 信息项 are left out of a change; a row with none (a misspelt item name)
    was recorded as an empty row, and the consumer's copy of the record was replaced by {}: every
    value it held lost on a 201."""
    resource, _subscription = subscribed
    with pytest.raises(ValidationFailed) as refused:
        changes_publish(resource=resource, changes=[{"op": "added", "key": "P0", "row": _row(0)},
                                                    {"op": "changed", "key": "P0", "row": {"nmae": "名0", "x": 1}}])
    assert refused.value.extra == {"field": "changes[1].row", "rule": "no_items", "columns": ["nmae", "x"]}
    assert not ChangeEvent.objects.exists()  # all or nothing
    # extra columns beside 信息项 are still left out quietly
    changes_publish(resource=resource, changes=[{"op": "changed", "key": "P0", "row": {**_row(0), "nmae": "x"}}])
    assert "nmae" not in ChangeEvent.objects.get().row
