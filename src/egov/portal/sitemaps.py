"""sitemap.xml (sitemaps.org protocol 0.9): Wagtail's live pages and the apps' public lists and
published documents."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from wagtail.contrib.sitemaps import Sitemap as PageSitemap

from egov.documents.selectors import documents_published

# The public lists other apps render, linked into the site (url name → change frequency).
APP_LISTS = {
    "services:catalog": "daily", "services:results": "daily", "services:ratings": "weekly",
    "portal:disclosure_list": "daily", "open_data:list": "weekly", "credit_public:search": "weekly",
    "portal:economy": "monthly",
}


class AppListSitemap(Sitemap):
    """The apps' public list pages."""

    def items(self):
        return list(APP_LISTS)

    def location(self, item):
        return reverse(item)

    def changefreq(self, item):
        return APP_LISTS[item]


class DocumentSitemap(Sitemap):
    """Every published document's page (政务公开)."""

    changefreq = "monthly"
    limit = 5000

    def items(self):
        return documents_published().select_related(None).only("pk", "published_at").order_by("pk")

    def location(self, item):
        return reverse("portal:disclosure_detail", args=[item.pk])

    def lastmod(self, item):
        return item.published_at


SITEMAPS = {"pages": PageSitemap, "lists": AppListSitemap, "documents": DocumentSitemap}
