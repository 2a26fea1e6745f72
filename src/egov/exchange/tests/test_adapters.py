"""Resource sources (异源, issue 20 item 1): one resource backed by MariaDB, one by PostgreSQL, one by
an XLSX file, served through real nodes (``egov node serve`` with mutual TLS); bad mappings refused
when saved; a source that is down answers 503 naming the resource."""

import json
import os
import re
import socket
from pathlib import Path

import pymysql
import pytest
from openpyxl import Workbook

from egov.audit.models import AuditEvent
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.exchange.adapters import BadCell, SourceUnavailable, value_convert
from egov.exchange.tests.conftest import CONSUMER_CODE, PROVIDER_CODE
from egov.exchange.tests.harness import Network, admin, database_url

# A resource whose 信息项 have the 指南's types, and what the consumer is granted of it.
TYPED = {
    "code": "320200-GA-002", "name": "常住人口信息", "classification": "1-01-002", "catalog": "basic",
    "provider_code": PROVIDER_CODE, "provider_name": "无锡市公安局", "summary": "常住人口",
    "format": "database", "update_cycle": "daily", "published_on": "2026-11-01", "related_codes": [],
    "items": [
        {"field": "id_number", "name": "公民身份号码", "data_type": "C", "is_personal": True,
         "sharing_type": "unconditional"},
        {"field": "name", "name": "姓名", "data_type": "C", "is_personal": True, "sharing_type": "unconditional"},
        {"field": "birth_date", "name": "出生日期", "data_type": "D", "is_personal": True,
         "sharing_type": "unconditional"},
        {"field": "household_size", "name": "户内人数", "data_type": "I", "is_personal": False,
         "sharing_type": "unconditional"},
        {"field": "allowance", "name": "补贴金额", "data_type": "Y", "is_personal": True,
         "sharing_type": "unconditional"},
        {"field": "registered", "name": "是否户籍人口", "data_type": "L", "is_personal": True,
         "sharing_type": "unconditional"},
        {"field": "religion", "name": "宗教信仰", "data_type": "C", "is_personal": True, "sharing_type": "none",
         "refusal_basis": "个人信息保护法第二十八条：敏感个人信息"},
    ],
}
GRANTED = ["id_number", "name", "birth_date", "household_size", "allowance", "registered"]
MAPPING = {"id_number": "sfzh", "name": "xm", "birth_date": "csrq", "household_size": "hnrs", "allowance": "btje",
           "registered": "hjbz", "religion": "zjxy"}
# Three people; the same rows in every source. The record each gives, worked by hand from the row.
ROWS = [
    ("11010519491231002X", "张三", "1949-12-31", 3, "1200.50", True, "无"),
    ("320202198001010012", "李四", "1980-01-01", 1, "0.00", False, "无"),
    ("320211199502280021", "王五", "1995-02-28", 4, "350.00", True, "无"),
]
ZHANG = {"id_number": "11010519491231002X", "name": "张三", "birth_date": "1949-12-31", "household_size": "3",
         "allowance": "1200.50", "registered": "true"}
LI = {"id_number": "320202198001010012", "name": "李四", "birth_date": "1980-01-01", "household_size": "1",
      "allowance": "0.00", "registered": "false"}
WANG = {"id_number": "320211199502280021", "name": "王五", "birth_date": "1995-02-28", "household_size": "4",
        "allowance": "350.00", "registered": "true"}

MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
CREATE = ("CREATE TABLE rk (sfzh VARCHAR(18) PRIMARY KEY, xm VARCHAR(50) NOT NULL, csrq DATE, hnrs INTEGER, "
          "btje NUMERIC(12, 2), hjbz BOOLEAN, zjxy VARCHAR(20), gxsj {ts})")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """A PostgreSQL database, a MariaDB database and an XLSX file holding ``ROWS`` (table ``rk``)."""
    base = os.environ.get("TEST_DATABASE_URL") or os.environ["DATABASE_URL"]
    name = f"egov_adapters_src_{os.getpid()}"
    admin(base, f'CREATE DATABASE "{name}"')
    pg_url = database_url(base, name)
    my_name = f"egov_adapters_{os.getpid()}"
    folder = tmp_path_factory.mktemp("sources")
    try:
        import psycopg

        with psycopg.connect(pg_url) as conn:
            conn.execute(CREATE.format(ts="TIMESTAMPTZ DEFAULT now()"))
            for row in ROWS:
                conn.execute("INSERT INTO rk VALUES (%s, %s, %s, %s, %s, %s, %s)", row)
        my = pymysql.connect(**MARIADB, autocommit=True)
        with my.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{my_name}` CHARACTER SET utf8mb4")
            cursor.execute(f"USE `{my_name}`")
            cursor.execute(CREATE.format(ts="DATETIME DEFAULT CURRENT_TIMESTAMP"))
            cursor.executemany("INSERT INTO rk VALUES (%s, %s, %s, %s, %s, %s, %s, DEFAULT)", ROWS)
        book = Workbook()
        sheet = book.active
        sheet.append(["sfzh", "xm", "csrq", "hnrs", "btje", "hjbz", "zjxy"])
        for row in ROWS:
            sheet.append(list(row))
        sheet.append(["320211200001010033", "赵六", "2000-02-30", "两", "12", "是", "无"])  # malformed
        path = folder / "rk.xlsx"
        book.save(path)
        yield {"pg": pg_url, "mysql": f"mysql://root@127.0.0.1:3306/{my_name}", "xlsx": str(path)}
    finally:
        admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        my = pymysql.connect(**MARIADB, autocommit=True)
        with my.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{my_name}`")
        my.close()


def _save_script(code: str, kind: str, connection: dict, table: str = "") -> str:
    return (
        "from egov.exchange.actions.sources import resource_source_save\n"
        "from egov.exchange.models import InformationResource\n"
        f"resource_source_save(actor=None, resource=InformationResource.objects.get(code={TYPED['code']!r}),"
        f" code={code!r}, kind={kind!r}, connection={connection!r}, table={table!r}, key_column='sfzh',"
        f" mapping={MAPPING!r})\n")


@pytest.fixture(scope="module")
def network(tmp_path_factory, sources):
    base = os.environ.get("TEST_DATABASE_URL") or os.environ["DATABASE_URL"]
    net = Network(base_url=base, folder=tmp_path_factory.mktemp("exchange"), prefix=f"egov_xa_{os.getpid()}")
    net.env["EGOV_SOURCE_FILES_DIR"] = str(Path(sources["xlsx"]).parent)
    try:
        net.create([(PROVIDER_CODE, "无锡市公安局", "police.node.egov"),
                    (CONSUMER_CODE, "无锡市行政审批局", "approval.node.egov")])
        provider = net.nodes[PROVIDER_CODE]
        grant = {"resource": TYPED["code"], "consumer_code": CONSUMER_CODE, "consumer_name": "无锡市行政审批局",
                 "fields": GRANTED, "purpose": "核验申请人身份", "legal_basis": "行政许可法第三十一条"}
        (provider.folder / "catalog.json").write_text(json.dumps({"resources": [TYPED], "grants": [grant]}),
                                                      encoding="utf-8")
        net.egov("exchange", "import", str(provider.folder / "catalog.json"), db=provider.db)
        down = f"postgresql://postgres@127.0.0.1:{_closed_port()}/nothing"
        script = (_save_script("rk-pg", "postgresql", {"url": sources["pg"]}, "rk")
                  + _save_script("rk-my", "mysql", {"url": sources["mysql"]}, "rk").split("\n", 2)[2]
                  + _save_script("rk-down", "postgresql", {"url": sources["pg"]}, "rk").split("\n", 2)[2]
                  # the database goes away after the mapping was checked: point the source at a closed port
                  + "from egov.exchange.models import ResourceSource\n"
                  + "from egov.exchange.sources_secret import secret_seal\n"
                  + "ResourceSource.objects.filter(code='rk-down')"
                  + f".update(connection=secret_seal({{'url': {down!r}}}))\n")
        net.egov("shell", "-c", script, db=provider.db)
        # the XLSX source as an operator saves it on a node: the command, the details in a file
        (provider.folder / "rk.json").write_text(json.dumps({"path": sources["xlsx"]}), encoding="utf-8")
        saved = net.egov("exchange", "source", "set", "--code", "rk-xlsx", "--resource", TYPED["code"], "--kind",
                         "xlsx", "--connection", str(provider.folder / "rk.json"), "--key-column", "sfzh",
                         *[f"--map={field}={column}" for field, column in MAPPING.items()], db=provider.db)
        assert json.loads(saved.stdout) == {"code": "rk-xlsx", "connection": "rk.xlsx"}
        services = {name: {"resource": TYPED["code"], "source": f"adapter:rk-{kind}", "key": "id_number"}
                    for name, kind in [("people_pg", "pg"), ("people_my", "my"), ("people_xlsx", "xlsx"),
                                       ("people_down", "down")]}
        net.configure(PROVIDER_CODE, services=services, grant_cache_seconds=1)
        net.configure(CONSUMER_CODE)
        net.start_platform()
        for code in net.nodes:
            net.start(code)
        yield net
    finally:
        net.stop()


