"""Actions on requests for government information, on real PostgreSQL; dates worked by hand from
the 2026 schedule (see test_deadlines.py)."""

from datetime import date

import pytest

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.facilities.models import Notification
from egov.portal import actions
from egov.portal.models import DisclosureRequest, RequestStatus

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% answer\n%%EOF\n"


def test_submit_copies_the_applicant_and_numbers_the_request(office):
    request = office.submit()
    assert request.status == RequestStatus.SUBMITTED
    assert request.applicant_name == "张𠮷明" and request.applicant_id_number == office.citizen.natural_person.id_number
    assert request.number.startswith("YSQ-") and request.number.endswith("-0001")
    assert office.submit().number.endswith("-0002")
    assert AuditEvent.objects.filter(action="portal.disclosure_request.submit", object_id=str(request.pk)).exists()


def test_submit_needs_a_description_a_contact_and_an_address_for_paper(office):
    with pytest.raises(ValidationFailed) as error:
        office.submit(description="  ")
    assert error.value.extra["field"] == "description"
    with pytest.raises(ValidationFailed) as error:
        office.submit(email="", phone="")
    assert error.value.extra["rule"] == "contact_required"
    with pytest.raises(ValidationFailed) as error:
        office.submit(form_wanted="paper")
    assert error.value.extra == {"field": "address", "rule": "required"}
    with pytest.raises(PermissionDenied):
        actions.request_submit(actor=office.officer, agency=office.agency, description="x", form_wanted="paper",
                               idempotency_key="officer-key-01")


def test_register_sets_receipt_and_due_date_skipping_national_day(office):
    request = office.registered(date(2026, 9, 28))
    assert (request.status, request.received_on, request.due_on) == (RequestStatus.RECEIVED, date(2026, 9, 28),
                                                                      date(2026, 10, 30))


def test_a_request_registered_on_a_saturday_is_received_on_monday(office):
    # Sat 2026-11-07 → received Mon 11-09; 20 working days: 11-10…13 (4), 16…20 (9), 23…27 (14),
    # 11-30…12-04 (19), 12-07 (20).
    request = office.registered(date(2026, 11, 7))
    assert (request.received_on, request.due_on) == (date(2026, 11, 9), date(2026, 12, 7))


def test_correction_within_seven_working_days_restarts_the_period(office):
    request = office.registered(date(2026, 11, 2))
    request = actions.request_correction_ask(actor=office.officer, request=request, note="请写明报告的年度和文号",
                                             period_days=10, today=date(2026, 11, 11))
    # 10 working days after 11-11: 11-12, 13 (2), 16…20 (7), 23, 24, 25 (10).
    assert (request.status, request.correction_due_on) == (RequestStatus.CORRECTION, date(2026, 11, 25))
    request = actions.request_correct(actor=office.citizen, request=request, description="锡审财〔2026〕5号审计报告",
                                      today=date(2026, 11, 20))
    # The corrected request is received Fri 11-20; 20 working days: 11-23…27 (5), 11-30…12-04 (10),
    # 12-07…11 (15), 12-14…18 (20).
    assert (request.status, request.corrected_on, request.due_on) == (RequestStatus.CORRECTED, date(2026, 11, 20),
                                                                       date(2026, 12, 18))
    assert request.description == "锡审财〔2026〕5号审计报告"
    with pytest.raises(Conflict):  # once only
        actions.request_correction_ask(actor=office.officer, request=request, note="again", period_days=5,
                                       today=date(2026, 11, 23))


def test_correction_after_seven_working_days_is_refused(office):
    request = office.registered(date(2026, 11, 2))
    with pytest.raises(Conflict) as error:
        actions.request_correction_ask(actor=office.officer, request=request, note="请写明文号", period_days=10,
                                       today=date(2026, 11, 12))
    assert error.value.extra == {"rule": "correction_window", "last_day": "2026-11-11"}
    assert "2026-11-11" in error.value.message
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED


def test_extension_needs_the_head_a_reason_and_only_once(office):
    request = office.registered(date(2026, 9, 28))
    with pytest.raises(PermissionDenied):
        actions.request_extend(actor=office.officer, request=request, days=20, reason="需要协调多个处室",
                               today=date(2026, 10, 20))
    with pytest.raises(ValidationFailed) as error:
        actions.request_extend(actor=office.head, request=request, days=20, reason=" ", today=date(2026, 10, 20))
    assert error.value.extra["field"] == "reason"
    with pytest.raises(ValidationFailed):
        actions.request_extend(actor=office.head, request=request, days=21, reason="r", today=date(2026, 10, 20))
    request = actions.request_extend(actor=office.head, request=request, days=20, reason="需要协调多个处室",
                                     today=date(2026, 10, 20))
    assert (request.status, request.due_on) == (RequestStatus.EXTENDED, date(2026, 11, 27))
    with pytest.raises(Conflict) as error:
        actions.request_extend(actor=office.head, request=request, days=5, reason="再次延期", today=date(2026, 10, 21))
    assert error.value.extra["rule"] == "once"
    assert DisclosureRequest.objects.get(pk=request.pk).due_on == date(2026, 11, 27)


