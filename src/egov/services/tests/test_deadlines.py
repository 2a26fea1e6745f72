"""Case deadlines in working days (行政许可法 §42, §45), worked by hand over the 2026 schedule that
the calendar table holds (国务院办公厅 notice: 中秋 09-25…27 off; 国庆 10-01…10-07 off; 09-20 (Sun)
and 10-10 (Sat) working days)."""

from datetime import date

import pytest
from freezegun import freeze_time

from egov.core.workdays import working_days_paused
from egov.services.actions import processing
from egov.services.deadlines import case_due_date
from egov.services.selectors import application_deadlines
from egov.services.tests.factories import submit
from egov.workflow.models import ClockPause
from egov.workflow.selectors import work_calendar

# Accepted Monday 2026-09-28; day 1 is 09-29, 2 is 09-30; 10-01…10-07 are off; 3 is 10-08, 4 is 10-09,
# 5 is Saturday 10-10 (调休 working day); 6–10 are 10-12…10-16, 11–15 are 10-19…10-23, 16–20 are
# 10-26…10-30. So 20 working days end on Friday 2026-10-30 (weekends alone would give 10-26).
ACCEPTED = date(2026, 9, 28)
DUE = date(2026, 10, 30)
# A special procedure from Monday 10-12 to Wednesday 10-14 does not count 10-13 and 10-14: two working
# days; 10-30 (Fri) + 2 working days = Tuesday 2026-11-03.
DUE_AFTER_PAUSE = date(2026, 11, 3)


@pytest.mark.django_db
def test_twenty_working_days_from_acceptance_skip_national_day_and_count_the_working_saturday():
    calendar = work_calendar()
    assert case_due_date(accepted_on=ACCEPTED, limit_days=20, pauses=[], calendar=calendar) == DUE


@pytest.mark.django_db
def test_a_pause_of_two_working_days_moves_the_deadline_by_two():
    calendar = work_calendar()
    pauses = [(date(2026, 10, 12), date(2026, 10, 14))]
    assert working_days_paused(ACCEPTED, pauses, calendar=calendar) == 2
    assert case_due_date(accepted_on=ACCEPTED, limit_days=20, pauses=pauses, calendar=calendar) == DUE_AFTER_PAUSE


@pytest.mark.django_db
def test_a_pause_over_the_holiday_counts_only_its_working_days():
    # 09-30 → 10-09: 10-08 and 10-09 are the working days not counted (10-01…10-07 are off anyway).
    calendar = work_calendar()
    pauses = [(date(2026, 9, 30), date(2026, 10, 9))]
    assert working_days_paused(ACCEPTED, pauses, calendar=calendar) == 2


@pytest.mark.django_db
def test_a_supplement_before_acceptance_does_not_move_the_case_deadline():
    # 补正 from 09-21 to 09-24 ended before acceptance: it stopped the 受理 step's clock, not the case's.
    calendar = work_calendar()
    pauses = [(date(2026, 9, 21), date(2026, 9, 24))]
    assert case_due_date(accepted_on=ACCEPTED, limit_days=20, pauses=pauses, calendar=calendar) == DUE


