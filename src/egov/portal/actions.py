"""Writes of requests for government information (依申请公开, 《政府信息公开条例》(2019) 第四章).

Each action is keyword-only, atomic and audited, checks the actor (deny by default), changes the
status only through ``_move`` (one transition table, ``MOVES``) and tells the applicant in the site
and by e-mail after commit (``egov.facilities.notifications.notification_send``). Date-dependent actions
take ``today`` (default: the local date) so that deadlines can be worked out for a given day.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.accounts.models import User
from egov.accounts.permissions import require_verified_public_user
from egov.audit.actions import audit_record
from egov.core import workdays
from egov.core.actors import SYSTEM
from egov.core.errors import Conflict, ValidationFailed
from egov.core.text import text_clean
from egov.facilities import transitions
from egov.facilities.files import FileSpec, file_store
from egov.facilities.idempotency import body_digest, idempotency_key_check, submitted_before
from egov.facilities.notifications import in_both_languages, notification_send
from egov.facilities.numbering import counter_take
from egov.facilities.transitions import Machine
from egov.orgs.models import Organization
from egov.portal import deadlines
from egov.portal.models import (
    BASIS_REQUIRED,
    AnswerKind,
    DisclosureNumberCounter,
    DisclosurePause,
    DisclosureRequest,
    DisclosureRequestEvent,
    FormWanted,
)
from egov.portal.models import RequestStatus as S
from egov.portal.permissions import (
    OFFICE_ROLES,
    require_office_head,
    require_office_staff,
    require_request_applicant,
)
from egov.workflow.selectors import work_calendar

DESCRIPTION_MAX = 2000
ANSWER_FILE = FileSpec(kinds=frozenset({"pdf"}))  # the signed 答复书, up to EGOV_MATERIAL_MAX_BYTES
TEXT_MAX = 5000
CORRECTION_PERIOD_MAX = 30  # working days the applicant may be given to correct (§30 "合理的补正期限")

# Statuses in which the answer period runs (the clock is not stopped, no answer yet).
CLOCK_RUNNING = frozenset({S.RECEIVED, S.CORRECTED, S.EXTENDED})
OPEN = frozenset({S.SUBMITTED, S.RECEIVED, S.CORRECTION, S.CORRECTED, S.EXTENDED, S.THIRD_PARTY})

# move → (statuses it may start from, status it leads to); None: back to ``resume_status``.
MOVES: dict[str, tuple[frozenset, S | None]] = {
    "register": (frozenset({S.SUBMITTED}), S.RECEIVED),  # 登记 (§31)
    "request_correction": (frozenset({S.RECEIVED}), S.CORRECTION),  # 补正告知 (§30), once
    "correct": (frozenset({S.CORRECTION}), S.CORRECTED),  # the applicant corrects
    "extend": (frozenset({S.RECEIVED, S.CORRECTED}), S.EXTENDED),  # 延期 (§33), once
    "consult": (CLOCK_RUNNING, S.THIRD_PARTY),  # 征求第三方意见 (§32)
    "consult_end": (frozenset({S.THIRD_PARTY}), None),
    "answer": (CLOCK_RUNNING, S.ANSWERED),  # 答复 (§36)
    "withdraw": (OPEN, S.WITHDRAWN),  # 撤回
    "deem_withdrawn": (frozenset({S.CORRECTION}), S.DEEMED_WITHDRAWN),  # 视为放弃申请 (§30)
}

MOVE_LABELS = {
    "submit": gettext_lazy("Request submitted"),
    "register": gettext_lazy("Request registered as received"),
    "request_correction": gettext_lazy("Correction of the request asked for"),
    "correct": gettext_lazy("Request corrected"),
    "extend": gettext_lazy("Answer period extended"),
    "consult": gettext_lazy("Third party consulted (time not counted)"),
    "consult_end": gettext_lazy("Third-party consultation ended"),
    "answer": gettext_lazy("Request answered"),
    "withdraw": gettext_lazy("Request withdrawn"),
    "deem_withdrawn": gettext_lazy("Not corrected in time: deemed withdrawn"),
}


def _invalid(message: str, field: str, rule: str, **extra: Any) -> ValidationFailed:
    return ValidationFailed(message, extra={"field": field, "rule": rule, **extra})


def _text(value: str | None, *, field: str, label: str, required: bool, limit: int = TEXT_MAX) -> str:
    return text_clean(value, field=field, limit=limit, required=required, label=label)


def _recompute_due(request: DisclosureRequest, calendar: workdays.WorkCalendar, today: date) -> tuple[str, ...]:
    """Work out ``request.due_on`` again (``deadlines.request_due_on``) and return the fields changed.

    A due date that moved clears ``reminded_on`` (the staff are reminded again before the new date,
    ``requests_mark_overdue``), and clears ``overdue_since`` when the new date is ``today`` or later;
    a request still past its new date stays marked."""
    before = request.due_on
    pauses = list(request.pauses.filter(ended_on__isnull=False).values_list("started_on", "ended_on"))
    request.due_on = deadlines.request_due_on(received_on=request.received_on, corrected_on=request.corrected_on,
                                              extension_days=request.extension_days, pauses=pauses,
                                              calendar=calendar)
    if request.due_on == before:
        return ("due_on",)
    request.reminded_on = None
    if request.overdue_since is not None and request.due_on >= today:
        request.overdue_since = None
    return ("due_on", "reminded_on", "overdue_since")


def request_notify(*, request: DisclosureRequest, move: str, note: str = "") -> None:
    """Tell the applicant that ``request`` moved (in the site, and by e-mail after commit), in the
    platform's language and in English (``in_both_languages``); called inside the moving transaction."""

    def compose() -> tuple[str, str]:
        status = str(request.get_status_display())
        subject = _("Request %(number)s: %(status)s") % {"number": request.number, "status": status}
        lines = [_("Request for government information %(number)s to %(agency)s.")
                 % {"number": request.number, "agency": request.agency.local_name},
                 _("%(move)s: %(status)s") % {"move": MOVE_LABELS[move], "status": status}]
        if request.due_on and request.status in CLOCK_RUNNING:
            lines.append(_("Answer due by %(day)s.") % {"day": request.due_on.isoformat()})
        if note:
            lines.append(note)
        return subject, "\n".join(str(x) for x in lines)

    notification_send(recipient=request.applicant, link_name="portal:request", link_args=[request.number],
                      **in_both_languages(compose))


