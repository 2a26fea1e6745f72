"""Full-text search of documents (issue 8, item 3): segmentation, ranking, who sees what, highlighting."""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone

from egov.documents.actions import document_draft, document_update
from egov.documents.models import OfficialDocument
from egov.documents.search import (
    QUERY_MAX_CHARS,
    highlight,
    matches_fallback,
    matches_postgresql,
    query_words,
    segment,
    snippet,
)
from egov.documents.selectors import document_search

NOW = timezone.now()


def _document(wuxi, title: str, body: str = "", *, written_on=None, published=True, **state):
    document = document_draft(actor=None, issuer=wuxi.government, kind="notice", title=title, body=body,
                              written_on=written_on)
    if published:
        state = {"status": "issued", "disclosure": "proactive", "published_at": NOW, **state}
    OfficialDocument.objects.filter(pk=document.pk).update(**state)
    document = OfficialDocument.objects.get(pk=document.pk)
    if "number_seq" in state:
        document.save(update_fields=["number_code", "number_year", "number_seq"])  # the model keeps number_key
    return document


def test_segmentation_finds_the_word_inside_the_phrase():
    stored = segment("推进电子政务建设")
    assert stored.startswith(" ") and stored.endswith(" ")
    # Search-engine mode: the long word and the dictionary words inside it.
    for word in ("推进", "电子政务", "电子", "政务", "建设"):
        assert f" {word} " in stored
    assert query_words("电子政务") == ["电子政务"]
    assert query_words("无锡市 电子政务，建设！") == ["无锡市", "电子政务", "建设"]
    assert query_words("COVID-19 的 Plan") == ["covid", "19", "plan"]


def test_punctuation_and_stop_words_leave_nothing_to_search():
    assert query_words("，。！？<>《》 的 和 the") == []
    assert segment("。，") == ""


def test_search_fields_follow_the_title_and_body(wuxi, draft):
    assert " 电子政务 " in draft.search_title
    assert " 加强 " in draft.search_body and " 领导 " in draft.search_body
    document_update(actor=wuxi.clerk, document=draft, title="关于档案管理的通知", body="<p>档案&amp;资料</p>")
    draft.refresh_from_db()
    assert " 电子政务 " not in draft.search_title and " 档案 " in draft.search_title
    assert draft.search_body == " 档案 资料 "


def test_title_match_outranks_a_newer_body_match(wuxi):
    # Worked example: B has 电子政务 three times in its body and is newer; A has it once, in its title.
    in_title = _document(wuxi, "关于电子政务的通知", "请各部门认真执行。", written_on=datetime.date(2004, 3, 24))
    in_body = _document(wuxi, "关于档案管理的通知", "电子政务。电子政务。电子政务。",
                        written_on=datetime.date(2020, 1, 2))
    results = document_search("电子政务", public=True)
    assert results.total == 2
    assert [hit.document for hit in results.hits] == [in_title, in_body]
    assert [hit.title_match for hit in results.hits] == [True, False]
    assert str(results.hits[0].title_html) == "关于<mark>电子政务</mark>的通知"
    assert str(results.hits[1].snippet_html) == "<mark>电子政务</mark>。<mark>电子政务</mark>。<mark>电子政务</mark>。"


def test_among_body_matches_the_newest_comes_first(wuxi):
    old = _document(wuxi, "甲通知", "推进电子政务建设", written_on=datetime.date(2004, 1, 1))
    new = _document(wuxi, "乙通知", "推进电子政务建设", written_on=datetime.date(2010, 1, 1))
    assert [hit.document for hit in document_search("电子政务", public=True).hits] == [new, old]


def test_every_word_must_occur(wuxi):
    both = _document(wuxi, "关于电子政务的通知", "统一规划，加强领导。")
    _document(wuxi, "关于电子商务的通知", "统一规划。")
    assert [hit.document for hit in document_search("电子政务 规划", public=True).hits] == [both]
    assert document_search("电子政务 财政", public=True).total == 0


