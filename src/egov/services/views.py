"""Public catalogue pages: the list of service items and one item's guide (办事指南). Thin."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from egov.core.errors import NotFound
from egov.services.forms import CatalogFilterForm
from egov.services.formschema import form_fields
from egov.services.selectors import service_item_get, service_item_list

_PER_PAGE = 20


def catalog_list(request):
    """Published items, filtered by life event, who applies, organization and type, searched by name,
    20 a page."""
    form = CatalogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = service_item_list(
        organization_id=filters["organization"].pk if filters.get("organization") else None,
        item_type=filters.get("item_type") or None,
        applicant_kind=filters.get("audience") or None,
        q=filters.get("q", ""), theme=filters.get("theme") or None,
    )
    page = Paginator(items, _PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "services/catalog_list.html",
                  {"form": form, "page": page, "query": query.urlencode()}, status=400 if form.errors else 200)


def catalog_detail(request, code: str):
    """The guide of one published item: basis, limits, fees, materials, process, form fields."""
    try:
        item = service_item_get(code=code)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(request, "services/catalog_detail.html",
                  {"item": item, "fields": form_fields(item.form_schema), "materials": list(item.materials.all())})
