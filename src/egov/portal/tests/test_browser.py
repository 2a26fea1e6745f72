"""Done when (issue 8): in Debian chromium, a visitor finds a published document with the public
site's search box, opens it, and opens its PDF."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from egov.documents.actions import document_import
from egov.documents.importing import document_parse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed" / "wuxi-egov-guidance-2004.zh-hans.txt"
TITLE = "市政府关于印发《无锡市电子政务建设指导意见》的通知"


def test_visitor_finds_a_published_document_and_opens_its_pdf(reference_data, live_server, phone_page, wuxi):
    document = document_import(actor=None, parsed=document_parse(SEED.read_bytes()), source_name=SEED.name,
                               publish=True)
    assert document.title == TITLE
    page = phone_page
    page.goto(live_server.url + "/")
    box = page.locator("main").get_by_role("searchbox", name="搜索文件、办事事项、开放数据和网页")
    box.fill("电子政务")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.startswith(f"{live_server.url}/search/?q=")
    first = page.locator("#search-results li").first
    expect(first.locator("mark").first).to_have_text("电子政务")
    with page.expect_navigation():
        first.locator("h2 a").click()
    assert page.url == f"{live_server.url}/disclosure/{document.pk}/"
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".govuk-inset-text")).to_be_visible()  # imported: the PDF is not signed by the platform

    with page.expect_response(lambda response: response.url.endswith(f"/disclosure/{document.pk}/pdf")) as caught:
        page.locator("#document-pdf").click()
    response = caught.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    # Chromium shows the PDF in its viewer, whose page is what the response's body holds: the bytes
    # are fetched again through the same browser context.
    fetched = page.context.request.get(response.url)
    assert fetched.headers["content-type"] == "application/pdf" and fetched.body().startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fetched.body())).pages)
    assert "".join(TITLE.split()) in "".join(text.split())


def test_the_phone_menu_reaches_the_news_and_marks_it(live_server, phone_page):
    """fix9: the public menu had no link to 新闻动态; on a phone it is behind the 菜单 button."""
    from egov.portal.actions_pages import cms_tree_ensure  # noqa: PLC0415
    from egov.workflow.actions import process_definitions_install_shipped  # noqa: PLC0415

    process_definitions_install_shipped()
    cms_tree_ensure()
    page = phone_page
    page.goto(live_server.url + "/")
    news = page.locator("#navigation").get_by_role("link", name="新闻动态")
    expect(news).to_be_hidden()
    page.get_by_role("button", name="菜单").click()
    expect(news).to_be_visible()
    expect(page.locator("#navigation").get_by_role("link", name="通知公告")).to_be_visible()
    expect(page.locator("#navigation").get_by_role("link", name="政策解读")).to_be_visible()
    with page.expect_navigation():
        news.click()
    assert page.url == f"{live_server.url}/news/"
    expect(page.locator("h1")).to_have_text("新闻动态")
    page.get_by_role("button", name="菜单").click()
    expect(page.locator("#navigation [aria-current=page]")).to_have_text("新闻动态")
