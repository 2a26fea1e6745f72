"""The demo's credit records (issue 16): what `egov demo` loads so that 信用公示 has something to show."""

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.credit.models import CreditRecord, Status
from egov.demo import DEMO_ENTERPRISE, demo_load

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_a_licence_a_penalty_an_abnormal_listing_and_a_red_list_entry(client):
    demo_load()
    demo_load()  # idempotent: each record once
    today = timezone.localdate()
    rows = {r.kind: r for r in CreditRecord.objects.filter(source_ref__startswith="demo:")}
    assert sorted(rows) == ["abnormal", "licence", "penalty", "red"]
    assert all(r.status == Status.PUBLISHED and r.matched_at is not None for r in rows.values())
    assert rows["licence"].subject_code == DEMO_ENTERPRISE["uscc"]
    # 双公示 kinds: entered (and so published) two days after the decision; 一般 penalty for 3 months.
    assert rows["penalty"].published_from == today - timedelta(days=18)
    # Lists: published the day after their objection window (5 working days from their entry) closed.
    for kind in ("abnormal", "red"):
        assert rows[kind].published_from == rows[kind].objection_until + timedelta(days=1) <= today
    assert rows["abnormal"].published_until.year - rows["abnormal"].published_from.year == 3
    page = client.get("/credit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for name in ("无锡示范科技有限公司", "无锡新吴精密机械有限公司", "无锡市滨湖区湖畔小吃店", "无锡市软件行业协会"):
        assert name in page, name
    page = client.get(f"/credit/{DEMO_ENTERPRISE['uscc']}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Administrative licence" in page and "Article 35 of the Food Safety Law" in page
