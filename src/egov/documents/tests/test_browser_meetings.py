"""Done when (issue 8, 会议管理): in Debian chromium on a phone, the organizer creates a meeting and
sends its notice, an invited organization's clerk replies from the meeting inbox, and the organizer
sees the reply in the reply table."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from egov.documents.models import Invitation, Meeting
from egov.documents.tests.browser import staff_sign_in
from egov.documents.tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, live_server, username, backup_code=None):
    return staff_sign_in(browser, live_server.url, username, PASSWORD, backup_code=backup_code)


def test_meeting_notice_reply_and_reply_table(reference_data, live_server, browser, wuxi):
    day = timezone.localtime() + timedelta(days=7)
    organizer_context, page = _sign_in(browser, live_server, wuxi.clerk.username)
    page.goto(live_server.url + "/staff/documents/")
    page.get_by_role("link", name="会议管理", exact=True).click()
    page.get_by_role("link", name="新建会议").click()
    page.fill("#id_title", "全市电子政务工作推进会")
    page.fill("#id_starts_at", day.strftime("%Y-%m-%dT09:00"))
    page.fill("#id_ends_at", day.strftime("%Y-%m-%dT11:00"))
    page.fill("#id_place", "市政府第一会议室")
    page.fill("#id_reply_due", (day - timedelta(days=2)).strftime("%Y-%m-%dT17:00"))
    page.fill("#id_agenda", "通报电子政务建设进展｜市政府办公室\n部署下一阶段工作｜副市长赵强")
    page.select_option("#id_invited", [str(wuxi.finance.pk), str(wuxi.education.pk)])
    page.fill("#id_attendees_asked", "2")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("全市电子政务工作推进会")
    with page.expect_navigation():
        page.get_by_role("button", name="发送会议通知").click()
    expect(page.locator("#notice-state")).to_contain_text("已发送")
    meeting = Meeting.objects.get()

    clerk_context, clerk = _sign_in(browser, live_server, wuxi.finance_clerk.username)
    clerk.goto(live_server.url + "/staff/documents/meetings/notices/")
    expect(clerk.locator("#notice-table")).to_contain_text("待回执")
    clerk.get_by_role("link", name="全市电子政务工作推进会").click()
    form = clerk.locator("form.reply-form")
    form.get_by_label("是，参加").check()
    form.get_by_label("参会人员").fill("钱伟，办公室主任\n孙悦，预算处科员")
    form.get_by_label("备注").fill("局长另有公务")
    with clerk.expect_navigation():
        form.get_by_role("button", name="提交回执").click()
    expect(clerk.locator(".govuk-notification-banner")).to_be_visible()
    invitation = Invitation.objects.get(meeting=meeting, organization=wuxi.finance)
    assert invitation.attending is True and [a["name"] for a in invitation.attendees] == ["钱伟", "孙悦"]

    page.reload()
    table = page.locator("#reply-table")
    expect(table).to_contain_text("钱伟（办公室主任）")
    expect(table).to_contain_text("局长另有公务")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("尚未回执")
    for context in (organizer_context, clerk_context):
        context.close()
