"""Completing a 公文's workflow task through the generic staff API or task page carries out the
document's own action: its rules apply, its status moves with the task, a refusal moves neither.

Before (the bug of issue 13): the generic completion completed the BPMN task while the document
stayed in 拟稿, skipping its rules (a document without 主送机关 reached 签发) and leaving it stuck.
"""

import pytest
from django.test import Client

from egov.accounts.actions import staff_backup_codes_issue
from egov.documents.actions import document_draft, document_transition
from egov.documents.process import outgoing_process
from egov.documents.tests.conftest import PASSWORD, leader_of
from egov.orgs.roles import Role
from egov.workflow.models import WorkTask


def _api(user) -> tuple[Client, str]:
    client = Client()
    assert client.post("/staff/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    client.get("/api/v1/staff/tasks")
    return client, client.cookies["csrftoken"].value


def _task(document, step: str) -> WorkTask:
    return outgoing_process(document).tasks.get(bpmn_id=step, status__in=["open", "claimed"])


def _complete(client, token, task, data):
    return client.post(f"/api/v1/staff/tasks/{task.pk}/complete", {"data": data}, content_type="application/json",
                       headers={"X-CSRFToken": token})


@pytest.mark.django_db
def test_a_document_without_main_recipients_is_refused_with_that_reason_and_stays(wuxi):
    document = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="关于测试的通知",
                              body="正文。", disclosure="proactive")
    client, token = _api(wuxi.clerk)
    listed = client.get("/api/v1/staff/tasks").json()
    assert [(t["step"], t["subject"], t["title"], t["case"]) for t in listed] == [
        ("draft", "document", "关于测试的通知", None)]
    assert (listed[0]["name"], listed[0]["name_en"]) == ("拟稿", "Draft")  # the BPMN's name and egov:name_en
    response = _complete(client, token, _task(document, "draft"), {})
    assert response.status_code == 400
    assert response.json() == {"message": "请至少填写一个主送机关。",  # the page's language: Chinese
                               "extra": {"field": "main_to", "rule": "required"}}
    document.refresh_from_db()
    assert document.status == "drafting"
    assert _task(document, "draft").status == WorkTask.Status.OPEN  # not claimed, not completed


@pytest.mark.django_db
def test_a_valid_document_moves_with_its_task_through_the_api(wuxi, draft):
    client, token = _api(wuxi.clerk)
    task = _task(draft, "draft")
    response = _complete(client, token, task, {})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["title"]) == ("completed", draft.title)
    draft.refresh_from_db()
    assert draft.status == "reviewing"
    assert _task(draft, "review").candidate_role == "reviewer"  # the next step waits for the reviewer
    # An answer the step does not have is refused; nothing moves.
    reviewer, reviewer_token = _api(wuxi.reviewer)
    wrong = _complete(reviewer, reviewer_token, _task(draft, "review"), {"review_decision": "maybe"})
    assert wrong.status_code == 409 and wrong.json()["extra"] == {"status": "reviewing", "step": "review"}
    draft.refresh_from_db()
    assert draft.status == "reviewing" and _task(draft, "review").status == WorkTask.Status.OPEN
    returned = _complete(reviewer, reviewer_token, _task(draft, "review"),
                         {"review_decision": "return", "opinion": "请补充资金来源。"})
    assert returned.status_code == 200
    draft.refresh_from_db()
    assert draft.status == "drafting"
    event = outgoing_process(draft).tasks.get(bpmn_id="review", status="completed")
    assert event.completed_data["opinion"] == "请补充资金来源。"


