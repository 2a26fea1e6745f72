"""The outgoing process (发文办理) of a document as a BPMN process run by ``workflow``.

``documents/processes/outgoing_document.bpmn`` (installed with the other shipped definitions by
``egov workflow install`` and ``egov demo``) has one user task per step of ``states.TRANSITIONS``.
The documents actions are the only way to take a step: each moves the document's status and
completes the matching workflow task in the same transaction (``outgoing_step``), so the status,
the inbox (``/staff/tasks/``) and the diagram never disagree. The workflow audits the task; the
document action audits the move.

| move (status → status)                 | BPMN step     | answer                                   |
|----------------------------------------|---------------|------------------------------------------|
| 拟稿 → 核稿                            | ``draft``     | —                                        |
| 核稿 → 签发 / 会签 / 拟稿              | ``review``    | ``review_decision``, ``countersigners``  |
| 会签 (each organization)               | ``countersign`` | ``countersign_opinion`` agree/disagree |
| 签发 → 复核 / 拟稿                      | ``sign_off``  | ``sign_decision`` sign/return            |
| 复核 → 登记 / 拟稿                      | ``recheck``   | ``recheck_decision`` ok/return           |
| 登记, 印制, 用印, 核发                  | ``register`` … ``dispatch`` | —                          |
| 作废                                    | the process is cancelled | —                              |
"""

from typing import Any

from django.utils.translation import gettext as _

from egov.core.actors import is_system
from egov.core.errors import Conflict, PermissionDenied
from egov.documents.models import OfficialDocument
from egov.documents.states import Status
from egov.workflow.actions import process_cancel, process_start, task_claim, task_complete
from egov.workflow.models import ProcessInstance, WorkTask
from egov.workflow.selectors import instance_task_at, instances_for_subject

PROCESS_KEY = "outgoing_document"

STEPS: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    (Status.DRAFTING, Status.REVIEWING): ("draft", {}),
    (Status.REVIEWING, Status.DRAFTING): ("review", {"review_decision": "return"}),
    (Status.REVIEWING, Status.COUNTERSIGNING): ("review", {"review_decision": "countersign"}),
    (Status.REVIEWING, Status.SIGNING): ("review", {"review_decision": "sign"}),
    (Status.SIGNING, Status.RECHECKING): ("sign_off", {"sign_decision": "sign"}),
    (Status.SIGNING, Status.DRAFTING): ("sign_off", {"sign_decision": "return"}),
    (Status.RECHECKING, Status.REGISTERING): ("recheck", {"recheck_decision": "ok"}),
    (Status.RECHECKING, Status.DRAFTING): ("recheck", {"recheck_decision": "return"}),
    (Status.REGISTERING, Status.PRINTING): ("register", {}),
    (Status.PRINTING, Status.SEALING): ("print", {}),
    (Status.SEALING, Status.DISPATCHING): ("seal", {}),
    (Status.DISPATCHING, Status.ISSUED): ("dispatch", {}),
}


def outgoing_start(*, actor, document: OfficialDocument) -> ProcessInstance:
    """Start the outgoing process for a new draft; its first task (拟稿) waits for the issuer's clerks."""
    return process_start(actor=actor, subject=document, definition_key=PROCESS_KEY, owner=document.issuer,
                         data={"document": document.pk})


def outgoing_process(document: OfficialDocument) -> ProcessInstance | None:
    """The document's outgoing process (the newest, should it have been restarted), or None."""
    return instances_for_subject(subject=document).filter(definition__key=PROCESS_KEY).first()


def _running(document: OfficialDocument) -> ProcessInstance:
    instance = outgoing_process(document)
    if instance is None or instance.status != ProcessInstance.Status.RUNNING:
        raise Conflict(_("This document has no running outgoing process (it was not drafted here)."),
                       extra={"status": document.status})
    return instance


def task_finish(*, actor, task: WorkTask, data: dict[str, Any]) -> WorkTask:
    """Claim ``task`` when it is open, then complete it with ``data`` (as ``actor``)."""
    if task.status == WorkTask.Status.OPEN:
        task = task_claim(actor=actor, task=task)
    return task_complete(actor=actor, task=task, data=data)


def outgoing_step(*, actor, document: OfficialDocument, previous: str, target: str,
                  data: dict[str, Any] | None = None, comment: str = "") -> None:
    """Complete the workflow step of the move ``previous`` → ``target`` (called inside the move's
    transaction, after the documents action checked the table and the role); 作废 cancels the process.

    Raises:
        PermissionDenied: the platform (``actor=SYSTEM``) takes no step: each is a person's.
        Conflict: the document has no running process, or it is not at the step (named).
    """
    if is_system(actor):
        raise PermissionDenied(_("A step of an official document is taken by a person."))
    instance = _running(document)
    if target == Status.WITHDRAWN:
        process_cancel(actor=actor, instance=instance, reason=comment or "作废")
        return
    step, answer = STEPS[(previous, target)]
    task = instance_task_at(instance=instance, bpmn_id=step)
    task_finish(actor=actor, task=task, data={**answer, **(data or {}), "opinion": comment[:2000]})


def countersign_task_for(*, actor, document: OfficialDocument) -> WorkTask | None:
    """The open 会签 task of ``document`` that waits for one of ``actor``'s organizations, or None."""
    instance = outgoing_process(document)
    if instance is None:
        return None
    return (instance.tasks.filter(bpmn_id="countersign", status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED],
                                  candidate_organization__memberships__user=actor)
            .select_related("candidate_organization").first())
