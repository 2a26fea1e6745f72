"""A document's history as sentences in the reader's language ("张三 核稿通过：同意。").

The audit log keeps what happened as it was written (action codes, English summaries, ``changes``);
these functions read an event and say it in the active language. The steps of 发文办理 take their
words from the one table of moves (``states.TRANSITIONS``: ``Move.done``); every other event of a
document has its sentence here. Events written before opinions were kept (``changes["comment"]``)
read the same way.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from egov.accounts.models import User
from egov.audit.models import AuditEvent
from egov.documents.states import TRANSITIONS
from egov.trust.models import Seal

# The status move of 登记, 印制, 用印 and 核发 is followed, in the same transaction, by the event
# that says what the step did (the number, the pages, the seal, the recipients): that one is shown.
_SHOWN_BY_DETAIL = {"register", "print", "seal", "dispatch"}


@dataclass(frozen=True)
class HistoryRow:
    """One line of a history: when, who (as recorded), and what, as a sentence."""

    occurred_at: datetime
    actor: str
    sentence: str


def _with_text(sentence: str, text: str) -> str:
    text = (text or "").strip()
    if not text:
        return sentence
    return pgettext("history sentence with an opinion", "%(sentence)s: %(text)s") % {"sentence": sentence,
                                                                                      "text": text}


def actor_names(events) -> dict[int, str]:
    """The names of the people who acted in ``events`` (audit events keep the user id and the
    username; a history names the person); a person deleted since is left out."""
    ids = {event.actor_id for event in events if event.actor_id is not None}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _actor(event: AuditEvent, names: dict[int, str] | None = None) -> str:
    if names is None:
        names = actor_names([event])
    return names.get(event.actor_id) or event.actor_label or _("The platform")


def _move_sentence(event: AuditEvent, name: str, actor: str) -> str | None:
    changes = event.changes or {}
    status = changes.get("status") or []
    move = TRANSITIONS.get(tuple(status)) if len(status) == 2 else None
    if move is None or move.name != name:
        return None
    return _with_text(str(move.done) % {"actor": actor}, changes.get("opinion") or changes.get("comment", ""))


def _seal_name(pk) -> str:
    seal = Seal.objects.filter(pk=pk).select_related("organization").first() if pk else None
    return f"{seal.name}（{seal.get_kind_display()}）" if seal is not None else "—"


def event_sentence(event: AuditEvent, names: dict[int, str] | None = None) -> str:
    """The sentence for one audit event of an ``OfficialDocument`` in the active language.
    ``names``: ``actor_names`` of the events shown (looked up for this one event when None)."""
    changes = event.changes or {}
    actor = _actor(event, names)
    name = event.action.removeprefix("documents.document.")
    moved = _move_sentence(event, name, actor) if "status" in changes else None
    if moved is not None:
        return moved
    if name == "draft":
        return _("%(actor)s drafted the document") % {"actor": actor}
    if name == "update":
        return _("%(actor)s edited the document") % {"actor": actor}
    if name == "countersign":
        sentence = (_("%(actor)s countersigned for %(organization)s: agreed") if changes.get("agree")
                    else _("%(actor)s countersigned for %(organization)s: disagreed"))
        return _with_text(sentence % {"actor": actor, "organization": event.organization_label},
                          changes.get("opinion", ""))
    if name == "countersigned":
        return _("Every countersigning organization has answered; the document waits for sign-off")
    if name == "printed":
        pages = changes.get("pages")
        if not isinstance(pages, int):
            return _("%(actor)s printed it") % {"actor": actor}
        return ngettext("%(actor)s printed it (%(pages)d page)", "%(actor)s printed it (%(pages)d pages)",
                        pages) % {"actor": actor, "pages": pages}
    if name == "sealed":
        return _("%(actor)s sealed it with %(seal)s") % {"actor": actor, "seal": _seal_name(changes.get("seal"))}
    if name == "dispatched":
        count = len(changes.get("recipients", []))
        return (ngettext("%(actor)s dispatched it to %(count)d organization, to be signed for by %(date)s",
                         "%(actor)s dispatched it to %(count)d organizations, to be signed for by %(date)s", count)
                % {"actor": actor, "count": count, "date": changes.get("receipt_due", "—")})
    if name == "receive":
        return _("%(actor)s signed for it for %(organization)s") % {"actor": actor,
                                                                    "organization": event.organization_label}
    if name == "publish":
        return _("%(actor)s published it on the public site") % {"actor": actor}
    if name == "unpublish":
        return _with_text(_("%(actor)s withdrew it from the public site") % {"actor": actor},
                          changes.get("reason", ""))
    if name == "import":
        return _("%(actor)s registered it from the file %(source)s") % {"actor": actor,
                                                                          "source": changes.get("source") or "—"}
    if event.action == "documents.number.allocate":
        return _("%(actor)s registered it as %(number)s") % {"actor": actor, "number": changes.get("number", "—")}
    if event.action == "documents.number.assign":
        return _("%(actor)s entered its number %(number)s") % {"actor": actor, "number": changes.get("number", "—")}
    if event.action == "documents.attachment.add":
        attachment = event.summary.split(": ", 1)[-1]
        return _("%(actor)s attached %(name)s") % {"actor": actor, "name": attachment}
    if event.action == "documents.attachment.remove":
        return _("%(actor)s removed attachment %(position)s") % {"actor": actor,
                                                                  "position": changes.get("position", "—")}
    if event.action.startswith("documents.reminder."):
        return (_("Reminder to %(organization)s to sign for it by %(date)s")
                % {"organization": event.organization_label, "date": changes.get("due_on", "—")})
    return _("%(actor)s changed the document") % {"actor": actor}


_INCOMING_SENTENCES = {
    "register": lambda: _("%(actor)s registered it"),
    "return": lambda: _("%(actor)s returned it to the sender"),
    "check": lambda: _("%(actor)s passed the initial check"),
    "propose": lambda: _("%(actor)s proposed the handling"),
    "instruct": lambda: _("%(actor)s gave the instruction"),
    "handle": lambda: _("%(actor)s handled it"),
    "reply": lambda: _("%(actor)s replied to the sender"),
    "archive": lambda: _("%(actor)s archived it"),
}


def incoming_event_sentence(event: AuditEvent, names: dict[int, str] | None = None) -> str:
    """The sentence for one audit event of an ``IncomingDocument`` (收文) in the active language."""
    changes = event.changes or {}
    actor = _actor(event, names)
    name = event.action.removeprefix("documents.incoming.")
    if name == "receive":
        return _("%(actor)s signed for it") % {"actor": actor}
    if name == "circulate":
        return _("%(actor)s circulated it to %(readers)s") % {"actor": actor, "readers": event.summary}
    if name == "read":
        return _("%(actor)s read it") % {"actor": actor}
    if name in _INCOMING_SENTENCES:
        # the text written at the step (reasons, proposal, instruction, result, reply, the 收文编号)
        # is its summary; a step without one has "previous → target" there
        text = "" if event.summary == " → ".join(changes.get("status") or []) else event.summary
        return _with_text(_INCOMING_SENTENCES[name]() % {"actor": actor}, text)
    return _("%(actor)s changed the document") % {"actor": actor}


def _told_by_the_next(event: AuditEvent) -> bool:
    return event.action.removeprefix("documents.document.") in _SHOWN_BY_DETAIL and "status" in (event.changes or {})


def history_rows(events, *, incoming: bool = False) -> list[HistoryRow]:
    """``events`` (oldest first) as ``HistoryRow`` lines, leaving out the status move of 登记, 印制,
    用印 and 核发, which the next line (the number, the pages, the seal, the recipients) tells."""
    describe = incoming_event_sentence if incoming else event_sentence
    events = list(events)
    names = actor_names(events)
    rows = []
    for event in events:
        if incoming or not _told_by_the_next(event):
            sentence = describe(event, names)
            rows.append(HistoryRow(event.occurred_at, _actor(event, names), sentence))
    return rows

