"""The public statistics of credit records (信用公示统计): the selector's figures worked by hand from the
records entered below, the query count, and the page with its tables and chart data."""

import json
from datetime import date

import pytest
from django.utils import translation
from lxml import html

from egov.credit import actions, selectors
from egov.credit.models import Kind, Severity
from egov.credit.tests.conftest import UNKNOWN_ENTERPRISE
from egov.credit.tests.test_actions import penalty
from egov.orgs.roles import Role

pytestmark = pytest.mark.django_db

TODAY = date(2025, 12, 15)


@pytest.fixture
def records(registers, approver, market, city, make_staff, credit_officer):
    """Records of two organizations, each entered on the day its comment gives (the 2024–2025 calendars)."""
    from egov.orgs.tests.factories import OrganizationFactory

    civil = OrganizationFactory(name="无锡市民政局", name_en="Wuxi Civil Affairs Bureau", parent=city)
    # Published now: three penalties of 市场监管局 (first published 2025-01-10, 09-26, 11-03) …
    penalty(approver, market, decided_on=date(2025, 1, 10), today=date(2025, 1, 10))
    penalty(approver, market, decided_on=date(2025, 9, 26), today=date(2025, 9, 26))
    penalty(approver, market, decided_on=date(2025, 11, 3), today=date(2025, 11, 3), severity=Severity.SERIOUS)
    # … and a red-list membership of 民政局, proposed 09-26, published by the daily run of 10-11.
    penalty(
        make_staff(civil, [Role.APPROVER]),
        civil,
        kind=Kind.RED,
        severity="",
        measures="评优优先",
        decided_on=date(2025, 9, 26),
        today=date(2025, 9, 26),
    )
    actions.credit_daily(today=date(2025, 10, 11))
    # Not published now: one decided 2024-02-05 and entered late on 2025-02-03 (public until 2025-02-05: it
    # went public in February; a record whose year was already over is refused at entry, test_daily.py); one
    # of 2024-10-15 (went public before the 12 months shown); one held for matching; one revoked (it went
    # public in September, but should never have).
    penalty(approver, market, decided_on=date(2024, 2, 5), today=date(2025, 2, 3))
    penalty(approver, market, decided_on=date(2024, 10, 15), today=date(2024, 10, 15))
    penalty(approver, market, subject_code=UNKNOWN_ENTERPRISE, decided_on=date(2025, 12, 1), today=date(2025, 12, 1))
    revoked = penalty(approver, market, decided_on=date(2025, 9, 29), today=date(2025, 9, 29))
    actions.record_revoke(actor=credit_officer, record=revoked, reasons="复议撤销")
    assert actions.credit_daily(today=TODAY) == {"published": 0, "expired": 2}
    return civil


def test_the_figures_by_kind_organization_and_month(records, django_assert_max_num_queries):
    with translation.override("zh-hans"), django_assert_max_num_queries(4):
        figures = selectors.public_statistics(today=TODAY)
    assert figures.by_kind == [("licence", 0), ("penalty", 3), ("serious", 0), ("abnormal", 0), ("red", 1)]
    assert figures.total == 4
    assert figures.by_provider == [("无锡市市场监督管理局", 3), ("无锡市民政局", 1)]
    # The 12 months 2025-01 … 2025-12, by the first day of publication.
    months = {month.month: n for month, n in figures.by_month}
    assert [month for month, _n in figures.by_month] == [date(2025, m, 1) for m in range(1, 13)]
    assert months == {1: 1, 2: 1, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0, 8: 0, 9: 1, 10: 1, 11: 1, 12: 0}
    with translation.override("en"):
        assert selectors.public_statistics(today=TODAY).by_provider[1] == ("Wuxi Civil Affairs Bureau", 1)


def test_the_twelve_months_cross_the_year(db):
    figures = selectors.public_statistics(today=date(2026, 2, 28))
    assert [m for m, _n in figures.by_month][:2] == [date(2025, 3, 1), date(2025, 4, 1)]
    assert figures.by_month[-1] == (date(2026, 2, 1), 0) and figures.total == 0 and figures.by_provider == []


def test_the_page_shows_each_figure_in_a_table_beside_its_chart(client, records, settings):
    from django.urls import get_resolver
    from freezegun import freeze_time

    # The URLconf (and the API schemas it builds) before the clock is frozen: pydantic cannot build a
    # schema of freezegun's date class.
    get_resolver().url_patterns  # noqa: B018
    with freeze_time("2025-12-15 10:00:00+08:00"):
        response = client.get("/credit/statistics/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    tree = html.fromstring(response.content.decode())
    assert "4 records are published now." in tree.get_element_by_id("total").text_content()

    def rows(table):
        return [
            [cell.text_content().strip() for cell in row.xpath("th|td")]
            for row in tree.get_element_by_id(table).xpath(".//tbody/tr")
        ]

    assert rows("table-kind")[1] == ["Administrative penalty", "3"] and rows("table-kind")[4][1] == "1"
    assert rows("table-provider") == [["无锡市市场监督管理局", "3"], ["Wuxi Civil Affairs Bureau", "1"]]
    assert rows("table-month")[0] == ["January 2025", "1"] and rows("table-month")[-1] == ["December 2025", "0"]
    chart = json.loads(tree.get_element_by_id("chart-provider-data").text)
    assert (chart["kind"], chart["horizontal"], chart["values"]) == ("bar", True, [3, 1])
    month = json.loads(tree.get_element_by_id("chart-month-data").text)
    assert month["kind"] == "line" and month["values"] == [1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0]
    assert (month["labels"][0], month["labels"][-1]) == ("2025-01", "2025-12")
    chart_box = tree.get_element_by_id("chart-kind")
    assert chart_box.get("role") == "img" and "table beside it" in chart_box.get("aria-label")
    # Linked from the search page.
    assert 'href="/credit/statistics/"' in client.get("/credit/").content.decode()
