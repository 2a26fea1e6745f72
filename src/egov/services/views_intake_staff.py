"""The operators' page of the intake queue (/staff/cases/intake/): backlog, the oldest waiting
submission's age, failures with a retry button. Operators (运维管理员) only; 404 for anyone else."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound
from egov.services.actions.intake import intake_retry
from egov.services.selectors_intake import intake_get_for_operator, intake_overview


@staff_required
def intake_queue(request):
    """The queue: how many wait, since when, and what failed (with the reason and a retry)."""
    try:
        overview = intake_overview(user=request.user)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(request, "services/staff/intake.html", {"overview": overview})


@staff_required
@require_POST
def intake_retry_view(request, receipt: str):
    try:
        record = intake_get_for_operator(user=request.user, receipt=receipt)
    except NotFound as error:
        raise Http404(error.message) from None
    try:
        intake_retry(actor=request.user, record=record)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Submission %(receipt)s is back in the queue.") % {"receipt": record.receipt})
    return redirect("services_staff:intake")
