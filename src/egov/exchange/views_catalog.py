"""Staff pages of the information resource catalog (/staff/exchange/catalog/): search with filters
by catalog (基础, 主题, 部门), the classification tree, a resource with its 信息项, publishing and
editing (operators of the provider organization only: ``resource_publish`` decides and audits),
import of an XLSX or JSON file with a report, and the full export.

Every staff member may browse: a catalog entry describes what an organization holds, not the data.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound, PermissionDenied
from egov.core.forms import add_application_error
from egov.core.i18n import pick
from egov.exchange.actions import resource_publish
from egov.exchange.actions.sources import require_source_admin
from egov.exchange.catalog_io import catalog_import_file, resource_spec
from egov.exchange.catalog_selectors import (
    catalog_providers,
    classification_tree,
    providers_publishable_by,
    resource_get,
    resources_related,
    resources_search,
)
from egov.exchange.dcat import EXPORT_MEDIA_TYPES, catalog_export_bytes
from egov.exchange.forms_catalog import (
    CatalogFilterForm,
    CatalogUploadForm,
    ItemFormSet,
    ResourceForm,
    item_initial,
)
from egov.exchange.models import InformationResource
from egov.exchange.traffic_selectors import traffic_scope

PER_PAGE = 20


def page_query(request) -> str:
    """The GET parameters but ``page``, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _resource_or_404(code: str, *, open_only: bool = False) -> InformationResource:
    try:
        return resource_get(code=code, open_only=open_only)
    except NotFound as error:
        raise Http404(error.message) from None


def _may_publish(user) -> list:
    return list(providers_publishable_by(user=user))


@staff_required
def catalog_list(request):
    """The catalog: tabs by catalog, search and filters, 20 resources a page."""
    providers = [(code, pick(name, name_en)) for code, name, name_en in catalog_providers()]
    form = CatalogFilterForm(request.GET or None, providers=providers)
    filters = form.cleaned_data if form.is_valid() else {}
    is_open = {"yes": True, "no": False}.get(filters.get("is_open", ""))
    resources = resources_search(q=filters.get("q", ""), catalog=filters.get("catalog", ""),
                                 provider_code=filters.get("provider", ""),
                                 sharing_type=filters.get("sharing_type", ""), format=filters.get("format", ""),
                                 is_open=is_open)
    page = Paginator(resources, PER_PAGE).get_page(request.GET.get("page"))
    tabs = [("", _("All catalogs")), *InformationResource.Catalog.choices]
    return render(request, "exchange/catalog/list.html", {
        "form": form, "page": page, "query": page_query(request), "tabs": tabs,
        "current_catalog": filters.get("catalog", ""), "may_publish": bool(_may_publish(request.user)),
    }, status=400 if form.errors else 200)


@staff_required
def catalog_tree(request):
    """The classification 类-项-目-细目 of the resources in the catalog, each level with its count."""
    return render(request, "exchange/catalog/tree.html", {"tree": classification_tree()})


@staff_required
def resource_detail(request, code: str):
    """One resource: its fields, its 信息项 with sharing type and conditions, related resources."""
    resource = _resource_or_404(code)
    may_edit = any(org.uscc == resource.provider_code for org in _may_publish(request.user))
    try:
        require_source_admin(request.user, resource)
        may_admin_sources = True
    except PermissionDenied:
        may_admin_sources = False
    try:
        traffic_scope(user=request.user, resource=resource)
        may_see_traffic = True
    except NotFound:
        may_see_traffic = False
    return render(request, "exchange/catalog/detail.html", {
        "resource": resource, "items": list(resource.items.all()),
        "related": resources_related(resource=resource), "may_edit": may_edit,
        "may_admin_sources": may_admin_sources, "may_see_traffic": may_see_traffic,
        "stale_since": resource.stale_since()})


def _edit_page(request, *, form, items, resource, status=200):
    return render(request, "exchange/catalog/edit.html", {"form": form, "items": items, "resource": resource},
                  status=status)


