"""Benchmark: submissions and status queries per second over HTTP, as ratios to a minimal JSON
endpoint of the same server in the same run, with p50/p99 latencies; and deadlines computed per
second.

    .venv/bin/python bench/service_hall.py [--seconds S] [--clients N] [--threads T] [--no-readme]
        [--scenarios health,submit,track] [--cache URL] [--json PATH]

1. creates a PostgreSQL database ``egov_bench_<pid>`` on 127.0.0.1:5432 (user postgres), migrates
   it and loads the demo city, plus one citizen and one signed-in session per client;
2. starts ``egov serve --workers 2 --threads T`` (T = 1: sync workers) on a free port of 127.0.0.1
   (EGOV_ENV=demo, Celery eager: the notification e-mails are sent after commit in the request,
   the citizens have no address);
3. drives it with N concurrent clients (threads, one ``httpx.Client`` each) for S seconds per
   scenario: ``GET /health`` (one aggregate query: the baseline), ``POST
   /api/v1/services/applications`` (企业设立登记 with its form and its PDF materials, every file of
   every submission different bytes, answered 202 with a receipt; an ``egov intake work`` beside the
   server makes the cases: tracking number, process started, audit, notification),
   ``GET /api/v1/services/track/{number}?code=…`` over the cases just submitted
   (without ``submit`` among ``--scenarios``: over 64 cases submitted first, not timed);
4. times ``working_days_add`` (20 working days from each day of 2026) in-process;
5. prints one JSON line, rewrites the figures table in ``bench/README.md`` (unless
   ``--no-readme`` or ``--json``; with ``--json PATH``, the runner's result, ``bench/benchlib.py``),
   stops the server and drops the database.

CPU per request: user + system time of the server's processes (gunicorn's master and workers) and
of the PostgreSQL backends serving its database (``/proc``; not the intake worker's, told apart by
its ``application_name``), divided by the 2xx answers; the load
generator's own CPU (this process, ``time.process_time``) is reported beside it, since it runs on
the same two cores. ``--cache`` sets the server's ``EGOV_CACHE_URL`` (default: the demo's file
cache under its ``var/``; ``redis://127.0.0.1:6379/14`` as production would).
"""

import argparse
import base64
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import benchlib
import httpx
import psycopg

RUN = {"full": ["--seconds", "15"], "quick": ["--seconds", "3", "--scenarios", "health,track"],
       # issue 18: tracking (cached); the submissions are bench/intake.py's
       "issues": {"18": ["--seconds", "15", "--scenarios", "health,track"]}}

ROOT = Path(__file__).resolve().parents[1]
EGOV = str(ROOT / ".venv" / "bin" / "egov")
PG = "postgresql://postgres@127.0.0.1:5432/"
TARGETS = {"submit": 0.3, "track": 0.6, "p99_ms": 150, "track_p99_ms": 50}
WORKER_APP = "egov-bench-hall-worker"  # the intake worker's application_name: its backend is not the server's

SETUP = r'''
import json, sys, time
from datetime import date, timedelta
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from stdnum.iso7064 import mod_11_2
from egov.accounts.actions import account_verification_import, natural_person_register
from egov.accounts.models import User
from egov.core.actors import SYSTEM
from egov.services.models import ServiceItem
from egov.workflow.selectors import work_calendar, working_days_add

clients = int(sys.argv[1])
sessions = []
for n in range(clients):
    body = f"320213{date(1980, 1, 1) + timedelta(days=n):%Y%m%d}{101 + n:03d}"
    person = natural_person_register(id_number=body + mod_11_2.calc_check_digit(body), name=f"压测{n}",
                                     password="bench-password-2026")
    # Applying needs a real-name verified account (as at a service window).
    account_verification_import(actor=SYSTEM, user=person.user, method=User.Verification.IN_PERSON,
                                reference="benchmark")
    store = SessionStore()
    store[SESSION_KEY] = str(person.user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the model backend
    store[HASH_SESSION_KEY] = person.user.get_session_auth_hash()
    store.create()
    sessions.append(store.session_key)
item = ServiceItem.objects.get(name="企业设立登记")
calendar = work_calendar()
days = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
start = time.perf_counter()
for day in days:
    working_days_add(start=day, days=20, calendar=calendar)
per_second = len(days) / (time.perf_counter() - start)
print(json.dumps({"sessions": sessions, "item": item.code,
                  "materials": [m.pk for m in item.materials.filter(required=True)],
                  "deadlines_per_second": per_second}))
'''

