"""Writes of credit records: entering, the platform's own 双公示, matching held subjects, the lifecycle.

Each action is keyword-only, atomic and audited, checks the actor (deny by default, ``permissions``)
and changes the status only through ``transitions.transition_apply`` with ``MACHINE``.
Date-dependent actions take ``today`` (default: the local date).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from egov.accounts.models import LegalPerson, NaturalPerson
from egov.accounts.permissions import require_verified_public_user
from egov.audit.actions import audit_record
from egov.core.actors import SYSTEM, is_system
from egov.core.dates import months_add
from egov.core.errors import Conflict, ValidationFailed
from egov.core.masking import mask_id_number
from egov.core.text import text_clean
from egov.credit import matching
from egov.credit.models import (
    LIST_KINDS,
    CreditNumberCounter,
    CreditRecord,
    CreditRequest,
    CreditRequestCounter,
    Kind,
    RequestKind,
    RequestStatus,
    Severity,
    Status,
    SubjectKind,
)
from egov.credit.permissions import credit_officers, require_credit_office, require_enter, require_subject
from egov.facilities import transitions
from egov.facilities.files import FileSpec, file_store
from egov.facilities.notifications import in_both_languages, notification_send
from egov.facilities.numbering import counter_take
from egov.facilities.transitions import Machine
from egov.orgs.identifiers import resident_id_check, uscc_check
from egov.orgs.models import Organization
from egov.workflow.selectors import working_days_add

S = Status

# 双公示: a licence or penalty decision is public within 7 working days of the decision
# (国办发〔2020〕49号 and the 双公示 rules it keeps).
PUBLISH_WITHIN_DAYS = 7

# How long a record stays public, in calendar months counted from its decision date (``decided_on``); the
# daily run ends its publication after that (``credit_daily``). 失信信息 (penalties, 严重失信主体名单): the
# longest period of its class, after which publication ends by itself — 一般 3 months to 1 year, 严重 1 to
# 3 years, counted from the day of the decision document (国办发〔2025〕22号《关于进一步完善信用修复制度的
# 实施方案》二; 《信用修复管理办法》, 国家发展改革委令2025年第36号, in force since 2026-04-01, which repealed
# 国家发展改革委令2023年第58号); a 严重失信主体名单 membership is 严重. 经营异常名录, 行政许可 and 红名单 are
# the city's choice (docs/credit.md "Periods and the rules").
PERIOD_MONTHS: dict[tuple[str, str], int] = {
    (Kind.LICENCE, ""): 36,
    (Kind.PENALTY, Severity.GENERAL): 12,
    (Kind.PENALTY, Severity.SERIOUS): 36,
    (Kind.SERIOUS, ""): 36,
    (Kind.ABNORMAL, ""): 36,
    (Kind.RED, ""): 24,
}

MOVES = {
    "match_publish": (frozenset({S.HELD}), S.PUBLISHED),  # a held 双公示 record's subject found
    "match_propose": (frozenset({S.HELD}), S.PROPOSED),  # a held list membership's subject found
    "notify": (frozenset({S.PROPOSED}), S.OBJECTION),  # 告知: notice given, the objection window runs
    "publish": (frozenset({S.OBJECTION}), S.PUBLISHED),  # the window closed without a sustained objection
    "expire": (frozenset({S.PUBLISHED}), S.EXPIRED),  # the publication period ended
    "repair": (frozenset({S.PUBLISHED}), S.REPAIRED),  # 信用修复 granted (``request_decide``)
    "revoke": (frozenset({S.HELD, S.PROPOSED, S.OBJECTION, S.PUBLISHED}), S.REVOKED),
}

MACHINE = Machine(
    kind="credit.record",
    moves=MOVES,
    refused=gettext_lazy("A record that is %(state)s cannot be moved by “%(move)s”."),
    done=gettext_lazy("The record is already %(state)s."),
    labels={
        "match_publish": gettext_lazy("Subject matched; published"),
        "match_propose": gettext_lazy("Subject matched; proposed for listing"),
        "notify": gettext_lazy("Notice given to the subject"),
        "publish": gettext_lazy("Published"),
        "expire": gettext_lazy("Publication ended"),
        "repair": gettext_lazy("Credit repaired"),
        "revoke": gettext_lazy("Revoked"),
    },
)

TEXT_MAX = 2000


def period_months(*, kind: str, severity: str = "") -> int:
    """The publication period of a record of ``kind`` (and ``severity`` for penalties), in calendar months
    from its decision date (``PERIOD_MONTHS``)."""
    return PERIOD_MONTHS[(kind, severity if kind == Kind.PENALTY else "")]


def objection_days() -> int:
    """Working days the subject of a list membership has to object after the notice
    (``EGOV_CREDIT_OBJECTION_DAYS``, default 5)."""
    return getattr(settings, "EGOV_CREDIT_OBJECTION_DAYS", 5)


def _invalid(message: str, field: str, rule: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"field": field, "rule": rule})


def subject_code_check(*, subject_kind: str, code: str) -> str:
    """The subject's code checked and normalized: a USCC (GB 32100-2015) for a legal entity, a resident
    ID (GB 11643-1999) for a person.

    Raises:
        ValidationFailed: ``extra = {"field": "subject_code", "rule": …}`` (the identifier checks' rules,
            or ``subject_kind``).
    """
    if subject_kind == SubjectKind.LEGAL:
        return uscc_check(code or "", field="subject_code")
    if subject_kind == SubjectKind.NATURAL:
        return resident_id_check(code or "", field="subject_code").number
    raise _invalid(_("Choose whether the subject is a legal entity or a natural person."), "subject_kind", "choice")


def code_shown(*, subject_kind: str, code: str) -> str:
    """How logs and the public name a subject's code: a person's resident ID masked, a USCC in full."""
    return mask_id_number(code) if subject_kind == SubjectKind.NATURAL else code


def _number(today: date) -> str:
    value = counter_take(model=CreditNumberCounter, key={"day": today}, limit=9999, label=f"credit:{today}")
    return f"XY-{today:%Y%m%d}-{value:04d}"


def _subject_users(record: CreditRecord) -> list:
    """The accounts of the record's subject (the enterprise's account, the person's), to notify."""
    if record.subject_kind == SubjectKind.LEGAL:
        rows = LegalPerson.objects.filter(uscc=record.subject_code)
    else:
        rows = NaturalPerson.objects.filter(id_number=record.subject_code)
    return [row.user for row in rows.select_related("user")]


