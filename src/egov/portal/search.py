"""The portal's one search (``/search/``, ``GET /api/v1/search``): published documents, service
items, open resources and, once registered, editorial pages, in one list (issue 21, item 3).

Each kind has a provider (``portal.search_providers.PROVIDERS``) that finds, ranks and bounds its
own candidates and counts them by organization and year. The list puts title matches first, then
the kinds in ``PROVIDERS`` order, each in its provider's order (documents: relevance, then the
newest; items: the name, then pinyin). With one ``kind`` chosen, that provider pages by itself; with
all kinds, the first ``MERGED_MAX`` hits can be paged through (more: choose a kind).

Facets: ``by_kind`` counts each kind's hits under the organization and year chosen (so that another
kind can be chosen); ``by_organization`` and ``by_year`` count the hits of the kinds shown (the one
chosen, or all), under the filters chosen: each provider counts at most its bound (about 1,000).

Bad input: control characters become spaces, markup tags are dropped (``documents.search.query_clean``),
the query cut to ``QUERY_MAX_CHARS`` (``truncated`` says so), an empty query asks no provider. Everything shown is
escaped; the query's words are ``<mark>``ed in escaped text.
"""

import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed
from egov.documents.search import QUERY_MAX_CHARS, query_clean, query_words
from egov.orgs.models import Organization
from egov.portal.search_hits import Found, Hit, SearchQuery
from egov.portal.search_providers import PROVIDERS

# With every kind shown, at most this many hits can be paged through (choose a kind for more).
MERGED_MAX = 200
YEAR_MIN, YEAR_MAX = 1949, 2100