def test_public_search_never_returns_an_undisclosed_document(wuxi):
    published = _document(wuxi, "关于电子政务的通知")
    _document(wuxi, "电子政务草稿", published=False)  # a draft
    _document(wuxi, "电子政务内部通知", classification="internal")  # 内部
    _document(wuxi, "电子政务依申请公开", disclosure="on_request")
    _document(wuxi, "电子政务不予公开", disclosure="not_disclosed")
    _document(wuxi, "电子政务明日发布", published_at=NOW + datetime.timedelta(days=1))
    _document(wuxi, "电子政务未发布", published_at=None)
    results = document_search("电子政务", public=True)
    assert [hit.document for hit in results.hits] == [published]
    assert results.total == 1


def test_staff_see_what_they_may_see_others_nothing(wuxi, draft):
    assert [hit.document for hit in document_search("电子政务", user=wuxi.clerk).hits] == [draft]
    assert [hit.document for hit in document_search("电子政务", user=wuxi.leader).hits] == [draft]
    # 公安局 is neither sender nor recipient; 财政局 is a recipient but the draft is not issued.
    assert document_search("电子政务", user=wuxi.police_clerk).total == 0
    assert document_search("电子政务", user=wuxi.finance_clerk).total == 0
    assert document_search("电子政务", public=True).total == 0


def test_highlight_escapes_the_text_and_the_query():
    assert str(highlight("<b>电子政务</b> & 电子", ["电子政务", "电子"])) == (
        "&lt;b&gt;<mark>电子政务</mark>&lt;/b&gt; &amp; <mark>电子</mark>")
    assert str(highlight("Plan <script>", ["plan", "script"])) == "<mark>Plan</mark> &lt;<mark>script</mark>&gt;"
    assert str(highlight("a < b", [])) == "a &lt; b"


def test_a_document_title_with_markup_is_shown_escaped(wuxi):
    _document(wuxi, "<script>alert(1)</script>电子政务通知")
    # The query's tags are dropped (finding 10): alert, 1 and 电子政务 are searched, and marked.
    hit = document_search("<script>alert(1)</script> 电子政务", public=True).hits[0]
    assert str(hit.title_html) == ("&lt;script&gt;<mark>alert</mark>(<mark>1</mark>)&lt;/"
                                   "script&gt;<mark>电子政务</mark>通知")


def test_snippet_starts_near_the_first_match():
    text = "甲" * 100 + "电子政务" + "乙" * 300
    result = str(snippet(text, ["电子政务"], length=60))
    assert result == "…" + "甲" * 40 + "<mark>电子政务</mark>" + "乙" * 16 + "…"
    assert str(snippet("短文", ["电子政务"])) == "短文"


def test_long_empty_and_markup_queries(wuxi):
    _document(wuxi, "关于电子政务的通知")
    long = document_search("电子政务，" * 400, public=True)  # 2,000 characters
    assert long.truncated and len(long.query) == QUERY_MAX_CHARS and long.words == ["电子政务"]
    assert long.total == 1
    empty = document_search("", public=True)
    assert (empty.words, empty.total, empty.hits, empty.truncated) == ([], 0, [], False)
    assert document_search("<>《》，。", public=True).total == 0


def test_the_fallback_matches_and_ranks_as_postgresql_does(wuxi):
    in_title = _document(wuxi, "关于电子政务的通知", "请各部门认真执行。", written_on=datetime.date(2004, 3, 24))
    in_body = _document(wuxi, "关于档案管理的通知", "推进电子政务建设。", written_on=datetime.date(2020, 1, 2))
    _document(wuxi, "关于电子商务的通知", "推进电子商务。")
    queryset = OfficialDocument.objects.all()
    found = list(matches_fallback(queryset, ["电子政务"]))
    assert found == [in_title, in_body]
    assert [d.title_match for d in found] == [True, False]
    assert list(matches_fallback(queryset, ["电子政务", "建设"])) == [in_body]
    assert list(matches_fallback(queryset, ["政"])) == []  # whole words only
    if connection.vendor == "postgresql":  # the suite also runs on SQLite (DATABASE_URL=sqlite:///…)
        assert list(matches_postgresql(queryset, ["电子政务"])) == found