def _publish_fields(record: CreditRecord, today: date) -> tuple[str, ...]:
    """Published from ``today`` until the end of its period, counted from the decision date (a record
    published late is not public longer; one whose period has passed ends at the next daily run)."""
    record.published_from = today
    record.published_until = months_add(record.decided_on, period_months(kind=record.kind, severity=record.severity))
    return ("published_from", "published_until")


def _move(
    record: CreditRecord,
    move: str,
    actor,
    *,
    today: date,
    organization=None,
    changes=None,
    fields: tuple[str, ...] = (),
) -> CreditRecord:
    notify = None
    if move == "notify":
        notify = lambda before, target, row: _notice_send(record)  # noqa: E731
    return transitions.transition_apply(
        machine=MACHINE,
        obj=record,
        move=move,
        actor=actor,
        organization=organization,
        label=record.number,
        changes={"subject": code_shown(subject_kind=record.subject_kind, code=record.subject_code), **(changes or {})},
        fields=fields,
        notify=notify,
    )


def _notice_send(record: CreditRecord) -> None:
    """告知 (国办发〔2020〕49号 (八)): the subject is told what is proposed, why, on what basis, and until when
    it may object."""

    def compose() -> tuple[str, str]:
        subject = _("Credit notice %(number)s: %(kind)s") % {"number": record.number, "kind": record.get_kind_display()}
        body = _(
            "%(provider)s proposes to put %(name)s on the %(kind)s (decision %(document)s of %(date)s). "
            "Legal basis: %(basis)s. Measures: %(measures)s. You may object until %(until)s."
        ) % {
            "provider": record.provider.local_name,
            "name": record.subject_name,
            "kind": record.get_kind_display(),
            "document": record.decision_document,
            "date": record.decided_on.isoformat(),
            "basis": record.local_legal_basis,
            "measures": record.local_measures or "—",
            "until": record.objection_until.isoformat(),
        }
        return subject, body

    for user in _subject_users(record):
        notification_send(recipient=user, **in_both_languages(compose))


