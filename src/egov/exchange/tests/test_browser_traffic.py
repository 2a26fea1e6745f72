"""The traffic pages in Debian's chromium: the charts are drawn (ECharts, SVG) beside their tables,
no serious or critical axe-core violation on a resource's traffic page, the provider's overview and
the catalog with a stale resource, at 1280 and 390 px, in Chinese and English. Screenshots into
``EGOV_SCREENSHOTS`` when set."""

import os

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from egov.exchange.actions.traffic import node_traffic_store
from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE
from egov.exchange.tests.test_browser_sources import SIZES, _axe_problems
from egov.exchange.tests.test_traffic import _traffic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_traffic_pages_draw_their_charts_and_are_accessible(browser, live_server, reference_data, resource,
                                                                people):
    _traffic(resource)
    node_traffic_store(node_code=PROVIDER_CODE, rows=[{  # and requests answered by the provider's node
        "minute": timezone.now().replace(second=0, microsecond=0).isoformat(), "resource_code": resource.code,
        "consumer_code": CONSUMER_CODE, "requests": 5, "errors": 1, "buckets": [0, 0, 0, 5],
        "latency_ms_total": 12.5}])
    client = Client()
    client.force_login(people["decider"])
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
              "url": live_server.url}
    base = f"{live_server.url}/staff/exchange/catalog/"
    folder = os.environ.get("EGOV_SCREENSHOTS")
    problems = []
    for locale, lang in (("zh-CN", "zh"), ("en-US", "en")):
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, locale=locale)
            context.add_cookies([cookie])
            page = context.new_page()
            page.set_default_timeout(20_000)
            for name, url in (("traffic", f"{base}resources/{resource.code}/traffic/"),
                              ("overview", f"{base}traffic/"), ("catalog", base)):
                page.goto(url)
                if name == "traffic":
                    page.wait_for_selector("#chart-requests svg")
                    assert page.locator("#chart-p95 svg").count() == 1
                    assert page.locator("#servers tbody tr").count() == 2  # the platform, the provider's node
                problems += [f"{name} {lang} {size}: {p}" for p in _axe_problems(page)]
                if folder:
                    page.screenshot(path=f"{folder}/{name}-{lang}-{size}.png", full_page=True)
            context.close()
    assert problems == []
