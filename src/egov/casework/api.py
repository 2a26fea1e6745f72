"""Staff API (``/api/v1/staff/``, mounted only when the staff site is served): the inbox (待办), claiming
a task and completing it.

Auth: a signed-in staff session that passed MFA where the staff member's roles require it
(``accounts.permissions.staff_session_ok``); unsafe methods need the CSRF token. A task is completed
through its subject's own action (``casework.dispatch``): a case's (办件) so that its status,
timeline, deadline and licence move with the workflow, a 公文's so that its rules apply and its
status moves; other tasks through ``workflow.actions.task_complete``.
"""

from datetime import date, datetime
from typing import Any

from ninja import Field, Router, Schema

from egov.accounts.apiauth import staff_session
from egov.casework.dispatch import task_claim_checked, task_complete_as_subject, task_subject
from egov.core.apischema import ErrorOut
from egov.workflow.models import WorkTask
from egov.workflow.selectors import inbox_todo, task_get

router = Router(tags=["staff"])



class TaskOut(Schema):
    id: int
    step: str = Field(..., description="the BPMN id of the step, e.g. receive, accept, review, decide")
    name: str = Field(..., description="the step's name as the definition gives it (Chinese, e.g. 受理)")
    name_en: str = Field(..., description="the step's English name (e.g. Accept); empty when the definition "
                                          "has none")
    status: str
    process: str
    case: str | None = Field(..., description="the tracking number when the task is a step of a case (办件)")
    subject: str = Field(..., description="what the task is about: case (办件), document (公文) or task")
    title: str = Field(..., description="the subject's title: the service item, the document's title, the process")
    number: str = Field(..., description="the tracking number, the 发文字号 (empty before 登记), or #process id")
    organization: str
    role: str
    claimed_by: str | None
    due_date: date | None
    working_days_left: int | None
    urgency: str
    created_at: datetime


def _task_out(task: WorkTask, days_left: int | None = None, urgency: str = "none") -> dict:
    subject = task_subject(task)
    return {"id": task.pk, "step": task.bpmn_id, "name": task.name, "name_en": task.name_en, "status": task.status,
            "process": task.instance.definition.key,
            "case": subject.number if subject.kind == "case" else None,
            "subject": subject.kind, "title": subject.title, "number": subject.number,
            "organization": task.candidate_organization.local_name, "role": task.candidate_role,
            "claimed_by": task.claimed_by.name if task.claimed_by_id else None, "due_date": task.due_date,
            "working_days_left": days_left, "urgency": urgency, "created_at": task.created_at}


@router.get("/tasks", response={200: list[TaskOut], 401: ErrorOut}, auth=staff_session)
def inbox(request):
    """待办: tasks I may claim and tasks I claimed, least working time left first."""
    return [_task_out(row.task, row.days_left, row.urgency) for row in inbox_todo(user=request.auth)]


@router.post("/tasks/{task_id}/claim", response={200: TaskOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                                 409: ErrorOut}, auth=staff_session)
def claim(request, task_id: int):
    """Claim an open task (认领). A step that waits for the applicant (补正) is not claimed: 409."""
    task = task_claim_checked(actor=request.auth, task=task_get(user=request.auth, task_id=task_id))
    return _task_out(task)


class CompleteIn(Schema):
    data: dict[str, Any] = Field(default_factory=dict, description=(
        "the answer: the step's decision field (a case: accept_decision: accept|reject|supplement; decision: "
        "approve|deny; joint_opinion: agree|disagree; a 公文: review_decision: sign|countersign|return, "
        "sign_decision: sign|return, recheck_decision: ok|return, countersign_opinion: agree|disagree), opinion "
        "(text), joint_reviewers (organization ids), materials (material ids, for supplement), seal (a seal id, "
        "for 用印)"))


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                                    404: ErrorOut, 409: ErrorOut}, auth=staff_session)
def complete(request, task_id: int, payload: CompleteIn):
    """Complete a task (办理) with its answer by its subject's own action (a case's step, a 公文's
    step with its rules; ``casework.dispatch``); the task must be open or claimed by me. A refused
    answer moves nothing."""
    task = task_get(user=request.auth, task_id=task_id)
    task = task_complete_as_subject(actor=request.auth, task=task, data=payload.data,
                                    mfa_verified=request.user.is_verified())
    return _task_out(task)
