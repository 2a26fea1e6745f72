"""The steps of 发文办理 on the staff site: the step buttons of a document (with the opinion written
with them) and the confirmation pages of the irreversible steps (登记, 用印, 核发), which show what
will happen (the provisional 发文字号, the seals one may use and where the seal goes, the recipients
and the publication) before carrying it out.

Thin: a visibility-checked fetch, one action, a response. The words of every button come from the
one table of moves (``states.TRANSITIONS``).
"""

import base64

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound, ValidationFailed
from egov.core.forms import add_application_error
from egov.documents import actions, selectors
from egov.documents.flow import dispatch_receipt_due
from egov.documents.flow import document_dispatch as dispatch
from egov.documents.forms import DocumentForm, SealChoiceForm, StepOpinionForm
from egov.documents.models import Disclosure, Recipient
from egov.documents.states import EDITABLE, Move, Status, move_for, moves_from
from egov.documents.views import document_page, step_buttons
from egov.orgs.permissions import has_role

# A4 in PDF points (1/72 inch): the page drawn in the seal preview.
_A4_POINTS = (595.28, 841.89)


def _document_or_404(request, pk: int):
    try:
        return selectors.document_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such document.")) from None


def _take(request, document, move: Move, target: str, opinion: str):
    if move.name == "sign_off":
        return actions.document_sign_off(actor=request.user, document=document, comment=opinion,
                                         mfa_verified=request.user.is_verified())
    if move.name == "print":
        return actions.document_print(document=document, actor=request.user)
    return actions.document_transition(actor=request.user, document=document, to=target, comment=opinion)


def _done(request, document, move: Move) -> None:
    """The message after a step: what was done and who acts next (step, role, person or organization)."""
    messages.success(request, _("Done: %(step)s.") % {"step": move.label})
    following = selectors.document_next_actors_text(document=document)
    if following:  # as after a case's step (services.views_casework.case_step)
        messages.info(request, following)


@staff_required
def document_move(request, pk: int):
    """Take the step to ``to`` with the opinion written (POST); the steps that are confirmed on a
    page of their own (登记, 用印, 核发) go to that page. An error shows the document again with
    the opinion as typed."""
    document = _document_or_404(request, pk)
    if request.method != "POST":
        return redirect("documents:detail", pk=document.pk)
    target = request.POST.get("to", "")
    move = move_for(document.status, target)
    if move is not None and move.confirm:
        return redirect("documents:step", pk=document.pk, step=move.name)
    form = StepOpinionForm(request.POST)
    if form.is_valid():
        try:
            if move is None:  # the action names the status and the step refused
                actions.document_transition(actor=request.user, document=document, to=target)
            else:
                _take(request, document, move, target, form.cleaned_data["opinion"])
        except ApplicationError as error:
            return _refused(request, document, form, error)
        else:
            _done(request, document, move)
            return redirect("documents:detail", pk=document.pk)
    return document_page(request, document, opinion_form=form)


def _refused(request, document, form: StepOpinionForm, error: ApplicationError):
    """The page again with the refusal where it can be read: by the element it names (主送机关 in
    the elements form), by the opinion box, or, when the user has no step left on the document (a
    stale page: 签发 or 作废 posted twice), in the page's messages."""
    document.refresh_from_db()
    field = error.extra.get("field")
    if field in DocumentForm.base_fields and document.status in EDITABLE:
        elements = DocumentForm(initial=DocumentForm.initial_for(document))
        elements.cleaned_data = {}  # unbound: add_error needs it
        elements.add_error(field, error.message)
        return document_page(request, document, form=elements, opinion_form=form, status=error.status)
    if not step_buttons(document, request.user)["moves"]:
        messages.error(request, error.message)
        return document_page(request, document, status=error.status)
    add_application_error(form, error)
    return document_page(request, document, opinion_form=form)


_CONFIRMED = {"register": Status.REGISTERING, "seal": Status.SEALING, "dispatch": Status.DISPATCHING}


