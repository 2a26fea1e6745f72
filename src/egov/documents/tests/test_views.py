import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from egov.audit.models import AuditEvent
from egov.documents.models import OfficialDocument
from egov.documents.tests.conftest import advance_to_registering


@pytest.fixture
def client_of(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_pages_need_a_staff_sign_in(client, draft):
    for url in (reverse("documents:list"), reverse("documents:new"), reverse("documents:detail", args=[draft.pk]),
                reverse("documents:preview", args=[draft.pk]), reverse("documents:history", args=[draft.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("staff_accounts:login") in response["Location"]


def test_draft_page_creates_a_sanitized_draft(wuxi, client_of):
    client = client_of(wuxi.clerk)
    assert client.get(reverse("documents:new")).status_code == 200
    response = client.post(reverse("documents:new"), {
        "issuer": wuxi.government.pk, "kind": "notice", "title": "关于做好年度工作的通知", "classification": "public",
        "main_to": [wuxi.finance.pk], "disclosure": "proactive",
        "body": '<p>一、工作要求<script>alert("x")</script></p><img src=x onerror=alert(1)>',
    })
    document = OfficialDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:detail", args=[document.pk])
    assert document.body_html == "<p>一、工作要求</p>" and document.disclosure == "proactive"
    page = client.get(response["Location"]).content.decode()
    assert "alert" not in page and "onerror" not in page
    assert "关于做好年度工作的通知" in page


def test_draft_page_shows_the_actions_error_next_to_the_field(wuxi, client_of):
    client = client_of(wuxi.clerk)
    response = client.post(reverse("documents:new"), {
        "issuer": wuxi.government.pk, "kind": "request", "direction": "downward", "title": "关于……的请示",
        "classification": "public", "disclosure": "not_disclosed"})
    assert response.status_code == 400
    assert "上行文" in response.content.decode()
    assert not OfficialDocument.objects.exists()


def test_staff_without_a_clerk_role_cannot_draft(wuxi, client_of):
    assert client_of(wuxi.reviewer).get(reverse("documents:new")).status_code == 404


def test_outsider_gets_404_everywhere(wuxi, draft, client_of):
    client = client_of(wuxi.police_clerk)
    for name in ("detail", "preview", "history"):
        assert client.get(reverse(f"documents:{name}", args=[draft.pk])).status_code == 404
    assert client.post(reverse("documents:move", args=[draft.pk]), {"to": "reviewing"}).status_code == 404
    assert draft.title not in client.get(reverse("documents:list")).content.decode()


def test_recipient_sees_the_document_only_once_issued(wuxi, draft, client_of):
    url = reverse("documents:detail", args=[draft.pk])
    assert client_of(wuxi.finance_clerk).get(url).status_code == 404
    OfficialDocument.objects.filter(pk=draft.pk).update(status="issued")
    assert client_of(wuxi.finance_clerk).get(url).status_code == 200


def test_preview_renders_the_pdf_on_demand(wuxi, draft, client_of):
    response = client_of(wuxi.clerk).get(reverse("documents:preview", args=[draft.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # shown in the drafting page's frame


def test_edit_and_steps_through_the_page(wuxi, draft, client_of):
    client = client_of(wuxi.clerk)
    url = reverse("documents:detail", args=[draft.pk])
    edit = {"kind": "notice", "title": "新标题", "classification": "internal", "main_to": [wuxi.finance.pk],
            "body": "正文"}
    assert client.post(url, edit).status_code == 400  # 公开属性 not chosen
    refused = client.post(url, {**edit, "disclosure": "proactive"})  # 内部 and 主动公开 contradict
    assert refused.status_code == 400 and refused.context["form"].errors["disclosure"]
    response = client.post(url, {**edit, "disclosure": "on_request"})
    assert response.status_code == 302
    assert OfficialDocument.objects.get(pk=draft.pk).classification == "internal"
    client.post(reverse("documents:move", args=[draft.pk]), {"to": "reviewing"})
    assert OfficialDocument.objects.get(pk=draft.pk).status == "reviewing"
    response = client.post(reverse("documents:move", args=[draft.pk]), {"to": "issued"}, follow=True)
    assert OfficialDocument.objects.get(pk=draft.pk).status == "reviewing"
    assert "核稿" in response.content.decode()  # the refusal names the status


def test_numbering_and_printing_from_the_page(wuxi, draft, client_of):
    advance_to_registering(wuxi, draft)
    client = client_of(wuxi.clerk)
    client.post(reverse("documents:step", args=[draft.pk, "register"]))
    document = OfficialDocument.objects.get(pk=draft.pk)
    assert document.number_seq == 1 and document.status == "printing"
    client.post(reverse("documents:move", args=[draft.pk]), {"to": "sealing"})
    document = OfficialDocument.objects.get(pk=draft.pk)
    assert document.status == "sealing" and document.printed_pdf


def test_oversized_attachment_refused_with_the_limit(wuxi, draft, client_of, settings):
    settings.EGOV_DOCUMENT_ATTACHMENT_MAX_MB = 1
    upload = SimpleUploadedFile("big.pdf", b"x" * (1024 * 1024 + 1), content_type="application/pdf")
    response = client_of(wuxi.clerk).post(reverse("documents:attachment_add", args=[draft.pk]),
                                          {"name": "大附件", "file": upload}, follow=True)
    assert "1 MB" in response.content.decode()
    assert not draft.attachments.exists()


def test_history_page_lists_the_audit_events(wuxi, draft, client_of):
    client = client_of(wuxi.clerk)
    client.post(reverse("documents:move", args=[draft.pk]), {"to": "reviewing"})
    page = client.get(reverse("documents:history", args=[draft.pk])).content.decode()
    assert "文书刘芳 拟稿" in page and "文书刘芳 送核稿" in page
    assert "documents.document" not in page
    assert AuditEvent.objects.filter(object_id=str(draft.pk), action__startswith="documents.").count() == 2


def test_recipient_signs_for_the_issued_document_on_its_page(wuxi, draft, client_of):
    OfficialDocument.objects.filter(pk=draft.pk).update(status="issued")
    draft.recipients.update(delivered_at=timezone.now(), transport="platform")  # 核发 without the CA
    client = client_of(wuxi.finance_clerk)
    page = client.get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert reverse("documents:receive", args=[draft.pk]) in page
    client.post(reverse("documents:receive", args=[draft.pk]))
    row = draft.recipients.get(organization=wuxi.finance)
    assert row.received_by == wuxi.finance_clerk
    page = client.get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert reverse("documents:receive", args=[draft.pk]) not in page
    assert client_of(wuxi.police_clerk).post(reverse("documents:receive", args=[draft.pk])).status_code == 404


def test_an_unknown_step_is_refused_not_a_500(wuxi, draft, client_of):
    """Found by a tester: POSTing to=bogus raised ValueError (500)."""
    client = client_of(wuxi.clerk)
    response = client.post(reverse("documents:move", args=[draft.pk]), {"to": "bogus"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "bogus is not a step of an official document." in response.content.decode()


def test_a_recipient_reads_the_document_but_not_the_issuers_internal_history(wuxi, draft, client_of):
    OfficialDocument.objects.filter(pk=draft.pk).update(status="issued")
    draft.recipients.update(delivered_at=timezone.now(), transport="platform")  # 核发 without the CA
    client = client_of(wuxi.finance_clerk)
    page = client.get(reverse("documents:detail", args=[draft.pk]))
    assert page.status_code == 200 and reverse("documents:history", args=[draft.pk]) not in page.content.decode()
    assert client.get(reverse("documents:history", args=[draft.pk])).status_code == 404
    issuer_page = client_of(wuxi.clerk).get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert reverse("documents:history", args=[draft.pk]) in issuer_page
    assert client_of(wuxi.clerk).get(reverse("documents:history", args=[draft.pk])).status_code == 200


def test_attachments_are_downloaded_by_who_sees_the_document_and_removed_by_its_clerk(wuxi, draft, client_of):
    from egov.documents.actions import attachment_add

    attachment_add(actor=wuxi.clerk, document=draft, name="任务分工表", file=ContentFile(b"%PDF-1.7 table", name="t"))
    url = reverse("documents:attachment", args=[draft.pk, 1])
    page = client_of(wuxi.clerk).get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert f'href="{url}"' in page and reverse("documents:attachment_remove", args=[draft.pk, 1]) in page
    response = client_of(wuxi.clerk).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == b"%PDF-1.7 table"
    assert "attachment;" in response["Content-Disposition"] and response["X-Content-Type-Options"] == "nosniff"
    assert client_of(wuxi.police_clerk).get(url).status_code == 404  # not a party to the draft
    remove = reverse("documents:attachment_remove", args=[draft.pk, 1])
    assert client_of(wuxi.police_clerk).post(remove).status_code == 404
    client_of(wuxi.clerk).post(reverse("documents:attachment_remove", args=[draft.pk, 1]))
    assert not draft.attachments.exists()


def test_an_attachment_records_and_is_served_with_the_type_of_its_checked_bytes(wuxi, draft, client_of):
    """Issue 17: the attachment kept the uploader's header (text/html for PDF bytes named .html)."""
    from egov.documents.actions import attachment_add

    attachment = attachment_add(actor=wuxi.clerk, document=draft, name="任务分工表",
                                file=ContentFile(b"%PDF-1.7 table", name="table.html"), content_type="text/html")
    assert attachment.content_type == "application/pdf"
    response = client_of(wuxi.clerk).get(reverse("documents:attachment", args=[draft.pk, 1]))
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;") and ".pdf" in response["Content-Disposition"]


def test_document_tables_keep_their_column_names_on_a_phone(wuxi, draft, client_of):
    # Narrow screens stack each row; every cell then shows its column's name (site.css, data-label).
    page = client_of(wuxi.clerk).get(reverse("documents:list")).content.decode()
    assert '<td class="govuk-table__cell" data-label="标题"><a class="govuk-link" href="' in page
    assert '<td class="govuk-table__cell" data-label="状态">' in page



def test_a_document_page_offers_only_the_steps_the_user_may_take(wuxi, draft, client_of):
    # Found by a tester: at 核稿 the drafting clerk was offered → 签发, which the action then refused.
    from egov.documents.actions import document_transition

    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    move = reverse("documents:move", args=[draft.pk])
    clerk_page = client_of(wuxi.clerk).get(reverse("documents:detail", args=[draft.pk])).content.decode()
    reviewer_page = client_of(wuxi.reviewer).get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert 'value="signing"' not in clerk_page
    assert move in reviewer_page and 'value="signing"' in reviewer_page
