"""公文 steps as the office speaks (issue 12, item 4): opinions of 核稿 and 签发, the buttons from the
one table, confirmation of 登记/用印/核发, and the history in the reader's language."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from egov.accounts.actions import staff_backup_codes_issue
from egov.audit.actions import audit_record
from egov.audit.models import AuditEvent
from egov.core.errors import NotFound, PermissionDenied, ValidationFailed
from egov.documents.actions import (
    document_draft,
    document_number_allocate,
    document_number_assign,
    document_print,
    document_seal,
    document_sign_off,
    document_transition,
)
from egov.documents.archive import document_archive_package
from egov.documents.flow import document_dispatch
from egov.documents.history import event_sentence, history_rows
from egov.documents.models import OfficialDocument, Opinion
from egov.documents.selectors import document_history, document_number_preview, document_seals_usable
from egov.documents.steps import document_task_complete
from egov.documents.tests.conftest import PASSWORD, advance_to_registering, leader_of
from egov.orgs.roles import Role
from egov.trust.actions import seal_create, seal_grant, seal_grant_revoke
from egov.workflow.models import WorkTask


def _review_and_sign(wuxi, document, *, review="同意。", sign_off="同意。"):
    document_transition(actor=wuxi.clerk, document=document, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=document, to="signing", comment=review)
    return document_sign_off(actor=wuxi.leader, document=document, mfa_verified=True, comment=sign_off)


def test_review_and_sign_off_opinions_are_kept_with_their_authors(wuxi, draft):
    _review_and_sign(wuxi, draft, review="同意，请领导签发。", sign_off="同意。")
    opinions = list(Opinion.objects.filter(document=draft))
    assert [(o.step, o.move, o.target, o.text, o.author, o.author_name) for o in opinions] == [
        ("reviewing", "review", "signing", "同意，请领导签发。", wuxi.reviewer, "核稿人王𠮷"),
        ("signing", "sign_off", "rechecking", "同意。", wuxi.leader, "副市长赵强"),
    ]
    with translation.override("zh-hans"):
        assert [(o.step_label, o.decision_label) for o in opinions] == [("核稿意见", "核稿通过"), ("签发意见", "签发")]
    document = OfficialDocument.objects.get(pk=draft.pk)
    assert document.signers == "副市长赵强" and document.signed_off_by == wuxi.leader


def test_a_return_needs_its_reason_and_loses_nothing(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    with pytest.raises(ValidationFailed) as error:
        document_transition(actor=wuxi.reviewer, document=draft, to="drafting", comment="  ")
    assert error.value.extra == {"field": "opinion", "rule": "required"}
    assert OfficialDocument.objects.get(pk=draft.pk).status == "reviewing"
    assert not Opinion.objects.exists() and not AuditEvent.objects.filter(action="documents.document.return").exists()
    document_transition(actor=wuxi.reviewer, document=draft, to="drafting", comment="请按意见修改后再送。")
    assert Opinion.objects.get().text == "请按意见修改后再送。"
    # the leader's return needs one too
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=draft, to="signing")
    with pytest.raises(ValidationFailed):
        document_transition(actor=wuxi.leader, document=draft, to="drafting")
    with pytest.raises(ValidationFailed) as error:
        document_transition(actor=wuxi.leader, document=draft, to="drafting", comment="改" * 2001)
    assert error.value.extra["rule"] == "max_length"


def test_history_reads_as_sentences_in_the_readers_language(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=draft, to="drafting", comment="请按意见修改后再送。")
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=draft, to="signing", comment="同意。")
    document_sign_off(actor=wuxi.leader, document=draft, mfa_verified=True, comment="同意。")
    events = document_history(actor=wuxi.clerk, document=draft)
    with translation.override("zh-hans"):
        assert [row.sentence for row in history_rows(events)] == [
            "文书刘芳 拟稿", "文书刘芳 送核稿", "核稿人王𠮷 退回修改：请按意见修改后再送。", "文书刘芳 送核稿",
            "核稿人王𠮷 核稿通过：同意。", "副市长赵强 签发：同意。"]
    with translation.override("en"):
        assert [row.sentence for row in history_rows(events)][-2:] == [
            "核稿人王𠮷 approved the review: 同意。", "副市长赵强 signed off: 同意。"]


def test_rows_written_before_opinions_were_kept_still_read(wuxi, draft):
    """Old events kept the text as ``changes["comment"]``; unknown events never show their code."""
    old = audit_record(action="documents.document.return", actor=wuxi.reviewer, organization=wuxi.government,
                       obj=draft, summary="请补充资金来源", changes={"status": ["reviewing", "drafting"],
                                                                  "comment": "请补充资金来源"})
    odd = audit_record(action="documents.document.something_new", actor=wuxi.clerk, organization=wuxi.government,
                       obj=draft, summary="x", changes={})
    with translation.override("zh-hans"):
        assert event_sentence(old) == "核稿人王𠮷 退回修改：请补充资金来源"
        assert "documents." not in event_sentence(odd) and "文书刘芳" in event_sentence(odd)


def test_the_number_shown_before_confirming_is_the_one_allocated(wuxi, draft):
    """锡政发 has 1 (allocated) and 2 (typed from paper) in 2026: the next is 锡政发〔2026〕3号."""
    first = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="第一份",
                           main_to=[wuxi.finance], disclosure="on_request")
    document_number_allocate(document=advance_to_registering(wuxi, first), actor=wuxi.clerk, today=date(2026, 3, 2))
    paper = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="纸质公文")
    document_number_assign(document=paper, actor=wuxi.clerk, number="锡政发〔2026〕2号")
    advance_to_registering(wuxi, draft)
    shown = document_number_preview(actor=wuxi.clerk, document=draft, today=date(2026, 12, 4))
    assert str(shown) == "锡政发〔2026〕3号"
    allocated = document_number_allocate(document=draft, actor=wuxi.clerk, today=date(2026, 12, 4))
    assert str(allocated.number) == str(shown)
    # a new year starts again at 1
    assert str(document_number_preview(actor=wuxi.clerk, document=paper, today=date(2027, 1, 4))) == (
        "锡政发〔2027〕1号")


def test_only_granted_seals_of_the_issuer_are_offered_and_accepted(wuxi, draft, government_seal):
    finance_seal = seal_create(actor=None, organization=wuxi.finance, kind="official")
    seal_grant(actor=None, seal=finance_seal, role=Role.DOCUMENT_CLERK)
    document_seal_ungranted = seal_create(actor=None, organization=wuxi.government, kind="document")  # 公文专用章
    document = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    document = document_print(document=document, actor=wuxi.clerk, printed_on=date(2026, 12, 1))
    assert document_seals_usable(actor=wuxi.clerk, document=document) == [government_seal]
    assert document_seals_usable(actor=wuxi.reviewer, document=document) == []
    with pytest.raises(ValidationFailed) as error:
        document_seal(document=document, actor=wuxi.clerk, seal=finance_seal)  # another organization's
    assert error.value.extra == {"field": "seal", "rule": "issuer"}
    with pytest.raises(PermissionDenied):
        document_seal(document=document, actor=wuxi.clerk, seal=document_seal_ungranted)  # no grant held
    assert OfficialDocument.objects.get(pk=document.pk).status == "sealing"


def test_archive_package_prints_the_draft_sheet(wuxi, draft, government_seal):
    _review_and_sign(wuxi, draft, review="同意，请领导签发。", sign_off="同意。")
    document_transition(actor=wuxi.clerk, document=draft, to="registering")
    document_number_allocate(document=draft, actor=wuxi.clerk)
    document_print(document=draft, actor=wuxi.clerk)
    document_seal(document=draft, actor=wuxi.clerk, seal=government_seal)
    document_dispatch(actor=wuxi.clerk, document=draft)
    draft = OfficialDocument.objects.get(pk=draft.pk)
    with translation.override("zh-hans"):
        name, data = document_archive_package(actor=wuxi.clerk, document=draft)
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet = json.loads(archive.read("metadata.json"))["draft_sheet"]
    assert sheet["drafted_by"] == "文书刘芳" and sheet["signers"] == "副市长赵强"
    assert [(o["step_label"], o["decision"], o["text"], o["author"]) for o in sheet["opinions"]] == [
        ("核稿意见", "核稿通过", "同意，请领导签发。", "核稿人王𠮷"), ("签发意见", "签发", "同意。", "副市长赵强"),
        ("复核意见", "复核通过", "", "文书刘芳")]
    text = archive.read("draft_sheet.txt").decode("utf-8")
    assert "核稿意见：核稿通过 同意，请领导签发。 — 核稿人王𠮷" in text and "签发意见：签发 同意。 — 副市长赵强" in text
    sentences = [e["sentence"] for e in json.loads(archive.read("history.json"))["document"]]
    assert "副市长赵强 签发：同意。" in sentences and f"文书刘芳 登记编号：{draft.number}" in sentences
    assert name.endswith(".zip") and "document.pdf" in archive.namelist()
    with pytest.raises(NotFound):  # a recipient does not get the issuer's drafting
        document_archive_package(actor=wuxi.finance_clerk, document=draft)


def test_a_generic_task_answer_carries_out_the_documents_own_action(wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    task = WorkTask.objects.get(bpmn_id="review", status__in=["open", "claimed"])
    with pytest.raises(ValidationFailed):  # a return needs its reason, wherever it is answered
        document_task_complete(actor=wuxi.reviewer, task=task, data={"review_decision": "return"})
    document = document_task_complete(actor=wuxi.reviewer, task=task,
                                      data={"review_decision": "sign", "opinion": "同意。"})
    assert document.status == "signing" and Opinion.objects.get().text == "同意。"
    task = WorkTask.objects.get(bpmn_id="sign_off", status__in=["open", "claimed"])
    document = document_task_complete(actor=wuxi.leader, task=task, data={"sign_decision": "sign"}, mfa_verified=True)
    assert document.status == "rechecking" and document.signers == "副市长赵强"


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def client_of(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_buttons_say_the_step(wuxi, draft, client_of):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    page = client_of(wuxi.reviewer).get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert ">核稿通过</button>" in page and ">退回</button>" in page and "核稿意见" in page and "→" not in page
    document_transition(actor=wuxi.reviewer, document=draft, to="signing")
    client = client_of(wuxi.reviewer)
    client.logout()
    staff_backup_codes_issue(actor=None, user=wuxi.leader, codes=["31415926"])  # the leader passes MFA
    client.post(reverse("staff_accounts:login"), {"username": wuxi.leader.username, "password": PASSWORD})
    client.post(reverse("staff_accounts:login_otp"), {"token": "31415926"})
    page = client.get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert ">签发</button>" in page and ">退回修改</button>" in page and "签发意见" in page
    assert "复核" not in page.split('id="steps"')[1].split("</section>")[0]


def test_a_return_without_reason_on_the_page_is_a_form_error(wuxi, draft, client_of):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    response = client_of(wuxi.reviewer).post(reverse("documents:move", args=[draft.pk]),
                                             {"to": "drafting", "opinion": ""})
    assert response.status_code == 400 and "请填写本步骤（退回）的理由。" in response.content.decode()
    assert OfficialDocument.objects.get(pk=draft.pk).status == "reviewing"
    long = "改" * 2001
    response = client_of(wuxi.reviewer).post(reverse("documents:move", args=[draft.pk]),
                                             {"to": "drafting", "opinion": long})
    assert response.status_code == 400 and long in response.content.decode()  # the text typed is kept


def test_register_page_shows_the_provisional_number_then_allocates_it(wuxi, draft, client_of):
    advance_to_registering(wuxi, draft)
    client = client_of(wuxi.clerk)
    url = reverse("documents:step", args=[draft.pk, "register"])
    page = client.get(url).content.decode()
    year = date.today().year
    assert f"锡政发〔{year}〕1号" in page and "暂定" in page
    assert "无锡市财政局" in page and "无锡市发展和改革委员会" in page  # 主送 and 抄送
    assert OfficialDocument.objects.get(pk=draft.pk).number is None  # showing allocates nothing
    assert client.post(url).status_code == 302
    assert str(OfficialDocument.objects.get(pk=draft.pk).number) == f"锡政发〔{year}〕1号"


def test_seal_page_offers_the_granted_seals_and_refuses_others(wuxi, draft, government_seal, client_of):
    finance_seal = seal_create(actor=None, organization=wuxi.finance, kind="official")
    document = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    document_print(document=document, actor=wuxi.clerk)
    url = reverse("documents:step", args=[draft.pk, "seal"])
    page = client_of(wuxi.clerk).get(url).content.decode()
    assert f'value="{government_seal.pk}"' in page and f'value="{finance_seal.pk}"' not in page
    seal_page = OfficialDocument.objects.get(pk=draft.pk).seal_page + 1
    assert 'class="govuk-radios"' in page and f"第 {seal_page} 页" in page
    response = client_of(wuxi.clerk).post(url, {"seal": finance_seal.pk})
    assert response.status_code == 400 and "请从您可使用的印章中选择。" in response.content.decode()
    assert OfficialDocument.objects.get(pk=draft.pk).status == "sealing"
    # when no seal is granted to the clerk, the page says so and offers no button to press
    seal_grant_revoke(actor=None, seal=government_seal, role=Role.DOCUMENT_CLERK)
    response = client_of(wuxi.clerk).get(url)
    assert response.status_code == 400 and "您不能使用无锡市人民政府的任何印章" in response.content.decode()
    assert 'id="confirm-step"' not in response.content.decode()


def test_dispatch_page_shows_recipients_and_publication(wuxi, draft, government_seal, client_of):
    document = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    document_print(document=document, actor=wuxi.clerk)
    document_seal(document=document, actor=wuxi.clerk, seal=government_seal)
    url = reverse("documents:step", args=[draft.pk, "dispatch"])
    page = client_of(wuxi.clerk).get(url).content.decode()
    assert "无锡市财政局" in page and "无锡市教育局" in page and "无锡市发展和改革委员会" in page
    assert "核发后在门户网站公开" in page and "3 个单位" in page
    assert client_of(wuxi.clerk).post(url).status_code == 302
    document = OfficialDocument.objects.get(pk=draft.pk)
    assert document.status == "issued" and document.published_at is not None


def test_received_documents_inbox_says_signed_for(wuxi, draft, client_of):
    page = client_of(wuxi.finance_clerk).get(reverse("documents:inbox")).content.decode()
    assert "待签收" in page and "已签收" in page and "已接件" not in page


def _elements(document, **changes) -> dict:
    """The document form's data as the page posts it, with ``changes``."""
    data = {"kind": document.kind, "title": document.title, "classification": document.classification,
            "disclosure": document.disclosure, "body": "正文。", "signature": document.signature,
            "main_to": [r.organization_id for r in document.recipients.filter(kind="main")]}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_reviewer_names_the_countersigners_on_the_page_and_sends_the_draft(wuxi, draft, client_of):
    leader_of(wuxi.police, "police-leader")
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    client = client_of(wuxi.reviewer)
    page = client.get(reverse("documents:detail", args=[draft.pk])).content.decode()
    assert 'name="countersigners"' in page
    issuer = client.post(reverse("documents:detail", args=[draft.pk]),
                         _elements(draft, countersigners=[wuxi.government.pk]))
    assert issuer.status_code == 400 and "发文机关不能会签本机关的公文。" in issuer.content.decode()
    saved = client.post(reverse("documents:detail", args=[draft.pk]),
                        _elements(draft, countersigners=[wuxi.police.pk]))
    assert saved.status_code == 302
    moved = client.post(reverse("documents:move", args=[draft.pk]), {"to": "countersigning", "opinion": ""})
    assert moved.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "countersigning" and list(draft.countersigners.all()) == [wuxi.police]


