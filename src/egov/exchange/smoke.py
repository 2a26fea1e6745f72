"""The exchange as ``egov smoke`` runs it: two nodes as real processes, one signed lookup, one
change delivered to a subscriber, the provider's log archived and proven offline.

The smoke's own database is the platform: the resource is published and granted there
(``resource_publish``, ``grant_create``), the nodes' certificates are issued there from their
CSRs (``egov node enroll``), and the platform's OCSP responder and TSA answer over HTTP from a
thread of the smoke process. Each node is ``egov node serve`` with its own SQLite database in the
smoke's folder (the schema copied from the platform's migrated database: migrating twice more
would take longer than the rest of the step). The provider's catalog is loaded and its log
archived by the same actions as ``egov exchange import`` and ``egov exchange archive``, run in
this process on the node's database (``_node_database``): each command would start Django once
more. Every wait is bounded; the nodes are stopped by their process groups.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import httpx
from cryptography import x509
from django.conf import settings
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.db import connection

from egov.exchange.actions import catalog_import, grant_create, resource_publish
from egov.exchange.archive import archive_export, archive_verify

EGOV = [sys.executable, "-m", "egov.cli"]
PROVIDER = ("11320200MB0000007D", "无锡市公安局", "police.node.egov")  # demo city USCCs
CONSUMER = ("11320200MB00000259", "无锡市行政审批局", "approval.node.egov")
RESOURCE = {
    "code": "320200-GA-SMOKE", "name": "人口基本信息（冒烟测试）", "classification": "1-01-001", "catalog": "basic",
    "provider_code": PROVIDER[0], "provider_name": PROVIDER[1], "format": "database", "update_cycle": "daily",
    "published_on": "2026-12-01",
    "items": [{"field": "id_number", "name": "公民身份号码", "data_type": "C", "sharing_type": "unconditional"},
              {"field": "name", "name": "姓名", "data_type": "C", "sharing_type": "unconditional"},
              {"field": "address", "name": "住址", "data_type": "C", "sharing_type": "conditional",
               "sharing_condition": "户籍事项"}],
}
GRANT = {"resource": RESOURCE["code"], "consumer_code": CONSUMER[0], "consumer_name": CONSUMER[1],
         "fields": ["id_number", "name"], "purpose": "核验申请人身份",
         "legal_basis": "《中华人民共和国行政许可法》第三十一条"}
PERSON = {"id_number": "320213199003074514", "name": "张𠮷明", "address": "梁溪区人民中路1号"}
SUBSCRIPTION = {"resource": RESOURCE["code"], "consumer_code": CONSUMER[0], "consumer_name": CONSUMER[1],
                "purpose": "同步申请人身份信息", "legal_basis": GRANT["legal_basis"]}
MOVED = {"id_number": PERSON["id_number"], "name": PERSON["name"], "address": "滨湖区太湖大道2号"}
WAIT_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} after {WAIT_SECONDS} s")
        time.sleep(0.1)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # the nodes' OCSP and TSA calls are not news
        pass


def _platform_start() -> tuple[ThreadedWSGIServer, str]:
    """Serve this process's Django (the platform: /trust/ocsp, /trust/tsa) on a free loopback port."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, name="smoke-platform", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _schema_copy(source: Path, target: Path) -> None:
    """An empty database with ``source``'s tables and indexes and its record of applied migrations."""
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        new.execute("PRAGMA journal_mode=WAL")  # before two node processes open it (settings.py sets it too)
        objects = old.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                              "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid").fetchall()
        # A virtual table (Wagtail's FTS5 search index) creates its own shadow tables (<name>_data…):
        # they are not copied, the virtual table's CREATE makes them.
        virtual = [name for name, _table, sql in objects if sql.upper().startswith("CREATE VIRTUAL TABLE")]
        for _name, table, sql in objects:
            if any(table != vt and table.startswith(vt + "_") for vt in virtual):
                continue
            new.execute(sql)
        new.executemany("INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, ?)",
                        old.execute("SELECT app, name, applied FROM django_migrations").fetchall())


