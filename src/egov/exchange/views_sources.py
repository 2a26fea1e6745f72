"""Staff pages of a resource's sources (异源), under the catalog's resource page:
``resources/<code>/sources/`` (the sources, each with its connection hint, mapping and, on
request, a preview of the first rows) and ``…/sources/new/``, ``…/sources/<source>/edit/``.

Only a data steward or operator of the providing organization (``require_source_admin``); others
are refused (403). A preview reads the records, so it is made only when asked and is audited.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound, PermissionDenied
from egov.core.forms import add_application_error
from egov.exchange.actions.sources import require_source_admin, resource_source_preview, resource_source_save
from egov.exchange.catalog_selectors import resource_get
from egov.exchange.forms_sources import SourceForm
from egov.exchange.models import InformationItem, InformationResource, ResourceSource

PREVIEW_ROWS = 5
_FIELD_OF = {"code": "code", "kind": "kind", "connection": "location", "table": "table",
             "key_column": "key_column", "change_column": "change_column"}


def _resource_for_admin(request, code: str) -> InformationResource:
    try:
        resource = resource_get(code=code)
        require_source_admin(request.user, resource)
    except NotFound as error:
        raise Http404(error.message) from None
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from None
    return resource


def problem_reason_text(reason: str) -> str:
    """A problem's reason (``adapters.rows_convert``: ``missing`` or ``not of type <letter>``, English
    words on the wire) in the page's language: ``not of type D`` → 不是 D（日期）类型的值."""
    if reason == "missing":
        return _("the column is missing from the row")
    if reason.startswith("not of type "):
        letter = reason.removeprefix("not of type ")
        label = dict(InformationItem.DataType.choices).get(letter)
        if label is not None:
            return _("not a value of type %(letter)s (%(name)s)") % {"letter": letter, "name": label}
    return reason


@staff_required
def source_list(request, code: str):
    """The resource's sources; ``?preview=<source code>`` adds that source's first rows."""
    resource = _resource_for_admin(request, code)
    sources = list(resource.sources.all())
    preview = None
    wanted = request.GET.get("preview", "")
    if wanted:
        source = next((s for s in sources if s.code == wanted), None)
        if source is None:
            raise Http404
        items = {i.field: i for i in resource.items.all()}
        try:
            records, problems = resource_source_preview(actor=request.user, source=source, n=PREVIEW_ROWS)
            fields = [f for f in items if f in source.mapping]
            preview = {"source": source, "items": [items[f] for f in fields],
                       "rows": [[(items[f], r.get(f)) for f in fields] for r in records],
                       "problems": [{"row": p.row, "item": items[p.item].local_name if p.item in items else p.item,
                                     "reason": problem_reason_text(p.reason)} for p in problems]}
        except ApplicationError as error:
            preview = {"source": source, "error": error.message}
    return render(request, "exchange/catalog/sources.html", {
        "resource": resource, "sources": [(s, [(i, s.mapping.get(i.field, "")) for i in resource.items.all()])
                                          for s in sources],
        "preview": preview}, status=503 if preview and preview.get("error") else 200)


@staff_required
def source_edit(request, code: str, source: str | None = None):
    """Add a source to the resource or change one; the mapping is checked against the source."""
    resource = _resource_for_admin(request, code)
    existing = None
    if source is not None:
        existing = ResourceSource.objects.filter(resource=resource, code=source).first()
        if existing is None:
            raise Http404
    if request.method != "POST":
        initial = {}
        if existing is not None:
            initial = {"code": existing.code, "kind": existing.kind, "table": existing.table,
                       "key_column": existing.key_column, "change_column": existing.change_column,
                       **{f"map_{f}": c for f, c in existing.mapping.items()}}
        form = SourceForm(initial=initial, resource=resource, editing=existing is not None)
        return _page(request, form, resource, existing)
    form = SourceForm(request.POST, initial={"code": existing.code} if existing else None, resource=resource,
                      editing=existing is not None)
    if not form.is_valid():
        return _page(request, form, resource, existing, status=400)
    try:
        saved = resource_source_save(actor=request.user, resource=resource, code=form.cleaned_data["code"],
                                     kind=form.cleaned_data["kind"], connection=form.connection(),
                                     table=form.cleaned_data["table"].strip(),
                                     key_column=form.cleaned_data["key_column"].strip(),
                                     change_column=form.cleaned_data["change_column"].strip(),
                                     mapping=form.mapping())
    except ApplicationError as error:
        field = error.extra.get("field")
        if field == "mapping" and error.extra.get("item") in {i.field for i in form.items}:
            form.add_error(f"map_{error.extra['item']}", error.message)
        elif field in _FIELD_OF:
            form.add_error(_FIELD_OF[field], error.message)
        else:
            add_application_error(form, error)
        return _page(request, form, resource, existing, status=error.status)
    return redirect(f"{reverse('exchange_catalog:sources', args=[resource.code])}?{urlencode({'preview': saved.code})}")


def _page(request, form, resource, existing, status=200):
    return render(request, "exchange/catalog/source_edit.html",
                  {"form": form, "resource": resource, "source": existing}, status=status)
