"""Completing a step of a 公文's outgoing process from outside the document's page: the generic task
page and the staff task API (``egov.casework.dispatch``) call ``outgoing_task_complete``, which reads
the answer through the one table of ``process.STEPS`` ((status → status) ↔ (BPMN step, answer))
and carries out the document's own action, with its rules (主送机关 before 核稿, 签发 by a leader
with the second factor, the 发文字号, the seal …). The workflow task then moves with the status,
as on the document's page; a refused answer leaves both where they were.
"""

from typing import Any

from django.utils.translation import gettext as _

from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.documents import actions, selectors
from egov.documents.flow import document_countersign, document_dispatch
from egov.documents.models import OfficialDocument
from egov.documents.process import STEPS
from egov.documents.states import Status
from egov.trust.models import Seal
from egov.workflow.models import WorkTask


def document_step(*, actor, document: OfficialDocument, target: str, comment: str = "", mfa_verified: bool = False,
                  seal: Seal | None = None) -> OfficialDocument:
    """Move ``document`` to status ``target`` by the action that owns the move: 签发
    (``document_sign_off``), 登记 (``document_number_allocate``), 印制 (``document_print``), 用印
    (``document_seal`` with ``seal``, default the issuer's seal the actor may use,
    ``selectors.document_seal_for``), 核发 (``flow.document_dispatch``); any other move of
    ``states.TRANSITIONS`` by ``document_transition`` with ``comment``.

    Raises:
        as the action; PermissionDenied when no seal is given and the actor may use none.
    """
    if target == Status.RECHECKING and document.status == Status.SIGNING:
        return actions.document_sign_off(actor=actor, document=document, mfa_verified=mfa_verified, comment=comment)
    if target == Status.PRINTING and document.status == Status.REGISTERING:
        return actions.document_number_allocate(document=document, actor=actor)
    if target == Status.SEALING and document.status == Status.PRINTING:
        return actions.document_print(document=document, actor=actor)
    if target == Status.DISPATCHING and document.status == Status.SEALING:
        seal = seal or selectors.document_seal_for(actor=actor, document=document)
        if seal is None:
            raise PermissionDenied(_("You may use no seal of %(organization)s.")
                                   % {"organization": document.issuer.name}, extra={"field": "seal"})
        return actions.document_seal(document=document, actor=actor, seal=seal)
    if target == Status.ISSUED and document.status == Status.DISPATCHING:
        return document_dispatch(actor=actor, document=document)
    return actions.document_transition(actor=actor, document=document, to=target, comment=comment)


def _text(data: dict[str, Any]) -> str:
    value = data.get("opinion", "")
    if not isinstance(value, str):
        raise ValidationFailed(_("Text is expected."), extra={"field": "data.opinion", "rule": "type"})
    return value


def outgoing_task_complete(*, actor, document: OfficialDocument, task: WorkTask, data: dict[str, Any],
                           mfa_verified: bool) -> OfficialDocument:
    """Complete ``task`` (a step of ``document``'s outgoing process) with the answer ``data`` by the
    document's own action.

    The move is the row of ``process.STEPS`` whose BPMN step is ``task.bpmn_id``, whose answer
    ``data`` gives (e.g. ``review`` with ``review_decision=sign`` is 核稿 → 签发) and which starts
    from the document's status; ``opinion`` is the move's comment. 会签 (``countersign``:
    ``countersign_opinion`` agree/disagree) is ``flow.document_countersign``. ``seal`` (a seal id)
    chooses the seal for 用印.

    Args:
        mfa_verified: the actor's session passed the second factor (签发 and 会签 need it).

    Raises:
        ValidationFailed: an answer that is none of the step's (``rule = "choice"``), an opinion that
            is not text; and as the action (e.g. no 主送机关 before 核稿, ``field = "main_to"``).
        Conflict: the document is not at the task's step (the message names its status).
        NotFound, PermissionDenied: as the action.
    """
    comment = _text(data)
    if task.bpmn_id == "countersign":
        options = ("agree", "disagree")
        if data.get("countersign_opinion") not in options:
            raise ValidationFailed(_("Choose one of: %(options)s.") % {"options": ", ".join(options)},
                                   extra={"field": "data.countersign_opinion", "rule": "choice",
                                          "options": list(options)})
        return document_countersign(actor=actor, document=document, agree=data["countersign_opinion"] == "agree",
                                    mfa_verified=mfa_verified, opinion=comment)
    rows = [(moves, answer) for moves, (step, answer) in STEPS.items() if step == task.bpmn_id]
    if not rows:
        raise ValidationFailed(_("This step cannot be completed here."), extra={"field": "step", "rule": "unknown"})
    chosen = [moves for moves, answer in rows if all(data.get(key) == value for key, value in answer.items())]
    if not chosen:
        name = next(iter(rows[0][1]))
        options = [answer[name] for _moves, answer in rows]
        raise ValidationFailed(_("Choose one of: %(options)s.") % {"options": ", ".join(options)},
                               extra={"field": f"data.{name}", "rule": "choice", "options": options})
    moves = [(previous, target) for previous, target in chosen if previous == document.status]
    if not moves:
        raise Conflict(_("The document is at %(status)s, not at step %(step)s.")
                       % {"status": document.get_status_display(), "step": task.name},
                       extra={"status": document.status, "step": task.bpmn_id})
    seal = None
    if data.get("seal") is not None:
        seal = Seal.objects.filter(pk=data["seal"]).first() if isinstance(data["seal"], int) else None
        if seal is None:
            raise ValidationFailed(_("No such seal."), extra={"field": "data.seal", "rule": "choice"})
    return document_step(actor=actor, document=document, target=moves[0][1], comment=comment,
                         mfa_verified=mfa_verified, seal=seal)
