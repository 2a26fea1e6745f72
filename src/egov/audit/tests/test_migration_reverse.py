"""``egov migrate audit 0003``: migration 0004 (the log partitioned by month) reversed on PostgreSQL
gives the unpartitioned log back, every event unchanged and still append-only; it refuses, changing
nothing, while months are archived (their events are no longer in the table)."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from egov.audit.actions import audit_record
from egov.audit.models import AuditCheckpoint, AuditEvent
from egov.audit.selectors import audit_chain_verify


def _relkind() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass('audit_auditevent')")
        return cursor.fetchone()[0]


def _keys() -> dict[str, list[str]]:
    """Primary key and unique constraints of the log: {definition's columns: …} by kind."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'audit_auditevent'::regclass AND contype IN ('p', 'u') ORDER BY 2")
        found: dict[str, list[str]] = {}
        for kind, definition in cursor.fetchall():
            found.setdefault(kind, []).append(definition)
        return found


def _rows() -> list[tuple]:
    return list(AuditEvent.objects.order_by("seq").values_list("id", "seq", "occurred_at", "hash", "prev_hash"))


@pytest.mark.django_db(transaction=True)
def test_migrating_audit_back_to_0003_unpartitions_the_log_and_forward_again_partitions_it():
    if connection.vendor != "postgresql":
        pytest.skip("the log is partitioned on PostgreSQL only (on SQLite the reverse only drops the checkpoints)")
    for number in range(1, 4):
        audit_record(action="tests.thing.touch", object_id=number, summary=f"event {number}")
    before = _rows()
    assert _relkind() == "p" and len(before) == 3
    try:
        # An archived month: refused, saying why, and nothing changed.
        checkpoint = AuditCheckpoint.objects.create(
            month=datetime.date(2021, 1, 1), first_seq=0, last_seq=0, count=0, prev_hash="0" * 64,
            last_hash="0" * 64, recorded_at=timezone.now(), archived_at=timezone.now(), archive_name="x.jsonl")
        with pytest.raises(CommandError, match=r"2021-01 are archived .* Nothing was changed"):
            call_command("migrate", "audit", "0003", verbosity=0)
        assert _relkind() == "p" and _rows() == before
        checkpoint.delete()

        call_command("migrate", "audit", "0003", verbosity=0)
        assert _relkind() == "r"  # one ordinary table again
        assert _rows() == before
        assert _keys() == {"p": ["PRIMARY KEY (id)"], "u": ["UNIQUE (hash)", "UNIQUE (seq)"]}
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(seq=before[0][1]).update(summary="changed")
        event = audit_record(action="tests.thing.touch", object_id=4, summary="event 4")
        assert event.id > before[-1][0] and event.seq == before[-1][1] + 1
        assert _rows()[-1][4] == before[-1][3]  # chained on to the last event copied over
    finally:
        call_command("migrate", "audit", verbosity=0)
    assert _relkind() == "p"
    assert _rows()[:3] == before and len(_rows()) == 4 and audit_chain_verify(anchors=[]).ok
    assert _keys()["p"] == ["PRIMARY KEY (id, occurred_at)"]
