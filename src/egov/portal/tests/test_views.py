"""政务公开 and search on the public site (issue 8, items 2a and 3)."""

import datetime
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from egov.documents.actions import document_draft, document_import
from egov.documents.importing import document_parse
from egov.documents.models import OfficialDocument

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed" / "wuxi-egov-guidance-2004.zh-hans.txt"
NOW = timezone.now()


def _document(issuer, title, *, kind="notice", written_on=None, body="", published=True, **state):
    document = document_draft(actor=None, issuer=issuer, kind=kind, title=title, body=body, written_on=written_on)
    if published:
        state = {"status": "issued", "disclosure": "proactive", "published_at": NOW, **state}
    OfficialDocument.objects.filter(pk=document.pk).update(**state)
    return OfficialDocument.objects.get(pk=document.pk)


@pytest.fixture
def published(wuxi):
    """Three published documents, one draft and one internal one (the last two never shown)."""
    return {
        "gov_notice_2004": _document(wuxi.government, "关于推进电子政务建设的通知",
                                     written_on=datetime.date(2004, 3, 24)),
        "gov_opinion_2020": _document(wuxi.government, "关于政务公开工作的意见", kind="opinion",
                                      written_on=datetime.date(2020, 5, 1)),
        "finance_notice_2020": _document(wuxi.finance, "关于预算公开的通知", written_on=datetime.date(2020, 6, 1)),
        "finance_draft": _document(wuxi.finance, "关于电子政务预算的通知", written_on=datetime.date(2020, 7, 1),
                                   published=False),
        "police_internal": _document(wuxi.police, "关于电子政务安全的通知", written_on=datetime.date(2020, 8, 1),
                                     classification="internal"),
    }


def _listed(client, **params) -> list[str]:
    response = client.get("/disclosure/", params)
    assert response.status_code == 200
    return [d.title for d in response.context["page"].object_list]


def test_disclosure_list_newest_first_and_its_filters(client, wuxi, published):
    assert _listed(client) == ["关于预算公开的通知", "关于政务公开工作的意见", "关于推进电子政务建设的通知"]
    assert _listed(client, organization=wuxi.government.pk) == ["关于政务公开工作的意见", "关于推进电子政务建设的通知"]
    assert _listed(client, organization=wuxi.finance.pk) == ["关于预算公开的通知"]
    assert _listed(client, kind="notice") == ["关于预算公开的通知", "关于推进电子政务建设的通知"]
    assert _listed(client, year=2020) == ["关于预算公开的通知", "关于政务公开工作的意见"]
    assert _listed(client, year=2004, kind="notice") == ["关于推进电子政务建设的通知"]
    assert _listed(client, organization=wuxi.finance.pk, year=2004) == []
    form = client.get("/disclosure/").context["form"]
    assert [o.name for o in form.fields["organization"].queryset] == ["无锡市人民政府", "无锡市财政局"]
    assert [value for value, _label in form.fields["year"].choices] == ["", 2020, 2004]


