"""Traffic and quality (issue 20 item 4): latency percentiles from known timings, the minute rollups
written and summed on PostgreSQL, stale resources by their 更新周期, the staff pages and who may see
them, and the adapter problems in the page's language."""

import math
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone, translation

from egov.audit.models import SubjectRead
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.exchange.actions.subscriptions import changes_publish
from egov.exchange.actions.traffic import node_traffic_store, traffic_flush
from egov.exchange.models import InformationResource, TrafficMinute
from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE, STRANGER_CODE
from egov.exchange.traffic import BOUNDS_MS, BUCKETS, TrafficMeter, bucket_of, percentile_ms, stale_since
from egov.exchange.traffic_selectors import traffic_series
from egov.exchange.views_sources import problem_reason_text


def _buckets(timings):
    buckets = [0] * BUCKETS
    for ms in timings:
        buckets[bucket_of(ms)] += 1
    return buckets


# --- percentiles (no database) -------------------------------------------------------------------

def test_a_value_on_a_bound_belongs_to_that_bound():
    assert bucket_of(0.2) == 0 and bucket_of(1) == 0 and bucket_of(1.01) == 1
    assert bucket_of(50) == BOUNDS_MS.index(50) and bucket_of(50.5) == BOUNDS_MS.index(70)
    assert bucket_of(30000) == len(BOUNDS_MS) - 1 and bucket_of(30001) == len(BOUNDS_MS)


def test_percentiles_of_1_to_100_ms():
    # Nearest rank: p50 is the 50th of 100 (50 ms, bucket ≤ 50); p95 the 95th (95 ms, bucket (70, 100]);
    # p99 the 99th (99 ms, same bucket); p1 the 1st (1 ms, bucket ≤ 1).
    buckets = _buckets(range(1, 101))
    assert percentile_ms(buckets, 50) == 50
    assert percentile_ms(buckets, 95) == 100
    assert percentile_ms(buckets, 99) == 100
    assert percentile_ms(buckets, 1) == 1


def test_percentiles_of_few_and_slow_requests():
    # 3 requests of 4, 4 and 40000 ms: p50 is rank ⌈1.5⌉ = 2 (4 ms → bucket ≤ 5); p95 rank 3, open bucket.
    buckets = _buckets([4, 4, 40000])
    assert percentile_ms(buckets, 50) == 5
    assert math.isinf(percentile_ms(buckets, 95))
    assert percentile_ms([0] * BUCKETS, 50) is None


def test_the_meter_counts_per_minute_resource_and_consumer():
    meter = TrafficMeter()
    at = datetime(2026, 12, 6, 8, 15, 42, tzinfo=UTC)
    meter.record(at=at, resource_code="R", consumer_code="C", ms=12, error=False)
    meter.record(at=at + timedelta(seconds=10), resource_code="R", consumer_code="C", ms=3, error=True)
    meter.record(at=at, resource_code="R", consumer_code="C", ms=None, error=True)  # refused: not timed
    meter.record(at=at + timedelta(minutes=1), resource_code="R", consumer_code="C", ms=1, error=False)
    rows = sorted(meter.take(), key=lambda r: r["minute"])
    assert [(r["minute"].minute, r["requests"], r["errors"], sum(r["buckets"]), r["latency_ms_total"])
            for r in rows] == [(15, 3, 2, 2, 15.0), (16, 1, 0, 1, 1.0)]
    assert rows[0]["buckets"][bucket_of(12)] == 1 and rows[0]["buckets"][bucket_of(3)] == 1
    assert meter.take() == []


# --- stale (no database) ---------------------------------------------------------------------------

def test_a_daily_resource_is_stale_a_day_after_its_last_update():
    last = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    judge = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    assert stale_since(update_cycle="daily", last_update=last, published_on=None, now=judge) is None
    assert stale_since(update_cycle="daily", last_update=last, published_on=None,
                       now=judge + timedelta(minutes=1)) == judge
    assert stale_since(update_cycle="weekly", last_update=last, published_on=None,
                       now=judge + timedelta(days=5)) is None
    assert stale_since(update_cycle="weekly", last_update=last, published_on=None,
                       now=datetime(2026, 12, 8, 8, 1, tzinfo=UTC)) == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    assert stale_since(update_cycle="irregular", last_update=last, published_on=None,
                       now=judge + timedelta(days=999)) is None


def test_never_updated_counts_from_the_end_of_the_publication_day():
    # Published 2026-11-01 (Asia/Shanghai), weekly: the day ends at 11-02 00:00 +08, stale from 11-09 00:00 +08.
    due = timezone.make_aware(datetime(2026, 11, 9, 0, 0))
    assert stale_since(update_cycle="weekly", last_update=None, published_on=date(2026, 11, 1),
                       now=due) is None
    assert stale_since(update_cycle="weekly", last_update=None, published_on=date(2026, 11, 1),
                       now=due + timedelta(seconds=1)) == due
    assert due.utcoffset() == timedelta(hours=8)


