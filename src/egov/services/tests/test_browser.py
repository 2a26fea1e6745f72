"""Done when (issue 5): in Debian chromium, a citizen signs in and submits an application; a clerk
receives it and asks for a 补正; the citizen uploads; the clerk accepts; a reviewer asks a second
organization for a joint review; its reviewer agrees; the approver (signed in with a second factor)
decides."""

import re

import pytest
from playwright.sync_api import expect

from egov.accounts.actions import staff_backup_codes_issue
from egov.accounts.tests.factories import PASSWORD
from egov.services.actions.intake import intake_work
from egov.services.models import Application
from egov.services.models import ApplicationStatus as S
from egov.services.tests.conftest import STAFF_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.7\n% egov browser test\n%%EOF\n"


def _sign_in_staff(browser, live_server, username, backup_code=None):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    if backup_code:
        page.fill("#id_token", backup_code)
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()
    return context, page


def _step(page, live_server, number, step, fill=None):
    page.goto(f"{live_server.url}/staff/cases/{number}/")
    form = page.locator(f'form[action$="/steps/{step}/"]')
    if fill:
        fill(form)
    form.locator("button[type=submit]").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()  # 已完成; 下一步 follows


def test_citizen_applies_and_staff_process_the_case(reference_data, live_server, browser, phone_page, casework):
    page = phone_page
    item = casework.item
    required = item.materials.get(required=True)

    # The citizen, on a phone: the guide's "apply online" link, sign-in, the form, the material.
    page.goto(f"{live_server.url}/services/{item.code}/")
    page.locator(f'a[href="/services/{item.code}/apply/"]').click()
    page.fill("#id_username", casework.citizen.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.fill("#id_form-company_name", "无锡示范科技有限公司")
    page.select_option("#id_form-company_type", "llc")
    page.fill("#id_form-registered_capital", "100")
    page.fill("#id_form-shareholders", "2")
    page.fill("#id_form-contact_phone", "13800000000")
    page.check("#id_form-commitment")
    page.set_input_files(f"#id_material-{required.pk}",
                         files=[{"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("main form button[type=submit]").click()
    page.locator("#receipt").wait_for()  # the receipt at once (受理中); the worker then makes the case
    intake_work()
    number = page.locator("#tracking-number").inner_text().strip()  # the page looks again by itself
    assert re.fullmatch(r"\d{9}-\d{8}-\d{6}[0-9X]", number)
    assert Application.objects.get().number == number

    # The clerk receives it and asks once for a supplement of the application form.
    clerk_context, clerk = _sign_in_staff(browser, live_server, "clerk")
    clerk.goto(live_server.url + "/staff/cases/")  # the old case list: now the staff inbox
    clerk.locator(f'#inbox a[href="/staff/cases/{number}/"]').first.click()
    expect(clerk.locator("#status")).to_be_visible()
    _step(clerk, live_server, number, "receive")

    def ask(form):
        form.locator(f'input[name="request_supplement-materials"][value="{required.pk}"]').check()
        form.locator('textarea[name="request_supplement-note"]').fill("申请书缺少签字，请签字后重新上传")

    _step(clerk, live_server, number, "request_supplement", ask)

    # The citizen sees what is asked and uploads it.
    page.goto(f"{live_server.url}/services/applications/{number}/")
    expect(page.locator("#supplement-title")).to_be_visible()
    expect(page.locator(".govuk-inset-text")).to_contain_text("申请书缺少签字")
    page.set_input_files(f"#id_material-{required.pk}",
                         files=[{"name": "签字版.pdf", "mimeType": "application/pdf",
                                 "buffer": b"%PDF-1.7\n% signed\n%%EOF\n"}])
    page.locator('form[action$="/supplement/"] button[type=submit]').click()
    expect(page.locator("#status")).to_have_text(str(S.SUPPLIED.label))

    # The clerk takes the supplement in and accepts.
    _step(clerk, live_server, number, "supplement_receive")
    _step(clerk, live_server, number, "accept")
    clerk_context.close()

    # The reviewer asks the planning bureau for a joint review.
    context, reviewer = _sign_in_staff(browser, live_server, "reviewer")
    # The organizations to consult are folded behind a details element: open it, then tick.
    _step(reviewer, live_server, number, "review", lambda form: (
        form.locator("#joint-reviewers summary").click(),
        form.locator(f'input[name="review-joint_reviewers"][value="{casework.planning.pk}"]').check()))
    context.close()

    # The planning bureau's reviewer finds the case in its workbench and agrees.
    context, planner = _sign_in_staff(browser, live_server, "planner")
    planner.goto(live_server.url + "/staff/cases/")
    expect(planner.locator(f'#inbox a[href="/staff/cases/{number}/"]').first).to_be_visible()
    _step(planner, live_server, number, "joint_opinion",
          lambda form: form.locator('input[name="joint_opinion-agree"][value="1"]').check())
    context.close()

    # The approver signs in with a backup code (second factor) and approves.
    staff_backup_codes_issue(actor=None, user=casework.staff["approver"], codes=["86421357"])
    context, approver = _sign_in_staff(browser, live_server, "approver", backup_code="86421357")
    _step(approver, live_server, number, "decide",
          lambda form: form.locator('input[name="decide-approve"][value="1"]').check())
    expect(approver.locator("#status")).to_have_text(str(S.APPROVED.label))
    context.close()

    application = Application.objects.get(number=number)
    assert application.status == S.APPROVED
    assert list(application.events.values_list("move", flat=True)) == [
        "submit", "receive", "request_supplement", "supplement_upload", "supplement_receive", "accept",
        "review_joint", "joint_review_complete", "approve"]
    page.goto(f"{live_server.url}/services/applications/{number}/")
    expect(page.locator("#status")).to_have_text(str(S.APPROVED.label))
