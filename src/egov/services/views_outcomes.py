"""Public pages of what follows a case: tracking without sign-in (办件查询), published results
(外网公布), rating statistics (好差评), and for the applicant: the licence, the rating, notifications.
Thin: a permission-checked fetch, one action, a response.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.permissions import public_user_required
from egov.core.errors import ApplicationError, NotFound
from egov.core.forms import add_application_error
from egov.facilities.notifications import notifications_mark_read, notifications_of
from egov.services import forms
from egov.services.actions.rating import rating_submit
from egov.services.models import IntakeState, Licence, Rating
from egov.services.publication import application_track, published_result, published_results
from egov.services.selectors import application_get_for_applicant, licence_pdf, rating_stats
from egov.services.selectors_intake import intake_track, is_receipt_number
from egov.services.views_applying import application_page

_PER_PAGE = 20


def track(request):
    """办件查询: tracking number (or receipt number) and query code; the same answer for an unknown
    number and a wrong code."""
    form = forms.TrackForm(request.GET or None)
    case, record, status = None, None, 200
    if form.is_valid():
        number, code = form.cleaned_data["number"], form.cleaned_data["code"]
        try:
            if is_receipt_number(number):  # a receipt (受理回执): its case once it has one
                record = intake_track(receipt=number, code=code)
                if record.state == IntakeState.DONE:
                    case = application_track(number=record.application.number, code=code)
            else:
                case = application_track(number=number, code=code)
        except NotFound as error:
            form.add_error(None, error.message)
            status = 404
    elif form.errors:
        status = 400
    return render(request, "services/track.html", {"form": form, "case": case, "record": record}, status=status)


def results(request):
    """外网公布: concluded cases with item, organization, dates, result; names of persons masked."""
    form = forms.ResultFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = published_results(organization_id=filters["organization"].pk if filters.get("organization") else None,
                             item_code=filters.get("item", ""), month=filters.get("month", ""))
    page = Paginator(rows, _PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "services/results.html", {
        "form": form, "page": page, "results": [published_result(a) for a in page.object_list],
        "query": query.urlencode()}, status=400 if form.errors else 200)


def ratings(request):
    """好差评 statistics per organization and per item, with an ECharts chart of each."""
    by_organization = rating_stats(by="organization")
    by_item = rating_stats(by="item")

    def chart(rows) -> dict:
        return {"names": [row.name for row in rows],
                "levels": {str(level): [row.levels[level] for row in rows] for level in (5, 4, 3, 2, 1)},
                "labels": {str(value): str(label) for value, label in Rating.Level.choices}}

    return render(request, "services/ratings.html", {
        "by_organization": by_organization, "by_item": by_item,
        "chart_organization": chart(by_organization), "chart_item": chart(by_item)})


def _application_or_404(request, number: str):
    try:
        return application_get_for_applicant(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None


@public_user_required
def licence_download(request, number: str):
    """The case's e-licence, the sealed PDF."""
    application = _application_or_404(request, number)
    licence = Licence.objects.filter(application=application).select_related("document").first()
    if licence is None:
        raise Http404(_("This case has no licence."))
    response = HttpResponse(licence_pdf(licence=licence), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.number}.pdf"'
    return response


@public_user_required
@require_POST
def rate(request, number: str):
    """Rate the concluded case (好差评)."""
    application = _application_or_404(request, number)
    form = forms.RatingForm(request.POST)
    if form.is_valid():
        try:
            rating_submit(actor=request.user, application=application, **form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("services:application", number=application.number)
    return application_page(request, application, rating_form=form, status=400)


@public_user_required
def notifications(request):
    """站内消息: my notifications, newest first; opening the page marks them read."""
    page = Paginator(notifications_of(user=request.user), _PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    unread = {n.pk for n in rows if n.read_at is None}
    response = render(request, "services/notifications.html", {"page": page, "rows": rows, "unread": unread})
    for pk in unread:
        notifications_mark_read(user=request.user, notification_id=pk)
    return response
