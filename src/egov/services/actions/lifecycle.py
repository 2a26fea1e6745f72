"""The one transition table of applications (办件状态) and the one way a status changes.

``MOVES`` maps each move to the statuses it may start from and the status it leads to
(``APPLICATION``, a ``facilities.transitions.Machine``). The ``applying`` (applicant) and
``processing`` (staff) actions call ``application_move`` on the locked case, which refuses a move
from any other status with ``Conflict`` naming the status and the move, changes the status, writes
the applicant's timeline line and the audit event and notifies the applicant (``notifying``), in the
caller's transaction, and drops the case's cached tracking answers once that commits.
"""

from typing import Any

from django.utils.translation import gettext_lazy

from egov.facilities import readcache, transitions
from egov.facilities.transitions import Machine
from egov.services.actions.notifying import application_notify
from egov.services.models import Application, ApplicationEvent
from egov.services.models import ApplicationStatus as S

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
    # the clerk's decision on an applicant on a black list (``sanctions``), before 受理 or 不予受理
    "credit_decision": (frozenset({S.RECEIVED}), S.RECEIVED),
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
    "credit_decision": gettext_lazy("Joint credit check: decision on the listing"),
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


APPLICATION = Machine(
    kind="services.application", moves=MOVES, labels=MOVE_LABELS,
    refused=gettext_lazy("The case is %(state)s; “%(move)s” is not possible at this stage."),
    done=gettext_lazy("This step has been done already: the case is %(state)s."),
    resume_field="special_resume_status", pausing=frozenset({"special_procedure_start"}),
)


def move_target(application: Application, move: str) -> S:
    """The status ``move`` leads ``application`` to (``facilities.transitions.move_target``).

    Raises:
        Conflict: the move is not allowed from the case's status; ``extra = {"state", "move"}``, with
            ``rule = "done"`` when the case already is where the move leads (a repeated step).
    """
    return S(transitions.move_target(machine=APPLICATION, obj=application, move=move))


def application_locked(application: Application) -> Application:
    """The case's row again, locked until the transaction ends (moves on one case run one at a time)."""
    return transitions.locked(application)


def application_move(
    *, application: Application, move: str, actor, by: str, organization=None, note: str = "",
    note_key: str = "", note_args: dict[str, Any] | None = None, changes: dict[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> Application:
    """Apply ``move`` to the (locked) ``application``: status, timeline line, audit event, and a
    notification of the applicant when the status changed (``facilities.transitions.transition_apply``).

    Args:
        application: the case as returned by ``application_locked`` in this transaction.
        actor: the user acting (audited), or the platform (``egov.core.actors.SYSTEM``).
        by: who acted as the applicant reads it (the applicant's name or the organization's).
        organization: the organization on whose behalf a staff member acted (audited; the timeline
            names it in the reader's language).
        note: what the applicant is told on the timeline in someone's own words (reasons, what to
            supplement).
        note_key, note_args: instead of ``note``, a note of the platform's (``TIMELINE_NOTES``),
            worded in the reader's language when shown.
        changes: more to record in the audit event.
        fields: other fields of the application the caller changed, saved with the status.

    Raises:
        Conflict: as ``move_target``.
    """
    if application.process_id:
        application.process.refresh_from_db()  # the workflow actions changed their own copy

    def timeline(before, target) -> ApplicationEvent:
        return ApplicationEvent.objects.create(application=application, move=move, status_from=before,
                                               status_to=target, by=by[:200], organization=organization, note=note,
                                               note_key=note_key, note_args=note_args or {})

    def notify(before, target, event: ApplicationEvent) -> None:
        if target != before:
            application_notify(application=application, move_label=MOVE_LABELS[move], note=event.note_text)

    moved = transitions.transition_apply(machine=APPLICATION, obj=application, move=move, actor=actor,
                                         organization=organization, label=application.number, changes=changes,
                                         fields=fields, timeline=timeline, notify=notify)
    application_track_changed(application.number)
    return moved


def track_scope(number: str) -> str:
    """The cache stamp's key of what tracking (``publication.application_track``) shows of case
    ``number`` (``facilities.readcache``)."""
    return readcache.cache_key("track-stamp", number)


def application_track_changed(number: str) -> None:
    """What tracking shows of case ``number`` changed (status, timeline, dates, deadline, rating):
    its cached answers stop being served once the caller's transaction commits, in every process
    sharing the cache. ``application_move`` calls it; a write that changes a case otherwise must too."""
    readcache.scope_changed(track_scope(number))
