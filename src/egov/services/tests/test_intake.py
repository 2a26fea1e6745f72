"""The intake inbox (外网受理 → 内网办理): the receipt at once and its states on the applicant's pages
in Chinese and English, tracking by receipt, failures, the operators' queue and retry."""

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from egov.accounts.actions import staff_totp_confirm, staff_totp_enrol, staff_user_create
from egov.audit.models import AuditEvent
from egov.core.context import request_scope
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.facilities.files import blob_path
from egov.facilities.models import StoredFile
from egov.orgs.roles import Role
from egov.services.actions.applying import application_submit, intake_submit
from egov.services.actions.intake import intake_retry, intake_work
from egov.services.models import Application, IntakeRecord, IntakeState, ServiceItem
from egov.services.tests.factories import PDF, VALID_COMPANY


def _submit(casework, key: str = "intake-key-0001", form=None) -> IntakeRecord:
    material = casework.item.materials.get(required=True)
    record, _created = intake_submit(actor=casework.citizen, item=casework.item, form_data=form or VALID_COMPANY,
                                     files={material.pk: PDF}, idempotency_key=key)
    return record


def _operator(casework, client: Client | None = None):
    operator = staff_user_create(actor=None, username="ops", name="测试运维", password="Ops-password-2026!",
                                 organization=casework.bureau, roles=[Role.OPERATOR])
    if client is not None:  # an operator needs MFA: a session that passed it
        device = staff_totp_enrol(user=operator)
        staff_totp_confirm(user=operator, device=device, token=f"{totp(device.bin_key):06d}")
        client.force_login(operator)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return operator


def _fail(casework, record: IntakeRecord) -> IntakeRecord:
    """The item is withdrawn from online applying before the worker gets to the record."""
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=False)
    assert intake_work() == 1
    record.refresh_from_db()
    return record


def test_the_receipt_page_shows_each_state_in_chinese_and_english(client, casework):
    record = _submit(casework)
    client.force_login(casework.citizen)
    url = f"/services/receipts/{record.receipt}/"
    zh = client.get(url).content.decode()
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert record.receipt in zh and record.query_code in zh and "受理中" in zh and 'id="intake-poll"' in zh
    assert "Received, being registered" in en and "Your application has been received" in en
    mine = client.get("/services/applications/").content.decode()
    assert 'id="pending-receipts"' in mine and record.receipt in mine
    assert intake_work() == 1
    application = Application.objects.get(intake=record)
    zh = client.get(url).content.decode()
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "已提交" in zh and f'href="/services/applications/{application.number}/"' in zh
    assert 'id="intake-poll"' not in zh
    assert "Application submitted" in en and application.number in en
    mine = client.get("/services/applications/").content.decode()
    assert 'id="pending-receipts"' not in mine and application.number in mine


