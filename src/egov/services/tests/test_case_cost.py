"""What one online submission costs the database (issue 18 item 2: less work per case).

Runs without a test transaction around it (``reference_data``: ``transactional_db``), as a worker runs: each
submission's own transactions commit, and the per-process caches that live across cases (the
organization's case code, the item's materials, the parsed BPMN, the working-day calendar) are
filled by a first case, as in a worker that has handled a case of the item before.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.audit.models import AuditEvent
from egov.services.models import ServiceItem
from egov.services.tests.factories import PDF, VALID_COMPANY, submit

# Worked out by hand from the code, one statement per line (before issue 18 a case with five files
# sent 81: bench/README.md). ``application_submit`` is the two halves of the intake inbox run one
# after the other: the public half's receipt (applying.intake_submit), then the worker's case
# (intake.intake_process) in this process.
ONE_SUBMISSION = [
    # applying.intake_submit: the checks, then the record alone (no file store, no audit event)
    # (no look-up of the idempotency key first: the record's insert meets its unique constraint)
    # in autocommit: one statement, its own transaction (no BEGIN and COMMIT round trips)
    'INSERT INTO "services_intakerecord"',  # … ON CONFLICT (applicant, key) DO NOTHING, pg_notify; the files inside
    # (the worker was woken by the record's insert: RETURNING … pg_notify, delivered at the commit)
    # intake.intake_process: the receipt audited, the files stored and the case, in one transaction
    # (audit_deferred)
    "BEGIN",
    'SELECT "services_intakerecord"',  # the record locked (FOR UPDATE OF its row), with applicant, submitter,
    #                                    the item and its organization (materials cached per process)
    'UPDATE "services_trackingnumbercounter"',  # the day's sequence: one UPDATE … RETURNING
    'SELECT "exchange_informationresource"',  # 免提交: the applicant's register row (wiring's provider)
    'SAVEPOINT "',  # the case's writes: a failure leaves nothing of them, the fetches' log rows stay
    'INSERT INTO "services_storedfile"',  # the files: one insert … ON CONFLICT DO NOTHING (all new here)
    'INSERT INTO "services_application"',
    'INSERT INTO "services_applicationmaterial"',  # one bulk insert
    'SELECT "workflow_processdefinition"',  # the latest version (parsed once per process)
    'SELECT (SELECT COUNT(*) FROM "workflow_calendaryear")',  # the calendar's stamp (cached days)
    'INSERT INTO "workflow_processinstance"',  # with its state: written once
    'INSERT INTO "workflow_worktask"',  # the first task (受理), its due date from the cached calendar
    'UPDATE "services_application"',  # application.process
    'INSERT INTO "services_applicationevent"',  # the timeline line
    'INSERT INTO "services_notification"',  # the applicant's message
    'RELEASE SAVEPOINT "',
    'UPDATE "services_intakerecord"',  # the record done, its bytes dropped
    "SELECT pg_advisory_xact_lock(",  # the audit chain's lock, taken once at the end
    'SELECT seq, hash, occurred_at FROM "audit_auditevent"',  # the chain's head
    'INSERT INTO "audit_auditevent"',  # both events in one insert: services.intake.receive, services.application.submit
    "COMMIT",
    # after the commit: the notification e-mail task (Celery runs eagerly in tests; a worker's
    # message to the broker otherwise, no query of the submission's)
    "BEGIN", 'SELECT "services_notification"', "COMMIT",
]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_one_submission_sends_the_statements_worked_out_by_hand(reference_data, casework):
    submit(casework.item, casework.citizen, key="warm-up-000001")
    item = ServiceItem.objects.get(pk=casework.item.pk)  # as a worker reads the item of each intake record
    files = {material.pk: PDF + b"% a file not stored before\n" for material in item.materials.filter(required=True)}
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as captured:
        submit(item, casework.stranger, key="counted-000001", files=files)
    sent = [query["sql"] for query in captured.captured_queries]
    assert len(sent) == len(ONE_SUBMISSION), "\n".join(sent)
    for statement, expected in zip(sent, ONE_SUBMISSION, strict=True):
        assert statement.startswith(expected), (expected, statement)
    # One event per half: services.intake.receive (the receipt) and services.application.submit (the case).
    assert AuditEvent.objects.count() == before + 2


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_record_s_insert_wakes_the_worker_once_at_the_commit_and_a_replay_does_not(reference_data, casework):
    import psycopg

    from egov.services.actions.applying import intake_submit
    from egov.services.actions.intake import INTAKE_CHANNEL

    settings = connection.settings_dict
    files = {material.pk: PDF + b"% wake the worker\n" for material in casework.item.materials.filter(required=True)}
    with psycopg.connect(host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"],
                         password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True) as listener:
        listener.execute(f"LISTEN {INTAKE_CHANNEL}")

        def heard() -> list[str]:
            # A notification is delivered after the sender's commit; poll the socket briefly.
            return [n.channel for n in listener.notifies(timeout=1.0, stop_after=1)]

        record, created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                        files=files, idempotency_key="wake-000001")
        assert created and heard() == [INTAKE_CHANNEL]
        again, created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                       files=files, idempotency_key="wake-000001")
        assert not created and again.pk == record.pk and heard() == []
