"""Writes of letters to the mayor (市长信箱, 12345-style; docs/letters.md).

Each action is keyword-only, atomic and audited, checks the actor (deny by default,
``egov.portal.permissions_letters``), changes the status only through ``_move`` (one transition
table, ``LETTER_MOVES``, applied by ``facilities.transitions``) and tells the writer in the site and
by e-mail after commit. Date-dependent actions take ``today`` (default: the local date).

The flow: ``letter_write`` (待分办) → ``letter_route`` by a dispatcher (办理中; the answer is due
``EGOV_LETTER_ANSWER_DAYS`` working days later) → ``letter_answer`` by a handler of that
organization (已答复), or ``letter_send_back`` with a reason (退回, routed again by a dispatcher) →
``letter_rate`` by the writer (已办结). Until an organization answers, the writer may withdraw the
letter (``letter_withdraw``, 已撤回: out of every queue, never published). A 不满意 rating may ask
once for the letter to be handled again (``reopen=True``): it goes back to the same organization
with a new answer period; the second answer's rating closes it. ``letter_publication_decide`` by a
dispatcher publishes an answered letter whose writer agreed, masked (``core.masking.mask_personal_data``).
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import User
from egov.accounts.permissions import require_verified_public_user
from egov.accounts.throttling import window_wait
from egov.audit.actions import audit_record
from egov.core import workdays
from egov.core.actors import SYSTEM
from egov.core.errors import Conflict, TooManyRequests, ValidationFailed
from egov.core.masking import mask_personal_data, person_names
from egov.core.text import text_clean
from egov.facilities import transitions
from egov.facilities.files import FileSpec, files_store
from egov.facilities.idempotency import body_digest, idempotency_key_check, submitted_before
from egov.facilities.notifications import in_both_languages, notification_send
from egov.facilities.numbering import counter_take
from egov.facilities.transitions import Machine
from egov.orgs.models import Organization
from egov.portal import deadlines
from egov.portal.models_letters import (
    Letter,
    LetterAttachment,
    LetterEvent,
    LetterNumberCounter,
    LetterRating,
    LetterTopic,
    Publication,
)
from egov.portal.models_letters import LetterStatus as S
from egov.portal.permissions_letters import (
    dispatcher_organization,
    require_dispatcher,
    require_handler,
    require_letter_writer,
)
from egov.workflow.selectors import work_calendar

SUBJECT_MAX = 100
BODY_MAX = 5000
COMMENT_MAX = 1000
ATTACHMENTS_MAX = 5
ATTACHMENT = FileSpec(max_bytes=10 * 1024 * 1024)  # PDF, JPEG, PNG or OFD, checked by their bytes, ≤ 10 MB

LETTER_MOVES: dict[str, tuple[frozenset, S]] = {
    "route": (frozenset({S.SUBMITTED, S.RETURNED}), S.ROUTED),  # 分办 (again after a sending back)
    "send_back": (frozenset({S.ROUTED}), S.RETURNED),  # 退回: not this organization's matter
    "answer": (frozenset({S.ROUTED}), S.ANSWERED),  # 答复
    "rate": (frozenset({S.ANSWERED}), S.CLOSED),  # 评价 → 办结
    "reopen": (frozenset({S.ANSWERED}), S.ROUTED),  # 不满意, handled again (once)
    # 撤回 by the writer while unanswered: a reopened letter (ROUTED again) was answered, and
    # ``letter_withdraw`` refuses it by its ``answered_at``.
    "withdraw": (frozenset({S.SUBMITTED, S.ROUTED, S.RETURNED}), S.WITHDRAWN),
}
MOVE_LABELS = {
    "write": gettext_lazy("Letter written"),
    "route": gettext_lazy("Letter routed"),
    "send_back": gettext_lazy("Letter sent back for re-routing"),
    "answer": gettext_lazy("Letter answered"),
    "rate": gettext_lazy("Answer rated"),
    "reopen": gettext_lazy("Rated dissatisfied: to be handled again"),
    "withdraw": gettext_lazy("Letter withdrawn"),
}
LETTER = Machine(
    kind="portal.letter", moves=LETTER_MOVES, labels=MOVE_LABELS,
    refused=gettext_lazy("The letter is %(state)s; “%(move)s” is not possible at this stage."),
    done=gettext_lazy("The letter is %(state)s already."),
)


def _invalid(message: str, field: str, rule: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"field": field, "rule": rule})


def letter_due_on(*, routed_on: date, calendar: workdays.WorkCalendar, days: int | None = None) -> date:
    """The last day of the answer period: ``days`` (default ``EGOV_LETTER_ANSWER_DAYS``) working days
    after the day of routing, that day not counted; routed on a day off, the period starts on the
    next working day (``deadlines.receipt_day``).

    Example (2026, 国庆 10-01…10-07 off, 10-10 a working Saturday): routed Tue 2026-09-29 with 5
    days → 09-30 (1), 10-08 (2), 10-09 (3), 10-10 (4), 10-12 (5): due Monday 2026-10-12.
    """
    days = settings.EGOV_LETTER_ANSWER_DAYS if days is None else days
    return workdays.working_days_add(deadlines.receipt_day(routed_on, calendar=calendar), days, calendar=calendar)


def letter_notify(*, letter: Letter, move: str, note: str = "") -> None:
    """Tell the writer that ``letter`` moved (in the site; by e-mail after commit), in both languages."""

    def compose() -> tuple[str, str]:
        status = str(letter.get_status_display())
        subject = _("Letter %(number)s: %(status)s") % {"number": letter.number, "status": status}
        lines = [_("Your letter to the mayor %(number)s, “%(subject)s”.") % {"number": letter.number,
                                                                             "subject": letter.subject},
                 _("%(move)s: %(status)s") % {"move": MOVE_LABELS[move], "status": status}]
        if letter.status == S.ROUTED and letter.due_on:
            lines.append(_("Routed to %(organization)s; the answer is due by %(day)s.")
                         % {"organization": letter.organization.local_name, "day": letter.due_on.isoformat()})
        if note:
            lines.append(note)
        return subject, "\n".join(str(x) for x in lines)

    notification_send(recipient=letter.writer, link_name="letters:mine_detail", link_args=[letter.number],
                      **in_both_languages(compose))


def _move(*, letter: Letter, move: str, actor, organization: Organization | None, note: str = "",
          changes: dict[str, Any] | None = None, fields: tuple[str, ...] = (), tell: bool = True) -> Letter:
    """Apply ``move`` to the locked ``letter``: status, timeline line, audit event, notification."""

    def timeline(before, target) -> LetterEvent:
        by = organization.name if organization is not None else letter.writer_name
        return LetterEvent.objects.create(letter=letter, move=move, status_from=before, status_to=target,
                                          by=by[:200], by_organization=organization, note=note)

    notify = (lambda before, target, row: letter_notify(letter=letter, move=move, note=note)) if tell else None
    return transitions.transition_apply(
        machine=LETTER, obj=letter, move=move, actor=actor, organization=organization, label=letter.number,
        changes=changes, fields=fields, timeline=timeline, notify=notify)


def _locked(letter: Letter) -> Letter:
    return transitions.locked(letter, "organization", "writer")


def _number_allocate(day: date) -> str:
    """``SZXX-20261206-0001``: the day's next number (gap-tolerant, ``facilities.numbering``)."""
    return f"SZXX-{day:%Y%m%d}-{counter_take(model=LetterNumberCounter, key={'day': day}):04d}"