def test_a_third_party_consultation_stops_the_clock(office):
    request = office.registered(date(2026, 11, 2))
    pause = actions.request_consult(actor=office.officer, request=request, third_party="无锡示范科技有限公司",
                                    today=date(2026, 11, 4))
    assert pause.opinion_due_on == date(2026, 11, 25)  # 15 working days after 11-04
    request.refresh_from_db()
    assert request.status == RequestStatus.THIRD_PARTY
    with pytest.raises(Conflict):
        actions.request_answer(actor=office.officer, request=request, kind="disclosed", text="见附件")
    request = actions.request_consult_end(actor=office.officer, request=request, today=date(2026, 11, 18))
    assert (request.status, request.due_on) == (RequestStatus.RECEIVED, date(2026, 12, 14))


def test_not_disclosed_without_a_basis_is_refused_and_with_one_answers(office):
    request = office.registered(date(2026, 11, 2))
    for kind in ("not_disclosed", "partly_disclosed"):
        with pytest.raises(ValidationFailed) as error:
            actions.request_answer(actor=office.officer, request=request, kind=kind, text="涉及商业秘密")
        assert error.value.extra == {"field": "legal_basis", "rule": "required"}
    with pytest.raises(ValidationFailed) as error:
        actions.request_answer(actor=office.officer, request=request, kind="disclosed", text="见附件",
                               file=b"\x89PNG\r\n\x1a\nnot a pdf")
    assert error.value.extra["field"] == "file"
    request = actions.request_answer(actor=office.officer, request=request, kind="not_disclosed", text="涉及商业秘密",
                                     legal_basis="《政府信息公开条例》第十五条")
    assert request.status == RequestStatus.ANSWERED and request.answered_at is not None
    assert request.legal_basis == "《政府信息公开条例》第十五条"