def test_the_reviewer_cannot_save_the_draft_without_main_recipients(wuxi, draft, client_of):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    response = client_of(wuxi.reviewer).post(reverse("documents:detail", args=[draft.pk]),
                                             _elements(draft, main_to=[]))
    assert response.status_code == 400 and "请至少填写一个主送机关。" in response.content.decode()
    assert draft.recipients.filter(kind="main").count() == 2


def test_a_refusal_on_a_stale_page_is_shown_and_main_recipients_error_sits_by_the_field(wuxi, draft, client_of):
    client = client_of(wuxi.clerk)
    page = client.get(reverse("documents:detail", args=[draft.pk])).content.decode()
    # at 拟稿 only 送核稿 and 作废 are offered: the hint speaks of 作废, not of 退回
    assert "作废须写明理由" in page and "退回须写明理由" not in page
    empty = client.post(reverse("documents:move", args=[draft.pk]), {"to": "withdrawn", "opinion": ""})
    assert empty.status_code == 400 and "请填写本步骤（作废）的理由。" in empty.content.decode()
    assert OfficialDocument.objects.get(pk=draft.pk).status == "drafting"
    withdrawn = client.post(reverse("documents:move", args=[draft.pk]), {"to": "withdrawn", "opinion": "不再发文。"})
    assert withdrawn.status_code == 302
    # the same button again, from the stale page: the user has no step left, the reason is a message
    again = client.post(reverse("documents:move", args=[draft.pk]), {"to": "withdrawn", "opinion": "不再发文。"})
    html = again.content.decode()
    assert again.status_code == 409 and 'class="govuk-notification-banner"' in html
    banner = html.split('class="govuk-notification-banner"')[1]
    banner = banner.split('<div class="govuk-notification-banner__content">')[1]
    assert "处于“已撤回”状态的公文不能转到“已撤回”。" in banner.split("</div>")[0]


