"""The portal's one search (issue 21, item 3): documents, service items (also by pinyin and
initials), open resources; facets; 发文字号 in any bracket; bad input. Expected values worked out
by hand from the data below."""

import datetime

import pytest
from django.utils import timezone

from egov.documents.actions import document_draft
from egov.documents.models import OfficialDocument
from egov.exchange.actions import resource_publish
from egov.portal.search import site_search
from egov.services.models import ServiceItem
from egov.services.pinyin import name_pinyin, pinyin_query
from egov.services.tests.factories import USCC_A, make_item, make_organization

NOW = timezone.now()


def _document(issuer, title, *, written_on, number=None, published=True):
    document = document_draft(actor=None, issuer=issuer, kind="notice", title=title, body="", written_on=written_on)
    OfficialDocument.objects.filter(pk=document.pk).update(
        status="issued", disclosure="proactive", published_at=NOW if published else None)
    document = OfficialDocument.objects.get(pk=document.pk)
    if number:
        document.number_code, document.number_year, document.number_seq = number
        document.save()  # number_key follows (OfficialDocument.save)
    return document


def _item(organization, main: int, name: str) -> ServiceItem:
    return make_item(organization, code=f"{USCC_A}01{main:07d}00000", name=name)


@pytest.fixture
def everything(wuxi):
    market = make_organization(name="无锡市市场监督管理局")
    items = {name: _item(market, main, name)
             for main, name in enumerate(["公司登记", "公司注销登记", "个体工商户登记", "食品经营许可",
                                          "电子政务外网接入审批"], start=101)}
    documents = {
        "gov_2004": _document(wuxi.government, "关于推进电子政务建设的通知", written_on=datetime.date(2004, 3, 24)),
        "gov_2020": _document(wuxi.government, "关于电子政务公开工作的意见", written_on=datetime.date(2020, 5, 1),
                              number=("锡政发", 2026, 1)),
        "finance_2020": _document(wuxi.finance, "关于电子政务预算公开的通知", written_on=datetime.date(2020, 6, 1)),
        "draft": _document(wuxi.finance, "关于电子政务草稿的通知", written_on=datetime.date(2020, 7, 1),
                           published=False),
    }
    resource = resource_publish(actor=None, data={
        "code": "320200-SJ-001", "name": "电子政务统计数据", "classification": "3-01-001", "catalog": "department",
        "provider_code": USCC_A, "provider_name": "无锡市市场监督管理局", "format": "spreadsheet",
        "update_cycle": "yearly", "published_on": "2025-01-15", "is_open": True,
        "items": [{"field": "year", "name": "年度", "data_type": "N", "sharing_type": "unconditional",
                   "is_open": True}]})
    return {"market": market, "items": items, "documents": documents, "resource": resource, "wuxi": wuxi}


# --- pinyin, worked out by hand -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "full", "initials"), [
    ("公司登记", "gongsidengji", "gsdj"),
    ("公司注销登记", "gongsizhuxiaodengji", "gszxdj"),
    ("个体工商户登记", "getigongshanghudengji", "gtgshdj"),
    ("银行开户", "yinhangkaihu", "yhkh"),  # 行 read hang in 银行, not xing
    ("绿化许可", "lvhuaxuke", "lhxk"),  # ü written v
    ("ICP许可证", "icpxukezheng", "icpxkz"),  # Latin letters kept whole
])
def test_name_pinyin(name, full, initials):
    assert name_pinyin(name) == (full, initials)


@pytest.mark.parametrize(("typed", "read"), [
    ("GSDJ", "gsdj"), ("gōng sī", "gongsi"), ("xi'an", "xian"), ("lü", "lv"), ("ｇｓ", "gs"),
    ("g", ""), ("公司", ""), ("", ""),
])
def test_pinyin_query(typed, read):
    assert pinyin_query(typed) == read


def test_items_store_their_pinyin_on_save(everything):
    item = everything["items"]["公司登记"]
    assert (item.name_pinyin, item.name_initials) == ("gongsidengji", "gsdj")
    item.name = "食品生产许可"
    item.save(update_fields=["name"])
    item.refresh_from_db()
    assert (item.name_pinyin, item.name_initials) == ("shipinshengchanxuke", "spscxk")