def test_problem_reasons_in_the_page_language():
    with translation.override("en"):
        assert problem_reason_text("not of type D") == "not a value of type D (Date)"
        assert problem_reason_text("missing") == "the column is missing from the row"
    with translation.override("zh-hans"):
        assert problem_reason_text("not of type D") == "不是 D（日期）类型的值"
        assert problem_reason_text("missing") == "该行缺少此列"
    assert problem_reason_text("something else") == "something else"


# --- PostgreSQL ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_rollups_add_up_and_the_series_sums_them(resource):
    hour = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    meter = TrafficMeter()
    for ms in range(1, 101):  # 100 requests of 1..100 ms at 08:05 by the consumer, 5 of them errors
        meter.record(at=hour + timedelta(minutes=5), resource_code=resource.code, consumer_code=CONSUMER_CODE,
                     ms=ms, error=ms % 20 == 0)
    traffic_flush(rows=meter.take())
    # Another process's counts for the same minute are added, not replaced: 2 more of 200 ms.
    for _ in range(2):
        meter.record(at=hour + timedelta(minutes=5, seconds=30), resource_code=resource.code,
                     consumer_code=CONSUMER_CODE, ms=200, error=False)
    meter.record(at=hour + timedelta(hours=1, minutes=59), resource_code=resource.code,
                 consumer_code=STRANGER_CODE, ms=7, error=True)
    traffic_flush(rows=meter.take())
    row = TrafficMinute.objects.get(resource_code=resource.code, consumer_code=CONSUMER_CODE)
    assert (row.requests, row.errors, row.latency_ms_total) == (102, 5, 5050 + 400)
    assert TrafficMinute.objects.count() == 2

    points, consumers, total = traffic_series(resource_code=resource.code, start=hour, end=hour + timedelta(hours=3),
                                              step=timedelta(hours=1))
    assert [(p.figures.requests, p.figures.errors) for p in points] == [(102, 5), (1, 1), (0, 0)]
    # 102 timings: rank ⌈51⌉ = 51 → 51 ms, bucket ≤ 70; p95 rank ⌈96.9⌉ = 97 → 97 ms, bucket ≤ 100.
    assert (points[0].figures.p50_ms, points[0].figures.p95_ms) == (70, 100)
    assert points[1].figures.p50_ms == 7 and points[2].figures.p50_ms is None
    assert [(c.consumer_code, c.consumer_name, c.figures.requests) for c in consumers] == [
        (CONSUMER_CODE, "无锡市行政审批局", 102), (STRANGER_CODE, "", 1)]
    assert (total.requests, total.errors) == (103, 6)
    only = traffic_series(resource_code=resource.code, start=hour, end=hour + timedelta(hours=3),
                          step=timedelta(hours=1), consumers=frozenset({STRANGER_CODE}))[2]
    assert (only.requests, only.errors) == (1, 1)


@pytest.mark.django_db
def test_a_change_published_makes_the_resource_fresh(resource):
    assert resource.is_stale  # published 2026-11-01, daily, never updated
    changes_publish(resource=resource, changes=[{"op": "changed", "key": "1", "row": {"name": "甲"}}])
    resource.refresh_from_db()
    assert resource.data_updated_at is not None and not resource.is_stale
    assert resource.stale_since(resource.data_updated_at + timedelta(days=1, seconds=1)) == \
        resource.data_updated_at + timedelta(days=1)


# --- pages -------------------------------------------------------------------------------------------

def _traffic(resource):
    now = timezone.now()
    traffic_flush(rows=[
        {"minute": now.replace(second=0, microsecond=0), "resource_code": resource.code,
         "consumer_code": CONSUMER_CODE, "requests": 4, "errors": 1, "buckets": _buckets([2, 2, 9, 60]),
         "latency_ms_total": 73.0},
        {"minute": now.replace(second=0, microsecond=0), "resource_code": resource.code,
         "consumer_code": STRANGER_CODE, "requests": 3, "errors": 0, "buckets": _buckets([1, 1, 1]),
         "latency_ms_total": 3.0}])
    SubjectRead.objects.create(occurred_at=now, subject_kind="natural", subject="a" * 64,
                               organization_id=None, organization_label="无锡市行政审批局", action="exchange.query",
                               resource_code=resource.code, resource_name=resource.name,
                               fields=[["name", "姓名", "Name"]], case="SP-2026-000123", basis="行政许可法第三十一条")