def _throttle(writer: User) -> None:
    """Refuse a letter past ``EGOV_LETTERS_PER_ACCOUNT_HOUR`` / ``_DAY`` (``accounts.throttling.window_wait``).
    The refusal names no field: it is about the writer, not the letter (the form shows it above itself,
    in its error summary)."""
    mine = Letter.objects.filter(writer=writer)
    wait = window_wait(windows=((mine, settings.EGOV_LETTERS_PER_ACCOUNT_HOUR, 3600),
                                (mine, settings.EGOV_LETTERS_PER_ACCOUNT_DAY, 86400)), field="submitted_at")
    if wait:
        minutes = max(1, (wait + 59) // 60)
        raise TooManyRequests(
            _("You have written many letters in a short time. Please wait %(minutes)d minutes before writing "
              "another; your letters so far are being handled.") % {"minutes": minutes},
            retry_after=wait)


@transaction.atomic
def letter_write(*, actor, topic: str, subject: str, body: str, publish_consent: bool, idempotency_key: str,
                 attachments: list | tuple = ()) -> Letter:
    """Write a letter to the mayor, once per ``idempotency_key``.

    The writer's name, identity number and phone are copied from the account. The text is kept as
    typed (markup included: pages escape it).

    Args:
        actor: the signed-in, verified citizen or enterprise.
        topic: a ``LetterTopic`` value.
        subject: 1–100 characters; body: 1–5000 characters.
        publish_consent: the writer agrees that the letter and its answer be published, masked.
        idempotency_key: 8–64 letters, digits, ``-`` or ``_`` (the form's hidden field).
        attachments: up to 5 uploaded files (PDF, JPEG, PNG, OFD by their bytes, ≤ 10 MB each),
            each an uploaded file or ``(name, bytes)``.

    Returns:
        The letter (``submitted``); or the letter written before with this key and content.

    Raises:
        PermissionDenied: not a signed-in, verified citizen or enterprise.
        ValidationFailed: bad key or topic, empty or oversized subject or body, too many or refused files.
        Conflict: the key was used for a letter with other content.
        TooManyRequests: more letters than the account may write now (``retry_after`` seconds).
    """
    require_verified_public_user(actor, _("Sign in as a citizen or an enterprise to write to the mayor."))
    key = idempotency_key_check(idempotency_key)
    if topic not in LetterTopic.values:
        raise _invalid(_("Choose what your letter is about."), "topic", "choice")
    subject = text_clean(subject, field="subject", limit=SUBJECT_MAX, required=True, label=_("the subject"))
    body = text_clean(body, field="body", limit=BODY_MAX, required=True, label=_("the letter"))
    if len(attachments) > ATTACHMENTS_MAX:
        raise _invalid(_("Attach at most %(max)d files.") % {"max": ATTACHMENTS_MAX}, "attachments", "count")
    uploads = [(item, getattr(item, "name", "")) if not isinstance(item, tuple) else (item[1], item[0])
               for item in attachments]
    digest = body_digest({"topic": topic, "subject": subject, "body": body, "publish": bool(publish_consent),
                          "files": len(uploads)})
    # One letter per writer at a time: a double click waits here, then finds the first letter.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    existing = submitted_before(
        queryset=Letter.objects.filter(writer=actor), key=key, digest=digest,
        other_body_message=_("This form was already sent as letter %(number)s, with other content. To write "
                             "another letter, start a new one."))
    if existing is not None:
        return existing
    _throttle(actor)
    stored = files_store(actor=actor, uploads=[(content, ATTACHMENT) for content, _name in uploads]) if uploads else []
    if actor.kind == User.Kind.NATURAL:
        name, id_number = actor.natural_person.name, actor.natural_person.id_number
    else:
        name, id_number = actor.legal_person.name, actor.legal_person.uscc
    now = timezone.now()
    letter = Letter.objects.create(
        number=_number_allocate(timezone.localdate(now)), writer=actor, writer_name=name, writer_id_number=id_number,
        writer_phone=(actor.phone or "")[:20], topic=topic, subject=subject, body=body,
        publish_consent=bool(publish_consent), submitted_at=now, idempotency_key=key, request_digest=digest)
    for upload, (_content, name_given) in zip(stored, uploads, strict=True):
        LetterAttachment.objects.create(letter=letter, file=upload.stored,
                                        name=(str(name_given) or upload.stored.sha256[:12])[:200])
    LetterEvent.objects.create(letter=letter, move="write", status_to=S.SUBMITTED, by=name[:200])
    audit_record(action="portal.letter.write", actor=actor, obj=letter, summary=f"{letter.number} written",
                 changes={"topic": topic, "publish_consent": bool(publish_consent),
                          "files": [upload.facts() for upload in stored]})
    letter_notify(letter=letter, move="write")
    return letter