def test_a_failed_submission_says_why_and_what_to_do(client, casework):
    record = _fail(casework, _submit(casework))
    assert record.state == IntakeState.FAILED and record.error["extra"] == {"field": "item", "rule": "online"}
    assert Application.objects.count() == 0
    client.force_login(casework.citizen)
    zh = client.get(f"/services/receipts/{record.receipt}/").content.decode()
    en = client.get(f"/services/receipts/{record.receipt}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "失败" in zh and 'id="intake-error"' in zh
    assert f'href="/services/{casework.item.code}/apply/?replaces={record.receipt}"' in zh
    assert "could not be registered" in en and "Apply again" in en
    assert "This item cannot be applied for online any more." in en  # the worker wrote it in Chinese
    # tracking by receipt without sign-in
    tracked = Client().get("/api/v1/services/receipts/" + record.receipt, {"code": record.query_code}).json()
    assert tracked["state"] == "failed" and tracked["error"]["extra"]["rule"] == "online"


def test_others_cannot_see_a_receipt_and_a_wrong_code_is_404(client, casework):
    record = _submit(casework)
    client.force_login(casework.stranger)
    assert client.get(f"/services/receipts/{record.receipt}/").status_code == 404
    anonymous = Client()
    assert anonymous.get(f"/api/v1/services/receipts/{record.receipt}", {"code": "2222-2222"}).status_code == 404
    assert anonymous.get("/api/v1/services/receipts/SL20260101AAAAAAAA", {"code": record.query_code}
                         ).status_code == 404


def test_tracking_by_receipt_on_the_public_page_before_and_after_the_case(client, casework):
    record = _submit(casework)
    page = client.get("/services/track/", {"number": record.receipt, "code": record.query_code.replace("-", "")})
    assert page.status_code == 200 and "受理中" in page.content.decode()
    intake_work()
    number = Application.objects.get(intake=record).number
    html = client.get("/services/track/", {"number": record.receipt, "code": record.query_code}).content.decode()
    assert number in html and record.receipt in html
    assert client.get("/services/track/", {"number": record.receipt, "code": "2222-2222"}).status_code == 404


def test_the_same_key_with_other_content_is_409_naming_the_receipt_then_the_case(casework):
    record = _submit(casework, key="intake-key-0002")
    with pytest.raises(Conflict) as raised:
        _submit(casework, key="intake-key-0002", form={**VALID_COMPANY, "shareholders": 3})
    assert raised.value.extra["number"] == record.receipt
    assert IntakeRecord.objects.count() == 1
    intake_work()
    with pytest.raises(Conflict) as raised:
        _submit(casework, key="intake-key-0002", form={**VALID_COMPANY, "shareholders": 3})
    assert raised.value.extra["number"] == Application.objects.get().number


def test_the_worker_takes_records_in_order_and_each_once(casework):
    records = [_submit(casework, key=f"intake-order-{n:04d}") for n in range(3)]
    assert intake_work() == 3 and intake_work() == 0
    cases = [Application.objects.get(intake=record) for record in records]
    assert [int(case.number.rsplit("-", 1)[1][:6]) for case in cases] == [1, 2, 3]
    assert [case.query_code for case in cases] == [record.query_code for record in records]


def test_an_operator_retries_a_failure_audited_and_others_may_not(client, casework):
    record = _fail(casework, _submit(casework))
    with pytest.raises(PermissionDenied):
        intake_retry(actor=casework.staff["clerk"], record=record)
    operator = _operator(casework, client)
    page = client.get("/staff/cases/intake/")
    html = page.content.decode()
    assert page.status_code == 200 and record.receipt in html and 'id="intake-failures"' in html
    queue = client.get("/api/v1/staff/intake/").json()
    assert (queue["waiting"], queue["failed_count"]) == (0, 1) and queue["failed"][0]["receipt"] == record.receipt
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    response = client.post(f"/staff/cases/intake/{record.receipt}/retry/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == IntakeState.WAITING
    event = AuditEvent.objects.get(action="services.intake.retry")
    assert event.actor_id == operator.pk and event.changes["state"] == ["failed", "waiting"]
    assert client.get("/api/v1/staff/intake/").json()["waiting"] == 1
    assert intake_work() == 1
    record.refresh_from_db()
    assert record.state == IntakeState.DONE and record.attempts == 2
    assert client.post(f"/api/v1/staff/intake/{record.receipt}/retry").status_code == 409
    # An unknown receipt: the operator gave no query code, and the answer does not ask for one.
    unknown = client.post("/api/v1/staff/intake/SL20260101AAAAAAAA/retry", HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "No submission with this receipt number for the organizations you operate for."


def test_staff_without_the_operator_role_get_404_for_the_queue(client, casework):
    client.force_login(casework.staff["clerk"])
    assert client.get("/staff/cases/intake/").status_code == 404
    assert client.get("/api/v1/staff/intake/").status_code == 404
    client.force_login(casework.citizen)
    assert client.get("/api/v1/staff/intake/").status_code == 401


def test_submitting_inside_the_platform_makes_the_case_at_once_and_raises_a_failure(casework):
    material = casework.item.materials.get(required=True)
    application, created = application_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                              files={material.pk: PDF}, idempotency_key="inside-key-01")
    assert created and application.intake.state == IntakeState.DONE
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=False)
    # refused at the door: not published
    with pytest.raises(ValidationFailed):
        application_submit(actor=casework.citizen, item=ServiceItem.objects.get(pk=casework.item.pk),
                           form_data=VALID_COMPANY, files={material.pk: PDF}, idempotency_key="inside-key-02")


def test_an_unexpected_fault_fails_one_record_and_the_queue_moves_on(casework):
    broken = _submit(casework, key="intake-fault-01")
    good = _submit(casework, key="intake-fault-02", form={**VALID_COMPANY, "shareholders": 3})
    # A record whose bytes do not add up to its files (a bug, an operator's hand in the database).
    IntakeRecord.objects.filter(pk=broken.pk).update(content=PDF[:20])
    assert intake_work() == 2
    broken.refresh_from_db()
    good.refresh_from_db()
    assert broken.state == IntakeState.FAILED and broken.error["extra"]["rule"] == "internal"
    assert broken.error["status"] == 500 and good.state == IntakeState.DONE
    assert not Application.objects.filter(intake=broken).exists()
    assert AuditEvent.objects.filter(action="services.intake.fail", object_id=str(broken.pk)).count() == 1
    # Received all the same: the receipt's event survives the rolled-back attempt.
    assert AuditEvent.objects.filter(action="services.intake.receive", object_id=str(broken.pk)).count() == 1


def _full_width(text: str) -> str:
    """``text`` as a Chinese input method in full-width mode types it (U+FF01–U+FF5E for ASCII)."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def test_a_receipt_and_code_typed_full_width_track_as_ascii(client, casework):
    """docs/services.md: full-width digits, hyphens and letters typed with a Chinese input method
    are read as ASCII on /services/track/; a receipt is tracked there as a case number is (the
    receipt page's API too). Before the fix a full-width ＳＬ… receipt was taken for a case number
    and a full-width code never matched: 404 for the right receipt and code."""
    record = _submit(casework)
    receipt, code = _full_width(record.receipt), _full_width(record.query_code)
    page = client.get("/services/track/", {"number": receipt, "code": code})
    assert page.status_code == 200 and record.receipt in page.content.decode()
    tracked = Client().get(f"/api/v1/services/receipts/{receipt}", {"code": code})
    assert tracked.status_code == 200 and tracked.json()["receipt"] == record.receipt
    # still one answer for a wrong code typed full width
    assert client.get("/services/track/", {"number": receipt, "code": _full_width("2222-2222")}).status_code == 404


def test_metrics_show_the_backlog_its_oldest_age_and_the_failures(client, casework):
    """A stopped intake worker leaves every online submission 受理中 with nothing on /metrics to
    alert on (the broker's queue does not hold intake records): the backlog is exported."""
    import re

    def sample(text: str, name: str) -> float | None:
        found = re.search(rf"^{name} (\S+)$", text, re.M)
        return float(found[1]) if found else None

    text = client.get("/metrics").content.decode()
    assert (sample(text, "egov_intake_waiting"), sample(text, "egov_intake_failed")) == (0, 0)
    assert sample(text, "egov_intake_oldest_waiting_age_seconds") is None  # none waits
    _fail(casework, _submit(casework, key="metrics-key-0001"))
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    oldest = _submit(casework, key="metrics-key-0002")
    _submit(casework, key="metrics-key-0003")
    IntakeRecord.objects.filter(pk=oldest.pk).update(received_at=oldest.received_at - timedelta(seconds=600))
    text = client.get("/metrics").content.decode()
    assert (sample(text, "egov_intake_waiting"), sample(text, "egov_intake_failed")) == (2, 1)
    assert 600 <= sample(text, "egov_intake_oldest_waiting_age_seconds") < 900


def test_applying_again_from_a_failed_receipt_refuses_the_operators_retry(client, casework):
    """A failed receipt never becomes two cases: the citizen's "Apply again" (the tester, session 8)."""
    record = _fail(casework, _submit(casework))
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    client.force_login(casework.citizen)
    receipt_url = f"/services/receipts/{record.receipt}/"
    link = f"/services/{casework.item.code}/apply/?replaces={record.receipt}"
    assert f'href="{link}"' in client.get(receipt_url).content.decode()
    assert f'name="replaces" value="{record.receipt}"' in client.get(link).content.decode()
    material = casework.item.materials.get(required=True)
    again, created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                   files={material.pk: PDF}, idempotency_key="intake-again-0001",
                                   replaces=record.receipt)
    assert created and again.replaces_id == record.pk

    zh = client.get(receipt_url).content.decode()
    en = client.get(receipt_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="replaced-by"' in zh and f'href="/services/receipts/{again.receipt}/"' in zh
    assert 'id="apply-again"' not in zh and "您已重新申请" in zh
    assert "You have applied again" in en

    with pytest.raises(Conflict) as raised:
        intake_retry(actor=_operator(casework), record=record)
    assert raised.value.extra == {"field": "state", "rule": "replaced", "receipt": again.receipt}
    record.refresh_from_db()
    assert record.state == IntakeState.FAILED
    assert intake_work() == 1 and Application.objects.count() == 1
    event = AuditEvent.objects.get(action="services.intake.receive", object_id=str(again.pk))  # by the worker
    assert event.changes["replaces"] == record.receipt


def test_a_failed_receipt_is_applied_again_for_once_and_a_replay_of_that_gets_its_receipt(casework):
    record = _fail(casework, _submit(casework))
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    casework.item.refresh_from_db()
    material = casework.item.materials.get(required=True)

    def apply_again(key: str):
        return intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                             files={material.pk: PDF}, idempotency_key=key, replaces=record.receipt)

    again, created = apply_again("intake-again-0001")
    assert created
    replay, created = apply_again("intake-again-0001")  # a double click: the same record, nothing new
    assert (replay.pk, created) == (again.pk, False)
    with pytest.raises(Conflict) as raised:  # another tab: the insert meets intake_replaced_once
        apply_again("intake-again-0002")
    assert raised.value.extra == {"field": "replaces", "rule": "replaced", "receipt": again.receipt}
    assert again.receipt in raised.value.message and record.receipt in raised.value.message
    assert IntakeRecord.objects.count() == 2
    assert intake_work() == 1 and Application.objects.get().intake_id == again.pk


def test_an_operators_retry_between_the_check_and_the_insert_fails_the_new_submission_not_a_second_case(casework):
    """The public site locks nothing (its role may only insert): an operator's retry that commits
    after the citizen's "Apply again" was checked but before it was inserted (so the retry saw no
    replacement) is found by the worker, which makes one case of the two, the retried one."""
    record = _fail(casework, _submit(casework))
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    casework.item.refresh_from_db()
    material = casework.item.materials.get(required=True)
    again, created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                   files={material.pk: PDF}, idempotency_key="intake-again-0001",
                                   replaces=record.receipt)
    assert created
    IntakeRecord.objects.filter(pk=record.pk).update(state=IntakeState.WAITING, error={})  # the retry, committed
    assert intake_work() == 2
    record.refresh_from_db()
    again.refresh_from_db()
    assert record.state == IntakeState.DONE and Application.objects.get().intake_id == record.pk
    assert again.state == IntakeState.FAILED
    assert again.error["extra"] == {"field": "replaces", "rule": "retried", "receipt": record.receipt}
    assert again.error["status"] == 409 and record.receipt in again.error["message"]


def test_once_an_operator_retried_the_receipt_shows_the_case_and_applying_again_for_it_is_refused(client, casework):
    record = _fail(casework, _submit(casework))
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    intake_retry(actor=_operator(casework), record=record)
    client.force_login(casework.citizen)
    receipt_url = f"/services/receipts/{record.receipt}/"
    assert 'id="apply-again"' not in client.get(receipt_url).content.decode()
    material = casework.item.materials.get(required=True)
    with pytest.raises(Conflict) as raised:
        intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                      files={material.pk: PDF}, idempotency_key="intake-again-0002", replaces=record.receipt)
    assert raised.value.extra == {"field": "replaces", "rule": "retried", "receipt": record.receipt}
    assert IntakeRecord.objects.count() == 1
    assert intake_work() == 1
    page = client.get(receipt_url).content.decode()
    application = Application.objects.get(intake=record)
    assert f'href="/services/applications/{application.number}/"' in page and 'id="apply-again"' not in page


