"""The one inbox: tasks, cases and 公文 to sign for together, sorted by working days left (worked by
hand on the calendar), filtered, paged, each organization's work to its own staff only."""

from datetime import date

import pytest
from django.utils import translation

from egov.casework import views
from egov.casework.inbox import inbox_filter, inbox_rows
from egov.documents.actions import document_draft, document_number_allocate, document_print, document_seal
from egov.documents.flow import document_dispatch
from egov.documents.models import Recipient
from egov.documents.process import outgoing_process
from egov.documents.tests.conftest import advance_to_registering
from egov.workflow.models import WorkTask

# Monday 2026-11-02; November 2026 has no holiday in China, only weekends.
TODAY = date(2026, 11, 2)


def _finance_draft(wuxi, title: str, due: date | None):
    document = document_draft(actor=wuxi.finance_clerk, issuer=wuxi.finance, kind="notice", title=title, body="正文。",
                              main_to=[wuxi.education], disclosure="proactive")
    WorkTask.objects.filter(instance=outgoing_process(document)).update(due_date=due)
    return document


@pytest.fixture
def finance_work(wuxi, draft, government_seal):
    """For the finance bureau's document clerk: three drafts of its own (拟稿) and the government's
    notice delivered to it, waiting for 签收."""
    issued = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    issued = document_seal(document=document_print(document=issued, actor=wuxi.clerk), actor=wuxi.clerk,
                           seal=government_seal)
    issued = document_dispatch(actor=wuxi.clerk, document=issued)
    Recipient.objects.filter(document=issued).update(receipt_due=date(2026, 11, 5))
    return {
        "late": _finance_draft(wuxi, "财政局关于预算执行的通知", date(2026, 10, 30)),
        "receipt": issued,
        "later": _finance_draft(wuxi, "财政局关于国库集中支付的通知", date(2026, 11, 6)),
        "undated": _finance_draft(wuxi, "财政局关于会计基础工作的通知", None),
    }


@pytest.mark.django_db
def test_rows_of_every_kind_sorted_by_working_days_left(wuxi, finance_work):
    with translation.override("zh-hans"):  # the steps as the office names them
        rows = inbox_rows(user=wuxi.finance_clerk, today=TODAY)
    # By hand: due Fri 10-30 → Mon 11-02 is one working day past it (-1); the receipt due Thu 11-05
    # leaves Tue, Wed, Thu (3: amber, ≤ 3); Fri 11-06 leaves 4 (green); the last has no deadline.
    assert [(row.kind, row.title, row.days_left, row.urgency) for row in rows] == [
        ("document", "财政局关于预算执行的通知", -1, "overdue"),
        ("receipt", "无锡市人民政府关于加快推进电子政务建设的通知", 3, "due_soon"),
        ("document", "财政局关于国库集中支付的通知", 4, "on_time"),
        ("document", "财政局关于会计基础工作的通知", None, "none"),
    ]
    receipt = rows[1]
    assert (receipt.number, receipt.party, receipt.step, receipt.organization) == (
        "锡政发〔2026〕1号", "无锡市人民政府", "签收", wuxi.finance)
    assert receipt.url == f"/staff/documents/{finance_work['receipt'].pk}/"
    draft_row = rows[0]
    assert (draft_row.step, draft_row.party) == ("拟稿", "无锡市财政局")
    assert draft_row.step_url == f"/staff/tasks/{draft_row.task.pk}/"


@pytest.mark.django_db
def test_steps_in_english(wuxi, finance_work):
    """English pages name the BPMN step by its egov:name_en (拟稿: Draft) and 签收 in English."""
    with translation.override("en"):
        rows = inbox_rows(user=wuxi.finance_clerk, today=TODAY)
        assert [row.step for row in rows] == ["Draft", "Sign for", "Draft", "Draft"]
        assert rows[0].task.instance.definition.local_name == "Outgoing document"


@pytest.mark.django_db
def test_filters_by_kind_step_organization_and_urgency(wuxi, finance_work):
    with translation.override("zh-hans"):
        rows = inbox_rows(user=wuxi.finance_clerk, today=TODAY)
    assert [row.kind for row in inbox_filter(rows, kind="receipt")] == ["receipt"]
    assert len(inbox_filter(rows, step="拟稿")) == 3
    assert [row.title for row in inbox_filter(rows, urgency="overdue")] == ["财政局关于预算执行的通知"]
    assert [row.title for row in inbox_filter(rows, urgency="due_soon")] == [
        "无锡市人民政府关于加快推进电子政务建设的通知"]
    assert inbox_filter(rows, organization=wuxi.police.pk) == []


@pytest.mark.django_db
def test_each_clerk_sees_only_the_work_of_their_organization(client, wuxi, finance_work):
    # The police bureau is neither sender nor recipient; the government's clerk has no finance draft.
    assert inbox_rows(user=wuxi.police_clerk, today=TODAY) == []
    assert all(row.organization == wuxi.government for row in inbox_rows(user=wuxi.clerk, today=TODAY))
    client.force_login(wuxi.police_clerk)
    page = client.get("/staff/inbox/")
    assert page.status_code == 200 and page.context["rows"] == []
    assert "财政局关于预算执行的通知" not in page.content.decode()


@pytest.mark.django_db
def test_the_page_filters_pages_and_the_home_counts_documents_to_sign_for(client, wuxi, finance_work, monkeypatch):
    client.force_login(wuxi.finance_clerk)
    home = client.get("/staff/")
    assert home.context["todo_count"] == 4  # three drafts and one document to sign for
    receipts = client.get("/staff/inbox/", {"kind": "receipt"})
    assert [row.kind for row in receipts.context["rows"]] == ["receipt"]
    assert f'href="/staff/documents/{finance_work["receipt"].pk}/"' in receipts.content.decode()
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    everything = [client.get("/staff/inbox/", {"page": str(n)}).context["rows"] for n in (1, 2)]
    assert [len(rows) for rows in everything] == [3, 1]
    assert 'href="?page=2"' in client.get("/staff/inbox/").content.decode()
    # A filter is kept from page to page: three drafts, two a page.
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    drafts = client.get("/staff/inbox/", {"step": "拟稿"})
    assert 'href="?step=%E6%8B%9F%E7%A8%BF&amp;page=2"' in drafts.content.decode()
    assert len(client.get("/staff/inbox/", {"step": "拟稿", "page": "2"}).context["rows"]) == 1
