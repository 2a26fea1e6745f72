"""The clerk's workbench in Debian chromium: the inbox and the case page in two columns (the work
beside the facts on a desk, the step form first on a phone), in Chinese and in English, with
screenshots at 1280 and 390 px wide (written to $EGOV_SHOTS, default /tmp/shots-casework)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from egov.services.tests.conftest import STAFF_PASSWORD
from egov.services.tests.factories import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("EGOV_SHOTS", "/tmp/shots-casework"))
WIDTHS = {"desk": 1280, "phone": 390}


def _clerk(browser, live_server, *, width: int, locale: str):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/staff/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()
    return context, page


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_inbox_and_two_column_case_page(reference_data, live_server, browser, casework, locale):
    SHOTS.mkdir(parents=True, exist_ok=True)
    cases = [submit(casework.item, casework.citizen, key=f"browser-{n:04d}") for n in range(3)]
    number = cases[0].number
    language = locale[:2]
    for name, width in WIDTHS.items():
        context, page = _clerk(browser, live_server, width=width, locale=locale)
        page.goto(live_server.url + "/staff/inbox/")
        rows = page.locator("#inbox tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.first.locator(".govuk-tag")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"inbox-{language}-{width}.png"), full_page=True)

        page.goto(f"{live_server.url}/staff/cases/{number}/")
        expect(page.locator("#next-actor")).to_be_visible()
        # Measured in one go, relative to the document: the PDF preview may scroll the page while it loads.
        work_box, facts_box, receive_box = page.evaluate("""() => [
            '.egov-case-work', '.egov-case-facts', 'form[action$="/steps/receive/"]'].map(selector => {
                const r = document.querySelector(selector).getBoundingClientRect();
                return {x: r.x, y: r.y + window.scrollY};
            })""")
        if name == "desk":  # side by side: the facts on the left, the work on the right
            assert facts_box["x"] < work_box["x"] and abs(facts_box["y"] - work_box["y"]) < 5
        else:  # stacked, the step form first
            assert work_box["y"] < facts_box["y"]
            assert receive_box["y"] < facts_box["y"]
        expect(page.locator("iframe.material-preview")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"case-{language}-{width}.png"), full_page=True)
        context.close()

    # After a step the page says who acts next.
    context, page = _clerk(browser, live_server, width=390, locale=locale)
    page.goto(f"{live_server.url}/staff/cases/{number}/")
    page.locator('form[action$="/steps/receive/"] button[type=submit]').click()
    # 受理 waits for the bureau's one clerk: named
    next_line = "下一步：窗口受理（测试clerk）" if language == "zh" else "Next: Intake clerk (测试clerk)"
    expect(page.locator(".govuk-notification-banner", has_text=next_line)).to_be_visible()
    page.screenshot(path=str(SHOTS / f"case-after-step-{language}-390.png"), full_page=True)
    context.close()