REQUEST = Machine(
    kind="portal.disclosure_request", moves=MOVES, labels=MOVE_LABELS,
    refused=gettext_lazy("The request is %(state)s; “%(move)s” is not possible at this stage."),
    resume_field="resume_status", pausing=frozenset({"consult"}),
)


def _locked(request: DisclosureRequest) -> DisclosureRequest:
    return transitions.locked(request, "agency", "applicant")


def _target(request: DisclosureRequest, move: str) -> S:
    return S(transitions.move_target(machine=REQUEST, obj=request, move=move))


def _move(*, request: DisclosureRequest, move: str, actor, by: str, note: str = "",
          changes: dict[str, Any] | None = None, fields: tuple[str, ...] = ()) -> DisclosureRequest:
    """Apply ``move`` to the locked ``request`` (``facilities.transitions.transition_apply``): status,
    timeline line, audit event, notification of the applicant."""
    staff_side = actor is SYSTEM or actor.kind == User.Kind.STAFF

    def timeline(before, target) -> DisclosureRequestEvent:
        return DisclosureRequestEvent.objects.create(request=request, move=move, status_from=before,
                                                     status_to=target, by=by[:200], note=note)

    return transitions.transition_apply(
        machine=REQUEST, obj=request, move=move, actor=actor, organization=request.agency if staff_side else None,
        label=request.number, changes=changes, fields=fields, timeline=timeline,
        notify=lambda before, target, row: request_notify(request=request, move=move, note=note))


def _office(actor, request: DisclosureRequest) -> None:
    """Deny unless ``actor`` works in the request's disclosure office (404 for others)."""
    require_office_staff(actor, request)


def _number_allocate(day: date) -> str:
    """``YSQ-20260928-0001``: the day's next number (gap-tolerant, ``facilities.numbering``)."""
    return f"YSQ-{day:%Y%m%d}-{counter_take(model=DisclosureNumberCounter, key={'day': day}):04d}"


