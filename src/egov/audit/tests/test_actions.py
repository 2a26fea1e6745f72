"""The audit log: appends, the hash chain, the append-only trigger, concurrent writers."""

import contextlib
import hashlib
import json
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from egov.audit.actions import audit_deferred, audit_record
from egov.audit.chain import GENESIS_HASH
from egov.audit.models import AuditEvent
from egov.audit.selectors import audit_chain_verify, audit_events_for
from egov.core.context import request_scope

pytestmark = pytest.mark.django_db


def record_many(n: int) -> list[AuditEvent]:
    return [audit_record(action="tests.thing.touch", object_type="tests.thing", object_id=i, summary=f"touch {i}",
                         changes={"i": i, "label": f"第{i}号"})
            for i in range(1, n + 1)]


def test_event_fields_and_hash_worked_from_the_definition():
    with request_scope(client_ip="203.0.113.7", request_id="req-0001-abcdef"):
        event = audit_record(action="tests.thing.create", object_type="tests.thing", object_id=42,
                             summary="created 𠮷", changes={"b": [1, 2], "a": "甲"})
    event.refresh_from_db()
    assert (event.seq, event.prev_hash) == (1, GENESIS_HASH)
    assert (event.client_ip, event.request_id, event.object_id) == ("203.0.113.7", "req-0001-abcdef", "42")
    # SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of every field but the hash itself.
    canonical = json.dumps({
        "action": "tests.thing.create", "actor_id": None, "actor_label": "", "changes": {"a": "甲", "b": [1, 2]},
        "client_ip": "203.0.113.7", "object_id": "42", "object_type": "tests.thing",
        "occurred_at": event.occurred_at.astimezone(__import__("datetime").UTC).isoformat(timespec="microseconds"),
        "organization_id": None, "organization_label": "", "prev_hash": "0" * 64, "request_id": "req-0001-abcdef",
        "seq": 1, "summary": "created 𠮷",
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert event.hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_actor_and_organization_are_kept_as_ids_and_labels(department, make_staff):
    clerk = make_staff(department, ["clerk"], username="clerk-a")
    event = audit_record(action="tests.thing.read", actor=clerk, organization=department, obj=department)
    assert (event.actor_id, event.actor_label) == (clerk.pk, "clerk-a")
    assert (event.organization_id, event.organization_label) == (department.pk, "无锡市行政审批局")
    assert (event.object_type, event.object_id) == ("orgs.organization", str(department.pk))
    assert list(audit_events_for(object_type="orgs.organization", object_id=department.pk))[-1] == event


def test_chain_links_and_verifies_after_many_actions():
    events = record_many(60)
    assert [e.seq for e in events] == list(range(1, 61))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    report = audit_chain_verify(chunk_size=7)
    assert (report.ok, report.checked) == (True, 60)


def test_empty_log_verifies():
    assert audit_chain_verify().ok


def test_long_summary_is_cut_to_500_characters():
    event = audit_record(action="tests.thing.touch", summary="长" * 600)
    event.refresh_from_db()
    assert len(event.summary) == 500
    assert audit_chain_verify().ok


def test_floats_are_refused():
    with pytest.raises(TypeError):
        audit_record(action="tests.thing.touch", changes={"amount": 1.5})
    assert AuditEvent.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_trigger_refuses_update_and_delete():
    event = record_many(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="edited")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET summary = 'x' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.summary == "touch 1"


def tamper(sql: str, params: list) -> None:
    """Change the log by hand, as someone with database access would: on PostgreSQL the superuser
    first disables the trigger (inside the test's transaction, so it is rolled back afterwards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_edited_row_is_reported_as_hash_mismatch():
    events = record_many(10)
    tamper("UPDATE audit_auditevent SET summary = %s WHERE seq = %s", ["nothing happened", 4])
    report = audit_chain_verify()
    assert (report.ok, report.broken_seq, report.broken_id, report.reason) == (False, 4, events[3].pk, "hash mismatch")


def test_edited_changes_are_reported():
    record_many(5)
    tamper("UPDATE audit_auditevent SET changes = %s WHERE seq = %s", ['{"i": 99, "label": "第2号"}', 2])
    report = audit_chain_verify()
    assert (report.broken_seq, report.reason) == (2, "hash mismatch")


def test_deleted_middle_row_is_reported_as_missing_event():
    record_many(10)
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [6])
    report = audit_chain_verify()
    assert (report.ok, report.broken_seq, report.reason) == (False, 6, "missing event")


def test_rehashed_row_is_caught_by_the_next_link():
    """Someone who edits a row and recomputes its hash still breaks the next event's link."""
    events = record_many(5)
    tamper("UPDATE audit_auditevent SET hash = %s WHERE seq = %s", ["f" * 64, 3])
    report = audit_chain_verify()
    assert report.broken_seq == 3
    tamper("UPDATE audit_auditevent SET hash = %s WHERE seq = %s", [events[2].hash, 3])
    tamper("UPDATE audit_auditevent SET prev_hash = %s WHERE seq = %s", ["e" * 64, 4])
    assert (audit_chain_verify().broken_seq, audit_chain_verify().reason) == (4, "previous hash mismatch")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_two_connections_stay_consecutive():
    per_thread = 25
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record(action="tests.thing.touch", object_type="tests.thing", object_id=f"{name}{i}")
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 2 * per_thread + 1))
    ids = set(AuditEvent.objects.values_list("object_id", flat=True))
    assert ids == {f"{n}{i}" for n in "ab" for i in range(per_thread)}
    assert audit_chain_verify().ok


