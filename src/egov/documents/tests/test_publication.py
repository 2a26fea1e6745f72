"""公开属性 (主动公开 / 依申请公开 / 不予公开) of drafted documents and their publication on the public
site (《政府信息公开条例》(2019) 第十九条、第二十条): chosen when drafting, required at 签发, published
at 核发 with the sealed PDF, published again or withdrawn by the issuer's clerk or leader."""

import pytest
from django.urls import reverse
from django.utils import translation

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.documents.actions import (
    document_draft,
    document_number_allocate,
    document_print,
    document_publish,
    document_seal,
    document_transition,
    document_unpublish,
    document_update,
)
from egov.documents.flow import document_dispatch
from egov.documents.models import Kind, OfficialDocument
from egov.documents.selectors import documents_published, published_kinds

from .conftest import advance_to_registering


@pytest.fixture
def client_of(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def _issue(wuxi, document, seal):
    document = document_number_allocate(document=advance_to_registering(wuxi, document), actor=wuxi.clerk)
    document = document_print(document=document, actor=wuxi.clerk)
    document = document_seal(document=document, actor=wuxi.clerk, seal=seal)
    return document_dispatch(actor=wuxi.clerk, document=document)


def test_a_proactive_document_is_published_at_dispatch_with_its_sealed_pdf(wuxi, draft, government_seal):
    issued = _issue(wuxi, draft, government_seal)
    assert issued.published_at is not None and issued.sealed_pdf
    assert list(documents_published()) == [issued]
    event = AuditEvent.objects.get(action="documents.document.publish", object_id=str(issued.pk))
    assert event.actor_id == wuxi.clerk.pk


def test_on_request_and_not_disclosed_documents_stay_off_the_public_site(wuxi, draft, government_seal):
    document_update(actor=wuxi.clerk, document=draft, disclosure="on_request")
    issued = _issue(wuxi, draft, government_seal)
    assert issued.published_at is None and not documents_published().exists()
    with pytest.raises(Conflict) as refused:
        document_publish(actor=wuxi.clerk, document=issued)
    assert refused.value.extra["rule"] == "not_proactive"


def test_the_disclosure_is_chosen_before_review_while_the_text_can_change(wuxi):
    # Found by a tester: a 纪要 reached 签发 with its 公开属性 undecided, and no one could set it there.
    document = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="关于某事的通知",
                              main_to=[wuxi.finance])
    with pytest.raises(ValidationFailed) as refused:
        document_transition(actor=wuxi.clerk, document=document, to="reviewing")
    assert refused.value.extra == {"field": "disclosure", "rule": "required"}
    assert OfficialDocument.objects.get(pk=document.pk).status == "drafting"
    document_update(actor=wuxi.clerk, document=document, disclosure="on_request")
    assert document_transition(actor=wuxi.clerk, document=document, to="reviewing").status == "reviewing"


def test_an_internal_document_cannot_be_proactive(wuxi):
    with pytest.raises(ValidationFailed) as refused:
        document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="内部通知",
                       classification="internal", disclosure="proactive")
    assert refused.value.extra == {"field": "disclosure", "rule": "internal"}
    with pytest.raises(ValidationFailed) as unknown:
        document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="通知", disclosure="maybe")
    assert unknown.value.extra["rule"] == "choice"
    assert not OfficialDocument.objects.exists()


def test_withdraw_and_publish_again_by_the_issuer_only(wuxi, draft, government_seal):
    issued = _issue(wuxi, draft, government_seal)
    with pytest.raises(PermissionDenied):  # a recipient's clerk sees it but does not publish for the issuer
        document_unpublish(actor=wuxi.finance_clerk, document=issued)
    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as refused:  # neither clerk nor leader
        document_unpublish(actor=wuxi.reviewer, document=issued)
    # the refusal speaks of withdrawing, not of publishing
    assert refused.value.message == "只有无锡市人民政府的文书或领导可以撤下其在门户网站公开的公文。"
    document_unpublish(actor=wuxi.leader, document=issued, reason="内容需更新")
    assert not documents_published().exists()
    with pytest.raises(Conflict):
        document_unpublish(actor=wuxi.clerk, document=issued)
    document_publish(actor=wuxi.clerk, document=issued)
    assert list(documents_published()) == [issued]
    with pytest.raises(Conflict):
        document_publish(actor=wuxi.clerk, document=issued)
    actions = list(AuditEvent.objects.filter(object_id=str(issued.pk), action__in=[
        "documents.document.publish", "documents.document.unpublish"]).order_by("seq").values_list(
        "action", "actor_id", "summary"))
    assert [(a, who) for a, who, _s in actions] == [("documents.document.publish", wuxi.clerk.pk),
                                                    ("documents.document.unpublish", wuxi.leader.pk),
                                                    ("documents.document.publish", wuxi.clerk.pk)]
    assert actions[1][2] == "内容需更新"


def test_the_page_withdraws_and_publishes(wuxi, draft, government_seal, client_of):
    issued = _issue(wuxi, draft, government_seal)
    client = client_of(wuxi.clerk)
    url = reverse("documents:publication", args=[issued.pk])
    page = client.get(reverse("documents:detail", args=[issued.pk])).content.decode()
    assert url in page
    client.post(url, {"publish": "no", "reason": "撤回"})
    assert OfficialDocument.objects.get(pk=issued.pk).published_at is None
    client.post(url, {"publish": "yes"})
    assert OfficialDocument.objects.get(pk=issued.pk).published_at is not None
    assert url not in client_of(wuxi.finance_clerk).get(reverse("documents:detail", args=[issued.pk])).content.decode()


def test_published_kinds_are_the_kinds_present(wuxi, draft, government_seal):
    assert published_kinds() == []
    _issue(wuxi, draft, government_seal)
    assert [value for value, _label in published_kinds()] == ["notice"]


def test_kind_names_in_chinese_are_the_kinds_of_the_regulation():
    # 条例 §8: 意见 and 批复 (not 办理意见 or 答复, the words of other catalogues for "Opinion"/"Reply").
    with translation.override("zh-hans"):
        assert str(Kind.OPINION.label) == "意见"
        assert str(Kind.REPLY.label) == "批复"
        assert str(Kind.REQUEST.label) == "请示"