def _titles(query, **filters):
    return [(hit.kind, hit.title) for hit in site_search(query, **filters).hits]


@pytest.mark.parametrize(("query", "expected"), [
    ("gsdj", ["公司登记"]),
    ("GSDJ", ["公司登记"]),
    ("gongsi", ["公司登记", "公司注销登记"]),
    ("gōngsī dēngjì", ["公司登记"]),
    ("gs", ["公司登记", "公司注销登记"]),
    ("spjyxk", ["食品经营许可"]),
    ("g", []),  # one letter is not searched as pinyin
    ("<b>gsdj</b>", ["公司登记"]),  # markup dropped
    # By name: the exact name first (0), then names holding it (2), in catalogue order.
    ("公司登记", ["公司登记"]),
    ("登记", ["公司登记", "公司注销登记", "个体工商户登记"]),
])
def test_service_items_by_name_pinyin_and_initials(everything, query, expected):
    assert _titles(query, kind="service") == [("service", name) for name in expected]


@pytest.mark.parametrize("typed", ["锡政发〔2026〕1号", "锡政发[2026]1号", "锡政发(2026)1号", "锡政发（２０２６）１号",
                                   "锡政发 [2026] 1 号", "錫政發〔2026〕1號"])
def test_a_document_number_in_any_brackets_finds_its_document(everything, typed):
    results = site_search(typed)
    assert [(hit.kind, hit.title, hit.reference) for hit in results.hits] == [
        ("document", "关于电子政务公开工作的意见", "锡政发〔2026〕1号")]


@pytest.mark.parametrize("typed", ["锡政发〔2004〕99", "锡政发[2004]99", "锡政发(2004)99", "锡政发（２００４）９９",
                                   "錫政發〔2004〕99", "锡政发 〔2004〕 99 "])
def test_a_document_number_without_its_hao_finds_that_document_only(wuxi, typed):
    # 号 left off: still the document numbered 99 of 2004, not 199 or 991 of the same year.
    for seq, title in ((99, "关于推进电子政务建设的通知"), (199, "关于一百九十九号的通知"),
                       (991, "关于九百九十一号的通知")):
        _document(wuxi.government, title, written_on=datetime.date(2004, 3, 24), number=("锡政发", 2004, seq))
    results = site_search(typed)
    assert [(hit.kind, hit.title, hit.reference) for hit in results.hits] == [
        ("document", "关于推进电子政务建设的通知", "锡政发〔2004〕99号")]


def _facets(facets):
    return [(facet.value, facet.count) for facet in facets]


def test_one_list_title_matches_first_by_kind_with_facets(everything):
    wuxi, market = everything["wuxi"], everything["market"]
    results = site_search("电子政务")
    # Every hit has 电子政务 in its title: services, then documents (newest first), then open data.
    assert [(hit.kind, hit.title) for hit in results.hits] == [
        ("service", "电子政务外网接入审批"),
        ("document", "关于电子政务预算公开的通知"),
        ("document", "关于电子政务公开工作的意见"),
        ("document", "关于推进电子政务建设的通知"),
        ("resource", "电子政务统计数据"),
    ]
    assert results.total == 5 and results.pageable == 5
    assert _facets(results.by_kind) == [("service", 1), ("document", 3), ("resource", 1), ("page", 0)]
    # 市政府 2 documents; 市场监管局 the item and the resource (its USCC); 财政局 1 document.
    assert _facets(results.by_organization) == [(str(wuxi.government.pk), 2), (str(market.pk), 2),
                                                (str(wuxi.finance.pk), 1)]
    assert _facets(results.by_year) == [("2025", 1), ("2020", 2), ("2004", 1)]
    hit = results.hits[1]
    assert str(hit.title_html) == "关于<mark>电子政务</mark>预算公开的通知"
    assert hit.url == f"/disclosure/{everything['documents']['finance_2020'].pk}/"
    assert hit.organization == "无锡市财政局"
    assert results.hits[0].url == f"/services/{everything['items']['电子政务外网接入审批'].code}/"
    assert results.hits[4].url == "/open-data/320200-SJ-001/"


