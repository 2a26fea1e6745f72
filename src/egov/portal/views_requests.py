"""Public pages of requests for government information (依申请公开, /disclosure-requests/): the
request form, 我的申请, a request with its timeline, the correction form and the answer's file.
Signed-in citizens and enterprises only; thin: a permission-checked fetch, one action, a response.
"""

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.permissions import public_user_required, verified_public_user_required
from egov.core.errors import ApplicationError, NotFound
from egov.core.forms import add_application_error
from egov.facilities.files import file_read, file_response
from egov.portal import actions, forms
from egov.portal.actions import OPEN
from egov.portal.models import RequestStatus
from egov.portal.selectors import request_get_for_applicant, request_timeline, requests_of


def _request_or_404(request, number: str):
    try:
        return request_get_for_applicant(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None


@verified_public_user_required
def request_new(request):
    """The request form (第二十九条); the contact is pre-filled from the account. The form carries an
    idempotency key (a hidden field, new on each blank form): sent twice, it makes one request."""
    user = request.user
    key = request.POST.get("idempotency_key") or uuid.uuid4().hex
    if request.method == "POST":
        form = forms.RequestForm(request.POST)
        if form.is_valid():
            try:
                created = actions.request_submit(actor=user, idempotency_key=key, **form.cleaned_data)
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, _("Your request %(number)s has been submitted.") % {"number": created.number})
                return redirect("portal:request", number=created.number)
        return render(request, "portal/requests/new.html", {"form": form, "key": key}, status=400)
    form = forms.RequestForm(initial={"phone": user.phone, "email": user.email})
    return render(request, "portal/requests/new.html", {"form": form, "key": key})


@public_user_required
def my_requests(request):
    """我的申请: status and due date, newest first."""
    return render(request, "portal/requests/mine.html", {"requests": requests_of(user=request.user)})


def _page(request, row, *, correct_form=None, withdraw_form=None, status: int = 200):
    return render(request, "portal/requests/detail.html", {
        "row": row, "events": request_timeline(request=row),
        "correct_form": correct_form or (forms.CorrectForm(initial={"description": row.description})
                                         if row.status == RequestStatus.CORRECTION else None),
        "withdraw_form": withdraw_form or (forms.WithdrawForm() if row.status in OPEN else None),
    }, status=status)


@public_user_required
def request_detail(request, number: str):
    """A request: where it stands, its due date, its timeline, what a 补正 asks for, the answer."""
    return _page(request, _request_or_404(request, number))


def _applicant_step(request, number: str, *, form_class, action, form_name: str, done: str):
    """One step of the applicant on the request's page: the form, the action, the page again with
    the form's errors (as typed) or a redirect with ``done``."""
    row = _request_or_404(request, number)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            action(actor=request.user, request=row, **form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
            row.refresh_from_db()
            status = error.status
        else:
            messages.success(request, done)
            return redirect("portal:request", number=row.number)
    return _page(request, row, status=status, **{form_name: form})


@public_user_required
@require_POST
def request_correct(request, number: str):
    """补正: the applicant sends the corrected description (第三十条)."""
    return _applicant_step(request, number, form_class=forms.CorrectForm, action=actions.request_correct,
                           form_name="correct_form", done=_("Your corrected request has been submitted."))


@public_user_required
@require_POST
def request_withdraw(request, number: str):
    """The applicant withdraws the request."""
    return _applicant_step(request, number, form_class=forms.WithdrawForm, action=actions.request_withdraw,
                           form_name="withdraw_form", done=_("Your request has been withdrawn."))


def answer_file_response(row) -> HttpResponse:
    """The answer's PDF as a download (shared by the public and the staff page)."""
    if row.answer_file is None:
        raise Http404(_("This answer has no file."))
    try:
        data = file_read(stored=row.answer_file)
    except NotFound as error:
        raise Http404(error.message) from None
    return file_response(data=data, kind=row.answer_file.kind, name=row.number)


@public_user_required
def answer_file(request, number: str):
    """The answer's file (PDF), to its applicant."""
    return answer_file_response(_request_or_404(request, number))