@pytest.mark.django_db
def test_the_task_page_shows_the_document_and_signs_it_off_by_its_own_action(client, wuxi, draft):
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    document_transition(actor=wuxi.reviewer, document=draft, to="signing")
    task = _task(draft, "sign_off")
    staff_backup_codes_issue(actor=None, user=wuxi.leader, codes=["27182818"])
    client.post("/staff/login/", {"username": wuxi.leader.username, "password": PASSWORD})
    client.post("/staff/login/code/", {"token": "27182818"})
    page = client.get(f"/staff/tasks/{task.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and f'href="/staff/documents/{draft.pk}/"' in html and draft.title in html
    client.post(f"/staff/tasks/{task.pk}/claim/")
    done = client.post(f"/staff/tasks/{task.pk}/complete/", {"sign_decision": "sign", "opinion": "同意。"})
    assert done.status_code == 302 and done["Location"] == "/staff/inbox/"
    draft.refresh_from_db()
    task.refresh_from_db()
    # 签发 by the leader's own action: the status moves on to 复核 and the 签发人 is recorded.
    assert (draft.status, draft.signed_off_by_id, draft.signers) == ("rechecking", wuxi.leader.pk, "副市长赵强")
    assert task.status == WorkTask.Status.COMPLETED
    assert _task(draft, "recheck").candidate_role == "document_clerk"


# --- docfix: the answers of a 公文's task through the API --------------------------------------


def _sealing(wuxi, draft):
    """``draft`` numbered and printed, waiting for 用印."""
    from datetime import date

    from egov.documents.actions import document_number_allocate, document_print
    from egov.documents.tests.conftest import advance_to_registering

    document = document_number_allocate(document=advance_to_registering(wuxi, draft), actor=wuxi.clerk)
    return document_print(document=document, actor=wuxi.clerk, printed_on=date(2026, 12, 1))


@pytest.mark.django_db
def test_a_seal_that_is_not_a_number_or_not_usable_is_refused_naming_the_seal(wuxi, draft, government_seal):
    from egov.trust.actions import seal_create, seal_grant

    finance_seal = seal_create(actor=None, organization=wuxi.finance, kind="official")
    seal_grant(actor=None, seal=finance_seal, role=Role.DOCUMENT_CLERK)
    document = _sealing(wuxi, draft)
    client, token = _api(wuxi.clerk)
    task = _task(document, "seal")
    not_a_number = _complete(client, token, task, {"seal": "x"})
    assert not_a_number.status_code == 400
    assert not_a_number.json()["extra"] == {"field": "seal", "rule": "type"}
    unknown = _complete(client, token, task, {"seal": 999})
    assert unknown.status_code == 400
    assert unknown.json() == {"message": "印章 999 不存在。",
                              "extra": {"field": "seal", "rule": "unknown", "seal": 999}}
    # another organization's seal, granted to the clerks there: not one this clerk may use here
    other = _complete(client, token, task, {"seal": finance_seal.pk})
    assert other.status_code == 403
    assert other.json()["extra"] == {"field": "seal", "rule": "not_usable", "seal": finance_seal.pk}
    opinion = _complete(client, token, task, {"seal": government_seal.pk, "opinion": 123})
    assert opinion.status_code == 400 and opinion.json()["extra"] == {"field": "opinion", "rule": "type"}
    document.refresh_from_db()
    assert document.status == "sealing" and _task(document, "seal").status == WorkTask.Status.OPEN
    # the one seal usable is taken without naming it
    assert _complete(client, token, task, {}).status_code == 200
    document.refresh_from_db()
    assert document.status == "dispatching"
    # the task again: it is done, and says so
    again = _complete(client, token, task, {})
    assert again.status_code == 409
    assert again.json()["message"] == "该环节已办结。"


@pytest.mark.django_db
def test_sealing_without_a_seal_is_refused_when_two_are_usable(wuxi, draft, government_seal):
    from egov.trust.actions import seal_create, seal_grant

    document_stamp = seal_create(actor=None, organization=wuxi.government, kind="document")  # 公文专用章
    seal_grant(actor=None, seal=document_stamp, role=Role.DOCUMENT_CLERK)
    document = _sealing(wuxi, draft)
    client, token = _api(wuxi.clerk)
    refused = _complete(client, token, _task(document, "seal"), {})
    assert refused.status_code == 400
    assert refused.json()["extra"] == {"field": "seal", "rule": "required"}
    chosen = _complete(client, token, _task(document, "seal"), {"seal": str(document_stamp.pk)})
    assert chosen.status_code == 200


@pytest.mark.django_db
def test_the_reviewer_names_the_countersigning_organizations_with_joint_reviewers(wuxi, draft):
    leader_of(wuxi.police, "police-leader")
    leader_of(wuxi.reform, "reform-leader")
    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    client, token = _api(wuxi.reviewer)
    task = _task(draft, "review")
    issuer = _complete(client, token, task, {"review_decision": "countersign",
                                             "joint_reviewers": [wuxi.government.pk]})
    assert issuer.status_code == 400 and issuer.json()["extra"] == {"field": "joint_reviewers", "rule": "issuer"}
    unknown = _complete(client, token, task, {"review_decision": "countersign", "joint_reviewers": [99999]})
    assert unknown.status_code == 400 and unknown.json()["extra"] == {"field": "joint_reviewers", "rule": "unknown"}
    bad = _complete(client, token, task, {"review_decision": "countersign", "joint_reviewers": ["x"]})
    assert bad.status_code == 400 and bad.json()["extra"] == {"field": "joint_reviewers", "rule": "type"}
    draft.refresh_from_db()
    assert draft.status == "reviewing" and list(draft.countersigners.all()) == []
    done = _complete(client, token, task, {"review_decision": "countersign",
                                           "joint_reviewers": [wuxi.police.pk, str(wuxi.reform.pk)]})
    assert done.status_code == 200
    draft.refresh_from_db()
    assert draft.status == "countersigning"
    assert sorted(draft.countersigners.values_list("name", flat=True)) == ["无锡市公安局", "无锡市发展和改革委员会"]
    waiting = outgoing_process(draft).tasks.filter(bpmn_id="countersign", status="open")
    assert sorted(waiting.values_list("candidate_organization__name", flat=True)) == [
        "无锡市公安局", "无锡市发展和改革委员会"]


@pytest.mark.django_db
def test_a_document_whose_reviewer_removed_every_main_recipient_is_stopped_before_a_number(wuxi, draft):
    from egov.core.errors import ValidationFailed
    from egov.documents.actions import document_number_allocate, document_update
    from egov.documents.models import DocumentNumberCounter

    document_transition(actor=wuxi.clerk, document=draft, to="reviewing")
    with pytest.raises(ValidationFailed) as error:  # the 核稿 save is refused, the 主送 stay
        document_update(actor=wuxi.reviewer, document=draft, main_to=[])
    assert error.value.extra == {"field": "main_to", "rule": "required"}
    assert sorted(draft.recipients.filter(kind="main").values_list("name", flat=True)) == [
        "无锡市教育局", "无锡市财政局"]
    # a document that lost its 主送 some other way is stopped at every forward move, before 登记
    draft.recipients.filter(kind="main").delete()
    with pytest.raises(ValidationFailed):
        document_transition(actor=wuxi.reviewer, document=draft, to="signing")
    draft.status = "registering"  # as if it had got there
    draft.save(update_fields=["status"])
    with pytest.raises(ValidationFailed) as error:
        document_number_allocate(document=draft, actor=wuxi.clerk)
    assert error.value.extra == {"field": "main_to", "rule": "required"}
    draft.refresh_from_db()
    assert draft.number_seq is None and not DocumentNumberCounter.objects.filter(last_seq__gt=0).exists()


@pytest.mark.django_db
def test_the_task_page_of_register_seal_and_dispatch_sends_to_the_documents_confirmation_page(
        client, wuxi, draft, government_seal):
    from egov.documents.tests.conftest import advance_to_registering

    document = advance_to_registering(wuxi, draft)
    client.force_login(wuxi.clerk)
    register = _task(document, "register")
    page = client.get(f"/staff/tasks/{register.pk}/")
    assert page.status_code == 302 and page["Location"] == f"/staff/documents/{document.pk}/steps/register/"
    # a bare completion posted to the task page completes nothing: it is sent to the page as well
    posted = client.post(f"/staff/tasks/{register.pk}/complete/", {"opinion": ""})
    assert posted.status_code == 302 and posted["Location"] == f"/staff/documents/{document.pk}/steps/register/"
    document.refresh_from_db()
    assert document.status == "registering" and document.number_seq is None
    # the review task has no confirmation page: the task page answers it
    assert _task_subject_step_url(_done_task(document, "review")) is None


def _done_task(document, step):
    return outgoing_process(document).tasks.get(bpmn_id=step, status="completed")


def _task_subject_step_url(task):
    from egov.casework.dispatch import task_subject

    return task_subject(task).step_url
