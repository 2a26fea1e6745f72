"""The one search's page (``/search/``): every kind of published thing, with filters by kind,
organization and year and their counts (``portal.search``). Thin: filters checked, a read, a page."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render

from egov.core.errors import ValidationFailed
from egov.portal.search import search_filters_check, site_search
from egov.services.search import service_item_example

PER_PAGE = 20


def _page_number(request) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), 1000)
    except ValueError:
        return 1


def _link(filters: dict, **changed) -> str:
    """The query string of the search with ``changed`` filters (a value "" drops one), page 1."""
    values = {**filters, **changed}
    return "?" + urlencode({name: value for name, value in values.items() if value not in ("", None)})


def _facet_links(results, filters: dict) -> dict:
    """Each facet value as ``{"label", "count", "href", "current"}``; choosing the current one again
    removes the filter ("All" entries come first)."""
    links = {}
    for name, facets, current in (("kind", results.by_kind, filters["kind"]),
                                  ("organization", results.by_organization, filters["organization"]),
                                  ("year", results.by_year, filters["year"])):
        entries = [{"label": None, "count": None, "href": _link(filters, **{name: ""}), "current": not current}]
        entries += [{"label": facet.label, "count": facet.count, "href": _link(filters, **{name: facet.value}),
                     "current": str(current) == facet.value} for facet in facets]
        links[name] = entries
    return links


def search(request):
    """``/search/?q=&kind=&organization=&year=&page=``: hits of every kind, title matches first, 20 a
    page. A filter that is not one (an unknown kind, organization or year) is dropped and named in an
    error summary, answering 400; the query itself is never refused (markup dropped, cut, escaped)."""
    query = request.GET.get("q", "")
    error = None
    try:
        kind, organization, year = search_filters_check(kind=request.GET.get("kind", ""),
                                                        organization=request.GET.get("organization"),
                                                        year=request.GET.get("year"))
    except ValidationFailed as failure:
        error, (kind, organization, year) = failure, ("", None, None)
    number = _page_number(request)
    results = site_search(query, kind=kind, organization=organization, year=year,
                          limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
    page = Paginator(range(results.pageable), PER_PAGE).get_page(number)
    if page.number != number:  # past the last page: show the last one
        results = site_search(query, kind=kind, organization=organization, year=year,
                              limit=PER_PAGE, offset=(page.number - 1) * PER_PAGE)
    params = request.GET.copy()
    params.pop("page", None)
    filters = {"q": results.query, "kind": kind, "organization": organization.pk if organization else "",
               "year": year or ""}
    return render(request, "portal/search/search.html", {
        "results": results, "searched": bool(results.query.strip()), "page": page, "page_number": page.number,
        "query": params.urlencode(), "filters": filters, "error": error, "example": service_item_example(),
        "facets": _facet_links(results, filters) if results.query.strip() else {},
    }, status=400 if error else 200)