def test_submitting_without_main_recipients_shows_the_error_by_the_main_recipients_field(wuxi, client_of):
    document = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="关于测试的通知",
                              body="正文。", disclosure="proactive")
    response = client_of(wuxi.clerk).post(reverse("documents:move", args=[document.pk]),
                                          {"to": "reviewing", "opinion": ""})
    html = response.content.decode()
    assert response.status_code == 400
    # the error sits in the elements form, before the 主送机关 select, not in the steps section
    steps, elements = html.split('id="document-steps"')[1].split("</section>")[0], html.split('name="main_to"')[0]
    assert "请至少填写一个主送机关。" not in steps
    assert "请至少填写一个主送机关。" in elements.rsplit("<form", 1)[1]


def test_printed_and_dispatched_sentences_count_in_english_and_the_history_title_reads_in_chinese(
        wuxi, draft, client_of):
    printed = audit_record(action="documents.document.printed", actor=wuxi.clerk, organization=wuxi.government,
                           obj=draft, summary="PDF 1 pages", changes={"sha256": "0", "pages": 1})
    two = audit_record(action="documents.document.printed", actor=wuxi.clerk, organization=wuxi.government,
                       obj=draft, summary="PDF 2 pages", changes={"sha256": "0", "pages": 2})
    dispatched = audit_record(action="documents.document.dispatched", actor=wuxi.clerk,
                              organization=wuxi.government, obj=draft, summary="x",
                              changes={"recipients": [wuxi.finance.pk], "receipt_due": "2026-12-08"})
    with translation.override("en"):
        assert event_sentence(printed) == "文书刘芳 printed it (1 page)"
        assert event_sentence(two) == "文书刘芳 printed it (2 pages)"
        assert event_sentence(dispatched) == (
            "文书刘芳 dispatched it to 1 organization, to be signed for by 2026-12-08")
    with translation.override("zh-hans"):
        assert event_sentence(two) == "文书刘芳 印制（共2页）"
        assert event_sentence(dispatched) == "文书刘芳 核发，分送1个单位，2026-12-08前签收"
    page = client_of(wuxi.clerk).get(reverse("documents:history", args=[draft.pk])).content.decode()
    assert f"历史：{draft.title}</h1>" in page
