"""The subject's objection and repair forms and the credit office's pages, through the Django client. Dates
worked by hand on the 2025 schedule (国办发明电〔2024〕12号: 9-28 Sunday worked, 10-01…10-08 off)."""

from datetime import date

import pytest
from django.urls import get_resolver
from freezegun import freeze_time

from egov.accounts.tests.factories import LegalPersonFactory
from egov.audit.models import AuditEvent
from egov.credit import actions
from egov.credit.models import CreditRecord, CreditRequest, RequestStatus, Status
from egov.credit.tests.test_requests import listing
from egov.orgs.roles import Role

pytestmark = pytest.mark.django_db

MINE = "/credit/mine/"
LIST = "/staff/credit/requests/"


@pytest.fixture(autouse=True)
def urls_loaded():
    """Import the URLconf (and the API schemas it builds) before the clock is frozen: pydantic cannot
    build a schema of freezegun's date class."""
    get_resolver().url_patterns  # noqa: B018


@freeze_time("2025-09-26 10:00:00+08:00")
def test_the_subject_objects_and_the_credit_office_accepts(
    client,
    registers,
    approver,
    market,
    credit_officer,
    enterprise,
    make_staff,
):
    record = listing(approver, market)
    assert client.get(MINE).status_code == 302  # to the sign-in page
    client.force_login(enterprise.user)
    page = client.get(MINE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert record.number in page and "2025-10-10" in page and f"/credit/mine/{record.number}/objection/" in page
    form = f"/credit/mine/{record.number}/objection/"
    assert client.post(form, {"reason": " "}).status_code == 400
    response = client.post(form, {"reason": "处罚决定已被复议撤销"}, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.redirect_chain == [(MINE, 302)]
    request = CreditRequest.objects.get()
    # Friday 2025-09-26 + 7 working days: 9-28, 9-29, 9-30, 10-09, 10-10, 10-11, 10-13.
    assert (request.number, request.answer_due) == ("YY-20250926-0001", date(2025, 10, 13))
    assert "YY-20250926-0001" in response.content.decode() and "2025-10-13" in response.content.decode()
    # Tester's Low 9: the open objection is not offered again (a second one would be 409).
    assert form not in response.content.decode() and "异议待信用管理机构答复" in response.content.decode()

    client.force_login(make_staff(market, [Role.CLERK]))
    assert client.get(LIST).status_code == 403
    client.force_login(credit_officer)
    listed = client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "YY-20250926-0001" in listed and "无锡示例科技有限公司" in listed
    url = f"{LIST}YY-20250926-0001/"
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="credit.request.read", object_id=str(request.pk)).exists()
    assert client.post(url, {"decision": "accept", "reasons": ""}).status_code == 400
    response = client.post(url, {"decision": "accept", "reasons": "认定有误"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED and CreditRecord.objects.get().status == Status.REVOKED


def test_an_objection_after_the_window_shows_the_day_it_closed(
    client,
    registers,
    approver,
    market,
    enterprise,
):
    with freeze_time("2025-09-26 10:00:00+08:00"):
        record = listing(approver, market)
    client.force_login(enterprise.user)
    with freeze_time("2025-10-11 10:00:00+08:00"):
        response = client.post(
            f"/credit/mine/{record.number}/objection/", {"reason": "迟到的异议"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 400
    assert "2025-10-10" in response.content.decode()
    assert not CreditRequest.objects.exists()


def test_repair_is_offered_from_its_date_and_refused_before(
    client,
    registers,
    approver,
    market,
    enterprise,
):
    with freeze_time("2025-09-26 10:00:00+08:00"):
        record = listing(approver, market)
    # Published 2025-10-11; repair from 2026-09-26, 1 year after the decision (国办发〔2025〕22号 二).
    actions.credit_daily(today=date(2025, 10, 11))
    client.force_login(enterprise.user)
    with freeze_time("2026-09-25 10:00:00+08:00"):
        page = client.get(MINE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "2026-09-26" in page and f"{record.number}/repair/" not in page
        refused = client.post(f"/credit/mine/{record.number}/repair/", {"reason": "已纠正"})
        assert refused.status_code == 400 and "2026-09-26" in refused.content.decode()
    with freeze_time("2026-09-28 10:00:00+08:00"):
        assert f"{record.number}/repair/" in client.get(MINE).content.decode()
        client.post(f"/credit/mine/{record.number}/repair/", {"reason": "已履行全部义务"})
        # Tester's Low 9: while it awaits the answer, neither the repair form nor a second one is offered.
        page = client.get(MINE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert f"{record.number}/repair/" not in page and "信用修复申请待信用管理机构答复" in page
        assert f"{record.number}/objection/" in page  # an objection to the published record is still possible
    assert CreditRequest.objects.get().number == "XF-20260928-0001"
    # Another enterprise's account cannot reach the record's forms.
    client.force_login(LegalPersonFactory().user)
    assert client.get(f"/credit/mine/{record.number}/repair/").status_code == 404


def test_an_objection_carries_its_supporting_file(client, registers, approver, market, enterprise, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    with freeze_time("2025-09-26 10:00:00+08:00"):
        record = listing(approver, market)
        client.force_login(enterprise.user)
        form = f"/credit/mine/{record.number}/objection/"
        html = SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
        refused = client.post(form, {"reason": "见附件", "attachment": html})
        assert refused.status_code == 400 and not CreditRequest.objects.exists()
        pdf = SimpleUploadedFile("复议决定书.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
        assert client.post(form, {"reason": "见附件", "attachment": pdf}).status_code == 302
    stored = CreditRequest.objects.get().attachment
    assert stored is not None and stored.kind == "pdf"


@freeze_time("2025-09-26 10:00:00+08:00")
def test_the_credit_offices_list_names_the_requests_it_shows_in_one_read_event(
    client, registers, approver, market, credit_officer, enterprise
):
    """Found by a tester: staff lists showing whom a request is about audited nothing (issue 17)."""
    record = listing(approver, market)
    client.force_login(enterprise.user)
    client.post(f"/credit/mine/{record.number}/objection/", {"reason": "处罚决定已被复议撤销"})
    request = CreditRequest.objects.get()
    client.force_login(credit_officer)
    assert "无锡示例科技有限公司" in client.get(LIST).content.decode()
    (event,) = AuditEvent.objects.filter(action="credit.request.read_list")
    assert (event.actor_id, event.object_type, event.changes) == (
        credit_officer.pk,
        "credit.creditrequest",
        {"all": False, "shown": [str(request.pk)], "count": 1},
    )


def test_the_credit_office_downloads_the_supporting_file(
    client, registers, approver, market, enterprise, credit_officer, make_staff, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24  # the PNG signature (ISO/IEC 15948 §5.2)
    with freeze_time("2025-09-26 10:00:00+08:00"):
        record = listing(approver, market)
        client.force_login(enterprise.user)
        # The client calls it a PDF; its bytes say PNG, and PNG is what is served.
        upload = SimpleUploadedFile("证明.pdf", png, content_type="application/pdf")
        client.post(f"/credit/mine/{record.number}/objection/", {"reason": "见附件", "attachment": upload})
    request = CreditRequest.objects.get()
    url = f"{LIST}{request.number}/attachment/"
    assert client.get(url).status_code == 302  # the subject is not staff: to the staff sign-in
    client.force_login(make_staff(market, [Role.DATA_STEWARD]))  # enters records, answers nothing
    assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="credit.request.attachment_read").exists()
    client.force_login(credit_officer)
    page = client.get(f"{LIST}{request.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and response.content == png
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="{request.number}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"  # tester's M3
    event = AuditEvent.objects.get(action="credit.request.attachment_read")
    assert (event.actor_id, event.object_id) == (credit_officer.pk, str(request.pk))
    assert event.changes["sha256"] == request.attachment.sha256
    # A request without a file, and a number that does not exist: 404.
    CreditRequest.objects.filter(pk=request.pk).update(attachment=None)
    assert client.get(url).status_code == 404
    assert client.get(f"{LIST}YY-20250926-9999/attachment/").status_code == 404
