"""Writes of sharing requests (共享申请): a consumer asks for named 信息项 of a resource; each item
is settled by its sharing type (政务信息资源共享管理暂行办法, 国发〔2016〕51号, 第九条、第十四条):
无条件共享 granted at once, 不予共享 refused at once with the catalog's legal reason, 有条件共享
decided by the provider within ``EGOV_SHARING_DECISION_DAYS`` working days (default 10: 第十四条
"提供部门应在10个工作日内予以答复", and "对不予共享的，提供部门应说明理由") with its conditions or reasons.

Each action is keyword-only, atomic and audited; the status changes only through ``_move``
(``facilities.transitions``, one table ``MOVES``); both sides are told through
``facilities.notifications``. Date-dependent actions take ``today`` (default: the local date).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import audit_record
from egov.core import workdays
from egov.core.actors import SYSTEM
from egov.core.errors import ValidationFailed
from egov.core.text import text_clean
from egov.exchange.actions.grants import (
    default_valid_until,
    expiry_for,
    grant_create,
    provider_of,
    valid_until_check,
)
from egov.exchange.actions.notices import organization_notify
from egov.exchange.models import (
    InformationItem,
    InformationResource,
    SharingRequest,
    SharingRequestCounter,
    SharingRequestEvent,
    SharingRequestItem,
)
from egov.exchange.models import SharingRequestStatus as S
from egov.exchange.permissions import require_request_party, require_sharing_staff
from egov.facilities import transitions
from egov.facilities.idempotency import body_digest, idempotency_key_check, submitted_before
from egov.facilities.numbering import counter_take
from egov.facilities.transitions import Machine
from egov.orgs.models import Organization
from egov.workflow.selectors import work_calendar

TEXT_MAX = 500
Outcome = SharingRequestItem.Outcome
SharingType = InformationItem.SharingType

# move → (statuses it may start from, status it leads to)
MOVES: dict[str, tuple[frozenset, S]] = {
    "grant": (frozenset({S.PENDING}), S.GRANTED),  # every item granted
    "grant_partly": (frozenset({S.PENDING}), S.PARTLY_GRANTED),  # some granted, some refused
    "refuse": (frozenset({S.PENDING}), S.REFUSED),  # none granted
    "withdraw": (frozenset({S.PENDING}), S.WITHDRAWN),  # the consumer withdraws before the decision
}
MOVE_LABELS = {
    "submit": gettext_lazy("Request submitted"),
    "grant": gettext_lazy("Granted"),
    "grant_partly": gettext_lazy("Partly granted"),
    "refuse": gettext_lazy("Refused"),
    "withdraw": gettext_lazy("Withdrawn by the consumer"),
}
REQUEST = Machine(
    kind="exchange.sharing_request", moves=MOVES, labels=MOVE_LABELS,
    refused=gettext_lazy("The sharing request is %(state)s; “%(move)s” is not possible now."),
    done=gettext_lazy("The sharing request is %(state)s already."),
)


def _number_allocate(day: dt.date) -> str:
    """``GXSQ-20261204-0001``: the day's next number (gap-tolerant, ``facilities.numbering``)."""
    return f"GXSQ-{day:%Y%m%d}-{counter_take(model=SharingRequestCounter, key={'day': day}):04d}"


def _conclusion(request: SharingRequest) -> str:
    """The move that ends ``request`` by its items' outcomes (none pending)."""
    outcomes = {row.outcome for row in request.items.all()}
    if outcomes == {Outcome.GRANTED}:
        return "grant"
    return "grant_partly" if Outcome.GRANTED in outcomes else "refuse"


def _item_lines(request: SharingRequest) -> str:
    """The items and their outcomes, one line each, in the active language (for notifications)."""
    lines = []
    for row in request.items.all():
        values = {"item": row.name, "outcome": row.get_outcome_display(), "reason": row.reason}
        lines.append(_("%(item)s: %(outcome)s (%(reason)s)") % values if row.reason
                     else _("%(item)s: %(outcome)s") % values)
    return "\n".join(lines)


