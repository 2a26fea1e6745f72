"""Processing cases (内网办理): each step moves the workflow and the status together, with its audit
event; authorization (other organizations get NotFound, missing roles PermissionDenied); illegal
steps refused with the status named; 补正 once; joint review; special procedures; overdue."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from egov.audit.models import AuditEvent
from egov.audit.selectors import audit_chain_verify
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.services.actions import processing
from egov.services.models import ApplicationStatus as S
from egov.services.selectors import application_staff_steps
from egov.services.tests.factories import submit
from egov.workflow.models import ClockPause, WorkTask
from egov.workflow.selectors import instance_active_tasks


def _steps(application):
    return sorted(t.bpmn_id for t in instance_active_tasks(instance=application.process))


def test_the_whole_flow_with_supplement_and_joint_review(casework):
    from egov.services.actions.applying import application_supplement_upload
    from egov.services.tests.factories import PDF

    staff = casework.staff
    case = submit(casework.item, casework.citizen)
    case = processing.application_receive(actor=staff["clerk"], application=case)
    assert case.status == S.RECEIVED and _steps(case) == ["accept"]
    request = processing.application_supplement_request(
        actor=staff["clerk"], application=case, materials=[casework.item.materials.get(required=True)],
        note="申请书缺少签字")
    case.refresh_from_db()
    assert case.status == S.SUPPLEMENT and _steps(case) == ["supplement"]
    application_supplement_upload(actor=casework.citizen, application=case, files={request.materials.get().pk: PDF})
    case = processing.application_supplement_receive(actor=staff["clerk"], application=case)
    assert case.status == S.RECEIVED and _steps(case) == ["accept"]
    case = processing.application_accept(actor=staff["clerk"], application=case, opinion="材料齐全")
    assert case.status == S.ACCEPTED and _steps(case) == ["review"]
    assert case.accepted_on == timezone.localdate() and case.process.due_date is not None
    case = processing.application_review(actor=staff["reviewer"], application=case,
                                         joint_reviewers=[casework.planning, casework.other])
    assert case.status == S.JOINT_REVIEW and _steps(case) == ["joint_review", "joint_review"]
    joint = case.events.get(move="review_joint")  # the organizations named in the reader's language
    with translation.override("en"):
        assert joint.note_text() == f"Joint review by {casework.planning.local_name}, {casework.other.local_name}"
    with translation.override("zh-hans"):
        assert joint.note_text() == f"并联审查：{casework.planning.name}、{casework.other.name}"
    case = processing.application_joint_opinion(actor=staff["planner"], application=case, agree=True)
    assert case.status == S.JOINT_REVIEW and _steps(case) == ["joint_review"]
    with pytest.raises(Conflict):  # the planning bureau has answered already
        processing.application_joint_opinion(actor=staff["planner"], application=case, agree=True)
    with pytest.raises(ValidationFailed) as raised:
        processing.application_joint_opinion(actor=staff["other_reviewer"], application=case, agree=False)
    assert raised.value.extra["field"] == "opinion"
    case = processing.application_joint_opinion(actor=staff["other_reviewer"], application=case, agree=False,
                                                opinion="选址与规划不符")
    assert case.status == S.REVIEWED and _steps(case) == ["decide"]
    case = processing.application_decide(actor=staff["approver"], application=case, approve=True)
    assert case.status == S.APPROVED and _steps(case) == ["conclude"]
    case = processing.application_conclude(actor=staff["clerk"], application=case)
    case = processing.application_deliver(actor=staff["clerk"], application=case)
    assert case.status == S.DELIVERED
    case.process.refresh_from_db()
    assert case.process.status == "completed" and case.process.outcome == "delivered"
    assert case.process.data["joint_opinions"] == ["agree", "disagree"]
    moves = ["submit", "receive", "request_supplement", "supplement_upload", "supplement_receive", "accept",
             "review_joint", "joint_opinion", "joint_review_complete", "approve", "conclude", "deliver"]
    assert list(case.events.values_list("move", flat=True)) == moves
    audited = list(AuditEvent.objects.filter(action__startswith="services.application.", object_id=str(case.pk))
                   .order_by("seq").values_list("action", "actor_id"))
    assert audited == [(f"services.application.{m}", actor.pk) for m, actor in zip(moves, [
        casework.citizen, staff["clerk"], staff["clerk"], casework.citizen, staff["clerk"], staff["clerk"],
        staff["reviewer"], staff["planner"], staff["other_reviewer"], staff["approver"], staff["clerk"],
        staff["clerk"]], strict=True)]
    assert audit_chain_verify().ok


def test_staff_of_another_organization_get_not_found(casework):
    case = submit(casework.item, casework.citizen)
    with pytest.raises(NotFound):
        processing.application_receive(actor=casework.staff["other_clerk"], application=case)
    with pytest.raises(NotFound):  # the joint reviewer sees the case only once consulted
        processing.application_receive(actor=casework.staff["planner"], application=case)


def test_a_member_without_the_role_is_refused(casework):
    case = submit(casework.item, casework.citizen)
    with pytest.raises(PermissionDenied) as raised:
        processing.application_receive(actor=casework.staff["reviewer"], application=case)
    assert raised.value.extra["roles"] == ["clerk"]


def test_deciding_a_case_not_yet_accepted_is_refused_naming_the_status(casework):
    case = submit(casework.item, casework.citizen)
    processing.application_receive(actor=casework.staff["clerk"], application=case)
    with pytest.raises(Conflict) as raised:
        processing.application_decide(actor=casework.staff["approver"], application=case, approve=True)
    assert raised.value.extra == {"state": "received", "move": "approve"}
    assert "已接件" in raised.value.message  # the status, in the default language
    case.refresh_from_db()
    assert case.status == S.RECEIVED and _steps(case) == ["accept"]


def test_refusing_and_denying_need_reasons_and_refusing_ends_the_case(casework):
    staff = casework.staff
    case = submit(casework.item, casework.citizen)
    processing.application_receive(actor=staff["clerk"], application=case)
    with pytest.raises(ValidationFailed) as raised:
        processing.application_refuse(actor=staff["clerk"], application=case, reasons="  ")
    assert raised.value.extra == {"field": "reasons", "rule": "required"}
    case = processing.application_refuse(actor=staff["clerk"], application=case, reasons="不属于本机关职权范围")
    assert case.status == S.NOT_ACCEPTED and case.reasons == "不属于本机关职权范围"
    case.process.refresh_from_db()
    assert case.process.outcome == "not_accepted"
    assert case.events.last().note == "不属于本机关职权范围"

    other = submit(casework.item, casework.citizen, key="second-case-01")
    processing.application_receive(actor=staff["clerk"], application=other)
    processing.application_accept(actor=staff["clerk"], application=other)
    processing.application_review(actor=staff["reviewer"], application=other)
    with pytest.raises(ValidationFailed):
        processing.application_decide(actor=staff["approver"], application=other, approve=False)
    other = processing.application_decide(actor=staff["approver"], application=other, approve=False,
                                          reasons="不符合法定条件")
    assert other.status == S.DENIED and other.decided_at is not None


def test_supplement_is_requested_once_with_a_list(casework):
    staff = casework.staff
    case = submit(casework.item, casework.citizen)
    processing.application_receive(actor=staff["clerk"], application=case)
    with pytest.raises(ValidationFailed) as raised:
        processing.application_supplement_request(actor=staff["clerk"], application=case, materials=[], note="x")
    assert raised.value.extra["field"] == "materials"
    material = casework.item.materials.get(required=True)
    material.name_en = "Application form"
    material.save(update_fields=["name_en"])
    processing.application_supplement_request(actor=staff["clerk"], application=case, materials=[material],
                                              note="请补充签字页")
    event = case.events.last()  # the materials named in the reader's language, the note as written
    with translation.override("zh-hans"):
        assert event.note_text() == f"{material.name}。请补充签字页"
    with translation.override("en"):
        assert event.note_text() == "Application form. 请补充签字页"
    from egov.services.actions.applying import application_supplement_upload
    from egov.services.tests.factories import PDF

    application_supplement_upload(actor=casework.citizen, application=case, files={material.pk: PDF})
    processing.application_supplement_receive(actor=staff["clerk"], application=case)
    assert "request_supplement" not in application_staff_steps(user=staff["clerk"], application=case)
    with pytest.raises(Conflict) as raised:
        processing.application_supplement_request(actor=staff["clerk"], application=case, materials=[material],
                                                  note="again")
    assert raised.value.extra["rule"] == "once"


def test_a_special_procedure_stops_the_clock_and_blocks_the_steps(casework):
    staff = casework.staff
    case = submit(casework.item, casework.citizen)
    processing.application_receive(actor=staff["clerk"], application=case)
    processing.application_accept(actor=staff["clerk"], application=case)
    with pytest.raises(ValidationFailed):
        processing.application_special_procedure_start(actor=staff["reviewer"], application=case,
                                                       kind="supplement", reason="x")
    with pytest.raises(PermissionDenied):
        processing.application_special_procedure_start(actor=staff["clerk"], application=case,
                                                       kind=ClockPause.Reason.EXPERT_REVIEW, reason="x")
    case = processing.application_special_procedure_start(actor=staff["reviewer"], application=case,
                                                          kind=ClockPause.Reason.EXPERT_REVIEW,
                                                          reason="需组织专家评审")
    assert case.status == S.SPECIAL_PROCEDURE
    case.process.refresh_from_db()
    assert case.process.paused_since == timezone.localdate()
    with pytest.raises(Conflict) as raised:
        processing.application_review(actor=staff["reviewer"], application=case)
    assert raised.value.extra["state"] == "special_procedure"
    case = processing.application_special_procedure_end(actor=staff["approver"], application=case)
    assert case.status == S.ACCEPTED and case.special_resume_status == ""
    processing.application_review(actor=staff["reviewer"], application=case)


def test_overdue_cases_are_marked_once(casework):
    staff = casework.staff
    case = submit(casework.item, casework.citizen)
    processing.application_receive(actor=staff["clerk"], application=case)
    processing.application_accept(actor=staff["clerk"], application=case)
    case.process.refresh_from_db()
    assert processing.applications_mark_overdue(today=case.process.due_date) == 0
    later = case.process.due_date + timedelta(days=1)
    assert processing.applications_mark_overdue(today=later) == 1
    assert processing.applications_mark_overdue(today=later) == 0
    case.refresh_from_db()
    assert case.overdue_since is not None
    assert AuditEvent.objects.filter(action="services.application.overdue", object_id=str(case.pk)).count() == 1


def test_the_workflow_task_and_the_status_cannot_part(casework, client):
    """The generic task page sends staff to the case page; an answer posted to it is carried out by
    the case's own action, so the task and the status move together."""
    case = submit(casework.item, casework.citizen)
    task = WorkTask.objects.get(instance=case.process, bpmn_id="receive")
    client.force_login(casework.staff["clerk"])
    response = client.get(f"/staff/tasks/{task.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.number}/"
    response = client.post(f"/staff/tasks/{task.pk}/complete/", {})
    assert response.status_code == 302
    task.refresh_from_db()
    case.refresh_from_db()
    assert (task.status, case.status) == (WorkTask.Status.COMPLETED, "received")
    assert list(case.events.values_list("move", flat=True)) == ["submit", "receive"]


def test_the_overdue_task_is_named_and_scheduled_hourly(settings, casework):
    from egov.services.tasks import mark_overdue

    assert mark_overdue.name == "services.mark_overdue"
    assert settings.CELERY_BEAT_SCHEDULE["services-mark-overdue"] == {"task": "services.mark_overdue",
                                                                      "schedule": 3600.0}
    assert mark_overdue.delay().get() == 0  # eager in tests: runs the action


def test_the_platforms_timeline_notes_are_worded_in_the_readers_language(casework):
    # Written while the clerk's page was Chinese, read by an applicant whose page is English.
    staff = casework.staff
    case = submit(casework.item, casework.citizen)
    processing.application_receive(actor=staff["clerk"], application=case)
    with translation.override("zh-hans"):
        case = processing.application_accept(actor=staff["clerk"], application=case)
        case = processing.application_special_procedure_start(actor=staff["reviewer"], application=case,
                                                              kind=ClockPause.Reason.EXPERT_REVIEW,
                                                              reason="需组织专家评审")
    due = case.process.due_date.isoformat()
    accept, special = case.events.filter(move__in=["accept", "special_procedure_start"]).order_by("at", "pk")
    with translation.override("en"):
        assert accept.note_text() == f"To be decided by {due}."
        assert special.note_text() == "Expert review: 需组织专家评审"  # the English text, without the Chinese term
    with translation.override("zh-hans"):
        assert accept.note_text() == f"应于 {due} 前作出决定。"
        assert special.note_text() == "专家评审：需组织专家评审"
