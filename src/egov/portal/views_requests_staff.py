"""Staff pages of requests for government information (/staff/disclosure/requests/): the disclosure
office's queue and a request with the forms of the steps the staff member may take now. Reading a
request shows the applicant's personal data and is audited.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import NotFound
from egov.core.views import step_post
from egov.portal import actions, forms
from egov.portal.selectors import (
    office_queue,
    request_due_years_unknown,
    request_get_for_staff,
    request_read_record,
    request_staff_steps,
    request_timeline,
)
from egov.portal.views_requests import answer_file_response

# step → (form class, the action called with the cleaned data)
STEPS = {
    "register": (forms.ConfirmForm, lambda actor, row, data: actions.request_register(actor=actor, request=row)),
    "request_correction": (forms.CorrectionForm, lambda actor, row, data: actions.request_correction_ask(
        actor=actor, request=row, **data)),
    "extend": (forms.ExtendForm, lambda actor, row, data: actions.request_extend(actor=actor, request=row, **data)),
    "consult": (forms.ConsultForm, lambda actor, row, data: actions.request_consult(actor=actor, request=row,
                                                                                  **data)),
    "consult_end": (forms.ConfirmForm, lambda actor, row, data: actions.request_consult_end(actor=actor,
                                                                                          request=row)),
    "answer": (forms.AnswerForm, lambda actor, row, data: actions.request_answer(actor=actor, request=row, **data)),
}
STEP_TITLES = {
    "register": gettext_lazy("Register as received (登记)"),
    "request_correction": gettext_lazy("Ask for a correction (补正, once, within 7 working days)"),
    "extend": gettext_lazy("Extend the answer period (延期, once)"),
    "consult": gettext_lazy("Consult a third party (征求第三方意见; time not counted)"),
    "consult_end": gettext_lazy("End the third-party consultation"),
    "answer": gettext_lazy("Answer (答复)"),
}


def _request_or_404(request, number: str):
    try:
        return request_get_for_staff(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None


@staff_required
def queue(request):
    """The office's open requests, overdue first, then least working time left, with text badges."""
    return render(request, "portal/requests/staff_queue.html", {"rows": office_queue(user=request.user)})


def _page(request, row, bound: dict | None = None, status: int = 200):
    """The request page; it shows the applicant's personal data, so each rendering is audited."""
    request_read_record(user=request.user, request=row)
    step_forms = [(step, STEP_TITLES[step], (bound or {}).get(step) or STEPS[step][0](prefix=step))
                  for step in request_staff_steps(user=request.user, request=row)]
    return render(request, "portal/requests/staff_detail.html", {
        "row": row, "events": request_timeline(request=row), "step_forms": step_forms,
        "pauses": row.pauses.all(), "due_years_unknown": request_due_years_unknown(request=row),
    }, status=status)


@staff_required
def request_detail(request, number: str):
    """A request with the applicant's data (the read is audited), timeline and step forms."""
    return _page(request, _request_or_404(request, number))


@staff_required
@require_POST
def request_step(request, number: str, step: str):
    """Take one step (one action); errors are shown on the step's form and above the page."""
    row = _request_or_404(request, number)
    if step not in STEPS:
        raise Http404(_("No such step."))

    def again(form, status):
        row.refresh_from_db()
        return _page(request, row, bound={step: form}, status=status)

    return step_post(request, form=STEPS[step][0](request.POST, request.FILES, prefix=step),
                     run=lambda data: STEPS[step][1](request.user, row, data),
                     done=_("Done: %(step)s.") % {"step": STEP_TITLES[step]},
                     next_url=reverse("portal_staff:request", args=[row.number]), again=again)


@staff_required
def answer_file(request, number: str):
    """The answer's file (PDF), to the disclosure office."""
    return answer_file_response(_request_or_404(request, number))
