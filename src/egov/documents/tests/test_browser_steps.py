"""Issue 12, item 4, in Debian chromium with the demo's three 公文 users: govclerk drafts, govreviewer
核稿 with an opinion, vicemayor 签发 with an opinion (second factor by a backup code), govclerk
复核, 登记 (the provisional number shown is the one given), 印制, 用印 (choosing the seal) and 核发;
then the history reads in Chinese."""

import re

import pytest
from playwright.sync_api import expect

from egov.demo import DEMO_BACKUP_CODES, DEMO_PASSWORD, demo_load
from egov.documents.models import OfficialDocument
from egov.documents.tests.browser import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "无锡市人民政府关于做好政务公开工作的通知"


def _sign_in(browser, live_server, username, backup_code=None):
    return staff_sign_in(browser, live_server.url, username, DEMO_PASSWORD, backup_code=backup_code,
                         viewport={"width": 1280, "height": 900}, timeout_ms=20_000)


def _open(page, live_server, document):
    page.goto(f"{live_server.url}/staff/documents/{document.pk}/")


def _press(page, label, opinion=None):
    if opinion is not None:
        page.fill("#id_opinion", opinion)
    with page.expect_navigation():
        page.locator("#document-steps").get_by_role("button", name=label, exact=True).click()


def _confirm(page, live_server, document, link):
    _open(page, live_server, document)
    with page.expect_navigation():
        # a link styled as a button
        page.locator("#document-steps").get_by_role("button", name=link, exact=True).click()


def test_the_office_walks_a_document_from_draft_to_dispatch(reference_data, live_server, browser):
    demo_load()
    clerk_context, clerk = _sign_in(browser, live_server, "govclerk")
    clerk.goto(live_server.url + "/staff/documents/new/")
    clerk.select_option("#id_kind", "notice")
    clerk.fill("#id_title", TITLE)
    clerk.select_option("#id_main_to", label=["无锡市财政局"])
    clerk.select_option("#id_disclosure", "proactive")
    clerk.fill("#id_body", "一、工作要求\n各部门要按要求做好政务公开。")
    clerk.locator("main form button[type=submit]").first.click()
    expect(clerk.locator("h1")).to_have_text(TITLE)
    document = OfficialDocument.objects.get(title=TITLE)
    _press(clerk, "送核稿")

    reviewer_context, reviewer = _sign_in(browser, live_server, "govreviewer")
    _open(reviewer, live_server, document)
    expect(reviewer.locator("label[for=id_opinion]")).to_have_text("核稿意见")
    _press(reviewer, "核稿通过", opinion="同意，请领导签发。")

    leader_context, leader = _sign_in(browser, live_server, "vicemayor", backup_code=DEMO_BACKUP_CODES[0])
    _open(leader, live_server, document)
    expect(leader.locator("#document-steps")).to_contain_text("退回修改")
    expect(leader.locator("#opinion-list")).to_contain_text("同意，请领导签发。")  # the 核稿意见 before signing
    _press(leader, "签发", opinion="同意。")
    document.refresh_from_db()
    assert document.status == "rechecking" and document.signers == "副市长孙明"

    _open(clerk, live_server, document)
    _press(clerk, "复核通过")
    _confirm(clerk, live_server, document, "登记编号")
    shown = clerk.locator("#provisional-number strong").first.inner_text()
    assert re.fullmatch(r"锡政发〔\d{4}〕\d+号", shown), shown
    expect(clerk.locator("#provisional-number")).to_contain_text("暂定")
    with clerk.expect_navigation():
        clerk.locator("#confirm-step").click()
    document.refresh_from_db()
    assert str(document.number) == shown

    _open(clerk, live_server, document)
    _press(clerk, "印制")
    _confirm(clerk, live_server, document, "用印")
    expect(clerk.locator("#seal-preview")).to_be_visible()
    clerk.get_by_label("无锡市人民政府（公章）").check()
    with clerk.expect_navigation():
        clerk.locator("#confirm-step").click()
    _confirm(clerk, live_server, document, "核发")
    expect(clerk.locator("#step-summary")).to_contain_text("无锡市财政局")
    expect(clerk.locator("#publication")).to_contain_text("核发后在门户网站公开")
    with clerk.expect_navigation():
        clerk.locator("#confirm-step").click()
    document.refresh_from_db()
    assert document.status == "issued" and document.sealed_pdf and document.published_at

    clerk.goto(f"{live_server.url}/staff/documents/{document.pk}/history/")
    history = clerk.locator("#history-table").inner_text()
    for sentence in ("市政府文书吴静 拟稿", "市政府文书吴静 送核稿", "市政府秘书钱𠀀 核稿通过：同意，请领导签发。",
                     "副市长孙明 签发：同意。", "市政府文书吴静 复核通过", f"市政府文书吴静 登记编号：{shown}",
                     "市政府文书吴静 用印：", "市政府文书吴静 核发，分送1个单位"):
        assert sentence in history, (sentence, history)
    assert "documents." not in history
    expect(clerk.locator("#opinion-list")).to_contain_text("签发意见")
    for context in (clerk_context, reviewer_context, leader_context):
        context.close()