@transaction.atomic
def request_submit(*, actor, agency: Organization, description: str, form_wanted: str, idempotency_key: str,
                   purpose: str = "", phone: str = "", email: str = "", address: str = "") -> DisclosureRequest:
    """Submit a request for government information to ``agency`` (第二十七条、第二十九条), once per
    ``idempotency_key``.

    The applicant's name and identity number (resident ID, or USCC for a legal person) are copied
    from the account; the contact given here is kept with the request.

    Args:
        actor: the signed-in natural or legal person (the applicant).
        agency: an active organization.
        description: the information wanted (名称、文号或者便于查询的其他特征性描述), ≤ 2000 characters.
        form_wanted: a ``FormWanted`` value; ``paper`` needs a postal address.
        idempotency_key: 8–64 letters, digits, ``-`` or ``_``, chosen by the client (the form's hidden
            field); unique per applicant.
        purpose, phone, email, address: optional, but at least one way to reach the applicant.

    Returns:
        The request, status ``submitted``; or, when this applicant sent this same request with this
        key before (a double click, a reload), that request, unchanged: nothing is written.

    Raises:
        PermissionDenied: not a signed-in citizen or enterprise.
        ValidationFailed: bad key, inactive agency, empty description, unknown form, no contact, no
            address for paper (``extra["field"]`` names the field).
        Conflict: the key was used for a request with other content (``rule =
            "idempotency_key_content"``, with that request's ``number``).
    """
    require_verified_public_user(actor, _("Sign in as a citizen or an enterprise to request information."))
    key = idempotency_key_check(idempotency_key)
    if agency is None or not agency.is_active:
        raise _invalid(_("Choose an agency."), "agency", "required")
    description = _text(description, field="description", label=_("the information requested"), required=True,
                        limit=DESCRIPTION_MAX)
    purpose = _text(purpose, field="purpose", label=_("the purpose"), required=False, limit=DESCRIPTION_MAX)
    if form_wanted not in FormWanted.values:
        raise _invalid(_("Choose the form in which you want the information."), "form_wanted", "choice")
    phone = _text(phone, field="phone", label=_("the phone"), required=False, limit=20)
    email = _text(email, field="email", label=_("the e-mail"), required=False, limit=254)
    address = _text(address, field="address", label=_("the postal address"), required=False, limit=300)
    if not (phone or email or address):
        raise _invalid(_("Give at least one way to reach you: phone, e-mail or postal address."), "phone",
                       "contact_required")
    if form_wanted == FormWanted.PAPER and not address:
        raise _invalid(_("A paper copy is sent by post: give your postal address."), "address", "required")
    if actor.kind == User.Kind.NATURAL:
        identity = actor.natural_person
        name, id_number = identity.name, identity.id_number
    else:
        identity = actor.legal_person
        name, id_number = identity.name, identity.uscc
    digest = body_digest({"agency": agency.pk, "description": description, "purpose": purpose,
                          "form_wanted": form_wanted, "phone": phone, "email": email, "address": address})
    # One submission per applicant at a time: a double click waits here, then finds the first request.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    existing = submitted_before(
        queryset=DisclosureRequest.objects.filter(applicant=actor), key=key, digest=digest,
        other_body_message=_("This form was already sent as request %(number)s, with other content. To ask for "
                             "something else, start a new request."))
    if existing is not None:
        return existing
    now = timezone.now()
    request = DisclosureRequest.objects.create(
        number=_number_allocate(timezone.localdate(now)), agency=agency, applicant=actor, applicant_name=name,
        applicant_id_number=id_number, applicant_phone=phone, applicant_email=email, applicant_address=address,
        description=description, purpose=purpose, form_wanted=form_wanted, submitted_at=now,
        idempotency_key=key, request_digest=digest)
    DisclosureRequestEvent.objects.create(request=request, move="submit", status_to=S.SUBMITTED, by=name[:200])
    audit_record(action="portal.disclosure_request.submit", actor=actor, obj=request,
                 summary=f"{request.number} submitted to {agency.name}",
                 changes={"agency": agency.pk, "form_wanted": form_wanted})
    request_notify(request=request, move="submit")
    return request


@transaction.atomic
def request_register(*, actor, request: DisclosureRequest, today: date | None = None) -> DisclosureRequest:
    """Register the request as received (登记, 第三十一条): received on ``today``, or on the next
    working day when ``today`` is a day off; the answer is due 20 working days later (第三十三条).

    Raises:
        NotFound: the actor is not in the agency's disclosure office.
        Conflict: the request is not ``submitted``.
    """
    request = _locked(request)
    _office(actor, request)
    calendar = work_calendar()
    today = today or timezone.localdate()
    request.received_on = deadlines.receipt_day(today, calendar=calendar)
    changed = _recompute_due(request, calendar, today)
    return _move(request=request, move="register", actor=actor, by=request.agency.name,
                 changes={"received_on": request.received_on.isoformat(), "due_on": request.due_on.isoformat()},
                 fields=("received_on", *changed))


