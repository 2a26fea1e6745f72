"""信用公示 on the public site through the Django client: search by name or code, a subject's public
record, persons masked, only published records. Dates worked by hand on the 2025 schedule (see
test_actions)."""

from datetime import date

import pytest

from egov.credit import actions, views_public
from egov.credit.models import Kind, Status, SubjectKind
from egov.credit.tests.conftest import ENTERPRISE, PERSON, UNKNOWN_ENTERPRISE
from egov.credit.tests.test_actions import penalty

pytestmark = pytest.mark.django_db

PERSON_SHOWN = "3202**********1233"  # 4 kept, 10 hidden, 4 kept (core.masking)


@pytest.fixture
def records(registers, approver, market):
    """An enterprise's 一般 penalty (2025-09-26), a person's penalty (2025-09-25), an unknown subject's held
    penalty, and the enterprise proposed for the 严重失信主体名单 (in its objection window: not public)."""
    company = penalty(
        approver,
        market,
        legal_basis_en="Article 126 of the Food Safety Law",
        facts_en="Food business licence not displayed",
    )
    person = penalty(
        approver,
        market,
        subject_kind=SubjectKind.NATURAL,
        subject_code=PERSON,
        subject_name="张三丰",
        decided_on=date(2025, 9, 25),
        decision_document="锡市监罚〔2025〕11号",
    )
    held = penalty(approver, market, subject_code=UNKNOWN_ENTERPRISE, subject_name="北京未登记有限公司")
    listing = penalty(
        approver,
        market,
        kind=Kind.SERIOUS,
        severity="",
        measures="限制参与政府采购",
        decision_document="锡市监认〔2025〕3号",
    )
    assert (company.status, person.status, held.status, listing.status) == (
        Status.PUBLISHED,
        Status.PUBLISHED,
        Status.HELD,
        Status.OBJECTION,
    )
    return {"company": company, "person": person, "held": held, "listing": listing}


def test_the_search_lists_subjects_with_published_records_persons_masked(client, records):
    response = client.get("/credit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 个主体有公示中的信用记录。" in page
    rows = [(s.name, s.code, s.records, s.latest) for s in response.context["subjects"]]
    # Newest decision first: the enterprise (2025-09-26), then the person (2025-09-25).
    assert rows == [
        ("无锡示例科技有限公司", ENTERPRISE, 1, date(2025, 9, 26)),
        ("张**", PERSON_SHOWN, 1, date(2025, 9, 25)),
    ]
    assert PERSON not in page and "张三丰" not in page
    assert UNKNOWN_ENTERPRISE not in page and "北京未登记有限公司" not in page
    # The person's page is addressed by a record number, never by the ID.
    assert f'href="/credit/{records["person"].number}/"' in page
    assert f'href="/credit/{ENTERPRISE}/"' in page


@pytest.mark.parametrize(
    ("q", "names"),
    [
        (ENTERPRISE, ["无锡示例科技有限公司"]),
        (ENTERPRISE.lower(), ["无锡示例科技有限公司"]),
        (PERSON, ["张**"]),
        ("示例", ["无锡示例科技有限公司"]),
        ("张三丰", ["张**"]),
        (UNKNOWN_ENTERPRISE, []),  # held: not public
        ("北京未登记", []),
        ("无此企业", []),
    ],
)
def test_the_search_finds_by_code_or_part_of_the_name(client, records, q, names):
    response = client.get("/credit/", {"q": q})
    assert response.status_code == 200
    assert [s.name for s in response.context["subjects"]] == names
    if not names:
        assert "没有与之相符的公示主体" in response.content.decode()


def test_the_search_pages_keep_the_query(client, records, monkeypatch):
    monkeypatch.setattr(views_public, "PER_PAGE", 1)
    first = client.get("/credit/")
    assert [s.name for s in first.context["subjects"]] == ["无锡示例科技有限公司"]
    assert 'href="?page=2"' in first.content.decode()
    second = client.get("/credit/", {"page": 2})
    assert [s.name for s in second.context["subjects"]] == ["张**"]


def test_an_enterprises_public_record_shows_published_records_only(client, records):
    response = client.get(f"/credit/{ENTERPRISE}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    page = response.content.decode()
    assert [r.number for r in response.context["records"]] == [records["company"].number]
    for text in (
        "无锡示例科技有限公司",
        ENTERPRISE,
        "行政处罚",
        "锡市监罚〔2025〕12号",
        "无锡市市场监督管理局",
        "2025-09-26",
        "《中华人民共和国食品安全法》第一百二十六条",
        "未按规定公示食品经营许可证",
        "2025-09-26 至 2026-09-26",  # 一般: 1 year from the decision, 民法典 §202
    ):
        assert text in page, text
    # The listing in its objection window is not public yet.
    assert "锡市监认〔2025〕3号" not in page and "限制参与政府采购" not in page


def test_a_listing_appears_once_published_with_its_measures(client, records):
    # Window closed 2025-10-10 (5 working days); published on 10-11 for 36 months.
    assert actions.credit_daily(today=date(2025, 10, 11)) == {"published": 1, "expired": 0}
    page = client.get(f"/credit/{ENTERPRISE}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "严重失信主体名单" in page and "限制参与政府采购" in page and "2025-10-11 至 2028-09-26" in page
    assert "列入惩戒名单" in page
    listed = client.get("/credit/", {"q": ENTERPRISE}).context["subjects"][0]
    assert (listed.records, listed.black, listed.red) == (2, True, False)


def test_the_record_page_in_english(client, records):
    page = client.get(f"/credit/{ENTERPRISE}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Administrative penalty" in page and "Article 126 of the Food Safety Law" in page
    assert "Food business licence not displayed" in page and "2025-09-26 to 2026-09-26" in page
    assert "Credit disclosure" in page


def test_a_persons_record_is_masked_and_never_addressed_by_the_id(client, records):
    person = records["person"]
    response = client.get(f"/credit/{person.number}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "张**" in page and PERSON_SHOWN in page and "锡市监罚〔2025〕11号" in page
    assert PERSON not in page and "张三丰" not in page
    assert client.get(f"/credit/{PERSON}/").status_code == 404
    # A held record's number and an unknown or held enterprise lead nowhere.
    assert client.get(f"/credit/{records['held'].number}/").status_code == 404
    assert client.get(f"/credit/{UNKNOWN_ENTERPRISE}/").status_code == 404
    assert client.get(f"/credit/{records['company'].number}/").status_code == 404  # an enterprise's: by USCC
    assert client.get("/credit/nonsense/").status_code == 404


def test_an_expired_record_leaves_the_public_pages(client, records):
    # The 一般 penalties' periods end 2026-09-25 (the person's) and 2026-09-26 (the enterprise's): on
    # 2026-09-27 both have expired (and the listing, its window long closed, is published that day).
    actions.credit_daily(today=date(2026, 9, 27))
    subjects = client.get("/credit/").context["subjects"]
    assert [(s.name, s.records) for s in subjects] == [("无锡示例科技有限公司", 1)]
    assert subjects[0].black is True
