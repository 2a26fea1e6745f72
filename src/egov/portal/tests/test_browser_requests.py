"""In Debian chromium: a citizen on a phone-sized page requests information from an agency; the
disclosure officer registers and answers it; the citizen sees the answer (《政府信息公开条例》第三十六条)."""

import pytest
from playwright.sync_api import expect

from egov.accounts.tests.factories import PASSWORD
from egov.portal.models import DisclosureRequest, RequestStatus
from egov.portal.tests.conftest import STAFF_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_requests_the_office_answers_the_citizen_reads(reference_data, live_server, browser, phone_page,
                                                               office):
    page = phone_page
    page.goto(live_server.url + "/")
    page.locator('a[href="/disclosure-requests/new/"]').click()
    page.fill("#id_username", office.citizen.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("申请政府信息公开")
    page.select_option("#id_agency", label="无锡市财政局")
    page.fill("#id_description", "2026年无锡市财政预算执行情况报告全文")
    page.fill("#id_email", "zhang@example.cn")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#status")).to_have_text("已提交")
    row = DisclosureRequest.objects.get(applicant=office.citizen)
    # The page fits the phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    staff = browser.new_context(locale="zh-CN")
    desk = staff.new_page()
    desk.set_default_timeout(10_000)
    desk.goto(live_server.url + "/staff/login/")
    desk.fill("#id_username", office.officer.username)
    desk.fill("#id_password", STAFF_PASSWORD)
    desk.locator("main form button[type=submit]").click()
    desk.locator('a[href="/staff/disclosure/requests/"]').first.click()
    desk.locator(f'a[href="/staff/disclosure/requests/{row.number}/"]').click()
    desk.locator('form[action$="/steps/register/"] button[type=submit]').click()
    expect(desk.locator(".govuk-notification-banner")).to_be_visible()
    answer = desk.locator('form[action$="/steps/answer/"]')
    answer.locator("#id_answer-kind").select_option("disclosed")
    answer.locator("#id_answer-text").fill("所申请信息已在市财政局门户网站“财政预决算”栏目公开。")
    answer.locator("button[type=submit]").click()
    expect(desk.locator("#status")).to_have_text("已答复")
    staff.close()

    page.goto(f"{live_server.url}/disclosure-requests/{row.number}/")
    expect(page.locator("#answer")).to_contain_text("予以公开")
    expect(page.locator("#answer")).to_contain_text("财政预决算")
    row.refresh_from_db()
    assert row.status == RequestStatus.ANSWERED