def test_like_wildcards_in_a_word_are_literal(wuxi):
    _document(wuxi, "关于电子政务的通知")
    assert list(matches_fallback(OfficialDocument.objects.all(), ["%"])) == []
    assert list(matches_fallback(OfficialDocument.objects.all(), ["_"])) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_postgresql_uses_the_gin_index(wuxi):
    _document(wuxi, "关于电子政务的通知")
    queryset = matches_postgresql(OfficialDocument.objects.all(), ["电子政务"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "documents_search_vector" in plan


# --- Normalization (tester 8, finding 10) ----------------------------------------------------------


def test_full_width_and_traditional_text_is_segmented_as_its_ordinary_simplified_form():
    assert query_words("政務公開") == ["政务", "公开"]
    assert query_words("ＰＤＦ　２０２６") == ["pdf", "2026"]  # full-width letters, space and digits
    assert segment("電子政務") == segment("电子政务") == " 电子 子政 政务 电子政务 "
    assert segment("附件为ＰＤＦ格式。") == " 附件 为 pdf 格式 "


def test_traditional_and_full_width_queries_find_simplified_documents_and_back(wuxi):
    simplified = _document(wuxi, "关于政务公开工作的通知", "附件为ＰＤＦ格式。")
    traditional = _document(wuxi, "關於電子政務建設的通知", "請各部門認真執行。")
    assert [hit.document for hit in document_search("政務公開", public=True).hits] == [simplified]
    assert [hit.document for hit in document_search("ＰＤＦ", public=True).hits] == [simplified]
    pdf = document_search("pdf", public=True)
    assert [hit.document for hit in pdf.hits] == [simplified]
    assert str(pdf.hits[0].snippet_html) == "附件为<mark>ＰＤＦ</mark>格式。"  # the text as written, marked
    found = document_search("电子政务", public=True)
    assert [hit.document for hit in found.hits] == [traditional]
    assert str(found.hits[0].title_html) == "關於<mark>電子政務</mark>建設的通知"


def test_markup_in_a_query_is_dropped_not_searched(wuxi):
    document = _document(wuxi, "关于政务公开工作的通知")
    results = document_search("<b>政务</b>", public=True)
    assert (results.query, results.words, results.total) == ("政务", ["政务"], 1)
    assert results.hits[0].document == document


def test_staff_also_find_every_published_document_linked_to_the_portal(wuxi, draft, settings):
    settings.EGOV_PUBLIC_URL = "https://www.wuxi.gov.cn"
    published = _document(wuxi, "关于电子政务的通知", written_on=datetime.date(2026, 3, 2))
    # 公安局 is none of the government's organizations: it finds the published one, not the draft.
    police = document_search("电子政务", user=wuxi.police_clerk)
    assert [hit.document for hit in police.hits] == [published]
    assert police.hits[0].public_url == f"https://www.wuxi.gov.cn/disclosure/{published.pk}/"
    # The government's clerk finds both, each with its staff page (no portal link).
    clerk = document_search("电子政务", user=wuxi.clerk)
    assert {hit.document for hit in clerk.hits} == {published, draft} and clerk.total == 2
    assert [hit.public_url for hit in clerk.hits] == ["", ""]


class _Editor:
    """What a data migration's function reads of its schema editor: the connection."""

    connection = connection


def test_the_migration_segments_stored_documents_again(wuxi):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("egov.documents.migrations.0007_search_normalized")
    document = _document(wuxi, "關於政務公開的通知", "ＰＤＦ")
    # As stored before the normalization: traditional words and full-width letters.
    OfficialDocument.objects.filter(pk=document.pk).update(search_title=" 關於 政務 公開 的 通知 ",
                                                           search_body=" ｐｄｆ ")
    assert document_search("政务公开", public=True).total == 0
    migration.refill(apps, _Editor())  # the function reads only the editor's connection (SQLite: no schema
    document.refresh_from_db()  # editor inside the test's transaction)
    assert document.search_title == " 关于 政务 公开 的 通知 " and document.search_body == " pdf "
    assert document_search("政务公开", public=True).total == 1


def test_a_document_is_found_by_its_number_or_its_code(wuxi):
    # Found by a tester: 锡政发〔2026〕1号 and 锡政发 found nothing, though a document is published under it.
    first = _document(wuxi, "关于加强燃气安全管理的通知", number_code="锡政发", number_year=2026, number_seq=1)
    second = _document(wuxi, "关于做好防汛工作的通知", number_code="锡政发", number_year=2026, number_seq=2)
    _document(wuxi, "关于某事的函", number_code="锡政函", number_year=2026, number_seq=1)
    for typed in ("锡政发〔2026〕1号", "锡政发[2026]1号", "锡政发［２０２６］１号"):
        assert [hit.document for hit in document_search(typed, public=True).hits] == [first], typed
    assert [hit.document for hit in document_search("锡政发", public=True).hits] == [second, first]
    assert document_search("锡政发〔2026〕9号", public=True).total == 0


@pytest.mark.parametrize(
    "typed",
    [
        "锡政发〔2026〕1号",  # as printed
        "錫政發〔2026〕1號",  # traditional script
        "锡政发[2026]1号",
        "锡政发(2026)1号",  # half-width brackets
        "锡政发［２０２６］１号",
        "锡政发（2026）1号",  # full-width digits and brackets
        "锡政发 〔2026〕 1 号",
        "锡 政 发〔2026〕1号",
        " 錫政發(２０２６)1號 ",  # spaces
    ],
)
def test_a_number_in_any_written_form_finds_its_document_on_either_database(wuxi, typed):
    # Issue 19, item 5: the embedded database answered "没有可查找的词语" for 锡政发〔2026〕1号.
    simplified_copy = _document(
        wuxi, "关于加强燃气安全管理的通知", number_code="锡政发", number_year=2026, number_seq=1
    )
    traditional_copy = _document(wuxi, "關於做好防汛工作的通知", number_code="錫政發", number_year=2026, number_seq=2)
    _document(wuxi, "关于某事的函", number_code="锡政函", number_year=2026, number_seq=1)
    results = document_search(typed, public=True)
    assert ([hit.document for hit in results.hits], results.total, results.number) == (
        [simplified_copy],
        1,
        "锡政发〔2026〕1号",
    )
    # And the other way round: the traditional number is found by its simplified and traditional forms.
    other = re.sub(r"[1１](?=\s*[号號])", "2", typed)
    assert [hit.document for hit in document_search(other, public=True).hits] == [traditional_copy], other


def test_a_code_alone_in_either_script_finds_its_documents_newest_first(wuxi):
    first = _document(wuxi, "关于加强燃气安全管理的通知", number_code="锡政发", number_year=2026, number_seq=1)
    second = _document(wuxi, "關於做好防汛工作的通知", number_code="錫政發", number_year=2026, number_seq=2)
    for typed in ("锡政发", "錫政發", "锡 政 发"):
        results = document_search(typed, public=True)
        assert ([hit.document for hit in results.hits], results.number) == ([second, first], "锡政发"), typed
    results = document_search("锡政发〔2026〕9号", public=True)
    assert (results.total, results.number, results.words) == (0, "锡政发〔2026〕9号", [])


def test_the_number_key_follows_the_number_when_a_document_is_saved(wuxi):
    # Hand-worked: 錫政發 in simplified script is 锡政发; the key prints the year in 〔〕 and ends in 号.
    document = _document(wuxi, "關於做好防汛工作的通知")
    assert document.number_key == "" and document.number is None
    document.number_code, document.number_year, document.number_seq = "錫政發", 2004, 99
    document.save(update_fields=["number_code", "number_year", "number_seq"])
    document.refresh_from_db()
    assert (document.number_key, str(document.number)) == ("锡政发〔2004〕99号", "錫政發〔2004〕99號")
    assert document_search("锡政发〔2004〕99号", public=True).hits[0].document == document


def test_the_migration_fills_the_key_of_numbered_documents(wuxi):
    import importlib

    from django.apps import apps

    document = _document(wuxi, "關於做好防汛工作的通知", number_code="錫政發", number_year=2004, number_seq=99)
    OfficialDocument.objects.filter(pk=document.pk).update(number_key="")  # as numbered before the migration
    migration = importlib.import_module("egov.documents.migrations.0009_number_key")
    migration.fill(apps, _Editor())
    assert OfficialDocument.objects.get(pk=document.pk).number_key == "锡政发〔2004〕99号"


def test_a_server_worker_loads_the_dictionary_as_it_starts():
    # Issue 19, item 5: the first search after a start took over 2 s, loading jieba's dictionary then.
    import os
    import subprocess
    import sys

    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'egov.settings'); django.setup()\n"
        "from egov.documents import search\n"
        "before = search.dictionary_loaded()\n"
        "import egov.wsgi\n"
        "print(before, search.dictionary_loaded())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ.copy(), timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]  # a command that does not search does not load it