@contextmanager
def _node_database(path: Path) -> Iterator[None]:
    """Point this thread's default connection at a node's SQLite file for a while. Only this
    thread's connection changes (the platform's server threads open their own from the settings)."""
    saved = connection.settings_dict
    connection.close()
    connection.settings_dict = {**saved, "NAME": str(path)}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict = saved


def _count(database: Path, sql: str) -> int:
    with sqlite3.connect(database, timeout=20) as conn:
        return conn.execute(sql).fetchone()[0]


class _Node:
    def __init__(self, folder: Path, code: str, host: str):
        self.folder, self.code, self.host = folder, code, host
        self.database = folder / "node.sqlite3"
        self.port, self.local_port = _free_port(), _free_port()
        self.process: subprocess.Popen | None = None
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.database}", "EGOV_VAR_DIR": str(folder)}

    def configure(self, *, platform_url: str, peers: list["_Node"], services: str = "") -> None:
        lines = [f'org = "{self.code}"', f'host = "{self.host}"', 'key_file = "node.key"', 'cert_file = "node.pem"',
                 'root_file = "root.pem"', f'platform_url = "{platform_url}"',
                 f'database_url = "sqlite:///{self.database}"', "tsa_interval = 0.3", "tsa_batch_size = 1000",
                 "ocsp_fresh = 60", "ocsp_timeout = 30", "subscription_interval = 0.2", "backoff_base = 0.2",
                 "backoff_cap = 2"]  # a loaded machine: OCSP may be slow, a failed delivery is tried again soon
        for peer in peers:
            lines += [f"[peers.{peer.code}]", f'url = "https://127.0.0.1:{peer.port}"', f'host = "{peer.host}"']
        (self.folder / "node.toml").write_text("\n".join(lines) + "\n" + services, encoding="utf-8")

    def start(self, *, local: bool) -> None:
        argv = [*EGOV, "node", "serve", "--config", str(self.folder / "node.toml"), "--org", self.code,
                "--port", str(self.port), "--workers", "1", "--threads", "4"]
        if local:
            argv += ["--local-port", str(self.local_port)]
        log = (self.folder / "node.log").open("ab")
        self.process = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                        start_new_session=True)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def exchange_smoke(out_dir: Path, *, expect: Callable[[bool, str], None]) -> dict:
    """Publish, grant, enrol two nodes, fetch a record through them, archive and verify the log.

    Args:
        out_dir: the smoke's folder (the nodes' folders, databases and the archive go in ``exchange/``).
        expect: ``expect(condition, message)`` raises the smoke's failure when ``condition`` is false.

    The consumer also subscribes to the resource: a change pushed to the provider's node is
    delivered by its dispatcher to the consumer's copy, granted items only.

    Returns:
        ``{"resource", "granted", "fields_received", "provider_log_rows", "consumer_log_rows",
        "timestamp_tokens", "archive", "archive_rows", "archive_valid", "subscription":
        {"delivered", "dead", "received"}}``.
    """
    resource = resource_publish(actor=None, data=RESOURCE)
    grant_create(actor=None, resource=resource, consumer_code=GRANT["consumer_code"],
                 consumer_name=GRANT["consumer_name"], fields=GRANT["fields"], purpose=GRANT["purpose"],
                 legal_basis=GRANT["legal_basis"])
    folder = out_dir / "exchange"
    provider = _Node(folder / "provider", PROVIDER[0], PROVIDER[2])
    consumer = _Node(folder / "consumer", CONSUMER[0], CONSUMER[2])
    platform_db = Path(settings.DATABASES["default"]["NAME"])
    expect(connection.vendor == "sqlite", "the smoke runs on SQLite")
    for node in (provider, consumer):
        call_command("node", "keygen", "--dir", str(node.folder), "--host", node.host, stdout=StringIO())
        call_command("node", "enroll", "--org", node.code, "--csr", str(node.folder / "node.csr"),
                     "--out", str(node.folder), stdout=StringIO())
        _schema_copy(platform_db, node.database)
    (provider.folder / "people.csv").write_text(
        "id_number,name,address\n" + ",".join(PERSON.values()) + "\n", encoding="utf-8")
    server, platform_url = _platform_start()
    try:
        provider.configure(platform_url=platform_url, peers=[consumer], services=(
            f'[services.person]\nresource = "{RESOURCE["code"]}"\ncsv = "people.csv"\nkey = "id_number"\n'))
        consumer.configure(platform_url=platform_url, peers=[provider])
        provider.start(local=True)
        consumer.start(local=True)
        with _node_database(provider.database):  # while the nodes start: the provider's catalog
            catalog_import(actor=None, data={"resources": [RESOURCE], "grants": [GRANT],
                                             "subscriptions": [SUBSCRIPTION]})
        _wait(lambda: _listening(provider.port) and _listening(provider.local_port) and _listening(consumer.port)
              and _listening(consumer.local_port), "the nodes do not listen")
        answer = httpx.post(f"http://127.0.0.1:{consumer.local_port}/exchange/v1/outbound/{provider.code}/person",
                            json={"purpose": {"case": "SP2026120400001", "basis": GRANT["legal_basis"]},
                                  "query": {"id_number": PERSON["id_number"]}}, timeout=WAIT_SECONDS)
        expect(answer.status_code == 200, f"the lookup through two nodes answers 200 ({answer.text[:200]})")
        record = answer.json()["record"]
        expect(record == {"id_number": PERSON["id_number"], "name": PERSON["name"]},
               "only the granted items come back (住址 is not granted)")
        # The person moved: the provider's system pushes the change; its dispatcher delivers it.
        pushed = httpx.post(f"http://127.0.0.1:{provider.local_port}/exchange/v1/changes/{RESOURCE['code']}",
                            json={"changes": [{"op": "changed", "key": PERSON["id_number"], "row": MOVED}]},
                            timeout=WAIT_SECONDS)
        expect(pushed.status_code == 201, f"the provider's change is accepted ({pushed.text[:200]})")
        delivered = "SELECT count(*) FROM exchange_delivery WHERE state = 'delivered'"
        try:
            _wait(lambda: _count(provider.database, delivered) == 1, "the change is not delivered")
        except TimeoutError:
            with sqlite3.connect(provider.database, timeout=20) as conn:
                error = conn.execute("SELECT last_error FROM exchange_subscription").fetchone()
            expect(False, f"the change is delivered to the subscriber (last error: {error})")
        applied = _count(consumer.database, "SELECT count(*) FROM exchange_subscribedrecord WHERE "
                                            "data NOT LIKE '%address%'")
        expect(applied == 1, "the subscriber's copy holds the change without the item not granted (住址)")
        untimestamped = "SELECT count(*) FROM exchange_loggedmessage WHERE batch_id IS NULL"
        _wait(lambda: _count(provider.database, untimestamped) == 0, "the provider's log is not timestamped")
    finally:
        for node in (provider, consumer):
            node.stop()
        server.shutdown()
        server.server_close()
    with _node_database(provider.database):
        archived = archive_export(node_code=provider.code, folder=folder)
    expect(archived is not None, "the provider's log is archived")
    archive = folder / archived.name
    root = x509.load_pem_x509_certificate((provider.folder / "root.pem").read_bytes())
    report = archive_verify(path=archive, root=root)
    expect(report.valid, f"the archive proves its messages offline ({report.problems[:3]})")
    return {
        "resource": resource.code, "granted": sorted(GRANT["fields"]), "fields_received": sorted(record),
        "provider_log_rows": _count(provider.database, "SELECT count(*) FROM exchange_loggedmessage"),
        "consumer_log_rows": _count(consumer.database, "SELECT count(*) FROM exchange_loggedmessage"),
        "timestamp_tokens": _count(provider.database, "SELECT count(*) FROM exchange_timestampbatch"),
        "archive": archive.name, "archive_rows": report.rows, "archive_valid": report.valid,
        "subscription": {"delivered": _count(provider.database, delivered),
                         "dead": _count(provider.database,
                                        "SELECT count(*) FROM exchange_delivery WHERE state = 'dead'"),
                         "received": _count(consumer.database, "SELECT count(*) FROM exchange_receivedevent")},
    }
