"""Staff pages of credit (mounted at /staff/credit/): entering a 行政处罚 (双公示) decided by one of the
staff member's organizations. Only staff holding ``permissions.ENTER_ROLES`` somewhere see the form
(403 otherwise); the action checks the chosen organization again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError
from egov.core.forms import add_application_error
from egov.credit.actions import record_enter
from egov.credit.forms import PenaltyForm
from egov.credit.models import Kind, Status
from egov.credit.permissions import providers_of


@staff_required
def penalty_new(request):
    """The form for a 行政处罚; after a valid POST the record is entered (published at once when the
    registers know the subject, else held for matching) and the form comes back empty with a message."""
    providers = providers_of(request.user)
    if not providers.exists():
        raise HttpForbidden(_("Only the staff who decide penalties may enter them."))
    form = PenaltyForm(request.POST or None, providers=providers)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = record_enter(actor=request.user, kind=Kind.PENALTY, **data)
            except ApplicationError as error:
                add_application_error(form, error)
                status = error.status
            else:
                if record.status == Status.PUBLISHED:
                    text = _("Penalty %(number)s entered and published until %(until)s.") % {
                        "number": record.number,
                        "until": record.published_until.isoformat(),
                    }
                else:
                    text = _(
                        "Penalty %(number)s entered. The registers do not know the subject: it is held for "
                        "matching and not published."
                    ) % {"number": record.number}
                messages.success(request, text)
                return redirect("credit_staff:penalty_new")
        else:
            status = 400
    return render(request, "credit/staff/penalty_new.html", {"form": form}, status=status)
