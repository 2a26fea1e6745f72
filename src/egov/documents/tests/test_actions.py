import hashlib
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.documents.actions import (
    attachment_add,
    attachment_remove,
    document_draft,
    document_number_allocate,
    document_number_assign,
    document_print,
    document_receive,
    document_sign_off,
    document_transition,
    document_update,
)
from egov.documents.models import OfficialDocument, Recipient
from egov.documents.tests.conftest import advance_to_registering


def _events(document):
    return list(AuditEvent.objects.filter(object_type="documents.officialdocument", object_id=str(document.pk))
                .values_list("action", flat=True))


def test_draft_records_the_elements_and_audits(wuxi, draft):
    assert draft.status == "drafting"
    assert draft.direction == "downward"
    assert draft.signature == "无锡市人民政府"
    assert draft.body_html == ('<p>一、总体要求</p><p>（一）加强领导。各地各部门要高度重视。</p><p>1.资金保障。</p>')
    main = draft.recipients.filter(kind=Recipient.Kind.MAIN).order_by("position")
    assert [r.name for r in main] == ["无锡市财政局", "无锡市教育局"]
    assert [r.name for r in draft.recipients.filter(kind=Recipient.Kind.COPY)] == ["无锡市发展和改革委员会"]
    event = AuditEvent.objects.get(action="documents.document.draft")
    assert (event.actor_id, event.organization_id, event.object_id) == (wuxi.clerk.pk, wuxi.government.pk,
                                                                          str(draft.pk))


def test_only_a_document_clerk_of_the_issuer_drafts(wuxi):
    for actor in (wuxi.reviewer, wuxi.police_clerk):
        with pytest.raises(PermissionDenied):
            document_draft(actor=actor, issuer=wuxi.government, kind="notice", title="标题")
    assert not OfficialDocument.objects.exists()


def test_classified_draft_is_refused_and_nothing_written(wuxi):
    with pytest.raises(ValidationFailed) as error:
        document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="标题", classification="机密")
    assert error.value.extra["rule"] == "classified"
    assert not OfficialDocument.objects.exists()
    assert not AuditEvent.objects.filter(action="documents.document.draft").exists()


def test_html_in_drafts_is_sanitized(wuxi):
    document = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="标题",
                              body='<p onmouseover="steal()">正文<script>steal()</script></p>')
    assert document.body_html == "<p>正文</p>"
    document = document_update(actor=wuxi.clerk, document=document, body="<p>新<script>x()</script></p>")
    assert document.body_html == "<p>新</p>"


def test_update_in_review_needs_the_reviewer(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    with pytest.raises(PermissionDenied):
        document_update(actor=wuxi.clerk, document=draft, title="改")
    changed = document_update(actor=wuxi.reviewer, document=draft, title="改过的标题", urgency="特急")
    assert (changed.title, changed.urgency) == ("改过的标题", "extra_urgent")
    event = AuditEvent.objects.filter(action="documents.document.update").last()
    assert event.changes["title"] == ["无锡市人民政府关于加快推进电子政务建设的通知", "改过的标题"]


def test_text_is_fixed_after_review(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=draft, to="signing")
    with pytest.raises(Conflict):
        document_update(actor=wuxi.reviewer, document=draft, title="改")


def test_illegal_transition_names_the_state_and_the_move(wuxi, draft):
    with pytest.raises(Conflict) as error:
        document_transition(actor=wuxi.clerk, document=draft, to="issued")
    assert error.value.extra == {"status": "drafting", "target": "issued"}
    assert "拟稿" in error.value.message and "已发" in error.value.message


def test_dedicated_moves_are_refused_by_the_generic_transition(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=draft, to="signing")
    with pytest.raises(Conflict):
        document_transition(actor=wuxi.leader, document=draft, to="rechecking")


def test_submit_needs_a_main_recipient(wuxi):
    document = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="标题")
    with pytest.raises(ValidationFailed) as error:
        document_transition(actor=wuxi.clerk, document=document, to="reviewing")
    assert error.value.extra["field"] == "main_to"


