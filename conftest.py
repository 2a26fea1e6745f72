"""Fixtures shared by every app's tests (and by the apps that come later).

Organizations and people are made through the real actions (``*/tests/factories.py``), so they
are validated and audited exactly as in use. The browser fixtures drive Debian's chromium through
Playwright for ``@pytest.mark.browser`` tests.
"""

import importlib
import os

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from egov.accounts.tests.factories import NaturalPersonFactory, StaffUserFactory
from egov.orgs.models import Organization
from egov.orgs.tests.factories import OrganizationFactory

# The CA's keys need a passphrase outside the demo (egov.trust.keys); every test that loads the
# demo or signs uses this one.
TEST_CA_PASSPHRASE = "test-ca-passphrase-2026"
os.environ.setdefault("EGOV_CA_PASSPHRASE", TEST_CA_PASSPHRASE)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
PHONE = {"width": 375, "height": 812}


@pytest.fixture(autouse=True)
def _own_anchor_file(settings, tmp_path_factory):
    """Each test anchors the audit chain into its own file: every test's chain starts again at seq 1,
    so an anchor another test (or a demo run) left in ``var/audit-anchors.jsonl`` made ``egov audit
    verify`` report a broken chain."""
    settings.EGOV_AUDIT_ANCHOR_FILE = str(tmp_path_factory.mktemp("anchors") / "audit-anchors.jsonl")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (``CACHES["default"]``, local memory under EGOV_ENV=test):
    entries of a previous test's rolled-back rows must not answer for this test's."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture
def reference_data(transactional_db) -> None:
    """The reference data that migrations load (GB/T 2260 divisions, the working-day calendar), in a
    transactional test (``transaction=True``, ``live_server``).

    Those tests end by emptying every table, the migrations' data included; this loads it again
    through the migrations' own loaders (faster than ``serialized_rollback``, which also collides
    with the content types that the flush re-creates).
    """
    if not apps.get_model("orgs", "Division").objects.exists():
        importlib.import_module("egov.orgs.migrations.0002_load_divisions").load(apps, None)
    if not apps.get_model("workflow", "CalendarYear").objects.exists():
        importlib.import_module("egov.workflow.migrations.0002_seed_calendar").seed(apps, None)


@pytest.fixture
def city(db) -> Organization:
    """The municipal government (root of the tree), created by the platform."""
    return OrganizationFactory(name="无锡市人民政府", kind=Organization.Kind.GOVERNMENT, division_code="320200",
                               doc_code="锡政发")


@pytest.fixture
def department(city) -> Organization:
    """A department of the city."""
    return OrganizationFactory(name="无锡市行政审批局", parent=city, doc_code="锡审批")


@pytest.fixture
def make_staff(db):
    """``make_staff(organization, roles, **fields)``: a staff account created by the platform."""

    def make(organization: Organization, roles=(), **fields):
        return StaffUserFactory(organization=organization, roles=list(roles), **fields)

    return make


@pytest.fixture
def citizen(db):
    """A registered natural person."""
    return NaturalPersonFactory()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, for the whole session (Playwright's sync API)."""
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the same test
    # would otherwise refuse to run "from an async context".
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    from playwright.sync_api import expect, sync_playwright

    # An assertion waits as long as an action (the pages' set_default_timeout(10_000)) and more: on
    # the shared 2-core CI machine a step's POST, redirect and render once took over expect's default
    # 5 s (test_browser_casework's 下一步 banner, a clean-clone run at load 3); a passing check
    # returns as soon as it holds, so only a failure waits longer.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    """A fresh page on a phone-sized viewport (375×812), Chinese browser locale."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language (Chinese): a request with another
    Accept-Language leaves that language active in the thread after it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
