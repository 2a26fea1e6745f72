"""The intake worker (内网办理) as a real process against the test PostgreSQL database: a burst of
intake records, the worker killed with SIGKILL in the middle, restarted; every receipt became
exactly one case, in order, with consecutive tracking numbers (a killed transaction gives its
number back with everything else)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from egov.audit.models import AuditEvent
from egov.audit.selectors import audit_chain_verify
from egov.facilities.models import StoredFile
from egov.services.actions import intake as intake_actions
from egov.services.actions.applying import intake_submit
from egov.services.actions.numbers import tracking_number_check
from egov.services.models import Application, ApplicationEvent, IntakeRecord, IntakeState, KeptUpload, ServiceItem
from egov.services.tests.factories import PDF, VALID_COMPANY

BURST = 200
ROOT = Path(__file__).resolve().parents[4]


def _worker(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "egov.cli", "intake", "work", "--idle", "0.5"], env=env, cwd=ROOT,
                            stdout=log, stderr=log)


def _count(state: str) -> int:
    return IntakeRecord.objects.filter(state=state).count()


def _wait(predicate, timeout: float, what: str, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if worker.poll() is not None:
            raise AssertionError(f"the worker stopped ({worker.returncode}) before {what}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_a_burst_loses_nothing_and_makes_nothing_twice(reference_data, casework, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker runs in another process, which cannot see SQLite's in-memory test database")
    material = casework.item.materials.get(required=True)
    records = []
    for index in range(BURST):  # distinct files: each submission's bytes differ
        content = PDF + f"% burst {index}\n".encode()
        record, created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                        files={material.pk: content}, idempotency_key=f"burst-{index:06d}")
        assert created and record.state == IntakeState.WAITING
        records.append(record)
    settings = connection.settings_dict
    env = {**os.environ, "EGOV_ENV": "test", "EGOV_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"}
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        worker = _worker(env, log)
        try:
            _wait(lambda: _count(IntakeState.DONE) >= BURST // 4, 300, "a quarter of the burst", worker, log_path)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            killed_at = _count(IntakeState.DONE)
            assert 0 < killed_at < BURST, "the worker was killed in the middle of the burst"
            worker = _worker(env, log)
            _wait(lambda: _count(IntakeState.WAITING) == 0, 600, "the queue to empty", worker, log_path)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    assert worker.returncode == 0, log_path.read_text()  # SIGTERM: a clean stop
    assert _count(IntakeState.DONE) == BURST and _count(IntakeState.FAILED) == 0
    cases = list(Application.objects.select_related("intake").order_by("intake_id"))
    assert len(cases) == BURST
    assert [case.intake.receipt for case in cases] == [record.receipt for record in records]
    assert [case.query_code for case in cases] == [record.query_code for record in records]
    # FIFO and nothing lost: the day's numbers of the organization run 1…200 in receipt order.
    day = timezone.localdate(records[0].received_at).strftime("%Y%m%d")
    assert {case.number[:19] for case in cases} == {f"{cases[0].number[:9]}-{day}-"}
    assert [int(case.number[19:25]) for case in cases] == list(range(1, BURST + 1))
    assert all(tracking_number_check(case.number) == case.number for case in cases)
    assert ApplicationEvent.objects.filter(move="submit").count() == BURST
    assert AuditEvent.objects.filter(action="services.application.submit").count() == BURST
    assert Application.objects.filter(process__isnull=True).count() == 0
    assert audit_chain_verify().ok


# What the public site's database role needs for a submission (docs/operations.md "The public
# site's database role"): SELECT on what it reads and INSERT on the intake record, nothing else: no
# right to write cases, stored files or the audit log (the worker writes those).
PUBLIC_INSERTS = ("services_intakerecord", "services_keptupload")


@pytest.mark.django_db
def test_a_role_that_may_only_insert_intake_records_can_submit_but_not_write_a_case(casework):
    if connection.vendor != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's")
    from django.db import DatabaseError, transaction

    assert {IntakeRecord._meta.db_table, KeptUpload._meta.db_table} == set(PUBLIC_INSERTS)
    material = casework.item.materials.get(required=True)
    # A submission that failed (the item was withdrawn before the worker took it), for the citizen
    # to apply again for from its receipt under the public site's role.
    failed, _created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                     files={material.pk: PDF}, idempotency_key="public-role-00")
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=False)
    assert intake_actions.intake_work() == 1
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    casework.item.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS egov_public_test")
        cursor.execute("CREATE ROLE egov_public_test NOLOGIN")
        cursor.execute("GRANT USAGE ON SCHEMA public TO egov_public_test")
        cursor.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO egov_public_test")
        cursor.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO egov_public_test")
        cursor.execute(f"GRANT INSERT ON {', '.join(PUBLIC_INSERTS)} TO egov_public_test")
        cursor.execute("SET ROLE egov_public_test")
    try:
        record, created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                        files={material.pk: PDF}, idempotency_key="public-role-01")
        assert created and record.state == IntakeState.WAITING
        # Applying again from the failed receipt needs no lock on it (FOR UPDATE needs UPDATE).
        again, created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                       files={material.pk: PDF}, idempotency_key="public-role-02",
                                       replaces=failed.receipt)
        assert created and again.state == IntakeState.WAITING and again.replaces_id == failed.pk
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            IntakeRecord.objects.filter(pk=record.pk).update(state=IntakeState.DONE)
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            Application.objects.filter(pk__gt=0).update(status="accepted")
        for table, column in ((StoredFile._meta.db_table, "sha256"), (AuditEvent._meta.db_table, "action")):
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({column}) VALUES ('x')")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute("DROP OWNED BY egov_public_test")
            cursor.execute("DROP ROLE egov_public_test")
    # The staff side's worker (the test's own role) makes the cases of what that role received.
    assert intake_actions.intake_work() == 2
    record.refresh_from_db()
    assert record.state == IntakeState.DONE and StoredFile.objects.filter(sha256=record.files[0]["sha256"]).exists()
    again.refresh_from_db()
    failed.refresh_from_db()
    assert again.state == IntakeState.DONE and Application.objects.filter(intake=again).count() == 1
    assert failed.state == IntakeState.FAILED and not Application.objects.filter(intake=failed).exists()


@pytest.mark.django_db
def test_the_apply_page_keeps_good_files_across_a_form_error_under_the_insert_only_role(client, casework):
    """The apply page's kept files (a form sent back with an error keeps its good files) used to be
    stored in the file store with an audit event, which the public site's role may not write: now
    they are kept on the intake side (``KeptUpload``, INSERT only) and sent with the form."""
    if connection.vendor != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's")
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    from egov.services.tests.test_casework_views import _apply_post

    required = casework.item.materials.get(required=True)
    url = f"/services/{casework.item.code}/apply/"
    client.force_login(casework.citizen)
    client.get(url)  # the session and whatever a first visit writes, before the role is taken
    content = PDF + b"% kept under the public role"
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS egov_public_test")
        cursor.execute("CREATE ROLE egov_public_test NOLOGIN")
        cursor.execute("GRANT USAGE ON SCHEMA public TO egov_public_test")
        cursor.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO egov_public_test")
        cursor.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO egov_public_test")
        cursor.execute(f"GRANT INSERT ON {', '.join(PUBLIC_INSERTS)} TO egov_public_test")
        cursor.execute("SET ROLE egov_public_test")
    try:
        response = client.post(url, {**_apply_post(casework.item, **{"form-shareholders": "0"}),
                                     f"material-{required.pk}": SimpleUploadedFile("营业执照.pdf", content,
                                                                                   content_type="application/pdf")})
        html = response.content.decode()
        assert response.status_code == 400 and "营业执照.pdf" in html
        token = re.search(rf'name="kept-material-{required.pk}" value="([^"]+)"', html).group(1)
        response = client.post(url, {**_apply_post(casework.item), f"kept-material-{required.pk}": token,
                                     f"kept-name-{required.pk}": "营业执照.pdf"})
        assert response.status_code == 302 and response["Location"].startswith("/services/receipts/SL")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute("DROP OWNED BY egov_public_test")
            cursor.execute("DROP ROLE egov_public_test")
    record = IntakeRecord.objects.get()
    assert bytes(record.content) == content and record.files[0]["material"] == required.pk
    assert not StoredFile.objects.filter(sha256=record.files[0]["sha256"]).exists()  # only the worker stores
    assert intake_actions.intake_work() == 1
    assert Application.objects.get().materials.get().file.sha256 == record.files[0]["sha256"]
    # The staff side's daily sweep deletes kept uploads a day old.
    assert intake_actions.kept_uploads_expire(now=timezone.now() + timezone.timedelta(hours=23)) == 0
    assert intake_actions.kept_uploads_expire(now=timezone.now() + timezone.timedelta(hours=25)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_record_whose_database_connection_is_lost_stays_waiting_and_becomes_its_case_next_time(
        reference_data, casework, monkeypatch):
    """The failover drill's finding (issue 22): the primary died while the worker made a case; the
    record was marked failed (``internal``) and waited for an operator, though nothing was wrong
    with it. Now the attempt is rolled back, the record stays waiting, and the next attempt (on a
    new connection) makes the case."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL session is terminated")
    material = casework.item.materials.get(required=True)
    record, _created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                     files={material.pk: PDF}, idempotency_key="lost-connection-01")
    prepare = intake_actions._case_prepare
    settings = connection.settings_dict

    def lose_the_connection(held):
        pid = connection.connection.info.backend_pid  # this worker's session, mid-transaction
        with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                             dbname=settings["NAME"], password=settings["PASSWORD"] or None, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return prepare(held)

    monkeypatch.setattr(intake_actions, "_case_prepare", lose_the_connection)
    with pytest.raises(OperationalError):
        intake_actions.intake_process_next()
    record.refresh_from_db()  # a new connection: the closed one is not reused
    assert (record.state, record.attempts, record.error) == (IntakeState.WAITING, 0, {})
    monkeypatch.setattr(intake_actions, "_case_prepare", prepare)
    assert intake_actions.intake_process_next().pk == record.pk
    record.refresh_from_db()
    assert record.state == IntakeState.DONE and Application.objects.filter(intake=record).count() == 1
    assert not AuditEvent.objects.filter(action="services.intake.fail").exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_started_with_nice_runs_below_the_public_site_in_its_own_session(reference_data, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker runs in another process, which cannot see SQLite's in-memory test database")
    settings = connection.settings_dict
    env = {**os.environ, "EGOV_ENV": "test", "EGOV_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"}
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        # A session of its own, as a daemon, a systemd service or deploy/local/layout.py starts it.
        worker = subprocess.Popen([sys.executable, "-m", "egov.cli", "intake", "work", "--idle", "0.5", "--nice", "9"],
                                  env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
        try:
            _wait(lambda: b"intake worker ready" in log_path.read_bytes(), 120, "the worker to start", worker,
                  log_path)
            stat = Path(f"/proc/{worker.pid}/stat").read_text()
            assert int(stat[stat.rindex(")") + 2:].split()[16]) == 9  # field 19: nice (proc(5))
            autogroup = Path(f"/proc/{worker.pid}/autogroup")
            if autogroup.exists():
                assert autogroup.read_text().split()[-1] == "9"
                assert b"nice 9, autogroup nice 9" in log_path.read_bytes()
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    assert worker.returncode == 0, log_path.read_text()


def test_a_niceness_outside_0_to_19_exits_2_with_one_line(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "egov.cli", "intake", "work", "--nice", "20"], cwd=ROOT,
                               env={**os.environ, "EGOV_ENV": "test", "EGOV_VAR_DIR": str(tmp_path)},
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines()[-1].endswith("--nice: give a number from 0 to 19")
