"""The case diagram in a real browser: bpmn-js draws the definition and outlines the current step."""

import pytest
from django.conf import settings
from django.urls import reverse

from egov.workflow.actions import process_start
from egov.workflow.selectors import instance_task_at


@pytest.mark.browser
def test_task_page_draws_the_diagram_with_the_current_step_marked(reference_data, browser, live_server, client,
                                                                   city, permit_definition, applicant):
    case = process_start(actor=None, subject=applicant, definition_key="standard_permit", owner=city.bureau)
    task = instance_task_at(instance=case, bpmn_id="receive")
    client.force_login(city.users["clerk"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context()
    try:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(live_server.url + reverse("workflow:task", args=[task.pk]))
        current = page.locator('#bpmn-diagram .djs-element.step-current[data-element-id="receive"]')
        current.wait_for(timeout=15000)
        assert page.locator("#bpmn-diagram .djs-element.step-current").count() == 1
        assert page.locator('#bpmn-diagram [data-element-id="joint_review"]').count() >= 1
    finally:
        context.close()