def test_deferred_events_are_appended_together_when_the_block_ends():
    audit_record(action="tests.thing.before")
    with audit_deferred():
        audit_record(action="tests.thing.first", object_type="tests.thing", object_id=1)
        assert AuditEvent.objects.count() == 1  # waiting in memory until the block ends
        with audit_deferred():  # a nested block joins the outer one
            audit_record(action="tests.thing.second", object_type="tests.thing", object_id=2)
        assert AuditEvent.objects.count() == 1
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "action")) == [
        (1, "tests.thing.before"), (2, "tests.thing.first"), (3, "tests.thing.second")]
    assert audit_chain_verify().ok


def test_deferred_events_of_a_rolled_back_savepoint_or_block_are_dropped():
    with audit_deferred():
        audit_record(action="tests.thing.kept")
        with contextlib.suppress(ValueError), transaction.atomic():  # the savepoint rolls back, the block goes on
            audit_record(action="tests.thing.undone")
            raise ValueError("the inner work fails")
        audit_record(action="tests.thing.kept_too")
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == [
        "tests.thing.kept", "tests.thing.kept_too"]
    with pytest.raises(RuntimeError), audit_deferred():
        audit_record(action="tests.thing.lost")
        raise RuntimeError("the whole block fails")
    assert AuditEvent.objects.count() == 2
    assert audit_chain_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_deferred_block_does_not_hold_the_chain_lock_while_it_runs():
    # Another connection appends while the block is still open: it does not wait for the block,
    # and the block's events come after it in the chain.
    recorded, finish, errors = threading.Event(), threading.Event(), []

    def long_block() -> None:
        try:
            with audit_deferred():
                audit_record(action="tests.thing.long_block")
                recorded.set()
                finish.wait(10)
        except BaseException as exc:  # reported to the test thread below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=long_block)
    thread.start()
    assert recorded.wait(10)
    other = threading.Thread(target=lambda: (audit_record(action="tests.thing.meanwhile"), connections.close_all()))
    other.start()
    other.join(5)
    meanwhile_waited = other.is_alive()
    finish.set()
    thread.join(10)
    other.join(10)
    assert errors == [] and not meanwhile_waited
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == [
        "tests.thing.meanwhile", "tests.thing.long_block"]
    assert audit_chain_verify().ok
