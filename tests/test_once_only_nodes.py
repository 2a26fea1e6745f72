"""A provider node answering from the population register (issue 15, item 5): real node processes
with their own databases (``egov.exchange.tests.harness``), the provider's service configured with
``source = "population"`` instead of a CSV file, the register loaded by ``egov registries import``.
The answer is cut to the granted 信息项 and the read is audited on the register's row."""

import json
import os

import pytest

from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE
from egov.exchange.tests.harness import Network, query

# GB 11643-1999 numbers also used by the registries' tests: 320213 (梁溪区), born 1990-03-07,
# sequence 123 (odd: a man); 110105 (朝阳区), born 1949-12-31, sequence 002 (even: a woman).
MAN = "320213199003071233"
WOMAN = "11010519491231002X"
PEOPLE = (
    "公民身份号码,姓名,性别,出生日期,民族,户籍地行政区划代码,住址\n"
    f"{MAN},张三,男,1990-03-07,汉族,320213,无锡市梁溪区中山路1号\n"
    f"{WOMAN},李𠀀,女,1949-12-31,01,110105,北京市朝阳区建国路2号\n"
)
RESOURCE = {
    "code": "320200-GA-0001",
    "name": "人口基础信息",
    "classification": "1-01-001",
    "catalog": "basic",
    "provider_code": PROVIDER_CODE,
    "provider_name": "无锡市公安局",
    "summary": "人口基础信息库",
    "format": "database",
    "update_cycle": "daily",
    "published_on": "2026-11-01",
    "related_codes": [],
    "items": [
        {
            "field": "id_number",
            "name": "公民身份号码",
            "data_type": "C",
            "is_personal": True,
            "sharing_type": "unconditional",
        },
        {"field": "name", "name": "姓名", "data_type": "C", "is_personal": True, "sharing_type": "unconditional"},
        {"field": "sex", "name": "性别", "data_type": "C", "is_personal": True, "sharing_type": "unconditional"},
        {
            "field": "household_address",
            "name": "户籍地址",
            "data_type": "C",
            "is_personal": True,
            "sharing_type": "conditional",
            "sharing_condition": "办理户籍相关事项",
        },
    ],
}
GRANT = {
    "resource": "320200-GA-0001",
    "consumer_code": CONSUMER_CODE,
    "consumer_name": "无锡市行政审批局",
    "fields": ["id_number", "name", "sex"],
    "purpose": "免于申请人提交身份信息",
    "legal_basis": "《优化营商环境条例》第三十五条",
}


@pytest.fixture(scope="module")
def network(tmp_path_factory, django_db_blocker):
    base = os.environ.get("TEST_DATABASE_URL") or os.environ["DATABASE_URL"]
    folder = tmp_path_factory.mktemp("once_only_nodes")
    net = Network(base_url=base, folder=folder, prefix=f"egov_oo_{os.getpid()}")
    try:
        net.create(
            [
                (PROVIDER_CODE, "无锡市公安局", "police.node.egov"),
                (CONSUMER_CODE, "无锡市行政审批局", "approval.node.egov"),
            ]
        )
        provider = net.nodes[PROVIDER_CODE]
        (provider.folder / "people.csv").write_text(PEOPLE, encoding="utf-8")
        loaded = net.egov(
            "registries",
            "import",
            "population",
            str(provider.folder / "people.csv"),
            "--source",
            "无锡市公安局",
            db=provider.db,
        )
        assert json.loads(loaded.stdout.strip().splitlines()[-1])["imported"] == 2
        (provider.folder / "catalog.json").write_text(
            json.dumps({"resources": [RESOURCE], "grants": [GRANT]}), encoding="utf-8"
        )
        net.egov("exchange", "import", str(provider.folder / "catalog.json"), db=provider.db)
        timing = {
            "tsa_interval": 0.5,
            "tsa_batch_size": 1000,
            "tsa_grace": 4,
            "ocsp_fresh": 1,
            "grant_cache_seconds": 1,
        }
        net.configure(
            PROVIDER_CODE,
            services={"person": {"resource": "320200-GA-0001", "source": "population", "key": "id_number"}},
            **timing,
        )
        net.configure(CONSUMER_CODE, **timing)
        net.start_platform()
        for code in net.nodes:
            net.start(code)
        yield net
    finally:
        net.stop()


def test_the_provider_node_answers_from_the_register_cut_to_the_grant_and_audits_the_read(network):
    answer = network.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": WOMAN.lower()})
    assert answer.status_code == 200, answer.text
    # granted: id_number, name, sex; the household address (有条件共享, not granted), the register's
    # source and birth date (not in the catalog) never leave the node
    assert answer.json()["record"] == {"id_number": WOMAN, "name": "李𠀀", "sex": "F"}
    provider = network.nodes[PROVIDER_CODE].db
    (row_id,) = query(provider, "SELECT id FROM registries_populationrecord WHERE id_number = %s", (WOMAN,))[0]
    reads = query(
        provider,
        "SELECT object_type, object_id, changes FROM audit_auditevent "
        "WHERE action = 'registries.population.read' AND object_id = %s",
        (str(row_id),),
    )
    assert len(reads) == 1
    object_type, object_id, changes = reads[0]
    assert (object_type, object_id) == ("registries.populationrecord", str(row_id))
    assert changes["consumer"] == CONSUMER_CODE
    assert (changes["purpose"], changes["basis"]) == ("SP2026120400001", "《行政许可法》第三十一条")


def test_a_number_not_in_the_register_is_404_and_reads_nothing(network):
    reads = "SELECT count(*) FROM audit_auditevent WHERE action = 'registries.population.read'"
    before = query(network.nodes[PROVIDER_CODE].db, reads)[0][0]
    answer = network.call(CONSUMER_CODE, PROVIDER_CODE, "person", {"id_number": "320213199003071241"})
    assert answer.status_code == 404, answer.text
    assert query(network.nodes[PROVIDER_CODE].db, reads)[0][0] == before
