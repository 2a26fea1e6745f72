"""Staff page of credit imports (mounted at /staff/credit/import/): a providing organization's staff upload a
CSV or XLSX file of its records (``imports.records_import``), see the counts and the rejected and held rows,
and download the report as CSV. Staff holding ``permissions.ENTER_ROLES`` somewhere only (403 otherwise); an
import is shown to the staff of its providing organization only (404 otherwise)."""

import io

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError
from egov.core.forms import add_application_error
from egov.credit.forms import ImportForm
from egov.credit.imports import COLUMNS, records_import
from egov.credit.models import CreditImport
from egov.credit.permissions import providers_of
from egov.facilities.tabular import report_write

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SHOWN_ROWS = 200


def _providers(request):
    providers = providers_of(request.user)
    if not providers.exists():
        raise HttpForbidden(_("Only the staff who decide penalties and listings may import them."))
    return providers


@staff_required
def import_new(request):
    """The upload form; after a valid POST the file is imported and the browser goes to its result."""
    providers = _providers(request)
    form = ImportForm(request.POST or None, request.FILES or None, providers=providers)
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["file"].size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than 20 MB: import it with “egov credit import”."))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = records_import(
                    actor=request.user,
                    provider=form.cleaned_data["provider"],
                    content=upload.read(),
                    file_name=upload.name,
                )
            except ApplicationError as error:
                error.extra["field"] = "file"
                add_application_error(form, error)
                status = error.status
            else:
                return redirect("credit_staff:import", pk=batch.pk)
        else:
            status = 400
    return render(request, "credit/staff/import_new.html", {"form": form, "columns": COLUMNS}, status=status)


def _batch(request, pk: int) -> CreditImport:
    batch = CreditImport.objects.select_related("provider").filter(pk=pk, provider__in=_providers(request)).first()
    if batch is None:
        raise Http404
    return batch


@staff_required
def import_detail(request, pk: int):
    """One import's counts and its rejected and held rows (the first ``SHOWN_ROWS``), with the report's link."""
    batch = _batch(request, pk)
    rows = [
        (row["row"], COLUMNS.get(row["field"], row["field"]), row["reason"], row["outcome"])
        for row in batch.report[:SHOWN_ROWS]
    ]
    return render(
        request,
        "credit/staff/import.html",
        {"batch": batch, "rows": rows, "more": max(len(batch.report) - SHOWN_ROWS, 0)},
    )


@staff_required
def import_report(request, pk: int):
    """The import's report as CSV (UTF-8 with BOM): row, field, rule, reason, outcome."""
    batch = _batch(request, pk)
    out = io.StringIO()
    report_write(out, [("", batch.report)])
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="credit-import-{batch.pk}.report.csv"'
    return response
