"""Staff pages of official documents (/staff/documents/): list, draft, edit with a PDF preview,
attachments, the steps the table allows, and the history from the audit log.

Thin: a visibility-checked fetch (``selectors.document_get``; NotFound → 404), one action, a response.
"""


from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound, ValidationFailed
from egov.core.forms import add_application_error
from egov.documents import actions, selectors
from egov.documents.archive import archive_package, document_archive_package
from egov.documents.forms import AttachmentForm, DocumentForm, StepOpinionForm
from egov.documents.history import history_rows
from egov.documents.process import countersign_task_for
from egov.documents.rendering import pdf_render, print_data
from egov.documents.states import EDITABLE, OPINION_LABELS, Status, move_for, moves_from
from egov.documents.views_flow import _incoming_or_404
from egov.facilities.files import detect_kind, file_response
from egov.orgs.models import Organization, RoleAssignment
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role


def _document_or_404(request, pk: int):
    try:
        return selectors.document_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such document.")) from None


def _drafting_organizations(user):
    ids = RoleAssignment.objects.filter(membership__user=user, role=Role.DOCUMENT_CLERK).values_list(
        "membership__organization_id", flat=True)
    return Organization.objects.filter(pk__in=ids, is_active=True).order_by("path")


def _fields(cleaned: dict) -> dict:
    fields = {key: value for key, value in cleaned.items() if key != "issuer"}
    fields["main_to"] = list(fields.get("main_to") or [])
    fields["copy_to"] = list(fields.get("copy_to") or [])
    fields["countersigners"] = list(fields.get("countersigners") or [])
    return fields


@staff_required
def document_list(request):
    """The documents I may see, newest first."""
    documents = selectors.documents_for(actor=request.user)[:200]
    return render(request, "documents/list.html", {"documents": documents,
                                                   "can_draft": _drafting_organizations(request.user).exists()})


