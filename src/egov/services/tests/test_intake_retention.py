"""Loose ends of the intake inbox (issue 18, fix10): a failed record's files' bytes are not kept
forever, a retry that cannot succeed is neither offered nor accepted, and the apply page gives a
fresh idempotency key with the error "same key, changed form"."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict
from egov.services.actions.applying import intake_submit
from egov.services.actions.intake import intake_files_expire, intake_retry, intake_work
from egov.services.models import Application, IntakeRecord, IntakeState, ServiceItem
from egov.services.tests.factories import PDF, VALID_COMPANY
from egov.services.tests.test_casework_views import _apply_post, _upload
from egov.services.tests.test_intake import _fail, _operator, _submit


def _drops(record: IntakeRecord) -> list[dict]:
    return [e.changes for e in AuditEvent.objects.filter(action="services.intake.files_drop",
                                                         object_id=str(record.pk)).order_by("seq")]


def _again(casework, record: IntakeRecord, key: str) -> IntakeRecord:
    material = casework.item.materials.get(required=True)
    again, created = intake_submit(actor=casework.citizen, item=casework.item, form_data=VALID_COMPANY,
                                   files={material.pk: PDF + b"% again"}, idempotency_key=key,
                                   replaces=record.receipt)
    assert created
    return again


def test_a_replaced_failure_loses_its_bytes_when_the_new_one_is_taken_and_is_not_offered_for_retry(client, casework):
    record = _fail(casework, _submit(casework, key="retention-0001"))
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    assert bytes(IntakeRecord.objects.get(pk=record.pk).content) == PDF  # kept while it may be retried
    again = _again(casework, record, "retention-0002")
    assert intake_work() == 1
    record.refresh_from_db()
    assert record.state == IntakeState.FAILED and record.content is None
    assert _drops(record) == [{"reason": "replaced", "state": "failed",
                               "files": [{"material": record.files[0]["material"], "sha256": record.files[0]["sha256"],
                                          "size": len(PDF)}]}]
    assert Application.objects.get().intake_id == again.pk
    # The operator's page shows why instead of a button; a retry posted anyway is refused, saying so.
    _operator(casework, client)
    html = client.get("/staff/cases/intake/").content.decode()
    row = html[html.index(record.receipt):]
    row = row[:row.index("</tr>")]
    assert f'action="/staff/cases/intake/{record.receipt}/retry/"' not in html
    assert f'id="retry-refused-{record.receipt}"' in row and again.receipt in row and "不能重新处理" in row
    response = client.post(f"/staff/cases/intake/{record.receipt}/retry/", follow=True)
    assert again.receipt in response.content.decode()
    overview = client.get("/api/v1/staff/intake/").json()
    entry = next(e for e in overview["failed"] if e["receipt"] == record.receipt)
    assert entry["retry"] is False and entry["retry_refused"]["extra"] == {
        "field": "state", "rule": "replaced", "receipt": again.receipt}


def test_a_failure_that_applied_again_for_a_retried_one_cannot_be_retried(casework):
    """"Already retried": the new submission failed because the operator put the old one back in
    the queue first; retrying the new one would fail the same way (409) forever."""
    record = _fail(casework, _submit(casework, key="retention-0003"))
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    again = _again(casework, record, "retention-0004")
    # The operator's retry committed between the public site's check and its insert (it saw no
    # replacement then): as test_intake's race test does it.
    IntakeRecord.objects.filter(pk=record.pk).update(state=IntakeState.WAITING, error={})
    operator = _operator(casework)
    assert intake_work() == 2
    again.refresh_from_db()
    assert again.state == IntakeState.FAILED and again.error["extra"]["rule"] == "retried"
    with pytest.raises(Conflict) as raised:
        intake_retry(actor=operator, record=again)
    assert raised.value.extra == {"field": "state", "rule": "retried", "receipt": record.receipt}
    assert Application.objects.filter(intake=record).count() == 1 and not Application.objects.filter(intake=again)


def test_failed_bytes_are_deleted_after_30_calendar_days_audited_and_a_retry_is_refused(client, casework):
    record = _fail(casework, _submit(casework, key="retention-0005"))
    ServiceItem.objects.filter(pk=casework.item.pk).update(is_published=True)
    failed_at = record.processed_at
    # 30 calendar days (not working days): kept on the 30th day, gone after it.
    assert intake_files_expire(now=failed_at + timedelta(days=30) - timedelta(seconds=1)) == 0
    assert intake_files_expire(now=failed_at + timedelta(days=30, seconds=1)) == 1
    assert intake_files_expire(now=failed_at + timedelta(days=31)) == 0  # once
    record.refresh_from_db()
    assert record.content is None and record.state == IntakeState.FAILED
    assert _drops(record)[0]["reason"] == "retention" and _drops(record)[0]["days"] == 30
    with pytest.raises(Conflict) as raised:
        intake_retry(actor=_operator(casework), record=record)
    assert raised.value.extra == {"field": "content", "rule": "files_deleted"}
    record.refresh_from_db()
    assert record.state == IntakeState.FAILED and intake_work() == 0


def test_a_retryable_failure_keeps_its_button_and_a_waiting_record_is_never_swept(client, casework):
    record = _fail(casework, _submit(casework, key="retention-0006"))
    waiting = _submit(casework, key="retention-0007")
    assert intake_files_expire(now=timezone.now() + timedelta(days=365)) == 1
    waiting.refresh_from_db()
    assert bytes(waiting.content) == PDF
    other = _fail(casework, waiting)  # failed now: kept, retry offered
    _operator(casework, client)
    html = client.get("/staff/cases/intake/").content.decode()
    assert f'action="/staff/cases/intake/{other.receipt}/retry/"' in html
    assert f'action="/staff/cases/intake/{record.receipt}/retry/"' not in html


def test_the_same_key_with_a_changed_form_gets_a_fresh_key_and_the_next_submit_goes_through_once(client, casework):
    client.force_login(casework.citizen)
    material = casework.item.materials.get(required=True)
    url = f"/services/{casework.item.code}/apply/"
    first = client.post(url, {**_apply_post(casework.item), **_upload(material)})
    assert first.status_code == 302
    # Back in the browser, a field changed, sent with the page's old key: refused, with a new key.
    changed = _apply_post(casework.item, **{"form-shareholders": "3"})
    response = client.post(url, {**changed, **_upload(material)})
    html = response.content.decode()
    assert response.status_code == 400 and "page-key-000001" not in html
    record = IntakeRecord.objects.get()
    assert record.receipt in html and "发送即为新的申请" in html
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)
    # The corrected form goes through under the new key, once however often it is clicked.
    again = [client.post(url, {**changed, "idempotency_key": key, **_upload(material)}) for _click in range(2)]
    assert again[0].status_code == again[1].status_code == 302 and again[0]["Location"] == again[1]["Location"]
    assert IntakeRecord.objects.count() == 2
    assert intake_work() == 2 and Application.objects.count() == 2
    assert sorted(a.form_data["shareholders"] for a in Application.objects.all()) == [2, 3]


def test_a_fault_whose_files_were_deleted_no_longer_promises_the_applicant_an_operators_retry(client, casework):
    """Found by testerA: a record failed by a fault on the platform's side (``internal``) told its
    applicant "an operator will register it again" and "you may instead wait" on the receipt page
    and in the receipt API even after the sweep deleted its files, when no retry can ever register
    it (the operator's page refuses with ``files_deleted``): the applicant waited for nothing."""
    record = _submit(casework, key="retention-0008")
    IntakeRecord.objects.filter(pk=record.pk).update(content=PDF[:20])  # bytes that do not add up: a fault
    assert intake_work() == 1
    record.refresh_from_db()
    assert record.error["extra"]["rule"] == "internal"
    client.force_login(casework.citizen)
    page = f"/services/receipts/{record.receipt}/"
    api = f"/api/v1/services/receipts/{record.receipt}?code={record.query_code}"
    # While the files are kept, the wait is offered (an operator may still register it).
    assert "运维人员将重新处理" in client.get(page).content.decode()
    assert "operator will register it again" in client.get(api, HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert intake_files_expire(now=record.processed_at + timedelta(days=31)) == 1
    zh = client.get(page).content.decode()
    en = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for html in (zh, en):
        assert 'id="apply-again"' in html
    assert "运维人员将重新处理" not in zh and "您也可以等待" not in zh and "已被删除" in zh
    assert "will register it again" not in en and "you may instead wait" not in en
    assert 'id="files-deleted"' in en and "can no longer be registered" in en
    # Said once, in the error summary, not again in the paragraph below it (found by a look at the page).
    assert zh.count("已被删除") == 1 and en.count("have since been deleted") == 1
    answer = client.get(api, HTTP_ACCEPT_LANGUAGE="en").json()
    assert answer["state"] == "failed" and "will register it again" not in answer["error"]["message"]
    assert answer["error"]["extra"] == {"rule": "internal", "error": "ValueError", "files_deleted": True}


def test_a_failure_not_a_fault_whose_files_were_deleted_still_says_so_once(client, casework):
    """Found by testerB: the deletion was said only by the paragraph below the error summary, and
    for a fault by the summary too; that paragraph was shortened so that a fault's page says it once,
    and a failure of any other reason (here the item was withdrawn from online applying) then said it
    nowhere: the applicant was not told that the files they sent were gone."""
    record = _fail(casework, _submit(casework, key="retention-0009"))
    assert record.error["extra"]["rule"] == "online"
    assert intake_files_expire(now=record.processed_at + timedelta(days=31)) == 1
    client.force_login(casework.citizen)
    page = f"/services/receipts/{record.receipt}/"
    zh = client.get(page).content.decode()
    en = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "该事项已不能在线申请。" in zh and "This item cannot be applied for online any more." in en
    assert zh.count("已被删除") == 1 and en.count("have since been deleted") == 1
    assert "您也可以等待" not in zh and "you may instead wait" not in en


def test_the_refusal_names_the_days_the_files_were_kept_not_todays_setting(client, casework, settings):
    """Found by testerA: a sweep run with ``EGOV_INTAKE_FAILED_FILES_DAYS=0`` (the worker's
    environment, or the setting changed since) deleted the files at once, and the retry refusal said
    "deleted 30 days after it failed" — the web process's setting, not what happened. The days come
    from the deletion's audit event (``services.intake.files_drop``, ``days``)."""
    record = _fail(casework, _submit(casework, key="retention-0009"))
    settings.EGOV_INTAKE_FAILED_FILES_DAYS = 0
    assert intake_files_expire(now=record.processed_at + timedelta(seconds=1)) == 1
    settings.EGOV_INTAKE_FAILED_FILES_DAYS = 30
    with pytest.raises(Conflict) as raised:
        intake_retry(actor=_operator(casework, client), record=record)
    assert raised.value.extra == {"field": "content", "rule": "files_deleted"}
    assert "deleted 0 days after it failed" in str(raised.value.message) or "失败 0 天后" in str(raised.value.message)
    overview = client.get("/api/v1/staff/intake/", HTTP_ACCEPT_LANGUAGE="en").json()
    entry = next(e for e in overview["failed"] if e["receipt"] == record.receipt)
    assert entry["retry"] is False and "deleted 0 days after it failed" in entry["retry_refused"]["message"]
    html = client.get("/staff/cases/intake/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "deleted 0 days after it failed" in html and "deleted 30 days" not in html
