"""Every staff page showing an applicant's personal data is an audited read (issue 17): the case page
shown again after a refused step, and the workbench's lists (one event naming the cases shown)."""

import pytest

from egov.audit.models import AuditEvent
from egov.services.actions import processing
from egov.services.tests.factories import submit

pytestmark = pytest.mark.django_db


def test_the_case_page_shown_again_after_a_refused_step_is_an_audited_read(client, casework):
    """Found by a tester: a refused step re-rendered the whole case page (applicant, phone, address,
    material links) without a read event."""
    application = submit(casework.item, casework.citizen)
    processing.application_receive(actor=casework.staff["clerk"], application=application)
    processing.application_refuse(actor=casework.staff["clerk"], application=application, reasons="材料不齐全")
    client.force_login(casework.staff["clerk"])
    response = client.post(f"/staff/cases/{application.number}/steps/accept/")
    assert response.status_code == 409 and "无锡示范科技有限公司" in response.content.decode()
    reads = AuditEvent.objects.filter(action="services.application.read", object_id=str(application.pk))
    assert [(e.actor_id, e.changes["what"]) for e in reads] == [
        (casework.staff["clerk"].pk, "case page after a refused step")
    ]
    # an invalid form (400) shows the page again too
    other = submit(casework.item, casework.citizen, key="double-click-0002")
    processing.application_receive(actor=casework.staff["clerk"], application=other)
    assert client.post(f"/staff/cases/{other.number}/steps/refuse/", {"refuse-reasons": ""}).status_code == 400
    assert AuditEvent.objects.filter(action="services.application.read", object_id=str(other.pk)).count() == 1


def test_the_inbox_page_names_the_cases_it_shows_in_one_read_event(client, casework):
    """Found by a tester: the workbench lists showed applicants' names and audited nothing."""
    first = submit(casework.item, casework.citizen)
    second = submit(casework.item, casework.citizen, key="double-click-0002")
    client.force_login(casework.staff["clerk"])
    html = client.get("/staff/inbox/").content.decode()
    assert first.number in html and second.number in html
    (event,) = AuditEvent.objects.filter(action="services.application.read_list")
    assert event.actor_id == casework.staff["clerk"].pk and event.object_type == "services.application"
    assert sorted(event.changes["shown"]) == sorted([str(first.pk), str(second.pk)])
    assert (event.changes["count"], event.changes["page"]) == (2, 1)


def test_a_search_by_name_names_the_cases_found(client, casework):
    application = submit(casework.item, casework.citizen)
    processing.application_receive(actor=casework.staff["clerk"], application=application)
    processing.application_refuse(actor=casework.staff["clerk"], application=application, reasons="材料不齐全")
    client.force_login(casework.staff["clerk"])
    # the refused case is no longer in the inbox; found by the applicant's name, it is listed
    html = client.get("/staff/inbox/", {"q": casework.citizen.name}).content.decode()
    assert application.number in html
    (event,) = AuditEvent.objects.filter(action="services.application.read_list")
    assert event.changes["shown"] == [str(application.pk)]


def test_an_empty_inbox_records_no_read(client, casework):
    client.force_login(casework.staff["clerk"])
    assert client.get("/staff/inbox/").status_code == 200
    assert not AuditEvent.objects.filter(action="services.application.read_list").exists()
