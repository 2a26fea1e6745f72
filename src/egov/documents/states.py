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
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    """One allowed move: ``name`` (used in audit actions), the ``role`` that makes it, whether only
    its own action may make it (``dedicated``), the words of its button (``label``) and of its line
    in the history (``done``, with ``%(actor)s``), whether it takes an opinion (``opinion``: ""
    none, ``"optional"``, ``"required"``: a return needs its reason) and whether it is confirmed on
    a page of its own that shows what will happen (``confirm``: 登记, 用印, 核发)."""

    name: str
    role: Role
    label: Promise
    done: Promise
    dedicated: bool = False
    opinion: str = ""
    confirm: bool = False


# Each move's button (``label``) and history sentence (``done``) have the context "official document step".
# Before it is issued a document can be withdrawn (作废); a number it holds stays recorded as used.
_WITHDRAWABLE = [Status.DRAFTING, Status.REVIEWING, Status.SIGNING, Status.RECHECKING,
                 Status.REGISTERING, Status.PRINTING, Status.SEALING, Status.DISPATCHING]

TRANSITIONS: dict[tuple[str, str], Move] = {
    (Status.DRAFTING, Status.REVIEWING): Move(
        "submit", Role.DOCUMENT_CLERK, pgettext_lazy("official document step", "Send for review"),
        pgettext_lazy("official document step", "%(actor)s sent the draft for review")),
    (Status.REVIEWING, Status.DRAFTING): Move(
        "return", Role.REVIEWER, pgettext_lazy("official document step", "Return"),
        pgettext_lazy("official document step", "%(actor)s returned the draft"), opinion="required"),
    (Status.REVIEWING, Status.COUNTERSIGNING): Move(
        "send_countersign", Role.REVIEWER, pgettext_lazy("official document step", "Send for countersigning"),
        pgettext_lazy("official document step", "%(actor)s sent the draft for countersigning"),
        opinion="optional"),
    (Status.REVIEWING, Status.SIGNING): Move(
        "review", Role.REVIEWER, pgettext_lazy("official document step", "Approve the review"),
        pgettext_lazy("official document step", "%(actor)s approved the review"), opinion="optional"),
    # The last 会签 answer moves the document on; the role is held in a countersigning organization.
    (Status.COUNTERSIGNING, Status.SIGNING): Move(
        "countersigned", Role.APPROVER, pgettext_lazy("official document step", "Countersign"),
        pgettext_lazy("official document step", "Every countersigning organization has answered"),
        dedicated=True),
    (Status.SIGNING, Status.RECHECKING): Move(
        "sign_off", Role.APPROVER, pgettext_lazy("official document step", "Sign off"),
        pgettext_lazy("official document step", "%(actor)s signed off"), dedicated=True, opinion="optional"),
    (Status.SIGNING, Status.DRAFTING): Move(
        "return", Role.APPROVER, pgettext_lazy("official document step", "Return for changes"),
        pgettext_lazy("official document step", "%(actor)s returned it for changes"), opinion="required"),
    (Status.RECHECKING, Status.REGISTERING): Move(
        "recheck", Role.DOCUMENT_CLERK, pgettext_lazy("official document step", "Recheck passed"),
        pgettext_lazy("official document step", "%(actor)s rechecked it"), opinion="optional"),
    (Status.RECHECKING, Status.DRAFTING): Move(
        "return", Role.DOCUMENT_CLERK, pgettext_lazy("official document step", "Return"),
        pgettext_lazy("official document step", "%(actor)s returned the draft"), opinion="required"),
    (Status.REGISTERING, Status.PRINTING): Move(
        "register", Role.DOCUMENT_CLERK, pgettext_lazy("official document step", "Register and number"),
        pgettext_lazy("official document step", "%(actor)s registered it"), dedicated=True, confirm=True),
    (Status.PRINTING, Status.SEALING): Move(
        "print", Role.DOCUMENT_CLERK, pgettext_lazy("official document step", "Print"),
        pgettext_lazy("official document step", "%(actor)s printed it"), dedicated=True),
    (Status.SEALING, Status.DISPATCHING): Move(
        "seal", Role.DOCUMENT_CLERK, pgettext_lazy("official document step", "Seal"),
        pgettext_lazy("official document step", "%(actor)s sealed it"), dedicated=True, confirm=True),
    (Status.DISPATCHING, Status.ISSUED): Move(
        "dispatch", Role.DOCUMENT_CLERK, pgettext_lazy("official document step", "Dispatch"),
        pgettext_lazy("official document step", "%(actor)s dispatched it"), dedicated=True, confirm=True),
    **{(state, Status.WITHDRAWN): Move(
        "withdraw", Role.DOCUMENT_CLERK, pgettext_lazy("official document step", "Withdraw"),
        pgettext_lazy("official document step", "%(actor)s withdrew the document"), opinion="required")
       for state in _WITHDRAWABLE},
}

# What the opinion given at a step is called on the 发文稿纸 (and above its box on the page).
OPINION_LABELS: dict[str, Promise] = {
    Status.REVIEWING: pgettext_lazy("official document step", "Review opinion"),
    Status.SIGNING: pgettext_lazy("official document step", "Sign-off opinion"),
    Status.RECHECKING: pgettext_lazy("official document step", "Recheck opinion"),
    Status.COUNTERSIGNING: pgettext_lazy("official document step", "Countersign opinion"),
}

# States in which the text of a document may still change.
EDITABLE = frozenset({Status.DRAFTING, Status.REVIEWING})


def move_for(current: str, target: str) -> Move | None:
    """The move from ``current`` to ``target``, or None when the table does not allow it."""
    return TRANSITIONS.get((current, target))


def moves_from(current: str) -> list[tuple[str, Move]]:
    """``(target, move)`` of every move the table allows from ``current``, in the table's order."""
    return [(target, move) for (start, target), move in TRANSITIONS.items() if start == current]


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
