"""Public API of the one search: ``GET /api/v1/search?q=&kind=&organization=&year=`` (issue 21, item 3)."""

import datetime

from ninja import Query, Router, Schema

from egov.portal.search import search_filters_check, site_search

router = Router(tags=["search"])


class HitOut(Schema):
    kind: str
    title: str
    url: str
    reference: str
    organization: str
    date: datetime.date | None
    title_html: str
    snippet_html: str
    title_match: bool


class FacetOut(Schema):
    value: str
    label: str
    count: int


class SiteSearchOut(Schema):
    query: str
    truncated: bool
    words: list[str]
    kind: str
    total: int
    capped: bool
    pageable: int
    hits: list[HitOut]
    by_kind: list[FacetOut]
    by_organization: list[FacetOut]
    by_year: list[FacetOut]


@router.get("/search", response=SiteSearchOut, auth=None)
def search(request, q: str = "", kind: str = "", organization: str = "", year: str = "",
           limit: int = Query(20, ge=1, le=50), offset: int = Query(0, ge=0, le=10_000)):  # noqa: B008
    """Search everything published: documents (``document``), service items (``service``, also by
    pinyin or initials: ``gsdj``), open resources (``resource``); one ``kind`` or all.

    ``q`` loses markup tags and is cut to 100 characters (``truncated``); an empty ``q`` finds
    nothing. ``organization`` (an id) and ``year`` narrow the hits; an unknown kind, organization or
    year is a 400 ``{"message", "extra": {"field", "rule"}}``. Hits: title matches first, then by kind
    (service, document, resource). ``title_html`` and ``snippet_html`` are escaped HTML with the words
    in ``<mark>``; ``url`` is the hit's public page. Of all kinds together the first ``pageable``
    (at most 200) can be paged through by ``offset``; one kind pages through its own (up to 1,000).
    Facets count each kind (``by_kind``, under the organization and year given) and the hits by
    organization and year.
    """
    kind, found_organization, found_year = search_filters_check(kind=kind, organization=organization, year=year)
    results = site_search(q, kind=kind, organization=found_organization, year=found_year, limit=limit, offset=offset)

    def facets(entries):
        return [FacetOut(value=facet.value, label=facet.label, count=facet.count) for facet in entries]

    return SiteSearchOut(
        query=results.query, truncated=results.truncated, words=results.words, kind=results.kind,
        total=results.total, capped=results.capped, pageable=results.pageable,
        hits=[HitOut(kind=hit.kind, title=hit.title, url=hit.url, reference=hit.reference,
                     organization=hit.organization, date=hit.date, title_html=str(hit.title_html),
                     snippet_html=str(hit.snippet_html), title_match=hit.title_match) for hit in results.hits],
        by_kind=facets(results.by_kind), by_organization=facets(results.by_organization),
        by_year=facets(results.by_year))