def _start(record: CreditRecord, actor, today: date) -> CreditRecord:
    """Set a newly matched record going: a 双公示 record is published; a list membership is proposed and
    its subject told (the objection window starts)."""
    if record.kind in LIST_KINDS:
        if record.status == S.HELD:
            _move(record, "match_propose", actor, today=today, fields=("matched_at",))
        record.objection_until = working_days_add(start=today, days=objection_days())
        return _move(
            record,
            "notify",
            actor,
            today=today,
            fields=("objection_until",),
            changes={"objection_until": record.objection_until.isoformat()},
        )
    fields = _publish_fields(record, today)
    return _move(record, "match_publish", actor, today=today, fields=("matched_at", *fields))


@transaction.atomic
def record_enter(
    *,
    actor,
    provider: Organization,
    kind: str,
    subject_kind: str,
    subject_code: str,
    subject_name: str,
    legal_basis: str,
    decision_document: str,
    decided_on: date,
    severity: str = "",
    facts: str = "",
    measures: str = "",
    legal_basis_en: str = "",
    facts_en: str = "",
    measures_en: str = "",
    source_ref: str = "",
    today: date | None = None,
) -> CreditRecord:
    """Enter one credit record from ``provider`` (a 行政处罚 decided there, a list membership it decided).

    The subject is matched against the registers (``matching.subject_known``): an unknown subject's
    record is ``HELD`` and not published. A known subject's 双公示 record (行政许可, 行政处罚) is published
    at once, due by ``PUBLISH_WITHIN_DAYS`` working days after the decision, for ``period_months``; a list
    membership is proposed and its subject told, with ``objection_days()`` working days to object.

    Args:
        severity: ``Severity`` of a penalty (required there; it sets the period), "" otherwise.
        measures: the 惩戒 or 激励 measures the membership carries (required for lists).
        source_ref: what made the record automatically (``licence:<number>``), once each.

    Returns:
        The new record, numbered ``XY-YYYYMMDD-NNNN``.

    Raises:
        PermissionDenied: ``permissions.require_enter``.
        ValidationFailed: ``extra = {"field", "rule"}``: a bad code or kind, a missing text, a decision date
            in the future (``future``) or so old that its publication period (``period_months``) ended before
            ``today`` (``{"field": "decided_on", "rule": "period_ended"}``: it would never be public), a penalty
            without severity, a list without measures.
    """
    role = require_enter(actor, provider)
    today = today or timezone.localdate()
    if kind not in Kind.values:
        raise _invalid(_("Choose the kind of record."), "kind", "choice")
    code = subject_code_check(subject_kind=subject_kind, code=subject_code)
    if kind == Kind.PENALTY and severity not in Severity.values:
        raise _invalid(_("Give the severity of the penalty."), "severity", "required")
    if kind != Kind.PENALTY:
        severity = ""
    if decided_on > today:
        raise _invalid(_("The decision date cannot be in the future."), "decided_on", "future")
    months = period_months(kind=kind, severity=severity)
    if months_add(decided_on, months) < today:
        # Its publication period ended before it reached us: publishing it would show an end before its start.
        raise ValidationFailed(
            _(
                "A record decided on %(date)s would be public until %(end)s, which has passed: records whose "
                "publication period (%(months)d months from the decision date) has ended are not entered."
            )
            % {"date": decided_on.isoformat(), "end": months_add(decided_on, months).isoformat(), "months": months},
            extra={"field": "decided_on", "rule": "period_ended"},
        )
    record = CreditRecord(
        kind=kind,
        subject_kind=subject_kind,
        subject_code=code,
        provider=provider,
        severity=severity,
        subject_name=text_clean(subject_name, field="subject_name", limit=200, label=_("the subject's name")),
        legal_basis=text_clean(legal_basis, field="legal_basis", limit=TEXT_MAX, label=_("the legal basis")),
        legal_basis_en=text_clean(legal_basis_en, field="legal_basis_en", limit=TEXT_MAX, required=False),
        decision_document=text_clean(
            decision_document, field="decision_document", limit=100, label=_("the decision document number")
        ),
        facts=text_clean(facts, field="facts", limit=TEXT_MAX, required=False),
        facts_en=text_clean(facts_en, field="facts_en", limit=TEXT_MAX, required=False),
        measures=text_clean(
            measures, field="measures", limit=TEXT_MAX, required=kind in LIST_KINDS, label=_("the measures")
        ),
        measures_en=text_clean(measures_en, field="measures_en", limit=TEXT_MAX, required=False),
        decided_on=decided_on,
        status=S.HELD,
        source_ref=source_ref,
        entered_by=None if is_system(actor) else actor,
    )
    if kind in (Kind.LICENCE, Kind.PENALTY):
        record.publish_due = working_days_add(start=decided_on, days=PUBLISH_WITHIN_DAYS)
    record.number = _number(today)
    record.save()
    audit_record(
        action="credit.record.enter",
        actor=actor,
        organization=provider,
        obj=record,
        summary=f"{record.number} {kind} entered by {provider}",
        changes={
            "kind": kind,
            "subject": code_shown(subject_kind=subject_kind, code=code),
            "decision_document": record.decision_document,
            "role": role,
            "source": source_ref,
        },
    )
    if matching.subject_known(subject_kind=subject_kind, code=code, organization=provider, case=record.number):
        record.matched_at = timezone.now()
        _start(record, actor, today)
    return record


