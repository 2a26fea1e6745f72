"""Objections (异议) and credit repair (信用修复): filing, the refusals with their dates, the credit office's
answer and what it does to the record. Dates worked by hand on the 2025 schedule (国办发明电〔2024〕12号:
9-28 Sunday worked, 10-01…10-08 off, 10-11 Saturday worked)."""

from datetime import date

import pytest
from django.utils import translation

from egov.accounts.tests.factories import LegalPersonFactory
from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.credit import actions, selectors
from egov.credit.models import CreditRequest, Kind, RequestKind, RequestStatus, Status, SubjectKind
from egov.credit.tests.conftest import ENTERPRISE
from egov.facilities.models import Notification

pytestmark = pytest.mark.django_db

FRIDAY = date(2025, 9, 26)


def listing(actor, provider, today=FRIDAY):
    """A 严重失信主体名单 membership of the enterprise, entered on ``today``: 5 working days to object."""
    return actions.record_enter(
        actor=actor,
        provider=provider,
        kind=Kind.SERIOUS,
        subject_kind=SubjectKind.LEGAL,
        subject_code=ENTERPRISE,
        subject_name="无锡示例科技有限公司",
        legal_basis="《失信行为纠正后的信用信息修复管理办法（试行）》",
        decision_document="锡市监信〔2025〕3号",
        decided_on=today,
        measures="限制参与政府采购",
        today=today,
    )


def test_an_objection_in_the_window_is_numbered_due_and_notified(
    registers, approver, market, credit_officer, enterprise
):
    record = listing(approver, market)
    # 5 working days after Friday 2025-09-26: 9-28, 9-29, 9-30, 10-09, 10-10.
    assert (record.status, record.objection_until) == (Status.OBJECTION, date(2025, 10, 10))
    request = actions.request_file(
        actor=enterprise.user,
        record=record,
        kind=RequestKind.OBJECTION,
        reason="处罚已被复议撤销",
        today=date(2025, 9, 29),
    )
    assert request.number == "YY-20250929-0001"
    # 7 working days after Monday 2025-09-29: 9-30, 10-09, 10-10, 10-11, 10-13, 10-14, 10-15.
    assert (request.status, request.answer_due) == (RequestStatus.SUBMITTED, date(2025, 10, 15))
    assert Notification.objects.filter(recipient=credit_officer, subject__contains="YY-20250929-0001").exists()
    assert Notification.objects.filter(recipient=enterprise.user, subject__contains="YY-20250929-0001").exists()
    assert AuditEvent.objects.filter(action="credit.request.file", object_id=str(request.pk)).exists()
    with pytest.raises(Conflict):
        actions.request_file(
            actor=enterprise.user, record=record, kind=RequestKind.OBJECTION, reason="再次", today=date(2025, 9, 30)
        )


def test_an_objection_after_the_window_is_refused_with_the_day_it_closed(registers, approver, market, enterprise):
    record = listing(approver, market)
    with pytest.raises(ValidationFailed) as caught:
        actions.request_file(
            actor=enterprise.user, record=record, kind=RequestKind.OBJECTION, reason="迟到", today=date(2025, 10, 11)
        )
    assert caught.value.extra == {"field": "record", "rule": "window_closed"}
    assert "2025-10-10" in caught.value.message


def test_only_the_subject_or_its_agent_may_object(registers, approver, market, citizen, enterprise):
    record = listing(approver, market)
    with pytest.raises(PermissionDenied):
        actions.request_file(actor=citizen.user, record=record, kind=RequestKind.OBJECTION, reason="x", today=FRIDAY)
    with pytest.raises(PermissionDenied):
        actions.request_file(
            actor=LegalPersonFactory().user, record=record, kind=RequestKind.OBJECTION, reason="x", today=FRIDAY
        )


def test_an_accepted_objection_revokes_the_record(registers, approver, market, credit_officer, enterprise):
    record = listing(approver, market)
    request = actions.request_file(
        actor=enterprise.user, record=record, kind=RequestKind.OBJECTION, reason="认定错误", today=date(2025, 9, 29)
    )
    with pytest.raises(PermissionDenied):
        actions.request_decide(actor=approver, request=request, accept=True, reasons="x")
    actions.request_decide(
        actor=credit_officer, request=request, accept=True, reasons="经核实，认定有误", today=date(2025, 10, 9)
    )
    request.refresh_from_db()
    record.refresh_from_db()
    assert (request.status, request.answer, request.decided_on) == (
        RequestStatus.ACCEPTED,
        "经核实，认定有误",
        date(2025, 10, 9),
    )
    assert record.status == Status.REVOKED
    assert Notification.objects.filter(recipient=enterprise.user, subject__contains="YY-20250929-0001").count() == 2
    # Tester's M4: 予以支持 (not another app's 已受理), and English that reads right.
    received, answered = Notification.objects.filter(
        recipient=enterprise.user, subject__contains="YY-20250929-0001"
    ).order_by("pk")
    assert (
        received.body
        == "信用管理机构已收到您对信用信息 XY-20250926-0001 提出的异议 YY-20250929-0001，将于 2025-10-15 前答复。"
    )
    assert received.body_en == (
        "The credit office received your objection YY-20250929-0001 to record XY-20250926-0001 and answers by "
        "2025-10-15."
    )
    assert answered.subject == "异议申请 YY-20250929-0001：予以支持"
    assert answered.body == "信用管理机构对信用信息 XY-20250926-0001 的答复：予以支持。理由：经核实，认定有误"
    # The daily run no longer publishes it.
    assert actions.credit_daily(today=date(2025, 10, 11)) == {"published": 0, "expired": 0}
    with pytest.raises(Conflict):
        actions.request_decide(actor=credit_officer, request=request, accept=False, reasons="x")


