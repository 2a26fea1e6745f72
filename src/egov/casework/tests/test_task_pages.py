"""The generic task pages and the inbox with plain processes (no case, no document): login required,
待办 order and badges, claim/complete through forms, 404 for other organizations, the diagram's
data, the overdue beat task, and no route on the public site."""

from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from egov.accounts.actions import staff_backup_codes_issue
from egov.workflow.actions import process_start
from egov.workflow.models import ProcessInstance, WorkTask
from egov.workflow.selectors import instance_task_at, work_calendar
from egov.workflow.tasks import mark_overdue
from egov.workflow.tests.conftest import PASSWORD, work


@pytest.fixture
def case(city, permit_definition, applicant):
    return process_start(actor=None, subject=applicant, definition_key="standard_permit", owner=city.bureau)


@pytest.fixture
def clerk_client(client, city):
    client.force_login(city.users["clerk"])
    return client


@pytest.mark.django_db
def test_pages_need_a_staff_sign_in(client, case):
    task = instance_task_at(instance=case, bpmn_id="receive")
    for url in (reverse("casework:inbox"), reverse("casework:done"), reverse("workflow:task", args=[task.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("staff_accounts:login"))


def test_the_public_site_has_no_route_to_the_inbox():
    with pytest.raises(Resolver404):
        resolve("/staff/tasks/", urlconf="egov.urls_public")
    with pytest.raises(Resolver404):
        resolve("/staff/inbox/", urlconf="egov.urls_public")


@pytest.mark.django_db
def test_inbox_sorts_by_working_days_left_with_text_badges(clerk_client, city, permit_definition, applicant):
    today = timezone.localdate()
    calendar = work_calendar()
    cases = [process_start(actor=None, subject=applicant, definition_key="standard_permit", owner=city.bureau)
             for _ in range(4)]
    tasks = [instance_task_at(instance=c, bpmn_id="receive") for c in cases]
    # A task due 5 working days ahead, one due today (0 left), one overdue, one without a deadline.
    from egov.core.workdays import working_days_add

    dues = [working_days_add(today, 5, calendar=calendar), today, today - timedelta(days=10), None]
    for task, due in zip(tasks, dues, strict=True):
        WorkTask.objects.filter(pk=task.pk).update(due_date=due)
    response = clerk_client.get(reverse("workflow:inbox"), follow=True)
    assert response.redirect_chain == [(reverse("casework:inbox"), 302)]
    rows = response.context["rows"]
    assert [row.task.pk for row in rows] == [tasks[2].pk, tasks[1].pk, tasks[0].pk, tasks[3].pk]
    assert [row.urgency for row in rows] == ["overdue", "due_soon", "on_time", "none"]
    assert rows[1].days_left == 0 and rows[2].days_left == 5
    page = response.content.decode()
    assert "govuk-tag--red" in page and "govuk-tag--yellow" in page and "govuk-tag--green" in page


@pytest.mark.django_db
def test_claim_and_complete_through_the_pages(clerk_client, city, case):
    task = instance_task_at(instance=case, bpmn_id="receive")
    detail = clerk_client.get(reverse("workflow:task", args=[task.pk]))
    assert detail.status_code == 200
    assert detail.context["can_claim"] and detail.context["form"] is None
    assert detail.context["diagram"]["current"] == ["receive"]
    assert 'id="bpmn-xml"' in detail.content.decode()
    response = clerk_client.post(reverse("workflow:claim", args=[task.pk]))
    assert response.status_code == 302
    response = clerk_client.post(reverse("workflow:complete", args=[task.pk]), {"opinion": "材料齐全"})
    assert response.status_code == 302
    accept = instance_task_at(instance=case, bpmn_id="accept")
    clerk_client.post(reverse("workflow:claim", args=[accept.pk]))
    refused = clerk_client.post(reverse("workflow:complete", args=[accept.pk]), {"accept_decision": "maybe"})
    assert refused.status_code == 400
    assert "accept_decision" in refused.context["form"].errors
    done = clerk_client.post(reverse("workflow:complete", args=[accept.pk]), {"accept_decision": "accept"})
    assert done.status_code == 302
    review = instance_task_at(instance=case, bpmn_id="review")
    assert review.candidate_role == "reviewer"
    done_rows = clerk_client.get(reverse("casework:done")).context["rows"]
    assert [task.bpmn_id for task, _subject in done_rows] == ["accept", "receive"]


@pytest.mark.django_db
def test_the_decision_is_offered_in_the_pages_language(clerk_client, city, case):
    """受理's answers in the BPMN's decision_options (Chinese) and decision_options_en (English)."""
    work(case, "receive", city.users["clerk"])
    accept = instance_task_at(instance=case, bpmn_id="accept")
    clerk_client.post(reverse("workflow:claim", args=[accept.pk]))
    url = reverse("workflow:task", args=[accept.pk])
    english = clerk_client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["form"]["accept_decision"].field.choices
    assert english == [("accept", "Accept"), ("reject", "Do not accept"),
                       ("supplement", "Ask for supplementary materials")]
    chinese = clerk_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").context["form"]["accept_decision"].field.choices
    assert chinese == [("accept", "予以受理"), ("reject", "不予受理"), ("supplement", "需要补正")]


@pytest.mark.django_db
def test_review_form_offers_joint_reviewers(client, city, case):
    work(case, "receive", city.users["clerk"])
    work(case, "accept", city.users["clerk"], {"accept_decision": "accept"})
    client.force_login(city.users["reviewer"])
    review = instance_task_at(instance=case, bpmn_id="review")
    client.post(reverse("workflow:claim", args=[review.pk]))
    response = client.post(reverse("workflow:complete", args=[review.pk]),
                           {"joint_reviewers": [str(city.planning.pk), str(city.environment.pk)]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.data["joint_reviewers"] == [city.planning.pk, city.environment.pk]
    client.force_login(city.users["planner"])
    assert [row.task.bpmn_id for row in client.get(reverse("casework:inbox")).context["rows"]] == ["joint_review"]


@pytest.mark.django_db
def test_other_organizations_get_404_and_wrong_roles_403(client, city, case):
    task = instance_task_at(instance=case, bpmn_id="receive")
    client.force_login(city.users["planner"])
    assert client.get(reverse("workflow:task", args=[task.pk])).status_code == 404
    assert client.post(reverse("workflow:claim", args=[task.pk])).status_code == 404
    client.force_login(city.users["reviewer"])
    assert client.get(reverse("workflow:task", args=[task.pk])).status_code == 200
    response = client.post(reverse("workflow:claim", args=[task.pk]))
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == WorkTask.Status.OPEN


@pytest.mark.django_db
def test_staff_home_tells_operators_which_years_need_a_schedule(client, city):
    operator = city.users["operator"]
    staff_backup_codes_issue(actor=None, user=operator, codes=["31415926"])
    client.post(reverse("staff_accounts:login"), {"username": "operator", "password": PASSWORD})
    client.post(reverse("staff_accounts:login_otp"), {"token": "31415926"})
    page = client.get(reverse("staff_home"))
    assert page.status_code == 200
    missing = timezone.localdate().year + 1
    assert missing in page.context["calendar_years_missing"]
    assert "egov calendar import FILE" in page.content.decode()
    client.force_login(city.users["clerk"])
    assert client.get(reverse("staff_home")).context["calendar_years_missing"] == []


@pytest.mark.django_db
def test_beat_task_marks_overdue(case):
    WorkTask.objects.filter(instance=case).update(due_date=timezone.localdate() - timedelta(days=30))
    ProcessInstance.objects.filter(pk=case.pk).update(due_date=timezone.localdate() - timedelta(days=30))
    assert mark_overdue.delay().get() == 2
    assert WorkTask.objects.get(instance=case).overdue_since is not None


def test_the_viewer_bundle_and_its_licence_ship():
    for name in ("bpmn-viewer.production.min.js", "diagram-js.css", "bpmn-js.css", "LICENSE"):
        assert finders.find(f"workflow/vendor/bpmn-js/{name}"), name
    assert finders.find("workflow/diagram.js")


@pytest.mark.django_db
def test_the_old_inboxes_lead_to_the_one_inbox(clerk_client):
    redirects = {"/staff/tasks/": "/staff/inbox/", "/staff/tasks/done/": "/staff/inbox/done/",
                 "/staff/cases/": "/staff/inbox/?kind=case", "/staff/cases/done/": "/staff/inbox/done/",
                 "/staff/cases/?q=%E5%BC%A0": "/staff/inbox/?kind=case&q=%E5%BC%A0"}
    for old, new in redirects.items():
        response = clerk_client.get(old)
        assert (response.status_code, response["Location"]) == (302, new), old