@transaction.atomic
def request_correction_ask(*, actor, request: DisclosureRequest, note: str, period_days: int,
                           today: date | None = None) -> DisclosureRequest:
    """Ask the applicant once to correct an unclear request (补正, 第三十条), naming what to change
    and giving ``period_days`` working days; the answer period stops and restarts from the receipt of
    the corrected request. Allowed only within 7 working days of receipt.

    Raises:
        NotFound: not in the agency's disclosure office.
        Conflict: not ``received`` (a correction was asked before, or none can be asked now), or more
            than 7 working days after receipt (``rule = "correction_window"``).
        ValidationFailed: no note, or a period outside 1–30 working days.
    """
    request = _locked(request)
    _office(actor, request)
    _target(request, "request_correction")
    today = today or timezone.localdate()
    calendar = work_calendar()
    if not deadlines.correction_allowed(received_on=request.received_on, today=today, calendar=calendar):
        last = workdays.working_days_add(request.received_on, deadlines.CORRECTION_WINDOW_DAYS, calendar=calendar)
        raise Conflict(_("A correction can be asked for only within 7 working days of receipt (received "
                         "%(received)s, so by %(last)s).") % {"received": request.received_on.isoformat(),
                                                              "last": last.isoformat()},
                       extra={"rule": "correction_window", "last_day": last.isoformat()})
    note = _text(note, field="note", label=_("what is to be corrected"), required=True)
    if not isinstance(period_days, int) or not 1 <= period_days <= CORRECTION_PERIOD_MAX:
        raise _invalid(_("The period is 1 to %(max)d working days.") % {"max": CORRECTION_PERIOD_MAX},
                       "period_days", "range")
    request.correction_note = note
    request.correction_due_on = workdays.working_days_add(today, period_days, calendar=calendar)
    message = _("%(note)s\nPlease correct your request by %(day)s; otherwise it is deemed withdrawn.") % {
        "note": note, "day": request.correction_due_on.isoformat()}
    return _move(request=request, move="request_correction", actor=actor, by=request.agency.name, note=message,
                 changes={"correction_due_on": request.correction_due_on.isoformat()},
                 fields=("correction_note", "correction_due_on"))


@transaction.atomic
def request_correct(*, actor, request: DisclosureRequest, description: str,
                    today: date | None = None) -> DisclosureRequest:
    """The applicant corrects the request (第三十条): the new description replaces the old one (which
    stays on the timeline); the answer period restarts from this receipt (on a day off: the next
    working day) and is due 20 working days later.

    Raises:
        NotFound: not the applicant.
        Conflict: no correction asked, or its period has ended (``rule = "correction_period"``).
        ValidationFailed: empty description.
    """
    request = _locked(request)
    require_request_applicant(actor, request)
    _target(request, "correct")
    today = today or timezone.localdate()
    if today > request.correction_due_on:
        raise Conflict(_("The period for the correction ended on %(day)s.")
                       % {"day": request.correction_due_on.isoformat()}, extra={"rule": "correction_period"})
    description = _text(description, field="description", label=_("the information requested"), required=True,
                        limit=DESCRIPTION_MAX)
    previous = request.description
    calendar = work_calendar()
    request.description = description
    request.corrected_on = deadlines.receipt_day(today, calendar=calendar)
    changed = _recompute_due(request, calendar, today)
    return _move(request=request, move="correct", actor=actor, by=request.applicant_name,
                 note=_("Before: %(old)s") % {"old": previous},
                 changes={"corrected_on": request.corrected_on.isoformat(), "due_on": request.due_on.isoformat()},
                 fields=("description", "corrected_on", *changed))


