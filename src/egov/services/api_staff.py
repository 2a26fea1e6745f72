"""Staff API (``/api/v1/staff/``, mounted only when the staff site is served): the inbox (待办), claiming
a task and completing it.

Auth: a signed-in staff session that passed MFA where the staff member's roles require it
(``accounts.permissions.staff_session_ok``); unsafe methods need the CSRF token. A task of a case
(办件) is completed through the case's own action (``processing``), so that its status, timeline,
deadline and licence move with the workflow; other tasks through ``workflow.actions.task_complete``.
"""

from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.security import SessionAuth

from egov.accounts.permissions import staff_session_ok
from egov.core.errors import ValidationFailed
from egov.orgs.models import Organization
from egov.services.actions import processing
from egov.services.api_common import ErrorOut
from egov.services.models import Application, Material
from egov.workflow import actions as workflow_actions
from egov.workflow.models import WorkTask
from egov.workflow.selectors import inbox_todo, task_get

router = Router(tags=["staff"])


class StaffSessionAuth(SessionAuth):
    """An active staff member's session, MFA passed where required (others: 401)."""

    def authenticate(self, request, key):
        return request.user if staff_session_ok(request) else None


staff_session = StaffSessionAuth()


class TaskOut(Schema):
    id: int
    step: str = Field(..., description="the BPMN id of the step, e.g. receive, accept, review, decide")
    name: str
    status: str
    process: str
    case: str | None = Field(..., description="the tracking number when the task is a step of a case (办件)")
    organization: str
    role: str
    claimed_by: str | None
    due_date: date | None
    working_days_left: int | None
    urgency: str
    created_at: datetime


def _task_out(task: WorkTask, days_left: int | None = None, urgency: str = "none") -> dict:
    subject = task.instance.subject
    return {"id": task.pk, "step": task.bpmn_id, "name": task.name, "status": task.status,
            "process": task.instance.definition.key,
            "case": subject.number if isinstance(subject, Application) else None,
            "organization": task.candidate_organization.name, "role": task.candidate_role,
            "claimed_by": task.claimed_by.name if task.claimed_by_id else None, "due_date": task.due_date,
            "working_days_left": days_left, "urgency": urgency, "created_at": task.created_at}


@router.get("/tasks", response={200: list[TaskOut], 401: ErrorOut}, auth=staff_session)
def inbox(request):
    """待办: tasks I may claim and tasks I claimed, least working time left first."""
    return [_task_out(row.task, row.days_left, row.urgency) for row in inbox_todo(user=request.auth)]


@router.post("/tasks/{task_id}/claim", response={200: TaskOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                                                 409: ErrorOut}, auth=staff_session)
def claim(request, task_id: int):
    """Claim an open task (签收)."""
    task = workflow_actions.task_claim(actor=request.auth, task=task_get(user=request.auth, task_id=task_id))
    return _task_out(task)


class CompleteIn(Schema):
    data: dict[str, Any] = Field(default_factory=dict, description=(
        "the answer: the step's decision field (accept_decision: accept|reject|supplement; decision: "
        "approve|deny; joint_opinion: agree|disagree), opinion (text), joint_reviewers (organization ids), "
        "materials (material ids, for supplement)"))


def _ids(data: dict, field: str) -> list[int]:
    value = data.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationFailed(_("A list of ids is expected."), extra={"field": f"data.{field}", "rule": "ids"})
    return value


def _text(data: dict, field: str = "opinion") -> str:
    value = data.get(field, "")
    if not isinstance(value, str):
        raise ValidationFailed(_("Text is expected."), extra={"field": f"data.{field}", "rule": "type"})
    return value


def _choice(data: dict, field: str, options: tuple[str, ...]) -> str:
    value = data.get(field)
    if value not in options:
        raise ValidationFailed(_("Choose one of: %(options)s.") % {"options": ", ".join(options)},
                               extra={"field": f"data.{field}", "rule": "choice", "options": list(options)})
    return value


def _complete_case_step(actor, case: Application, step: str, data: dict) -> None:
    """Do the case action that completes ``step`` with ``data`` (the same actions as the case page)."""
    if step == "receive":
        processing.application_receive(actor=actor, application=case)
    elif step == "accept":
        decision = _choice(data, "accept_decision", ("accept", "reject", "supplement"))
        if decision == "accept":
            processing.application_accept(actor=actor, application=case, opinion=_text(data))
        elif decision == "reject":
            processing.application_refuse(actor=actor, application=case, reasons=_text(data))
        else:
            materials = list(Material.objects.filter(pk__in=_ids(data, "materials")))
            processing.application_supplement_request(actor=actor, application=case, materials=materials,
                                                      note=_text(data))
    elif step == "supplement":
        processing.application_supplement_receive(actor=actor, application=case)
    elif step == "review":
        ids = _ids(data, "joint_reviewers")
        reviewers = list(Organization.objects.filter(pk__in=ids, is_active=True))
        if len(reviewers) != len(set(ids)) or len(ids) != len(set(ids)):
            raise ValidationFailed(_("Each organization must exist, be active and be named once."),
                                   extra={"field": "data.joint_reviewers", "rule": "organization_ids"})
        processing.application_review(actor=actor, application=case, joint_reviewers=reviewers, opinion=_text(data))
    elif step == "joint_review":
        agree = _choice(data, "joint_opinion", ("agree", "disagree")) == "agree"
        processing.application_joint_opinion(actor=actor, application=case, agree=agree, opinion=_text(data))
    elif step == "decide":
        approve = _choice(data, "decision", ("approve", "deny")) == "approve"
        processing.application_decide(actor=actor, application=case, approve=approve, reasons=_text(data))
    elif step == "conclude":
        processing.application_conclude(actor=actor, application=case)
    elif step == "deliver":
        processing.application_deliver(actor=actor, application=case)
    else:
        raise ValidationFailed(_("This step cannot be completed here."), extra={"field": "step", "rule": "unknown"})


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                                    404: ErrorOut, 409: ErrorOut}, auth=staff_session)
def complete(request, task_id: int, payload: CompleteIn):
    """Complete a task (办理) with its answer; the task must be open or claimed by me."""
    task = task_get(user=request.auth, task_id=task_id)
    subject = task.instance.subject
    if isinstance(subject, Application):
        _complete_case_step(request.auth, subject, task.bpmn_id, payload.data)
    else:
        if task.status == WorkTask.Status.OPEN:
            task = workflow_actions.task_claim(actor=request.auth, task=task)
        workflow_actions.task_complete(actor=request.auth, task=task, data=payload.data)
    task.refresh_from_db()
    return _task_out(task)