@dataclass(frozen=True)
class Facet:
    """One filter value with its count: ``value`` (kind name, organization id, year), ``label``, ``count``."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SiteResults:
    """The one search's answer.

    ``query``: what was searched (no markup, at most ``QUERY_MAX_CHARS``); ``truncated``: it was cut;
    ``words``: its words (for the page's hint); ``kind``, ``organization``, ``year``: the filters
    applied ("" / None: none); ``total``: hits of the kinds shown (``capped``: some provider found
    more than it counts); ``hits``: the page asked for; ``pageable``: how many of ``total`` can be
    paged through; ``by_kind``, ``by_organization``, ``by_year``: the facets (``Facet``), most first
    (years newest first).
    """

    query: str
    truncated: bool = False
    words: list[str] = field(default_factory=list)
    kind: str = ""
    organization: Organization | None = None
    year: int | None = None
    total: int = 0
    capped: bool = False
    hits: list[Hit] = field(default_factory=list)
    pageable: int = 0
    by_kind: list[Facet] = field(default_factory=list)
    by_organization: list[Facet] = field(default_factory=list)
    by_year: list[Facet] = field(default_factory=list)


def kinds() -> list[tuple[str, str]]:
    """``(kind, label)`` of every provider, in order: the choices of the ``kind`` filter."""
    return [(provider.kind, str(provider.label)) for provider in PROVIDERS]


def search_filters_check(*, kind: str = "", organization: str | int | None = None,
                         year: str | int | None = None) -> tuple[str, Organization | None, int | None]:
    """The filters as typed (query-string text) checked: ``(kind, organization, year)``.

    Raises:
        ValidationFailed: ``extra["field"]`` ``kind`` (not a provider's kind), ``organization``
            (not an organization's id) or ``year`` (not a year from 1949 to 2100).
    """
    kind = (kind or "").strip()
    if kind and kind not in {provider.kind for provider in PROVIDERS}:
        raise ValidationFailed(_("Unknown kind: choose one of the kinds listed."), extra={"field": "kind",
                                                                                         "rule": "choice"})
    found_organization = None
    if organization not in (None, ""):
        try:
            found_organization = Organization.objects.get(pk=int(organization))
        except (TypeError, ValueError, OverflowError, Organization.DoesNotExist):
            raise ValidationFailed(_("No such organization."), extra={"field": "organization",
                                                                      "rule": "exists"}) from None
    found_year = None
    if year not in (None, ""):
        try:
            found_year = int(year)
        except (TypeError, ValueError):
            found_year = 0
        if not YEAR_MIN <= found_year <= YEAR_MAX:
            raise ValidationFailed(_("A year is written with four digits, from 1949 to 2100."),
                                   extra={"field": "year", "rule": "range"})
    return kind, found_organization, found_year


def site_search(query: str, *, kind: str = "", organization: Organization | None = None, year: int | None = None,
                limit: int = 20, offset: int = 0) -> SiteResults:
    """Search every kind (or ``kind``) for ``query``; see the module docstring.

    Args:
        query: what the person typed (any text; markup dropped, cut to ``QUERY_MAX_CHARS``).
        kind: a provider's kind (checked by ``search_filters_check``) or "" for all.
        organization, year: only hits of this organization, of this year.
        limit, offset: the page of hits (at most ``MERGED_MAX`` reachable when ``kind`` is "").

    Returns:
        ``SiteResults``; without words to search, no hits and no facets.
    """
    # Control characters (NUL above all: PostgreSQL refuses it in text) separate words, like spaces.
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in query_clean(query))
    truncated = len(text) > QUERY_MAX_CHARS
    text = text[:QUERY_MAX_CHARS]
    if not text.strip():
        return SiteResults(query=text, truncated=truncated, kind=kind, organization=organization, year=year)
    asked = SearchQuery(text=text, words=query_words(text), organization_id=organization.pk if organization else None,
                        organization_uscc=(organization.uscc or None) if organization else None, year=year)
    limit, offset = max(0, limit), max(0, offset)
    shown = [provider for provider in PROVIDERS if not kind or provider.kind == kind]
    found: dict[str, Found] = {}
    for provider in PROVIDERS:
        if kind and provider.kind == kind:
            found[provider.kind] = provider.search(asked, offset, limit)
        elif kind:
            found[provider.kind] = provider.search(asked, 0, 0)  # only its count, for the kind facet
        else:
            found[provider.kind] = provider.search(asked, 0, min(offset + limit, MERGED_MAX))
    if kind:
        hits = found[kind].hits
        pageable = found[kind].total
    else:
        # Title matches first, then kinds in PROVIDERS order, each in its provider's order (sorted is stable).
        merged = [(index, hit) for index, provider in enumerate(shown) for hit in found[provider.kind].hits]
        merged.sort(key=lambda pair: (not pair[1].title_match, pair[0]))
        hits = [hit for _index, hit in merged][offset:min(offset + limit, MERGED_MAX)]
        pageable = min(sum(found[provider.kind].total for provider in shown), MERGED_MAX)
    by_organization: dict[int, int] = {}
    by_year: dict[int, int] = {}
    for provider in shown:
        for organization_id, count in found[provider.kind].by_organization.items():
            by_organization[organization_id] = by_organization.get(organization_id, 0) + count
        for found_year, count in found[provider.kind].by_year.items():
            by_year[found_year] = by_year.get(found_year, 0) + count
    names = {org.pk: org.local_name for org in Organization.objects.filter(pk__in=by_organization)}
    return SiteResults(
        query=text, truncated=truncated, words=asked.words, kind=kind, organization=organization, year=year,
        total=sum(found[provider.kind].total for provider in shown),
        capped=any(found[provider.kind].capped for provider in shown), hits=hits, pageable=pageable,
        by_kind=[Facet(value=provider.kind, label=str(provider.label), count=found[provider.kind].total)
                 for provider in PROVIDERS],
        by_organization=sorted((Facet(value=str(pk), label=names[pk], count=count)
                                for pk, count in by_organization.items() if pk in names),
                               key=lambda facet: (-facet.count, facet.label)),
        by_year=[Facet(value=str(y), label=str(y), count=by_year[y]) for y in sorted(by_year, reverse=True)],
    )

