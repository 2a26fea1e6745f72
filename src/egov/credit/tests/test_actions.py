"""Credit records: entering, matching, the 双公示 and list lifecycles. Dates and periods worked by hand
on the 2025 schedule (国办发明电〔2024〕12号: 9-28 Sunday worked, 10-01…10-08 off, 10-11 Saturday worked)."""

from datetime import date

import pytest

from egov.audit.models import AuditEvent
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.credit import actions
from egov.credit.models import CreditRecord, Kind, Severity, Status, SubjectKind
from egov.credit.tests.conftest import ENTERPRISE, PERSON, UNKNOWN_ENTERPRISE
from egov.facilities.models import Notification

FRIDAY = date(2025, 9, 26)


def penalty(actor, provider, **changes):
    fields = dict(
        actor=actor,
        provider=provider,
        kind=Kind.PENALTY,
        subject_kind=SubjectKind.LEGAL,
        subject_code=ENTERPRISE,
        subject_name="无锡示例科技有限公司",
        legal_basis="《中华人民共和国食品安全法》第一百二十六条",
        decision_document="锡市监罚〔2025〕12号",
        decided_on=FRIDAY,
        severity=Severity.GENERAL,
        facts="未按规定公示食品经营许可证",
        today=FRIDAY,
    )
    return actions.record_enter(**{**fields, **changes})


