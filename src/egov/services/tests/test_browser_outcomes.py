"""Done when (issue 6): in Debian chromium on a phone, the citizen sees the published result of the
concluded case (the name masked), downloads the licence from the case page and rates the service;
the downloaded licence verifies on the public verification page."""

import threading

import pytest
from playwright.sync_api import expect

from egov.services.models import Application, Rating
from egov.services.tests.conftest import STAFF_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _concluded_in_a_thread(hall):
    """Conclude a case (which seals its licence) in a thread of its own: pyHanko signs with
    ``asyncio.run``, which cannot run in this thread while Playwright's sync API holds its event loop."""
    from django.db import connection

    result = {}

    def run():
        try:
            result["case"] = hall.concluded()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return Application.objects.get(pk=result["case"].pk)


def test_citizen_sees_the_result_downloads_the_licence_and_rates(reference_data, live_server, phone_page, hall,
                                                                   tmp_path):
    case = _concluded_in_a_thread(hall)
    page = phone_page
    page.goto(f"{live_server.url}/services/results/")
    row = page.locator("#results tbody tr", has_text=case.number)
    expect(row).to_contain_text("张**")
    expect(row).to_contain_text(hall.casework.bureau.name)

    page.goto(f"{live_server.url}/services/applications/{case.number}/")
    page.fill("#id_username", hall.citizen.username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#licence-number")).to_have_text(case.licence.number)
    with page.expect_download() as download:
        page.locator("#licence-download").click()
    licence = tmp_path / "licence.pdf"
    download.value.save_as(licence)
    assert licence.read_bytes().startswith(b"%PDF")

    page.locator('input[name="level"][value="5"]').check()
    page.fill("#id_comment", "办事很快")
    page.locator('form[action$="/rate/"] button[type=submit]').click()
    expect(page.locator("#rating")).to_contain_text("办事很快")
    assert Rating.objects.get(application=case).level == 5

    page.goto(f"{live_server.url}/trust/verify")
    page.set_input_files('input[type="file"]', str(licence))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#result")).to_contain_text("✔")
    expect(page.locator(".signature")).to_contain_text(hall.casework.bureau.name)
