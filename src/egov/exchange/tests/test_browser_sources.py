"""The resource-source pages in Debian's chromium: no serious or critical axe-core violation on the
sources page with its preview, the form and the form refusing a mapping, at 1280 and 390 px, in
Chinese and English; the refusal sits on the 信息项's own field. Screenshots into
``EGOV_SCREENSHOTS`` when set."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from egov.exchange.tests.test_adapters import MAPPING, TYPED, sources, typed  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "tests" / "vendor" / "axe-core" / "axe.min.js"
SIZES = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


def _axe_problems(page) -> list[str]:
    page.evaluate(AXE.read_text())
    violations = page.evaluate("async () => (await axe.run(document)).violations"
                               ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                               " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in violations
            if v["impact"] in ("serious", "critical")]


def test_the_source_pages_are_accessible_in_both_languages_at_both_widths(browser, live_server, reference_data,
                                                                          typed, people, sources):  # noqa: F811
    from egov.exchange.actions.sources import resource_source_save

    resource_source_save(actor=None, resource=typed, code="rk-pg", kind="postgresql",
                         connection={"url": sources["pg"]}, table="rk", key_column="sfzh", mapping=MAPPING)
    client = Client()
    client.force_login(people["decider"])
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
              "url": live_server.url}
    base = f"{live_server.url}/staff/exchange/catalog/resources/{TYPED['code']}/sources/"
    folder = os.environ.get("EGOV_SCREENSHOTS")
    problems = []
    for locale, lang in (("zh-CN", "zh"), ("en-US", "en")):
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, locale=locale)
            context.add_cookies([cookie])
            page = context.new_page()
            page.set_default_timeout(20_000)
            for name, url in (("sources", f"{base}?preview=rk-pg"), ("new", f"{base}new/")):
                page.goto(url)
                problems += [f"{name} {lang} {size}: {p}" for p in _axe_problems(page)]
                if folder:
                    page.screenshot(path=f"{folder}/{name}-{lang}-{size}.png", full_page=True)
            # the form refusing 出生日期 read from a character column
            page.fill("#id_code", "rk-two")
            page.check("#id_kind_0")
            page.fill("#id_location", sources["pg"])
            page.fill("#id_table", "rk")
            page.fill("#id_key_column", "sfzh")
            for field, column in MAPPING.items():
                page.fill(f"#id_map_{field}", "xm" if field == "birth_date" else column)
            page.locator("main form button[type=submit]").click()
            page.wait_for_selector(".govuk-error-summary")
            assert "xm" in page.locator("#id_map_birth_date_error").inner_text()
            problems += [f"refused {lang} {size}: {p}" for p in _axe_problems(page)]
            if folder:
                page.screenshot(path=f"{folder}/refused-{lang}-{size}.png", full_page=True)
            context.close()
    assert problems == []
