"""The one transition table of applications (办件状态) and the one way a status changes.

``MOVES`` maps each move to the statuses it may start from and the status it leads to. The
``applying`` (applicant) and ``processing`` (staff) actions call ``application_move``, which locks
the case, refuses a move from any other status with ``Conflict`` naming the status and the move,
changes the status, writes the applicant's timeline line and the audit event and notifies the
applicant (``notifying``), in the caller's transaction.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import audit_record
from egov.core.errors import Conflict
from egov.services.models import Application, ApplicationEvent
from egov.services.models import ApplicationStatus as S
from egov.services.notifying import application_notify

# Statuses before the decision, from which the applicant may withdraw (撤回).
BEFORE_DECISION = frozenset({S.SUBMITTED, S.RECEIVED, S.SUPPLEMENT, S.SUPPLIED, S.ACCEPTED, S.JOINT_REVIEW,
                             S.SPECIAL_PROCEDURE, S.REVIEWED})
# Statuses at which the case waits for a step that a special procedure may interrupt (after 受理).
UNDER_REVIEW = frozenset({S.ACCEPTED, S.JOINT_REVIEW, S.REVIEWED})
ENDED = frozenset({S.NOT_ACCEPTED, S.DELIVERED, S.WITHDRAWN})

# move → (statuses it may start from, status it leads to). ``None`` as the target of
# ``special_procedure_end`` means: back to the status the special procedure interrupted.
MOVES: dict[str, tuple[frozenset, S | None]] = {
    "receive": (frozenset({S.SUBMITTED}), S.RECEIVED),  # 接件
    "accept": (frozenset({S.RECEIVED}), S.ACCEPTED),  # 受理
    "refuse": (frozenset({S.RECEIVED}), S.NOT_ACCEPTED),  # 不予受理
    "request_supplement": (frozenset({S.RECEIVED}), S.SUPPLEMENT),  # 补正告知
    "supplement_upload": (frozenset({S.SUPPLEMENT}), S.SUPPLIED),  # the applicant supplements
    "supplement_receive": (frozenset({S.SUPPLIED}), S.RECEIVED),  # the clerk takes the supplement in
    "review": (frozenset({S.ACCEPTED}), S.REVIEWED),  # 审查, no joint review
    "review_joint": (frozenset({S.ACCEPTED}), S.JOINT_REVIEW),  # 审查, joint review asked
    "joint_opinion": (frozenset({S.JOINT_REVIEW}), S.JOINT_REVIEW),  # one organization answers
    "joint_review_complete": (frozenset({S.JOINT_REVIEW}), S.REVIEWED),  # the last one answers
    "special_procedure_start": (UNDER_REVIEW, S.SPECIAL_PROCEDURE),  # 特别程序 (§45)
    "special_procedure_end": (frozenset({S.SPECIAL_PROCEDURE}), None),
    "approve": (frozenset({S.REVIEWED}), S.APPROVED),  # 准予许可
    "deny": (frozenset({S.REVIEWED}), S.DENIED),  # 不予许可
    "conclude": (frozenset({S.APPROVED, S.DENIED}), S.CONCLUDED),  # 办结
    "deliver": (frozenset({S.CONCLUDED}), S.DELIVERED),  # 送达
    "withdraw": (BEFORE_DECISION, S.WITHDRAWN),  # 撤回
}

MOVE_LABELS = {
    "submit": gettext_lazy("Application submitted"),
    "receive": gettext_lazy("Application received"),
    "accept": gettext_lazy("Application accepted"),
    "refuse": gettext_lazy("Application not accepted"),
    "request_supplement": gettext_lazy("Supplementary materials requested"),
    "supplement_upload": gettext_lazy("Supplementary materials submitted"),
    "supplement_receive": gettext_lazy("Supplementary materials taken in"),
    "review": gettext_lazy("Review completed"),
    "review_joint": gettext_lazy("Review completed; joint review by other organizations"),
    "joint_opinion": gettext_lazy("Joint review opinion given"),
    "joint_review_complete": gettext_lazy("Joint review completed"),
    "special_procedure_start": gettext_lazy("Special procedure started (time not counted)"),
    "special_procedure_end": gettext_lazy("Special procedure ended"),
    "approve": gettext_lazy("Decision: approved"),
    "deny": gettext_lazy("Decision: denied"),
    "conclude": gettext_lazy("Case concluded"),
    "deliver": gettext_lazy("Result delivered"),
    "withdraw": gettext_lazy("Application withdrawn"),
}


def move_target(application: Application, move: str) -> S:
    """The status ``move`` leads ``application`` to.

    Raises:
        Conflict: the move is not allowed from the case's status; ``extra = {"state", "move"}``, with
            ``rule = "done"`` when the case already is where the move leads (a repeated step).
    """
    allowed, target = MOVES[move]
    if application.status not in allowed and target is not None and application.status == target:
        # A double click, or two staff on one step: it has been done, say so plainly.
        raise Conflict(_("This step has been done already: the case is %(state)s.")
                       % {"state": application.get_status_display()},
                       extra={"state": application.status, "move": move, "rule": "done"})
    if application.status not in allowed:
        raise Conflict(
            _("The case is %(state)s; “%(move)s” is not possible at this stage.")
            % {"state": application.get_status_display(), "move": MOVE_LABELS[move]},
            extra={"state": application.status, "move": move},
        )
    if target is None:
        return S(application.special_resume_status)
    return target


def application_locked(application: Application) -> Application:
    """The case's row again, locked until the transaction ends (moves on one case run one at a time)."""
    return Application.objects.select_for_update().get(pk=application.pk)


def application_move(
    *, application: Application, move: str, actor, by: str, organization=None, note: str = "",
    note_key: str = "", note_args: dict[str, Any] | None = None, changes: dict[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> Application:
    """Apply ``move`` to the (locked) ``application``: status, timeline line, audit event.

    Args:
        application: the case as returned by ``application_locked`` in this transaction.
        actor: the user acting (audited), or None for the platform.
        by: who acted as the applicant reads it (the applicant's name or the organization's).
        organization: the organization on whose behalf a staff member acted (audited).
        note: what the applicant is told on the timeline in someone's own words (reasons, what to
            supplement).
        note_key, note_args: instead of ``note``, a note of the platform's (``TIMELINE_NOTES``),
            worded in the reader's language when shown.
        changes: more to record in the audit event.
        fields: other fields of the application the caller changed, saved with the status.

    Raises:
        Conflict: as ``move_target``.
    """
    target = move_target(application, move)
    before = application.status
    if move == "special_procedure_start":
        application.special_resume_status = before
    elif move == "special_procedure_end":
        application.special_resume_status = ""
    application.status = target
    application.save(update_fields=["status", "special_resume_status", *fields])
    if application.process_id:
        application.process.refresh_from_db()  # the workflow actions changed their own copy
    event = ApplicationEvent.objects.create(application=application, move=move, status_from=before,
                                            status_to=target, by=by[:200], note=note, note_key=note_key,
                                            note_args=note_args or {})
    audit_record(action=f"services.application.{move}", actor=actor, organization=organization, obj=application,
                 summary=f"{application.number} {move}: {before} → {target}",
                 changes={"status": [before, target], **(changes or {})})
    if target != before:
        application_notify(application=application, move_label=MOVE_LABELS[move], note=event.note_text)
    return application
