"""Public pages of the open resources (/open-data/): search of the resources marked 开放, one
resource with only its open 信息项, and the open catalog as files. Nothing of a resource or an
item that is not open is shown, searched, linked or exported here: a resource not open answers 404
as an unknown one does."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from egov.core.errors import NotFound
from egov.core.i18n import pick
from egov.exchange.catalog_selectors import catalog_providers, resource_get, resources_related, resources_search
from egov.exchange.dcat import EXPORT_MEDIA_TYPES, catalog_export_bytes
from egov.exchange.forms_catalog import OpenDataFilterForm

PER_PAGE = 20


def _page_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def open_list(request):
    """The open resources, searched by name, code, provider or open item name, 20 a page."""
    providers = catalog_providers(open_only=True)
    form = OpenDataFilterForm(request.GET or None,
                              providers=[(code, pick(name, name_en)) for code, name, name_en in providers])
    filters = form.cleaned_data if form.is_valid() else {}
    resources = resources_search(q=filters.get("q", ""), provider_code=filters.get("provider", ""),
                                 format=filters.get("format", ""), open_only=True)
    page = Paginator(resources, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "exchange/open_data/list.html", {"form": form, "page": page,
                                                            "query": _page_query(request)},
                  status=400 if form.errors else 200)


def open_detail(request, code: str):
    """One open resource with its open 信息项 and its open related resources."""
    try:
        resource = resource_get(code=code, open_only=True)
    except NotFound:
        raise Http404(_("No such open resource.")) from None
    return render(request, "exchange/open_data/detail.html", {
        "resource": resource, "items": list(resource.items.all()),
        "related": resources_related(resource=resource, open_only=True)})


@cache_control(public=True, max_age=300)
def open_download(request, format: str):
    """The open catalog as ``json`` (``egov exchange import``'s format) or ``xlsx``."""
    response = HttpResponse(catalog_export_bytes(format=format, open_only=True),
                            content_type=EXPORT_MEDIA_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="open-catalog.{format}"'
    return response


@cache_control(public=True, max_age=300)
def open_dcat(request):
    """The open catalog as DCAT-AP JSON-LD for harvesters (CKAN's DCAT harvester and the like)."""
    response = HttpResponse(catalog_export_bytes(format="dcat", open_only=True),
                            content_type="application/ld+json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response