@pytest.mark.django_db
def test_the_provider_sees_every_consumer_and_who_read_what(client, resource, people):
    _traffic(resource)
    client.force_login(people["decider"])
    page = client.get(f"/staff/exchange/catalog/resources/{resource.code}/traffic/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    total = page.context["total"]
    # 7 requests: latencies 1,1,1,2,2,9,60 → p50 rank 4 (2 ms, bucket ≤ 2), p95 rank 7 (60 ms, bucket ≤ 70).
    assert (total.requests, total.errors, total.p50_ms, total.p95_ms) == (7, 1, 2, 70)
    assert [(c["code"], c["figures"].requests) for c in page.context["consumers"]] == [
        (CONSUMER_CODE, 4), (STRANGER_CODE, 3)]
    assert sum(r["figures"].requests for r in page.context["rows"]) == 7
    assert page.context["charts"][0]["chart"]["values"][-1] == 7  # the current hour, as the table's last row
    html = page.content.decode()
    assert "SP-2026-000123" in html and "Name" in html and "a" * 64 not in html
    assert "≤ 70 ms" in html and 'id="chart-requests-data"' in html
    overview = client.get("/staff/exchange/catalog/traffic/", HTTP_ACCEPT_LANGUAGE="en")
    assert overview.status_code == 200
    row = overview.context["rows"][0]
    assert row["resource"].code == resource.code and row["figures"].requests == 7 and row["stale_since"]
    assert "Past its update cycle" in overview.content.decode()


def _row_headers(html: str, table_id: str) -> list[str]:
    """The text of each row header of the table ``table_id``, tags dropped and spaces squeezed."""
    table = re.search(rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r'<th scope="row"[^>]*>(.*?)</th>', table, re.S)]


@pytest.mark.django_db
def test_a_consumer_is_named_once_by_its_name_or_else_its_uscc(client, resource, people):
    _traffic(resource)  # the consumer 无锡市行政审批局 and an organization without a name on the platform
    client.force_login(people["decider"])
    page = client.get(f"/staff/exchange/catalog/resources/{resource.code}/traffic/", HTTP_ACCEPT_LANGUAGE="en")
    assert _row_headers(page.content.decode(), "consumers") == [
        f"无锡市行政审批局 {CONSUMER_CODE}", STRANGER_CODE]


@pytest.mark.django_db
def test_a_consumer_sees_only_its_own_and_others_nothing(client, resource, people):
    _traffic(resource)
    client.force_login(people["asker"])
    page = client.get(f"/staff/exchange/catalog/resources/{resource.code}/traffic/?period=week")
    assert page.status_code == 200
    assert [c["code"] for c in page.context["consumers"]] == [CONSUMER_CODE]
    assert page.context["total"].requests == 4
    assert not page.context["reads"].object_list  # the read above names no organization of theirs
    for who in ("clerk",):
        client.force_login(people[who])
        assert client.get(f"/staff/exchange/catalog/resources/{resource.code}/traffic/").status_code == 404
        assert client.get("/staff/exchange/catalog/traffic/").status_code == 404