def _seal_preview(document) -> dict | None:
    """Where the seal goes on the printed PDF, for the drawing on the 用印 page: the page (1-based)
    and the box in points from the top left of an A4 page, and in millimetres from its edges."""
    if not document.seal_box:
        return None
    x1, y1, x2, y2 = document.seal_box
    width, height = _A4_POINTS
    mm = 25.4 / 72
    top = height - y2
    return {"page": (document.seal_page or 0) + 1, "x": x1, "y": top, "w": x2 - x1, "h": y2 - y1,
            "page_w": width, "page_h": height, "viewbox": f"-4 -4 {width + 8:.0f} {height + 8:.0f}",
            # grey bars for the lines of text above the seal (the text block starts 37 mm down)
            "lines": [round(y) for y in range(130, int(top), 30)],
            "left_mm": round(x1 * mm), "top_mm": round(top * mm)}


def _register_context(request, document, errors: list) -> dict:
    try:
        number = selectors.document_number_preview(actor=request.user, document=document)
    except ValidationFailed as error:
        errors.append(error)
        number = None
    return {"number": number}


def _seal_context(request, document, form, errors: list) -> dict:
    seals = selectors.document_seals_usable(actor=request.user, document=document)
    if not seals:
        errors.append(ValidationFailed(
            _("You may use no seal of %(organization)s: its seal keeper grants the use of its seals.")
            % {"organization": document.issuer.name}, extra={"field": "seal", "rule": "no_seal"}))
    images = {seal.pk: base64.b64encode(bytes(seal.image_png)).decode("ascii") for seal in seals}
    return {"seals": [{"seal": seal, "image": images[seal.pk],
                       "checked": str(form["seal"].value() or "") == str(seal.pk)} for seal in seals],
            "preview": _seal_preview(document)}


def _dispatch_context(document) -> dict:
    recipients = list(document.recipients.select_related("organization"))
    publish = (document.disclosure == Disclosure.PROACTIVE and document.classification == "public")
    return {"main": [r for r in recipients if r.kind == Recipient.Kind.MAIN],
            "copy": [r for r in recipients if r.kind == Recipient.Kind.COPY],
            "delivered": [r for r in recipients if r.organization_id],
            "receipt_due": dispatch_receipt_due(document), "publish": publish}


@staff_required
def document_step(request, pk: int, step: str):
    """The confirmation page of 登记 (``register``), 用印 (``seal``) or 核发 (``dispatch``): GET shows
    what will happen, POST carries it out; refusals are shown on the page as errors."""
    document = _document_or_404(request, pk)
    if step not in _CONFIRMED:
        raise Http404(_("No such step."))
    move = next((m for _target, m in moves_from(document.status) if m.name == step), None)
    if move is None or not has_role(request.user, document.issuer, move.role):
        messages.error(request, _("This step is not open to you now; the document is at %(status)s.")
                       % {"status": document.get_status_display()})
        return redirect("documents:detail", pk=document.pk)
    errors: list[ApplicationError] = []
    form = SealChoiceForm(request.POST or None, seals=selectors.document_seals_usable(
        actor=request.user, document=document)) if step == "seal" else None
    if request.method == "POST":
        try:
            if step == "register":
                actions.document_number_allocate(document=document, actor=request.user)
            elif step == "dispatch":
                dispatch(actor=request.user, document=document)
            elif form.is_valid():
                actions.document_seal(document=document, actor=request.user, seal=form.cleaned_data["seal"])
        except ApplicationError as error:
            errors.append(error)
        else:
            if form is None or form.is_valid():
                _done(request, document, move)
                return redirect("documents:detail", pk=document.pk)
    context = {"document": document, "step": step, "move": move, "errors": errors, "form": form,
               "recipients": list(document.recipients.select_related("organization"))}
    if step == "register":
        context |= _register_context(request, document, errors)
    elif step == "seal":
        context |= _seal_context(request, document, form, errors)
    else:
        context |= _dispatch_context(document)
    if form is not None:
        errors += [ValidationFailed(message, extra={"field": "seal"}) for message in form.errors.get("seal", [])]
    return render(request, "documents/step_confirm.html", context, status=400 if errors else 200)
