"""Public search API: ``GET /api/v1/documents/search?q=`` over published documents (政务公开)."""

import datetime

from django.urls import reverse
from ninja import Query, Router, Schema

from egov.documents.selectors import document_search

router = Router(tags=["documents"])


class SearchHitOut(Schema):
    id: int
    title: str
    number: str
    issuer: str
    written_on: datetime.date | None
    url: str
    pdf_url: str
    title_html: str
    snippet_html: str
    title_match: bool


class SearchOut(Schema):
    query: str
    truncated: bool
    words: list[str]
    total: int
    total_capped: bool
    hits: list[SearchHitOut]


@router.get("/search", response=SearchOut, auth=None)
def search(request, q: str = "", limit: int = Query(20, ge=1, le=50), offset: int = Query(0, ge=0, le=10_000)):  # noqa: B008
    """Search published documents: title matches first, then relevance (PostgreSQL), then the newest.

    ``q`` is cut to 100 characters (``truncated``) and segmented into ``words`` (jieba); a query
    without words finds nothing. ``title_html`` and ``snippet_html`` are escaped HTML with the
    words in ``<mark>``. ``url`` is the document's public page, ``pdf_url`` its PDF. At most 1,000
    hits are counted and can be paged through: ``total_capped`` says more were found than ``total``
    (1,000), and an ``offset`` past them returns no hits.
    """
    results = document_search(q, public=True, limit=limit, offset=offset)
    return SearchOut(query=results.query, truncated=results.truncated, words=results.words, total=results.total,
                     total_capped=results.total_capped,
                     hits=[SearchHitOut(
                         id=hit.document.pk, title=hit.document.title, number=str(hit.document.number or ""),
                         issuer=hit.document.issuer.name, written_on=hit.document.written_on,
                         url=reverse("portal:disclosure_detail", args=[hit.document.pk]),
                         pdf_url=reverse("portal:disclosure_pdf", args=[hit.document.pk]),
                         title_html=str(hit.title_html), snippet_html=str(hit.snippet_html),
                         title_match=hit.title_match) for hit in results.hits])
