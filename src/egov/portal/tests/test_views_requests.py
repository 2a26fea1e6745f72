"""Public and staff pages of requests for government information (Django's test client, PostgreSQL)."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.audit.models import AuditEvent
from egov.portal import actions
from egov.portal.models import RequestStatus
from egov.portal.selectors import request_due_years_unknown

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% answer letter\n%%EOF\n"


@pytest.mark.parametrize("url", ["/disclosure-requests/", "/disclosure-requests/new/",
                                 "/disclosure-requests/YSQ-20261102-0001/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_staff_pages_need_staff(client, office):
    response = client.get("/staff/disclosure/requests/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(office.citizen)
    assert client.get("/staff/disclosure/requests/").status_code == 302


def test_english_pages_name_the_agencies_in_english(client, office):
    office.agency.name_en = "Wuxi Finance Bureau"
    office.agency.save(update_fields=["name_en"])
    request = office.submit()
    client.force_login(office.citizen)
    form = client.get("/disclosure-requests/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<option value="{office.agency.pk}">Wuxi Finance Bureau</option>' in form
    for url in ("/disclosure-requests/", f"/disclosure-requests/{request.number}/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Wuxi Finance Bureau" in page and "无锡市财政局" not in page, url


def test_a_citizen_requests_and_follows_the_request(client, office):
    client.force_login(office.citizen)
    html = client.get("/disclosure-requests/new/").content.decode()
    assert 'for="id_description"' in html and "无锡市财政局" in html and "无锡市教育局" in html
    response = client.post("/disclosure-requests/new/", {
        "agency": office.agency.pk, "description": "2026年预算执行报告", "form_wanted": "electronic",
        "email": "zhang@example.cn"})
    assert response.status_code == 302
    row = office.citizen.disclosure_requests.get()
    assert response["Location"] == f"/disclosure-requests/{row.number}/"
    html = client.get(response["Location"]).content.decode()
    assert row.number in html and "已提交" in html
    assert row.number in client.get("/disclosure-requests/").content.decode()


def test_a_double_submit_of_the_form_makes_one_request(client, office):
    # Tester 8, finding 5: the blank form carries a fresh key; the same form sent twice is one request.
    client.force_login(office.citizen)
    html = client.get("/disclosure-requests/new/").content.decode()
    key = re.search(r'<input type="hidden" name="idempotency_key" value="([0-9a-f]{32})">', html).group(1)
    assert key not in client.get("/disclosure-requests/new/").content.decode()  # each blank form its own
    data = {"agency": office.agency.pk, "description": "2026年预算执行报告", "form_wanted": "electronic",
            "email": "zhang@example.cn", "idempotency_key": key}
    first = client.post("/disclosure-requests/new/", data)
    second = client.post("/disclosure-requests/new/", data)
    row = office.citizen.disclosure_requests.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/disclosure-requests/{row.number}/"


def test_a_form_sent_back_with_errors_keeps_its_key(client, office):
    client.force_login(office.citizen)
    response = client.post("/disclosure-requests/new/", {"agency": office.agency.pk, "description": "某文件",
                                                         "form_wanted": "paper", "phone": "13800000000",
                                                         "idempotency_key": "kept-key-0001"})
    assert response.status_code == 400
    assert '<input type="hidden" name="idempotency_key" value="kept-key-0001">' in response.content.decode()


def test_the_form_shows_the_actions_errors_on_their_fields(client, office):
    client.force_login(office.citizen)
    response = client.post("/disclosure-requests/new/", {"agency": office.agency.pk, "description": "某文件",
                                                         "form_wanted": "paper", "phone": "13800000000"})
    assert response.status_code == 400
    assert 'id="id_address_error"' in response.content.decode()
    assert not office.citizen.disclosure_requests.exists()


def test_another_citizen_gets_not_found(client, office):
    row = office.submit()
    client.force_login(office.stranger)
    assert client.get(f"/disclosure-requests/{row.number}/").status_code == 404


def test_the_office_registers_and_answers_and_the_citizen_sees_the_answer(client, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    row = office.submit()
    client.force_login(office.officer)
    queue = client.get("/staff/disclosure/requests/").content.decode()
    assert row.number in queue
    html = client.get(f"/staff/disclosure/requests/{row.number}/").content.decode()
    assert office.citizen.natural_person.id_number in html and "zhang@example.cn" in html
    assert AuditEvent.objects.filter(action="portal.disclosure_request.read", object_id=str(row.pk),
                                     actor_id=office.officer.pk).count() == 1
    response = client.post(f"/staff/disclosure/requests/{row.number}/steps/register/", {})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == RequestStatus.RECEIVED and row.due_on is not None
    response = client.post(f"/staff/disclosure/requests/{row.number}/steps/answer/", {
        "answer-kind": "not_disclosed", "answer-text": "涉及第三方商业秘密"})
    assert response.status_code == 400 and 'id="id_answer-legal_basis_error"' in response.content.decode()
    response = client.post(f"/staff/disclosure/requests/{row.number}/steps/answer/", {
        "answer-kind": "disclosed", "answer-text": "所申请信息见附件",
        "answer-file": SimpleUploadedFile("answer.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302
    client.force_login(office.citizen)
    html = client.get(f"/disclosure-requests/{row.number}/").content.decode()
    assert "予以公开" in html and "所申请信息见附件" in html
    download = client.get(f"/disclosure-requests/{row.number}/answer.pdf")
    assert download.status_code == 200 and download.content == PDF and download["Content-Type"] == "application/pdf"


def test_staff_of_another_agency_or_without_the_role_get_not_found(client, office):
    row = office.submit()
    for person in (office.other_officer, office.clerk):
        client.force_login(person)
        assert client.get(f"/staff/disclosure/requests/{row.number}/").status_code == 404
        assert client.post(f"/staff/disclosure/requests/{row.number}/steps/register/", {}).status_code == 404
        assert row.number not in client.get("/staff/disclosure/requests/").content.decode()


def test_the_queue_puts_overdue_first_with_text_badges(client, office):
    later = office.registered(date.today())
    overdue = office.registered(date(2026, 9, 28))
    client.force_login(office.officer)
    html = client.get("/staff/disclosure/requests/").content.decode()
    assert html.index(overdue.number) < html.index(later.number)
    assert "govuk-tag--red" in html and "已超期" in html


def test_a_correction_is_asked_and_made_through_the_pages(client, office):
    row = office.registered(date.today())
    client.force_login(office.officer)
    response = client.post(f"/staff/disclosure/requests/{row.number}/steps/request_correction/", {
        "request_correction-note": "请写明文件的年度", "request_correction-period_days": "10"})
    assert response.status_code == 302
    client.force_login(office.citizen)
    html = client.get(f"/disclosure-requests/{row.number}/").content.decode()
    assert "请写明文件的年度" in html and f'action="/disclosure-requests/{row.number}/correct/"' in html
    response = client.post(f"/disclosure-requests/{row.number}/correct/", {"description": "2025年度预算执行报告"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == RequestStatus.CORRECTED and row.description == "2025年度预算执行报告"


def test_the_home_pages_link_to_requests(client, office):
    assert 'href="/disclosure-requests/new/"' in client.get("/").content.decode()
    office.submit()
    client.force_login(office.officer)
    html = client.get("/staff/").content.decode()
    assert 'href="/staff/disclosure/requests/"' in html and "1 件办理中的申请" in html
    client.force_login(office.clerk)  # not in the disclosure office: no summary
    assert "件办理中的申请" not in client.get("/staff/").content.decode()


def test_a_due_date_in_a_year_without_its_holiday_schedule_is_shown_as_provisional(client, office):
    # Tester 8, finding 12. The test database has the schedules up to 2026, not 2027's. Received
    # 2026-12-21 (Monday): 20 working days are 12-22…25, 12-28…31, then 2027 by the fallback rule
    # (01-01 元旦 off, weekends off): 01-04…08, 01-11…15, 01-18, 01-19 → due 2027-01-19, provisional.
    late = office.registered(date(2026, 12, 21))
    assert late.due_on == date(2027, 1, 19)
    assert request_due_years_unknown(request=late) == [2027]
    early = office.registered(date(2026, 9, 28))  # due 2026-10-30: 2026's schedule is loaded
    assert request_due_years_unknown(request=early) == []
    client.force_login(office.officer)
    html = client.get(f"/staff/disclosure/requests/{late.number}/").content.decode()
    assert 'id="due-provisional"' in html and "2027 年的节假日安排尚未导入" in html
    assert 'id="due-provisional"' not in client.get(f"/staff/disclosure/requests/{early.number}/").content.decode()
    actions.request_answer(actor=office.officer, request=late, kind="disclosed", text="见附件")
    late.refresh_from_db()
    assert request_due_years_unknown(request=late) == []  # answered: the date no longer matters


def test_the_citizen_reads_why_the_answer_was_extended(client, office):
    # 第三十三条第二款: the applicant is told of the extension and its reason, on the request's page too.
    row = office.registered(date(2026, 9, 28))
    actions.request_extend(actor=office.head, request=row, days=20, reason="需调取归档纸质材料",
                           today=date(2026, 10, 9))
    client.force_login(office.citizen)
    page = client.get(f"/disclosure-requests/{row.number}/").content.decode()
    assert "需调取归档纸质材料" in page
