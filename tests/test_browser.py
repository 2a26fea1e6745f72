"""The public pages in a real browser (Debian chromium through Playwright) on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

from egov.accounts.models import NaturalPerson
from egov.accounts.tests.factories import PASSWORD
from egov.orgs.models import Organization
from egov.orgs.tests.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_registers_on_a_phone(reference_data, live_server, phone_page):
    page = phone_page
    city = OrganizationFactory(name="无锡市人民政府", kind=Organization.Kind.GOVERNMENT, doc_code="锡政发",
                               name_en="Wuxi Municipal People's Government")
    OrganizationFactory(parent=city, name="无锡市行政审批局", name_en="Wuxi Administrative Approval Bureau")

    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#organizations + .org-tree")).to_contain_text("无锡市人民政府")
    expect(page.locator(".org-tree")).to_contain_text("无锡市行政审批局")
    # Usable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Keyboard: the first Tab stop is the skip link, and it leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    expect(page.locator(".govuk-skip-link")).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".org-tree")).to_contain_text("Wuxi Administrative Approval Bureau")

    page.get_by_role("link", name="Register as a citizen").click()
    page.get_by_label("Resident ID number").fill("110105194912310021")
    page.get_by_role("textbox", name="Name", exact=True).fill("张\U00020bb7明")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()

    error = page.locator("#id_id_number_error")
    expect(error).to_contain_text("The check character (last character) of this ID number is wrong.")
    field = page.get_by_label("Resident ID number")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "id_id_number_error")  # read out with the field
    # The message sits right above its field, inside the same group.
    assert page.locator(".govuk-form-group--error").filter(has=field).locator(".govuk-error-message").count() == 1
    error_box, field_box = error.bounding_box(), field.bounding_box()
    assert 0 <= field_box["y"] - (error_box["y"] + error_box["height"]) < 24
    assert NaturalPerson.objects.count() == 0

    field.fill("11010519491231002x")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(live_server.url + "/accounts/me/")
    expect(page.locator("dl.govuk-summary-list")).to_contain_text("张\U00020bb7明")
    expect(page.locator("dl.govuk-summary-list")).to_contain_text("11010519491231002X")
    assert NaturalPerson.objects.get().id_number == "11010519491231002X"
