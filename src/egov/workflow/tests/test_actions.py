"""Running standard_permit: the inbox tasks, joint review, authorization, versions, clocks, overdue."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from egov.audit.models import AuditEvent
from egov.audit.selectors import audit_chain_verify
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.workflow.actions import (
    instance_clock_pause,
    instance_clock_resume,
    process_cancel,
    process_definition_upload,
    process_start,
    task_claim,
    task_complete,
    task_release,
    tasks_mark_overdue,
)
from egov.workflow.models import ClockPause, ProcessInstance, WorkTask
from egov.workflow.selectors import instance_active_tasks, instance_task_at, working_days_add
from egov.workflow.tests.conftest import work


@pytest.fixture
def case(city, permit_definition, applicant):
    return process_start(actor=city.users["clerk"], subject=applicant, definition_key="standard_permit",
                         owner=city.bureau, data={"service": "建设工程规划许可"})


def _steps(instance):
    tasks = instance_active_tasks(instance=instance)
    return [(t.bpmn_id, t.candidate_organization_id, t.candidate_role) for t in tasks]


@pytest.mark.django_db
def test_start_opens_receive_for_the_clerks_of_the_owner(city, case):
    assert case.status == ProcessInstance.Status.RUNNING
    assert case.subject.id_number == "11010519491231002X"
    assert case.data == {"service": "建设工程规划许可", "owner_organization": city.bureau.pk}
    assert _steps(case) == [("receive", city.bureau.pk, "clerk")]
    task = instance_task_at(instance=case, bpmn_id="receive")
    assert task.name == "接件"
    assert task.due_date == working_days_add(start=timezone.localdate(), days=1)
    assert AuditEvent.objects.filter(action="workflow.process.start", object_id=str(case.pk)).exists()


@pytest.mark.django_db
def test_full_run_with_joint_review_moves_on_only_when_all_organizations_answered(city, case):
    users = city.users
    work(case, "receive", users["clerk"])
    work(case, "accept", users["clerk"], {"accept_decision": "accept"})
    work(case, "review", users["reviewer"], {"joint_reviewers": [city.planning.pk, city.environment.pk],
                                             "opinion": "需征求规划、环保意见"})
    case.refresh_from_db()
    assert sorted(_steps(case)) == sorted([("joint_review", city.planning.pk, "reviewer"),
                                           ("joint_review", city.environment.pk, "reviewer")])
    planning_task = WorkTask.objects.get(instance=case, bpmn_id="joint_review", candidate_organization=city.planning)
    task_complete(actor=users["planner"], task=task_claim(actor=users["planner"], task=planning_task),
                  data={"joint_opinion": "agree", "opinion": "符合规划"})
    case.refresh_from_db()
    # One organization has answered: the case still waits for the other, and 决定 is not open.
    assert _steps(case) == [("joint_review", city.environment.pk, "reviewer")]
    with pytest.raises(Conflict) as not_yet:
        instance_task_at(instance=case, bpmn_id="decide")
    assert "并联审查" in not_yet.value.message
    environment_task = WorkTask.objects.get(instance=case, bpmn_id="joint_review",
                                            candidate_organization=city.environment)
    task_complete(actor=users["ecologist"], task=task_claim(actor=users["ecologist"], task=environment_task),
                  data={"joint_opinion": "disagree"})
    case.refresh_from_db()
    assert _steps(case) == [("decide", city.bureau.pk, "approver")]
    work(case, "decide", users["approver"], {"decision": "approve"})
    work(case, "conclude", users["clerk"])
    work(case, "deliver", users["clerk2"])
    case.refresh_from_db()
    assert case.status == ProcessInstance.Status.COMPLETED
    assert case.outcome == "delivered"
    assert case.ended_at is not None
    # The collection keeps the order of joint_reviewers: planning agreed, environment disagreed.
    assert case.data["joint_opinions"] == ["agree", "disagree"]
    assert case.data["decision"] == "approve"
    assert instance_active_tasks(instance=case) == []
    assert WorkTask.objects.filter(instance=case, status=WorkTask.Status.COMPLETED).count() == 8
    completions = AuditEvent.objects.filter(action="workflow.task.complete").count()
    assert completions == 8
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_review_without_joint_reviewers_goes_straight_to_decide(city, case):
    work(case, "receive", city.users["clerk"])
    work(case, "accept", city.users["clerk"], {"accept_decision": "accept"})
    work(case, "review", city.users["reviewer"])
    case.refresh_from_db()
    assert _steps(case) == [("decide", city.bureau.pk, "approver")]
    assert case.data["joint_reviewers"] == []


@pytest.mark.django_db
def test_not_accepted_ends_the_case(city, case):
    work(case, "receive", city.users["clerk"])
    work(case, "accept", city.users["clerk"], {"accept_decision": "reject", "opinion": "不属于本机关职权范围"})
    case.refresh_from_db()
    assert (case.status, case.outcome) == (ProcessInstance.Status.COMPLETED, "not_accepted")


@pytest.mark.django_db
def test_supplement_stops_the_clock_and_returns_to_accept(city, case):
    work(case, "receive", city.users["clerk"])
    work(case, "accept", city.users["clerk"], {"accept_decision": "supplement"})
    case.refresh_from_db()
    assert _steps(case) == [("supplement", city.bureau.pk, "clerk")]
    assert case.paused_since == timezone.localdate()
    assert ClockPause.objects.get(instance=case).reason == "supplement"
    work(case, "supplement", city.users["clerk"])
    case.refresh_from_db()
    assert case.paused_since is None
    pause = ClockPause.objects.get(instance=case)
    assert (pause.ended_on, pause.working_days) == (timezone.localdate(), 0)
    assert _steps(case) == [("accept", city.bureau.pk, "clerk")]


@pytest.mark.django_db
def test_deciding_a_case_not_yet_accepted_is_refused_with_the_state_named(city, case):
    with pytest.raises(Conflict) as refused:
        instance_task_at(instance=case, bpmn_id="decide")
    assert refused.value.message == "The case is at 接件 (receive), not at step decide."
    assert refused.value.extra == {"state": ["receive"], "step": "decide"}


@pytest.mark.django_db
def test_decision_must_be_one_of_the_options(city, case):
    work(case, "receive", city.users["clerk"])
    task = task_claim(actor=city.users["clerk"], task=instance_task_at(instance=case, bpmn_id="accept"))
    for data in ({}, {"accept_decision": "maybe"}):
        with pytest.raises(ValidationFailed) as refused:
            task_complete(actor=city.users["clerk"], task=task, data=data)
        assert refused.value.extra == {"field": "accept_decision", "rule": "choice",
                                       "options": ["accept", "reject", "supplement"]}
    task.refresh_from_db()
    assert task.status == WorkTask.Status.CLAIMED  # nothing written


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "rule"), [
    ({"joint_reviewers": "all"}, "organization_ids"),
    ({"joint_reviewers": [999999]}, "organization_ids"),
    ({"joint_reviewers": [True]}, "organization_ids"),
    ({"__class__": 1}, "name"),
    ({"owner_organization": 1}, "name"),
    ({"when": float("nan")}, "json"),
])
def test_bad_answers_are_refused(city, case, data, rule):
    work(case, "receive", city.users["clerk"])
    work(case, "accept", city.users["clerk"], {"accept_decision": "accept"})
    task = task_claim(actor=city.users["reviewer"], task=instance_task_at(instance=case, bpmn_id="review"))
    with pytest.raises(ValidationFailed) as refused:
        task_complete(actor=city.users["reviewer"], task=task, data=data)
    assert refused.value.extra["rule"] == rule


@pytest.mark.django_db
def test_other_organizations_get_not_found_and_wrong_roles_are_refused(city, case):
    task = instance_task_at(instance=case, bpmn_id="receive")
    for outsider in ("planner", "planning_clerk", "operator"):
        with pytest.raises(NotFound):
            task_claim(actor=city.users[outsider], task=task)
    for member_without_role in ("reviewer", "approver"):
        with pytest.raises(PermissionDenied) as refused:
            task_claim(actor=city.users[member_without_role], task=task)
        assert refused.value.extra == {"role": "clerk"}
    task.refresh_from_db()
    assert task.status == WorkTask.Status.OPEN


@pytest.mark.django_db
def test_claim_release_and_complete_follow_the_task_moves(city, case):
    clerk, clerk2 = city.users["clerk"], city.users["clerk2"]
    task = instance_task_at(instance=case, bpmn_id="receive")
    with pytest.raises(Conflict) as refused:
        task_complete(actor=clerk, task=task, data={})
    assert refused.value.extra == {"state": "open", "move": "complete"}
    task_claim(actor=clerk, task=task)
    with pytest.raises(Conflict):
        task_claim(actor=clerk2, task=task)
    with pytest.raises(PermissionDenied):
        task_complete(actor=clerk2, task=task, data={})
    with pytest.raises(PermissionDenied):
        task_release(actor=clerk2, task=task)
    task_release(actor=clerk, task=task)
    task_claim(actor=clerk2, task=task)
    task_complete(actor=clerk2, task=task, data={})
    with pytest.raises(Conflict) as refused:
        task_complete(actor=clerk2, task=task, data={})
    assert refused.value.extra["state"] == "completed"
    actions = list(AuditEvent.objects.filter(object_type="workflow.worktask", object_id=str(task.pk))
                   .values_list("action", flat=True))
    assert actions == ["workflow.task.claim", "workflow.task.release", "workflow.task.claim",
                       "workflow.task.complete"]


@pytest.mark.django_db
def test_start_needs_a_role_in_the_owner(city, permit_definition, applicant):
    with pytest.raises(PermissionDenied):
        process_start(actor=city.users["planner"], subject=applicant, definition_key="standard_permit",
                      owner=city.bureau)
    with pytest.raises(NotFound):
        process_start(actor=None, subject=applicant, definition_key="no_such_process", owner=city.bureau)


@pytest.mark.django_db
def test_a_running_case_keeps_its_version_after_a_new_upload(city, case):
    work(case, "receive", city.users["clerk"])
    # Version 2 renames 受理 and drops the supplement path's time limit: only new cases see it.
    changed = (case.definition.bpmn_xml.replace('name="受理"', 'name="受理审查"'))
    version2 = process_definition_upload(actor=city.users["operator"], bpmn_xml=changed)
    assert version2.version == 2
    case.refresh_from_db()
    assert case.definition.version == 1
    assert instance_task_at(instance=case, bpmn_id="accept").name == "受理"
    work(case, "accept", city.users["clerk"], {"accept_decision": "reject"})
    newer = process_start(actor=None, subject=case.subject, definition_key="standard_permit", owner=city.bureau)
    work(newer, "receive", city.users["clerk"])
    assert newer.definition.version == 2
    assert instance_task_at(instance=newer, bpmn_id="accept").name == "受理审查"


@pytest.mark.django_db
def test_special_procedure_pause_moves_the_deadlines_by_the_working_days_stopped(city, case):
    work(case, "receive", city.users["clerk"])
    task = instance_task_at(instance=case, bpmn_id="accept")
    # Worked by hand (春节 2026): stopped Friday 02-13, restarted Tuesday 02-24 → 2 working days
    # (Saturday 02-14 worked, 02-24); a deadline of Friday 02-27 moves to Monday 03-02.
    ProcessInstance.objects.filter(pk=case.pk).update(due_date=date(2026, 2, 27))
    WorkTask.objects.filter(pk=task.pk).update(due_date=date(2026, 2, 27))
    case.refresh_from_db()
    instance_clock_pause(actor=city.users["reviewer"], instance=case, reason="expert_review", on=date(2026, 2, 13))
    task.refresh_from_db()
    assert task.clock_paused
    with pytest.raises(Conflict):
        instance_clock_pause(actor=city.users["reviewer"], instance=case, reason="hearing", on=date(2026, 2, 13))
    with pytest.raises(ValidationFailed):
        instance_clock_resume(actor=city.users["reviewer"], instance=case, on=date(2026, 2, 12))
    pause = instance_clock_resume(actor=city.users["reviewer"], instance=case, on=date(2026, 2, 24))
    assert pause.working_days == 2
    case.refresh_from_db()
    task.refresh_from_db()
    assert case.due_date == date(2026, 3, 2)
    assert (task.due_date, task.clock_paused) == (date(2026, 3, 2), False)
    with pytest.raises(Conflict):
        instance_clock_resume(actor=city.users["reviewer"], instance=case)


@pytest.mark.django_db
def test_pause_over_national_day_2025(city, case):
    # Stopped Friday 2025-09-26, restarted Thursday 10-09: 09-28 (Sunday worked), 09-29, 09-30 and
    # 10-09 not counted; a deadline of 09-30 moves to 10-13 (10-09, 10-10, Saturday 10-11 worked, 10-13).
    ProcessInstance.objects.filter(pk=case.pk).update(due_date=date(2025, 9, 30))
    case.refresh_from_db()
    instance_clock_pause(actor=None, instance=case, reason="hearing", on=date(2025, 9, 26))
    instance_clock_resume(actor=None, instance=case, on=date(2025, 10, 9))
    case.refresh_from_db()
    assert case.due_date == date(2025, 10, 13)
    assert ClockPause.objects.get(instance=case).working_days == 4


@pytest.mark.django_db
def test_pause_refuses_unknown_reasons_future_dates_and_outsiders(city, case):
    with pytest.raises(ValidationFailed):
        instance_clock_pause(actor=None, instance=case, reason="holiday")
    with pytest.raises(ValidationFailed):
        instance_clock_pause(actor=None, instance=case, reason="hearing", on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        instance_clock_pause(actor=city.users["planner"], instance=case, reason="hearing")


@pytest.mark.django_db
def test_overdue_tasks_and_cases_are_marked_once(city, case):
    task = instance_task_at(instance=case, bpmn_id="receive")
    ProcessInstance.objects.filter(pk=case.pk).update(due_date=task.due_date)
    assert tasks_mark_overdue(today=task.due_date) == 0  # due today is still on time
    assert tasks_mark_overdue(today=task.due_date + timedelta(days=1)) == 2
    assert tasks_mark_overdue(today=task.due_date + timedelta(days=2)) == 0
    task.refresh_from_db()
    assert task.overdue_since is not None
    assert AuditEvent.objects.filter(action="workflow.task.overdue").count() == 1
    assert AuditEvent.objects.filter(action="workflow.process.overdue").count() == 1


@pytest.mark.django_db
def test_cancel_ends_the_case_and_its_open_tasks(city, case):
    with pytest.raises(ValidationFailed):
        process_cancel(actor=city.users["clerk"], instance=case, reason=" ")
    process_cancel(actor=city.users["clerk"], instance=case, reason="申请人撤回申请")
    case.refresh_from_db()
    assert case.status == ProcessInstance.Status.CANCELLED
    assert WorkTask.objects.get(instance=case).status == WorkTask.Status.CANCELLED
    with pytest.raises(Conflict):
        process_cancel(actor=city.users["clerk"], instance=case, reason="again")