def test_the_staff_navigation_links_to_the_intake_queue_for_operators_only(client, casework):
    link = 'href="/staff/cases/intake/"'
    client.force_login(casework.staff["clerk"])
    assert link not in client.get("/staff/").content.decode()
    _operator(casework, client)
    page = client.get("/staff/").content.decode()
    assert link in page and "受理队列" in page.split('id="navigation"', 1)[1].split("</ul>", 1)[0]


PDF_SHA256 = hashlib.sha256(PDF).hexdigest()


def test_the_public_half_writes_the_record_alone_and_the_worker_stores_and_audits(casework):
    """issue 18: the public site inserts the intake record, its file's bytes inside it, and nothing
    else; the worker stores the file, audits the receipt in the request's name and makes the case."""
    material = casework.item.materials.get(required=True)
    events = AuditEvent.objects.count()
    with request_scope(client_ip="203.0.113.7", request_id="a" * 32):
        record, created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                        files={material.pk: PDF}, idempotency_key="intake-only-0001")
    assert created and AuditEvent.objects.count() == events
    assert not StoredFile.objects.filter(sha256=PDF_SHA256).exists() and not blob_path(PDF_SHA256).exists()
    record = IntakeRecord.objects.get(pk=record.pk)
    assert bytes(record.content) == PDF and (record.client_ip, record.request_id) == ("203.0.113.7", "a" * 32)
    assert record.files == [{"material": material.pk, "sha256": PDF_SHA256, "kind": "pdf", "size": len(PDF)}]

    assert intake_work() == 1
    record.refresh_from_db()
    assert record.state == IntakeState.DONE and record.content is None
    stored = StoredFile.objects.get(sha256=PDF_SHA256)
    assert (stored.kind, stored.size) == ("pdf", len(PDF)) and blob_path(PDF_SHA256).read_bytes() == PDF
    assert list(record.application.materials.values_list("file__sha256", flat=True)) == [PDF_SHA256]
    receive = AuditEvent.objects.get(action="services.intake.receive", object_id=str(record.pk))
    submit = AuditEvent.objects.get(action="services.application.submit")
    assert receive.seq < submit.seq
    assert (receive.client_ip, receive.request_id) == ("203.0.113.7", "a" * 32)
    assert receive.changes["files"] == [{"material": material.pk, "sha256": PDF_SHA256, "kind": "pdf",
                                         "size": len(PDF)}]
    assert receive.changes["received_at"] == record.received_at.isoformat()


def test_a_failed_record_is_audited_as_received_keeps_its_files_and_a_retry_makes_the_case(casework):
    record = _fail(casework, _submit(casework, key="intake-kept-0001"))
    assert record.state == IntakeState.FAILED and bytes(record.content) == PDF
    assert not StoredFile.objects.filter(sha256=PDF_SHA256).exists()
    assert [e.action for e in AuditEvent.objects.filter(object_id=str(record.pk),
                                                        object_type="services.intakerecord").order_by("seq")
            ] == ["services.intake.receive", "services.intake.fail"]
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    intake_retry(actor=_operator(casework), record=record)
    assert intake_work() == 1
    record.refresh_from_db()
    assert record.state == IntakeState.DONE and record.content is None
    assert list(record.application.materials.values_list("file__sha256", flat=True)) == [PDF_SHA256]
    # Audited as received once, at the first attempt.
    assert AuditEvent.objects.filter(action="services.intake.receive", object_id=str(record.pk)).count() == 1