@transaction.atomic
def letter_route(*, actor, letter: Letter, organization: Organization, today: date | None = None) -> Letter:
    """Route the letter to ``organization`` (分办), by a dispatcher: the answer is due
    ``EGOV_LETTER_ANSWER_DAYS`` working days later (``letter_due_on``); its handlers are told.

    Raises:
        PermissionDenied: not a dispatcher.
        ValidationFailed: no active organization, or the one that sent it back.
        Conflict: not waiting to be routed.
    """
    letter = _locked(letter)
    require_dispatcher(actor)
    transitions.move_target(machine=LETTER, obj=letter, move="route")
    if organization is None or not organization.is_active:
        raise _invalid(_("Choose an organization."), "organization", "required")
    if letter.status == S.RETURNED and organization.pk == letter.organization_id:
        raise _invalid(_("%(organization)s sent this letter back; route it to another organization.")
                       % {"organization": organization.local_name}, "organization", "sent_back")
    today = today or timezone.localdate()
    letter.organization, letter.routed_on = organization, today
    letter.due_on = letter_due_on(routed_on=today, calendar=work_calendar())
    letter.overdue_since, letter.reminded_on, letter.return_reason = None, None, ""
    # No note: the timeline's lines are read in either language; the organization and the due date
    # are on the letter's page, and the writer's notification names them in both languages.
    moved = _move(letter=letter, move="route", actor=actor, organization=dispatcher_organization(actor),
                  changes={"organization": organization.pk, "due_on": letter.due_on.isoformat()},
                  fields=("organization", "routed_on", "due_on", "overdue_since", "reminded_on", "return_reason"))
    _tell_handlers(moved, gettext_lazy("Letter %(number)s routed to %(organization)s: answer by %(day)s."))
    return moved


