"""Real exchange nodes for tests: a platform (CA, OCSP, TSA) and nodes, each a separate process
with its own PostgreSQL database, on 127.0.0.1 only. Every wait is bounded; ``stop`` ends what
was started, by process group.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

EGOV = [sys.executable, "-m", "egov.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def admin(base: str, sql: str) -> None:
    with psycopg.connect(database_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def query(url: str, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


@dataclass
class Node:
    code: str
    name: str
    host: str
    folder: Path
    db: str
    port: int = field(default_factory=free_port)
    local_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def local(self) -> str:
        return f"http://127.0.0.1:{self.local_port}"


class Network:
    """A platform and nodes in ``folder``, databases named ``<prefix>_…`` on the server of ``base_url``."""

    def __init__(self, *, base_url: str, folder: Path, prefix: str):
        self.base_url, self.folder, self.prefix = base_url, folder, prefix
        self.env = {**os.environ, "EGOV_ENV": "test", "EGOV_VAR_DIR": str(folder / "var"), "LOG_LEVEL": "WARNING"}
        self.databases: list[str] = []
        self.platform_db = self._db("platform")
        self.platform_port = free_port()
        self.platform: subprocess.Popen | None = None
        self.nodes: dict[str, Node] = {}

    def _db(self, name: str) -> str:
        full = f"{self.prefix}_{name}"
        self.databases.append(full)
        return database_url(self.base_url, full)

    def egov(self, *args: str, db: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([*EGOV, *args], env={**self.env, "DATABASE_URL": db}, capture_output=True, text=True,
                              timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"egov {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done

    def create(self, nodes: list[tuple[str, str, str]]) -> None:
        """Make the databases (one migrated template, copied), the CA, the organizations and the
        nodes' keys and certificates. ``nodes``: ``(code, name, host)``."""
        template = f"{self.prefix}_template"
        admin(self.base_url, f'CREATE DATABASE "{template}"')
        self.databases.append(template)
        self.egov("migrate", "-v0", db=database_url(self.base_url, template), timeout=900)
        for name in ["platform", *[code for code, _n, _h in nodes]]:
            admin(self.base_url, f'CREATE DATABASE "{self.prefix}_{name}" TEMPLATE "{template}"')
        orgs = [{"code": c, "name": n} for c, n, _h in nodes]
        script = (
            "from egov.trust.actions import ca_init\n"
            "from egov.orgs.actions import organization_create\n"
            "ca_init(actor=None)\n"
            f"for o in {orgs!r}:\n"
            "    organization_create(actor=None, name=o['name'], kind='department', division_code='320200',"
            " uscc=o['code'])\n"
        )
        self.egov("shell", "-c", script, db=self.platform_db)
        for code, name, host in nodes:
            folder = self.folder / code
            node = Node(code=code, name=name, host=host, folder=folder, db=self._db(code))
            self.egov("node", "keygen", "--dir", str(folder), "--host", host, db=node.db)
            self.egov("node", "enroll", "--org", code, "--csr", str(folder / "node.csr"), "--out", str(folder),
                      db=self.platform_db)
            self.nodes[code] = node

    def configure(self, code: str, *, services: dict | None = None, **settings) -> None:
        node = self.nodes[code]
        # A platform answering OCSP on a loaded two-core machine can take more than the default 5 s.
        settings = {"ocsp_timeout": 30, **settings}
        lines = [f'org = "{code}"', f'host = "{node.host}"', 'key_file = "node.key"', 'cert_file = "node.pem"',
                 'root_file = "root.pem"', f'platform_url = "http://127.0.0.1:{self.platform_port}"',
                 f'database_url = "{node.db}"']
        lines += [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
        for other in self.nodes.values():
            if other.code != code:
                lines += [f'[peers.{other.code}]', f'url = "https://127.0.0.1:{other.port}"',
                          f'host = "{other.host}"']
        for name, spec in (services or {}).items():
            lines += [f"[services.{name}]", *[f"{k} = {json.dumps(v)}" for k, v in spec.items()]]
        (node.folder / "node.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def start_platform(self) -> None:
        self.platform = subprocess.Popen(
            [*EGOV, "serve", "--port", str(self.platform_port), "--workers", "1", "--threads", "4"],
            env={**self.env, "DATABASE_URL": self.platform_db,
                 "EGOV_PUBLIC_URL": f"http://127.0.0.1:{self.platform_port}"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_port(self.platform_port)

    def stop_platform(self) -> None:
        _stop(self.platform)
        self.platform = None

    def start(self, code: str, *, workers: int = 1, threads: int = 4) -> None:
        node = self.nodes[code]
        node.process = subprocess.Popen(
            [*EGOV, "node", "serve", "--config", str(node.folder / "node.toml"), "--org", code,
             "--port", str(node.port), "--local-port", str(node.local_port), "--workers", str(workers),
             "--threads", str(threads)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=(node.folder / "node.log").open("ab"),
            start_new_session=True)
        wait_port(node.port)
        wait_port(node.local_port)

    def kill(self, code: str) -> None:
        """SIGKILL the node's whole process group: no chance to finish anything."""
        node = self.nodes[code]
        os.killpg(node.process.pid, signal.SIGKILL)
        node.process.wait(timeout=10)
        node.process = None

    def call(self, consumer: str, provider: str, service: str, query: dict, *, timeout: float = 20) -> httpx.Response:
        """Ask ``provider`` through ``consumer``'s node, as one of the consumer's systems would."""
        return httpx.post(f"{self.nodes[consumer].local}/exchange/v1/outbound/{provider}/{service}",
                          json={"purpose": {"case": "SP2026120400001", "basis": "《行政许可法》第三十一条"},
                                "query": query}, timeout=timeout)

    def peer_client(self, code: str | None) -> httpx.Client:
        """A mutual-TLS client holding ``code``'s node certificate (None: no client certificate)."""
        import ssl

        any_node = next(iter(self.nodes.values()))
        context = ssl.create_default_context(cafile=str(any_node.folder / "root.pem"))
        if code is not None:
            folder = self.nodes[code].folder
            context.load_cert_chain(str(folder / "node.pem"), str(folder / "node.key"))
        return httpx.Client(verify=context, timeout=10)

    def stop(self) -> None:
        for node in self.nodes.values():
            _stop(node.process)
            node.process = None
        self.stop_platform()
        for name in reversed(self.databases):
            admin(self.base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
