"""The one search finds live editorial pages (issue 21, item 3, ``search_providers.pages_provider``):
a live page is found, a draft and an expired page are not; title matches first; organization and year
facets. Expected values worked out by hand from the pages below."""

import datetime

import pytest
from django.utils import timezone

from egov.portal.actions_pages import cms_section_ensure, cms_tree_ensure
from egov.portal.models_pages import NewsPage, NoticePage
from egov.portal.search import site_search
from egov.workflow.actions import process_definitions_install_shipped


@pytest.fixture
def pages(city):
    process_definitions_install_shipped()
    cms_tree_ensure()
    section = cms_section_ensure(organization=city)
    now = timezone.now()

    def add(model, slug, title, *, body="<p>内容。</p>", summary="", live=True, date=datetime.date(2026, 3, 2),
            **fields):
        page = section.add_child(instance=model(title=title, slug=slug, body=body, summary=summary, date=date,
                                                live=live, **fields))
        page.save_revision()
        return page

    return {
        "section": section,
        "news": add(NewsPage, "twin-news", "数字孪生城市建设启动", summary="全市数字孪生城市建设今日启动。"),
        "notice": add(NoticePage, "twin-notice", "关于征集城市治理意见的通知", date=datetime.date(2025, 11, 5),
                      body="<p>欢迎就<b>数字孪生</b>平台提出意见。</p>"),
        "draft": add(NewsPage, "twin-draft", "数字孪生草稿", live=False),
        "expired": add(NoticePage, "twin-expired", "数字孪生过期通知", expire_at=now - datetime.timedelta(minutes=1)),
        "expired_flag": add(NewsPage, "twin-old", "数字孪生旧闻", expired=True, live=False),
    }


def test_live_pages_found_drafts_and_expired_not(pages, city):
    results = site_search("数字孪生", kind="page")
    assert [(hit.kind, hit.title, hit.title_match) for hit in results.hits] == [
        ("page", "数字孪生城市建设启动", True),  # title match first
        ("page", "关于征集城市治理意见的通知", False),  # the words in the body only
    ]
    news, notice = results.hits
    assert news.url == pages["news"].url and news.url.endswith("/twin-news/")
    # jieba cuts the query into 数字 / 孪生; each word is marked
    assert news.snippet_html == "全市<mark>数字</mark><mark>孪生</mark>城市建设今日启动。"  # the summary
    assert notice.snippet_html == "欢迎就<mark>数字</mark><mark>孪生</mark>平台提出意见。"  # the body, tags stripped
    assert "<b>" not in notice.snippet_html
    assert news.organization == city.local_name and news.date == datetime.date(2026, 3, 2)
    assert results.total == 2
    assert [(f.value, f.count) for f in results.by_year] == [("2026", 1), ("2025", 1)]
    assert [(f.value, f.count) for f in results.by_organization] == [(str(city.pk), 2)]
    assert ("page", 2) in [(f.value, f.count) for f in results.by_kind]


def test_page_filters_by_year_and_organization(pages, city, make_organization_other):
    assert [hit.title for hit in site_search("数字孪生", kind="page", year=2025).hits] == ["关于征集城市治理意见的通知"]
    assert site_search("数字孪生", kind="page", year=2024).hits == []
    assert len(site_search("数字孪生", kind="page", organization=city).hits) == 2
    assert site_search("数字孪生", kind="page", organization=make_organization_other).total == 0


def test_pages_kind_is_labelled_and_on_the_search_page(client, pages):
    response = client.get("/search/", {"q": "数字孪生"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'href="/twin-news/"' in text or "/twin-news/" in text
    assert "数字孪生草稿" not in text and "数字孪生过期通知" not in text and "数字孪生旧闻" not in text
    assert 'egov-search-hit__kind">网页</strong>' in text  # the hit's kind, and the kind facet


@pytest.fixture
def make_organization_other(db):
    from egov.services.tests.factories import make_organization

    return make_organization(name="无锡市数据局")