@transaction.atomic
def letter_send_back(*, actor, letter: Letter, reason: str) -> Letter:
    """A handler sends the letter back for re-routing (退回), saying why (told to the dispatchers,
    kept on the timeline; the writer is told that it is being re-routed).

    Raises:
        NotFound / PermissionDenied: not a handler of the organization it is routed to.
        ValidationFailed: no reason.
        Conflict: not being handled.
    """
    letter = _locked(letter)
    require_handler(actor, letter)
    transitions.move_target(machine=LETTER, obj=letter, move="send_back")
    reason = text_clean(reason, field="reason", limit=COMMENT_MAX, required=True, label=_("the reason"))
    letter.return_reason = reason
    moved = _move(letter=letter, move="send_back", actor=actor, organization=letter.organization,
                  note=reason, changes={"organization": letter.organization_id}, fields=("return_reason",))
    for person in _role_holders(role="letter_dispatcher"):
        notification_send(recipient=person, link_name="letters_staff:letter", link_args=[letter.number],
                          **in_both_languages(lambda: (
                              _("Letter %(number)s sent back") % {"number": letter.number},
                              _("%(organization)s sent letter %(number)s back: %(reason)s")
                              % {"organization": letter.organization.local_name, "number": letter.number,
                                 "reason": reason})))
    return moved


@transaction.atomic
def letter_answer(*, actor, letter: Letter, text: str, today: date | None = None) -> Letter:
    """Answer the letter (答复), by a handler of the organization it is routed to; an answer after
    ``due_on`` is recorded as late (``answered_late``).

    Raises:
        NotFound / PermissionDenied: not a handler of that organization.
        ValidationFailed: no text, or more than 5000 characters.
        Conflict: not being handled.
    """
    letter = _locked(letter)
    require_handler(actor, letter)
    transitions.move_target(machine=LETTER, obj=letter, move="answer")
    text = text_clean(text, field="text", limit=BODY_MAX, required=True, label=_("the answer"))
    today = today or timezone.localdate()
    letter.answer_text, letter.answered_at = text, timezone.now()
    letter.answered_late = letter.due_on is not None and today > letter.due_on
    return _move(letter=letter, move="answer", actor=actor, organization=letter.organization, note=text,
                 changes={"late": letter.answered_late}, fields=("answer_text", "answered_at", "answered_late"))


