"""In Debian chromium: the one search, the kiosk mode (its idle countdown ends the session) and the
large-text toggle, each axe-clean (issue 21, items 3 and 5). ``EGOV_SCREENSHOTS=folder`` saves the
pages at 1280 and 390 px wide and on a 1080×1920 portrait kiosk, in Chinese and English."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from egov.services.tests.factories import USCC_A, make_item, make_organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parents[4] / "tests" / "vendor" / "axe-core" / "axe.min.js"
LARGE = re.compile(r"\begov-large-text\b")
SIZES = {"desktop": (1280, 900), "phone": (390, 844), "kiosk": (1080, 1920)}


def _axe(page) -> list[str]:
    page.evaluate(AXE.read_text())  # not a <script> tag: the CSP refuses inline script
    violations = page.evaluate("async () => (await axe.run(document)).violations"
                               ".map(v => ({id: v.id, impact: v.impact,"
                               " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    return [f"{v['id']} ({v['impact']}) at {v['nodes']}" for v in violations if v["impact"] in ("serious", "critical")]


def _shot(page, name: str) -> None:
    folder = os.environ.get("EGOV_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def catalogue(reference_data):
    market = make_organization(name="无锡市市场监督管理局")
    for main, name, name_en, themes in (
        (101, "公司登记", "Company registration", ["establishment"]),
        (102, "公司注销登记", "Company deregistration", ["establishment"]),
        (103, "食品经营许可", "Food business licence", ["operating_permits"]),
        (104, "婚姻登记", "Marriage registration", ["marriage"]),
    ):
        make_item(market, code=f"{USCC_A}01{main:07d}00000", name=name, themes=themes, english={"name_en": name_en})
    return market


def _page(browser, size: str, language: str):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="zh-CN" if language == "zh" else "en-GB",
                                  extra_http_headers={"Accept-Language": "zh-CN" if language == "zh" else "en"})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_search_and_large_text_look_right_and_are_axe_clean(browser, live_server, catalogue, reference_data):
    problems = []
    for language in ("zh", "en"):
        for size in ("desktop", "phone"):
            context, page = _page(browser, size, language)
            page.goto(f"{live_server.url}/search/?q=gongsi")
            expect(page.locator("#search-results li")).to_have_count(2)
            problems += [f"search {language} {size}: {p}" for p in _axe(page)]
            _shot(page, f"search-{language}-{size}")
            # Large text: the header's button, kept on the next pages (a cookie of the device).
            with page.expect_navigation():
                page.locator("#text-size-toggle").click()
            expect(page.locator("body")).to_have_class(LARGE)
            expect(page.locator("#text-size-toggle")).to_have_attribute("aria-pressed", "true")
            problems += [f"search large {language} {size}: {p}" for p in _axe(page)]
            _shot(page, f"search-large-{language}-{size}")
            page.goto(f"{live_server.url}/services/")
            expect(page.locator("body")).to_have_class(LARGE)
            _shot(page, f"services-large-{language}-{size}")
            context.close()
    assert problems == []


def test_kiosk_finds_an_item_without_typing_and_ends_an_idle_session(browser, live_server, catalogue, settings,
                                                                     reference_data):
    settings.EGOV_KIOSK_IDLE_SECONDS = 4
    settings.EGOV_KIOSK_WARN_SECONDS = 3
    problems = []
    for language in ("zh", "en"):
        context, page = _page(browser, "kiosk", language)
        page.goto(f"{live_server.url}/kiosk/")
        problems += [f"kiosk {language}: {p}" for p in _axe(page)]
        _shot(page, f"kiosk-{language}-portrait")
        for letter in "gsdj":
            with page.expect_navigation():
                page.locator(".egov-kiosk-keypad a", has_text=letter).first.click()
        expect(page.locator("#kiosk-items a")).to_have_count(1)
        name = "公司登记" if language == "zh" else "Company registration"
        expect(page.locator("#kiosk-items a")).to_contain_text(name)
        problems += [f"kiosk keys {language}: {p}" for p in _axe(page)]
        _shot(page, f"kiosk-keys-{language}-portrait")
        # Idle: the countdown shows, then the session ends and the kiosk's home comes back.
        expect(page.locator("#kiosk-idle")).to_be_visible(timeout=5_000)
        problems += [f"kiosk countdown {language}: {p}" for p in _axe(page)]
        _shot(page, f"kiosk-countdown-{language}-portrait")
        page.wait_for_url(f"{live_server.url}/kiosk/", timeout=8_000)
        expect(page.locator("#kiosk-keys")).to_contain_text("—")
        # A touch during the countdown keeps the session.
        expect(page.locator("#kiosk-idle")).to_be_visible(timeout=5_000)
        page.locator("#kiosk-idle-continue").click()
        expect(page.locator("#kiosk-idle")).to_be_hidden()
        assert page.url == f"{live_server.url}/kiosk/"
        context.close()
    assert problems == []


def test_large_text_fits_a_phone_without_scrolling_sideways(browser, live_server, catalogue, reference_data):
    """Large text on a 390 px phone: the grids of cards (home's entrances and tasks, the kiosk's
    tiles) asked for columns of at least 16rem, 384 px at 150 %, wider than the 360 px of the page,
    so the home page scrolled sideways (tester8b, session 8)."""
    for language in ("zh", "en"):
        context, page = _page(browser, "phone", language)
        context.add_cookies([{"name": "egov_large_text", "value": "1", "url": live_server.url}])
        for path in ("/", "/services/", "/search/?q=gongsi", "/letters/"):
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("body")).to_have_class(LARGE)
            wide = page.evaluate("() => { const w = document.documentElement.clientWidth;"
                                 " return [...document.querySelectorAll('main *')]"
                                 ".filter(e => e.getBoundingClientRect().right > w + 1)"
                                 ".slice(0, 3).map(e => e.tagName + '.' + e.className); }")
            assert wide == [], f"{path} {language}: {wide}"
            _shot(page, f"large-phone-{language}-{path.strip('/').split('/')[0] or 'home'}")
        context.close()