def _tell(*, request: SharingRequest, organization: Organization, subject, body) -> None:
    def compose() -> tuple[str, str]:
        return (str(subject()), str(body()))

    organization_notify(organization=organization, compose=compose, link_name="exchange_sharing:request",
                        link_args=[request.number])


def _tell_consumer_of_outcome(request: SharingRequest, note: str = "") -> None:
    def subject():
        return _("Sharing request %(number)s: %(status)s") % {"number": request.number,
                                                              "status": request.get_status_display()}

    def body():
        lines = [_("%(provider)s, %(resource)s (%(code)s):") % {
            "provider": request.provider.local_name, "resource": request.resource.name, "code": request.resource.code},
            _item_lines(request)]
        if note:
            lines.append(note)
        return "\n".join(str(line) for line in lines)

    _tell(request=request, organization=request.consumer, subject=subject, body=body)


def _move(*, request: SharingRequest, move: str, actor, by: str, note: str = "",
          changes: dict[str, Any] | None = None, fields: tuple[str, ...] = ()) -> SharingRequest:
    """Apply ``move`` to the locked ``request``: status, timeline line, audit, the consumer told."""

    def timeline(before, target) -> SharingRequestEvent:
        return SharingRequestEvent.objects.create(request=request, move=move, status_from=before, status_to=target,
                                                  by=by[:200], note=note)

    organization = request.consumer if move == "withdraw" else request.provider
    return transitions.transition_apply(
        machine=REQUEST, obj=request, move=move, actor=actor, organization=organization, label=request.number,
        changes=changes, fields=fields, timeline=timeline,
        notify=None if move == "withdraw" else (lambda before, target, row: _tell_consumer_of_outcome(request)))


def _grant_items(*, actor, request: SharingRequest, rows: list[SharingRequestItem], valid_until: dt.date):
    """One grant of ``rows`` (granted items) to the consumer, valid through ``valid_until``."""
    # Stored with the grant as the provider's words: "信息项：条件", one line each.
    conditions = "\n".join(f"{row.name}：{row.reason}" for row in rows if row.reason)
    return grant_create(actor=actor, resource=request.resource, consumer_code=request.consumer.uscc,
                        consumer_name=request.consumer.name, fields=[row.field for row in rows],
                        purpose=request.purpose, legal_basis=request.legal_basis,
                        expires_at=expiry_for(valid_until), request=request, conditions=conditions)


