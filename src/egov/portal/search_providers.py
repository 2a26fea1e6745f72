"""The providers of the portal's one search (``portal.search``), one per kind of thing it finds.

``PROVIDERS`` is the list, in the order kinds are shown and ranked after title matches. To make
the search find another kind, write a function
``(SearchQuery, offset, limit) -> Found`` beside those below and add one ``Provider`` to
``PROVIDERS``; nothing else changes (the page, the facets and ``GET /api/v1/search`` read the list).
Each provider bounds its own work: at most about a thousand candidates per query.
"""

import datetime
import operator
from functools import reduce

from django.db.models import BooleanField, Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.documents.search import RESULTS_MAX, highlight, snippet
from egov.documents.selectors import document_search
from egov.exchange.catalog_selectors import resources_search
from egov.exchange.models import InformationResource
from egov.orgs.models import Organization
from egov.portal.models_pages import (
    NewsPage,
    NoticePage,
    OrganizationPage,
    PolicyInterpretationPage,
    TopicPage,
)
from egov.portal.search_hits import Found, Hit, Provider, SearchQuery
from egov.services.models import ServiceItem
from egov.services.search import ITEMS_MAX, service_item_search


def _window(offset: int, limit: int, bound: int) -> slice:
    return slice(min(offset, bound), min(offset + limit, bound))


def documents_provider(query: SearchQuery, offset: int, limit: int) -> Found:
    """Published documents (政务公开): ``documents.selectors.document_search`` (jieba and full-text
    search, a 发文字号 in any written form, title matches first, at most ``RESULTS_MAX`` counted)."""
    results = document_search(query.text, public=True, limit=limit, offset=offset, issuer_id=query.organization_id,
                              year=query.year, facets=True)
    hits = [Hit(kind="document", title=hit.document.title, title_html=hit.title_html,
                url=reverse("portal:disclosure_detail", args=[hit.document.pk]),
                organization=hit.document.issuer.local_name, date=hit.document.written_on,
                snippet_html=hit.snippet_html, title_match=hit.title_match or bool(results.number),
                reference=str(hit.document.number or ""))
            for hit in results.hits]
    return Found(total=results.total, hits=hits, capped=results.total_capped,
                 by_organization=results.by_issuer or {}, by_year=results.by_year or {})


def services_provider(query: SearchQuery, offset: int, limit: int) -> Found:
    """Published service items (政务服务事项) by name or by its pinyin and initials
    (``services.search.service_item_search``). Items have no date: a search for one year finds none."""
    if query.year is not None:
        return Found(total=0, hits=[])
    items = service_item_search(query=query.text, organization_id=query.organization_id)
    rows = list(items.values_list("pk", "organization_id")[: ITEMS_MAX + 1])
    capped = len(rows) > ITEMS_MAX
    rows = rows[:ITEMS_MAX]
    by_organization: dict[int, int] = {}
    for _pk, organization_id in rows:
        by_organization[organization_id] = by_organization.get(organization_id, 0) + 1
    page = [pk for pk, _organization in rows[_window(offset, limit, ITEMS_MAX)]]
    found = ServiceItem.objects.select_related("organization").in_bulk(page)
    hits = [Hit(kind="service", title=item.local_name, title_html=highlight(item.local_name, query.words),
                url=reverse("services:item", args=[item.code]), organization=item.organization.local_name,
                date=None, snippet_html=snippet(item.local_conditions, query.words), title_match=True,
                reference=item.code)
            for item in (found[pk] for pk in page)]
    return Found(total=len(rows), hits=hits, capped=capped, by_organization=by_organization)


def resources_provider(query: SearchQuery, offset: int, limit: int) -> Found:
    """Open resources of the information resource catalog (开放的信息资源): the query in the name,
    code, provider or an open item's name (``exchange.catalog_selectors.resources_search``), those
    with it in the name first, then by code."""
    resources = resources_search(q=query.text, provider_code=query.organization_uscc or "", open_only=True)
    if query.organization_id is not None and not query.organization_uscc:
        return Found(total=0, hits=[])  # an organization without a USCC provides nothing
    if query.year is not None:
        resources = resources.filter(published_on__year=query.year)
    resources = resources.annotate(
        in_name=Case(When(Q(name__icontains=query.text) | Q(name_en__icontains=query.text), then=Value(True)),
                     default=Value(False), output_field=BooleanField())
    ).order_by("-in_name", "code")
    rows = list(resources.values_list("pk", "provider_code", "published_on", "in_name")[: RESULTS_MAX + 1])
    capped = len(rows) > RESULTS_MAX
    rows = rows[:RESULTS_MAX]
    organizations = dict(Organization.objects.filter(uscc__in={row[1] for row in rows}).values_list("uscc", "pk"))
    by_organization: dict[int, int] = {}
    by_year: dict[int, int] = {}
    for _pk, provider_code, published_on, _in_name in rows:
        if provider_code in organizations:
            organization_id = organizations[provider_code]
            by_organization[organization_id] = by_organization.get(organization_id, 0) + 1
        by_year[published_on.year] = by_year.get(published_on.year, 0) + 1
    page = rows[_window(offset, limit, RESULTS_MAX)]
    found = InformationResource.objects.in_bulk([row[0] for row in page])
    hits = []
    for pk, _code, _published, in_name in page:
        resource = found[pk]
        hits.append(Hit(kind="resource", title=resource.local_name,
                        title_html=highlight(resource.local_name, query.words),
                        url=reverse("open_data:resource", args=[resource.code]),
                        organization=resource.local_provider_name, date=resource.published_on,
                        snippet_html=snippet(resource.local_summary, query.words), title_match=in_name,
                        reference=resource.code))
    return Found(total=len(rows), hits=hits, capped=capped, by_organization=by_organization, by_year=by_year)


