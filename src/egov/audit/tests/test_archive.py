"""The audit log over years: monthly partitions, a checkpoint per month, months archived off-line,
and the remaining chain still verified from the checkpoint (issue 22 part 5)."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from freezegun import freeze_time

from egov.audit import partitions
from egov.audit.actions import audit_record
from egov.audit.archive import audit_archive_verify
from egov.audit.chain import GENESIS_HASH
from egov.audit.models import AuditCheckpoint, AuditEvent
from egov.audit.selectors import audit_anchors_read, audit_chain_verify
from egov.audit.tests.test_actions import tamper

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def anchor_file(tmp_path):
    path = tmp_path / "anchors.jsonl"
    with override_settings(EGOV_AUDIT_ANCHOR_FILE=str(path)):
        yield path


@pytest.fixture
def three_months(anchor_file):
    """Four events in January 2021, three in February, two in March (北京时间), seq 1-9; then the
    checkpoints of January and February recorded on 2 March (``egov audit checkpoint``)."""
    assert connection.vendor == "postgresql"  # the suite runs on PostgreSQL, where partitions are
    times = ["2021-01-05 09:00", "2021-01-20 10:00", "2021-01-31 23:59:59", "2021-01-31 23:59:59.5",
             "2021-02-01 00:00:00", "2021-02-14 12:00", "2021-02-28 23:00",
             "2021-03-01 08:00", "2021-03-02 09:00"]
    for number, moment in enumerate(times, start=1):
        with freeze_time(f"{moment}+08:00"):
            audit_record(action="tests.thing.touch", object_id=number, summary=f"event {number}")
    with freeze_time("2021-03-02 10:00+08:00"):
        assert run("checkpoint")[0] == 0
    return times


def test_events_go_to_their_month_partition(three_months):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, count(*) FROM audit_auditevent GROUP BY 1 ORDER BY 1")
        counts = cursor.fetchall()
    # 2021-01-31 23:59:59.5 Beijing time is still January; 2021-02-01 00:00 Beijing is 31 January 16:00 UTC
    assert counts == [("audit_auditevent_y2021m01", 4), ("audit_auditevent_y2021m02", 3),
                      ("audit_auditevent_y2021m03", 2)]


def test_a_checkpoint_per_month_that_is_over_recorded_and_anchored(three_months, anchor_file):
    events = {e.seq: e for e in AuditEvent.objects.all()}
    january, february = AuditCheckpoint.objects.order_by("month")
    assert (january.month, january.first_seq, january.last_seq, january.count) == (datetime.date(2021, 1, 1), 1, 4, 4)
    assert (january.prev_hash, january.last_hash) == (GENESIS_HASH, events[4].hash)
    assert (february.first_seq, february.last_seq, february.count) == (5, 7, 3)
    assert (february.prev_hash, february.last_hash) == (events[4].hash, events[7].hash)
    lines = [json.loads(line) for line in anchor_file.read_text().splitlines()]
    checkpoints = [(line["checkpoint"], line["seq"], line["hash"]) for line in lines if "checkpoint" in line]
    assert checkpoints == [("2021-01", 4, events[4].hash), ("2021-02", 7, events[7].hash)]
    # March is not over: no checkpoint until April
    assert not AuditCheckpoint.objects.filter(month=datetime.date(2021, 3, 1)).exists()


def test_archive_the_oldest_month_then_the_rest_still_verifies(three_months, anchor_file, tmp_path):
    with freeze_time("2021-03-02 10:00+08:00"):
        code, out = run("archive", "--before", "2021-02", "--dir", str(tmp_path / "archive"))
    assert code == 0
    archive_file = tmp_path / "archive" / "audit-2021-01.jsonl"
    assert out.startswith(f"archived 2021-01: events 1-4 in {archive_file} (sha256 ")
    assert "audit_auditevent_y2021m01" not in [partitions.partition_name(m) for m in partitions.partitions_attached()]
    # January's rows are off-line; the archive event went to March
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [5, 6, 7, 8, 9, 10]
    assert AuditEvent.objects.get(seq=10).action == "audit.archive"

    assert run("verify") == (0, "audit chain intact: 6 events\n")
    assert run("verify-archive", str(archive_file)) == (0, "audit archive 2021-01 intact: 4 events\n")
    header = json.loads(archive_file.read_text().splitlines()[0])
    assert (header["first_seq"], header["last_seq"], header["count"], header["prev_hash"]) == (1, 4, 4, GENESIS_HASH)
    assert AuditCheckpoint.objects.get(month=datetime.date(2021, 1, 1)).archive_name == "audit-2021-01.jsonl"


def test_a_tampered_row_after_archiving_is_named(three_months, anchor_file, tmp_path):
    with freeze_time("2021-03-02 10:00+08:00"):
        assert run("archive", "--before", "2021-02", "--dir", str(tmp_path))[0] == 0
    event = AuditEvent.objects.get(seq=6)
    tamper("UPDATE audit_auditevent SET summary = %s WHERE seq = %s", ["rewritten", 6])
    assert run("verify") == (1, f"audit chain broken at event seq=6 (id={event.pk}): hash mismatch\n")


def test_the_first_remaining_event_must_follow_the_checkpoint(three_months, anchor_file, tmp_path):
    with freeze_time("2021-03-02 10:00+08:00"):
        assert run("archive", "--before", "2021-02", "--dir", str(tmp_path))[0] == 0
    event = AuditEvent.objects.get(seq=5)
    tamper("UPDATE audit_auditevent SET prev_hash = %s WHERE seq = %s", ["0" * 64, 5])
    assert run("verify") == (1, f"audit chain broken at event seq=5 (id={event.pk}): previous hash mismatch\n")


def test_a_tampered_archive_file_is_named(three_months, anchor_file, tmp_path):
    with freeze_time("2021-03-02 10:00+08:00"):
        assert run("archive", "--before", "2021-03", "--dir", str(tmp_path))[0] == 0
    archive_file = tmp_path / "audit-2021-02.jsonl"
    lines = archive_file.read_text().splitlines()
    row = json.loads(lines[2])  # seq 6
    row["summary"] = "rewritten"
    lines[2] = json.dumps(row, ensure_ascii=False, sort_keys=True)
    archive_file.write_text("\n".join(lines) + "\n")
    assert run("verify-archive", str(archive_file)) == (
        1, "audit archive 2021-02 broken at event seq=6: hash mismatch\n")
    assert audit_archive_verify(path=tmp_path / "audit-2021-01.jsonl").ok
    assert audit_chain_verify(anchors=audit_anchors_read(anchor_file)).ok


def test_a_forged_checkpoint_is_not_anchored(three_months, anchor_file, tmp_path):
    with freeze_time("2021-03-02 10:00+08:00"):
        assert run("archive", "--before", "2021-02", "--dir", str(tmp_path))[0] == 0
    # someone rewrites January's checkpoint in the database to hide an edit of event 5's prev_hash
    AuditCheckpoint.objects.filter(month=datetime.date(2021, 1, 1)).update(last_hash="f" * 64)
    report = audit_chain_verify(anchors=audit_anchors_read(anchor_file))
    assert (report.ok, report.broken_seq, report.reason) == (
        False, 4, "checkpoint not anchored (month 2021-01, event 4)")


def test_archive_refuses_the_current_month_and_bad_input(three_months, tmp_path):
    with freeze_time("2021-03-02 10:00+08:00"):
        with pytest.raises(Exception, match="2021-04 is not over yet") as caught:
            call_command("audit", "archive", "--before", "2021-04", "--dir", str(tmp_path / "archive"))
        assert caught.value.returncode == 2
        with pytest.raises(Exception, match="not a month") as caught:
            call_command("audit", "archive", "--before", "2021-13")
        assert caught.value.returncode == 2
    assert not (tmp_path / "archive").exists()
    assert len(partitions.partitions_attached()) >= 3


def test_append_only_holds_on_every_partition(three_months):
    from django.db import DatabaseError, transaction

    for seq in (1, 9):  # January's partition and March's
        with pytest.raises(DatabaseError, match="append-only: UPDATE refused"), transaction.atomic():
            AuditEvent.objects.filter(seq=seq).update(summary="changed")
        with pytest.raises(DatabaseError, match="append-only: DELETE refused"), transaction.atomic():
            AuditEvent.objects.filter(seq=seq).delete()


def test_archive_twice_then_the_next_month_and_the_chain_still_verifies(three_months, anchor_file, tmp_path):
    """An operator runs the same archive twice (a cron job and a hand), then archives February
    later: the second run finds nothing, the first file is left as it was, and the chain verifies
    from February's checkpoint (tester22)."""
    archive = tmp_path / "archive"
    with freeze_time("2021-03-02 10:00+08:00"):
        assert run("archive", "--before", "2021-02", "--dir", str(archive))[0] == 0
        first = (archive / "audit-2021-01.jsonl").read_bytes()
        again = run("archive", "--before", "2021-02", "--dir", str(archive))
        assert again == (0, "nothing to archive before 2021-02\n")
        assert (archive / "audit-2021-01.jsonl").read_bytes() == first
    with freeze_time("2021-03-05 10:00+08:00"):
        code, out = run("archive", "--before", "2021-03", "--dir", str(archive))
    assert code == 0 and out.startswith("archived 2021-02: events 5-7 in "), out
    # events 8, 9 (March), the first archiving's event 10 and this one's 11
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [8, 9, 10, 11]
    assert run("verify") == (0, "audit chain intact: 4 events\n")
    assert run("verify-archive", str(archive / "audit-2021-01.jsonl")) == (
        0, "audit archive 2021-01 intact: 4 events\n")
    assert run("verify-archive", str(archive / "audit-2021-02.jsonl")) == (
        0, "audit archive 2021-02 intact: 3 events\n")


def test_archive_of_a_month_never_checkpointed_records_its_checkpoint_first(anchor_file, tmp_path):
    """The beat never ran (no ``egov audit checkpoint``): archiving still records and anchors the
    month's checkpoint, so that the rest verifies from it (tester22)."""
    for number, moment in enumerate(["2021-01-05 09:00", "2021-01-20 10:00", "2021-02-03 08:00"], start=1):
        with freeze_time(f"{moment}+08:00"):
            audit_record(action="tests.thing.touch", object_id=number, summary=f"event {number}")
    assert not AuditCheckpoint.objects.exists()
    with freeze_time("2021-02-04 10:00+08:00"):
        code, out = run("archive", "--before", "2021-02", "--dir", str(tmp_path))
    assert code == 0, out
    assert AuditCheckpoint.objects.get(month=datetime.date(2021, 1, 1)).last_seq == 2
    assert run("verify") == (0, "audit chain intact: 2 events\n")
