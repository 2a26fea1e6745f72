"""Done when (issue 15): in Debian chromium, the demo enterprise applies for a food business licence
with its register data filled (not editable, with its source) and the 营业执照 免提交, and the clerk's
case page shows where each fact came from."""

import pytest
from playwright.sync_api import expect

from egov.demo import DEMO_ENTERPRISE, DEMO_PASSWORD, demo_load
from egov.services.actions.intake import intake_work
from egov.services.models import Application, ServiceItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.7\n% egov browser once-only\n%%EOF\n"


def _page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_enterprise_applies_with_register_data_and_a_held_material(reference_data, live_server, browser):
    demo_load()
    item = ServiceItem.objects.get(name="食品经营许可（新办）")
    held = item.materials.get(held_as="register:legal-entity")
    context, page = _page(browser)
    page.goto(f"{live_server.url}/services/{item.code}/apply/")
    page.fill("#id_username", DEMO_ENTERPRISE["uscc"])
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()

    facts = page.locator(".egov-register-facts")
    expect(facts.locator("dl")).to_contain_text("无锡示范科技有限公司")
    expect(facts.locator("dl")).to_contain_text("王建国")
    expect(facts.locator(".egov-source")).to_contain_text("来源：无锡市市场监督管理局，法人单位基础信息")
    assert facts.locator("input, textarea, select").count() == 0  # shown, not editable
    expect(page.locator(f"#held-{held.pk}")).to_contain_text("免提交")
    assert page.locator(f'input[name="material-{held.pk}"]').count() == 0

    # The name and code come from the register: shown as text, not fields to fill.
    assert page.locator("#id_form-business_name").inner_text() == "无锡示范科技有限公司"
    assert page.locator("#id_form-uscc").inner_text() == DEMO_ENTERPRISE["uscc"]
    assert page.locator("input[name='form-business_name'], input[name='form-uscc']").count() == 0
    page.fill("#id_form-premises", "无锡市梁溪区解放南路688号")
    page.select_option("#id_form-business_type", "catering")
    page.fill("#id_form-food_safety_manager", "王建国")
    page.fill("#id_form-contact_phone", "13912340000")
    page.check("#id_form-commitment")
    for material in item.materials.exclude(pk=held.pk):
        page.set_input_files(f"#id_material-{material.pk}",
                             files=[{"name": f"{material.pk}.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/receipts/**")
    intake_work()  # 内网办理: the worker makes the case
    application = Application.objects.get(item=item)
    assert application.once_only["register"]["items"]
    context.close()

    staff, clerk = _page(browser)
    clerk.goto(live_server.url + "/staff/login/")
    clerk.fill("#id_username", "scjgintake")
    clerk.fill("#id_password", DEMO_PASSWORD)
    clerk.locator("main form button[type=submit]").click()
    expect(clerk.locator("h1")).to_be_visible()
    clerk.goto(f"{live_server.url}/staff/cases/{application.number}/")
    expect(clerk.locator("#register-title")).to_be_visible()
    sources = clerk.locator(".egov-source")
    expect(sources.first).to_contain_text("无锡市市场监督管理局，法人单位基础信息（320200-SCJG-0001）")
    expect(sources.first).to_contain_text(application.once_only["register"]["message_id"])
    materials = clerk.locator('dl[aria-labelledby="materials-title"]')
    expect(materials).to_contain_text("免提交")
    expect(materials).to_contain_text(application.once_only["materials"][str(held.pk)]["message_id"])
    staff.close()