@pytest.mark.parametrize("service", ["people_pg", "people_my", "people_xlsx"])
def test_a_lookup_through_the_nodes_gives_the_granted_items_converted(network, service):
    import psycopg

    def served_reads():
        with psycopg.connect(network.nodes[PROVIDER_CODE].db) as conn:
            return conn.execute("SELECT fields, \"case\" FROM audit_subjectread WHERE action = 'exchange.serve' "
                                "ORDER BY id").fetchall()

    before = len(served_reads())
    answer = network.call(CONSUMER_CODE, PROVIDER_CODE, service, {"id_number": "11010519491231002X"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["record"] == ZHANG  # religion (不予共享) never leaves
    # "Who read my data" (issue 20 item 3): the person's read is recorded on the serving node, with
    # the 信息项 given (not religion) and the case the consumer stated.
    reads = served_reads()
    assert len(reads) == before + 1
    assert [field for field, _name, _en in reads[-1][0]] == list(ZHANG)
    missing = network.call(CONSUMER_CODE, PROVIDER_CODE, service, {"id_number": "320202199001010000"})
    assert missing.status_code == 404


@pytest.mark.parametrize("service", ["people_pg", "people_my", "people_xlsx"])
def test_an_extract_pages_through_every_row_in_key_order(network, service):
    first = network.call(CONSUMER_CODE, PROVIDER_CODE, service, {"extract": {"after": None, "limit": 2}})
    assert first.status_code == 200, first.text
    assert first.json()["fields"] == GRANTED  # catalog order; religion (不予共享) is never read
    assert first.json()["rows"] == [[ZHANG[f] for f in GRANTED], [LI[f] for f in GRANTED]]
    assert first.json()["next"] == "320202198001010012"
    second = network.call(CONSUMER_CODE, PROVIDER_CODE, service,
                          {"extract": {"after": first.json()["next"], "limit": 2}}).json()
    assert second["rows"] == [[WANG[f] for f in GRANTED]]
    if service == "people_xlsx":  # 赵六's row: 2000-02-30 is no date; reported, not served
        assert second["problems"] == [{"row": "320211200001010033", "item": "birth_date", "reason": "not of type D"}]
        assert second["next"] is None
    else:
        assert second["problems"] == [] and second["next"] is None


def test_an_extract_page_asked_for_as_csv(network):
    """PostgreSQL writes the page (``SqlAdapter.extract_csv``); it travels signed and logged as it is."""
    import hashlib

    import psycopg

    from egov.exchange.envelope import envelope_parse

    first = network.call(CONSUMER_CODE, PROVIDER_CODE, "people_pg",
                         {"extract": {"after": None, "limit": 2, "format": "csv"}})
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    # Worked by hand from ROWS: religion is not granted, so not read; the full page's last line
    # carries the next cursor in _row.
    assert first.content.decode() == ("id_number,name,birth_date,household_size,allowance,registered,_row,_problem\n"
                                      "11010519491231002X,张三,1949-12-31,3,1200.50,true,,\n"
                                      "320202198001010012,李四,1980-01-01,1,0.00,false,320202198001010012,\n")
    # The page is one signed message, logged on both nodes by its envelope, digest and size, without
    # its body (log.py, "bodies"; never row by row); the request keeps its body.
    for code, direction in [(CONSUMER_CODE, "in"), (PROVIDER_CODE, "out")]:
        with psycopg.connect(network.nodes[code].db) as conn:
            body, digest, size, envelope, asked = conn.execute(
                "SELECT r.body, r.body_sha256, r.body_size, r.envelope, q.body FROM exchange_loggedmessage r "
                "JOIN exchange_loggedmessage q ON q.message_id = r.in_reply_to AND q.kind = 'request' "
                "WHERE r.kind = 'response' AND r.direction = %s ORDER BY r.seq DESC LIMIT 1", (direction,)).fetchone()
        assert body is None
        assert (digest, size) == (hashlib.sha256(first.content).hexdigest(), len(first.content))
        assert envelope_parse(envelope).claims["digest"] == digest
        assert json.loads(bytes(asked))["extract"] == {"after": None, "limit": 2, "format": "csv"}
    second = network.call(CONSUMER_CODE, PROVIDER_CODE, "people_pg",
                          {"extract": {"after": "320202198001010012", "limit": 2, "format": "csv"}})
    assert second.content.decode().splitlines()[1:] == ["320211199502280021,王五,1995-02-28,4,350.00,true,,"]
    # Other sources answer the JSON page to the same request.
    other = network.call(CONSUMER_CODE, PROVIDER_CODE, "people_my",
                         {"extract": {"after": None, "limit": 2, "format": "csv"}})
    assert other.headers["content-type"] == "application/json"
    assert other.json()["rows"] == [[ZHANG[f] for f in GRANTED], [LI[f] for f in GRANTED]]


def test_a_source_that_is_down_answers_503_naming_the_resource(network):
    answer = network.call(CONSUMER_CODE, PROVIDER_CODE, "people_down", {"id_number": "11010519491231002X"})
    assert answer.status_code == 503
    body = answer.json()
    assert body["extra"] == {"rule": "source_unavailable", "resource": "320200-GA-002"}
    assert "320200-GA-002" in body["message"]
    assert "127.0.0.1" not in answer.text and "Traceback" not in answer.text


def test_the_command_refuses_a_bad_mapping_in_one_line_with_exit_2(network):
    provider = network.nodes[PROVIDER_CODE]
    done = network.egov("exchange", "source", "set", "--code", "rk-bad", "--resource", TYPED["code"], "--kind",
                        "xlsx", "--connection", str(provider.folder / "rk.json"), "--key-column", "sfzh",
                        "--map", "birth_date=chusheng", db=provider.db, check=False)
    assert done.returncode == 2
    assert "chusheng" in done.stderr and "出生日期" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    preview = network.egov("exchange", "source", "preview", "rk-xlsx", "-n", "1", db=provider.db)
    assert json.loads(preview.stdout) == {"records": [{**ZHANG, "religion": "无"}], "problems": []}


# --- saving a source on the provider's database (the platform's or a node's) -------------------------------

@pytest.fixture
def typed(provider_org, consumer_org):
    from egov.exchange.actions import catalog_import
    from egov.exchange.models import InformationResource

    catalog_import(actor=None, data={"resources": [TYPED]})
    return InformationResource.objects.get(code=TYPED["code"])


def _save(resource, sources, *, kind="postgresql", mapping=None, actor=None, key_column="sfzh"):
    from egov.exchange.actions.sources import resource_source_save

    connection = {"url": sources["pg" if kind == "postgresql" else "mysql"]}
    return resource_source_save(actor=actor, resource=resource, code=f"rk-{kind}", kind=kind, connection=connection,
                                table="rk", key_column=key_column, mapping=MAPPING if mapping is None else mapping)


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_a_mapping_to_a_missing_column_is_refused_naming_item_and_column(typed, sources, kind):
    with pytest.raises(ValidationFailed) as caught:
        _save(typed, sources, kind=kind, mapping={**MAPPING, "name": "xingming"})
    assert caught.value.extra == {"field": "mapping", "rule": "no_such_column", "item": "name", "column": "xingming"}
    assert "姓名" in caught.value.message and "xingming" in caught.value.message


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_a_mapping_to_a_column_of_the_wrong_type_is_refused(typed, sources, kind):
    # 出生日期 is D 日期型; xm is a character column
    with pytest.raises(ValidationFailed) as caught:
        _save(typed, sources, kind=kind, mapping={**MAPPING, "birth_date": "xm"})
    assert caught.value.extra["rule"] == "wrong_type"
    assert (caught.value.extra["item"], caught.value.extra["column"], caught.value.extra["column_kind"]) == \
        ("birth_date", "xm", "string")
    # 户内人数 is I 整型; btje is NUMERIC(12, 2)
    with pytest.raises(ValidationFailed) as caught:
        _save(typed, sources, kind=kind, mapping={**MAPPING, "household_size": "btje"})
    assert caught.value.extra["column_kind"] == "decimal"


def test_a_missing_table_key_column_or_item_is_refused(typed, sources):
    from egov.exchange.actions.sources import resource_source_save
    from egov.exchange.models import ResourceSource

    with pytest.raises(ValidationFailed) as caught:
        resource_source_save(actor=None, resource=typed, code="x", kind="postgresql", connection={"url": sources["pg"]},
                             table="renkou", key_column="sfzh", mapping=MAPPING)
    assert caught.value.extra["rule"] == "no_such_table"
    with pytest.raises(ValidationFailed) as caught:
        _save(typed, sources, key_column="id")
    assert caught.value.extra == {"field": "key_column", "rule": "no_such_column", "column": "id"}
    with pytest.raises(ValidationFailed) as caught:
        _save(typed, sources, mapping={**MAPPING, "nickname": "xm"})
    assert caught.value.extra["rule"] == "no_such_item"
    assert not ResourceSource.objects.exists()


def test_saving_seals_the_connection_audits_without_it_and_only_the_provider_may(typed, sources, people):
    from egov.exchange.actions.sources import resource_source_preview
    from egov.exchange.models import ResourceSource

    # the server trusts local connections, so any password does; it must not be seen again
    with_password = {**sources, "pg": sources["pg"].replace("postgres@", "postgres:Zx9-secret@")}
    with pytest.raises(PermissionDenied):
        _save(typed, with_password, actor=people["stranger"])
    with pytest.raises(PermissionDenied):
        _save(typed, with_password, actor=people["asker"])  # the consumer's data steward
    source = _save(typed, with_password, actor=people["decider"])
    stored = ResourceSource.objects.get(pk=source.pk)
    assert "Zx9-secret" not in stored.connection and "127.0.0.1" not in stored.connection
    assert stored.connection_hint == "postgres://postgres:***@127.0.0.1:5432/" + sources["pg"].rsplit("/", 1)[1]
    event = AuditEvent.objects.get(action="exchange.resource_source.save")
    assert event.changes["connection"] == "changed"
    assert "Zx9-secret" not in json.dumps(event.changes) + event.summary
    records, problems = resource_source_preview(actor=people["decider"], source=stored, n=2)
    # the preview shows every mapped item, religion included: it is the provider's own data
    assert records == [{**ZHANG, "religion": "无"}, {**LI, "religion": "无"}] and problems == []
    assert AuditEvent.objects.get(action="exchange.resource_source.preview").changes["rows"] == 2


def test_a_file_outside_the_source_folder_is_refused(typed, settings, tmp_path):
    from egov.exchange.actions.sources import resource_source_save

    settings.EGOV_SOURCE_FILES_DIR = tmp_path / "sources"
    (tmp_path / "sources").mkdir()
    secret = tmp_path / "node.key"
    secret.write_text("sfzh,xm\n1,2\n", encoding="utf-8")
    for path in (str(secret), "../node.key"):
        with pytest.raises(ValidationFailed) as caught:
            resource_source_save(actor=None, resource=typed, code="leak", kind="csv", connection={"path": path},
                                 key_column="sfzh", mapping={"name": "xm"})
        assert caught.value.extra == {"field": "connection", "rule": "outside_folder"}


def test_a_source_down_when_saved_is_refused_with_503(typed):
    from egov.exchange.actions.sources import resource_source_save

    with pytest.raises(SourceUnavailable) as caught:
        resource_source_save(actor=None, resource=typed, code="down", kind="mysql",
                             connection={"url": f"mysql://root@127.0.0.1:{_closed_port()}/x"}, table="rk",
                             key_column="sfzh", mapping=MAPPING)
    assert caught.value.status == 503 and caught.value.extra["resource"] == "320200-GA-002"


# --- conversion (worked by hand) -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "letter", "expected"), [
    (12, "I", "12"), ("０１２", "I", "12"), (" 7 ", "I", "7"), (12.0, "I", "12"),
    ("1200.5", "Y", "1200.5"), ("1E+2", "N", "100"), (True, "L", "true"), ("否", "L", "false"), (0, "L", "false"),
    ("2026-12-06", "D", "2026-12-06"), ("2026-12-06T08:30:00+08:00", "T", "2026-12-06T08:30:00+08:00"),
    (b"\x00\x01", "G", "AAE="), ("", "C", None), (None, "I", None),
])
def test_values_are_converted_to_the_exchange_text_of_their_type(value, letter, expected):
    if expected is None and value not in ("", None):
        with pytest.raises(BadCell):
            value_convert(value, letter)
    else:
        assert value_convert(value, letter) == expected


