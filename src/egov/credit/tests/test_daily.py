"""The daily credit run is scheduled (Celery beat ``credit.daily``) and can be run by hand (``egov credit daily``);
a record whose publication period ended before it is entered is refused (tester's finding H2). Dates by hand."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from egov.core.errors import ValidationFailed
from egov.credit.models import Severity, Status
from egov.credit.tests.test_actions import FRIDAY, penalty
from egov.credit.tests.test_requests import listing

pytestmark = pytest.mark.django_db


def test_the_daily_run_is_a_scheduled_task(settings, registers, approver, market):
    from egov.credit.tasks import daily

    assert settings.CELERY_BEAT_SCHEDULE["credit-daily"] == {"task": "credit.daily", "schedule": 86400.0}
    assert daily.name == "credit.daily"
    assert daily.delay().get() == {"published": 0, "expired": 0}


def test_egov_credit_daily_publishes_after_the_window_and_ends_expired_publications(registers, approver, market):
    record = listing(approver, market)  # Friday 2025-09-26: objections until 2025-10-10 (5 working days)
    assert record.status == Status.OBJECTION and record.objection_until == date(2025, 10, 10)
    out = StringIO()
    call_command("credit", "daily", "--today", "2025-10-10", stdout=out)
    assert out.getvalue().strip() == "published 0, expired 0"  # the window's last day: not yet
    out = StringIO()
    call_command("credit", "daily", "--today", "2025-10-11", stdout=out)
    assert out.getvalue().strip() == "published 1, expired 0"
    record.refresh_from_db()
    # 严重失信主体名单: 36 months from the decision date 2025-09-26.
    assert (record.status, record.published_from, record.published_until) == (
        Status.PUBLISHED,
        date(2025, 10, 11),
        date(2028, 9, 26),
    )
    out = StringIO()
    call_command("credit", "daily", "--today", "2028-09-27", stdout=out)
    assert out.getvalue().strip() == "published 0, expired 1"
    with pytest.raises(CommandError) as refused:
        call_command("credit", "daily", "--today", "2028-02-30")
    assert refused.value.returncode == 2


def test_a_record_whose_period_ended_before_entry_is_refused(registers, approver, market):
    # 一般 penalty: 12 months. Decided 2024-09-26 → public until 2025-09-26, which is today: still entered.
    assert penalty(approver, market, decided_on=date(2024, 9, 26)).published_until == FRIDAY
    # Decided 2024-09-25 → until 2025-09-25, the day before today: refused, naming the field.
    with pytest.raises(ValidationFailed) as refused:
        penalty(approver, market, decided_on=date(2024, 9, 25))
    assert refused.value.extra == {"field": "decided_on", "rule": "period_ended"}
    assert "2025-09-25" in refused.value.message
    with pytest.raises(ValidationFailed) as refused:
        penalty(approver, market, decided_on=date(1900, 1, 1), severity=Severity.SERIOUS)
    assert refused.value.extra == {"field": "decided_on", "rule": "period_ended"}
