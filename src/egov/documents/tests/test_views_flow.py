"""The 收发文 pages: inboxes, the delivery table, a received document's steps, the archive download."""

import pytest
from django.urls import reverse

from egov.documents import incoming as inc
from egov.documents.actions import document_number_allocate, document_print, document_receive, document_seal
from egov.documents.flow import document_dispatch
from egov.documents.models import IncomingDocument
from egov.documents.tests.conftest import advance_to_registering


@pytest.fixture
def issued(wuxi, draft, government_seal):
    document = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    document = document_seal(document=document_print(document=document, actor=wuxi.clerk), actor=wuxi.clerk,
                             seal=government_seal)
    return document_dispatch(actor=wuxi.clerk, document=document)


def test_sender_sees_the_delivery_table(client, wuxi, issued):
    client.force_login(wuxi.clerk)
    page = client.get(reverse("documents:detail", args=[issued.pk]))
    assert page.status_code == 200
    assert [row.state for row in page.context["deliveries"]] == ["delivered", "delivered", "delivered"]
    assert 'id="delivery-table"' in page.content.decode()


def test_recipient_signs_for_from_the_inbox_and_registers(client, wuxi, issued):
    client.force_login(wuxi.finance_clerk)
    inbox = client.get(reverse("documents:inbox"))
    assert [r.document_id for r in inbox.context["to_sign"]] == [issued.pk]
    assert client.post(reverse("documents:receive", args=[issued.pk])).status_code == 302
    incoming = IncomingDocument.objects.get(organization=wuxi.finance)
    assert client.get(reverse("documents:inbox")).context["incoming"] == [incoming]
    client.post(reverse("documents:incoming_step", args=[incoming.pk, "register"]))
    incoming.refresh_from_db()
    assert incoming.status == "registered" and incoming.registration_seq == 1
    page = client.get(reverse("documents:incoming", args=[incoming.pk]))
    assert page.status_code == 200 and incoming.registration_number in page.content.decode()


def test_outsiders_get_404_also_for_the_archive(client, wuxi, issued):
    (row,) = document_receive(document=issued, actor=wuxi.finance_clerk)
    incoming = inc.incoming_return(actor=wuxi.finance_clerk, reasons="不属于本单位职责范围",
                                   incoming=inc.incoming_register(actor=wuxi.finance_clerk, incoming=row.incoming))
    inc.incoming_archive(actor=wuxi.finance_clerk, incoming=incoming)
    client.force_login(wuxi.police_clerk)
    for url in (reverse("documents:incoming", args=[incoming.pk]),
                reverse("documents:incoming_archive", args=[incoming.pk]),
                reverse("documents:detail", args=[issued.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("documents:incoming_step", args=[incoming.pk, "read"])).status_code == 404
    client.force_login(wuxi.finance_clerk)
    download = client.get(reverse("documents:incoming_archive", args=[incoming.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"


def test_an_illegal_step_names_the_state(client, wuxi, issued):
    document_receive(document=issued, actor=wuxi.finance_clerk)
    incoming = IncomingDocument.objects.get(organization=wuxi.finance)
    client.force_login(wuxi.finance_clerk)
    response = client.post(reverse("documents:incoming_step", args=[incoming.pk, "archive"]), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("Signed for" in m or "已签收" in m for m in messages), messages


def test_one_archive_view_serves_issued_and_received_documents():
    """There were two copies of the download (views.py and views_flow.py): one view, told the side."""
    from django.urls import resolve

    from egov.documents import views

    issued, received = resolve("/staff/documents/7/archive.zip"), resolve("/staff/documents/incoming/7/archive.zip")
    assert issued.func is received.func is views.archive_download
    assert (issued.kwargs, received.kwargs) == ({"pk": 7, "side": "issuer"}, {"pk": 7, "side": "incoming"})
