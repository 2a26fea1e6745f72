"""One way to complete a workflow task from the generic task page or the staff task API: by the
task's subject's own action, chosen here by the subject's kind (explicitly: ``workflow`` sits below
``services`` and ``documents`` and cannot see them).

- a case (办件, ``services.Application``): ``services.actions.processing.case_task_complete`` reads the
  answer through ``services.steps.TASK_ANSWERS`` and takes the case's step (status, timeline,
  deadline, licence move with the task);
- an outgoing 公文 (``documents.OfficialDocument``): ``documents.steps.document_task_complete``
  (the documents app's one entry point) reads it through ``documents.process.STEPS`` and takes
  the document's step with its rules;
- any other subject: ``workflow.actions.task_complete`` (claiming the task first when it is open).

``task_subject`` describes a task's subject for the inbox and the task page: kind, title, number,
its page.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from egov.core.errors import Conflict
from egov.documents.models import OfficialDocument
from egov.documents.steps import document_task_complete, task_confirmation_url
from egov.services.actions.processing import case_task_complete
from egov.services.models import Application
from egov.workflow import actions as workflow_actions
from egov.workflow.models import WorkTask


@dataclass(frozen=True)
class Subject:
    """What a task is about: ``kind`` (``case``, ``document`` or ``task``), ``title``, ``number``
    (tracking number, 发文字号, or ``""``), ``url``, its staff page (None: the task page is its
    only page), and ``step_url``, the subject's own page for this step when the step is taken there
    and not on the generic task page (a 公文's 登记, 用印 and 核发 confirmation pages)."""

    kind: str
    title: str
    number: str
    url: str | None
    step_url: str | None = None


def task_subject(task: WorkTask) -> Subject:
    """The subject of ``task``'s process, described for staff pages."""
    subject = task.instance.subject
    if isinstance(subject, Application):
        return Subject("case", subject.item.local_name, subject.number,
                       reverse("services_staff:case", args=[subject.number]))
    if isinstance(subject, OfficialDocument):
        return Subject("document", subject.title, str(subject.number or ""),
                       reverse("documents:detail", args=[subject.pk]), task_confirmation_url(task))
    return Subject("task", task.instance.definition.local_name, f"#{task.instance_id}", None)


def waits_outside(task: WorkTask) -> bool:
    """True when ``task`` waits for someone outside the organization (its step stops the case clock,
    ``pauses_clock``: 补正 waits for the applicant's materials). Nobody claims it; the case page
    takes the materials in when they arrive."""
    return bool(task.properties.get("pauses_clock"))


def task_claim_checked(*, actor, task: WorkTask) -> WorkTask:
    """Claim ``task`` (认领) for ``actor`` (``workflow.actions.task_claim``), unless it waits outside.

    Raises:
        Conflict: the step waits for the applicant (``extra``: ``{"step", "rule": "waiting"}``);
            as ``task_claim`` otherwise.
    """
    if waits_outside(task):
        raise Conflict(_("This step waits for the applicant's supplementary materials: it is not claimed; the "
                         "case page takes them in when they arrive."),
                       extra={"step": task.bpmn_id, "rule": "waiting"})
    return workflow_actions.task_claim(actor=actor, task=task)


def task_complete_as_subject(*, actor, task: WorkTask, data: dict[str, Any], mfa_verified: bool) -> WorkTask:
    """Complete ``task`` with the answer ``data`` by its subject's own action (see the module).

    Args:
        data: the answer as the workflow takes it (the step's decision field, ``opinion``, ids).
        mfa_verified: the actor's session passed the second factor (a 公文's 签发 and 会签 need it).

    Returns:
        The task, read again (completed when the action took its step).

    Raises:
        ValidationFailed, PermissionDenied, NotFound, Conflict: as the subject's action; nothing
            moved then (each action is one transaction).
    """
    subject = task.instance.subject
    if isinstance(subject, Application):
        case_task_complete(actor=actor, application=subject, task=task, data=data)
    elif isinstance(subject, OfficialDocument):
        document_task_complete(actor=actor, task=task, data=data, mfa_verified=mfa_verified)
    else:
        if task.status == WorkTask.Status.OPEN:
            task = workflow_actions.task_claim(actor=actor, task=task)
        workflow_actions.task_complete(actor=actor, task=task, data=data)
    task.refresh_from_db()
    return task
