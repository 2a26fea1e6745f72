"""The states of an official document and the one table of allowed moves between them.

Outgoing documents (发文办理, 党政机关公文处理工作条例 §§19–21) go 拟稿 → 核稿 → (会签) → 签发 → 复核 →
登记 → 印制 → 用印 → 核发. A document's ``status`` names the step it waits at: ``signing`` means
"waiting for 签发"; signing it off moves it on to ``rechecking`` (复核).

``TRANSITIONS[(from, to)]`` gives the move's name and the role that makes it in the issuing
organization. Moves marked ``dedicated`` record more than a status and are made only by their own
action (签发 records the 签发人, 登记 allocates the 发文字号, 印制 stores the PDF, 用印 seals it,
核发 delivers it, the last 会签 answer moves it on). Each move also completes the matching step
of the document's BPMN process (``documents/processes/outgoing_document.bpmn``, glued in
``documents.process``).

Incoming documents (收文办理, 条例 §§24–25) have their own table, ``INCOMING_MOVES``: 签收 → 登记 →
初审 (退回 with reasons) → 拟办 → 批办 → 承办 → 答复 → 归档; 传阅 and 催办 happen alongside.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.orgs.roles import Role


class Status(models.TextChoices):
    DRAFTING = "drafting", _("Drafting")
    REVIEWING = "reviewing", _("Review")
    COUNTERSIGNING = "countersigning", _("Countersigning")
    SIGNING = "signing", _("Sign-off")
    RECHECKING = "rechecking", _("Recheck")
    REGISTERING = "registering", _("Registration")
    PRINTING = "printing", _("Printing")
    SEALING = "sealing", _("Sealing")
    DISPATCHING = "dispatching", _("Dispatch")
    ISSUED = "issued", _("Issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")


@dataclass(frozen=True)
class Move:
    """One allowed move: ``name`` (used in audit actions), the ``role`` that makes it, and whether
    only its own action may make it (``dedicated``)."""

    name: str
    role: Role
    dedicated: bool = False


# Before it is issued a document can be withdrawn (作废); a number it holds stays recorded as used.
_WITHDRAWABLE = [Status.DRAFTING, Status.REVIEWING, Status.SIGNING, Status.RECHECKING,
                 Status.REGISTERING, Status.PRINTING, Status.SEALING, Status.DISPATCHING]

TRANSITIONS: dict[tuple[str, str], Move] = {
    (Status.DRAFTING, Status.REVIEWING): Move("submit", Role.DOCUMENT_CLERK),
    (Status.REVIEWING, Status.DRAFTING): Move("return", Role.REVIEWER),
    (Status.REVIEWING, Status.COUNTERSIGNING): Move("send_countersign", Role.REVIEWER),
    (Status.REVIEWING, Status.SIGNING): Move("review", Role.REVIEWER),
    # The last 会签 answer moves the document on; the role is held in a countersigning organization.
    (Status.COUNTERSIGNING, Status.SIGNING): Move("countersigned", Role.APPROVER, dedicated=True),
    (Status.SIGNING, Status.RECHECKING): Move("sign_off", Role.APPROVER, dedicated=True),
    (Status.SIGNING, Status.DRAFTING): Move("return", Role.APPROVER),
    (Status.RECHECKING, Status.REGISTERING): Move("recheck", Role.DOCUMENT_CLERK),
    (Status.RECHECKING, Status.DRAFTING): Move("return", Role.DOCUMENT_CLERK),
    (Status.REGISTERING, Status.PRINTING): Move("register", Role.DOCUMENT_CLERK, dedicated=True),
    (Status.PRINTING, Status.SEALING): Move("print", Role.DOCUMENT_CLERK, dedicated=True),
    (Status.SEALING, Status.DISPATCHING): Move("seal", Role.DOCUMENT_CLERK, dedicated=True),
    (Status.DISPATCHING, Status.ISSUED): Move("dispatch", Role.DOCUMENT_CLERK, dedicated=True),
    **{(state, Status.WITHDRAWN): Move("withdraw", Role.DOCUMENT_CLERK) for state in _WITHDRAWABLE},
}

# States in which the text of a document may still change.
EDITABLE = frozenset({Status.DRAFTING, Status.REVIEWING})


class IncomingStatus(models.TextChoices):
    RECEIVED = "received", _("Signed for")
    REGISTERED = "registered", _("Registered")
    PROPOSING = "proposing", _("Proposed handling")
    INSTRUCTING = "instructing", _("Leader's instruction")
    HANDLING = "handling", _("Handling")
    HANDLED = "handled", _("Handled")
    REPLIED = "replied", _("Replied")
    RETURNED = "returned", _("Returned to the sender")
    ARCHIVED = "archived", _("Archived")


@dataclass(frozen=True)
class IncomingMove:
    """One allowed move of a received document: ``name`` and the ``role`` in the receiving
    organization that makes it; ``role=None``: the person named as 承办人 (handler) makes it."""

    name: str
    role: Role | None


INCOMING_MOVES: dict[tuple[str, str], IncomingMove] = {
    (IncomingStatus.RECEIVED, IncomingStatus.REGISTERED): IncomingMove("register", Role.DOCUMENT_CLERK),
    (IncomingStatus.REGISTERED, IncomingStatus.RETURNED): IncomingMove("return", Role.DOCUMENT_CLERK),
    (IncomingStatus.REGISTERED, IncomingStatus.PROPOSING): IncomingMove("check", Role.DOCUMENT_CLERK),
    (IncomingStatus.PROPOSING, IncomingStatus.INSTRUCTING): IncomingMove("propose", Role.REVIEWER),
    (IncomingStatus.INSTRUCTING, IncomingStatus.HANDLING): IncomingMove("instruct", Role.APPROVER),
    (IncomingStatus.HANDLING, IncomingStatus.HANDLED): IncomingMove("handle", None),
    (IncomingStatus.HANDLED, IncomingStatus.REPLIED): IncomingMove("reply", None),
    (IncomingStatus.HANDLED, IncomingStatus.ARCHIVED): IncomingMove("archive", Role.DOCUMENT_CLERK),
    (IncomingStatus.REPLIED, IncomingStatus.ARCHIVED): IncomingMove("archive", Role.DOCUMENT_CLERK),
    (IncomingStatus.RETURNED, IncomingStatus.ARCHIVED): IncomingMove("archive", Role.DOCUMENT_CLERK),
}

# 传阅 (circulation for reading) is possible once the document passed 初审 and until it is archived.
CIRCULATING = frozenset({IncomingStatus.PROPOSING, IncomingStatus.INSTRUCTING, IncomingStatus.HANDLING,
                         IncomingStatus.HANDLED, IncomingStatus.REPLIED})
# States in which a received document waits for its organization (催办 applies).
INCOMING_OPEN = frozenset({IncomingStatus.RECEIVED, IncomingStatus.REGISTERED, IncomingStatus.PROPOSING,
                           IncomingStatus.INSTRUCTING, IncomingStatus.HANDLING})
