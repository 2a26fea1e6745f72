"""Done when (issue 7): in Debian chromium, a draft goes from 拟稿 to 核发 (the leader signs off in a
session verified with a backup code), and a receiving clerk takes it from 签收 to 归档."""

import pytest
from playwright.sync_api import expect

from egov.accounts.actions import staff_backup_codes_issue, staff_user_create
from egov.documents.models import IncomingDocument, OfficialDocument
from egov.documents.tests.browser import staff_sign_in
from egov.documents.tests.conftest import PASSWORD
from egov.orgs.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, live_server, username, backup_code=None):
    return staff_sign_in(browser, live_server.url, username, PASSWORD, backup_code=backup_code)


# The steps confirmed on a page of their own (登记, 用印, 核发): the button is a link to that page.
_CONFIRMED = {"printing": "register", "dispatching": "seal", "issued": "dispatch"}


def _move(page, live_server, document, to):
    page.goto(f"{live_server.url}/staff/documents/{document.pk}/")
    with page.expect_navigation():
        if to in _CONFIRMED:
            page.locator(f'a[data-step="{_CONFIRMED[to]}"]').click()
        else:
            page.locator(f'button[name="to"][value="{to}"]').click()
    if to in _CONFIRMED:
        with page.expect_navigation():
            page.locator("#confirm-step").click()
    document.refresh_from_db()
    assert document.status == to, (to, page.locator("main").inner_text()[:500])


def _step(page, live_server, incoming, step, fill=None):
    page.goto(f"{live_server.url}/staff/documents/incoming/{incoming.pk}/")
    form = page.locator(f'form[action$="/{step}/"]')
    if fill:
        fill(form)
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    incoming.refresh_from_db()


def test_draft_to_dispatch_and_receipt_to_archive(reference_data, live_server, browser, wuxi, government_seal):
    staff_backup_codes_issue(actor=None, user=wuxi.leader, codes=["11111111"])
    desk = staff_user_create(actor=None, username="fin-desk", name="财政局办公室文书", password=PASSWORD,
                             organization=wuxi.finance, roles=[Role.DOCUMENT_CLERK, Role.REVIEWER, Role.APPROVER])
    staff_backup_codes_issue(actor=None, user=desk, codes=["22222222"])

    # 拟稿 by the government's document clerk, on a phone.
    clerk_context, page = _sign_in(browser, live_server, wuxi.clerk.username)
    page.goto(live_server.url + "/staff/documents/new/")
    page.select_option("#id_kind", "notice")
    page.fill("#id_title", "无锡市人民政府关于做好政务公开工作的通知")
    page.select_option("#id_main_to", [str(wuxi.finance.pk), str(wuxi.education.pk)])
    page.select_option("#id_printer", str(wuxi.office.pk))
    page.select_option("#id_disclosure", "proactive")
    page.fill("#id_body", "一、工作要求\n各部门要按要求做好政务公开。")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1")).to_have_text("无锡市人民政府关于做好政务公开工作的通知")
    document = OfficialDocument.objects.get()
    _move(page, live_server, document, "reviewing")

    reviewer_context, reviewer = _sign_in(browser, live_server, wuxi.reviewer.username)
    _move(reviewer, live_server, document, "signing")  # 核稿
    leader_context, leader = _sign_in(browser, live_server, wuxi.leader.username, backup_code="11111111")
    _move(leader, live_server, document, "rechecking")  # 签发
    for to in ("registering", "printing", "sealing", "dispatching", "issued"):  # 复核, 登记, 印制, 用印, 核发
        _move(page, live_server, document, to)
    expect(page.locator("#delivery-table tbody tr")).to_have_count(2)
    assert document.sealed_pdf and document.number_seq == 1

    # 收文 by the finance bureau's clerk: 签收 from the inbox, then every step to 归档.
    desk_context, desk_page = _sign_in(browser, live_server, desk.username, backup_code="22222222")
    desk_page.goto(live_server.url + "/staff/documents/inbox/")
    with desk_page.expect_navigation():
        desk_page.locator(f'form[action$="/documents/{document.pk}/receive/"] button').click()
    incoming = IncomingDocument.objects.get(organization=wuxi.finance)
    _step(desk_page, live_server, incoming, "register")
    assert incoming.registration_number.startswith("锡财收〔")
    _step(desk_page, live_server, incoming, "accept")
    _step(desk_page, live_server, incoming, "propose", lambda f: f.locator("textarea").fill("请局领导阅示"))
    _step(desk_page, live_server, incoming, "instruct", lambda f: (
        f.locator("textarea").fill("同意，由办公室承办"), f.locator("select").select_option(str(desk.pk))))
    # The readers are checkboxes, each labelled with a member's name.
    _step(desk_page, live_server, incoming, "circulate",
          lambda f: f.locator(f'input[name="readers"][value="{desk.pk}"]').check())
    _step(desk_page, live_server, incoming, "read")
    _step(desk_page, live_server, incoming, "handle", lambda f: f.locator("textarea").fill("已在门户网站公开"))
    _step(desk_page, live_server, incoming, "reply", lambda f: f.locator("textarea").fill("已按要求办理"))
    _step(desk_page, live_server, incoming, "archive")
    assert incoming.status == "archived"
    with desk_page.expect_download() as download:
        desk_page.locator('a[href$="/archive.zip"]').click()
    assert download.value.suggested_filename.endswith(".zip")

    # The sender's delivery table shows the receipt and the reply.
    page.goto(f"{live_server.url}/staff/documents/{document.pk}/")
    expect(page.locator("#delivery-table")).to_contain_text("已按要求办理")
    for context in (clerk_context, reviewer_context, leader_context, desk_context):
        context.close()