@transaction.atomic
def request_extend(*, actor, request: DisclosureRequest, days: int, reason: str,
                   today: date | None = None) -> DisclosureRequest:
    """Extend the answer period once by ``days`` (1–20) working days with the approval of the head of
    the disclosure office, telling the applicant the reason (第三十三条第二款). A reminder sent before
    the old due date is forgotten: the office is reminded again before the new one.

    Raises:
        NotFound: not in the agency's disclosure office.
        PermissionDenied: not its head.
        Conflict: extended before, not running, or the due date has passed (``rule = "past_due"``).
        ValidationFailed: no reason, or days outside 1–20.
    """
    request = _locked(request)
    _office(actor, request)
    require_office_head(actor, request.agency)
    if request.extension_days:
        raise Conflict(_("The answer period was extended already; it can be extended only once."),
                       extra={"state": request.status, "move": "extend", "rule": "once"})
    _target(request, "extend")
    today = today or timezone.localdate()
    if today > request.due_on:
        raise Conflict(_("The answer was due on %(day)s: a period that has ended cannot be extended.")
                       % {"day": request.due_on.isoformat()}, extra={"rule": "past_due"})
    if not isinstance(days, int) or not 1 <= days <= deadlines.EXTENSION_MAX_DAYS:
        raise _invalid(_("An extension is 1 to %(max)d working days.") % {"max": deadlines.EXTENSION_MAX_DAYS},
                       "days", "range")
    reason = _text(reason, field="reason", label=_("the reason"), required=True)
    before = request.due_on
    request.extension_days, request.extension_reason = days, reason
    changed = _recompute_due(request, work_calendar(), today)
    return _move(request=request, move="extend", actor=actor, by=request.agency.name,
                 note=_("%(reason)s\nThe answer is now due by %(day)s.") % {"reason": reason,
                                                                           "day": request.due_on.isoformat()},
                 changes={"days": days, "due_on": [before.isoformat(), request.due_on.isoformat()]},
                 fields=("extension_days", "extension_reason", *changed))


@transaction.atomic
def request_consult(*, actor, request: DisclosureRequest, third_party: str,
                    today: date | None = None) -> DisclosurePause:
    """Consult a third party whose interests the disclosure may harm (第三十二条): the clock stops
    from ``today``; the third party's opinion is due 15 working days later.

    Returns:
        The pause (open until ``request_consult_end``).

    Raises:
        NotFound: not in the agency's disclosure office.
        Conflict: the clock is not running.
        ValidationFailed: no third party named.
    """
    request = _locked(request)
    _office(actor, request)
    _target(request, "consult")
    third_party = _text(third_party, field="third_party", label=_("the third party"), required=True, limit=200)
    today = today or timezone.localdate()
    pause = DisclosurePause.objects.create(
        request=request, third_party=third_party, started_on=today,
        opinion_due_on=workdays.working_days_add(today, deadlines.THIRD_PARTY_DAYS, calendar=work_calendar()))
    _move(request=request, move="consult", actor=actor, by=request.agency.name,
          note=_("The time of the consultation is not counted in the answer period."),
          changes={"pause": pause.pk, "opinion_due_on": pause.opinion_due_on.isoformat()})
    return pause


@transaction.atomic
def request_consult_end(*, actor, request: DisclosureRequest, today: date | None = None) -> DisclosureRequest:
    """End the third-party consultation: the clock runs again and the due date moves later by the
    working days it lasted (第三十三条第三款).

    Raises:
        NotFound: not in the agency's disclosure office.
        Conflict: no consultation under way.
    """
    request = _locked(request)
    _office(actor, request)
    _target(request, "consult_end")
    pause = request.pauses.filter(ended_on__isnull=True).get()
    today = today or timezone.localdate()
    pause.ended_on = max(today, pause.started_on)
    pause.save(update_fields=["ended_on"])
    before = request.due_on
    changed = _recompute_due(request, work_calendar(), today)
    return _move(request=request, move="consult_end", actor=actor, by=request.agency.name,
                 note=_("The answer is now due by %(day)s.") % {"day": request.due_on.isoformat()},
                 changes={"pause": pause.pk, "due_on": [before.isoformat(), request.due_on.isoformat()]},
                 fields=changed)


