"""The search page's and the kiosk's example of a search by pinyin initials names an item the
catalogue has (tester21: both said ``gsdj`` finds 公司登记; the demo city has no 公司登记, so following
the example found nothing). Pages on real PostgreSQL."""

import pytest

from egov.services.tests.factories import USCC_A, make_item, make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(wuxi):
    approvals = make_organization(name="无锡市行政审批局")
    # Initials worked by hand: 企业设立登记 qi ye she li deng ji → qysldj; 法律援助申请 fa lü yuan zhu
    # shen qing → flyzsq; 居民身份证换领 → jmsfzhl (7 letters: not the example).
    for main, name in enumerate(["居民身份证换领", "企业设立登记", "法律援助申请"], start=101):
        make_item(approvals, code=f"{USCC_A}01{main:07d}00000", name=name)
    unpublished = make_item(approvals, code=f"{USCC_A}01{200:07d}00000", name="公证")
    unpublished.is_published = False
    unpublished.save()


def test_the_examples_name_an_item_of_the_catalogue_and_following_them_finds_it(client, catalogue):
    # Fewest initials first (6 = 6: catalogue order by code, 企业设立登记 is 102, 法律援助申请 103);
    # 公证 (gz) is not published.
    page = client.get("/search/").content.decode()
    assert ("可输入词语、发文字号（如 锡政发〔2026〕1号），或事项名称的拼音、首字母"
            "（如 qysldj 查找企业设立登记）。") in page
    assert "办事事项（如 企业设立登记 或 qysldj）" in page
    assert "gsdj" not in page and "公司登记" not in page
    page = client.get("/kiosk/").content.decode()
    assert "例如查找“企业设立登记”，依次点按 Q Y S L D J。" in page
    assert "公司登记" not in page
    found = client.get("/kiosk/?keys=qysldj").content.decode()
    assert 'id="kiosk-items"' in found and "企业设立登记" in found
    found = client.get("/search/?q=qysldj").content.decode()
    assert "企业设立登记" in found and "法律援助申请" not in found


def test_without_an_item_the_hint_has_no_item_example(client, wuxi):
    assert 'id="kiosk-example"' not in client.get("/kiosk/").content.decode()
    assert client.get("/search/").status_code == 200
