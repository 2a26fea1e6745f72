"""The shapes shared by the portal's one search (``portal.search``) and its providers
(``portal.search_providers``): what is asked (``SearchQuery``), one hit (``Hit``), one provider's
answer (``Found``) and a provider (``Provider``)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString


@dataclass(frozen=True)
class SearchQuery:
    """One search as the providers receive it.

    ``text``: what was typed, without markup tags, cut to ``documents.search.QUERY_MAX_CHARS``
    characters (never empty: an empty search asks no provider); ``words``: its words (jieba, as
    documents are searched; for highlighting, possibly empty for a 发文字号 or pinyin); ``organization_id``
    and ``organization_uscc``: only what this organization issued, implements or provides (None: any);
    ``year``: only what is dated in this year (things without a date are left out); None: any year.
    """

    text: str
    words: list[str]
    organization_id: int | None = None
    organization_uscc: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Hit:
    """One thing found, whatever its kind.

    ``kind``: the provider's kind (``document``, ``service``, ``resource``, later ``page``);
    ``title``: plain text; ``title_html`` and ``snippet_html``: escaped HTML with the query's words in
    ``<mark>``; ``url``: its public page (a path of this site); ``reference``: its number as people
    cite it (发文字号, item code, resource code) or ""; ``organization``: who issued, implements or
    provides it, in the page's language; ``date``: 成文日期, publication date or None;
    ``title_match``: the query's words are all in the title (these come first).
    """

    kind: str
    title: str
    title_html: SafeString
    url: str
    organization: str
    date: datetime.date | None
    snippet_html: SafeString
    title_match: bool
    reference: str = ""


@dataclass(frozen=True)
class Found:
    """One provider's answer: ``total`` things found (counted up to the provider's bound;
    ``capped``: more were found), the ``hits`` asked for (offset, limit), and over everything found
    (up to the bound) the counts ``by_organization`` (organization id → count) and ``by_year``."""

    total: int
    hits: list[Hit]
    capped: bool = False
    by_organization: dict[int, int] = field(default_factory=dict)
    by_year: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Provider:
    """One kind of thing the one search finds.

    ``kind``: a short stable name (the ``kind`` filter's value, in URLs and the API); ``label``: its
    name shown to people (a lazy translation); ``search(query, offset, limit)``: the ``Found`` for
    ``query``, its hits ``offset`` … ``offset + limit`` in the provider's own order, best first, with
    bounded work whatever the query (a provider reads at most about a thousand candidates).
    """

    kind: str
    label: str
    search: Callable[[SearchQuery, int, int], Found]