@transaction.atomic
def request_answer(*, actor, request: DisclosureRequest, kind: str, text: str, legal_basis: str = "",
                   competent_agency: str = "", file=None) -> DisclosureRequest:
    """Answer the request (答复, 第三十六条).

    Args:
        kind: an ``AnswerKind`` value.
        text: the answer the applicant reads: the information or how to get it, the reasons.
        legal_basis: required for 不予公开 and 部分公开 (第三十六条第三项, 第三十七条).
        competent_agency: for 不属于本机关公开, the competent agency when known (第三十六条第五项).
        file: an optional PDF (bytes or an uploaded file), e.g. the signed 答复书.

    Raises:
        NotFound: not in the agency's disclosure office.
        Conflict: the clock is not running (not registered, paused, or ended).
        ValidationFailed: unknown kind, no text, no basis where required, a file that is not a PDF.
    """
    request = _locked(request)
    _office(actor, request)
    _target(request, "answer")
    if kind not in AnswerKind.values:
        raise _invalid(_("Choose the kind of answer."), "kind", "choice")
    text = _text(text, field="text", label=_("the answer"), required=True)
    legal_basis = _text(legal_basis, field="legal_basis", label=_("the legal basis"),
                        required=kind in BASIS_REQUIRED)
    competent_agency = _text(competent_agency, field="competent_agency", label=_("the competent agency"),
                             required=False, limit=200) if kind == AnswerKind.NOT_COMPETENT else ""
    stored = None
    if file is not None:
        stored = file_store(actor=actor, content=file, spec=ANSWER_FILE, audit_action="portal.answer_file.store",
                            changes={"request": request.number})
    request.answer_kind, request.answer_text, request.legal_basis = kind, text, legal_basis
    request.competent_agency, request.answer_file, request.answered_at = competent_agency, stored, timezone.now()
    note = str(AnswerKind(kind).label)
    return _move(request=request, move="answer", actor=actor, by=request.agency.name, note=note,
                 changes={"kind": kind, "file": stored.sha256 if stored else None},
                 fields=("answer_kind", "answer_text", "legal_basis", "competent_agency", "answer_file",
                         "answered_at"))


@transaction.atomic
def request_withdraw(*, actor, request: DisclosureRequest, reason: str = "") -> DisclosureRequest:
    """The applicant withdraws a request not yet answered.

    Raises:
        NotFound: not the applicant.
        Conflict: answered or ended already.
    """
    request = _locked(request)
    require_request_applicant(actor, request)
    reason = _text(reason, field="reason", label=_("the reason"), required=False, limit=500)
    return _move(request=request, move="withdraw", actor=actor, by=request.applicant_name, note=reason)


def _remind_staff(request: DisclosureRequest, days_left: int) -> None:
    staff = User.objects.filter(memberships__organization=request.agency, memberships__roles__role__in=OFFICE_ROLES,
                                is_active=True).distinct()
    def compose() -> tuple[str, str]:
        subject = _("Request %(number)s: answer due by %(day)s") % {"number": request.number,
                                                                    "day": request.due_on.isoformat()}
        body = _("%(days)d working days are left to answer request %(number)s (%(agency)s).") % {
            "days": days_left, "number": request.number, "agency": request.agency.local_name}
        return subject, body

    texts = in_both_languages(compose)
    for person in staff:
        notification_send(recipient=person, link_name="portal_staff:request", link_args=[request.number], **texts)


@transaction.atomic
def requests_mark_overdue(*, today: date | None = None) -> dict[str, int]:
    """The daily run (Celery beat): mark the running requests whose due date has passed (once each,
    audited), remind the disclosure office when 3 working days or fewer are left (once), and end as
    withdrawn the requests whose correction period has passed (第三十条 "视为放弃申请").

    Returns:
        ``{"overdue": n, "reminded": n, "deemed_withdrawn": n}``.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    calendar = work_calendar()
    counts = {"overdue": 0, "reminded": 0, "deemed_withdrawn": 0}
    running = (DisclosureRequest.objects.select_for_update(of=("self",)).select_related("agency", "applicant")
               .filter(status__in=CLOCK_RUNNING, due_on__isnull=False))
    for request in running.filter(overdue_since__isnull=True, due_on__lt=today):
        request.overdue_since = now
        request.save(update_fields=["overdue_since"])
        audit_record(action="portal.disclosure_request.overdue", organization=request.agency, obj=request,
                     summary=f"{request.number} overdue (due {request.due_on})",
                     changes={"due_on": request.due_on.isoformat()})
        counts["overdue"] += 1
    for request in running.filter(reminded_on__isnull=True, due_on__gte=today):
        left = workdays.working_days_between(today, request.due_on, calendar=calendar)
        if left <= deadlines.REMIND_DAYS:
            request.reminded_on = today
            request.save(update_fields=["reminded_on"])
            _remind_staff(request, left)
            counts["reminded"] += 1
    expired = (DisclosureRequest.objects.select_for_update(of=("self",)).select_related("agency", "applicant")
               .filter(status=S.CORRECTION, correction_due_on__lt=today))
    for request in expired:
        _move(request=request, move="deem_withdrawn", actor=SYSTEM, by=request.agency.name,
              note=_("The request was not corrected by %(day)s.") % {"day": request.correction_due_on.isoformat()})
        counts["deemed_withdrawn"] += 1
    return counts

