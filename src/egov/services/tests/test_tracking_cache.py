"""Tracking (办件查询) answered from the shared cache: never stale, no query when cached, one when
not, nothing cached for a wrong code or an unknown number, no number, code or name in a key."""

import pytest
import redis
from django.core.cache import caches

from egov.core.errors import NotFound
from egov.services.actions import processing
from egov.services.actions import rating as ratings
from egov.services.publication import application_track
from egov.services.tests.factories import submit

BASE = "/api/v1/services"
REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_cache(settings):
    """The Redis backend of production (``EGOV_CACHE_URL=redis://…``) on a database of its own, emptied
    before and after; returns a plain client to list what is stored."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    caches["default"].clear()
    plain = redis.Redis.from_url(REDIS_URL)
    yield plain
    plain.flushdb()


def _track(case):
    return application_track(number=case.number, code=case.query_code)


def test_every_change_of_the_case_shows_at_once(hall, django_capture_on_commit_callbacks):
    staff = hall.casework.staff
    case = submit(hall.casework.item, hall.citizen)
    assert _track(case).status == "submitted"
    assert _track(case).status == "submitted"  # now from the cache
    steps = [
        ("received", "receive", lambda: processing.application_receive(actor=staff["clerk"], application=case)),
        ("accepted", "accept", lambda: processing.application_accept(actor=staff["clerk"], application=case)),
        ("reviewed", "review", lambda: processing.application_review(actor=staff["reviewer"], application=case)),
        ("approved", "approve", lambda: processing.application_decide(actor=staff["approver"], application=case,
                                                                      approve=True, reasons="")),
        ("concluded", "conclude", lambda: processing.application_conclude(actor=staff["clerk"], application=case)),
    ]
    for status, move, act in steps:
        with django_capture_on_commit_callbacks(execute=True):
            act()
        tracked = _track(case)
        assert (tracked.status, tracked.steps[-1]["move"]) == (status, move)
        assert _track(case) == tracked  # cached again, the same answer
    assert [s["move"] for s in _track(case).steps] == ["submit", "receive", "accept", "review", "approve", "conclude"]
    assert _track(case).due_date is not None and _track(case).accepted_on is not None  # set by 受理


def test_a_change_not_committed_yet_is_not_shown_and_a_committed_one_is(hall, django_capture_on_commit_callbacks):
    staff = hall.casework.staff
    case = submit(hall.casework.item, hall.citizen)
    assert _track(case).status == "submitted"
    with django_capture_on_commit_callbacks(execute=False) as pending:
        processing.application_receive(actor=staff["clerk"], application=case)
    # The stamp is dropped only when the transaction commits: until then the entry stands.
    assert _track(case).status == "submitted"
    for callback in pending:
        callback()
    assert _track(case).status == "received"


def test_a_cached_answer_costs_no_query_and_an_uncached_one_costs_one(hall, django_assert_num_queries):
    case = submit(hall.casework.item, hall.citizen)
    with django_assert_num_queries(1):
        first = _track(case)
    with django_assert_num_queries(0):
        assert _track(case) == first
    caches["default"].clear()
    with django_assert_num_queries(1):
        assert _track(case) == first


def test_over_http_a_cached_answer_reads_nothing_of_the_case(client, hall, django_assert_num_queries):
    case = submit(hall.casework.item, hall.citizen)
    url = f"{BASE}/track/{case.number}"
    with django_assert_num_queries(1):
        assert client.get(url, {"code": case.query_code}).status_code == 200
    with django_assert_num_queries(0):
        cached = client.get(url, {"code": case.query_code})
    assert cached.status_code == 200 and cached.json()["status"] == "submitted"
    client.get("/services/track/")  # the public menu's section links, read once and cached for every page
    with django_assert_num_queries(0):  # the page shares the entry of its language with the API
        page = client.get("/services/track/", {"number": case.number, "code": case.query_code})
    assert page.status_code == 200 and case.number in page.content.decode()


def test_a_wrong_code_or_an_unknown_number_is_never_cached(hall, django_assert_num_queries, redis_cache):
    case = submit(hall.casework.item, hall.citizen)
    for _ in range(3):
        for number, code in [(case.number, "AAAA-AAAA"), ("320200001-20260928-0000017", case.query_code)]:
            with django_assert_num_queries(1), pytest.raises(NotFound):  # the same one query every time
                application_track(number=number, code=code)
    # Only the stamps of the two numbers are stored, no answer (an entry is a (stamp, case) pair).
    assert len(redis_cache.keys("*")) == 2
    assert all(len(redis_cache.get(key)) < 40 for key in redis_cache.keys("*"))
    _track(case)
    assert len(redis_cache.keys("*")) == 3
    # The right code after the wrong one: the entry is found only under the right code.
    with django_assert_num_queries(1), pytest.raises(NotFound):
        application_track(number=case.number, code="AAAA-AAAA")


def test_no_number_code_or_personal_data_in_a_key_and_none_in_a_value(hall, redis_cache):
    case = hall.concluded()
    tracked = _track(case)
    assert _track(case) == tracked
    keys = [key.decode() for key in redis_cache.keys("*")]
    assert len(keys) == 2  # the case's stamp and its answer in this language
    secrets_ = [case.number, case.number.replace("-", ""), case.query_code, case.query_code.replace("-", ""),
                hall.citizen.name, "11010519491231002X"]
    for key in keys:
        assert key.startswith(":1:egov:track")  # Django's key prefix and version, then ours
        assert not any(secret in key for secret in secrets_), key
    stored = b"".join(redis_cache.get(key) for key in keys)
    assert hall.citizen.name.encode() not in stored and b"11010519491231002X" not in stored
    assert b"zhang@example.cn" not in stored


def test_changes_reach_another_process_through_redis(hall, redis_cache, django_capture_on_commit_callbacks):
    """Another web worker's cache is the same Redis: the stamp dropped by one is gone for all."""
    staff = hall.casework.staff
    case = submit(hall.casework.item, hall.citizen)
    assert _track(case).status == "submitted"
    stamp_keys = [k for k in redis_cache.keys("*") if b"track-stamp" in k]
    assert len(stamp_keys) == 1
    with django_capture_on_commit_callbacks(execute=True):
        processing.application_receive(actor=staff["clerk"], application=case)
        assert redis_cache.exists(stamp_keys[0])  # not before the commit
    assert not redis_cache.exists(stamp_keys[0])
    assert _track(case).status == "received"


def test_a_rating_drops_the_cached_answer(hall, django_capture_on_commit_callbacks, redis_cache):
    case = hall.concluded()
    _track(case)
    stamp = [k for k in redis_cache.keys("*") if b"track-stamp" in k][0]
    with django_capture_on_commit_callbacks(execute=True):
        ratings.rating_submit(actor=hall.citizen, application=case, level=5, comment="")
    assert not redis_cache.exists(stamp)


def test_the_language_has_its_own_entry(hall, client):
    case = submit(hall.casework.item, hall.citizen)
    zh = client.get(f"{BASE}/track/{case.number}", {"code": case.query_code}, headers={"accept-language": "zh-hans"})
    en = client.get(f"{BASE}/track/{case.number}", {"code": case.query_code}, headers={"accept-language": "en"})
    assert zh.json()["status_label"] == "已提交" and en.json()["status_label"] == "Submitted"
