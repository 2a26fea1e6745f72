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
from egov.documents.tests.conftest import PASSWORD
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
