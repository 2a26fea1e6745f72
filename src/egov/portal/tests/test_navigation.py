"""The public navigation reaches the portal's sections (新闻动态, 通知公告, 政策解读) and the home page's
search box says what the search finds (fix9); Django's test client on PostgreSQL."""

import re

import pytest

from egov.portal.actions_pages import cms_section_ensure, cms_tree_ensure
from egov.portal.models_pages import NewsPage
from egov.workflow.actions import process_definitions_install_shipped

pytestmark = pytest.mark.django_db


def _nav(html: str) -> str:
    return html[html.index('<ul class="govuk-service-navigation__list"'):html.index("</nav>")]


def _active(html: str) -> list[str]:
    """The hrefs of the navigation's current items."""
    return re.findall(r'<a class="govuk-service-navigation__link" href="([^"]+)" aria-current="page">', _nav(html))


@pytest.fixture
def tree(city):
    process_definitions_install_shipped()
    cms_tree_ensure()
    section = cms_section_ensure(organization=city)
    news = section.add_child(instance=NewsPage(title="市政府召开电子政务推进会", title_en="E-government meeting",
                                               body="<p>会议内容。</p>", slug="news-meeting"))
    news.save_revision().publish()
    return news


def test_the_navigation_links_news_notices_and_policy_in_both_languages(client, tree):
    nav = _nav(client.get("/").content.decode())
    assert '<a class="govuk-service-navigation__link" href="/news/">新闻动态</a>' in nav
    assert '<a class="govuk-service-navigation__link" href="/notice/">通知公告</a>' in nav
    assert '<a class="govuk-service-navigation__link" href="/policy/">政策解读</a>' in nav
    nav = _nav(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert '<a class="govuk-service-navigation__link" href="/news/">News</a>' in nav
    assert '<a class="govuk-service-navigation__link" href="/policy/">Policies</a>' in nav  # the menu's short label


def test_the_section_shown_is_the_current_item(client, tree):
    assert _active(client.get("/news/").content.decode()) == ["/news/"]
    assert _active(client.get("/notice/").content.decode()) == ["/notice/"]
    # An article lives under its organization's page, not under /news/: its kind makes 新闻动态 current.
    article = client.get(tree.url)
    assert article.status_code == 200 and _active(article.content.decode()) == ["/news/"]
    assert _active(client.get("/disclosure/").content.decode()) == ["/disclosure/"]


def test_without_the_pages_tree_there_are_no_dead_links(client, db):
    nav = _nav(client.get("/services/").content.decode())
    assert "/news/" not in nav and "/notice/" not in nav


def test_the_home_search_box_says_it_searches_pages_too(client):
    html = client.get("/").content.decode()
    assert ('<label class="govuk-label govuk-label--s" for="home-search-q">搜索文件、办事事项、开放数据和网页</label>'
            in html)
    assert "公开文件、办事事项、开放数据和本站网页（新闻、通知公告、政策解读）" in html
    assert 'aria-describedby="home-search-q-hint"' in html
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Search documents, services, open data and pages</label>" in html
    assert "the site's pages (news, notices, policy interpretations)" in html
