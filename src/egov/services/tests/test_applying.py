"""Applying online: submit (form, materials, tracking number, process), idempotency, bad input,
agents of legal persons, 补正 upload, withdrawal. Real PostgreSQL, real files on disk."""

import threading

import pytest
from django.db import connection

from egov.accounts.actions import agent_appoint
from egov.accounts.models import NaturalPerson
from egov.accounts.tests.factories import LegalPersonFactory
from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.facilities.files import blob_path, sha256_hex
from egov.facilities.models import StoredFile
from egov.services.actions import processing
from egov.services.actions.applying import application_submit, application_supplement_upload, application_withdraw
from egov.services.actions.numbers import tracking_number_check
from egov.services.models import Application, ApplicationStatus
from egov.services.tests.factories import PDF, PNG, VALID_COMPANY, required_files, submit
from egov.workflow.selectors import instance_active_tasks


def test_submit_creates_the_case_with_number_materials_process_and_timeline(casework):
    application = submit(casework.item, casework.citizen)
    assert tracking_number_check(application.number) == application.number
    assert application.number.startswith("320200001-")
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.applicant == casework.citizen and application.submitted_by == casework.citizen
    assert application.form_data == VALID_COMPANY
    assert application.limit_days == 2
    (row,) = application.materials.all()
    assert row.material.name == "公司登记（备案）申请书" and row.file.sha256 == sha256_hex(PDF)
    assert blob_path(row.file.sha256).read_bytes() == PDF
    assert [t.bpmn_id for t in instance_active_tasks(instance=application.process)] == ["receive"]
    assert application.process.owner == casework.bureau and application.process.due_date is None
    assert list(application.events.values_list("move", "status_to", "by")) == [
        ("submit", "submitted", casework.citizen.name)]
    event = AuditEvent.objects.get(action="services.application.submit")
    assert event.actor_id == casework.citizen.pk and event.object_id == str(application.pk)


def test_the_same_idempotency_key_makes_one_application(casework):
    first, created = application_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                        files=required_files(casework.item), idempotency_key="click-twice-01")
    again, created_again = application_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                              files=required_files(casework.item), idempotency_key="click-twice-01")
    assert (created, created_again) == (True, False) and again.pk == first.pk
    assert Application.objects.count() == 1
    # Another applicant may use the same key: keys are unique per applicant.
    other = submit(casework.item, casework.stranger, key="click-twice-01")
    assert other.pk != first.pk and Application.objects.count() == 2


def test_the_same_key_with_other_content_is_a_conflict_naming_the_first_case(casework):
    first = submit(casework.item, casework.citizen, key="edited-after-01")
    with pytest.raises(Conflict) as raised:
        submit(casework.item, casework.citizen, key="edited-after-01", form={**VALID_COMPANY, "shareholders": 3})
    assert raised.value.extra == {"field": "idempotency_key", "rule": "idempotency_key_content",
                                  "number": first.number}
    required = casework.item.materials.get(required=True)
    with pytest.raises(Conflict):
        submit(casework.item, casework.citizen, key="edited-after-01", files={required.pk: PDF + b"\n% edited"})
    assert Application.objects.count() == 1


def test_a_key_reused_for_another_item_is_a_conflict(casework):
    from egov.services.tests.factories import USCC_A, make_item

    second_item = make_item(casework.bureau, code=USCC_A + "01" + "0000102" + "000" + "00", name="另一事项")
    first = submit(casework.item, casework.citizen, key="reused-key-01")
    with pytest.raises(Conflict) as raised:
        submit(second_item, casework.citizen, key="reused-key-01")
    assert raised.value.extra == {"field": "idempotency_key", "rule": "idempotency_key", "number": first.number}


@pytest.mark.parametrize("key", ["", "short", "has space in it", "x" * 65])
def test_a_bad_idempotency_key_is_refused(casework, key):
    with pytest.raises(ValidationFailed) as raised:
        submit(casework.item, casework.citizen, key=key)
    assert raised.value.extra["field"] == "idempotency_key"


def test_every_form_field_is_checked_with_the_field_named(casework):
    with pytest.raises(ValidationFailed) as raised:
        submit(casework.item, casework.citizen, form={**VALID_COMPANY, "registered_capital": 0, "shareholders": 99})
    assert raised.value.extra["field"] == "form.registered_capital" and raised.value.extra["rule"] == "minimum"
    assert {e["field"] for e in raised.value.extra["errors"]} == {"form.registered_capital", "form.shareholders"}
    assert Application.objects.count() == 0


def test_form_and_file_errors_are_told_in_one_answer(casework):
    required = casework.item.materials.get(required=True)
    with pytest.raises(ValidationFailed) as raised:
        submit(casework.item, casework.citizen, form={**VALID_COMPANY, "shareholders": 99},
               files={required.pk: b"MZ not a document"})
    assert raised.value.extra["field"] == "form.shareholders"
    assert [(e["field"], e["rule"]) for e in raised.value.extra["errors"]] == [
        ("form.shareholders", "maximum"), (f"materials.{required.pk}", "file_type")]


