"""好差评 (国办发〔2019〕51号): the applicant rates a concluded case on five levels; a 差评 (不满意,
非常不满意) opens a rectification for the organization: it calls the applicant back (回访核实),
rectifies and replies by a deadline; an organization that holds a rating malicious asks for a
review (申诉复核) by the organization above it, which may exclude the rating from the statistics.

The rectification's status changes only through ``MOVES`` (one table). Every action is atomic,
checks permission (deny by default) and is audited; the applicant is told of the reply and of the
review's outcome (``notifying``).
"""


from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import audit_record
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.core.text import text_clean
from egov.facilities import transitions
from egov.facilities.notifications import in_both_languages, notification_send
from egov.facilities.transitions import Machine
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role
from egov.services.actions.lifecycle import application_track_changed
from egov.services.models import Application, Rating, Rectification
from egov.services.models import ApplicationStatus as S
from egov.services.permissions import can_review_appeal, require_applicant
from egov.workflow.selectors import working_days_add

R = Rectification.Status
# 51号文: a 差评 that cannot be put right at once is rectified within 15 working days.
RECTIFY_WORKING_DAYS = 15
COMMENT_MAX = 1000
RATEABLE = frozenset({S.CONCLUDED, S.DELIVERED})

# move → (statuses it may start from, status it leads to); None: back to the status before the appeal.
MOVES: dict[str, tuple[frozenset, R | None]] = {
    "call_back": (frozenset({R.OPEN, R.CALLED_BACK}), R.CALLED_BACK),  # 回访核实 (may be recorded again)
    "reply": (frozenset({R.CALLED_BACK}), R.REPLIED),  # 整改答复: after a call-back
    "appeal": (frozenset({R.OPEN, R.CALLED_BACK}), R.APPEALED),  # 申诉复核
    "appeal_uphold": (frozenset({R.APPEALED}), R.EXCLUDED),  # malicious: excluded
    "appeal_reject": (frozenset({R.APPEALED}), None),  # not malicious: rectify after all
}


def _text(value: str, field: str, *, required: bool, limit: int = COMMENT_MAX) -> str:
    return text_clean(value, field=field, limit=limit, required=required)


def _tell(rating: Rating, subject: Callable[[], str], body: str) -> None:
    """Tell the rater: ``subject()`` words the subject in the active language (called in the platform's
    language and in English, ``in_both_languages``); ``body`` is the staff's typed text."""
    notification_send(recipient=rating.rated_by, link_name="services:application",
                      link_args=[rating.application.number], **in_both_languages(lambda: (subject(), body)))


