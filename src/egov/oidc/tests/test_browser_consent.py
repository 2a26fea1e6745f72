"""The consent page, the error page and the account's list of allowed systems in a real browser (Debian
chromium through Playwright): readable at 1280 and 390 px, in Chinese and English, without serious axe-core
violations. Screenshots go to $EGOV_SCREENSHOTS when it is set."""

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from egov.accounts.tests.factories import PASSWORD, NaturalPersonFactory
from egov.oidc.actions import oidc_client_add
from egov.orgs.models import Organization
from egov.orgs.tests.factories import OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[4] / "tests" / "vendor" / "axe-core" / "axe.min.js"
REDIRECT = "http://127.0.0.1:9/callback"


def _axe_problems(page) -> list[str]:
    page.evaluate(AXE.read_text())  # not a <script> tag: the CSP refuses inline script
    violations = page.evaluate("async () => (await axe.run(document)).violations"
                               ".map(v => ({id: v.id, impact: v.impact, help: v.help}))")
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def _shot(page, name):
    folder = os.environ.get("EGOV_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("width", "language"), [(1280, "zh-hans"), (390, "zh-hans"), (1280, "en"), (390, "en")])
def test_consent_and_allowed_systems_pages(reference_data, live_server, browser, width, language):
    agency = OrganizationFactory(name="无锡市自然资源和规划局", name_en="Wuxi Natural Resources and Planning Bureau",
                                 kind=Organization.Kind.DEPARTMENT)
    application, _secret = oidc_client_add(actor=None, name="不动产登记系统", redirect_uris=[REDIRECT],
                                           scopes=["openid", "profile", "identity"], organization=agency)
    person = NaturalPersonFactory(name="王晓明")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.route(REDIRECT + "**", lambda route: route.fulfill(status=200, body="the system got its code"))
    query = urlencode({"response_type": "code", "client_id": application.client_id, "redirect_uri": REDIRECT,
                       "scope": "openid profile identity", "state": "s1", "code_challenge_method": "S256",
                       "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"})
    authorize = f"{live_server.url}/oidc/authorize/?{query}"
    page.goto(authorize)  # signed out: the public sign-in page first, then back here
    page.fill("#id_username", person.id_number)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("不动产登记系统")
    expect(page.locator("#oidc-scopes li")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert _axe_problems(page) == []
    _shot(page, f"consent-{width}-{language}")
    page.locator("button[name=allow]").click()
    expect(page.locator("body")).to_contain_text("the system got its code")

    page.goto(live_server.url + "/accounts/me/")
    page.locator("#signin-systems-link").click()
    expect(page.locator("#oidc-systems")).to_contain_text("不动产登记系统")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert _axe_problems(page) == []
    _shot(page, f"systems-{width}-{language}")
    page.locator("#oidc-systems button").click()
    expect(page.locator("#oidc-systems-empty")).to_be_visible()
    _shot(page, f"systems-withdrawn-{width}-{language}")

    response = page.goto(authorize.replace(application.client_id, "unknown-system"))
    assert response.status == 400
    expect(page.locator("#oidc-error")).to_be_visible()
    assert _axe_problems(page) == []
    _shot(page, f"error-{width}-{language}")
    context.close()
