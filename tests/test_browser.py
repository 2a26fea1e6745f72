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


def _fonts_of(page, selector: str) -> set[str]:
    """The font families chromium drew the text of ``selector`` with (DevTools' platform fonts)."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"] for font in fonts}


@pytest.mark.parametrize("width", [1280, 390])
def test_a_name_with_a_cjk_extension_b_character_is_drawn(reference_data, live_server, browser, width, tmp_path):
    """Found by a tester: 钱𠀀 (U+20000, CJK Extension B) showed an empty box. The pages' fonts name
    HanaMinB (Debian fonts-hanazono, as the PDFs use), which has it."""
    from egov.accounts.tests.factories import NaturalPersonFactory

    person = NaturalPersonFactory(name="钱\U00020000")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", person.id_number)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(live_server.url + "/accounts/me/")
    expect(page.locator("dl.govuk-summary-list")).to_contain_text("钱\U00020000")
    page.evaluate("""() => { const dd = [...document.querySelectorAll('dd')].find(e => e.textContent.includes('钱'));
                             dd.id = 'the-name'; }""")
    # The pages' own fonts name HanaMinB, whatever the machine's fallback would pick, and a face
    # that has the ideograph drew it (not a .notdef box).
    assert "HanaMinB" in page.evaluate("getComputedStyle(document.getElementById('the-name')).fontFamily")
    assert _fonts_of(page, "#the-name") & {"HanaMinA", "HanaMinB"}
    page.screenshot(path=str(tmp_path / f"name-{width}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize(("locale", "label"), [("en", "Provider: "), ("zh-CN", "提供方：")])
def test_a_phone_table_names_each_cell_with_the_colon_of_the_language(reference_data, live_server, browser, locale,
                                                                       label):
    """At phone width a table cell says its column's name before its value, with the catalogue's
    "label colon" (issue 12: English pages showed "Provider：")."""
    from egov.exchange.demo import demo_information_resources_load

    demo_information_resources_load()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale)
    page = context.new_page()
    page.goto(live_server.url + "/open-data/")
    before = page.evaluate("getComputedStyle(document.querySelector('#open-resources td:nth-child(2)'), '::before')"
                           ".content")
    context.close()
    assert before == f'"{label}"'
