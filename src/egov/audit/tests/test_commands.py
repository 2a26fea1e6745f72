"""``egov audit verify``: exit 0 when the chain is intact, 1 naming the first broken event."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from egov.audit.actions import audit_record
from egov.audit.tests.test_actions import tamper

pytestmark = pytest.mark.django_db


def verify(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_verify_exits_0_when_intact():
    for i in range(3):
        audit_record(action="tests.thing.touch", object_id=i)
    assert verify() == (0, "audit chain intact: 3 events\n")


def test_verify_exits_1_naming_the_edited_event():
    events = [audit_record(action="tests.thing.touch", object_id=i) for i in range(5)]
    tamper("UPDATE audit_auditevent SET action = %s WHERE seq = %s", ["tests.thing.nothing", 2])
    code, out = verify()
    assert code == 1
    assert out == f"audit chain broken at event seq=2 (id={events[1].pk}): hash mismatch\n"


def test_verify_json_report():
    for i in range(3):
        audit_record(action="tests.thing.touch", object_id=i)
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [2])
    code, out = verify("--json")
    assert code == 1
    report = json.loads(out)
    assert (report["ok"], report["broken_seq"], report["reason"]) == (False, 2, "missing event")


@pytest.fixture
def anchor_file(settings, tmp_path):
    settings.EGOV_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors" / "audit-anchors.jsonl")
    return tmp_path / "anchors" / "audit-anchors.jsonl"


def anchor() -> str:
    out = StringIO()
    call_command("audit", "anchor", stdout=out)
    return out.getvalue()


def test_anchor_writes_the_head_once(anchor_file):
    for i in range(3):
        audit_record(action="tests.thing.touch", object_id=i)
    assert anchor() == f"anchored seq=3 in {anchor_file}\n"
    assert anchor() == "nothing new to anchor\n"
    (line,) = anchor_file.read_text().splitlines()
    assert json.loads(line)["seq"] == 3
    assert verify() == (0, "audit chain intact: 3 events\n")


def test_deleting_the_newest_events_is_caught_by_the_anchor(anchor_file):
    """Found by a tester: deleting the last rows left a shorter chain that verified."""
    for i in range(5):
        audit_record(action="tests.thing.touch", object_id=i)
    anchor()
    tamper("DELETE FROM audit_auditevent WHERE seq >= %s", [4])
    code, out = verify("--json")
    report = json.loads(out)
    # the gap named from its first missing event: 4 and 5 were deleted, the log ends at 3
    assert code == 1 and (report["broken_seq"], report["reason"].split(" (")[0]) == (4, "anchored event missing")
    assert "events 4-5 deleted from the end of the log, which ends at 3" in report["reason"]


def test_a_recomputed_chain_is_caught_by_the_anchor(anchor_file):
    """Found by a tester: editing an event and recomputing every later hash gave an intact chain."""
    from egov.audit.chain import GENESIS_HASH, event_hash
    from egov.audit.models import AuditEvent

    for i in range(4):
        audit_record(action="tests.thing.touch", object_id=i)
    anchor()
    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq"):
        event.prev_hash = prev
        if event.seq == 2:
            event.summary = "rewritten"
        event.hash = event_hash(event)
        tamper("UPDATE audit_auditevent SET summary = %s, prev_hash = %s, hash = %s WHERE seq = %s",
               [event.summary, event.prev_hash, event.hash, event.seq])
        prev = event.hash
    code, out = verify("--json")
    report = json.loads(out)
    assert code == 1 and (report["broken_seq"], report["reason"].split(" (")[0]) == (4, "anchored hash differs")