_ARTICLE_MODELS = (NewsPage, NoticePage, PolicyInterpretationPage)
_PAGE_TEXT = {"article": ("title", "title_en", "summary", "summary_en", "body", "body_en"),
              "intro": ("title", "title_en", "intro", "intro_en")}


def _contains_all(fields: tuple[str, ...], terms: list[str]) -> Q:
    """Each of ``terms`` in at least one of ``fields`` (case-insensitive)."""
    return reduce(operator.and_, (reduce(operator.or_, (Q(**{f"{name}__icontains": term}) for name in fields))
                                  for term in terms))


def pages_provider(query: SearchQuery, offset: int, limit: int) -> Found:
    """Live editorial pages (``portal.models_pages``): news, notices, policy interpretations,
    organization and topic pages; a page still marked live after its expiry time (before the beat task
    unpublishes it) is left out, drafts and pages awaiting review are never live.

    A page matches when the whole query or each of its words (jieba) is in its title, summary or body
    (either language); those with every word in the title come first, then newest first (the
    article's date; organization and topic pages have none and come after). At most
    ``documents.search.RESULTS_MAX`` candidates are read: each page type gives at most that many, best
    first, and the best ``RESULTS_MAX`` of them are kept. ``by_organization``: the organization whose
    section holds the page (topic pages belong to none); ``by_year``: the article's date.
    """
    terms = [word for word in query.words if word.strip()] or [query.text]
    now = timezone.now()
    live = Q(live=True, expired=False) & (Q(expire_at__isnull=True) | Q(expire_at__gt=now))
    in_title_q = Q(title__icontains=query.text) | Q(title_en__icontains=query.text) | \
        _contains_all(("title", "title_en"), terms)
    sections = dict(OrganizationPage.objects.values_list("path", "organization_id"))
    if query.organization_id is not None:
        section_paths = [path for path, organization_id in sections.items()
                         if organization_id == query.organization_id]
        if not section_paths:
            return Found(total=0, hits=[])
    rows: list[tuple[bool, datetime.date | None, int, str, type]] = []
    sources = [(model, _PAGE_TEXT["article"]) for model in _ARTICLE_MODELS]
    if query.year is None:  # organization and topic pages have no date
        sources += [(OrganizationPage, _PAGE_TEXT["intro"]), (TopicPage, _PAGE_TEXT["intro"])]
    for model, fields in sources:
        candidates = model.objects.filter(live).filter(
            reduce(operator.or_, (Q(**{f"{name}__icontains": query.text}) for name in fields))
            | _contains_all(fields, terms))
        if query.organization_id is not None:
            candidates = candidates.filter(reduce(operator.or_, (Q(path__startswith=path) for path in section_paths)))
        is_article = model in _ARTICLE_MODELS
        if query.year is not None:
            candidates = candidates.filter(date__year=query.year)
        candidates = candidates.annotate(in_title=Case(When(in_title_q, then=Value(True)), default=Value(False),
                                                       output_field=BooleanField()))
        order = ("-in_title", "-date", "-pk") if is_article else ("-in_title", "-pk")
        if is_article:
            values = candidates.order_by(*order).values_list("in_title", "date", "pk", "path")[: RESULTS_MAX + 1]
        else:
            values = [(in_title, None, pk, path) for in_title, pk, path in
                      candidates.order_by(*order).values_list("in_title", "pk", "path")[: RESULTS_MAX + 1]]
        rows += [(in_title, date, pk, path, model) for in_title, date, pk, path in values]
    rows.sort(key=lambda row: (not row[0], -(row[1].toordinal() if row[1] else 0), -row[2]))
    capped = len(rows) > RESULTS_MAX
    rows = rows[:RESULTS_MAX]
    step = OrganizationPage.steplen

    def organization_of(path: str) -> int | None:
        for end in range(step, len(path) + 1, step):
            if path[:end] in sections:
                return sections[path[:end]]
        return None

    by_organization: dict[int, int] = {}
    by_year: dict[int, int] = {}
    for _in_title, date, _pk, path, _model in rows:
        organization_id = organization_of(path)
        if organization_id is not None:
            by_organization[organization_id] = by_organization.get(organization_id, 0) + 1
        if date is not None:
            by_year[date.year] = by_year.get(date.year, 0) + 1
    page = rows[_window(offset, limit, RESULTS_MAX)]
    organizations = Organization.objects.in_bulk({organization_of(row[3]) for row in page} - {None})
    hits = []
    for in_title, date, pk, path, model in page:
        item = model.objects.get(pk=pk)
        text = getattr(item, "local_summary", "") or strip_tags(getattr(item, "local_body", "")
                                                               or getattr(item, "local_intro", ""))
        organization = organizations.get(organization_of(path))
        hits.append(Hit(kind="page", title=item.local_title, title_html=highlight(item.local_title, query.words),
                        url=item.get_url() or "", organization=organization.local_name if organization else "",
                        date=date, snippet_html=snippet(text, query.words), title_match=in_title))
    return Found(total=len(rows), hits=hits, capped=capped, by_organization=by_organization, by_year=by_year)


PROVIDERS: tuple[Provider, ...] = (
    Provider(kind="service", label=_("Service items"), search=services_provider),
    Provider(kind="document", label=_("Documents"), search=documents_provider),
    Provider(kind="resource", label=_("Open data"), search=resources_provider),
    Provider(kind="page", label=pgettext_lazy("search kind", "Pages"), search=pages_provider),
)