@dataclass(frozen=True)
class LicenceDecided:
    """A licence the service hall decided, as the composition root hands it to credit."""

    number: str
    name: str
    name_en: str
    holder_kind: str  # SubjectKind
    holder_code: str
    holder_name: str
    organization_id: int
    decided_on: date
    legal_basis: str
    legal_basis_en: str


def record_from_licence(*, licence: LicenceDecided, today: date | None = None) -> CreditRecord | None:
    """双公示 of a licence the platform issued: a 行政许可 record by the platform, once per licence
    (``source_ref = licence:<number>``); None when the licence already has its record or its holder has
    no code to match."""
    if not licence.holder_code:
        return None
    source = f"licence:{licence.number}"
    if CreditRecord.objects.filter(source_ref=source).exists():
        return None
    try:
        return record_enter(
            actor=SYSTEM,
            provider=Organization.objects.get(pk=licence.organization_id),
            kind=Kind.LICENCE,
            subject_kind=licence.holder_kind,
            subject_code=licence.holder_code,
            subject_name=licence.holder_name,
            legal_basis=licence.legal_basis or licence.name,
            legal_basis_en=licence.legal_basis_en,
            decision_document=licence.number,
            decided_on=licence.decided_on,
            facts=f"准予许可：{licence.name}",
            facts_en=f"Licence granted: {licence.name_en or licence.name}",
            source_ref=source,
            today=today,
        )
    except IntegrityError:  # the same licence announced twice at once: the other made it
        return None