def test_filters_narrow_and_kind_counts_follow_them(everything):
    wuxi, market = everything["wuxi"], everything["market"]
    by_kind = site_search("电子政务", kind="document")
    assert [hit.kind for hit in by_kind.hits] == ["document"] * 3
    assert _facets(by_kind.by_kind) == [("service", 1), ("document", 3), ("resource", 1), ("page", 0)]
    assert _facets(by_kind.by_year) == [("2020", 2), ("2004", 1)]
    in_2020 = site_search("电子政务", year=2020)  # items and pages of other years have none
    assert _facets(in_2020.by_kind) == [("service", 0), ("document", 2), ("resource", 0), ("page", 0)]
    assert in_2020.total == 2
    finance = site_search("电子政务", organization=wuxi.finance)
    assert [hit.title for hit in finance.hits] == ["关于电子政务预算公开的通知"]
    by_market = site_search("电子政务", organization=market)
    assert [(hit.kind, hit.title) for hit in by_market.hits] == [("service", "电子政务外网接入审批"),
                                                                   ("resource", "电子政务统计数据")]


def test_paging_through_one_kind_and_all(everything):
    first = site_search("电子政务", limit=2, offset=0)
    second = site_search("电子政务", limit=2, offset=2)
    third = site_search("电子政务", limit=2, offset=4)
    assert [hit.title for hit in first.hits + second.hits + third.hits] == [
        hit.title for hit in site_search("电子政务").hits]
    assert [hit.title for hit in site_search("电子政务", kind="document", limit=1, offset=2).hits] == [
        "关于推进电子政务建设的通知"]


# --- the page and the API -------------------------------------------------------------------------

def test_page_lists_hits_and_facet_links(client, everything):
    response = client.get("/search/", {"q": "gsdj"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="/services/{everything["items"]["公司登记"].code}/"' in page
    assert 'href="?q=gsdj&amp;kind=service"' in page and "(1)" in page
    chosen = client.get("/search/", {"q": "电子政务", "kind": "document"}).content.decode()
    assert 'href="?q=%E7%94%B5%E5%AD%90%E6%94%BF%E5%8A%A1&amp;kind=document" aria-current="true"' in chosen


@pytest.mark.parametrize("query", ["", "   ", "公司" * 1000, "x" * 2000, "<script>alert(1)</script>",
                                   "<img src=x onerror=alert(1)>gsdj", "\x00", "' OR 1=1 --", "%_%", "〔〕[]()"])
def test_any_query_gives_a_normal_page(client, everything, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    api = client.get("/api/v1/search", {"q": query})
    assert api.status_code == 200


def test_a_long_query_is_cut_and_says_so(client, everything):
    response = client.get("/search/", {"q": "公司登记" + "，" * 2000})
    assert response.context["results"].truncated and len(response.context["results"].query) == 100
    assert 'class="govuk-inset-text"' in response.content.decode()


@pytest.mark.parametrize(("params", "field"), [({"kind": "letters"}, "kind"), ({"organization": "x"}, "organization"),
                                              ({"organization": "999999"}, "organization"), ({"year": "20x6"}, "year"),
                                              ({"year": "99999999999999999999"}, "year")])
def test_a_bad_filter_is_named_and_dropped(client, everything, params, field):
    response = client.get("/search/", {"q": "gsdj", **params})
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert [hit.title for hit in response.context["results"].hits] == ["公司登记"]
    api = client.get("/api/v1/search", {"q": "gsdj", **params})
    assert api.status_code == 400 and api.json()["extra"]["field"] == field


def test_search_api(client, everything):
    body = client.get("/api/v1/search", {"q": "锡政发[2026]1号"}).json()
    document = everything["documents"]["gov_2020"]
    assert body["total"] == 1 and body["hits"] == [{
        "kind": "document", "title": "关于电子政务公开工作的意见", "url": f"/disclosure/{document.pk}/",
        "reference": "锡政发〔2026〕1号", "organization": "无锡市人民政府", "date": "2020-05-01",
        "title_html": "关于电子政务公开工作的意见", "snippet_html": "", "title_match": True}]
    body = client.get("/api/v1/search", {"q": "gongsi", "kind": "service"}).json()
    assert [hit["title"] for hit in body["hits"]] == ["公司登记", "公司注销登记"]
    assert [(f["value"], f["count"]) for f in body["by_kind"]] == [("service", 2), ("document", 0), ("resource", 0),
                                                                         ("page", 0)]