def test_disclosure_list_refuses_a_filter_it_does_not_offer(client, wuxi, published):
    response = client.get("/disclosure/", {"organization": wuxi.police.pk, "year": "1999"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"organization", "year"}


def test_disclosure_list_pages_by_twenty(client, wuxi):
    for day in range(1, 23):
        _document(wuxi.government, f"第{day}号通知", written_on=datetime.date(2021, 1, day))
    first = client.get("/disclosure/").context["page"]
    assert (first.paginator.count, len(first.object_list), first.object_list[0].title) == (22, 20, "第22号通知")
    assert [d.title for d in client.get("/disclosure/", {"page": 2}).context["page"].object_list] == [
        "第2号通知", "第1号通知"]


def test_detail_shows_the_published_document_and_hides_the_rest(client, wuxi, published):
    document = published["gov_notice_2004"]
    response = client.get(f"/disclosure/{document.pk}/")
    assert response.status_code == 200
    assert "关于推进电子政务建设的通知" in response.content.decode()
    for hidden in (published["finance_draft"], published["police_internal"]):
        assert client.get(f"/disclosure/{hidden.pk}/").status_code == 404
        assert client.get(f"/disclosure/{hidden.pk}/pdf").status_code == 404
    assert client.get("/disclosure/999999/").status_code == 404


def test_detail_shows_the_sanitized_body(client, wuxi):
    document = _document(wuxi.government, "关于安全的通知",
                         body="<p>第一段</p><script>alert(1)</script><p onclick=x>二</p>")
    page = client.get(f"/disclosure/{document.pk}/").content.decode()
    assert "<p>第一段</p>" in page and "<p>二</p>" in page
    assert "alert(1)" not in page and "onclick" not in page


def test_imported_document_pdf_is_rendered_once_and_said_to_be_unsigned(client, wuxi):
    document = document_import(actor=None, parsed=document_parse(SEED.read_bytes()), source_name=SEED.name,
                               publish=True)
    page = client.get(f"/disclosure/{document.pk}/")
    assert page.context["signed"] is False
    assert 'class="govuk-inset-text"' in page.content.decode() and "锡政发〔2004〕99号" in page.content.decode()
    response = client.get(f"/disclosure/{document.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    _dirs, cached = default_storage.listdir("disclosure")
    assert len(cached) == 1
    assert client.get(f"/disclosure/{document.pk}/pdf").content == response.content
    assert default_storage.listdir("disclosure")[1] == cached


def test_sealed_document_serves_its_sealed_pdf(client, wuxi):
    document = _document(wuxi.government, "关于电子印章的通知")
    document.sealed_pdf.save("sealed.pdf", ContentFile(b"%PDF-1.7 the sealed copy"), save=True)
    assert client.get(f"/disclosure/{document.pk}/pdf").content == b"%PDF-1.7 the sealed copy"
    assert client.get(f"/disclosure/{document.pk}/").context["signed"] is True


def test_search_finds_published_documents_only_and_links_to_them(client, published):
    response = client.get("/search/", {"q": "电子政务"})
    assert response.status_code == 200
    results = response.context["results"]
    assert [hit.url for hit in results.hits] == [f'/disclosure/{published["gov_notice_2004"].pk}/']
    page = response.content.decode()
    assert f'href="/disclosure/{published["gov_notice_2004"].pk}/"' in page
    assert "关于推进<mark>电子政务</mark>建设的通知" in page


@pytest.mark.parametrize("query", ["", "   ", "电子政务" * 500, "<script>alert(1)</script>", "，。！？", "的",
                                   "\x00", "' OR 1=1 --", "%_%"])
def test_any_query_gives_a_normal_page(client, published, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_markup_in_the_query_is_dropped_and_the_rest_shown_escaped(client, published):
    page = client.get("/search/", {"q": "<script>alert(1)</script>\"&"}).content.decode()
    assert 'value="alert(1)&quot;&amp;"' in page and "<script>alert" not in page
    assert "“alert(1)&quot;&amp;”" in page


def test_a_long_query_is_cut_and_the_page_says_so(client, published):
    response = client.get("/search/", {"q": "电子政务，" * 400})
    assert response.context["results"].truncated
    assert response.context["results"].total == 1
    assert 'class="govuk-inset-text"' in response.content.decode()


def test_empty_query_shows_the_hint_and_no_results(client, published):
    response = client.get("/search/")
    assert response.context["searched"] is False and response.context["results"].hits == []
    assert 'id="search-results"' not in response.content.decode()


def test_search_pages_past_the_end_show_the_last_page(client, wuxi):
    for day in range(1, 23):
        _document(wuxi.government, f"电子政务第{day}号通知", written_on=datetime.date(2021, 1, day))
    response = client.get("/search/", {"q": "电子政务", "page": "99"})
    assert response.context["page_number"] == 2 and len(response.context["results"].hits) == 2
    assert client.get("/search/", {"q": "电子政务", "page": "x" * 5000}).context["page_number"] == 1


def test_home_and_header_lead_to_disclosure_and_search(client, wuxi):
    page = client.get("/").content.decode()
    assert 'href="/disclosure/"' in page
    assert 'action="/search/"' in page and 'id="home-search-q"' in page
    # Every page's navigation leads to the search page.
    assert 'class="govuk-service-navigation__link" href="/search/"' in client.get("/disclosure/").content.decode()


def test_search_api_answers_with_published_hits(client, published):
    response = client.get("/api/v1/documents/search", {"q": "电子政务"})
    assert response.status_code == 200
    body = response.json()
    document = published["gov_notice_2004"]
    assert (body["query"], body["truncated"], body["words"], body["total"]) == ("电子政务", False, ["电子政务"], 1)
    assert body["hits"] == [{
        "id": document.pk, "title": "关于推进电子政务建设的通知", "number": "", "issuer": "无锡市人民政府",
        "written_on": "2004-03-24", "url": f"/disclosure/{document.pk}/", "pdf_url": f"/disclosure/{document.pk}/pdf",
        "title_html": "关于推进<mark>电子政务</mark>建设的通知", "snippet_html": "", "title_match": True}]


def test_search_api_refuses_a_bad_page_with_the_error_shape(client, published):
    response = client.get("/api/v1/documents/search", {"q": "电子政务", "limit": 0})
    assert response.status_code == 422 and set(response.json()) == {"message", "extra"}
    assert client.get("/api/v1/documents/search", {"q": "<b>政务</b>" * 300}).json()["truncated"] is True


def test_the_search_boxes_send_at_most_what_the_search_reads(client, wuxi):
    # Tester 8, finding 9: a pasted 2,000-character query is cut by the box itself, so the request
    # line stays far below the server's limit (``egov serve``: 8,190 bytes).
    from egov.documents.search import QUERY_MAX_CHARS

    assert QUERY_MAX_CHARS == 100
    assert 'name="q" value="" maxlength="100"' in client.get("/search/").content.decode()
    assert 'name="q" value="" maxlength="100"' in client.get("/").content.decode()
    client.force_login(wuxi.clerk)
    assert 'name="q" value="" maxlength="100"' in client.get("/staff/documents/search/").content.decode()