def test_a_penalty_of_a_known_subject_is_published_at_once(db, registers, approver, market):
    record = penalty(approver, market)
    assert record.number == "XY-20250926-0001"
    assert record.status == Status.PUBLISHED and record.matched_at is not None
    # 7 working days after Friday 2025-09-26: 9-28, 9-29, 9-30, 10-09, 10-10, 10-11, 10-13.
    assert record.publish_due == date(2025, 10, 13)
    # 一般 penalty: public until the longest period of its class, 1 year from the decision date
    # (国办发〔2025〕22号 二, 国家发展改革委令2025年第36号).
    assert (record.published_from, record.published_until) == (FRIDAY, date(2026, 9, 26))
    actions_logged = list(
        AuditEvent.objects.filter(object_type="credit.creditrecord", object_id=str(record.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions_logged == ["credit.record.enter", "credit.record.match_publish"]


def test_a_serious_penalty_is_published_for_three_years(db, registers, approver, market):
    record = penalty(approver, market, severity=Severity.SERIOUS)
    assert record.published_until == date(2028, 9, 26)


def test_the_period_runs_from_the_decision_not_from_a_late_publication(db, registers, approver, market):
    # Decided 2025-01-31, entered on 2025-09-26: a 一般 penalty's year ends 2026-01-31, not 2026-09-26.
    record = penalty(approver, market, decided_on=date(2025, 1, 31))
    assert (record.published_from, record.published_until) == (FRIDAY, date(2026, 1, 31))
    # Decided 2024-08-30 and entered only now: its year ended 2025-08-30, before today; it would never be
    # public, so it is refused (tester's H2; test_daily.py has the day before and after).
    with pytest.raises(ValidationFailed) as refused:
        penalty(approver, market, decided_on=date(2024, 8, 30))
    assert refused.value.extra == {"field": "decided_on", "rule": "period_ended"}


def test_an_unknown_subject_is_held_and_not_published(db, registers, approver, market, credit_officer):
    record = penalty(approver, market, subject_code=UNKNOWN_ENTERPRISE)
    assert record.status == Status.HELD and record.matched_at is None and record.published_from is None
    # The register learns of it; the credit office matches again.
    registers.add(UNKNOWN_ENTERPRISE)
    assert actions.records_match_held(actor=credit_officer, today=date(2025, 9, 29)) == 1
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED and record.published_from == date(2025, 9, 29)


def test_a_listing_gives_notice_and_an_objection_window(db, registers, approver, market):
    from egov.accounts.tests.factories import LegalPersonFactory

    company = LegalPersonFactory(uscc=ENTERPRISE)
    record = penalty(approver, market, kind=Kind.SERIOUS, severity="", measures="限制参与政府采购")
    # 5 working days after 2025-09-26: 9-28, 9-29, 9-30, 10-09, 10-10.
    assert record.status == Status.OBJECTION and record.objection_until == date(2025, 10, 10)
    notice = Notification.objects.get(recipient=company.user)
    assert record.number in notice.subject and "2025-10-10" in notice.body and "限制参与政府采购" in notice.body
    assert "2025-10-10" in notice.body_en
    # Not on the last day of the window; the day after it closes, published until 3 years after the
    # decision (严重, 2025-09-26 + 36 months).
    assert actions.credit_daily(today=date(2025, 10, 10)) == {"published": 0, "expired": 0}
    assert actions.credit_daily(today=date(2025, 10, 11)) == {"published": 1, "expired": 0}
    record.refresh_from_db()
    assert record.status == Status.PUBLISHED
    assert (record.published_from, record.published_until) == (date(2025, 10, 11), date(2028, 9, 26))
    assert actions.credit_daily(today=date(2028, 9, 26)) == {"published": 0, "expired": 0}
    assert actions.credit_daily(today=date(2028, 9, 27)) == {"published": 0, "expired": 1}
    record.refresh_from_db()
    assert record.status == Status.EXPIRED


def test_a_list_needs_measures_and_a_penalty_its_severity(db, registers, approver, market):
    with pytest.raises(ValidationFailed) as error:
        penalty(approver, market, kind=Kind.SERIOUS, measures="")
    assert error.value.extra == {"field": "measures", "rule": "required"}
    with pytest.raises(ValidationFailed) as error:
        penalty(approver, market, severity="")
    assert error.value.extra == {"field": "severity", "rule": "required"}


def test_bad_codes_and_future_decisions_are_refused(db, registers, approver, market):
    with pytest.raises(ValidationFailed) as error:
        penalty(approver, market, subject_code="913202137654321AB3")
    assert error.value.extra == {"field": "subject_code", "rule": "check_character"}
    with pytest.raises(ValidationFailed) as error:
        penalty(approver, market, subject_kind=SubjectKind.NATURAL, subject_code="320213199003071234")
    assert error.value.extra["rule"] == "check_character"
    with pytest.raises(ValidationFailed) as error:
        penalty(approver, market, decided_on=date(2025, 9, 27))
    assert error.value.extra == {"field": "decided_on", "rule": "future"}


def test_only_the_providers_staff_enter_records(db, registers, market, city, make_staff):
    outsider = make_staff(city, ["approver"])
    clerk = make_staff(market, ["clerk"])
    for actor in (outsider, clerk):
        with pytest.raises(PermissionDenied):
            penalty(actor, market)
    assert not CreditRecord.objects.exists()


def test_a_persons_id_is_never_in_the_log(db, registers, approver, market):
    record = penalty(approver, market, subject_kind=SubjectKind.NATURAL, subject_code=PERSON, subject_name="张三")
    assert record.status == Status.PUBLISHED
    for event in AuditEvent.objects.filter(object_type="credit.creditrecord", object_id=str(record.pk)):
        assert PERSON not in str(event.changes) and PERSON not in event.summary
        assert event.changes["subject"] == "3202**********1233"


def test_revoking_needs_the_credit_office_and_ends_the_record(db, registers, approver, market, credit_officer):
    record = penalty(approver, market)
    with pytest.raises(PermissionDenied):
        actions.record_revoke(actor=approver, record=record, reasons="决定已被撤销")
    actions.record_revoke(actor=credit_officer, record=record, reasons="行政复议决定撤销原处罚")
    record.refresh_from_db()
    assert record.status == Status.REVOKED
    with pytest.raises(Conflict):
        actions.record_revoke(actor=credit_officer, record=record, reasons="再次撤销")


def test_the_platform_makes_one_licence_record_per_licence(db, registers, market):
    licence = actions.LicenceDecided(
        number="锡市监许〔2025〕0001",
        name="食品经营许可证",
        name_en="Food business licence",
        holder_kind=SubjectKind.LEGAL,
        holder_code=ENTERPRISE,
        holder_name="无锡示例科技有限公司",
        organization_id=market.pk,
        decided_on=FRIDAY,
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        legal_basis_en="",
    )
    record = actions.record_from_licence(licence=licence, today=FRIDAY)
    assert record.kind == Kind.LICENCE and record.status == Status.PUBLISHED and record.entered_by is None
    assert record.decision_document == "锡市监许〔2025〕0001" and record.provider == market
    assert record.published_until == date(2028, 9, 26) and record.publish_due == date(2025, 10, 13)
    assert actions.record_from_licence(licence=licence, today=FRIDAY) is None
    assert CreditRecord.objects.count() == 1