@staff_required
def resource_edit(request, code: str | None = None):
    """Publish a new resource, or edit one, with its 信息项 as a repeatable table (blank rows are
    left out; a row marked for removal is removed unless a grant names it). Only operators of an
    organization see the form; ``resource_publish`` decides whether they may publish for the
    provider chosen (deny by default)."""
    providers = _may_publish(request.user)
    if not providers:
        raise DjangoPermissionDenied(_("Only operators of the providing organization publish resources."))
    resource = _resource_or_404(code) if code else None
    if resource is not None and resource.provider_code not in {org.uscc for org in providers}:
        raise DjangoPermissionDenied(_("Only operators of the providing organization edit its resources."))
    if request.method != "POST":
        initial = {"published_on": timezone.localdate()}
        if resource is not None:
            initial = {name: getattr(resource, name) for name in ResourceForm.base_fields}
            initial["related_codes"] = ", ".join(resource.related_codes)
        form = ResourceForm(initial=initial, providers=providers, editing=resource is not None)
        items = ItemFormSet(prefix="items", initial=[item_initial(i) for i in resource.items.all()] if resource
                            else None)
        return _edit_page(request, form=form, items=items, resource=resource)
    form = ResourceForm(request.POST, initial={"code": resource.code} if resource else None, providers=providers,
                        editing=resource is not None)
    items = ItemFormSet(request.POST, prefix="items")
    if not (form.is_valid() and items.is_valid()):
        return _edit_page(request, form=form, items=items, resource=resource, status=400)
    rows = [row.as_item() for row in items.forms if not row.is_blank() and not row.cleaned_data.get("DELETE")]
    data = {**form.cleaned_data, "items": rows}
    data["provider_name"] = next(org.name for org in providers if org.uscc == data["provider_code"])
    data["provider_name_en"] = next(org.name_en for org in providers if org.uscc == data["provider_code"])
    existing = InformationResource.objects.filter(code=data["code"]).first() if resource is None else None
    if existing is not None:
        # The same form sent twice (a double click, a reload) is the same publication: show it.
        if resource_spec(existing) == {**data, "published_on": data["published_on"].isoformat()}:
            return redirect("exchange_catalog:resource", code=existing.code)
        form.add_error("code", _("A resource with this code is in the catalog already."))
        return _edit_page(request, form=form, items=items, resource=resource, status=409)
    try:
        published = resource_publish(actor=request.user, data=data)
    except ApplicationError as error:
        add_application_error(form, error)
        messages.error(request, error.message)
        return _edit_page(request, form=form, items=items, resource=resource, status=error.status)
    messages.success(request, _("Published: %(name)s") % {"name": published.name})
    return redirect("exchange_catalog:resource", code=published.code)


@staff_required
def catalog_upload(request):
    """Import an XLSX or JSON catalog file as the signed-in staff member; the report lists what was
    imported or every row refused (and then nothing is imported)."""
    report = None
    form = CatalogUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            kind = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
            try:
                report = catalog_import_file(actor=request.user, content=upload.read(), kind=kind)
            except ApplicationError as error:
                add_application_error(form, error)
                status = error.status
            else:
                status = 200 if not report.rejected else 400
        else:
            status = 400
    return render(request, "exchange/catalog/upload.html", {"form": form, "report": report}, status=status)


@staff_required
def catalog_download(request, format: str):
    """The whole catalog (``json``, ``xlsx``) or its open part as DCAT-AP (``dcat``), as a file."""
    if format not in EXPORT_MEDIA_TYPES:
        raise Http404(_("No such export format."))
    content = catalog_export_bytes(format=format, open_only=False)
    response = HttpResponse(content, content_type=EXPORT_MEDIA_TYPES[format])
    suffix = "jsonld" if format == "dcat" else format
    response["Content-Disposition"] = f'attachment; filename="catalog-{timezone.localdate():%Y%m%d}.{suffix}"'
    return response

