"""Reads of the portal's editorial pages (Wagtail), for the public pages, the feeds and the sitemap."""

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.translation import get_language
from wagtail.models import Page

from egov.facilities.readcache import cache_key, scope_read
from egov.portal.models_pages import (
    PAGES_SCOPE,
    ArticlePage,
    HomePage,
    SectionIndexPage,
    SectionKind,
    live_articles,
)


def pages_live(*, kind: str | None, under: Page | None = None) -> QuerySet:
    """The live articles of ``kind`` (a ``SectionKind``, or None for every kind), newest first,
    optionally only those below ``under`` (``models_pages.live_articles``)."""
    return live_articles(kind=kind, under=under)


def pages_latest(*, kind: str, limit: int = 5) -> list[ArticlePage]:
    """The ``limit`` newest live articles of ``kind`` (home page, feeds)."""
    return list(pages_live(kind=kind)[:limit])


def section_index(*, kind: str) -> SectionIndexPage | None:
    """The live index page listing ``kind``, or None when the site has none."""
    return SectionIndexPage.objects.live().filter(kind=kind).first()


def home_page() -> HomePage | None:
    """The live home page of the site's tree, or None before the tree is built (``egov demo``)."""
    return HomePage.objects.live().first()


def home_news_html() -> str:
    """The home page's editorial part as HTML: the home page's introduction and the five newest news
    articles and notices with links to their indexes; empty before the page tree exists. Kept in the
    shared cache per language until the next publication (``PAGES_SCOPE``)."""

    def build() -> str:
        home = home_page()
        if home is None:
            return ""
        return render_to_string("portal/pages/_home_editorial.html", {
            "home": home, "news": pages_latest(kind=SectionKind.NEWS), "notices": pages_latest(kind=SectionKind.NOTICE),
            "news_index": section_index(kind=SectionKind.NEWS), "notice_index": section_index(kind=SectionKind.NOTICE)})

    return scope_read(scope=PAGES_SCOPE, key=cache_key("portal.home", get_language() or ""), build=build,
                      seconds=settings.EGOV_PAGE_CACHE_SECONDS)