def test_an_answer_with_a_pdf_and_not_competent_keeps_the_competent_agency(office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    request = office.registered(date(2026, 11, 2))
    request = actions.request_answer(actor=office.officer, request=request, kind="not_competent",
                                     text="该信息由市审计局制作和保存", competent_agency="无锡市审计局", file=PDF)
    assert request.competent_agency == "无锡市审计局" and request.answer_file.kind == "pdf"


def test_staff_of_another_agency_or_without_the_role_are_not_told(office):
    request = office.submit()
    for person in (office.other_officer, office.clerk, office.citizen):
        with pytest.raises(NotFound):
            actions.request_register(actor=person, request=request, today=date(2026, 11, 2))
    with pytest.raises(NotFound):
        actions.request_withdraw(actor=office.stranger, request=request)


def test_the_daily_run_marks_exactly_the_overdue_reminds_and_ends_uncorrected(office):
    late = office.registered(date(2026, 9, 28))  # due 10-30
    running = office.registered(date(2026, 11, 2))  # due 11-30
    paused = office.registered(date(2026, 9, 29))
    actions.request_consult(actor=office.officer, request=paused, third_party="第三方", today=date(2026, 10, 8))
    answered = office.registered(date(2026, 9, 28))
    actions.request_answer(actor=office.officer, request=answered, kind="disclosed", text="见附件")
    uncorrected = office.registered(date(2026, 11, 2))
    actions.request_correction_ask(actor=office.officer, request=uncorrected, note="请写明文号", period_days=5,
                                   today=date(2026, 11, 3))  # correct by 11-10
    office.submit()  # not registered: no due date

    assert actions.requests_mark_overdue(today=date(2026, 11, 2)) == {"overdue": 1, "reminded": 0,
                                                                      "deemed_withdrawn": 0}
    assert list(DisclosureRequest.objects.filter(overdue_since__isnull=False)) == [late]
    assert AuditEvent.objects.filter(action="portal.disclosure_request.overdue").count() == 1
    assert actions.requests_mark_overdue(today=date(2026, 11, 2))["overdue"] == 0  # once each

    # 11-11: the correction period (to 11-10) has passed.
    assert actions.requests_mark_overdue(today=date(2026, 11, 11))["deemed_withdrawn"] == 1
    uncorrected.refresh_from_db()
    assert uncorrected.status == RequestStatus.DEEMED_WITHDRAWN

    # 11-25: 3 working days (11-26, 27, 30) are left on ``running``: both office members are told once.
    assert actions.requests_mark_overdue(today=date(2026, 11, 25)) == {"overdue": 0, "reminded": 1,
                                                                       "deemed_withdrawn": 0}
    assert set(Notification.objects.filter(subject__contains=running.number, recipient__kind="staff")
               .values_list("recipient__username", flat=True)) == {"gk-officer", "gk-head"}
    assert actions.requests_mark_overdue(today=date(2026, 11, 26))["reminded"] == 0


def test_notifications_are_e_mailed_after_commit_only(office, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = office.submit()
        actions.request_register(actor=office.officer, request=request, today=date(2026, 9, 28))
    # The audit log's partition bookkeeping registers callbacks of its own: the e-mails are these two.
    mails = [callback for callback in callbacks if "notification_send" in callback.__qualname__]
    assert len(mails) == 2 and mailoutbox == []
    for callback in mails:
        callback()
    assert [mail.to for mail in mailoutbox] == [["zhang@example.cn"]] * 2
    assert "2026-10-30" in mailoutbox[1].body

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Conflict):
        actions.request_register(actor=office.officer, request=request, today=date(2026, 9, 29))
    assert callbacks == [] and len(mailoutbox) == 2
    assert Notification.objects.filter(recipient=office.citizen).count() == 2


def test_the_daily_task_is_named_and_scheduled(settings, office):
    from egov.portal.tasks import disclosure_requests_daily

    assert settings.CELERY_BEAT_SCHEDULE["portal-disclosure-requests"] == {
        "task": "portal.disclosure_requests_daily", "schedule": 86400.0}
    assert disclosure_requests_daily.delay().get() == {"overdue": 0, "reminded": 0, "deemed_withdrawn": 0}


def test_after_an_extension_the_office_is_reminded_again_before_the_new_due_date(office):
    # Tester 8, finding 4. Received 09-28 → due 10-30; on 10-27 three working days (10-28, 29, 30) are left.
    request = office.registered(date(2026, 9, 28))
    assert actions.requests_mark_overdue(today=date(2026, 10, 27))["reminded"] == 1
    request = actions.request_extend(actor=office.head, request=request, days=20, reason="需要协调多个处室",
                                     today=date(2026, 10, 28))
    assert (request.due_on, request.reminded_on) == (date(2026, 11, 27), None)
    assert DisclosureRequest.objects.get(pk=request.pk).reminded_on is None
    # 11-23: four working days are left (11-24…27): not yet; 11-24: three, reminded once more.
    assert actions.requests_mark_overdue(today=date(2026, 11, 23))["reminded"] == 0
    assert actions.requests_mark_overdue(today=date(2026, 11, 24))["reminded"] == 1
    assert Notification.objects.filter(subject__contains="2026-11-27", recipient__username="gk-head").count() == 1
    assert DisclosureRequest.objects.get(pk=request.pk).reminded_on == date(2026, 11, 24)


def test_a_consultation_ended_after_the_due_date_leaves_the_request_overdue(office):
    # Received 09-28 → due 10-30, marked overdue on 11-02; consulted 11-02 to 11-16: ten working days
    # (11-03…06, 09…13, 16) are added → due 11-13, still before 11-16: it stays marked (once).
    request = office.registered(date(2026, 9, 28))
    assert actions.requests_mark_overdue(today=date(2026, 11, 2))["overdue"] == 1
    actions.request_consult(actor=office.officer, request=request, third_party="第三方", today=date(2026, 11, 2))
    request = actions.request_consult_end(actor=office.officer, request=request, today=date(2026, 11, 16))
    assert request.due_on == date(2026, 11, 13)
    marked = DisclosureRequest.objects.get(pk=request.pk).overdue_since
    assert marked is not None
    assert actions.requests_mark_overdue(today=date(2026, 11, 16))["overdue"] == 0


def test_the_same_idempotency_key_makes_one_request(office):
    # Tester 8, finding 5: a double submit of the public form.
    first = office.submit(idempotency_key="click-twice-01")
    again = office.submit(idempotency_key="click-twice-01")
    assert again.pk == first.pk and DisclosureRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="portal.disclosure_request.submit").count() == 1
    assert Notification.objects.filter(recipient=office.citizen).count() == 1
    # Keys are the applicant's own: another citizen may use the same one.
    other = actions.request_submit(actor=office.stranger, agency=office.agency, description="预算报告",
                                   form_wanted="electronic", phone="13900000000", idempotency_key="click-twice-01")
    assert other.pk != first.pk and DisclosureRequest.objects.count() == 2


def test_the_same_key_with_other_content_is_a_conflict_naming_the_first_request(office):
    first = office.submit(idempotency_key="edited-after-01")
    with pytest.raises(Conflict) as raised:
        office.submit(idempotency_key="edited-after-01", description="另一份文件")
    assert raised.value.extra == {"field": "idempotency_key", "rule": "idempotency_key_content",
                                  "number": first.number}
    assert DisclosureRequest.objects.count() == 1


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 65])
def test_a_bad_idempotency_key_is_refused(office, key):
    with pytest.raises(ValidationFailed) as raised:
        office.submit(idempotency_key=key)
    assert raised.value.extra == {"field": "idempotency_key", "rule": "format"}
    assert not DisclosureRequest.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", None])
def test_a_missing_idempotency_key_is_refused_naming_the_header(office, key):
    with pytest.raises(ValidationFailed) as raised:
        office.submit(idempotency_key=key)
    assert raised.value.extra == {"field": "idempotency_key", "rule": "required", "header": "Idempotency-Key"}
    assert "Idempotency-Key" in raised.value.message
    assert not DisclosureRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_with_one_key_make_one_request(reference_data, office):
    import threading

    from django.db import connection

    numbers, errors = [], []
    start = threading.Barrier(2)

    def submit_one():
        try:
            start.wait()
            numbers.append(office.submit(idempotency_key="same-click-01").number)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit_one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DisclosureRequest.objects.count() == 1
    assert numbers == [DisclosureRequest.objects.get().number] * 2
