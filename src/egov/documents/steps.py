"""One entry point for a step of 发文办理 answered somewhere else than the document's page (the
generic task page of ``workflow``, the clerk's workbench, the API): ``document_task_complete``
reads the (BPMN step, answer) → move table of ``documents.process`` (``STEPS``) and carries out the
document's own action for that move, which completes the task in the same transaction. The task is
never completed on its own, so the document's status, opinions and audit stay as on its page.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.documents import actions, flow
from egov.documents.models import OfficialDocument
from egov.documents.process import PROCESS_KEY, STEPS
from egov.documents.selectors import document_seals_usable
from egov.documents.states import Status, move_for
from egov.orgs.models import Organization
from egov.trust.models import Seal
from egov.workflow.models import WorkTask


def task_confirmation_url(task: WorkTask) -> str | None:
    """The document's own confirmation page for ``task`` when its step has one (登记, 用印, 核发:
    ``Move.confirm``, ``/staff/documents/<id>/steps/register|seal|dispatch/``), else None. The generic
    task page sends the user there rather than completing such a step bare (no number shown, no
    seal chosen, no recipients listed)."""
    from django.urls import reverse

    if task.instance.definition.key != PROCESS_KEY:
        return None
    for (start, target), (bpmn_id, _answer) in STEPS.items():
        move = move_for(start, target)
        if bpmn_id == task.bpmn_id and move.confirm:
            return reverse("documents:step", args=[task.instance.data["document"], move.name])
    return None


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


@transaction.atomic
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
            签发意见, the reason of a return; required for a return), ``seal`` (用印: a seal id,
            ``seal_choice``; may be left out when the actor may use one seal only), ``joint_reviewers``
            (送会签: the countersigning organizations' ids, ``countersigners_choice``, kept on the
            document before it moves; one transaction with the move).
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
    if task.status not in (WorkTask.Status.OPEN, WorkTask.Status.CLAIMED):
        raise Conflict(_("This task has been completed already."),
                       extra={"task": task.pk, "status": task.status, "rule": "done"})
    document = OfficialDocument.objects.get(pk=instance.data["document"])
    opinion = data.get("opinion") or ""
    if not isinstance(opinion, str):
        raise ValidationFailed(_("The opinion must be text."), extra={"field": "opinion", "rule": "type"})
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
        return actions.document_seal(document=document, actor=actor,
                                     seal=seal_choice(actor=actor, document=document, value=data.get("seal")))
    if name == "dispatch":
        return flow.document_dispatch(actor=actor, document=document)
    if target == Status.COUNTERSIGNING and "joint_reviewers" in data:
        actions.document_update(actor=actor, document=document, countersigners=countersigners_choice(
            document=document, value=data["joint_reviewers"]))
    return actions.document_transition(actor=actor, document=document, to=target, comment=opinion)


def _ids(value: Any, *, field: str) -> list[int]:
    """``value`` (a list of ids, as numbers or digit strings) as ints; ValidationFailed naming ``field``."""
    if not isinstance(value, list):
        value = [value]
    ids = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | str) or not str(item).strip().isdigit():
            raise ValidationFailed(_("%(value)s is not an id.") % {"value": item},
                                   extra={"field": field, "rule": "type"})
        ids.append(int(str(item).strip()))
    return ids


def seal_choice(*, actor, document: OfficialDocument, value: Any) -> Seal:
    """The seal 用印 uses when the answer's ``seal`` is ``value``: one of ``document_seals_usable``
    (the seals of the issuer and joint issuers that ``actor`` holds a grant for). Without ``value``,
    the only usable seal; with several, the choice is the user's.

    Raises:
        ValidationFailed (``field: "seal"``): not an id (``rule: "type"``); no seal has that id
            (``rule: "unknown"``); none given while several are usable (``rule: "required"``); none usable
            (``rule: "none_usable"``).
        PermissionDenied (``field: "seal"``, ``rule: "not_usable"``): a seal the actor may not use for
            this document (another organization's, or one without a grant).
    """
    usable = document_seals_usable(actor=actor, document=document)
    if value in (None, ""):
        if len(usable) == 1:
            return usable[0]
        if not usable:
            raise ValidationFailed(_("You may use no seal of the issuing organization."),
                                   extra={"field": "seal", "rule": "none_usable"})
        raise ValidationFailed(_("Choose the seal to use."), extra={"field": "seal", "rule": "required"})
    if isinstance(value, list):
        raise ValidationFailed(_("Choose one seal."), extra={"field": "seal", "rule": "type"})
    [pk] = _ids(value, field="seal")
    for seal in usable:
        if seal.pk == pk:
            return seal
    if not Seal.objects.filter(pk=pk).exists():
        raise ValidationFailed(_("There is no seal %(seal)s.") % {"seal": pk},
                               extra={"field": "seal", "rule": "unknown", "seal": pk})
    raise PermissionDenied(_("You may not use seal %(seal)s for this document.") % {"seal": pk},
                           extra={"field": "seal", "rule": "not_usable", "seal": pk})


def countersigners_choice(*, document: OfficialDocument, value: Any) -> list[Organization]:
    """The 会签 organizations named by ``value`` (organization ids): active organizations other than the
    issuer, each once.

    Raises:
        ValidationFailed (``field: "joint_reviewers"``): not a list of ids (``rule: "type"``), an id that
            is no active organization (``rule: "unknown"``), the issuer itself (``rule: "issuer"``).
    """
    ids = list(dict.fromkeys(_ids(value, field="joint_reviewers")))
    organizations = {o.pk: o for o in Organization.objects.filter(pk__in=ids, is_active=True)}
    for pk in ids:
        if pk not in organizations:
            raise ValidationFailed(_("There is no organization %(organization)s.") % {"organization": pk},
                                   extra={"field": "joint_reviewers", "rule": "unknown"})
        if pk == document.issuer_id:
            raise ValidationFailed(_("The issuing organization does not countersign its own document."),
                                   extra={"field": "joint_reviewers", "rule": "issuer"})
    return [organizations[pk] for pk in ids]