@transaction.atomic
def request_submit(*, actor, consumer: Organization, resource: InformationResource, fields: list[str],
                   purpose: str, legal_basis: str, idempotency_key: str, case_number: str = "",
                   today: dt.date | None = None) -> SharingRequest:
    """Ask the provider of ``resource`` for its items ``fields`` on behalf of ``consumer``, once per
    ``idempotency_key``.

    Each item is settled by its 共享类型: 无条件共享 items are granted at once (one grant, valid
    ``EGOV_SHARING_GRANT_MONTHS`` months, default 12), 不予共享 items refused at once with the
    catalog's legal reason, 有条件共享 items wait for the provider, whose decision is due
    ``EGOV_SHARING_DECISION_DAYS`` working days after ``today`` (the day of asking not counted).
    The provider's data stewards and operators are told of a request waiting for them; the consumer's
    of an outcome.

    Args:
        actor: a data steward or operator of ``consumer``.
        consumer: the asking organization; it needs a USCC (grants name it by that code).
        fields: the ``field`` keys of the items asked for (at least one, each once).
        purpose: what the data serves (the duty; ≤ 500 characters). case_number: the 办件编号 it
            serves, if one (≤ 40). legal_basis: the law that allows it (≤ 500).
        idempotency_key: 8–64 letters, digits, ``-`` or ``_`` chosen by the client; unique per consumer.

    Returns:
        The request, ``pending`` or already ended (granted, partly granted, refused); or the
        request sent before with this key and this content, unchanged.

    Raises:
        PermissionDenied: ``actor`` does not act for ``consumer``.
        ValidationFailed: a bad key; no item, an unknown or repeated item (``field = "fields"``);
            no purpose or legal basis; a consumer without USCC or asking itself; a provider the
            platform does not know (``rule = "provider_unknown"``).
        Conflict: the key was used for a request with other content (``rule =
            "idempotency_key_content"``, with that request's ``number``).
    """
    require_sharing_staff(actor, consumer, side="consumer")
    key = idempotency_key_check(idempotency_key)
    purpose = text_clean(purpose, field="purpose", limit=TEXT_MAX, label=_("the purpose"))
    legal_basis = text_clean(legal_basis, field="legal_basis", limit=TEXT_MAX, label=_("the legal basis"))
    case_number = text_clean(case_number, field="case_number", limit=40, required=False, label=_("the case number"))
    if not consumer.uscc:
        raise ValidationFailed(_("The consumer organization has no unified social credit code on the platform."),
                               extra={"field": "consumer", "rule": "uscc"})
    provider = provider_of(resource)
    if provider is None:
        raise ValidationFailed(_("The provider of this resource is not an organization of the platform."),
                               extra={"field": "resource", "rule": "provider_unknown"})
    if provider.pk == consumer.pk:
        raise ValidationFailed(_("An organization does not ask itself for its own data."),
                               extra={"field": "consumer", "rule": "own_resource"})
    catalog = {item.field: item for item in resource.items.all()}
    fields = [str(name) for name in fields or []]
    if not fields:
        raise ValidationFailed(_("Choose at least one information item."),
                               extra={"field": "fields", "rule": "required"})
    if len(set(fields)) != len(fields):
        raise ValidationFailed(_("Each information item is asked for once."),
                               extra={"field": "fields", "rule": "repeated"})
    for name in fields:
        if name not in catalog:
            raise ValidationFailed(_("The resource has no item %(field)s.") % {"field": name},
                                   extra={"field": "fields", "rule": "unknown", "item": name})
    digest = body_digest({"resource": resource.code, "fields": sorted(fields), "purpose": purpose,
                          "legal_basis": legal_basis, "case_number": case_number})
    # One submission per consumer at a time: a double click waits here, then finds the first request.
    Organization.objects.select_for_update().filter(pk=consumer.pk).first()
    existing = submitted_before(
        queryset=SharingRequest.objects.filter(consumer=consumer), key=key, digest=digest,
        other_body_message=_("This form was already sent as sharing request %(number)s, with other content. "
                             "To ask for something else, start a new request."))
    if existing is not None:
        return existing
    now = timezone.now()
    today = today or timezone.localdate(now)
    request = SharingRequest.objects.create(
        number=_number_allocate(today), resource=resource, provider=provider, consumer=consumer, requested_by=actor,
        purpose=purpose, case_number=case_number, legal_basis=legal_basis, submitted_at=now,
        idempotency_key=key, request_digest=digest)
    granted = []
    for order, name in enumerate(sorted(fields, key=lambda f: catalog[f].sort_order)):
        item = catalog[name]
        row = SharingRequestItem(request=request, item=item, field=item.field, name=item.name,
                                 sharing_type=item.sharing_type, sort_order=order)
        if item.sharing_type == SharingType.UNCONDITIONAL:
            row.outcome, row.decided_at = Outcome.GRANTED, now
            granted.append(row)
        elif item.sharing_type == SharingType.NONE:
            row.outcome, row.decided_at, row.reason = Outcome.REFUSED, now, item.refusal_basis
        row.save()
    pending = request.items.filter(outcome=Outcome.PENDING).exists()
    if pending:
        request.decision_due_on = workdays.working_days_add(today, settings.EGOV_SHARING_DECISION_DAYS,
                                                            calendar=work_calendar())
        request.save(update_fields=["decision_due_on"])
    SharingRequestEvent.objects.create(request=request, move="submit", status_to=S.PENDING, by=consumer.name[:200])
    audit_record(action="exchange.sharing_request.submit", actor=actor, organization=consumer, obj=request,
                 summary=f"{request.number}: {consumer.name} asks {provider.name} for {resource.code}",
                 changes={"fields": fields, "resource": resource.code,
                          "due_on": request.decision_due_on.isoformat() if pending else None})
    if granted:
        _grant_items(actor=SYSTEM, request=request, rows=granted, valid_until=default_valid_until(today))
    if pending:
        _tell(request=request, organization=provider,
              subject=lambda: _("Sharing request %(number)s to decide by %(day)s") % {
                  "number": request.number, "day": request.decision_due_on.isoformat()},
              body=lambda: _("%(consumer)s asks for %(resource)s (%(code)s). Purpose: %(purpose)s. Decide on the "
                             "items shared on conditions by %(day)s.") % {
                  "consumer": request.consumer.local_name, "resource": request.resource.name,
                  "code": request.resource.code, "purpose": request.purpose,
                  "day": request.decision_due_on.isoformat()})
        if granted or request.items.filter(outcome=Outcome.REFUSED).exists():
            _tell_consumer_of_outcome(request, note=str(_("The items shared on conditions wait for the provider's "
                                                          "decision, due by %(day)s.")
                                                        % {"day": request.decision_due_on.isoformat()}))
        return request
    request = transitions.locked(request, "resource", "provider", "consumer")
    request.decided_at = now
    return _move(request=request, move=_conclusion(request), actor=SYSTEM, by=provider.name, fields=("decided_at",))