@transaction.atomic
def records_match_held(*, actor, today: date | None = None) -> int:
    """Ask the registers again about every held record's subject; those now known go on (published, or
    proposed with notice). Returns how many went on.

    Raises:
        PermissionDenied: not the credit office (``permissions.require_credit_office``).
    """
    require_credit_office(actor)
    today = today or timezone.localdate()
    moved = 0
    for record in CreditRecord.objects.select_for_update().filter(status=S.HELD).select_related("provider"):
        if matching.subject_known(
            subject_kind=record.subject_kind, code=record.subject_code, organization=record.provider, case=record.number
        ):
            record.matched_at = timezone.now()
            _start(record, actor, today)
            moved += 1
    return moved


@transaction.atomic
def credit_daily(*, today: date | None = None) -> dict[str, int]:
    """The platform's daily run: publish the list memberships whose objection window closed before
    ``today``, end the publication of records whose period ended before ``today``.

    Returns:
        ``{"published": n, "expired": n}``.
    """
    today = today or timezone.localdate()
    published = expired = 0
    for record in CreditRecord.objects.select_for_update().filter(status=S.OBJECTION, objection_until__lt=today):
        _publish_fields(record, today)
        _move(record, "publish", SYSTEM, today=today, fields=("published_from", "published_until"))
        published += 1
    for record in CreditRecord.objects.select_for_update().filter(status=S.PUBLISHED, published_until__lt=today):
        _move(record, "expire", SYSTEM, today=today)
        expired += 1
    return {"published": published, "expired": expired}


@transaction.atomic
def record_revoke(*, actor, record: CreditRecord, reasons: str, today: date | None = None) -> CreditRecord:
    """撤销: the credit office withdraws a record (a decision quashed, an error), with reasons.

    Raises:
        PermissionDenied: not the credit office. ValidationFailed: no reasons. Conflict: already ended.
    """
    require_credit_office(actor)
    reasons = text_clean(reasons, field="reasons", limit=TEXT_MAX, label=_("the reasons"))
    record = transitions.locked(record)
    return _move(record, "revoke", actor, today=today or timezone.localdate(), changes={"reasons": reasons})


# 异议 and 信用修复 (issue 16, item 3). The credit office answers within ``answer_days`` working days.
# Repair is possible once the shortest publication period of the record's class has passed, in calendar
# months from its decision date: 一般 3 months, 严重 1 year (国办发〔2025〕22号 二; 国家发展改革委令2025年第36号,
# which keeps the 58号 minimums for penalties); 严重失信主体名单 is 严重. 经营异常名录 at once (after the
# conduct is corrected) is the city's choice. Kinds absent here (行政许可, 红名单) are not repaired.
REPAIR_AFTER_MONTHS: dict[tuple[str, str], int] = {
    (Kind.PENALTY, Severity.GENERAL): 3,
    (Kind.PENALTY, Severity.SERIOUS): 12,
    (Kind.SERIOUS, ""): 12,
    (Kind.ABNORMAL, ""): 0,
}

R = RequestStatus
REQUEST_MACHINE = Machine(
    kind="credit.request",
    moves={
        "accept": (frozenset({R.SUBMITTED}), R.ACCEPTED),
        "reject": (frozenset({R.SUBMITTED}), R.REJECTED),
    },
    refused=gettext_lazy("A request that is %(state)s cannot be moved by “%(move)s”."),
    done=gettext_lazy("The request is already %(state)s."),
    labels={
        "accept": pgettext_lazy("credit request", "Accepted"),
        "reject": pgettext_lazy("credit request", "Rejected"),
    },
)

ATTACHMENT_SPEC = FileSpec()


def answer_days(kind: str) -> int:
    """Working days the credit office has to answer an objection (``EGOV_CREDIT_OBJECTION_ANSWER_DAYS``)
    or a repair application (``EGOV_CREDIT_REPAIR_ANSWER_DAYS``); 7 each by default (docs/credit.md)."""
    if kind == RequestKind.REPAIR:
        return getattr(settings, "EGOV_CREDIT_REPAIR_ANSWER_DAYS", 7)
    return getattr(settings, "EGOV_CREDIT_OBJECTION_ANSWER_DAYS", 7)


