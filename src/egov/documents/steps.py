"""One entry point for a step of 发文办理 answered somewhere else than the document's page (the
generic task page of ``workflow``, the clerk's workbench, the API): ``document_task_complete``
reads the (BPMN step, answer) → move table of ``documents.process`` (``STEPS``) and carries out the
document's own action for that move, which completes the task in the same transaction. The task is
never completed on its own, so the document's status, opinions and audit stay as on its page.
"""

from typing import Any

from django.utils.translation import gettext as _

from egov.core.errors import Conflict, ValidationFailed
from egov.documents import actions, flow
from egov.documents.models import OfficialDocument
from egov.documents.process import PROCESS_KEY, STEPS
from egov.documents.selectors import document_seal_for
from egov.documents.states import Status, move_for
from egov.trust.models import Seal
from egov.workflow.models import WorkTask


def target_for_answer(*, status: str, step: str, data: dict[str, Any]) -> str:
    """The status a document at ``status`` moves to when its BPMN task ``step`` is answered with
    ``data`` (``process.STEPS`` read backwards: the move whose answer ``data`` contains).

    Raises:
        Conflict: the table has no move from ``status`` for this step and answer.
    """
    for (start, target), (bpmn_id, answer) in STEPS.items():
        if start == status and bpmn_id == step and all(data.get(key) == value for key, value in answer.items()):
            return target
    raise Conflict(_("This answer is not a step of the document at %(status)s.") % {
        "status": Status(status).label if status in Status.values else status},
        extra={"status": status, "step": step})


def document_task_complete(*, actor, task: WorkTask, data: dict[str, Any], mfa_verified: bool = False,
                           ) -> OfficialDocument:
    """Carry out the document action that answers ``task`` (a task of the ``outgoing_document``
    process) with ``data``, as the document's page would.

    Args:
        actor: the person answering (the action checks the role in the issuing organization).
        task: an open or claimed task of the document's outgoing process.
        data: the answer: ``review_decision`` (``sign``/``countersign``/``return``),
            ``sign_decision`` (``sign``/``return``), ``recheck_decision`` (``ok``/``return``),
            ``countersign_opinion`` (``agree``/``disagree``), ``opinion`` (the text: 核稿意见,
            签发意见, the reason of a return; required for a return), ``seal`` (用印: a seal id;
            default: the first seal the actor may use).
        mfa_verified: the session passed the second factor (签发 and 会签 need it).

    Returns:
        The document after the step.

    Raises:
        Conflict: the task is not of an outgoing document process, or the answer does not fit the
            document's status; everything the action raises (NotFound, PermissionDenied,
            ValidationFailed, Conflict) passes through unchanged.
    """
    instance = task.instance
    if instance.definition.key != PROCESS_KEY:
        raise Conflict(_("This task is not a step of an official document."), extra={"task": task.pk})
    document = OfficialDocument.objects.get(pk=instance.data["document"])
    opinion = str(data.get("opinion") or "")
    if task.bpmn_id == "countersign":
        return flow.document_countersign(actor=actor, document=document, opinion=opinion,
                                         agree=data.get("countersign_opinion") == "agree", mfa_verified=mfa_verified)
    target = target_for_answer(status=document.status, step=task.bpmn_id, data=data)
    name = move_for(document.status, target).name
    if name == "sign_off":
        return actions.document_sign_off(actor=actor, document=document, mfa_verified=mfa_verified, comment=opinion)
    if name == "register":
        return actions.document_number_allocate(document=document, actor=actor)
    if name == "print":
        return actions.document_print(document=document, actor=actor)
    if name == "seal":
        seal = Seal.objects.filter(pk=data["seal"]).first() if data.get("seal") else document_seal_for(
            actor=actor, document=document)
        if seal is None:
            raise ValidationFailed(_("Choose the seal to use."), extra={"field": "seal", "rule": "required"})
        return actions.document_seal(document=document, actor=actor, seal=seal)
    if name == "dispatch":
        return flow.document_dispatch(actor=actor, document=document)
    return actions.document_transition(actor=actor, document=document, to=target, comment=opinion)
