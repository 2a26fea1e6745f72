"""The portal's public feeds and sitemap, and Wagtail's page serving (last: it answers any path)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from wagtail import urls as wagtail_urls

from egov.portal.feeds import DisclosureFeed, NewsFeed, NoticeFeed
from egov.portal.sitemaps import SITEMAPS

feed_patterns = [
    path("feeds/news.xml", NewsFeed(), name="feed_news"),
    path("feeds/notices.xml", NoticeFeed(), name="feed_notices"),
    path("feeds/disclosure.xml", DisclosureFeed(), name="feed_disclosure"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]

# Mounted by egov.urls_public after every other pattern.
page_patterns = [path("", include(wagtail_urls))]