def test_return_for_revision_and_withdraw(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=draft, to="drafting", comment="请补充资金来源")
    assert OfficialDocument.objects.get(pk=draft.pk).status == "drafting"
    assert AuditEvent.objects.filter(action="documents.document.return").last().changes["opinion"] == "请补充资金来源"
    with pytest.raises(ValidationFailed) as error:  # 作废 needs its reason
        document_transition(actor=wuxi.clerk, document=draft, to="withdrawn", comment=" ")
    assert error.value.extra == {"field": "opinion", "rule": "required"}
    assert OfficialDocument.objects.get(pk=draft.pk).status == "drafting"
    document_transition(actor=wuxi.clerk, document=draft, to="withdrawn", comment="不再发文。")
    with pytest.raises(Conflict):
        document_transition(actor=wuxi.clerk, document=draft, to="drafting")


def test_sign_off_records_the_signer_and_the_date(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=draft, to="signing")
    with pytest.raises(PermissionDenied):
        document_sign_off(actor=wuxi.reviewer, document=draft, mfa_verified=True)
    signed = document_sign_off(actor=wuxi.leader, document=draft, mfa_verified=True)
    assert signed.status == "rechecking"
    assert (signed.signers, signed.signed_off_by) == ("副市长赵强", wuxi.leader)
    assert signed.written_on == timezone.localdate()


def test_number_allocation_in_sequence_per_code_and_year(wuxi, draft):
    year = timezone.localdate().year
    first = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    assert str(first.number) == f"锡政发〔{year}〕1号"
    assert first.status == "printing"
    second = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="第二件",
                            main_to=[wuxi.finance], disclosure="not_disclosed")
    second = document_number_allocate(document=advance_to_registering(wuxi, second), actor=wuxi.clerk)
    assert str(second.number) == f"锡政发〔{year}〕2号"
    assert AuditEvent.objects.filter(action="documents.number.allocate").count() == 2


def test_allocation_only_once_and_only_in_registration(wuxi, draft):
    with pytest.raises(Conflict):
        document_number_allocate(document=draft, actor=wuxi.clerk)
    document = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    with pytest.raises(Conflict):
        document_number_allocate(document=document, actor=wuxi.clerk)


def test_allocation_passes_over_a_number_registered_by_hand(wuxi, draft):
    year = timezone.localdate().year
    paper = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="纸质公文")
    document_number_assign(document=paper, actor=wuxi.clerk, number=f"锡政发[{year}]1号")
    document = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    assert document.number_seq == 2


def test_hand_typed_duplicate_is_refused(wuxi, draft):
    paper = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="纸质公文")
    assert str(document_number_assign(document=paper, actor=wuxi.clerk, number="锡政发（2004）99号").number) == (
        "锡政发〔2004〕99号")
    with pytest.raises(ValidationFailed) as error:
        document_number_assign(document=draft, actor=wuxi.clerk, number="锡政发〔2004〕第99号")
    assert error.value.extra == {"field": "number", "rule": "duplicate", "document": paper.pk}
    assert OfficialDocument.objects.get(pk=draft.pk).number is None


def test_upward_document_needs_its_signer_before_numbering(wuxi):
    request = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="request", title="关于……的请示",
                             main_to_text="江苏省人民政府", disclosure="not_disclosed")
    assert request.direction == "upward"
    advance_to_registering(wuxi, request)
    assert OfficialDocument.objects.get(pk=request.pk).signers == "副市长赵强"
    OfficialDocument.objects.filter(pk=request.pk).update(signers="")
    with pytest.raises(ValidationFailed) as error:
        document_number_allocate(document=request, actor=wuxi.clerk)
    assert error.value.extra == {"field": "signers", "rule": "required_upward"}


def test_issuer_without_document_code(wuxi):
    document = document_draft(actor=None, issuer=wuxi.government, kind="notice", title="标题", main_to=[wuxi.finance],
                              disclosure="on_request")
    advance_to_registering(wuxi, document)
    type(wuxi.government).objects.filter(pk=wuxi.government.pk).update(doc_code=None)
    with pytest.raises(ValidationFailed) as error:
        document_number_allocate(document=document, actor=wuxi.clerk)
    assert error.value.extra["field"] == "doc_code"


