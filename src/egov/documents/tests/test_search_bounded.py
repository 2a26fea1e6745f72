"""Search at 100,000 documents (issue 18, item 5): title hits first, at most 1,000 hits counted
("1,000+") and paged through, ranking only over those; the same answers on PostgreSQL and SQLite."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from egov.documents import search as search_module
from egov.documents.models import OfficialDocument
from egov.documents.search import RESULTS_MAX, matches_fallback, matches_postgresql, search_candidates_postgresql
from egov.documents.selectors import document_search

NOW = timezone.now()
DAY_ONE = datetime.date(2020, 1, 1)


def _documents(wuxi, rows):
    """Published documents from ``(title words, body words, 成文日期)``: the segmented columns
    written directly, as ``search_fields_fill`` would (one bulk insert, as the benchmark does)."""
    documents = [
        OfficialDocument(
            issuer=wuxi.government,
            kind="notice",
            direction="downward",
            status="issued",
            classification="public",
            disclosure="proactive",
            published_at=NOW,
            title=title.replace(" ", ""),
            body_html=f"<p>{body.replace(' ', '')}</p>",
            written_on=written_on,
            search_title=f" {title} " if title else "",
            search_body=f" {body} " if body else "",
        )
        for title, body, written_on in rows
    ]
    return OfficialDocument.objects.bulk_create(documents)


def test_title_hits_come_before_newer_body_hits_when_the_list_is_cut(wuxi, monkeypatch):
    # Worked by hand with a cap of 3: two old title hits, then the newest of three body hits; a 4th
    # document matches, so the count reads "3+"; the oldest body hit is not reached.
    monkeypatch.setattr(search_module, "RESULTS_MAX", 3)
    old_title, older_title = _documents(
        wuxi,
        [
            ("关于 电子政务 的 通知", "请 执行", DAY_ONE),
            ("电子政务 规划", "请 执行", DAY_ONE - datetime.timedelta(days=1)),
        ],
    )
    body_new, _body_mid, _body_old = _documents(
        wuxi,
        [
            ("档案 管理", "推进 电子政务", DAY_ONE + datetime.timedelta(days=30)),
            ("档案 管理", "推进 电子政务", DAY_ONE + datetime.timedelta(days=20)),
            ("档案 管理", "推进 电子政务", DAY_ONE + datetime.timedelta(days=10)),
        ],
    )
    _documents(wuxi, [("档案 管理", "推进 电子 商务", DAY_ONE + datetime.timedelta(days=40))])  # no hit
    results = document_search("电子政务", public=True, limit=20)
    assert [hit.document.pk for hit in results.hits] == [old_title.pk, older_title.pk, body_new.pk]
    assert [hit.title_match for hit in results.hits] == [True, True, False]
    assert (results.total, results.total_capped) == (3, True)
    # The next page, past the cap, is empty; a page inside it is the rows it names.
    assert document_search("电子政务", public=True, limit=2, offset=2).hits[0].document == body_new
    assert document_search("电子政务", public=True, limit=20, offset=3).hits == []


def test_more_title_hits_than_the_cap_show_the_newest_title_hits_only(wuxi, monkeypatch):
    monkeypatch.setattr(search_module, "RESULTS_MAX", 2)
    documents = _documents(
        wuxi, [("电子政务 通知", "请 执行", DAY_ONE + datetime.timedelta(days=day)) for day in range(3)]
    )
    _documents(wuxi, [("档案", "电子政务", DAY_ONE + datetime.timedelta(days=99))])
    results = document_search("电子政务", public=True)
    assert [hit.document.pk for hit in results.hits] == [documents[2].pk, documents[1].pk]
    assert (results.total, results.total_capped) == (2, True)


def test_under_the_cap_the_count_is_exact_and_not_capped(wuxi):
    _documents(wuxi, [("通知", "电子政务", DAY_ONE), ("电子政务", "", DAY_ONE), ("通知", "档案", DAY_ONE)])
    results = document_search("电子政务", public=True)
    assert (results.total, results.total_capped) == (2, False)
    assert [hit.title_match for hit in results.hits] == [True, False]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bounded candidates are PostgreSQL's")
def test_bounded_candidates_are_the_full_ranking_when_few_documents_match(wuxi):
    # Under the cap the bounded search must give exactly the order of ranking every match.
    _documents(
        wuxi,
        [
            ("通知", "电子政务", DAY_ONE),
            ("通知", "电子政务 电子政务 电子政务", DAY_ONE - datetime.timedelta(days=5)),  # ranks above the newer one
            ("电子政务 通知", "", DAY_ONE - datetime.timedelta(days=9)),
            ("电子政务 通知", "电子政务 电子政务", None),
            ("通知", "档案", DAY_ONE),
        ],
    )
    queryset = OfficialDocument.objects.all()
    full = list(matches_postgresql(queryset, ["电子政务"]))
    candidates, more = search_candidates_postgresql(queryset, ["电子政务"])
    assert candidates == [(document.pk, document.title_match) for document in full] and not more
    assert [pk for pk, _title in candidates][2:] == [full[2].pk, full[3].pk]
    assert {pk for pk, _ in candidates} == {d.pk for d in matches_fallback(queryset, ["电子政务"])}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes exist on PostgreSQL only")
def test_postgresql_finds_title_hits_from_the_title_index(wuxi):
    _documents(wuxi, [("电子政务", "", DAY_ONE)])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM documents_officialdocument WHERE "
            "search_title_vector @@ plainto_tsquery('simple'::regconfig, %s)",
            ["电子政务"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "documents_search_title" in plan


def test_a_thousand_and_one_hits_read_1000_plus_and_page_50_is_the_last(client, wuxi):
    assert RESULTS_MAX == 1000
    _documents(wuxi, [("通知", "推进 电子政务", DAY_ONE + datetime.timedelta(days=index)) for index in range(1001)])
    results = document_search("电子政务", public=True, limit=20, offset=980)
    assert (results.total, results.total_capped, len(results.hits)) == (1000, True, 20)
    # Newest first among body hits of equal rank: the 1,000th newest is day 1 (day 0 is past the cap).
    assert results.hits[-1].document.written_on == DAY_ONE + datetime.timedelta(days=1)
    # The portal's one search, documents only (issue 21): the same cap, and its last page.
    page = client.get("/search/", {"q": "电子政务", "kind": "document", "page": "60"}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "More than 1,000 results for “电子政务”" in text
    assert "Page 50 of 50" in text
    page = client.get("/search/", {"q": "电子政务"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "“电子政务”的结果超过 1000 条" in page.content.decode()  # zh_Hans groups no thousands (Django's format)