@transaction.atomic
def rating_submit(*, actor, application: Application, level: int, comment: str = "") -> Rating:
    """The applicant rates a concluded case once (评价), 5 非常满意 … 1 非常不满意.

    A 差评 opens a ``Rectification`` due ``RECTIFY_WORKING_DAYS`` working days after today.

    Raises:
        NotFound: the actor is not the case's applicant.
        Conflict: the case is not concluded (``rule = "not_concluded"``) or was rated before (``rule = "rated"``).
        ValidationFailed: a level outside 1–5 (``level``); a 差评 without a comment, or a comment
            over 1000 characters (``comment``).
    """
    require_applicant(actor, application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in RATEABLE:
        raise Conflict(_("A case can be rated once it is concluded."),
                       extra={"state": application.status, "rule": "not_concluded"})
    if Rating.objects.filter(application=application).exists():
        raise Conflict(_("This case has been rated already."), extra={"rule": "rated"})
    if level not in Rating.Level.values:
        raise ValidationFailed(_("Choose a rating from 1 to 5."), extra={"field": "level", "rule": "choice"})
    negative = level <= Rating.Level.DISSATISFIED
    comment = _text(comment, "comment", required=negative)
    rating = Rating.objects.create(application=application, item=application.item,
                                   organization=application.organization, level=level, comment=comment,
                                   rated_by=actor)
    changes = {"level": level}
    if negative:
        due = working_days_add(start=timezone.localdate(), days=RECTIFY_WORKING_DAYS)
        Rectification.objects.create(rating=rating, organization=application.organization, due_on=due)
        changes["rectify_by"] = due.isoformat()
    audit_record(action="services.rating.submit", actor=actor, organization=application.organization, obj=rating,
                 summary=f"{application.number} rated {level}", changes=changes)
    application_track_changed(application.number)
    return rating


def _begin(actor, rectification: Rectification, move: str, roles) -> Rectification:
    if not any(has_role(actor, rectification.organization, role) for role in roles):
        raise PermissionDenied(_("This step needs the role %(roles)s in %(organization)s.")
                               % {"roles": " / ".join(str(r.label) for r in roles),
                                  "organization": rectification.organization},
                               extra={"roles": [str(r) for r in roles]})
    return _check(transitions.locked(rectification, "rating__application"), move)


RECTIFICATION = Machine(
    kind="services.rectification", moves=MOVES,
    refused=gettext_lazy("The rectification is %(state)s; this step is not possible now."),
    resume_field="appeal_resume_status", pausing=frozenset({"appeal"}),
)


def _check(rectification: Rectification, move: str) -> Rectification:
    transitions.move_target(machine=RECTIFICATION, obj=rectification, move=move)
    return rectification


def _move(actor, rectification: Rectification, move: str, fields: tuple[str, ...], changes: dict) -> Rectification:
    return transitions.transition_apply(
        machine=RECTIFICATION, obj=rectification, move=move, actor=actor, organization=rectification.organization,
        label=f"{rectification.rating.application.number} 差评", changes=changes, fields=fields)


@transaction.atomic
def rectification_call_back(*, actor, rectification: Rectification, note: str) -> Rectification:
    """Record the call-back to the applicant (回访记录): what was found and agreed.

    Raises:
        PermissionDenied: not a clerk or approver of the rated organization.
        ValidationFailed: no note (``note``). Conflict: replied, under appeal, or excluded.
    """
    rectification = _begin(actor, rectification, "call_back", [Role.CLERK, Role.APPROVER])
    rectification.callback_note = _text(note, "note", required=True)
    rectification.called_back_at = timezone.now()
    return _move(actor, rectification, "call_back", ("callback_note", "called_back_at"), {})


@transaction.atomic
def rectification_reply(*, actor, rectification: Rectification, reply: str) -> Rectification:
    """Reply to the applicant with what was rectified (整改答复); the rectification ends and the
    applicant is notified.

    Raises:
        PermissionDenied: not a clerk or approver of the rated organization.
        ValidationFailed: no reply (``reply``). Conflict: not called back yet, or ended.
    """
    rectification = _begin(actor, rectification, "reply", [Role.CLERK, Role.APPROVER])
    rectification.reply = _text(reply, "reply", required=True)
    rectification.replied_at = timezone.now()
    moved = _move(actor, rectification, "reply", ("reply", "replied_at"),
                  {"late": timezone.localdate() > rectification.due_on})
    number = moved.rating.application.number
    _tell(moved.rating, lambda: _("Reply to your rating of case %(number)s") % {"number": number}, moved.reply)
    return moved


@transaction.atomic
def rectification_appeal(*, actor, rectification: Rectification, reason: str) -> Rectification:
    """The organization holds the rating malicious and asks for a review (申诉复核).

    Raises:
        PermissionDenied: not an approver of the rated organization (the appeal is a decision).
        ValidationFailed: no reasons (``reason``). Conflict: replied, under appeal, or excluded.
    """
    rectification = _begin(actor, rectification, "appeal", [Role.APPROVER])
    rectification.appeal_reason = _text(reason, "reason", required=True)
    rectification.appealed_at = timezone.now()
    return _move(actor, rectification, "appeal", ("appeal_reason", "appealed_at"), {})


@transaction.atomic
def rectification_appeal_decide(*, actor, rectification: Rectification, malicious: bool, decision: str
                                ) -> Rectification:
    """Decide the appeal (复核): malicious → the rating is excluded from the statistics and the
    rectification ends; not malicious → it goes back to where it was and must still be replied to.
    The applicant is told either way.

    Raises:
        PermissionDenied: not an operator of an organization above the rated one.
        ValidationFailed: no reasons (``decision``). Conflict: no appeal is pending.
    """
    if not can_review_appeal(actor, rectification):
        raise PermissionDenied(_("Appeals are reviewed by an operator of the organization above."),
                               extra={"role": Role.OPERATOR})
    move = "appeal_uphold" if malicious else "appeal_reject"
    rectification = _check(transitions.locked(rectification, "rating__application"), move)
    rectification.appeal_decision = _text(decision, "decision", required=True)
    rectification.appeal_decided_at = timezone.now()
    moved = _move(actor, rectification, move, ("appeal_decision", "appeal_decided_at"), {"malicious": malicious})
    if malicious:
        Rating.objects.filter(pk=moved.rating_id).update(excluded=True)
    number = moved.rating.application.number
    _tell(moved.rating, lambda: _("Review of your rating of case %(number)s") % {"number": number},
          moved.appeal_decision)
    return moved