FORM = {"company_name": "无锡压测科技有限公司", "company_type": "llc", "registered_capital": 100, "shareholders": 2,
        "legal_representative": "张三", "address": "无锡市梁溪区人民中路1号", "business_scope": "软件开发",
        "contact_phone": "13800000000", "commitment": True}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def drive(clients: list[httpx.Client], seconds: float, request, meter: benchlib.CpuMeter | None = None) -> dict:
    """Run ``request(client, index, n)`` from every client for ``seconds``; count 2xx answers.
    CPU ms per 2xx answer: ``server_cpu_ms`` by ``meter``'s processes, ``client_cpu_ms`` by this one."""
    latencies: list[list[float]] = [[] for _ in clients]
    errors = [0] * len(clients)
    first_error: list[str] = []
    stop = time.perf_counter() + seconds

    def run(index: int) -> None:
        n = 0
        while time.perf_counter() < stop:
            began = time.perf_counter()
            response = request(clients[index], index, n)
            elapsed = time.perf_counter() - began
            if 200 <= response.status_code < 300:
                latencies[index].append(elapsed)
            else:
                errors[index] += 1
                if not first_error:
                    first_error.append(f"{response.status_code} {response.text[:300]}")
            n += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    if meter is not None:
        meter.start()
    began, cpu_began = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, client_cpu = time.perf_counter() - began, time.process_time() - cpu_began
    server_cpu = meter.stop() if meter is not None else float("nan")
    done = [value for per_client in latencies for value in per_client]
    count = max(1, len(done))
    return {"requests": len(done), "errors": sum(errors), "per_second": len(done) / wall,
            "p50_ms": percentile(done, 0.50) * 1000, "p99_ms": percentile(done, 0.99) * 1000,
            "server_cpu_ms": 1000 * server_cpu / count, "client_cpu_ms": 1000 * client_cpu / count,
            "first_error": first_error[0] if first_error else None}