@transaction.atomic
def request_decide(*, actor, request: SharingRequest, decisions: dict[str, tuple[str, str]],
                   valid_until: dt.date | None = None, today: dt.date | None = None) -> SharingRequest:
    """The provider decides on every item of ``request`` still waiting (有条件共享).

    Args:
        actor: a data steward or operator of the provider.
        decisions: ``{field: (decision, text)}`` for each waiting item: ``grant`` with the conditions
            of use (optional; the catalog's 共享条件 when empty) or ``refuse`` with the reasons
            (required), ≤ 500 characters.
        valid_until: the last day the grant of the approved items is valid (default: today plus
            ``EGOV_SHARING_GRANT_MONTHS``); after ``today``, at most ``EGOV_SHARING_GRANT_MAX_MONTHS``
            months ahead.

    Returns:
        The request, ended: granted, partly granted (with the items granted at submission
        counted) or refused; the approved items in one new grant.

    Raises:
        NotFound: ``actor`` acts for neither side. PermissionDenied: it acts only for the consumer.
        Conflict: the request is not waiting (decided, withdrawn).
        ValidationFailed: an item without a decision (``field = "item_<field>"``), an unknown
            decision, a refusal without reasons (``field = "reason_<field>"``, ``rule = "required"``),
            a validity date not after today (``field = "valid_until"``, ``rule = "past"``) or more
            than ``EGOV_SHARING_GRANT_MAX_MONTHS`` (default 36) months ahead (``rule = "too_long"``).
    """
    request = transitions.locked(request, "resource", "provider", "consumer")
    require_request_party(actor, request)
    require_sharing_staff(actor, request.provider, side="provider")
    transitions.move_target(machine=REQUEST, obj=request, move="grant")
    today = today or timezone.localdate()
    valid_until = valid_until_check(valid_until or default_valid_until(today), today)
    now = timezone.now()
    approved = []
    for row in request.items.filter(outcome=Outcome.PENDING):
        decision, text = decisions.get(row.field, ("", ""))
        if decision not in ("grant", "refuse"):
            raise ValidationFailed(_("Decide on %(item)s: share it or not.") % {"item": row.name},
                                   extra={"field": f"item_{row.field}", "rule": "required", "item": row.field})
        if decision == "refuse":
            row.reason = text_clean(text, field=f"reason_{row.field}", limit=TEXT_MAX,
                                    required_message=_("Give the reasons for not sharing %(item)s.")
                                    % {"item": row.name})
            row.outcome = Outcome.REFUSED
        else:
            condition = row.item.sharing_condition if row.item is not None else ""
            row.reason = text_clean(text, field=f"reason_{row.field}", limit=TEXT_MAX, required=False) or condition
            row.outcome = Outcome.GRANTED
            approved.append(row)
        row.decided_at = now
        row.save(update_fields=["outcome", "reason", "decided_at"])
    grant = _grant_items(actor=actor, request=request, rows=approved, valid_until=valid_until) if approved else None
    request.decided_at = now
    # The timeline shows the move; the items' outcomes and the grant's validity are on the request's page.
    return _move(request=request, move=_conclusion(request), actor=actor, by=request.provider.name,
                 fields=("decided_at",),
                 changes={"decisions": {field: choice for field, (choice, _text) in decisions.items()},
                          "grant": grant.pk if grant else None,
                          "valid_until": valid_until.isoformat() if grant else None})