def test_a_rejected_objection_leaves_the_record(registers, approver, market, credit_officer, enterprise):
    record = listing(approver, market)
    request = actions.request_file(
        actor=enterprise.user, record=record, kind=RequestKind.OBJECTION, reason="不服", today=FRIDAY
    )
    with pytest.raises(ValidationFailed) as caught:
        actions.request_decide(actor=credit_officer, request=request, accept=False, reasons=" ")
    assert caught.value.extra["field"] == "reasons"
    actions.request_decide(actor=credit_officer, request=request, accept=False, reasons="认定依据充分", today=FRIDAY)
    record.refresh_from_db()
    assert record.status == Status.OBJECTION
    assert CreditRequest.objects.get().status == RequestStatus.REJECTED
    answered = (
        Notification.objects.filter(recipient=enterprise.user, subject__contains=request.number).order_by("pk").last()
    )
    assert answered.subject.endswith("：不予支持") and "拒收" not in answered.body
    with translation.override("zh-hans"):
        assert str(CreditRequest.objects.get().get_status_display()) == "不予支持"


def test_repair_only_after_the_minimum_period_then_the_record_leaves_the_public(
    registers, approver, market, credit_officer, enterprise
):
    record = listing(approver, market)
    # The window closed 2025-10-10; the daily run of Saturday 2025-10-11 publishes it.
    actions.credit_daily(today=date(2025, 10, 11))
    record.refresh_from_db()
    assert (record.status, record.published_from) == (Status.PUBLISHED, date(2025, 10, 11))
    # 严重失信主体名单 (严重): the shortest period, 1 year, from the decision date 2025-09-26 → 2026-09-26
    # (国办发〔2025〕22号 二), not from the first day of publication.
    assert actions.repair_possible_from(record) == date(2026, 9, 26)
    with pytest.raises(ValidationFailed) as caught:
        actions.request_file(
            actor=enterprise.user, record=record, kind=RequestKind.REPAIR, reason="已纠正", today=date(2026, 9, 25)
        )
    assert caught.value.extra == {"field": "record", "rule": "too_early"} and "2026-09-26" in caught.value.message
    request = actions.request_file(
        actor=enterprise.user, record=record, kind=RequestKind.REPAIR, reason="已履行全部义务", today=date(2026, 10, 12)
    )
    # Monday 2026-10-12 + 7 working days (after the National Day break): 10-13, 14, 15, 16, 19, 20, 21.
    assert (request.number, request.answer_due) == ("XF-20261012-0001", date(2026, 10, 21))
    actions.request_decide(actor=credit_officer, request=request, accept=True, reasons="符合修复条件")
    record.refresh_from_db()
    assert record.status == Status.REPAIRED
    assert not selectors.published().filter(pk=record.pk).exists()


def test_an_agent_objects_for_its_enterprise_until_revoked(registers, approver, market, citizen):
    from egov.accounts.actions import agent_revoke

    legal = LegalPersonFactory(uscc=ENTERPRISE, agent=citizen)
    record = listing(approver, market)
    request = actions.request_file(
        actor=citizen.user, record=record, kind=RequestKind.OBJECTION, reason="代企业提出", today=FRIDAY
    )
    assert request.applicant == citizen.user
    agent_revoke(actor=legal.user, agent=legal.agents.get())
    with pytest.raises(PermissionDenied):
        actions.request_file(actor=citizen.user, record=record, kind=RequestKind.REPAIR, reason="x", today=FRIDAY)


def test_a_person_objects_by_the_verified_resident_id(registers, approver, market):
    from egov.accounts.tests.factories import NaturalPersonFactory
    from egov.credit.tests.conftest import PERSON

    person = NaturalPersonFactory(id_number=PERSON)
    record = actions.record_enter(
        actor=approver,
        provider=market,
        kind=Kind.PENALTY,
        subject_kind=SubjectKind.NATURAL,
        subject_code=PERSON,
        subject_name="张三",
        legal_basis="《中华人民共和国食品安全法》第一百二十六条",
        decision_document="锡市监罚〔2025〕13号",
        decided_on=FRIDAY,
        severity="general",
        today=FRIDAY,
    )
    # A 双公示 penalty has no objection window: published at once, objections taken while published.
    assert record.status == Status.PUBLISHED and record.objection_until is None
    request = actions.request_file(
        actor=person.user, record=record, kind=RequestKind.OBJECTION, reason="身份信息有误", today=date(2025, 10, 20)
    )
    # Monday 2025-10-20 + 7 working days: 10-21 … 10-24, 10-27, 10-28, 10-29.
    assert request.answer_due == date(2025, 10, 29)
    # The audit names the person by the masked ID only.
    event = AuditEvent.objects.get(action="credit.request.file")
    assert PERSON not in str(event.changes) and "3202**********1233" in str(event.changes)