def write_readme(result: dict) -> None:
    path = ROOT / "bench" / "README.md"
    text = path.read_text(encoding="utf-8")
    h, s, t = result["health"], result["submit"], result["track"]
    table = "\n".join([
        "<!-- service_hall:start -->",
        f"Measured {result['when']} on this machine ({os.cpu_count()} cores), {result['clients']} clients, "
        f"{result['seconds']:g} s per scenario, `egov serve --workers 2 --threads {result['threads']}` on PostgreSQL.",
        "",
        "| scenario | requests/s | ratio to /health | p50 ms | p99 ms | non-2xx | target |",
        "|---|---|---|---|---|---|---|",
        f"| `GET /health` (baseline) | {h['per_second']:.1f} | 1.00 | {h['p50_ms']:.1f} | {h['p99_ms']:.1f} | "
        f"{h['errors']} | |",
        f"| `POST /api/v1/services/applications` | {s['per_second']:.1f} | {result['submit_ratio']:.2f} | "
        f"{s['p50_ms']:.1f} | {s['p99_ms']:.1f} | {s['errors']} | ≥ 0.3×, p99 < 150 ms |",
        f"| `GET /api/v1/services/track/{{number}}` | {t['per_second']:.1f} | {result['track_ratio']:.2f} | "
        f"{t['p50_ms']:.1f} | {t['p99_ms']:.1f} | {t['errors']} | ≥ 0.6×, p99 < 50 ms |",
        "",
        f"Deadlines computed (`working_days_add`, 20 working days, in-process): "
        f"{result['deadlines_per_second']:,.0f} per second.",
        "<!-- service_hall:end -->",
    ])
    pattern = re.compile(r"<!-- service_hall:start -->.*<!-- service_hall:end -->", re.S)
    path.write_text(pattern.sub(table, text) if pattern.search(text) else text.rstrip() + "\n\n" + table + "\n",
                    encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="threads per server worker (1: sync workers)")
    parser.add_argument("--scenarios", default="health,submit,track", help="of health, submit, track")
    parser.add_argument("--cache", default="", help="the server's EGOV_CACHE_URL (default: the demo's file cache)")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--json", help="write the runner's result there (bench/benchlib.py) instead of the README")
    args = parser.parse_args()
    scenarios = {name.strip() for name in args.scenarios.split(",") if name.strip()}
    if not scenarios <= {"health", "submit", "track"} or "health" not in scenarios:
        parser.error("--scenarios: health and any of submit, track")
    started, load_start = time.time(), benchlib.load_average()
    database = f"egov_bench_{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix="egov-bench-")
    env = {**os.environ, "EGOV_ENV": "demo", "EGOV_SITE": "all", "EGOV_VAR_DIR": tmp, "DATABASE_URL": PG + database,
           "CELERY_TASK_ALWAYS_EAGER": "1", "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "egov.settings"}
    env.pop("EGOV_CA_PASSPHRASE", None)
    env.pop("EGOV_CACHE_URL", None)
    if args.cache:
        env["EGOV_CACHE_URL"] = args.cache
        if args.cache.startswith("redis://"):
            import redis

            redis.Redis.from_url(args.cache).flushdb()
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    server = worker = None
    admin = psycopg.connect(PG + "postgres", autocommit=True)
    try:
        subprocess.run([EGOV, "demo", "--prepare-only"], env=env, check=True, stdout=subprocess.DEVNULL)
        completed = subprocess.run([sys.executable, "-c", SETUP, str(args.clients)], env=env, capture_output=True,
                                   text=True)
        if completed.returncode != 0:
            raise SystemExit(f"setup failed:\n{completed.stderr}")
        setup = json.loads(completed.stdout.strip().splitlines()[-1])
        port = free_port()
        command = [EGOV, "serve", "--workers", "2", "--threads", str(args.threads), "--port", str(port)]
        server = subprocess.Popen(command, env=env,
                                  stdout=open(Path(tmp) / "server.log", "w"), stderr=subprocess.STDOUT,
                                  start_new_session=True)
        # 内网办理: the intake worker turns the receipts (202) into the cases tracked below.
        # Its database connection named (libpq's PGAPPNAME) so that its backend is not the server's.
        worker = subprocess.Popen([EGOV, "intake", "work"], env={**env, "PGAPPNAME": WORKER_APP},
                                  stdout=open(Path(tmp) / "worker.log", "w"),
                                  stderr=subprocess.STDOUT, start_new_session=True)

        def server_pids() -> list[int]:
            backends = [row[0] for row in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name <> %s",
                [database, WORKER_APP]).fetchall()]
            return benchlib.group_pids(server.pid) + backends

        meter = benchlib.CpuMeter(server_pids)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        csrf = secrets.token_hex(16)
        clients = [httpx.Client(base_url=base, timeout=30, cookies={"sessionid": key, "csrftoken": csrf},
                                headers={"X-CSRFToken": csrf, "Referer": base + "/"})
                   for key in setup["sessions"]]
        # Health and tracking need no sign-in: their clients send no cookies (no session is loaded).
        anonymous = [httpx.Client(base_url=base, timeout=30) for _ in setup["sessions"]]
        submitted: list[tuple[str, str]] = []

        def material(index: int, n: int, pk: int) -> str:
            # Different bytes in every file of every submission: nothing a store could share or skip.
            text = f"%PDF-1.7\n% egov benchmark material {index}-{n}-{pk} {secrets.token_hex(16)}\n%%EOF\n"
            return base64.b64encode(text.encode()).decode()

        def health(client, index, n):
            return client.get("/health")

        def submit(client, index, n):
            payload = {"item": setup["item"], "form": FORM,
                       "materials": {str(pk): material(index, n, pk) for pk in setup["materials"]}}
            response = client.post("/api/v1/services/applications", json=payload,
                                   headers={"Idempotency-Key": f"bench-{index:02d}-{n:08d}"})
            return response  # 202 with a receipt: the intake worker makes the case

        def cases_made() -> None:
            """Wait until the intake worker has made every case, then track those."""
            deadline = time.monotonic() + 600
            with psycopg.connect(PG + database) as connection:
                while connection.execute("SELECT count(*) FROM services_intakerecord WHERE state = 'waiting'"
                                         ).fetchone()[0] and time.monotonic() < deadline:
                    time.sleep(0.2)
                submitted.extend(connection.execute("SELECT number, query_code FROM services_application"
                                                    ).fetchall())

        def track(client, index, n):
            number, code = submitted[(index * 7919 + n) % len(submitted)]
            return client.get(f"/api/v1/services/track/{number}", params={"code": code})

        drive(anonymous, 2, health)  # warm-up: imports, connections, caches of both workers
        result = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "clients": args.clients,
                  "seconds": args.seconds, "threads": args.threads, "cache": args.cache or "file (demo default)",
                  "health": drive(anonymous, args.seconds, health, meter)}
        if "submit" in scenarios:
            result["submit"] = drive(clients, args.seconds, submit, meter)
        elif "track" in scenarios:
            for n in range(64 // args.clients + 1):  # cases to track, not timed
                for index, client in enumerate(clients):
                    response = submit(client, index, n)
                    if response.status_code not in (200, 202):
                        raise SystemExit(f"submission failed: {response.status_code} {response.text[:300]}")
        if "track" in scenarios:
            cases_made()
            if not submitted:
                raise SystemExit(f"no submission succeeded: {result.get('submit', {}).get('first_error')}")
            drive(anonymous, 1, track)  # warm-up: the first answer of each case comes from the database
            result["track"] = drive(anonymous, args.seconds, track, meter)
        baseline = result["health"]["per_second"]
        for name in ("submit", "track"):
            if name in result:
                result[f"{name}_ratio"] = result[name]["per_second"] / baseline
                result[f"{name}_cpu_ratio"] = result["health"]["server_cpu_ms"] / result[name]["server_cpu_ms"]
        result["deadlines_per_second"] = setup["deadlines_per_second"]
        result["targets_met"] = {
            "submit": "submit" in result and result["submit_ratio"] >= TARGETS["submit"]
            and result["submit"]["p99_ms"] < TARGETS["p99_ms"],
            "track": "track" in result and result["track_ratio"] >= TARGETS["track"]
            and result["track"]["p99_ms"] < TARGETS["track_p99_ms"]}
        print(json.dumps(result))
        if args.json:
            benchlib.write_json(args.json, runner_result(result, started=started, load_start=load_start))
        elif not args.no_readme and scenarios == {"health", "submit", "track"}:
            write_readme(result)
    finally:
        for process in (server, worker):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        admin.close()
        with psycopg.connect(PG + "postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def runner_result(result: dict, *, started: float, load_start: list[float]) -> dict:
    """The figures for ``bench/run.py``: each scenario against ``GET /health`` of the same run."""
    h = result["health"]
    figures = [benchlib.figure("`GET /health` (baseline)", round(h["per_second"], 1), "requests/s", ratio=1.0,
                               cpu_ms=round(h["server_cpu_ms"], 2), note=_latency(h))]
    labels = {"submit": ("`POST /api/v1/services/applications` (distinct files)", "≥ 0.3×, p99 < 150 ms"),
              "track": ("`GET /api/v1/services/track/{number}`"
                        + (" (not cached)" if result["cache"] == "dummy://" else " (cached)"), "≥ 0.6×, p99 < 50 ms")}
    for name, (label, target) in labels.items():
        if name in result:
            r = result[name]
            figures.append(benchlib.figure(label, round(r["per_second"], 1), "requests/s",
                                           ratio=round(result[f"{name}_ratio"], 2), cpu_ms=round(r["server_cpu_ms"], 2),
                                           baseline_cpu_ms=round(h["server_cpu_ms"], 2), target=target,
                                           note=_latency(r)))
    return benchlib.result(
        title="service hall over HTTP", started=started, load_start=load_start,
        baseline=f"`GET /health` of the same server in the same run ({result['clients']} clients, "
                 f"`egov serve --workers 2 --threads {result['threads']}`, PostgreSQL, cache {result['cache']}); "
                 "CPU: server processes + their PostgreSQL backends",
        figures=figures, details=result)


def _latency(scenario: dict) -> str:
    return (f"p50 {scenario['p50_ms']:.1f} ms, p99 {scenario['p99_ms']:.1f} ms, {scenario['errors']} non-2xx; "
            f"load generator {scenario['client_cpu_ms']:.2f} CPU ms/request")


if __name__ == "__main__":
    main()