@staff_required
def document_new(request):
    """拟稿: a new document of one of the organizations where I am a document clerk."""
    issuers = _drafting_organizations(request.user)
    if not issuers.exists():
        raise Http404(_("You are no document clerk of any organization."))
    form = DocumentForm(request.POST or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        try:
            document = actions.document_draft(actor=request.user, issuer=form.cleaned_data["issuer"],
                                              **_fields(form.cleaned_data))
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/new.html", {"form": form}, status=400 if form.errors else 200)


def step_buttons(document, user) -> dict:
    """The steps ``user`` may take on ``document`` now (issuing side; 会签 has its own form):
    ``{"moves": [{"to", "name", "label", "confirm", "kind"}], "opinion": bool, "opinion_label"}``.
    ``kind`` is ``"warning"`` for 退回 and 作废, ``"primary"`` otherwise. 送会签 is offered only
    when the document names countersigning organizations (the action would refuse it)."""
    countersigners = document.countersigners.filter(is_active=True).exists()
    moves = [{"to": target, "name": move.name, "label": move.label, "confirm": move.confirm,
              "kind": "warning" if move.name in ("return", "withdraw") else "primary"}
             for target, move in moves_from(document.status)
             if move.name != "countersigned" and has_role(user, document.issuer, move.role)
             and (move.name != "send_countersign" or countersigners)]
    moves.sort(key=lambda m: m["kind"] == "warning")  # the step forward first, 退回 and 作废 after it
    takes_opinion = any(move_for(document.status, m["to"]).opinion for m in moves)
    names = {m["name"] for m in moves}
    if "return" in names:
        hint = _("For example: 同意。 A return needs its reason, e.g. 请按意见修改后再送。")
    elif names & {"review", "sign_off", "recheck"}:
        hint = _("For example: 同意。")
    else:  # only 作废 takes an opinion here (拟稿, 登记 and after)
        hint = _("作废 needs its reason, e.g. 该事项已另行发文，本稿不再印发。")
    return {"moves": moves, "opinion": takes_opinion, "opinion_hint": hint,
            "opinion_label": OPINION_LABELS.get(document.status) or _("Reason for withdrawing (作废 only)")}


@staff_required
def document_detail(request, pk: int):
    """A document: its elements (editable while drafting or in review), attachments, steps, preview."""
    document = _document_or_404(request, pk)
    editable = document.status in EDITABLE
    form = DocumentForm(request.POST or None, initial=DocumentForm.initial_for(document)) if editable else None
    status = 200
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                actions.document_update(actor=request.user, document=document, **_fields(form.cleaned_data))
            except ApplicationError as error:
                add_application_error(form, error)
            else:
                messages.success(request, _("The document is saved."))
                return redirect("documents:detail", pk=document.pk)
        status = 400
    return document_page(request, document, form=form, status=status)


def document_page(request, document, *, form=None, opinion_form=None, status: int = 200):
    """Render a document's page; ``form`` is the elements form (bound when it failed), ``opinion_form``
    the opinion of a step that failed (shown with its error and the text as typed)."""
    if form is None and document.status in EDITABLE:
        form = DocumentForm(initial=DocumentForm.initial_for(document))
    recipients = list(document.recipients.select_related("organization"))
    can_receive = document.status == Status.ISSUED and any(
        row.received_at is None and row.delivered_at and row.organization
        and has_role(request.user, row.organization, Role.DOCUMENT_CLERK) for row in recipients)
    issuer_side = selectors.document_is_issuer_side(actor=request.user, document=document)
    deliveries = (selectors.delivery_table(actor=request.user, document=document)
                  if issuer_side and document.status == Status.ISSUED else [])
    countersign = document.status == Status.COUNTERSIGNING and countersign_task_for(actor=request.user,
                                                                                    document=document) is not None
    can_see_history = selectors.document_history_visible(actor=request.user, document=document)
    return render(request, "documents/detail.html", {
        "deliveries": deliveries, "countersign": countersign,
        "steps": step_buttons(document, request.user) if issuer_side else {"moves": []},
        "opinion_form": opinion_form or StepOpinionForm(),
        "opinions": selectors.document_opinions(actor=request.user, document=document) if can_see_history else [],
        "document": document, "form": form, "attachment_form": AttachmentForm(),
        "recipients": recipients, "can_receive": can_receive, "attachments": document.attachments.all(),
        "limit_mb": actions.attachment_max_bytes() // (1024 * 1024),
        "can_supervise": _drafting_organizations(request.user).exists(),  # 督办立项 from this document
        "can_publish": issuer_side and selectors.document_can_publish(actor=request.user, document=document),
        "can_see_history": can_see_history,
    }, status=400 if opinion_form is not None and opinion_form.errors else status)


@staff_required
@require_POST
def document_publication(request, pk: int):
    """Publish an issued 主动公开 document on the public site now (``publish=yes``) or withdraw it."""
    document = _document_or_404(request, pk)
    try:
        if request.POST.get("publish") == "yes":
            actions.document_publish(actor=request.user, document=document)
            messages.success(request, _("The document is published on the public site."))
        else:
            actions.document_unpublish(actor=request.user, document=document, reason=request.POST.get("reason", ""))
            messages.success(request, _("The document is withdrawn from the public site."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("documents:detail", pk=document.pk)


@staff_required
@require_POST
def document_receive(request, pk: int):
    """签收 by a document clerk of a recipient organization."""
    document = _document_or_404(request, pk)
    try:
        actions.document_receive(document=document, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document is signed for."))
    return redirect("documents:detail", pk=document.pk)


@staff_required
@require_POST
def attachment_add(request, pk: int):
    document = _document_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            actions.attachment_add(actor=request.user, document=document, name=form.cleaned_data["name"],
                                   file=upload, content_type=upload.content_type or "")
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The attachment is added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("documents:detail", pk=document.pk)


def _attachment_or_404(request, pk: int, position: int):
    document = _document_or_404(request, pk)
    attachment = document.attachments.filter(position=position).first()
    if attachment is None or not attachment.file:  # (an imported 附件说明 names it without its file)
        raise Http404(_("No such attachment."))
    return document, attachment


@staff_required
def attachment_download(request, pk: int, position: int):
    """An attachment of a document I may see, as a download (never shown inline: its type is the
    one its bytes were checked to be at upload)."""
    _document, attachment = _attachment_or_404(request, pk, position)
    with attachment.file.open("rb") as handle:
        data = handle.read()
    # Typed by the bytes, checked again by the same function as at upload (actions.attachment_add).
    return file_response(data=data, kind=detect_kind(data), name=attachment.name)


@staff_required
@require_POST
def attachment_remove(request, pk: int, position: int):
    document, attachment = _attachment_or_404(request, pk, position)
    try:
        actions.attachment_remove(actor=request.user, attachment=attachment)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The attachment is removed."))
    return redirect("documents:detail", pk=document.pk)


@staff_required
@xframe_options_sameorigin
def document_preview(request, pk: int):
    """The document as it stands: sealed, printed, or rendered on demand (GB/T 9704 PDF), inline."""
    document = _document_or_404(request, pk)
    stored = document.sealed_pdf or document.printed_pdf
    if stored:
        with stored.open("rb") as handle:
            data = handle.read()
    else:
        try:
            data = pdf_render(print_data(document)).pdf
        except ValidationFailed as error:  # too long to print: said at once, no worker held for minutes
            return render(request, "documents/preview_refused.html", {"document": document, "error": error},
                          status=error.status)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def document_history(request, pk: int):
    """Who did what to the document, from the audit log."""
    document = _document_or_404(request, pk)
    try:
        events = selectors.document_history(actor=request.user, document=document)
        opinions = selectors.document_opinions(actor=request.user, document=document)
    except NotFound:
        raise Http404(_("No such document.")) from None  # a recipient: the issuer's history is not theirs
    return render(request, "documents/history.html", {"document": document, "rows": history_rows(events),
                                                      "opinions": opinions})


@staff_required
def archive_download(request, pk: int, side: str):
    """The archive package (ZIP) of a document: ``side="issuer"``, the issuer's package of an issued
    document (with the 发文稿纸, ``pk`` a document's); ``side="incoming"``, a receiving organization's
    package of an archived received document (``pk`` an incoming record's). The one download view of
    both: a refusal is shown on the document's page."""
    if side == "incoming":
        subject = _incoming_or_404(request, pk)
        package, page = (lambda: archive_package(actor=request.user, incoming=subject)), "documents:incoming"
    else:
        subject = _document_or_404(request, pk)
        package, page = (lambda: document_archive_package(actor=request.user, document=subject)), "documents:detail"
    try:
        name, data = package()
    except NotFound:
        raise Http404(_("No such document.")) from None
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(page, pk=subject.pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


_SEARCH_PER_PAGE = 20
_SEARCH_MAX_PAGES = 500


@staff_required
def document_search(request):
    """Full-text search of the documents I may see (``selectors.document_search``), 20 a page."""
    query = request.GET.get("q", "")
    try:
        page_number = min(max(1, int(request.GET.get("page", "1"))), _SEARCH_MAX_PAGES)
    except ValueError:
        page_number = 1

    def run(number: int):
        return selectors.document_search(query, user=request.user, limit=_SEARCH_PER_PAGE,
                                         offset=(number - 1) * _SEARCH_PER_PAGE)

    results = run(page_number)
    pages = max(1, -(-results.total // _SEARCH_PER_PAGE))
    if page_number > pages:  # past the last page: show the last one
        page_number = pages
        results = run(page_number)
    page_query = request.GET.copy()
    page_query.pop("page", None)
    return render(request, "documents/search.html", {
        "results": results, "searched": bool(query.strip()), "page_number": page_number, "pages": pages,
        "query": page_query.urlencode()})