@pytest.mark.django_db
def test_the_catalog_flags_stale_resources(client, resource, people):
    client.force_login(people["clerk"])
    listing = client.get("/staff/exchange/catalog/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "逾期未更新" in listing.content.decode()
    detail = client.get(f"/staff/exchange/catalog/resources/{resource.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert 'id="stale"' in detail.content.decode() and not detail.context["may_see_traffic"]
    InformationResource.objects.filter(pk=resource.pk).update(data_updated_at=timezone.now())
    assert "逾期未更新" not in client.get("/staff/exchange/catalog/").content.decode()


def _node_row(minute: datetime, requests: int, errors: int, timings: list[float]) -> dict:
    return {"minute": minute.isoformat(), "resource_code": "320200-GA-001", "consumer_code": CONSUMER_CODE,
            "requests": requests, "errors": errors, "buckets": _buckets(timings), "latency_ms_total": sum(timings)}


@pytest.mark.django_db
def test_node_reports_replace_a_minute_and_the_page_sums_both_servers(client, resource, people):
    _traffic(resource)  # the platform's own: 4 + 3 requests, 1 error
    minute = timezone.now().replace(second=0, microsecond=0)
    # The provider's node reports the minute while it is being counted (5 requests, 1 error) …
    assert node_traffic_store(node_code=PROVIDER_CODE, rows=[_node_row(minute, 5, 1, [3, 3, 3, 3, 3])]) == 1
    # … then its grown total (8, 2): replaced, not added; the same report again and an older one change nothing.
    later = _node_row(minute, 8, 2, [3, 3, 3, 3, 3, 400, 400, 400])
    assert node_traffic_store(node_code=PROVIDER_CODE, rows=[later]) == 1
    assert node_traffic_store(node_code=PROVIDER_CODE, rows=[later]) == 0
    assert node_traffic_store(node_code=PROVIDER_CODE, rows=[_node_row(minute, 5, 1, [3, 3, 3, 3, 3])]) == 0
    row = TrafficMinute.objects.get(node_code=PROVIDER_CODE)
    assert (row.requests, row.errors, row.latency_ms_total) == (8, 2, 1215.0)
    client.force_login(people["decider"])
    page = client.get(f"/staff/exchange/catalog/resources/{resource.code}/traffic/", HTTP_ACCEPT_LANGUAGE="en")
    total = page.context["total"]
    assert (total.requests, total.errors) == (7 + 8, 1 + 2)
    assert [(c["code"], c["figures"].requests) for c in page.context["consumers"]] == [
        (CONSUMER_CODE, 4 + 8), (STRANGER_CODE, 3)]
    # who answered: the platform first (7 / 1), then the provider's node (8 / 2, p95 rank 8 → 400 ms, ≤ 500)
    assert [(s["code"], s["name"], s["figures"].requests, s["figures"].errors, s["figures"].p95_ms)
            for s in page.context["servers"]] == [("", "", 7, 1, 70), (PROVIDER_CODE, "无锡市公安局", 8, 2, 500)]
    assert "Exchange node of 无锡市公安局" in page.content.decode()


@pytest.mark.django_db
def test_a_node_may_report_only_its_organizations_resources_and_well_formed_rows(resource):
    row = _node_row(datetime(2026, 12, 6, 8, 0, tzinfo=UTC), 2, 0, [1, 1])
    with pytest.raises(PermissionDenied) as refused:
        node_traffic_store(node_code=STRANGER_CODE, rows=[row])
    assert refused.value.extra["rule"] == "not_provider"
    for bad in ({**row, "errors": 3}, {**row, "minute": "2026-12-06T08:00:30+00:00"},
                {**row, "minute": "2026-12-06T08:00:00"}, {**row, "requests": -1}, {**row, "buckets": [5]},
                {k: v for k, v in row.items() if k != "errors"}):
        with pytest.raises(ValidationFailed):
            node_traffic_store(node_code=PROVIDER_CODE, rows=[bad])
    assert not TrafficMinute.objects.exists()


def _signed_post(client, signer, rows: list[dict]):
    """``rows`` as a node's report, signed by ``signer``, posted to the platform's endpoint."""
    import json

    from egov.exchange.envelope import HEADER, envelope_sign, message_id

    body = json.dumps({"minutes": rows}).encode()
    token = envelope_sign(signer=signer, body=body, claims={
        "id": message_id(), "kind": "request", "receiver": "platform", "service": "traffic.report"})
    return client.post("/exchange/v1/platform/traffic", data=body, content_type="application/json",
                       headers={HEADER: token})


@pytest.mark.django_db
def test_absurd_counts_and_impossible_minutes_are_a_400_not_a_500_nor_stored(ca, resource, provider_org, people):
    """Found by testerA: 2**31 requests answered 500 (the column is a PostgreSQL integer); a minute
    of 9999-12-31 at -08:00 was stored as 10000-01-01 UTC, which Python cannot load back (a query
    that reads the row's minute raises DataError); minutes in 2099 were stored, and the overview's
    "last 24 hours" has no upper bound, so they counted in it; an infinite summed latency was stored."""
    from django.test import Client

    from egov.exchange.tests.conftest import signer_for

    client = Client(raise_request_exception=False)
    signer, _row = signer_for(provider_org, "node.gaj.test")
    minute = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    good = _node_row(minute, 2, 0, [1, 1])
    for bad in ({**good, "requests": 2**31}, {**good, "requests": 2**63}, {**good, "errors": 2**31},
                {**good, "minute": "9999-12-31T23:59:00-08:00"}, {**good, "minute": "0001-01-01T00:00:00+08:00"},
                {**good, "minute": "2099-01-01T00:00:00+00:00"},
                {**good, "minute": (minute + timedelta(minutes=15)).isoformat()},
                {**good, "latency_ms_total": 1e309}):  # json.dumps writes Infinity
        answer = _signed_post(client, signer, [good, bad])
        assert answer.status_code == 400, (bad, answer.status_code)
        assert answer.json()["extra"] == {"field": "minutes", "rule": "shape"}
    assert not TrafficMinute.objects.exists()
    # The largest count the column holds, and a minute as late as the envelope's clock window allows.
    late = (timezone.now() + timedelta(seconds=240)).replace(second=0, microsecond=0)
    assert _signed_post(client, signer, [{**good, "requests": 2**31 - 1},
                                         _node_row(late, 1, 1, [])]).json() == {"stored": 2}
    client.force_login(people["decider"])
    overview = client.get("/staff/exchange/catalog/traffic/")
    assert overview.status_code == 200
    assert overview.context["rows"][0]["figures"].requests == 2**31 - 1 + 1
