"""The public navigation's links to the portal's CMS sections (新闻动态 /news/, 通知公告 /notice/,
政策解读 /policy/): Wagtail pages, so found in the page tree rather than by a URL name."""

from django import template
from django.conf import settings
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import pgettext_lazy

from egov.core.templatetags.govuk import nav_item_html
from egov.facilities.readcache import cache_key, scope_read
from egov.portal.models_pages import ArticlePage, SectionIndexPage, SectionKind
from egov.portal.pages_cache import PAGES_SCOPE

register = template.Library()

# The menu's labels (context "public menu": short in English, the sections' own names in Chinese).
MENU_LABELS = {SectionKind.NEWS: pgettext_lazy("public menu", "News"),
               SectionKind.NOTICE: pgettext_lazy("public menu", "Notices"),
               SectionKind.POLICY: pgettext_lazy("public menu", "Policies")}


def section_links() -> list[tuple[str, str]]:
    """``[(kind, url)]`` of the live section indexes, in ``SectionKind`` order (news, notices,
    policy), from the shared cache (dropped with every publication, ``PAGES_SCOPE``)."""

    def build() -> list[tuple[str, str]]:
        found = {page.kind: page.url for page in SectionIndexPage.objects.live()}
        return [(kind, found[kind]) for kind in SectionKind.values if found.get(kind)]

    return scope_read(scope=PAGES_SCOPE, key=cache_key("portal.section_links"), build=build,
                      seconds=settings.EGOV_PAGE_CACHE_SECONDS)


@register.simple_tag(takes_context=True)
def portal_section_nav(context) -> SafeString:
    """A ``govuk-service-navigation__item`` per live section, labelled by its kind (新闻动态, 通知公告,
    政策解读; ``MENU_LABELS``); current when the request's path lies in the section, or the page shown is an article
    of that kind (a news article lives under its organization's page, not under /news/)."""
    request = context.get("request")
    path = request.path if request is not None else ""
    page = context.get("page")
    shown_kind = page.kind if isinstance(page, ArticlePage | SectionIndexPage) else ""
    return format_html_join("", "{}", (
        (nav_item_html(url=url, label=MENU_LABELS[kind], current=path.startswith(url) or shown_kind == kind),)
        for kind, url in section_links()))
