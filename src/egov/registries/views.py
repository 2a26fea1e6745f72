"""Staff pages of the base registers (/staff/registries/): search by identifier (masked rows), a
record with its versions (full values on request, audited, for granted roles), and file imports
with their report."""

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound, PermissionDenied
from egov.core.forms import add_application_error
from egov.registries.actions import record_full_view, register_import
from egov.registries.codes import ETHNIC_GROUPS
from egov.registries.forms import ImportForm, SearchForm
from egov.registries.models import Register
from egov.registries.permissions import can_import, can_search, can_view_full, require_import, require_search
from egov.registries.selectors import masked, record_get, record_search, record_versions
from egov.registries.validation import COLUMNS, REVIEW_REASONS

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def _allowed(check, user) -> None:
    try:
        check(user)
    except PermissionDenied as error:
        raise HttpForbidden(error.message) from None


@staff_required
def search(request):
    """The search form; after a POST, the masked matches. POST, not GET: an identifier typed here
    stays out of URLs, access logs and the browser history."""
    _allowed(require_search, request.user)
    form = SearchForm(request.POST or None)
    rows = None
    if form.is_bound and form.is_valid():
        register = form.cleaned_data["register"]
        rows = [(row, masked(register, row)) for row in record_search(
            actor=request.user, register=register, query=form.cleaned_data["query"])]
    return render(request, "registries/search.html", {
        "form": form, "may_import": can_import(request.user), "rows": rows,
        "register": form.cleaned_data.get("register") if rows is not None else None,
    })


def _record_page(request, register: str, pk: int, *, full: bool):
    if register not in Register.values or not can_search(request.user):
        raise Http404
    try:
        record = record_get(register=register, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from None
    if full:
        try:
            record_full_view(actor=request.user, register=register, record=record)
        except PermissionDenied as error:
            raise HttpForbidden(error.message) from None
    return render(request, "registries/record.html", {
        "register": register, "record": record, "full": full, "shown": masked(register, record),
        "versions": record_versions(register=register, key=str(record)), "may_view_full": can_view_full(request.user),
        "review_reason": REVIEW_REASONS.get(record.review_reason, record.review_reason),
        "ethnicity_name": ETHNIC_GROUPS.get(getattr(record, "ethnicity", ""), ""),
        "key_field": "id_number" if register == Register.POPULATION else "uscc",
    })


@staff_required
def record(request, register: str, pk: int):
    """A record with masked values and its versions."""
    return _record_page(request, register, pk, full=False)


@staff_required
@require_POST
def record_full(request, register: str, pk: int):
    """The same page with full values: POST, so that a link preview or a reload never reveals them,
    and each showing is an audit event."""
    return _record_page(request, register, pk, full=True)


@staff_required
def import_file(request):
    """The import form; after a POST, the report (counts, rejected and flagged rows)."""
    _allowed(require_import, request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    batch = None
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["file"].size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than 200 MB: import it with “egov registries import”."))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = register_import(actor=request.user, register=form.cleaned_data["register"],
                                        content=upload.read(), file_name=upload.name,
                                        source=form.cleaned_data["source"])
            except ApplicationError as error:
                error.extra["field"] = "file"
                add_application_error(form, error)
                status = error.status
        else:
            status = 400
    columns = COLUMNS.get(batch.register, {}) if batch else {}
    report = {outcome: [(row["row"], columns.get(row["field"], row["field"]), row["reason"])
                        for row in getattr(batch, outcome, [])[:500]] for outcome in ("rejected", "flagged")}
    return render(request, "registries/import.html", {"form": form, "batch": batch, "report": report},
                  status=status)
