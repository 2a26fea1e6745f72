"""Feeds of what the portal publishes: news and notices (RSS 2.0) and published documents (政务公开,
Atom, RFC 4287), with Django's syndication framework. Each lists the 20 newest items; the links are
absolute on the requesting host."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from egov.documents.selectors import documents_published
from egov.portal.models_pages import SectionKind
from egov.portal.selectors_pages import pages_latest, section_index

FEED_ITEMS = 20


class _ArticleFeed(Feed):
    """Live articles of one ``SectionKind``, newest first."""

    kind = ""

    def link(self):
        index = section_index(kind=self.kind)
        return index.url if index is not None else "/"

    def items(self):
        return pages_latest(kind=self.kind, limit=FEED_ITEMS)

    def item_title(self, item):
        return item.local_title

    def item_description(self, item):
        return item.local_summary

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return f"egov-page-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_published_at or timezone.make_aware(datetime.datetime.combine(item.date, datetime.time()))

    def item_updateddate(self, item):
        return item.last_published_at


class NewsFeed(_ArticleFeed):
    """新闻动态 as RSS 2.0."""

    kind = SectionKind.NEWS
    title = _("News")
    description = _("News published on the portal")


class NoticeFeed(_ArticleFeed):
    """通知公告 as RSS 2.0."""

    kind = SectionKind.NOTICE
    title = _("Notices")
    description = _("Notices published on the portal")


class DisclosureFeed(Feed):
    """政务公开: the 20 documents published last (``documents_published``), as Atom."""

    feed_type = Atom1Feed
    title = _("Information disclosure")
    subtitle = _("Official documents published by the government")

    def link(self):
        return reverse("portal:disclosure_list")

    def items(self):
        return documents_published().order_by("-published_at", "-id")[:FEED_ITEMS]

    def item_title(self, item):
        return str(item)

    def item_description(self, item):
        return item.issuer.local_name

    def item_link(self, item):
        return reverse("portal:disclosure_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at
