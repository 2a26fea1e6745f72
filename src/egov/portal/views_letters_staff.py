"""Staff pages of letters to the mayor (/staff/letters/): the queue (to route, to answer, to
decide publication), a letter with the forms of the steps the staff member may take now (reading it
shows the writer's personal data and is audited), and the statistics."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import NotFound
from egov.core.views import step_post
from egov.portal import actions_letters, forms_letters
from egov.portal.selectors_letters import (
    letter_get_for_staff,
    letter_read_record,
    letter_staff_steps,
    letter_statistics,
    letter_timeline,
    staff_queue,
)
from egov.portal.views_letters import attachment_response

# step → (form class, the action called with the cleaned data)
STEPS = {
    "route": (forms_letters.RouteForm, lambda actor, letter, data: actions_letters.letter_route(
        actor=actor, letter=letter, **data)),
    "answer": (forms_letters.AnswerForm, lambda actor, letter, data: actions_letters.letter_answer(
        actor=actor, letter=letter, **data)),
    "send_back": (forms_letters.SendBackForm, lambda actor, letter, data: actions_letters.letter_send_back(
        actor=actor, letter=letter, **data)),
    "publication": (forms_letters.PublicationForm, lambda actor, letter, data: actions_letters.
                    letter_publication_decide(actor=actor, letter=letter, **data)),
}
STEP_TITLES = {
    "route": gettext_lazy("Route to an organization (分办)"),
    "answer": gettext_lazy("Answer the letter (答复)"),
    "send_back": gettext_lazy("Send back for re-routing (退回)"),
    "publication": gettext_lazy("Decide publication (公开)"),
}


def _letter_or_404(request, number: str):
    try:
        return letter_get_for_staff(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None


@staff_required
def queue(request):
    """Letters to route and to decide publication (dispatchers), to answer (handlers)."""
    return render(request, "portal/letters/staff_queue.html", {"queue": staff_queue(user=request.user)})


def _page(request, letter, bound: dict | None = None, status: int = 200):
    """The letter page; it shows the writer's personal data, so each rendering is audited."""
    letter_read_record(user=request.user, letter=letter)
    step_forms = [(step, STEP_TITLES[step], (bound or {}).get(step) or STEPS[step][0](prefix=step))
                  for step in letter_staff_steps(user=request.user, letter=letter)]
    preview = None
    if any(step == "publication" for step, _title, _form in step_forms):
        preview = dict(zip(("subject", "body", "answer"), actions_letters.letter_masked_copy(letter), strict=True))
    return render(request, "portal/letters/staff_detail.html", {
        "letter": letter, "events": letter_timeline(letter=letter), "step_forms": step_forms, "preview": preview,
        "attachments": letter.attachments.select_related("file")}, status=status)


@staff_required
def letter_detail(request, number: str):
    """A letter with the writer's data (the read is audited), its timeline and the step forms."""
    return _page(request, _letter_or_404(request, number))


@staff_required
@require_POST
def letter_step(request, number: str, step: str):
    """Take one step (one action); errors are shown on the step's form and above the page."""
    letter = _letter_or_404(request, number)
    if step not in STEPS:
        raise Http404(_("No such step."))

    def again(form, status):
        letter.refresh_from_db()
        return _page(request, letter, bound={step: form}, status=status)

    def next_url(result):
        # After an answer, a sending back or a re-routing the letter may no longer be this person's.
        try:
            letter_get_for_staff(user=request.user, number=letter.number)
        except NotFound:
            return reverse("letters_staff:queue")
        return reverse("letters_staff:letter", args=[letter.number])

    return step_post(request, form=STEPS[step][0](request.POST, prefix=step),
                     run=lambda data: STEPS[step][1](request.user, letter, data),
                     done=_("Done: %(step)s.") % {"step": STEP_TITLES[step]}, next_url=next_url, again=again)


@staff_required
def attachment(request, number: str, pk: int):
    """An attachment, to the staff who may see the letter."""
    return attachment_response(_letter_or_404(request, number), pk)


@staff_required
def statistics(request):
    """Statistics by organization and topic (counts only, no personal data)."""
    return render(request, "portal/letters/statistics.html", {"stats": letter_statistics(), "staff": True})