def repair_possible_from(record: CreditRecord) -> date | None:
    """The first day the subject may apply for repair of ``record``: its decision date plus the shortest
    publication period of its class (``REPAIR_AFTER_MONTHS``, ``core.dates.months_add``), and not before
    its first day of publication; None when the kind is not repaired or the record was never published."""
    months = REPAIR_AFTER_MONTHS.get((record.kind, record.severity if record.kind == Kind.PENALTY else ""))
    if months is None or record.published_from is None:
        return None
    return max(months_add(record.decided_on, months), record.published_from)


def _request_number(kind: str, today: date) -> str:
    value = counter_take(model=CreditRequestCounter, key={"day": today}, limit=9999, label=f"credit-request:{today}")
    return f"{'YY' if kind == RequestKind.OBJECTION else 'XF'}-{today:%Y%m%d}-{value:04d}"


def _request_check(record: CreditRecord, kind: str, today: date) -> None:
    if kind == RequestKind.OBJECTION:
        if record.status in (S.PROPOSED, S.OBJECTION) and record.objection_until and today > record.objection_until:
            raise _invalid(
                _("The objection window closed on %(date)s.") % {"date": record.objection_until.isoformat()},
                "record",
                "window_closed",
            )
        if record.status not in (S.OBJECTION, S.PUBLISHED):
            raise _invalid(
                _("Objections are taken while a record is in its objection window or published."), "record", "state"
            )
        return
    if kind != RequestKind.REPAIR:
        raise _invalid(_("Choose an objection or a repair application."), "kind", "choice")
    start = repair_possible_from(record)
    if record.status != S.PUBLISHED or start is None:
        raise _invalid(
            _("Only a published record of a penalty or a sanctions list can be repaired."), "record", "state"
        )
    if today < start:
        raise _invalid(
            _("Repair can be applied for from %(date)s, after the minimum publication period.")
            % {"date": start.isoformat()},
            "record",
            "too_early",
        )


def _request_notify(request: CreditRequest, recipients, compose) -> None:
    for user in recipients:
        notification_send(recipient=user, **in_both_languages(compose))


