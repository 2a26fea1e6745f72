"""The sanction check at 受理 in Debian chromium (issue 16 item 5): the clerk opens the case of an
enterprise on the 严重失信主体名单, sees the warning, records the decision on the listing and the case is
accepted with the decision on its timeline; axe-core finds nothing serious on the warning; screenshots of
the warning at 1280 and 390 px, in Chinese and in English (written to $EGOV_SHOTS, default
/tmp/shots-credit-intake)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from egov.services.models import Application
from egov.services.models import ApplicationStatus as S
from egov.services.tests.conftest import STAFF_PASSWORD, casework, media_root  # noqa: F401 (the hall's fixtures)
from tests.test_accessibility import _axe_problems
from tests.test_credit_intake import _applied, _listing, market  # noqa: F401 (the listing's fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("EGOV_SHOTS", "/tmp/shots-credit-intake"))


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


def test_the_clerk_sees_the_warning_and_records_the_decision(
    reference_data,
    live_server,
    browser,
    casework,  # noqa: F811
    market,  # noqa: F811
):
    record = _listing(market)
    case = _applied(casework)
    url = f"{live_server.url}/staff/cases/{case.number}/"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for locale, lang in (("zh-CN", "zh"), ("en-US", "en")):
        for width in (1280, 390):
            context, page = _clerk(browser, live_server, width=width, locale=locale)
            page.goto(url)
            warning = page.locator("#credit-warning")
            expect(warning).to_contain_text(record.number)
            expect(warning).to_contain_text(
                "严重失信主体名单" if lang == "zh" else "List of seriously untrustworthy subjects"
            )
            # On a phone the work column comes first: the warning is above the decision.
            # (Both positions read in one script, from the top of the document: the page may scroll
            # between two separate reads of the viewport's coordinates.)
            above = page.evaluate("""() => {
                const top = (id) => document.getElementById(id).getBoundingClientRect().top + window.scrollY;
                return top("credit-warning") < top("step-credit_decide");
            }""")
            assert above
            page.screenshot(path=str(SHOTS / f"credit-warning-{lang}-{width}.png"), full_page=True)
            if width == 1280:  # axe-core: no serious or critical violation (tests/test_accessibility.py)
                assert _axe_problems(page) == []
            context.close()

    context, page = _clerk(browser, live_server, width=1280, locale="en-US")
    page.goto(url)
    page.get_by_label("Accept the application despite the listing").check()
    page.get_by_label("Reasons (recorded on the case and told to the applicant)").fill(
        "The licence applied for is outside the measures; the case is reviewed with care."
    )
    page.get_by_role("button", name="Decide on the credit listing").click()
    expect(page.locator("#status")).to_have_text("Accepted")
    expect(page.locator("#credit-warning")).to_have_count(0)
    expect(page.locator(".egov-timeline")).to_contain_text("Joint credit check: decision on the listing")
    expect(page.locator(".egov-timeline")).to_contain_text("Accepted despite the listing")
    page.screenshot(path=str(SHOTS / "credit-decided-en-1280.png"), full_page=True)
    context.close()
    case = Application.objects.get(pk=case.pk)
    assert case.status == S.ACCEPTED
    assert case.events.get(move="credit_decision").note_args["reasons"].startswith("The licence applied for")
