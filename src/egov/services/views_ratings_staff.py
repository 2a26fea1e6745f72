"""Staff pages of 差评 rectification (/staff/cases/ratings/): the list, one rectification with the
forms of the steps the staff member may do (call-back, reply, appeal, appeal review). Thin."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import NotFound
from egov.core.views import step_post
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role
from egov.services import forms
from egov.services.actions import rating
from egov.services.models import Rectification
from egov.services.permissions import can_review_appeal
from egov.services.selectors import rectification_get, rectifications_for

R = Rectification.Status
# step → (form, action, who may see the form, statuses at which it is offered)
STEPS = {
    "call_back": (forms.CallBackForm, lambda actor, r, data: rating.rectification_call_back(
        actor=actor, rectification=r, **data), (Role.CLERK, Role.APPROVER)),
    "reply": (forms.ReplyForm, lambda actor, r, data: rating.rectification_reply(
        actor=actor, rectification=r, **data), (Role.CLERK, Role.APPROVER)),
    "appeal": (forms.AppealForm, lambda actor, r, data: rating.rectification_appeal(
        actor=actor, rectification=r, **data), (Role.APPROVER,)),
    "appeal_decide": (forms.AppealDecisionForm, lambda actor, r, data: rating.rectification_appeal_decide(
        actor=actor, rectification=r, **data), None),
}
TITLES = {
    "call_back": gettext_lazy("Record the call-back (回访)"),
    "reply": gettext_lazy("Reply to the applicant (整改答复)"),
    "appeal": gettext_lazy("Appeal: the rating is malicious (申诉复核)"),
    "appeal_decide": gettext_lazy("Decide the appeal (复核)"),
}


def _offered(user, rectification: Rectification) -> list[str]:
    steps = []
    for step, (_form, _action, roles) in STEPS.items():
        move = "appeal_uphold" if step == "appeal_decide" else step
        if rectification.status not in rating.MOVES[move][0]:
            continue
        allowed = (can_review_appeal(user, rectification) if roles is None
                   else any(has_role(user, rectification.organization, role) for role in roles))
        if allowed:
            steps.append(step)
    return steps


def _get(request, rectification_id: int) -> Rectification:
    try:
        return rectification_get(user=request.user, rectification_id=rectification_id)
    except NotFound as error:
        raise Http404(error.message) from None


@staff_required
def rectifications(request):
    """差评 of my organizations (and appeals I review), open first, soonest deadline first."""
    return render(request, "services/staff/rectifications.html",
                  {"rows": rectifications_for(user=request.user)[:200], "tab": "ratings"})


def _page(request, rectification: Rectification, bound: dict | None = None, status: int = 200):
    step_forms = [(step, TITLES[step], (bound or {}).get(step) or STEPS[step][0](prefix=step))
                  for step in _offered(request.user, rectification)]
    return render(request, "services/staff/rectification.html", {
        "r": rectification, "rating": rectification.rating, "application": rectification.rating.application,
        "step_forms": step_forms, "tab": "ratings"}, status=status)


@staff_required
def rectification(request, rectification_id: int):
    return _page(request, _get(request, rectification_id))


@staff_required
@require_POST
def rectification_step(request, rectification_id: int, step: str):
    row = _get(request, rectification_id)
    if step not in STEPS:
        raise Http404(_("No such step."))

    def again(form, status):
        row.refresh_from_db()
        return _page(request, row, bound={step: form}, status=status)

    return step_post(request, form=STEPS[step][0](request.POST, prefix=step),
                     run=lambda data: STEPS[step][1](request.user, row, data),
                     done=_("Done: %(step)s.") % {"step": TITLES[step]},
                     next_url=reverse("services_staff:rectification", args=[row.pk]), again=again)