@transaction.atomic
def letter_rate(*, actor, letter: Letter, rating: str, comment: str = "", reopen: bool = False,
                today: date | None = None) -> Letter:
    """The writer rates the answer (满意 / 基本满意 / 不满意, with a comment).

    ``reopen`` (only with 不满意, only once per letter): the letter goes back to the same
    organization, to be answered again within a new answer period; otherwise it is closed.

    Raises:
        NotFound: not the writer.
        ValidationFailed: unknown rating; ``reopen`` without 不满意; a comment past 1000 characters.
        Conflict: not answered; reopened once already (``rule = "reopen_once"``).
    """
    letter = _locked(letter)
    require_letter_writer(actor, letter)
    transitions.move_target(machine=LETTER, obj=letter, move="rate")
    if rating not in LetterRating.values:
        raise _invalid(_("Choose how satisfied you are with the answer."), "rating", "choice")
    comment = text_clean(comment, field="comment", limit=COMMENT_MAX, required=False, label=_("the comment"))
    if reopen and rating != LetterRating.DISSATISFIED:
        raise _invalid(_("Only an answer rated dissatisfied can be handled again."), "reopen", "dissatisfied_only")
    if reopen and letter.reopened_at is not None:
        raise Conflict(_("This letter was handled again once already; it cannot be reopened a second time."),
                       extra={"field": "reopen", "rule": "reopen_once"})
    now = timezone.now()
    letter.rating, letter.rating_comment, letter.rated_at = rating, comment, now
    note = comment  # the rating itself is on the letter's page and in the move's label
    if not reopen:
        return _move(letter=letter, move="rate", actor=actor, organization=None, note=note,
                     changes={"rating": rating}, fields=("rating", "rating_comment", "rated_at"))
    today = today or timezone.localdate()
    letter.reopened_at, letter.routed_on = now, today
    letter.due_on = letter_due_on(routed_on=today, calendar=work_calendar())
    letter.overdue_since = letter.reminded_on = None
    changes = {"rating": rating, "due_on": letter.due_on.isoformat()}
    if letter.publication == Publication.APPROVED:
        # Handled again: a published first answer is withdrawn (it would stand as the answer while the
        # letter is being handled), and the next answer waits for the dispatcher's decision again.
        changes["publication"] = {"from": letter.publication, "to": Publication.PENDING}
        letter.publication, letter.published_at = Publication.PENDING, None
        letter.public_subject = letter.public_body = letter.public_answer = ""
    moved = _move(letter=letter, move="reopen", actor=actor, organization=None, note=note, changes=changes,
                  fields=("rating", "rating_comment", "rated_at", "reopened_at", "routed_on", "due_on",
                          "overdue_since", "reminded_on", "publication", "published_at", "public_subject",
                          "public_body", "public_answer"))
    _tell_handlers(moved, gettext_lazy("Letter %(number)s: the writer is dissatisfied; answer again by %(day)s."))
    return moved


def letter_can_withdraw(letter: Letter) -> bool:
    """True when the writer may still withdraw ``letter``: written, being routed or handled, and never
    answered (a letter handled again after a 不满意 rating was answered once)."""
    return letter.status in LETTER_MOVES["withdraw"][0] and letter.answered_at is None


@transaction.atomic
def letter_withdraw(*, actor, letter: Letter, reason: str = "") -> Letter:
    """The writer withdraws (撤回) a letter that no organization has answered yet: it leaves the
    dispatcher's and the handlers' queues, is shown to its writer as 已撤回 and is never published;
    the handlers of the organization it was routed to are told.

    Args:
        reason: optional, up to 1000 characters (kept on the timeline).

    Raises:
        NotFound: not the writer.
        ValidationFailed: a reason past 1000 characters.
        Conflict: answered (``rule = "answered"``: an answer was given, even if the letter is being
            handled again); withdrawn already (``rule = "done"``).
    """
    letter = _locked(letter)
    require_letter_writer(actor, letter)
    if letter.answered_at is not None:
        raise Conflict(_("%(organization)s has answered this letter: an answered letter cannot be withdrawn.")
                       % {"organization": letter.organization.local_name if letter.organization_id else "—"},
                       extra={"state": letter.status, "move": "withdraw", "rule": "answered"})
    transitions.move_target(machine=LETTER, obj=letter, move="withdraw")
    reason = text_clean(reason, field="reason", limit=COMMENT_MAX, required=False, label=_("the reason"))
    was_handled = letter.status == S.ROUTED
    moved = _move(letter=letter, move="withdraw", actor=actor, organization=None, note=reason,
                  changes={"organization": letter.organization_id})
    if was_handled:
        _tell_handlers(moved, gettext_lazy("Letter %(number)s was withdrawn by its writer; it needs no answer."))
    return moved


def letter_masked_copy(letter: Letter) -> tuple[str, str, str]:
    """``(subject, body, answer)`` of ``letter`` as they are published: masked by
    ``core.masking.mask_personal_data`` with the writer's name, identity number and phone known, and
    the names any of the three says it contains (``core.masking.person_names``: 我叫王小明 in the
    letter masks the answer's 王小明您好 too); the subject cut to 100 characters. Writes nothing: the
    dispatcher's page shows it before the decision, ``letter_publication_decide`` stores it."""
    names = person_names("\n".join((letter.subject, letter.body, letter.answer_text)))
    known = [letter.writer_name, letter.writer_id_number, letter.writer_phone, *sorted(names, key=len, reverse=True)]
    return (mask_personal_data(letter.subject, known=known)[:100], mask_personal_data(letter.body, known=known),
            mask_personal_data(letter.answer_text, known=known))


