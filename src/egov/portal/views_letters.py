"""Public pages of letters to the mayor (市长信箱, /letters/): the published letters (masked) and
their statistics for everyone; writing a letter, 我的来信 and one's own letter with its answer, the
rating form, and withdrawing a letter not answered yet, for signed-in citizens and enterprises.
Thin: a permission-checked fetch, one action, a response."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.permissions import public_user_required, verified_public_user_required
from egov.core.errors import ApplicationError, NotFound
from egov.core.forms import add_application_error
from egov.facilities.files import file_read, file_response
from egov.portal import actions_letters, forms_letters
from egov.portal.models_letters import LetterStatus
from egov.portal.selectors_letters import (
    letter_get_for_writer,
    letter_statistics,
    letter_timeline,
    letters_of,
    published_letter,
    published_letters,
)


def _mine_or_404(request, number: str):
    try:
        return letter_get_for_writer(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None


def letter_list(request):
    """The published letters, newest first, filtered by topic, 20 a page, with the summary figures."""
    form = forms_letters.PublishedFilterForm(request.GET or None)
    topic = form.cleaned_data.get("topic", "") if form.is_valid() else ""
    page = Paginator(published_letters(topic=topic), 20).get_page(request.GET.get("page"))
    return render(request, "portal/letters/list.html", {
        "form": form, "page": page, "total": letter_statistics()["total"][0]})


def letter_public(request, number: str):
    """One published letter and its answer, as published (masked)."""
    try:
        letter = published_letter(number=number)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(request, "portal/letters/public_detail.html", {"letter": letter})


def statistics(request):
    """The public summary: letters, answers on time, satisfaction, by organization and by topic."""
    return render(request, "portal/letters/statistics.html", {"stats": letter_statistics(), "staff": False})


@verified_public_user_required
def letter_write(request):
    """The letter form; its idempotency key (hidden, new on each blank form) makes a form sent twice
    one letter. A flood from one account is refused with the time to wait (429)."""
    key = request.POST.get("idempotency_key") or uuid.uuid4().hex
    if request.method == "POST":
        form = forms_letters.LetterForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                letter = actions_letters.letter_write(actor=request.user, idempotency_key=key, **form.cleaned_data)
            except ApplicationError as error:
                add_application_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Your letter %(number)s has been sent.") % {"number": letter.number})
                return redirect("letters:mine_detail", number=letter.number)
        return render(request, "portal/letters/write.html", {"form": form, "key": key}, status=status)
    return render(request, "portal/letters/write.html", {"form": forms_letters.LetterForm(), "key": key})


@public_user_required
def mine(request):
    """我的来信: number, subject, status, due date; newest first."""
    return render(request, "portal/letters/mine.html", {"letters": letters_of(user=request.user)})


def _mine_page(request, letter, *, rate_form=None, withdraw_form=None, refused=None, status: int = 200):
    return render(request, "portal/letters/mine_detail.html", {
        "letter": letter, "events": letter_timeline(letter=letter), "refused": refused,
        "attachments": letter.attachments.select_related("file"),
        "rate_form": rate_form or (forms_letters.RateForm() if letter.status == LetterStatus.ANSWERED else None),
        "withdraw_form": withdraw_form or (forms_letters.WithdrawForm()
                                           if actions_letters.letter_can_withdraw(letter) else None),
    }, status=status)


@public_user_required
def mine_detail(request, number: str):
    """The writer's letter: status, answer, timeline, the rating form once answered."""
    return _mine_page(request, _mine_or_404(request, number))


@public_user_required
@require_POST
def rate(request, number: str):
    """The writer rates the answer (and may ask once for it to be handled again)."""
    letter = _mine_or_404(request, number)
    form = forms_letters.RateForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            actions_letters.letter_rate(actor=request.user, letter=letter, **form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
            letter.refresh_from_db()
            status = error.status
        else:
            messages.success(request, _("Thank you: your rating has been recorded."))
            return redirect("letters:mine_detail", number=letter.number)
    return _mine_page(request, letter, rate_form=form, status=status)


@public_user_required
@require_POST
def withdraw(request, number: str):
    """The writer withdraws a letter not answered yet (撤回), having ticked the confirmation. Refused
    because the letter moved on meanwhile (answered, withdrawn already: 409), the letter's page is
    shown as it now is, the answer and the rating form with it, and the reason in an error summary
    above it; the withdraw form is not shown again."""
    letter = _mine_or_404(request, number)
    form = forms_letters.WithdrawForm(request.POST)
    valid = form.is_valid()
    if not valid and actions_letters.letter_can_withdraw(letter):
        return _mine_page(request, letter, withdraw_form=form, status=400)
    try:  # not withdrawable any more: the action says why (409), confirmed or not
        actions_letters.letter_withdraw(actor=request.user, letter=letter,
                                        reason=form.cleaned_data.get("reason", "") if valid else "")
    except ApplicationError as error:
        letter.refresh_from_db()
        if actions_letters.letter_can_withdraw(letter):  # e.g. a reason too long: keep the form
            add_application_error(form, error)
            return _mine_page(request, letter, withdraw_form=form, status=error.status)
        return _mine_page(request, letter, refused=error.message, status=error.status)
    messages.success(request, _("Your letter %(number)s has been withdrawn.") % {"number": letter.number})
    return redirect("letters:mine_detail", number=letter.number)


def attachment_response(letter, pk: int):
    """One attachment of ``letter`` as a download (shared by the writer's and the staff page)."""
    attachment = letter.attachments.select_related("file").filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("There is no such attachment."))
    try:
        data = file_read(stored=attachment.file)
    except NotFound as error:
        raise Http404(error.message) from None
    return file_response(data=data, kind=attachment.file.kind, name=f"{letter.number}-{attachment.pk}")


@public_user_required
def attachment(request, number: str, pk: int):
    """An attachment, to the letter's writer."""
    return attachment_response(_mine_or_404(request, number), pk)
