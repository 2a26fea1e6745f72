"""The production layout on one machine, for testing (issue 22 item 1): every process of a city's
deployment, from Debian's packages, on loopback, under one directory.

    .venv/bin/python deploy/local/layout.py up [--dir DIR] [--base-port P] [--demo-data]
    .venv/bin/python deploy/local/layout.py status [--dir DIR]
    .venv/bin/python deploy/local/layout.py down [--dir DIR]

(``deploy/local/up``, ``status`` and ``down`` are the same.) ``up`` writes the configuration files
of ``deploy/`` (filled in with ports and paths) into DIR (default: a new ``/tmp/egov-layout-*``),
starts a supervisor in the background and returns once everything answers, printing one JSON line
(the directory, the addresses). The supervisor starts, in order: etcd; two Patroni nodes (each runs
its PostgreSQL 15: a primary and a synchronous streaming replica); HAProxy (to the Patroni leader,
checked by ``GET /primary``); PgBouncer (in front of HAProxy); then creates the ``egov`` role and
database, migrates (and with ``--demo-data`` loads the demo city); then two ``egov serve`` (EGOV_SITE
public and staff), ``egov intake work``, ``egov worker`` (Celery on the machine's RabbitMQ,
``amqp://guest:guest@127.0.0.1:5672//``, a queue of this layout's own), nginx (TLS with a
certificate made at start; one server block per site) and Prometheus (scraping the staff site's
``/metrics`` with ``deploy/prometheus/alerts.yml``). Like systemd's ``Restart=always``, it starts
again a process that exits (an intake worker whose database connection broke, a Patroni agent).
``down`` stops everything (reverse order; SIGTERM, then SIGKILL after 20 s) and removes nothing:
the logs stay in DIR. ``status`` prints one JSON line: each process alive or not, each Patroni
node's role.

Ports, from ``--base-port`` P (default 18400): etcd P, P+1 (peer); Patroni REST P+2, P+3;
PostgreSQL P+4, P+5; HAProxy P+6 (stats P+7); PgBouncer P+8; egov public P+9, staff P+10; nginx
public https P+11, staff https P+12; Prometheus P+13.

Run as root, the database tier (Patroni/PostgreSQL, PgBouncer, etcd, HAProxy, nginx, Prometheus:
PostgreSQL and PgBouncer refuse root) runs as the ``postgres`` user and the egov processes as root;
otherwise everything runs as the caller. Exit status 2 with one line when a Debian package is
missing (``missing_programs`` says which).
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
EGOV = str(Path(sys.executable).parent / "egov")
# Debian's PostgreSQL server programs: the newest version installed (15 on bookworm).
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]),
             default=Path("/usr/lib/postgresql/15/bin/postgres")).parent
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"
# The intake worker's niceness (egov intake work --nice): the staff side's work yields the cores to the public site's.
INTAKE_NICE = 10
PROGRAMS = {"etcd": "/usr/bin/etcd", "patroni": "/usr/bin/patroni", "haproxy": "/usr/sbin/haproxy",
            "pgbouncer": "/usr/sbin/pgbouncer", "nginx": "/usr/sbin/nginx", "postgres": str(PG_BIN / "postgres"),
            "openssl": "/usr/bin/openssl"}
OPTIONAL = {"prometheus": "/usr/bin/prometheus", "pgbackrest": "/usr/bin/pgbackrest"}
PORTS = {"etcd": 0, "etcd_peer": 1, "rest1": 2, "rest2": 3, "pg1": 4, "pg2": 5, "haproxy": 6, "haproxy_stats": 7,
         "pgbouncer": 8, "public": 9, "staff": 10, "public_tls": 11, "staff_tls": 12, "prometheus": 13}
STOP_SECONDS = 20
# How long the processes started side by side (two ``egov serve``, the workers, nginx, Prometheus) may
# take to answer. gunicorn's workers import Django on their first request: 45 s at a load average of 15
# on 2 cores in the restore drill (docs/operations.md), 62 s once here (tester22), so 60 s was too short.
SIDE_BY_SIDE_READY_SECONDS = 300


def missing_programs() -> list[str]:
    """The Debian programs the layout needs and this machine lacks (names of ``PROGRAMS``)."""
    return [name for name, path in PROGRAMS.items() if not Path(path).exists()]


def service_user() -> str | None:
    """The user the database tier runs as: ``postgres`` when we are root, else None (the caller)."""
    return "postgres" if os.geteuid() == 0 else None


class BracedTemplate(string.Template):
    """Only ``${name}`` is a placeholder: nginx's own ``$host`` and ``$request_id`` stay as they are."""

    pattern = r"\$(?:\{(?P<braced>[a-z_0-9]+)\}|(?P<escaped>\$\$)|(?P<named>(?!))|(?P<invalid>(?!)))"