@transaction.atomic
def letter_publication_decide(*, actor, letter: Letter, publish: bool) -> Letter:
    """Publish an answered letter whose writer agreed, or decide not to (a dispatcher). Published,
    its subject, text and answer are stored masked (``core.masking.mask_personal_data``: the
    writer's name, identity number and phone, and any name, identity number, phone number, e-mail
    or street address in the text) and only these masked copies are shown.

    Raises:
        PermissionDenied: not a dispatcher.
        Conflict: the writer did not agree (``rule = "no_consent"``), or not answered yet
            (``rule = "not_answered"``).
    """
    letter = _locked(letter)
    require_dispatcher(actor)
    if publish and not letter.publish_consent:
        raise Conflict(_("The writer did not agree to publication."), extra={"rule": "no_consent"})
    if letter.status not in (S.ANSWERED, S.CLOSED):
        raise Conflict(_("Only an answered letter can be published."), extra={"rule": "not_answered"})
    if publish:
        letter.publication, letter.published_at = Publication.APPROVED, timezone.now()
        letter.public_subject, letter.public_body, letter.public_answer = letter_masked_copy(letter)
    else:
        letter.publication, letter.published_at = Publication.REFUSED, None
        letter.public_subject = letter.public_body = letter.public_answer = ""
    letter.save(update_fields=["publication", "published_at", "public_subject", "public_body", "public_answer"])
    audit_record(action="portal.letter.publication", actor=actor, organization=dispatcher_organization(actor),
                 obj=letter, summary=f"{letter.number} {'published' if publish else 'not published'}",
                 changes={"publish": bool(publish)})
    return letter


def _role_holders(*, role: str, organization: Organization | None = None):
    people = User.objects.filter(memberships__roles__role=role, is_active=True)
    if organization is not None:
        people = people.filter(memberships__organization=organization, memberships__roles__role=role)
    return people.distinct()


def _tell_handlers(letter: Letter, subject_template: str) -> None:
    """Notify the handlers of the letter's organization (``subject_template`` with number, organization, day)."""
    def compose() -> tuple[str, str]:
        text = subject_template % {"number": letter.number, "organization": letter.organization.local_name,
                                   "day": letter.due_on.isoformat()}
        return text, text

    texts = in_both_languages(compose)
    for person in _role_holders(role="letter_handler", organization=letter.organization):
        notification_send(recipient=person, link_name="letters_staff:letter", link_args=[letter.number], **texts)


@transaction.atomic
def letters_mark_overdue(*, today: date | None = None) -> dict[str, int]:
    """The daily run (Celery beat ``portal.letters_daily``): mark each letter being handled whose due
    date has passed (once, audited) and remind its organization's handlers when
    ``EGOV_LETTER_REMIND_DAYS`` working days or fewer are left (once per answer period).

    Returns:
        ``{"overdue": n, "reminded": n}``.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    calendar = work_calendar()
    counts = {"overdue": 0, "reminded": 0}
    running = (Letter.objects.select_for_update(of=("self",)).select_related("organization", "writer")
               .filter(status=S.ROUTED, due_on__isnull=False))
    for letter in running.filter(overdue_since__isnull=True, due_on__lt=today):
        letter.overdue_since = now
        letter.save(update_fields=["overdue_since"])
        audit_record(action="portal.letter.overdue", actor=SYSTEM, organization=letter.organization, obj=letter,
                     summary=f"{letter.number} overdue (due {letter.due_on})",
                     changes={"due_on": letter.due_on.isoformat()})
        counts["overdue"] += 1
    for letter in running.filter(reminded_on__isnull=True, due_on__gte=today):
        left = workdays.working_days_between(today, letter.due_on, calendar=calendar)
        if left <= settings.EGOV_LETTER_REMIND_DAYS:
            letter.reminded_on = today
            letter.save(update_fields=["reminded_on"])
            _tell_handlers(letter, gettext_lazy("Letter %(number)s (%(organization)s): the answer is due by %(day)s."))
            counts["reminded"] += 1
    return counts
