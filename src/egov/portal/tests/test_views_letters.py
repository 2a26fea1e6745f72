"""Pages of letters to the mayor (Django's test client, PostgreSQL): writing, following, the staff
steps, publication, statistics; markup shown as text; the throttle's message."""

import re

import pytest

from egov.audit.models import AuditEvent
from egov.portal import actions_letters as actions

pytestmark = pytest.mark.django_db


def _number(html: str) -> str:
    return re.search(r"SZXX-\d{8}-\d{4}", html).group(0)


def test_public_pages_are_open_and_writing_needs_sign_in(client):
    assert client.get("/letters/").status_code == 200
    assert client.get("/letters/statistics/").status_code == 200
    for url in ("/letters/write/", "/letters/mine/", "/letters/mine/SZXX-20261206-0001/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), url
    assert client.get("/letters/SZXX-20261206-0001/").status_code == 404


def test_a_citizen_writes_and_markup_is_shown_as_text(client, mailbox):
    client.force_login(mailbox.citizen)
    response = client.post("/letters/write/", {"topic": "suggestion", "subject": "<script>alert(1)</script>",
                                                "body": "建议增设公交站<script>alert('x')</script>",
                                                "publish_consent": "on", "idempotency_key": "letter-form-0001"})
    assert response.status_code == 302
    letter = mailbox.citizen.letters.get()
    assert response["Location"] == f"/letters/mine/{letter.number}/"
    html = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert letter.number in client.get("/letters/mine/").content.decode()
    # Sent twice (a double click): one letter.
    client.post("/letters/write/", {"topic": "suggestion", "subject": "<script>alert(1)</script>",
                                    "body": "建议增设公交站<script>alert('x')</script>", "publish_consent": "on",
                                    "idempotency_key": "letter-form-0001"})
    assert mailbox.citizen.letters.count() == 1
    client.force_login(mailbox.stranger)  # another citizen cannot read it
    assert client.get(f"/letters/mine/{letter.number}/").status_code == 404


def test_empty_and_oversized_fields_are_form_errors(client, mailbox):
    client.force_login(mailbox.citizen)
    response = client.post("/letters/write/", {"topic": "help", "subject": "", "body": "长" * 5001})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_subject"' in html and 'href="#id_body"' in html
    assert not mailbox.citizen.letters.exists()


def test_the_flood_message(client, mailbox, settings):
    settings.EGOV_LETTERS_PER_ACCOUNT_HOUR = 1
    client.force_login(mailbox.citizen)
    form = {"topic": "help", "subject": "求助", "body": "路灯坏了"}
    assert client.post("/letters/write/", {**form, "idempotency_key": "flood-key-0001"}).status_code == 302
    response = client.post("/letters/write/", {**form, "idempotency_key": "flood-key-0002"})
    assert response.status_code == 429
    assert "60" in response.content.decode() and mailbox.citizen.letters.count() == 1
    # Above the form, in the error summary (not a problem of one field: no field is marked or linked).
    assert response.context["form"].non_field_errors() == [
        "您在短时间内提交的来信较多，请 60 分钟后再写；已提交的来信正在办理中。"]
    html = response.content.decode()
    assert "govuk-form-group--error" not in html and 'href="#id_body"' not in html


def test_a_single_checkbox_is_the_large_one_in_kiosk_mode(client, mailbox):
    client.force_login(mailbox.citizen)
    small = 'class="govuk-checkboxes govuk-checkboxes--small"'
    assert small in client.get("/letters/write/").content.decode()  # 同意公开, beside body text
    client.cookies["egov_kiosk"] = "1"
    page = client.get("/letters/write/").content.decode()
    assert small not in page and 'class="govuk-checkboxes" data-module="govuk-checkboxes"' in page


def test_staff_route_answer_and_publish(client, mailbox):
    letter = mailbox.write(body="我是张𠮷明，电话13912345678。楼下夜市噪音太大。")
    client.force_login(mailbox.dispatcher)
    assert letter.number in client.get("/staff/letters/").content.decode()
    page = client.get(f"/staff/letters/{letter.number}/").content.decode()
    assert "13912345678" in page and letter.writer_id_number in page
    assert AuditEvent.objects.filter(action="portal.letter.read", object_id=str(letter.pk)).exists()
    response = client.post(f"/staff/letters/{letter.number}/steps/route/", {"route-organization": mailbox.housing.pk})
    assert response.status_code == 302
    client.force_login(mailbox.other_handler)  # another organization's handler: not told it exists
    assert client.get(f"/staff/letters/{letter.number}/").status_code == 404
    assert client.post(f"/staff/letters/{letter.number}/steps/answer/", {"answer-text": "x"}).status_code == 404
    client.force_login(mailbox.handler)
    response = client.post(f"/staff/letters/{letter.number}/steps/answer/", {"answer-text": "已协调城管限时经营。"})
    assert response.status_code == 302
    client.force_login(mailbox.dispatcher)
    response = client.post(f"/staff/letters/{letter.number}/steps/publication/", {"publication-publish": "yes"})
    assert response.status_code == 302
    public = client.get(f"/letters/{letter.number}/").content.decode()
    assert "我是张**，电话139****5678。" in public and "13912345678" not in public and "张𠮷明" not in public
    assert "已协调城管限时经营。" in public
    listing = client.get("/letters/").content.decode()
    assert letter.number in listing and "共收到来信 1 件，已答复 1 件。" in listing and "按期答复率 100.0%。" in listing
    stats = client.get("/staff/letters/statistics/").content.decode()
    assert "无锡市住房和城乡建设局" in stats


def test_english_pages(client, mailbox):
    letter = mailbox.write()
    actions.letter_route(actor=mailbox.dispatcher, letter=letter, organization=mailbox.housing)
    client.force_login(mailbox.citizen)
    html = client.get(f"/letters/mine/{letter.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wuxi Housing Bureau" in html and "Being handled" in html
