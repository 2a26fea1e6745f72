"""The demo's credit records (issue 16): what `egov demo` loads so that 信用公示 has something to show."""

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.accounts.models import User
from egov.audit.models import AuditEvent
from egov.core.dates import months_add
from egov.credit.models import CreditRecord, CreditRequest, Status
from egov.demo import DEMO_ENTERPRISE, demo_load

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_a_licence_a_penalty_an_abnormal_listing_and_a_red_list_entry(client):
    demo_load()
    demo_load()  # idempotent: each record once
    today = timezone.localdate()
    rows = {r.kind: r for r in CreditRecord.objects.filter(source_ref__startswith="demo:").exclude(status="repaired")}
    assert sorted(rows) == ["abnormal", "licence", "penalty", "red"]
    assert all(r.status == Status.PUBLISHED and r.matched_at is not None for r in rows.values())
    assert rows["licence"].subject_code == DEMO_ENTERPRISE["uscc"]
    # 双公示 kinds: entered (and so published) two days after the decision; 一般 penalty for 3 months.
    assert rows["penalty"].published_from == today - timedelta(days=18)
    # Lists: published the day after their objection window (5 working days from their entry) closed.
    for kind in ("abnormal", "red"):
        assert rows[kind].published_from == rows[kind].objection_until + timedelta(days=1) <= today
    # 经营异常名录: 3 years from the decision (the city's choice, docs/credit.md).
    assert rows["abnormal"].published_until == months_add(rows["abnormal"].decided_on, 36)
    page = client.get("/credit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for name in ("无锡示范科技有限公司", "无锡新吴精密机械有限公司", "无锡市滨湖区湖畔小吃店", "无锡市软件行业协会"):
        assert name in page, name
    page = client.get(f"/credit/{DEMO_ENTERPRISE['uscc']}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Administrative licence" in page and "Article 35 of the Food Safety Law" in page


def test_the_demo_has_a_pending_objection_and_a_granted_repair(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_load()
    demo_load()  # idempotent: each request once
    today = timezone.localdate()
    enterprise = User.objects.get(username=DEMO_ENTERPRISE["uscc"])
    objection = CreditRequest.objects.get(kind="objection")
    assert (objection.status, objection.applicant, objection.filed_on) == (
        "submitted",
        enterprise,
        today - timedelta(2),
    )
    assert objection.record.source_ref == "demo:licence:JY13202130000001" and objection.attachment.kind == "pdf"
    repair = CreditRequest.objects.get(kind="repair")
    assert (repair.status, repair.filed_on, repair.decided_on) == (
        "accepted",
        today - timedelta(100),
        today - timedelta(95),
    )
    assert repair.decided_by == User.objects.get(username="xinyong")
    # The 一般 penalty decided 200 days ago: repair possible from 3 months after the decision (<= 100 days ago).
    assert months_add(repair.record.decided_on, 3) <= repair.filed_on
    assert repair.record.status == Status.REPAIRED and repair.record.subject_code == DEMO_ENTERPRISE["uscc"]
    assert AuditEvent.objects.filter(action="credit.request.accept", object_id=str(repair.pk)).count() == 1
