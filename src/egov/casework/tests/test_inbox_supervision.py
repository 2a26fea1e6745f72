"""督查督办 in the one inbox (issue 12: a 督办 and its 申请办结 never reached the clerks' inbox)."""

from datetime import date

import pytest

from egov.casework.inbox import inbox_rows
from egov.documents import supervision as sv

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(wuxi):
    return sv.supervision_item_create(actor=wuxi.clerk, supervisor=wuxi.government, title="落实电子政务建设任务",
                                      requirement="按通知要求完成。", owner=wuxi.finance, deadline=date(2027, 6, 30))


def test_a_supervision_item_and_its_completion_request_reach_the_clerks_inbox(wuxi, item):
    today = date(2027, 6, 28)  # a Monday: two working days left (06-29, 06-30)
    rows = [r for r in inbox_rows(user=wuxi.finance_clerk, today=today) if r.kind == "supervision"]
    assert [(r.title, r.organization, r.days_left, r.url) for r in rows] == [
        ("落实电子政务建设任务", wuxi.finance, 2, f"/staff/documents/supervision/{item.pk}/")]
    assert [r for r in inbox_rows(user=wuxi.clerk, today=today) if r.kind == "supervision"] == []
    sv.supervision_request_completion(actor=wuxi.finance_clerk, item=item, text="已完成。")
    assert [r for r in inbox_rows(user=wuxi.finance_clerk, today=today) if r.kind == "supervision"] == []
    rows = [r for r in inbox_rows(user=wuxi.clerk, today=today) if r.kind == "supervision"]
    assert [(r.title, r.organization) for r in rows] == [("落实电子政务建设任务", wuxi.government)]
    assert [r for r in inbox_rows(user=wuxi.police_clerk, today=today) if r.kind == "supervision"] == []