def test_a_missing_required_material_is_named(casework):
    material = casework.item.materials.get(required=True)
    with pytest.raises(ValidationFailed) as raised:
        submit(casework.item, casework.citizen, files={})
    assert raised.value.extra["field"] == f"materials.{material.pk}" and raised.value.extra["rule"] == "required"


def test_too_large_or_refused_files_are_named_and_not_stored(casework):
    required = casework.item.materials.get(required=True)
    optional = casework.item.materials.get(required=False)  # PDF only, at most 1024 bytes
    too_large = b"%PDF-1.7\n" + b"0" * 2000
    with pytest.raises(ValidationFailed) as raised:
        submit(casework.item, casework.citizen,
               files={required.pk: b"MZ\x90\x00 not a document", optional.pk: too_large})
    rules = {e["field"]: e["rule"] for e in raised.value.extra["errors"]}
    assert rules == {f"materials.{required.pk}": "file_type", f"materials.{optional.pk}": "max_size"}
    with pytest.raises(ValidationFailed) as raised:
        submit(casework.item, casework.citizen, files={required.pk: PDF, optional.pk: PNG})
    assert raised.value.extra["field"] == f"materials.{optional.pk}" and raised.value.extra["rule"] == "file_type"
    assert not StoredFile.objects.filter(sha256__in=[sha256_hex(too_large), sha256_hex(PNG)]).exists()
    assert not blob_path(sha256_hex(too_large)).exists() and not blob_path(sha256_hex(PNG)).exists()
    assert Application.objects.count() == 0


def test_refused_submissions_and_replays_take_no_tracking_number(casework):
    # The number is taken only after every check passed: a refused file, a bad form or a replayed
    # key leaves the day's sequence where it was, so the next case gets the next number.
    first = submit(casework.item, casework.citizen, key="numbered-01")
    required = casework.item.materials.get(required=True)
    with pytest.raises(ValidationFailed):
        submit(casework.item, casework.citizen, key="numbered-02", files={required.pk: b"MZ not a document"})
    with pytest.raises(ValidationFailed):
        submit(casework.item, casework.citizen, key="numbered-03", form={**VALID_COMPANY, "shareholders": 99})
    assert submit(casework.item, casework.citizen, key="numbered-01").pk == first.pk
    second = submit(casework.item, casework.citizen, key="numbered-04")
    assert first.number[19:25] == "000001" and second.number[19:25] == "000002"


def test_one_submission_is_one_audit_event_carrying_the_files_and_the_process(casework, media_root):
    # Issue 18 item 2: one event per case instead of one per file, one for the process start and one
    # for the submission; the auditor still sees each file (hash, kind, size, new) and the process.
    before = AuditEvent.objects.count()
    application = submit(casework.item, casework.citizen)
    events = list(AuditEvent.objects.order_by("seq")[before:])
    # The worker's transaction records the receipt (in the request's name, with each file: hash,
    # kind, size) and the case (with the process start and the files it stored, new or not): two
    # events, consecutive.
    assert [e.action for e in events] == ["services.intake.receive", "services.application.submit"]
    assert events[1].seq == events[0].seq + 1
    received, event = events
    assert event.object_id == str(application.pk)
    required = casework.item.materials.get(required=True)
    assert received.changes["files"] == [{"material": required.pk, "sha256": sha256_hex(PDF), "kind": "pdf",
                                          "size": len(PDF)}]
    assert event.changes["files"] == [{"material": required.pk, "sha256": sha256_hex(PDF), "kind": "pdf",
                                       "size": len(PDF), "new": True}]
    assert event.changes["intake"] == application.intake.receipt
    assert received.object_id == str(application.intake.pk)
    process = application.process
    assert event.changes["process"] == {"id": process.pk, "definition": process.definition_id,
                                        "subject_type": "application", "subject_id": str(application.pk),
                                        "due_date": None, "opened": ["receive"]}
    # The same bytes again, for another case: the file is found, not stored twice.
    again = submit(casework.item, casework.stranger, key="same-bytes-0001")
    last = AuditEvent.objects.order_by("-seq").first()
    assert last.object_id == str(again.pk) and last.changes["files"][0]["new"] is False
    assert StoredFile.objects.filter(sha256=sha256_hex(PDF)).count() == 1


def test_an_item_not_open_to_legal_persons_refuses_them(casework):
    casework.item.applicant_kinds = ["natural"]
    casework.item.save()
    enterprise = LegalPersonFactory()
    with pytest.raises(ValidationFailed) as raised:
        submit(casework.item, enterprise.user)
    assert raised.value.extra == {"field": "item", "rule": "applicant_kind"}


