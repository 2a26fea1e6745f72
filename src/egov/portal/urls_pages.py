"""The portal's public feeds and sitemap, and Wagtail's page serving (last: it answers any path)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path
from wagtail import views as wagtail_views

from egov.portal.feeds import DisclosureFeed, NewsFeed, NoticeFeed
from egov.portal.pages_cache import anonymous_page
from egov.portal.sitemaps import SITEMAPS

feed_patterns = [
    path("feeds/news.xml", NewsFeed(), name="feed_news"),
    path("feeds/notices.xml", NoticeFeed(), name="feed_notices"),
    path("feeds/disclosure.xml", DisclosureFeed(), name="feed_disclosure"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]

# Mounted by egov.urls_public after every other pattern: Wagtail's page serving only, by its pattern
# less the prefixes the public site never answers with a page (the staff site's, the API's, static
# files'). Not wagtail.urls whole: its "_util/login/" would be a second sign-in form beside the
# throttled one, and its password-protected pages are not used here.
SERVE_PATTERN = r"^(?!(?:staff|admin|api|static)/)((?:[\w\-]+/)*)$"


def page_serve(request, path: str):
    """Wagtail's ``serve``; for a visitor not signed in, the whole page from the shared cache without
    routing through the tree (``pages_cache.anonymous_page``: dropped on every publication)."""
    return anonymous_page(request, render=lambda: wagtail_views.serve(request, path))


page_patterns = [re_path(SERVE_PATTERN, page_serve, name="wagtail_serve")]
