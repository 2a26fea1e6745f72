"""A Playwright walk of an objection (issue 16's "Done when"): the enterprise objects from its credit page,
the credit office answers, the enterprise reads the answer."""

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from egov.credit.models import CreditRecord, Status
from egov.credit.tests.test_requests import listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser, user, live_server):
    """A desktop browser context in English, signed in as ``user`` (the session made by the test client)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_an_objection_from_the_subject_to_the_credit_office_answer(
    reference_data, live_server, browser, registers, approver, market, credit_officer, enterprise
):
    record = listing(approver, market, today=timezone.localdate())
    context, page = _signed_in(browser, enterprise.user, live_server)
    page.goto(live_server.url + "/credit/mine/")
    page.get_by_role("link", name=f"Object {record.number}").click()
    page.get_by_label("Reason").fill("The penalty behind this listing was quashed on review.")
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(live_server.url + "/credit/mine/")
    number = page.locator("#requests td").first.inner_text().split()[0]
    assert number.startswith("YY-")
    context.close()

    context, page = _signed_in(browser, credit_officer, live_server)
    page.goto(live_server.url + "/staff/credit/requests/")
    page.get_by_role("link", name=number).click()
    expect(page.locator("#request")).to_contain_text("The penalty behind this listing was quashed on review.")
    page.get_by_label("Accept").check()
    page.get_by_label("Reasons").fill("Confirmed with the market regulator: the listing is withdrawn.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator("#request")).to_contain_text("Accepted")
    context.close()
    assert CreditRecord.objects.get(pk=record.pk).status == Status.REVOKED

    context, page = _signed_in(browser, enterprise.user, live_server)
    page.goto(live_server.url + "/credit/mine/")
    expect(page.locator("#requests")).to_contain_text("Confirmed with the market regulator")
    expect(page.locator("#records")).to_contain_text("Revoked")
    context.close()