def test_print_stores_the_pdf_and_moves_to_sealing(wuxi, draft):
    document = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    printed = document_print(document=document, actor=wuxi.clerk, printed_on=date(2026, 12, 1))
    assert printed.status == "sealing"
    data = printed.printed_pdf.read()
    assert data.startswith(b"%PDF-")
    import hashlib

    assert hashlib.sha256(data).hexdigest() == printed.printed_pdf_sha256
    assert _events(printed)[-1] == "documents.document.printed"


def test_visibility_outsider_gets_not_found(wuxi, draft):
    for action in (
        lambda: document_update(actor=wuxi.police_clerk, document=draft, title="x"),
        lambda: document_transition(actor=wuxi.police_clerk, document=draft, to="reviewing"),
        lambda: document_number_assign(document=draft, actor=wuxi.police_clerk, number="锡政发〔2026〕5号"),
    ):
        with pytest.raises(NotFound):
            action()


def test_attachment_size_limit_is_named(wuxi, draft, settings):
    settings.EGOV_DOCUMENT_ATTACHMENT_MAX_MB = 1
    big = ContentFile(b"x" * (1024 * 1024 + 1), name="big.pdf")
    with pytest.raises(ValidationFailed) as error:
        attachment_add(actor=wuxi.clerk, document=draft, name="大附件", file=big)
    assert "1 MB" in error.value.message
    assert error.value.extra == {"field": "file", "rule": "max_size", "limit_bytes": 1048576, "size": 1048577}
    assert not draft.attachments.exists()


def test_attachments_keep_their_order(wuxi, draft):
    first = attachment_add(actor=wuxi.clerk, document=draft, name="任务分工表。", file=ContentFile(b"%PDF-a", name="a"))
    attachment_add(actor=wuxi.clerk, document=draft, name="项目清单", file=ContentFile(b"%PDF-bb", name="b"))
    assert first.name == "任务分工表"  # 附件名称后不加标点符号 (GB/T 9704-2012 §7.3.4)
    assert first.sha256 == hashlib.sha256(b"%PDF-a").hexdigest()
    attachment_remove(actor=wuxi.clerk, attachment=first)
    assert [(a.position, a.name) for a in draft.attachments.all()] == [(1, "项目清单")]
    with pytest.raises(NotFound):
        attachment_add(actor=wuxi.police_clerk, document=draft, name="x", file=ContentFile(b"%PDF-a", name="a"))


@pytest.mark.parametrize("content", [b"<!doctype html><script>alert(1)</script>",
                                     b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', b"MZ\x90\x00"])
def test_an_attachment_that_is_not_a_document_or_image_is_refused(wuxi, draft, content):
    with pytest.raises(ValidationFailed) as error:
        attachment_add(actor=wuxi.clerk, document=draft, name="附件", file=ContentFile(content, name="x.pdf"))
    assert error.value.extra == {"field": "file", "rule": "file_type"}
    assert not draft.attachments.exists()


def _issue(wuxi, document):
    # 用印 and 核发 need the CA (test_sealing.py and test_flow.py cover them); here the document is
    # simply issued and delivered on the platform.
    OfficialDocument.objects.filter(pk=document.pk).update(status="issued")
    document.recipients.update(delivered_at=timezone.now(), transport="platform")
    return OfficialDocument.objects.get(pk=document.pk)


def test_recipient_signs_for_an_issued_document(wuxi, draft):
    with pytest.raises(NotFound):  # not issued yet: the recipient does not see it
        document_receive(document=draft, actor=wuxi.finance_clerk)
    issued = _issue(wuxi, draft)
    rows = document_receive(document=issued, actor=wuxi.finance_clerk)
    assert [(r.name, r.received_by) for r in rows] == [("无锡市财政局", wuxi.finance_clerk)]
    assert issued.recipients.filter(received_at__isnull=True).count() == 2  # 教育局 and 发改委 not yet
    with pytest.raises(Conflict):
        document_receive(document=issued, actor=wuxi.finance_clerk)
    with pytest.raises(NotFound):
        document_receive(document=issued, actor=wuxi.police_clerk)
    event = AuditEvent.objects.get(action="documents.document.receive")
    assert event.organization_id == wuxi.finance.pk
