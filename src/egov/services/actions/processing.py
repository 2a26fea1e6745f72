"""Writes of staff on cases (内网办理): one action per step, each moving the workflow task and the
application status together.

Every action: checks that the actor works on the case (others get ``NotFound``) and holds the
step's role (``PermissionDenied``), locks the case, refuses a move the status does not allow
(``Conflict`` naming the status), claims and completes the step's workflow task (audited by the
workflow), then moves the status with its timeline line and audit event (``lifecycle``). Completing
the ``accept`` task with ``accept_decision=accept`` is ``application_accept``, and so on: these are
the only way to do a case's steps (the workflow's generic task page sends staff to the case page).
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.errors import Conflict, ValidationFailed
from egov.core.i18n import series
from egov.core.text import text_clean
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.services import sanctions
from egov.services.actions.licensing import licence_issue
from egov.services.actions.lifecycle import application_locked, application_move, move_target
from egov.services.models import Application, Material, SupplementRequest
from egov.services.models import ApplicationStatus as S
from egov.services.models.applications import Decision
from egov.services.permissions import require_case_role, require_case_staff
from egov.services.steps import CASE_STEPS, TaskAnswer, task_answer_for, task_answer_of
from egov.workflow.actions import (
    instance_clock_pause,
    instance_clock_resume,
    instance_deadline_set,
    task_claim,
    task_complete,
)
from egov.workflow.models import ClockPause, WorkTask
from egov.workflow.selectors import instance_active_tasks, instance_task_at, working_days_add

TEXT_MAX = 2000
SPECIAL_PROCEDURES = [ClockPause.Reason.HEARING, ClockPause.Reason.INSPECTION, ClockPause.Reason.APPRAISAL,
                      ClockPause.Reason.EXPERT_REVIEW]


def _text(value: str, field: str, *, required: bool) -> str:
    return text_clean(value, field=field, limit=TEXT_MAX, required=required, required_message=_("Give the reasons."))


def _begin(actor, application: Application, move: str, roles) -> Application:
    """Authorize (case, then role in the implementing organization), lock, check the move."""
    require_case_staff(actor, application)
    require_case_role(actor, application.organization, roles)
    application = application_locked(application)
    move_target(application, move)
    return application


def _complete(actor, application: Application, answer: TaskAnswer, data: dict, task: WorkTask | None = None
              ) -> WorkTask:
    """Claim (when open) and complete the case's active workflow task at ``answer.bpmn_id`` with
    ``answer.answer`` and ``data`` (the one table of ``steps``)."""
    task = task or instance_task_at(instance=application.process, bpmn_id=answer.bpmn_id)
    if task.status == WorkTask.Status.OPEN:
        task = task_claim(actor=actor, task=task)
    return task_complete(actor=actor, task=task, data={**answer.answer, **data})


def _org(application: Application) -> str:
    return application.organization.name


@transaction.atomic
def application_receive(*, actor, application: Application) -> Application:
    """接件: a clerk of the implementing organization takes the application in.

    Raises:
        NotFound: the actor does not work on the case. PermissionDenied: not a clerk there.
        Conflict: the case is not waiting for 接件.
    """
    application = _begin(actor, application, "receive", [Role.CLERK])
    _complete(actor, application, task_answer_for("receive"), {})
    return application_move(application=application, move="receive", actor=actor, by=_org(application),
                            organization=application.organization)


def _listed(actor, application: Application) -> list[sanctions.Membership]:
    """The applicant's black-list memberships now (``sanctions.intake_check``, audited; none without a
    provider)."""
    check = sanctions.intake_check(actor=actor, application=application)
    return check.black if check is not None else []


def _credit_decision(actor, application: Application, listed: list[sanctions.Membership], *, accept: bool,
                     reasons: str = "") -> None:
    """The clerk's decision on the applicant's black-list memberships, as a line of the case's timeline
    (a move that keeps the status: ``credit_decision``, audited with the memberships and the decision)."""
    lists = [{"name": m.list_name, "name_en": m.list_name_en, "provider": m.provider, "provider_en": m.provider_en,
              "document": m.decision_document} for m in listed]
    application_move(application=application, move="credit_decision", actor=actor, by=_org(application),
                     organization=application.organization,
                     note_key="credit_accept" if accept else "credit_refuse",
                     note_args={"lists": lists, "reasons": reasons} if accept else {"lists": lists},
                     changes={"decision": "accept" if accept else "refuse",
                              "memberships": [m.number for m in listed]})


@transaction.atomic
def application_accept(*, actor, application: Application, opinion: str = "", credit_reasons: str = ""
                       ) -> Application:
    """受理: the case is accepted today; its deadline is ``limit_days`` working days later (行政许可法
    §42; the item's 承诺时限), moved later by the working days of any pause after today.

    The applicant is checked against the credit lists first (``sanctions.intake_check``, audited with
    the 办件编号 as purpose): an applicant on a black list is accepted only with the clerk's reasons
    (``credit_reasons``), recorded on the timeline before the acceptance (``credit_decision``).

    Raises:
        NotFound, PermissionDenied: as ``application_receive`` (clerk).
        ValidationFailed: the applicant is on a black list and no ``credit_reasons`` are given
            (``{"field": "credit_reasons", "rule": "required", "memberships": [record numbers]}``).
        Conflict: the case is not at 受理 (e.g. still to be received, or waiting for a 补正).
    """
    application = _begin(actor, application, "accept", [Role.CLERK])
    opinion = _text(opinion, "opinion", required=False)
    listed = _listed(actor, application)
    if listed:
        if not _text(credit_reasons, "credit_reasons", required=False):  # "\u200b" is no reason: empty
            raise ValidationFailed(
                _("The applicant is on %(lists)s: give the reasons for accepting the application despite the "
                  "listing, or do not accept it under the listing's measures.")
                % {"lists": series(m.local_list_name for m in listed)},
                extra={"field": "credit_reasons", "rule": "required", "memberships": [m.number for m in listed]})
        _credit_decision(actor, application, listed, accept=True,
                         reasons=_text(credit_reasons, "credit_reasons", required=True))
    _complete(actor, application, task_answer_for("accept"), {"opinion": opinion})
    application.accepted_on = timezone.localdate()
    due = working_days_add(start=application.accepted_on, days=application.limit_days)
    instance_deadline_set(actor=actor, instance=application.process, due_date=due)
    return application_move(application=application, move="accept", actor=actor, by=_org(application),
                            organization=application.organization, fields=("accepted_on",),
                            note_key="due_by", note_args={"date": due.isoformat()},
                            changes={"accepted_on": application.accepted_on.isoformat(), "due_date": due.isoformat()})


@transaction.atomic
def application_refuse(*, actor, application: Application, reasons: str, under_measure: bool = False
                       ) -> Application:
    """不予受理 with reasons (行政许可法 §32); the case ends.

    ``under_measure``: the refusal applies the measures of the applicant's black-list memberships (checked
    again now, ``sanctions.intake_check``); the decision is recorded on the timeline before the refusal
    (``credit_decision``).

    Raises:
        NotFound, PermissionDenied: as ``application_receive`` (clerk).
        ValidationFailed: no reasons (``reasons``); ``under_measure`` while the applicant is on no black
            list (``{"field": "under_measure", "rule": "not_listed"}``).
        Conflict: the case is not at 受理.
    """
    application = _begin(actor, application, "refuse", [Role.CLERK])
    application.reasons = _text(reasons, "reasons", required=True)
    if under_measure:
        listed = _listed(actor, application)
        if not listed:
            raise ValidationFailed(_("The applicant is on no black list now: give the reasons of the refusal "
                                     "without a listing's measures."),
                                   extra={"field": "under_measure", "rule": "not_listed"})
        _credit_decision(actor, application, listed, accept=False)
    _complete(actor, application, task_answer_for("refuse"), {"opinion": application.reasons})
    return application_move(application=application, move="refuse", actor=actor, by=_org(application),
                            organization=application.organization, note=application.reasons, fields=("reasons",))


def application_credit_decide(*, actor, application: Application, decision: str, reasons: str) -> Application:
    """The clerk's decision at 受理 on an applicant on a black list (the case page's one form for it):
    ``accept`` with the reasons for accepting despite the listing (``application_accept`` with
    ``credit_reasons``), or ``refuse``: not accepted under the listing's measures, the reasons told to the
    applicant (``application_refuse`` with ``under_measure``).

    Raises:
        ValidationFailed: ``decision`` is neither (``{"field": "decision", "rule": "choice"}``); as the action
            chosen.
        NotFound, PermissionDenied, Conflict: as the action chosen.
    """
    if decision == "accept":
        if not (reasons or "").strip():
            raise ValidationFailed(_("Give the reasons."), extra={"field": "reasons", "rule": "required"})
        return application_accept(actor=actor, application=application, credit_reasons=reasons)
    if decision == "refuse":
        return application_refuse(actor=actor, application=application, reasons=reasons, under_measure=True)
    raise ValidationFailed(_("Choose whether to accept the application or not."),
                           extra={"field": "decision", "rule": "choice", "options": ["accept", "refuse"]})


@transaction.atomic
def application_supplement_request(*, actor, application: Application, materials: list[Material], note: str
                                   ) -> SupplementRequest:
    """补正: tell the applicant once, with a list, which materials to hand in again (行政许可法 §32
    一次告知); the case clock stops until the applicant uploads them.

    Args:
        materials: materials of the case's item (at least one).
        note: what is wrong or missing, for the applicant.

    Raises:
        NotFound, PermissionDenied: as ``application_receive`` (clerk).
        ValidationFailed: no materials, a material of another item (``materials``), no note (``note``).
        Conflict: the case is not at 受理, or a supplement was requested before (``rule = "once"``).
    """
    application = _begin(actor, application, "request_supplement", [Role.CLERK])
    if SupplementRequest.objects.filter(application=application).exists():
        raise Conflict(_("Supplementary materials can be requested only once."),
                       extra={"state": application.status, "move": "request_supplement", "rule": "once"})
    materials = list(materials)
    if not materials or any(m.item_id != application.item_id for m in materials):
        raise ValidationFailed(_("Choose the materials to hand in again, among this item's materials."),
                               extra={"field": "materials", "rule": "required"})
    note = _text(note, "note", required=True)
    _complete(actor, application, task_answer_for("request_supplement"), {"opinion": note})
    request = SupplementRequest.objects.create(application=application, note=note)
    request.materials.set(materials)
    application_move(application=application, move="request_supplement", actor=actor, by=_org(application),
                     organization=application.organization, note_key="supplement",
                     note_args={"materials": [m.pk for m in materials], "note": note},
                     changes={"materials": [m.pk for m in materials]})
    return request


@transaction.atomic
def application_supplement_receive(*, actor, application: Application) -> Application:
    """A clerk takes the supplementary materials in; the case is back at 受理.

    Raises:
        NotFound, PermissionDenied: as ``application_receive`` (clerk).
        Conflict: the applicant has not supplemented yet.
    """
    application = _begin(actor, application, "supplement_receive", [Role.CLERK])
    _complete(actor, application, task_answer_for("supplement_receive"), {})
    return application_move(application=application, move="supplement_receive", actor=actor, by=_org(application),
                            organization=application.organization)


@transaction.atomic
def application_review(*, actor, application: Application, joint_reviewers: list[Organization] = (),
                       opinion: str = "") -> Application:
    """审查: a reviewer of the implementing organization reviews, and may ask other organizations to
    review in parallel (并联审查); with none, the case goes to the decision.

    Raises:
        NotFound, PermissionDenied: as ``application_receive`` (reviewer).
        ValidationFailed: the implementing organization among the joint reviewers, or an organization
            named twice or inactive (``joint_reviewers``).
        Conflict: the case is not under review.
    """
    move = "review_joint" if joint_reviewers else "review"
    application = _begin(actor, application, move, [Role.REVIEWER])
    if any(org.pk == application.organization_id for org in joint_reviewers):
        raise ValidationFailed(_("The implementing organization reviews the case itself; choose other "
                                 "organizations for the joint review."),
                               extra={"field": "joint_reviewers", "rule": "owner"})
    opinion = _text(opinion, "opinion", required=False)
    _complete(actor, application, task_answer_for("review"), {"joint_reviewers": [org.pk for org in joint_reviewers],
                                             "opinion": opinion})
    ids = [org.pk for org in joint_reviewers]
    return application_move(application=application, move=move, actor=actor, by=_org(application),
                            organization=application.organization,
                            note_key="joint_review" if ids else "", note_args={"organizations": ids} if ids else None,
                            changes={"joint_reviewers": ids})


@transaction.atomic
def application_joint_opinion(*, actor, application: Application, agree: bool, opinion: str = "") -> Application:
    """并联审查: a reviewer of one of the consulted organizations gives its opinion; when the last
    one has answered, the case goes to the decision.

    Raises:
        NotFound: the actor does not work on the case.
        Conflict: the case is not in joint review.
        PermissionDenied: the actor is not a reviewer of an organization whose opinion is awaited.
        ValidationFailed: disagreeing without reasons (``opinion``).
    """
    require_case_staff(actor, application)
    application = application_locked(application)
    move_target(application, "joint_opinion")
    waiting = [t for t in instance_active_tasks(instance=application.process) if t.bpmn_id == "joint_review"]
    task = next((t for t in waiting if t.candidate_organization.memberships.filter(user=actor).exists()), None)
    if task is None:
        raise Conflict(_("No opinion of your organization is awaited on this case."),
                       extra={"state": application.status, "move": "joint_opinion"})
    opinion = _text(opinion, "opinion", required=not agree)
    _complete(actor, application, task_answer_for("joint_opinion", agree=agree), {"opinion": opinion}, task=task)
    last = len(waiting) == 1
    return application_move(application=application, move="joint_review_complete" if last else "joint_opinion",
                            actor=actor, by=task.candidate_organization.name,
                            organization=task.candidate_organization,
                            changes={"agree": agree, "reviewer": task.candidate_organization_id})


@transaction.atomic
def application_special_procedure_start(*, actor, application: Application, kind: str, reason: str
                                        ) -> Application:
    """Start a special procedure (听证, 检验, 鉴定, 专家评审): its time is not counted in the case's
    time limit (行政许可法 §45); the case's steps wait until it ends.

    Args:
        kind: one of ``SPECIAL_PROCEDURES`` (``ClockPause.Reason`` values).
        reason: why, for the applicant (行政机关应当将所需时间书面告知申请人).

    Raises:
        NotFound, PermissionDenied: as ``application_receive`` (reviewer or approver).
        ValidationFailed: an unknown ``kind``, or no ``reason``.
        Conflict: the case is not under review or awaiting its decision.
    """
    application = _begin(actor, application, "special_procedure_start", [Role.REVIEWER, Role.APPROVER])
    if kind not in SPECIAL_PROCEDURES:
        raise ValidationFailed(_("Choose a special procedure: hearing, inspection, appraisal or expert review."),
                               extra={"field": "kind", "rule": "choice", "options": list(SPECIAL_PROCEDURES)})
    reason = _text(reason, "reason", required=True)
    instance_clock_pause(actor=actor, instance=application.process, reason=kind)
    return application_move(application=application, move="special_procedure_start", actor=actor,
                            by=_org(application), organization=application.organization,
                            note_key="special_procedure", note_args={"procedure": kind, "reason": reason},
                            changes={"kind": kind})


@transaction.atomic
def application_special_procedure_end(*, actor, application: Application) -> Application:
    """End the special procedure: the clock restarts and the deadline moves later by its working days.

    Raises:
        NotFound, PermissionDenied: as ``application_special_procedure_start``.
        Conflict: no special procedure is under way.
    """
    application = _begin(actor, application, "special_procedure_end", [Role.REVIEWER, Role.APPROVER])
    pause = instance_clock_resume(actor=actor, instance=application.process)
    due = pause.instance.due_date
    return application_move(application=application, move="special_procedure_end", actor=actor,
                            by=_org(application), organization=application.organization,
                            note_key="not_counted",
                            note_args={"days": pause.working_days, "date": due.isoformat() if due else "—"},
                            changes={"working_days": pause.working_days})


@transaction.atomic
def application_decide(*, actor, application: Application, approve: bool, reasons: str = "") -> Application:
    """决定: an approver grants (准予许可) or denies (不予许可, reasons required, 行政许可法 §38).

    Raises:
        NotFound, PermissionDenied: as ``application_receive`` (approver).
        ValidationFailed: denying without reasons (``reasons``).
        Conflict: the case is not awaiting its decision (e.g. not yet accepted: the message names
            the status).
    """
    move = "approve" if approve else "deny"
    application = _begin(actor, application, move, [Role.APPROVER])
    application.reasons = _text(reasons, "reasons", required=not approve)
    _complete(actor, application, task_answer_for("decide", approve=approve), {"opinion": application.reasons})
    application.decided_at = timezone.now()
    application.decision = Decision.APPROVED if approve else Decision.DENIED
    return application_move(application=application, move=move, actor=actor, by=_org(application),
                            organization=application.organization, note=application.reasons,
                            fields=("reasons", "decided_at", "decision"))


@transaction.atomic
def application_conclude(*, actor, application: Application) -> Application:
    """办结: a clerk closes the decided case; an approved case of an item that issues a licence gets
    its e-licence, sealed by the organization (``licensing.licence_issue``), in the same transaction.

    Raises:
        NotFound, PermissionDenied: as ``application_receive`` (clerk). Conflict: not decided, or
        the licence cannot be sealed (no seal, seal certificate revoked or expired).
    """
    application = _begin(actor, application, "conclude", [Role.CLERK])
    _complete(actor, application, task_answer_for("conclude"), {})
    application.concluded_at = timezone.now()
    if application.decision == Decision.APPROVED and application.item.issues_licence:
        licence_issue(actor=actor, application=application)
    return application_move(application=application, move="conclude", actor=actor, by=_org(application),
                            organization=application.organization, fields=("concluded_at",))


@transaction.atomic
def application_deliver(*, actor, application: Application) -> Application:
    """送达: a clerk records that the decision reached the applicant; the case ends.

    Raises:
        NotFound, PermissionDenied: as ``application_receive`` (clerk). Conflict: not concluded.
    """
    application = _begin(actor, application, "deliver", [Role.CLERK])
    _complete(actor, application, task_answer_for("deliver"), {})
    application.delivered_at = timezone.now()
    return application_move(application=application, move="deliver", actor=actor, by=_org(application),
                            organization=application.organization, fields=("delivered_at",))


@transaction.atomic
def applications_mark_overdue(*, today: date | None = None) -> int:
    """Mark accepted cases whose deadline passed (due date before ``today``) and whose clock runs;
    each is audited once. Returns how many were marked (run hourly by Celery beat)."""
    today = today or timezone.localdate()
    now = timezone.now()
    cases = Application.objects.select_for_update(of=("self",)).filter(
        status__in=[S.ACCEPTED, S.JOINT_REVIEW, S.REVIEWED], overdue_since__isnull=True,
        process__due_date__lt=today, process__paused_since__isnull=True,
    ).select_related("process", "organization")
    marked = 0
    for application in cases:
        application.overdue_since = now
        application.save(update_fields=["overdue_since"])
        audit_record(action="services.application.overdue", organization=application.organization,
                     obj=application, summary=f"{application.number} overdue (due {application.process.due_date})",
                     changes={"due_date": application.process.due_date.isoformat()})
        marked += 1
    return marked


# staff step (``steps.CASE_STEPS``) → the action that carries it out; each takes ``actor``,
# ``application`` and the step's own keyword arguments (the cleaned data of its form on the case page).
CASE_ACTIONS = {
    "receive": application_receive,
    "accept": application_accept,
    "request_supplement": application_supplement_request,
    "refuse": application_refuse,
    "credit_decide": application_credit_decide,
    "supplement_receive": application_supplement_receive,
    "review": application_review,
    "joint_opinion": application_joint_opinion,
    "special_procedure_start": application_special_procedure_start,
    "special_procedure_end": application_special_procedure_end,
    "decide": application_decide,
    "conclude": application_conclude,
    "deliver": application_deliver,
}


def case_step_take(*, actor, application: Application, step: str, args: dict[str, Any]):
    """Take staff ``step`` (a key of ``steps.CASE_STEPS``) on ``application`` with the action's
    keyword ``args``; returns what the action returns (the case, or the ``SupplementRequest``).

    Raises:
        as the step's action (NotFound, PermissionDenied, Conflict, ValidationFailed).
    """
    return CASE_ACTIONS[step](actor=actor, application=application, **args)


def _answer_ids(data: dict[str, Any], name: str) -> list[int]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationFailed(_("A list of ids is expected."), extra={"field": f"data.{name}", "rule": "ids"})
    if len(set(value)) != len(value):
        raise ValidationFailed(_("Each id must be named once."), extra={"field": f"data.{name}", "rule": "ids"})
    return value


def case_task_complete(*, actor, application: Application, task: WorkTask, data: dict[str, Any]):
    """Complete ``task`` of ``application``'s process with the answer ``data`` by the case's own
    action (the generic task API and task page): ``steps.task_answer_of`` reads which step the
    answer means, its free-text ``opinion`` becomes the step's text argument (opinion, reasons or
    note), ``materials`` (material ids, for 补正) and ``joint_reviewers`` (organization ids) are
    looked up.

    Raises:
        ValidationFailed: an answer that is none of the step's (``rule = "choice"``), a step that is
            not a case's (``rule = "unknown"``), text that is not text, ids that are not a list of
            distinct ids or name no material of the item / no active organization.
        NotFound, PermissionDenied, Conflict: as the step's action.
    """
    row = task_answer_of(task.bpmn_id, data)
    step = CASE_STEPS[row.step]
    args: dict[str, Any] = dict(row.args)
    text = data.get("opinion", "")
    if not isinstance(text, str):
        raise ValidationFailed(_("Text is expected."), extra={"field": "data.opinion", "rule": "type"})
    if step.text:
        args[step.text] = text
    if row.step == "accept" and "credit_reasons" in data:  # an applicant on a black list (``sanctions``)
        if not isinstance(data["credit_reasons"], str):
            raise ValidationFailed(_("Text is expected."), extra={"field": "data.credit_reasons", "rule": "type"})
        args["credit_reasons"] = data["credit_reasons"]
    if row.step == "request_supplement":
        ids = _answer_ids(data, "materials")
        args["materials"] = list(Material.objects.filter(pk__in=ids, item_id=application.item_id))
        if len(args["materials"]) != len(ids):
            raise ValidationFailed(_("Choose the materials to hand in again, among this item's materials."),
                                   extra={"field": "data.materials", "rule": "choice"})
    if row.step == "review":
        ids = _answer_ids(data, "joint_reviewers")
        args["joint_reviewers"] = list(Organization.objects.filter(pk__in=ids, is_active=True).order_by("path"))
        if len(args["joint_reviewers"]) != len(ids):
            raise ValidationFailed(_("Each organization must exist, be active and be named once."),
                                   extra={"field": "data.joint_reviewers", "rule": "organization_ids"})
    return case_step_take(actor=actor, application=application, step=row.step, args=args)