def test_the_case_deadline_through_the_actions(casework):
    """The same dates through the real steps: 补正 answered before acceptance, accepted 09-28, an expert
    review 10-12 → 10-14; the stored deadline and the one worked out from the pauses agree."""
    from egov.services.actions.applying import application_supplement_upload
    from egov.services.tests.factories import PDF

    staff = casework.staff
    casework.item.promised_limit_days = 20
    casework.item.legal_limit_days = 20
    casework.item.save()
    with freeze_time("2026-09-21 10:00:00+08:00"):
        case = submit(casework.item, casework.citizen)
        processing.application_receive(actor=staff["clerk"], application=case)
        request = processing.application_supplement_request(
            actor=staff["clerk"], application=case, materials=[casework.item.materials.get(required=True)],
            note="缺少签字")
    with freeze_time("2026-09-24 10:00:00+08:00"):
        application_supplement_upload(actor=casework.citizen, application=case,
                                      files={request.materials.get().pk: PDF})
        processing.application_supplement_receive(actor=staff["clerk"], application=case)
    with freeze_time("2026-09-28 10:00:00+08:00"):
        case = processing.application_accept(actor=staff["clerk"], application=case)
    assert case.accepted_on == ACCEPTED and case.process.due_date == DUE
    with freeze_time("2026-10-12 10:00:00+08:00"):
        case = processing.application_special_procedure_start(actor=staff["reviewer"], application=case,
                                                              kind=ClockPause.Reason.EXPERT_REVIEW, reason="专家评审")
        deadlines = application_deadlines(application=case)
        assert deadlines.paused_since == date(2026, 10, 12) and deadlines.urgency == "paused"
    with freeze_time("2026-10-14 16:00:00+08:00"):
        case = processing.application_special_procedure_end(actor=staff["reviewer"], application=case)
    assert case.process.due_date == DUE_AFTER_PAUSE
    supplement = case.process.pauses.get(reason=ClockPause.Reason.SUPPLEMENT)
    assert (supplement.started_on, supplement.ended_on, supplement.working_days) == (
        date(2026, 9, 21), date(2026, 9, 24), 3)
    deadlines = application_deadlines(application=case, today=date(2026, 10, 30))
    assert (deadlines.accepted_on, deadlines.due_date, deadlines.paused_days) == (ACCEPTED, DUE_AFTER_PAUSE, 2)
    # 10-30 → 11-03: 11-02 and 11-03 are left: amber (≤ 3 working days).
    assert (deadlines.days_left, deadlines.urgency) == (2, "due_soon")
    assert application_deadlines(application=case, today=date(2026, 11, 4)).urgency == "overdue"
    assert application_deadlines(application=case, today=date(2026, 10, 15)).urgency == "on_time"
    assert processing.applications_mark_overdue(today=date(2026, 11, 3)) == 0
    assert processing.applications_mark_overdue(today=date(2026, 11, 4)) == 1


@pytest.mark.django_db
def test_no_step_is_due_after_the_case_but_conclusion_and_delivery_keep_their_own_time(casework):
    # The item promises 2 working days: accepted Monday 2026-09-28, the case is due Wednesday 09-30.
    # Review has 10 working days of its own (it would end 10-16, after the National Day week): cut
    # to 09-30. Decided on 09-30, 办结 (1 working day) is due 10-08 and 送达 (10 working days,
    # 行政许可法 §44) on 10-20, both after the case deadline: they come after the decision.
    from egov.workflow.selectors import instance_active_tasks

    staff = casework.staff
    assert casework.item.promised_limit_days == 2
    with freeze_time("2026-09-28 10:00:00+08:00"):
        case = submit(casework.item, casework.citizen)
        processing.application_receive(actor=staff["clerk"], application=case)
        case = processing.application_accept(actor=staff["clerk"], application=case)
    assert case.process.due_date == date(2026, 9, 30)
    (review,) = instance_active_tasks(instance=case.process)
    assert (review.bpmn_id, review.due_date) == ("review", date(2026, 9, 30))
    with freeze_time("2026-09-30 10:00:00+08:00"):
        processing.application_review(actor=staff["reviewer"], application=case)
        case = processing.application_decide(actor=staff["approver"], application=case, approve=True)
        (conclude,) = instance_active_tasks(instance=case.process)
        assert (conclude.bpmn_id, conclude.due_date) == ("conclude", date(2026, 10, 8))
        case = processing.application_conclude(actor=staff["clerk"], application=case)
    (deliver,) = instance_active_tasks(instance=case.process)
    # 10 working days after 09-30: 10-08, 09, 10 (Sat, worked), 12, 13, 14, 15, 16, 19, 20 → 10-20.
    assert (deliver.bpmn_id, deliver.due_date) == ("deliver", date(2026, 10, 20))