def test_staff_cannot_apply(casework):
    with pytest.raises(PermissionDenied):
        submit(casework.item, casework.staff["clerk"])


def test_an_agent_applies_for_the_legal_person_and_both_see_the_case(casework):
    enterprise = LegalPersonFactory()
    agent = NaturalPerson.objects.get(user=casework.citizen)
    with pytest.raises(PermissionDenied):
        submit(casework.item, casework.citizen, legal_person=enterprise)
    agent_appoint(actor=enterprise.user, legal_person=enterprise, person=agent)
    application = submit(casework.item, casework.citizen, legal_person=enterprise)
    assert application.applicant == enterprise.user and application.submitted_by == casework.citizen
    assert application.applicant_name == enterprise.name
    application_withdraw(actor=enterprise.user, application=application, reason="企业决定暂不申请")
    with pytest.raises(NotFound):
        application_withdraw(actor=casework.stranger, application=application, reason="x")


def _to_supplement(casework):
    application = submit(casework.item, casework.citizen)
    processing.application_receive(actor=casework.staff["clerk"], application=application)
    request = processing.application_supplement_request(
        actor=casework.staff["clerk"], application=application,
        materials=[casework.item.materials.get(required=True)], note="申请书未签字，请签字后重新上传")
    return application, request


def test_the_applicant_answers_the_supplement_and_the_clock_restarts(casework):
    application, request = _to_supplement(casework)
    application.process.refresh_from_db()
    assert application.process.paused_since is not None
    material = request.materials.get()
    signed = b"%PDF-1.7\n% signed\n%%EOF\n"
    with pytest.raises(ValidationFailed) as raised:
        application_supplement_upload(actor=casework.citizen, application=application, files={})
    assert raised.value.extra == {"field": f"materials.{material.pk}", "rule": "required",
                                  "errors": raised.value.extra["errors"]}
    with pytest.raises(NotFound):
        application_supplement_upload(actor=casework.stranger, application=application, files={material.pk: signed})
    application = application_supplement_upload(actor=casework.citizen, application=application,
                                                files={material.pk: signed})
    assert application.status == ApplicationStatus.SUPPLIED
    application.process.refresh_from_db()
    assert application.process.paused_since is None
    assert application.process.pauses.get().working_days == 0  # uploaded the same day
    newest = application.materials.filter(material=material).order_by("-uploaded_at", "-pk").first()
    assert newest.supplement and newest.file.sha256 == sha256_hex(signed)
    with pytest.raises(Conflict) as raised:
        application_supplement_upload(actor=casework.citizen, application=application, files={material.pk: signed})
    assert raised.value.extra["state"] == "supplied"


def test_withdraw_before_the_decision_cancels_the_process(casework):
    application = submit(casework.item, casework.citizen)
    with pytest.raises(ValidationFailed):
        application_withdraw(actor=casework.citizen, application=application, reason=" ")
    application = application_withdraw(actor=casework.citizen, application=application, reason="材料准备有误")
    assert application.status == ApplicationStatus.WITHDRAWN and application.withdrawn_at is not None
    application.process.refresh_from_db()
    assert application.process.status == "cancelled"
    assert not instance_active_tasks(instance=application.process)
    assert AuditEvent.objects.filter(action="services.application.withdraw", actor_id=casework.citizen.pk).exists()


def test_withdraw_after_the_decision_is_refused_naming_the_status(casework):
    application = submit(casework.item, casework.citizen)
    staff = casework.staff
    processing.application_receive(actor=staff["clerk"], application=application)
    processing.application_accept(actor=staff["clerk"], application=application)
    processing.application_review(actor=staff["reviewer"], application=application)
    processing.application_decide(actor=staff["approver"], application=application, approve=True)
    with pytest.raises(Conflict) as raised:
        application_withdraw(actor=casework.citizen, application=application, reason="太晚了")
    assert raised.value.extra == {"state": "approved", "move": "withdraw"}


@pytest.mark.django_db(transaction=True)
def test_a_double_click_waits_for_the_first_submission_and_takes_no_number(reference_data, casework):
    # Eight identical requests at once (a double click, a client's retries): one case, the others
    # get it back, and the applicant's next case has the next number: none was taken for the waiters.
    assert connection.vendor == "postgresql"
    start, results, errors = threading.Barrier(8), [], []

    def click() -> None:
        try:
            start.wait()
            results.append(application_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                              files=required_files(casework.item), idempotency_key="clicked-8-times"))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created for _application, created in results) == [False] * 7 + [True]
    first = Application.objects.get()
    following = submit(casework.item, casework.citizen, key="the-next-case-01")
    assert (first.number[19:25], following.number[19:25]) == ("000001", "000002")
