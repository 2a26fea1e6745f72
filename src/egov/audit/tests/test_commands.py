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
