"""Who read my data (数据使用记录): a citizen, an enterprise and its agent see, on the public site,
the full reads of their register records from the audit log — staff full views and reads made for
a case (the convention the exchange follows: the record row as the audited object, ``.read``)."""

import pytest
from django.urls import reverse

from egov.accounts.tests.factories import LegalPersonFactory, NaturalPersonFactory
from egov.audit.actions import audit_record
from egov.orgs.roles import Role
from egov.registries.models import LegalEntityRecord, PopulationRecord
from egov.registries.tests.test_actions import POPULATION_CSV, run_import
from egov.registries.tests.test_validation import CHAOYANG_WOMAN, ENTERPRISE, LIANGXI_MAN

DATA_USE = "/accounts/me/data-use/"
ENTITIES_CSV = (
    "统一社会信用代码,名称,类型,法定代表人,注册资本,成立日期,住所,登记状态\n"
    f"{ENTERPRISE},无锡示例科技有限公司,有限责任公司,王建国,500,2016-05-03,无锡市梁溪区,存续\n"
)


@pytest.fixture
def steward(city, make_staff):
    return make_staff(city, [Role.DATA_STEWARD])


@pytest.fixture
def records(steward):
    run_import(steward, POPULATION_CSV)
    run_import(steward, ENTITIES_CSV, register="legal_entity", name="entities.csv")
    return (
        PopulationRecord.objects.get(id_number=LIANGXI_MAN),
        PopulationRecord.objects.get(id_number=CHAOYANG_WOMAN),
        LegalEntityRecord.objects.get(uscc=ENTERPRISE),
    )


def _rows(page) -> list[list[str]]:
    """The table's rows as the cells' text, whitespace collapsed."""
    import re

    html = page.content.decode()
    body = html.split('id="data-use"', 1)[1].split("</table>", 1)[0] if 'id="data-use"' in html else ""
    rows = []
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells])
    return rows


def test_a_citizen_sees_who_read_their_population_record(client, city, department, steward, records):
    man, woman, _entity = records
    person = NaturalPersonFactory(id_number=LIANGXI_MAN, name="张三")
    client.force_login(steward)
    assert client.post(reverse("registries:record_full", args=["population", man.pk])).status_code == 200
    assert client.post(reverse("registries:record_full", args=["population", woman.pk])).status_code == 200
    # A read for a case, as the exchange records it: the record row, the 办件编号, the items read.
    audit_record(
        action="exchange.population.read",
        organization=department,
        obj=man,
        actor_label="exchange node",
        changes={"purpose": "SP-20261205-0007", "fields": ["姓名", "住址"]},
    )
    # A search is not a read of the record: not listed.
    client.post(reverse("registries:search"), {"register": "population", "query": LIANGXI_MAN})

    client.force_login(person.user)
    page = client.get(DATA_USE)
    assert page.status_code == 200
    assert _rows(page) == [
        [_when(page, 0), "无锡市行政审批局", "—", "SP-20261205-0007 读取的信息项：姓名、住址", "人口基础信息库 张三"],
        [_when(page, 1), "无锡市人民政府", "数据管理员", "未说明", "人口基础信息库 张三"],
        # the real-name check at registration (实名认证, issue 17) read the record too, by the platform
        # (named as the platform, not "—": the tester, session 8)
        [_when(page, 2), "市政务服务平台", "—", "实名认证", "人口基础信息库 张三"],
    ]
    english = client.get(DATA_USE, HTTP_ACCEPT_LANGUAGE="en")
    assert _rows(english)[1][1:4] == ["无锡市人民政府", "Data steward", "Not stated"]
    # the stored purpose 实名认证 is shown in English on the English page
    assert _rows(english)[2][1:4] == ["The city&#x27;s e-government platform", "—", "Real-name verification"]
    # The profile links to who read my data (issue 20), which links to this page; the other person's
    # read is not there. The data steward's full view (after issue 20) is on the new page as well.
    assert 'href="/accounts/me/data-reads/"' in client.get("/accounts/me/").content.decode()
    reads = client.get("/accounts/me/data-reads/").content.decode()
    assert f'href="{DATA_USE}"' in reads
    # the data steward's full view and the real-name check at registration (the platform, no organization)
    assert reads.count('<tr class="govuk-table__row" id="read-') == 2 and "人口基础信息库" in reads
    assert "实名认证" in reads and "市政务服务平台" in reads
    reads_en = client.get("/accounts/me/data-reads/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Real-name verification" in reads_en and "实名认证" not in reads_en
    assert "The city&#x27;s e-government platform" in reads_en
    assert "李四" not in page.content.decode()


def _when(page, index) -> str:
    import re

    return re.findall(r"<time[^>]*>([^<]+)</time>", page.content.decode())[index]


def test_an_enterprise_and_its_agent_see_reads_of_its_legal_entity_record(client, steward, records):
    _man, _woman, entity = records
    agent = NaturalPersonFactory(id_number=CHAOYANG_WOMAN, name="李四")
    company = LegalPersonFactory(uscc=ENTERPRISE, name="无锡示例科技有限公司", agent=agent)
    stranger = NaturalPersonFactory()
    client.force_login(steward)
    assert client.post(reverse("registries:record_full", args=["legal_entity", entity.pk])).status_code == 200
    enterprise_rows = [
        ["无锡市人民政府", "数据管理员", "未说明", "法人单位基础信息库 无锡示例科技有限公司"],
        # the real-name checks at registration (实名认证, issue 17) read the records too, by the platform
        ["市政务服务平台", "—", "实名认证", "法人单位基础信息库 无锡示例科技有限公司"],
    ]
    own = [["市政务服务平台", "—", "实名认证", "人口基础信息库 李四"]]  # the agent's own record
    for user, expected in ((company.user, enterprise_rows), (agent.user, enterprise_rows + own)):
        client.force_login(user)
        rows = _rows(client.get(DATA_USE))
        assert [row[1:] for row in rows] == expected
    client.force_login(stranger.user)
    page = client.get(DATA_USE)
    assert _rows(page) == [] and 'id="data-use-none"' in page.content.decode()


def test_the_page_is_for_signed_in_citizens_and_enterprises(client, steward):
    assert client.get(DATA_USE).status_code == 302
    client.force_login(steward)
    assert client.get(DATA_USE).status_code in (302, 403)