@transaction.atomic
def request_withdraw(*, actor, request: SharingRequest) -> SharingRequest:
    """The consumer withdraws a request still waiting for the provider; grants made at submission
    (无条件共享 items) stay. The provider is told.

    Raises:
        NotFound: ``actor`` acts for neither side. PermissionDenied: it acts only for the provider.
        Conflict: not waiting any more.
    """
    request = transitions.locked(request, "resource", "provider", "consumer")
    require_request_party(actor, request)
    require_sharing_staff(actor, request.consumer, side="consumer")
    request.items.filter(outcome=Outcome.PENDING).update(outcome=Outcome.REFUSED,
                                                         reason=str(_("Withdrawn by the consumer")),
                                                         decided_at=timezone.now())
    request = _move(request=request, move="withdraw", actor=actor, by=request.consumer.name)
    _tell(request=request, organization=request.provider,
          subject=lambda: _("Sharing request %(number)s withdrawn") % {"number": request.number},
          body=lambda: _("%(consumer)s withdrew its request for %(resource)s (%(code)s).") % {
              "consumer": request.consumer.local_name, "resource": request.resource.name,
              "code": request.resource.code})
    return request


def _tell_of_overdue(request: SharingRequest) -> None:
    """Tell both sides that the provider's decision on ``request`` is overdue (第十四条: 10 working days)."""
    def subject():
        return _("Sharing request %(number)s: the decision is overdue") % {"number": request.number}

    _tell(request=request, organization=request.provider, subject=subject,
          body=lambda: _("The decision on sharing request %(number)s of %(consumer)s was due by %(day)s. Decide on "
                         "the items shared on conditions now.") % {
              "number": request.number, "consumer": request.consumer.local_name,
              "day": request.decision_due_on.isoformat()})
    _tell(request=request, organization=request.consumer, subject=subject,
          body=lambda: _("%(provider)s has not decided on sharing request %(number)s, due by %(day)s. The "
                         "platform has reminded it.") % {
              "provider": request.provider.local_name, "number": request.number,
              "day": request.decision_due_on.isoformat()})


@transaction.atomic
def requests_remind(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily run: mark the requests whose decision is overdue (once each, audited; the
    provider's and the consumer's data stewards and operators told) and remind the provider once
    when ``EGOV_SHARING_REMIND_DAYS`` working days or fewer are left (default 3).

    Returns:
        ``{"overdue": n, "reminded": n}``.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    calendar = work_calendar()
    counts = {"overdue": 0, "reminded": 0}
    waiting = (SharingRequest.objects.select_for_update(of=("self",)).select_related("resource", "provider", "consumer")
               .filter(status=S.PENDING, decision_due_on__isnull=False))
    for request in waiting.filter(overdue_since__isnull=True, decision_due_on__lt=today):
        request.overdue_since = now
        request.save(update_fields=["overdue_since"])
        audit_record(action="exchange.sharing_request.overdue", organization=request.provider, obj=request,
                     summary=f"{request.number} overdue (due {request.decision_due_on})",
                     changes={"due_on": request.decision_due_on.isoformat()})
        _tell_of_overdue(request)
        counts["overdue"] += 1
    for request in waiting.filter(reminded_on__isnull=True, decision_due_on__gte=today):
        left = workdays.working_days_between(today, request.decision_due_on, calendar=calendar)
        if left > settings.EGOV_SHARING_REMIND_DAYS:
            continue
        request.reminded_on = today
        request.save(update_fields=["reminded_on"])
        _tell(request=request, organization=request.provider,
              subject=lambda request=request: _("Sharing request %(number)s: decide by %(day)s") % {
                  "number": request.number, "day": request.decision_due_on.isoformat()},
              body=lambda request=request, left=left: _(
                  "%(days)d working days are left to decide on sharing request %(number)s of %(consumer)s.") % {
                  "days": left, "number": request.number, "consumer": request.consumer.local_name})
        counts["reminded"] += 1
    return counts