@transaction.atomic
def request_file(
    *, actor, record: CreditRecord, kind: str, reason: str, attachment=None, today: date | None = None
) -> CreditRequest:
    """The subject files an objection (异议, 国办发〔2020〕49号 (八)) or a credit repair application (信用修复,
    国家发展改革委令2025年第36号《信用修复管理办法》) about ``record``.

    An objection is taken while a list membership is in its objection window (until ``objection_until``,
    included) or while a record is published; a repair once the minimum publication period has passed
    (``repair_possible_from``). The credit office must answer by ``answer_days`` working days after
    ``today``; the credit officers and the applicant are told.

    Args:
        attachment: an optional supporting file (bytes or an upload; PDF, JPEG, PNG or OFD,
            ``facilities.files``).

    Returns:
        The new request, numbered ``YY-YYYYMMDD-NNNN`` (异议) or ``XF-YYYYMMDD-NNNN`` (修复).

    Raises:
        PermissionDenied: not the record's subject (``permissions.require_subject``), or an account
            not verified (``rule: "unverified"``, issue 17).
        ValidationFailed: ``extra = {"field": "record", "rule": "window_closed"}`` (the message names the day
            the window closed), ``"too_early"`` (the message names the first possible day), ``"state"``;
            ``{"field": "reason", …}`` for a missing reason; the file checks' errors.
        Conflict: the same kind of request about this record is already open.
    """
    require_subject(actor, record)
    require_verified_public_user(actor)
    today = today or timezone.localdate()
    record = transitions.locked(record)
    _request_check(record, kind, today)
    reason = text_clean(reason, field="reason", limit=TEXT_MAX, label=_("the reason"))
    if CreditRequest.objects.filter(record=record, kind=kind, status=R.SUBMITTED).exists():
        raise Conflict(_("A request of this kind about this record is already awaiting the credit office."))
    stored = None
    if attachment:
        stored = file_store(actor=actor, content=attachment, spec=ATTACHMENT_SPEC, audit_action="credit.request.attach")
    request = CreditRequest.objects.create(
        number=_request_number(kind, today),
        kind=kind,
        record=record,
        applicant=actor,
        reason=reason,
        attachment=stored,
        filed_on=today,
        answer_due=working_days_add(start=today, days=answer_days(kind)),
    )
    audit_record(
        action="credit.request.file",
        actor=actor,
        obj=request,
        summary=f"{request.number} {kind} about {record.number}",
        changes={
            "kind": kind,
            "record": record.number,
            "subject": code_shown(subject_kind=record.subject_kind, code=record.subject_code),
            "answer_due": request.answer_due.isoformat(),
        },
    )

    def to_office() -> tuple[str, str]:
        return (
            _("New %(kind)s %(number)s") % {"kind": request.get_kind_display(), "number": request.number},
            _("%(kind)s about record %(record)s (%(name)s), to be answered by %(due)s.")
            % {
                "kind": request.get_kind_display(),
                "record": record.number,
                "name": record.subject_name,
                "due": request.answer_due.isoformat(),
            },
        )

    def to_applicant() -> tuple[str, str]:
        return (
            _("%(kind)s %(number)s received") % {"kind": request.get_kind_display(), "number": request.number},
            (
                _("The credit office received your objection %(number)s to record %(record)s and answers by %(due)s.")
                if request.kind == RequestKind.OBJECTION
                else _(
                    "The credit office received your credit repair application %(number)s about record %(record)s "
                    "and answers by %(due)s."
                )
            )
            % {"number": request.number, "record": record.number, "due": request.answer_due.isoformat()},
        )

    _request_notify(request, credit_officers(), to_office)
    _request_notify(request, [actor], to_applicant)
    return request


@transaction.atomic
def request_decide(
    *, actor, request: CreditRequest, accept: bool, reasons: str, today: date | None = None
) -> CreditRequest:
    """The credit office answers an objection or a repair application, with reasons.

    An accepted objection revokes the record (it leaves the public pages, 已撤销); an accepted repair
    repairs it (已修复, it leaves the public pages). The applicant is told either way.

    Raises:
        PermissionDenied: not the credit office. ValidationFailed: no reasons
            (``{"field": "reasons", "rule": "required"}``). Conflict: already decided, or the record can no
            longer move (e.g. its publication ended meanwhile).
    """
    require_credit_office(actor)
    today = today or timezone.localdate()
    reasons = text_clean(reasons, field="reasons", limit=TEXT_MAX, label=_("the reasons"))
    request = transitions.locked(request)
    request.answer, request.decided_by, request.decided_on = reasons, actor, today
    transitions.transition_apply(
        machine=REQUEST_MACHINE,
        obj=request,
        move="accept" if accept else "reject",
        actor=actor,
        label=request.number,
        changes={"reasons": reasons, "record": request.record.number},
        fields=("answer", "decided_by", "decided_on"),
    )
    if accept:
        record = transitions.locked(request.record)
        move = "revoke" if request.kind == RequestKind.OBJECTION else "repair"
        _move(record, move, actor, today=today, changes={"reasons": reasons, "request": request.number})

    def compose() -> tuple[str, str]:
        return (
            _("%(kind)s %(number)s: %(status)s")
            % {"kind": request.get_kind_display(), "number": request.number, "status": request.get_status_display()},
            _("The credit office's answer about record %(record)s: %(status)s. Reasons: %(reasons)s")
            % {"record": request.record.number, "status": request.get_status_display(), "reasons": reasons},
        )

    _request_notify(request, [request.applicant], compose)
    return request