def render(template: str, target: Path, **values) -> Path:
    """Fill ``deploy/<template>``'s ``${name}`` placeholders with ``values`` into ``target``
    (KeyError names a placeholder without a value)."""
    text = BracedTemplate((DEPLOY / template).read_text()).substitute({k: str(v) for k, v in values.items()})
    target.write_text(text)
    return target


def http_status(url: str, timeout: float = 2) -> int:
    """The HTTP status of ``GET url`` (0 when nothing answers). Certificates are not checked: the
    layout's own is self-signed."""
    import ssl

    context = ssl._create_unverified_context()  # noqa: S323 - our own self-signed certificate
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, ValueError):
        return 0


def http_json(url: str) -> dict:
    """``GET url`` as JSON ({} when nothing answers or the body is not JSON)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        try:
            return json.loads(error.read())
        except ValueError:
            return {}
    except (OSError, ValueError):
        return {}


def wait_until(predicate, seconds: float, what: str) -> None:
    """Poll ``predicate`` every 0.2 s; RuntimeError naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what}: not within {seconds:.0f} s")


class Layout:
    """The files and processes of one layout under ``directory`` (ports from ``base_port``)."""

    def __init__(self, directory: Path, base_port: int | None = None):
        self.dir = directory
        settings_file = directory / "layout.json"
        if settings_file.exists():
            self.settings = json.loads(settings_file.read_text())
        else:
            self.settings = {"base_port": base_port or 18400, "secret_key": secrets.token_urlsafe(48),
                             "superuser_password": secrets.token_hex(16), "replication_password": secrets.token_hex(16),
                             "egov_password": secrets.token_hex(16), "queue": f"egov-layout-{secrets.token_hex(4)}"}
        base = self.settings["base_port"]
        self.port = {name: base + offset for name, offset in PORTS.items()}
        self.user = service_user()
        self.pgbackrest = Path(OPTIONAL["pgbackrest"]).exists()
        self.processes: dict[str, subprocess.Popen] = {}
        self.specs: dict[str, dict] = {}
        self.stopping = False

    # -- addresses ---------------------------------------------------------------------------------
    @property
    def database_url(self) -> str:
        """The egov processes' database: PgBouncer (which reaches the primary through HAProxy)."""
        return f"postgres://egov:{self.settings['egov_password']}@127.0.0.1:{self.port['pgbouncer']}/egov"

    def superuser_url(self, database: str = "postgres") -> str:
        """The superuser through HAProxy (the leader, whichever node it is)."""
        return f"postgres://postgres:{self.settings['superuser_password']}@127.0.0.1:{self.port['haproxy']}/{database}"

    def egov_env(self, site: str = "all") -> dict:
        """The environment of the egov processes (production settings, docs/operations.md)."""
        env = {**os.environ, "EGOV_ENV": "production", "EGOV_SITE": site, "SECRET_KEY": self.settings["secret_key"],
               "DATABASE_URL": self.database_url, "ALLOWED_HOSTS": "127.0.0.1,localhost",
               "EGOV_TRUSTED_PROXIES": "127.0.0.1/32", "CELERY_BROKER_URL": RABBITMQ,
               "EGOV_TASK_QUEUE": self.settings["queue"], "CELERY_TASK_ALWAYS_EAGER": "0",
               "EGOV_VAR_DIR": str(self.dir / "var"), "EGOV_CACHE_URL": f"file://{self.dir / 'var' / 'cache'}",
               "EGOV_PUBLIC_URL": f"https://127.0.0.1:{self.port['public_tls']}", "LOG_FORMAT": "json",
               "PYTHONUNBUFFERED": "1", **self.backup_env()}
        for name in ("EGOV_CA_PASSPHRASE", "PROMETHEUS_MULTIPROC_DIR", "TEST_DATABASE_URL", "DEBUG"):
            env.pop(name, None)
        return env

    def addresses(self) -> dict:
        """What ``up`` prints: where each part answers."""
        return {"dir": str(self.dir), "public": f"https://127.0.0.1:{self.port['public_tls']}/",
                "staff": f"https://127.0.0.1:{self.port['staff_tls']}/",
                "public_direct": f"http://127.0.0.1:{self.port['public']}/",
                "staff_direct": f"http://127.0.0.1:{self.port['staff']}/",
                "database_url": self.database_url, "haproxy": f"127.0.0.1:{self.port['haproxy']}",
                "patroni": [f"http://127.0.0.1:{self.port['rest1']}", f"http://127.0.0.1:{self.port['rest2']}"],
                "prometheus": f"http://127.0.0.1:{self.port['prometheus']}/", "queue": self.settings["queue"],
                "backup_env": self.backup_env()}

    def pgbackrest_conf(self) -> str:
        """pgBackRest's configuration for this layout (``deploy/pgbackrest/pgbackrest.conf`` is the
        model): ``repo1`` and ``repo2`` (standing for the off-site centre) under ``DIR/backup``, both
        Patroni nodes as ``pg1``/``pg2`` (pgBackRest backs up whichever is the primary)."""
        backup = self.dir / "backup"
        nodes = "".join(f"pg{n}-path={self.dir / f'node{n}' / 'data'}\npg{n}-port={self.port[f'pg{n}']}\n"
                        f"pg{n}-socket-path={self.dir / f'node{n}'}\n" for n in (1, 2))
        return (f"[global]\nrepo1-path={backup / 'repo1'}\nrepo1-retention-full=2\nrepo2-path={backup / 'repo2'}\n"
                f"repo2-retention-full=2\nlog-path={backup / 'log'}\nlock-path={backup / 'lock'}\n"
                f"spool-path={backup / 'spool'}\nstart-fast=y\ncompress-type=zst\nlog-level-console=warn\n"
                f"archive-timeout=30\n\n[egov]\n{nodes}")

    def backup_env(self) -> dict:
        """``EGOV_PGBACKREST_*`` for ``egov ops backup`` and ``egov ops restore-drill`` on this layout
        (empty without pgBackRest)."""
        if not self.pgbackrest:
            return {}
        env = {"EGOV_PGBACKREST_CONFIG": str(self.dir / "run" / "pgbackrest.conf"), "EGOV_PGBACKREST_STANZA": "egov",
               "EGOV_PG_BINDIR": str(PG_BIN)}
        if self.user:
            env |= {"EGOV_PGBACKREST_COMMAND": f"runuser -u {self.user} -- pgbackrest", "EGOV_PG_USER": self.user}
        return env

    # -- files -------------------------------------------------------------------------------------
    def _own(self, path: Path) -> None:
        if self.user:
            shutil.chown(path, self.user, self.user)

    def write_files(self) -> None:
        """The configuration of every part, from ``deploy/``, and the TLS certificate."""
        run = self.dir / "run"
        for path in (self.dir, run, self.dir / "etcd", self.dir / "node1", self.dir / "node2", self.dir / "prometheus",
                     self.dir / "var"):
            path.mkdir(mode=0o700 if path.name.startswith("node") else 0o755, parents=True, exist_ok=True)
        (self.dir / "layout.json").write_text(json.dumps(self.settings))
        (self.dir / "layout.json").chmod(0o600)
        self.dir.chmod(0o755)
        render("etcd/etcd.conf.yml", run / "etcd.conf.yml", name="etcd1", data_dir=self.dir / "etcd" / "data",
               client_port=self.port["etcd"], peer_port=self.port["etcd_peer"],
               cluster_token=f"egov-{self.settings['queue']}")
        backup = self.dir / "backup"
        if self.pgbackrest:
            for path in (backup, backup / "repo1", backup / "repo2", backup / "log", backup / "lock",
                         backup / "spool"):
                path.mkdir(parents=True, exist_ok=True)
                self._own(path)
            (run / "pgbackrest.conf").write_text(self.pgbackrest_conf())
        for n in (1, 2):
            node = self.dir / f"node{n}"
            # pgBackRest refuses to archive from a directory that is not its pg1-path: each node its own
            archive_command = (f"{OPTIONAL['pgbackrest']} --config={run / 'pgbackrest.conf'} --stanza=egov "
                               f"--pg1-path={node / 'data'} archive-push %p" if self.pgbackrest
                               else "/bin/true")  # no pgBackRest: WAL is not kept (no backups here)
            render("patroni/patroni.yml", node / "patroni.yml", scope=f"egov-{self.settings['queue']}", name=f"node{n}",
                   rest_port=self.port[f"rest{n}"], archive_command=archive_command, etcd_port=self.port["etcd"],
                   pg_port=self.port[f"pg{n}"],
                   data_dir=node / "data", bin_dir=PG_BIN, node_dir=node, replication_user="replicator",
                   superuser_password=self.settings["superuser_password"],
                   replication_password=self.settings["replication_password"])
        servers = "\n".join(f"    server node{n} 127.0.0.1:{self.port[f'pg{n}']} check port {self.port[f'rest{n}']}"
                            for n in (1, 2))
        render("haproxy/haproxy.cfg", run / "haproxy.cfg", run_dir=run, port=self.port["haproxy"],
               stats_port=self.port["haproxy_stats"], servers=servers)
        render("pgbouncer/pgbouncer.ini", run / "pgbouncer.ini", run_dir=run, port=self.port["pgbouncer"],
               haproxy_port=self.port["haproxy"], database="egov", admin_user="postgres")
        (run / "pgbouncer-users.txt").write_text(
            f'"egov" "{self.settings["egov_password"]}"\n"postgres" "{self.settings["superuser_password"]}"\n')
        (run / "pgbouncer-users.txt").chmod(0o600)
        cert, key = run / "tls.crt", run / "tls.key"
        if not cert.exists():
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                            "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        render("nginx/nginx.conf", run / "nginx.conf", run_dir=run, public_port=self.port["public"],
               staff_port=self.port["staff"], public_tls_port=self.port["public_tls"],
               staff_tls_port=self.port["staff_tls"], public_name="localhost", staff_name="localhost",
               cert=cert, key=key)
        render("prometheus/prometheus.yml", run / "prometheus.yml", rules=DEPLOY / "prometheus" / "alerts.yml",
               staff_port=self.port["staff"])
        for path in [run, *run.iterdir(), self.dir / "etcd", self.dir / "prometheus", self.dir / "node1",
                     self.dir / "node2", *(self.dir / "node1").iterdir(), *(self.dir / "node2").iterdir()]:
            self._own(path)

    # -- processes ---------------------------------------------------------------------------------
    def _define(self) -> None:
        run = self.dir / "run"
        infra = {"user": self.user}
        self.specs = {
            "etcd": {"argv": [PROGRAMS["etcd"], "--config-file", str(run / "etcd.conf.yml")], **infra,
                     "ready": lambda: http_status(f"http://127.0.0.1:{self.port['etcd']}/health") == 200},
            "patroni1": {"argv": [PROGRAMS["patroni"], str(self.dir / "node1" / "patroni.yml")], **infra,
                         "ready": lambda: http_status(f"http://127.0.0.1:{self.port['rest1']}/primary") == 200,
                         "ready_seconds": 120},
            "patroni2": {"argv": [PROGRAMS["patroni"], str(self.dir / "node2" / "patroni.yml")], **infra,
                         "ready": self._synchronous_replica_ready, "ready_seconds": 180},
            "haproxy": {"argv": [PROGRAMS["haproxy"], "-db", "-f", str(run / "haproxy.cfg")], **infra,
                        "ready": lambda: "UP" in self._haproxy_states().values()},
            "pgbouncer": {"argv": [PROGRAMS["pgbouncer"], str(run / "pgbouncer.ini")], **infra,
                          "ready": lambda: _port_open(self.port["pgbouncer"])},
            "public": {"argv": [EGOV, "serve", "--port", str(self.port["public"]), "--workers", "2"],
                       "env": self.egov_env("public"),
                       "ready": lambda: http_status(f"http://127.0.0.1:{self.port['public']}/health/live") == 200,
                       "ready_seconds": SIDE_BY_SIDE_READY_SECONDS},
            "staff": {"argv": [EGOV, "serve", "--port", str(self.port["staff"]), "--workers", "2"],
                      "env": self.egov_env("staff"),
                      "ready": lambda: http_status(f"http://127.0.0.1:{self.port['staff']}/health/live") == 200,
                      "ready_seconds": SIDE_BY_SIDE_READY_SECONDS},
            # 内网办理 at a lower CPU priority (nice 10, its session's autogroup too: each process here
            # has a session of its own, where nice(1) alone yields nothing to the public site's): on a
            # machine shared with the public site the receipts are answered first and the cases are
            # made when the cores are free (docs/operations.md; bench/intake.py runs it so too).
            "intake": {"argv": [EGOV, "intake", "work", "--idle", "2", "--nice", str(INTAKE_NICE)],
                       "env": self.egov_env("staff")},
            "worker": {"argv": [EGOV, "worker", "--concurrency", "1"], "env": self.egov_env("staff")},
            "nginx": {"argv": [PROGRAMS["nginx"], "-p", str(run), "-e", str(run / "nginx-error.log"), "-c",
                               str(run / "nginx.conf"), "-g", "daemon off;"], **infra,
                      "ready": lambda: http_status(f"https://127.0.0.1:{self.port['public_tls']}/health/live") == 200,
                       "ready_seconds": SIDE_BY_SIDE_READY_SECONDS},
        }
        if Path(OPTIONAL["prometheus"]).exists():
            self.specs["prometheus"] = {
                "argv": [OPTIONAL["prometheus"], f"--config.file={run / 'prometheus.yml'}",
                         f"--storage.tsdb.path={self.dir / 'prometheus'}",
                         f"--web.listen-address=127.0.0.1:{self.port['prometheus']}"], **infra,
                "ready": lambda: http_status(f"http://127.0.0.1:{self.port['prometheus']}/-/ready") == 200,
                       "ready_seconds": SIDE_BY_SIDE_READY_SECONDS}

    def _haproxy_states(self) -> dict:
        """Each HAProxy server's state (``UP``/``DOWN``…) from its stats CSV."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port['haproxy_stats']}/;csv", timeout=2) as response:
                rows = response.read().decode().splitlines()
        except OSError:
            return {}
        header = rows[0].lstrip("# ").split(",")
        states = {}
        for row in rows[1:]:
            cells = dict(zip(header, row.split(","), strict=False))
            if cells.get("pxname") == "primary" and cells.get("svname", "").startswith("node"):
                states[cells["svname"]] = cells.get("status", "")
        return states

    def _synchronous_replica_ready(self) -> bool:
        members = http_json(f"http://127.0.0.1:{self.port['rest1']}/cluster").get("members", [])
        return any(m.get("role") == "sync_standby" and m.get("state") in ("running", "streaming") for m in members)

    def start(self, name: str) -> None:
        """Start process ``name`` in its own session (process group), its output in ``logs/<name>.log``."""
        spec = self.specs[name]
        log = (self.dir / "logs").joinpath(f"{name}.log")
        log.parent.mkdir(exist_ok=True)
        user = spec.get("user")
        self.processes[name] = subprocess.Popen(
            spec["argv"], env=spec.get("env", {**os.environ}), cwd=self.dir, stdout=log.open("ab"),
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            user=user, group=user, extra_groups=[] if user else None)

    def start_and_wait(self, name: str) -> None:
        self.start(name)
        self.wait_ready(name)

    def wait_ready(self, name: str) -> None:
        """Wait until ``name`` answers its readiness check; RuntimeError if it exits or times out."""
        spec = self.specs[name]
        if "ready" in spec:
            process = self.processes[name]
            wait_until(lambda: spec["ready"]() or process.poll() is not None, spec.get("ready_seconds", 60),
                       f"{name} ready")
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with status {process.returncode}; see {self.dir}/logs/{name}.log")

    def prepare_database(self, demo_data: bool) -> None:
        """The ``egov`` role and database (as the superuser, through HAProxy), migrations, and the
        demo city with ``demo_data``."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.superuser_url(), autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'egov'").fetchone():
                admin.execute(sql.SQL("CREATE ROLE egov LOGIN PASSWORD {}").format(
                    sql.Literal(self.settings["egov_password"])))
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = 'egov'").fetchone():
                admin.execute("CREATE DATABASE egov OWNER egov")
        env = self.egov_env("all")
        log = (self.dir / "logs" / "prepare.log").open("ab")
        if demo_data:  # the demo's loader refuses production; the same secret key signs the sessions
            env = {**env, "EGOV_ENV": "demo"}
            subprocess.run([EGOV, "demo", "--prepare-only"], env=env, check=True, stdout=log, stderr=subprocess.STDOUT)
        else:
            subprocess.run([EGOV, "migrate", "--no-input"], env=env, check=True, stdout=log, stderr=subprocess.STDOUT)

    def supervise(self, demo_data: bool) -> None:
        """Start every part in order, then start again whatever exits, until SIGTERM."""
        self._define()
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stopping", True))
        signal.signal(signal.SIGINT, lambda *_: setattr(self, "stopping", True))
        state = self.dir / "state.json"
        try:
            for name in ("etcd", "patroni1", "patroni2", "haproxy", "pgbouncer"):
                self.start_and_wait(name)
            if self.pgbackrest:  # the stanza, once the primary runs; WAL waits in pg_wal until then
                subprocess.run([OPTIONAL["pgbackrest"], f"--config={self.dir / 'run' / 'pgbackrest.conf'}",
                                "--stanza=egov", "stanza-create"], check=True, capture_output=True, timeout=300,
                               user=self.user, group=self.user, extra_groups=[] if self.user else None)
            self.prepare_database(demo_data)
            rest = [n for n in self.specs if n not in self.processes]
            for name in rest:  # the web processes, workers, nginx and Prometheus start side by side
                self.start(name)
            for name in rest:
                self.wait_ready(name)
        except Exception as error:  # noqa: BLE001 - reported to `up`, which prints it
            state.write_text(json.dumps({"ready": False, "error": str(error)}))
            self.stop_all()
            raise SystemExit(1) from None
        def write_state() -> None:
            state.write_text(json.dumps({"ready": True, "pids": {n: p.pid for n, p in self.processes.items()},
                                         "restarts": restarts, **self.addresses()}))

        restarts: dict[str, int] = {}
        write_state()
        while not self.stopping:
            for name, process in list(self.processes.items()):
                if process.poll() is not None and not self.stopping:
                    print(f"{time.strftime('%H:%M:%S')} {name} exited ({process.returncode}); starting it again",
                          flush=True)
                    restarts[name] = restarts.get(name, 0) + 1
                    time.sleep(1)
                    self.start(name)
                    write_state()
            time.sleep(0.5)
        self.stop_all()

    def stop_all(self) -> None:
        """Stop every process, the last started first: SIGTERM to its process group, SIGKILL after
        ``STOP_SECONDS``; then remove the layout's queue from RabbitMQ."""
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                _signal_group(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    _signal_group(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            _signal_group(process.pid, signal.SIGKILL)  # what the group left behind (gunicorn workers)
        _delete_queue(self.settings["queue"])

    def status(self) -> dict:
        """Each process alive or not and each Patroni node's role (one JSON object)."""
        state = json.loads((self.dir / "state.json").read_text()) if (self.dir / "state.json").exists() else {}
        alive = {name: _alive(pid) for name, pid in state.get("pids", {}).items()}
        nodes = {}
        for n in (1, 2):
            info = http_json(f"http://127.0.0.1:{self.port[f'rest{n}']}/patroni")
            nodes[f"node{n}"] = {"role": info.get("role"), "state": info.get("state"), "timeline": info.get("timeline")}
        return {"ready": state.get("ready", False), "processes": alive, "nodes": nodes,
                "haproxy": self._haproxy_states(), "supervisor": _alive(_supervisor_pid(self.dir))}


def _port_open(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return None


def _supervisor_pid(directory: Path) -> int | None:
    """The number in DIR/supervisor.pid while that process is this layout's supervisor (its command
    line ``… supervise --dir DIR``), else None. The file outlives a supervisor that died with the
    machine or was killed, and its number then names whatever process took it: ``down`` must not send
    that one SIGTERM. A command line this user may not read (another user's, ``hidepid``) is trusted."""
    pid = _read_pid(directory / "supervisor.pid")
    if not pid:
        return None
    try:
        argv = [arg.decode(errors="replace") for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
    except FileNotFoundError:
        return None  # no such process
    except OSError:
        return pid
    dirs = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--dir"]
    return pid if "supervise" in argv and any(Path(d).resolve() == directory.resolve() for d in dirs) else None


def _delete_queue(queue: str) -> None:
    """Remove the layout's own queue from the machine's RabbitMQ (best effort)."""
    try:
        from kombu import Connection

        with Connection(RABBITMQ, connect_timeout=3) as connection:
            connection.default_channel.queue_delete(queue)
    except Exception:  # noqa: BLE001 - RabbitMQ down or the queue never made: nothing to tidy
        pass


def up(directory: Path, base_port: int, demo_data: bool, timeout: float) -> int:
    """Write the files, start the supervisor in the background, wait until all is ready."""
    missing = missing_programs()
    if missing:
        print(f"layout: missing Debian packages' programs: {', '.join(missing)}", file=sys.stderr)
        return 2
    layout = Layout(directory, base_port)
    busy = [name for name, port in layout.port.items() if _port_open(port)]
    if busy:
        print(f"layout: ports in use from --base-port {layout.settings['base_port']}: {', '.join(busy)}",
              file=sys.stderr)
        return 2
    layout.write_files()
    (directory / "state.json").unlink(missing_ok=True)
    argv = [sys.executable, __file__, "supervise", "--dir", str(directory)] + (["--demo-data"] if demo_data else [])
    supervisor = subprocess.Popen(argv, stdout=(directory / "supervisor.log").open("ab"), stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)
    (directory / "supervisor.pid").write_text(str(supervisor.pid))
    deadline = time.monotonic() + timeout
    state_file = directory / "state.json"
    while time.monotonic() < deadline and not state_file.exists() and supervisor.poll() is None:
        time.sleep(0.3)
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    if not state.get("ready"):
        if supervisor.poll() is None:
            supervisor.terminate()
            supervisor.wait(timeout=STOP_SECONDS * 12)
        print(f"layout: not started: {state.get('error', 'timed out')} (logs in {directory})", file=sys.stderr)
        return 1
    print(json.dumps(state))
    return 0


def down(directory: Path) -> int:
    """Stop the supervisor (which stops every process) and wait for it."""
    pid = _supervisor_pid(directory)
    if not _alive(pid):
        print(json.dumps({"stopped": False, "reason": "not running", "dir": str(directory)}))
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS * 12
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    print(json.dumps({"stopped": not _alive(pid), "dir": str(directory)}))
    return 0 if not _alive(pid) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status", "supervise"])
    parser.add_argument("--dir", help="the layout's directory (default for up: a new /tmp/egov-layout-*; "
                                      "down and status: the last one this checkout started, named in var/layout.last)")
    parser.add_argument("--base-port", type=int, default=18400)
    parser.add_argument("--demo-data", action="store_true", help="load the demo city (egov demo --prepare-only)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds `up` waits for everything")
    args = parser.parse_args(argv)
    # This checkout's own: another checkout's (or user's) `down` must not stop this one's layout.
    last = ROOT / "var" / "layout.last"
    if args.dir:
        directory = Path(args.dir).resolve()
    elif args.command == "up":
        directory = Path(tempfile.mkdtemp(prefix="egov-layout-"))
    elif last.exists():
        directory = Path(last.read_text().strip())
    else:
        parser.error("--dir: no layout started here yet")
    if args.command == "up":
        directory.mkdir(parents=True, exist_ok=True)
        last.parent.mkdir(exist_ok=True)
        last.write_text(str(directory))
        return up(directory, args.base_port, args.demo_data, args.timeout)
    if args.command == "down":
        return down(directory)
    if args.command == "status":
        print(json.dumps(Layout(directory).status()))
        return 0
    Layout(directory).supervise(args.demo_data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
