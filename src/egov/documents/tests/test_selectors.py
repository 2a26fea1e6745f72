import pytest
from django.utils import timezone

from egov.core.errors import NotFound
from egov.documents.actions import document_draft, document_number_allocate, document_transition
from egov.documents.models import OfficialDocument
from egov.documents.selectors import (
    document_get,
    document_history,
    document_numbers_used,
    documents_for,
    documents_published,
)
from egov.documents.tests.conftest import advance_to_registering


def test_issuer_staff_see_the_draft_others_do_not(wuxi, draft):
    for user in (wuxi.clerk, wuxi.reviewer, wuxi.leader):
        assert document_get(actor=user, pk=draft.pk) == draft
    for user in (wuxi.police_clerk, wuxi.finance_clerk):
        with pytest.raises(NotFound):
            document_get(actor=user, pk=draft.pk)
        assert list(documents_for(actor=user)) == []
    with pytest.raises(NotFound):
        document_get(actor=wuxi.clerk, pk=draft.pk + 1000)


def test_recipients_see_it_once_issued_internal_documents_are_not_published(wuxi, draft):
    OfficialDocument.objects.filter(pk=draft.pk).update(status="issued", classification="internal")
    assert document_get(actor=wuxi.finance_clerk, pk=draft.pk) == draft  # 主送
    with pytest.raises(NotFound):
        document_get(actor=wuxi.police_clerk, pk=draft.pk)
    OfficialDocument.objects.filter(pk=draft.pk).update(disclosure="proactive", published_at=timezone.now())
    assert list(documents_published()) == []
    OfficialDocument.objects.filter(pk=draft.pk).update(classification="public")
    assert list(documents_published()) == [draft]
    OfficialDocument.objects.filter(pk=draft.pk).update(disclosure="on_request")  # 依申请公开: not on the portal
    assert list(documents_published()) == []


def test_printer_and_joint_issuer_see_the_draft(wuxi):
    document = document_draft(actor=None, issuer=wuxi.government, kind="notice", title="联合通知",
                              co_issuers=[wuxi.police], printer=wuxi.office)
    assert document_get(actor=wuxi.police_clerk, pk=document.pk) == document


def test_history_oldest_first(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    assert [e.action for e in document_history(actor=wuxi.reviewer, document=draft)] == [
        "documents.document.draft", "documents.document.submit"]
    with pytest.raises(NotFound):
        document_history(actor=wuxi.police_clerk, document=draft)


def test_numbers_used_keeps_withdrawn_documents(wuxi, draft):
    document = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    document_transition(actor=wuxi.clerk, document=document, to="withdrawn", comment="另行发文。")
    uses = document_numbers_used(code="锡政发", year=document.number_year)
    assert [(u.seq, u.document_id, u.status) for u in uses] == [(1, document.pk, "withdrawn")]