@pytest.mark.parametrize(("value", "letter"), [("12a", "I"), (1.5, "I"), ("2026-02-30", "D"), ("maybe", "L"),
                                               ("NaN", "N"), ("2026-12-06", "T")])
def test_values_not_of_their_type_are_refused(value, letter):
    with pytest.raises(BadCell) as caught:
        value_convert(value, letter)
    assert str(value) not in str(caught.value)  # the reason never repeats the value


# --- changes (for subscriptions, issue 20 item 2) -----------------------------------------------------------

@pytest.mark.parametrize("kind", ["pg", "mysql"])
def test_changes_since_gives_rows_added_or_changed_after_the_cursor_in_order(sources, kind):
    from sqlalchemy import create_engine, text

    from egov.exchange.adapters import SqlAdapter, sql_url

    engine = create_engine(sql_url(sources[kind]))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bg (sfzh VARCHAR(18) PRIMARY KEY, xm VARCHAR(50), gxsj INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO bg VALUES ('A1', '甲', 1), ('B2', '乙', 1), ('C3', '丙', 2)"))
    try:
        adapter = SqlAdapter(resource="320200-GA-002", url=sources[kind], table="bg", key_column="sfzh",
                             change_column="gxsj")
        rows, cursor = adapter.changes_since(None, 2)
        assert [r["sfzh"] for r in rows] == ["A1", "B2"] and cursor == '[1, "B2"]'
        rows, cursor = adapter.changes_since(cursor, 2)
        assert [r["sfzh"] for r in rows] == ["C3"]
        assert adapter.changes_since(cursor, 2) == ([], cursor)  # nothing new: the same cursor
        with engine.begin() as conn:
            conn.execute(text("UPDATE bg SET xm = '甲二', gxsj = 3 WHERE sfzh = 'A1'"))
            conn.execute(text("INSERT INTO bg VALUES ('D4', '丁', 3)"))
        rows, cursor = adapter.changes_since(cursor, 10)
        assert [(r["sfzh"], r["xm"]) for r in rows] == [("A1", "甲二"), ("D4", "丁")] and cursor == '[3, "D4"]'
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE bg"))
        engine.dispose()


# --- the staff pages (Django's test client) -------------------------------------------------------------

def _form(sources, **changes) -> dict:
    data = {"code": "rk-pg", "kind": "postgresql", "location": sources["pg"].replace("postgres@", "postgres:Zx9@"),
            "table": "rk", "key_column": "sfzh", "change_column": "gxsj",
            **{f"map_{field}": column for field, column in MAPPING.items()}}
    return {**data, **changes}


def test_the_staff_page_refuses_a_bad_mapping_on_its_item_and_saves_a_good_one_with_a_preview(
        client, typed, sources, people):
    client.force_login(people["decider"])
    base = f"/staff/exchange/catalog/resources/{TYPED['code']}/sources/"
    assert client.get(f"/staff/exchange/catalog/resources/{TYPED['code']}/").content.decode().count(base) == 1
    assert client.get(base + "new/").status_code == 200
    refused = client.post(base + "new/", _form(sources, map_birth_date="xm"))
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert list(errors) == ["map_birth_date"] and "xm" in errors["map_birth_date"][0]
    assert "出生日期" in errors["map_birth_date"][0]
    missing = client.post(base + "new/", _form(sources, key_column="id"))
    assert missing.status_code == 400 and list(missing.context["form"].errors) == ["key_column"]
    saved = client.post(base + "new/", _form(sources))
    assert saved.status_code == 302 and saved["Location"] == base + "?preview=rk-pg"
    page = client.get(saved["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "1949-12-31" in html and "张三" in html and "1200.50" in html  # the first rows, converted
    shown = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", html)  # a random token may hold "Zx9"
    assert "Zx9" not in shown and "postgres:***@127.0.0.1:5432" in html
    previews = AuditEvent.objects.filter(action="exchange.resource_source.preview", actor_id=people["decider"].pk)
    assert previews.count() == 1
    # changing it without giving the connection again keeps the stored one
    changed = client.post(base + "rk-pg/edit/", _form(sources, location="", map_religion=""))
    assert changed.status_code == 302
    from egov.exchange.models import ResourceSource

    assert "religion" not in ResourceSource.objects.get(code="rk-pg").mapping


def test_only_the_providers_data_stewards_and_operators_see_the_sources(client, typed, sources, people):
    base = f"/staff/exchange/catalog/resources/{TYPED['code']}/sources/"
    for who in ("stranger", "asker", "clerk"):
        client.force_login(people[who])
        assert client.get(base).status_code == 403
        assert client.post(base + "new/", _form(sources)).status_code == 403
        assert base not in client.get(f"/staff/exchange/catalog/resources/{TYPED['code']}/").content.decode()


# --- an HTTP JSON API (a real server on loopback) ---------------------------------------------------------

def test_an_http_json_source_is_looked_up_paged_and_503_when_down():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    from egov.exchange.adapters import HttpAdapter

    people = [{"sfzh": row[0], "xm": row[1]} for row in ROWS]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            if "sfzh" in query:
                found = [p for p in people if p["sfzh"] == query["sfzh"]]
                status, body = (200, found[0]) if found else (404, {"message": "none"})
            else:
                after, limit = query.get("after", ""), int(query["limit"])
                page = [p for p in people if p["sfzh"] > after][:limit]
                status, body = 200, {"records": page, "next": page[-1]["sfzh"] if len(page) == limit else None}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/people"
    try:
        adapter = HttpAdapter(resource="320200-GA-002", url=url, key_column="sfzh")
        assert [c.name for c in adapter.columns()] == ["sfzh", "xm"]
        assert adapter.lookup("320202198001010012") == {"sfzh": "320202198001010012", "xm": "李四"}
        assert adapter.lookup("000") is None
        rows, cursor = adapter.extract(None, 2)
        assert [r["xm"] for r in rows] == ["张三", "李四"] and cursor == "320202198001010012"
        assert adapter.extract(cursor, 2) == ([people[2]], None)
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(SourceUnavailable) as caught:
        adapter.lookup("320202198001010012")
    assert caught.value.extra == {"rule": "source_unavailable", "resource": "320200-GA-002"}


def test_a_sources_change_column_feeds_a_nodes_poller_once_per_change(typed, sources):
    # Issue 20 items 1 and 2 together: a poller named ``adapter:<code>`` reads the source's change
    # column; every row once, then only what changed after, each as the record of its 信息项.
    import psycopg

    from egov.exchange.actions.sources import resource_source_save
    from egov.exchange.actions.subscriptions import changes_poll
    from egov.exchange.models import ChangeEvent
    from egov.exchange.sources import change_source_get

    resource_source_save(actor=None, resource=typed, code="rk-changes", kind="postgresql",
                         connection={"url": sources["pg"]}, table="rk", key_column="sfzh", mapping=MAPPING,
                         change_column="gxsj")
    source = change_source_get("adapter:rk-changes")
    try:
        assert changes_poll(name="rk", resource=typed, source=source) == 3
        assert changes_poll(name="rk", resource=typed, source=source) == 0  # nothing new: nothing twice
        with psycopg.connect(sources["pg"], autocommit=True) as conn:
            conn.execute("INSERT INTO rk VALUES ('320213200001010018', '赵七', '2000-01-01', 2, '10.00', true, '无', "
                         "now() + interval '1 hour')")
            conn.execute("UPDATE rk SET xm = '李四四', gxsj = now() + interval '2 hours' "
                         "WHERE sfzh = '320202198001010012'")
        assert changes_poll(name="rk", resource=typed, source=source) == 2
        events = list(ChangeEvent.objects.filter(resource=typed).order_by("seq"))
        assert [(e.seq, e.operation, e.record_key) for e in events] == [
            (1, "changed", "11010519491231002X"), (2, "changed", "320202198001010012"),
            (3, "changed", "320211199502280021"), (4, "changed", "320213200001010018"),
            (5, "changed", "320202198001010012")]
        assert {k: events[3].row[k] for k in ("id_number", "name", "birth_date", "household_size")} == {
            "id_number": "320213200001010018", "name": "赵七", "birth_date": "2000-01-01", "household_size": "2"}
        assert events[4].row["name"] == "李四四" and events[1].row["name"] == "李四"
    finally:
        with psycopg.connect(sources["pg"], autocommit=True) as conn:
            conn.execute("DELETE FROM rk WHERE sfzh = '320213200001010018'")
            conn.execute("UPDATE rk SET xm = '李四' WHERE sfzh = '320202198001010012'")
