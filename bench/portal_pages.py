"""Portal pages over HTTP (issue 21): the home page (``/``) and a news list page (``/news/``, a Wagtail
page), requests per second with 16 clients as a ratio to a static file (``/static/egov/favicon.svg``,
WhiteNoise) served by the same server in the same run; target ≥ 0.5.

What it does:

1. creates a PostgreSQL database ``egov_bench_<pid>`` and loads the demo into it (``egov demo
   --prepare-only``: the page tree, three news articles, a notice, a policy interpretation);
2. starts ``egov serve --workers 2 --threads T`` on a free port of 127.0.0.1 with the cache given by
   ``--cache`` (default: the demo's file cache; ``redis://127.0.0.1:6379/14`` as production would);
3. warms up, then drives each scenario for ``--seconds`` with ``--clients`` anonymous clients (no
   cookies: a visitor's first page), counting 2xx answers;
4. stops the server and drops the database.

CPU per request: user + system time of the server's processes and their PostgreSQL backends
(``/proc``), divided by the 2xx answers, the load generator's own beside it (both run on the same
cores). Reuses the service hall benchmark's driver (``service_hall.drive``).
"""

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import benchlib
import httpx
import psycopg
from service_hall import EGOV, PG, drive, free_port

RUN = {"full": ["--seconds", "15"], "quick": ["--seconds", "3"]}
TARGET = 0.5
SCENARIOS = {"static": "/static/egov/favicon.svg", "home": "/", "news": "/news/"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="threads per server worker (1: sync workers)")
    parser.add_argument("--cache", default="", help="the server's EGOV_CACHE_URL (default: the demo's file cache)")
    parser.add_argument("--json", help="write the runner's result there (bench/benchlib.py)")
    parser.add_argument("--database", help="an existing database with the demo loaded (kept; nothing prepared)")
    args = parser.parse_args()
    started, load_start = time.time(), benchlib.load_average()
    database = args.database or f"egov_bench_{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix="egov-bench-pages-")
    env = {**os.environ, "EGOV_ENV": "demo", "EGOV_SITE": "all", "EGOV_VAR_DIR": tmp, "DATABASE_URL": PG + database,
           "CELERY_TASK_ALWAYS_EAGER": "1", "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "egov.settings"}
    env.pop("EGOV_CACHE_URL", None)
    if args.cache:
        env["EGOV_CACHE_URL"] = args.cache
        if args.cache.startswith("redis://"):
            import redis

            redis.Redis.from_url(args.cache).flushdb()
    if not args.database:
        with psycopg.connect(PG + "postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
    server = None
    admin = psycopg.connect(PG + "postgres", autocommit=True)
    try:
        if not args.database:
            subprocess.run([EGOV, "demo", "--prepare-only"], env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen([EGOV, "serve", "--workers", "2", "--threads", str(args.threads), "--port",
                                   str(port)], env=env, stdout=open(Path(tmp) / "server.log", "w"),
                                  stderr=subprocess.STDOUT, start_new_session=True)

        def server_pids() -> list[int]:
            backends = [row[0] for row in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [database]).fetchall()]
            return benchlib.group_pids(server.pid) + backends

        meter = benchlib.CpuMeter(server_pids)
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        clients = [httpx.Client(base_url=base, timeout=30) for _ in range(args.clients)]
        for path in SCENARIOS.values():
            check = clients[0].get(path)
            if check.status_code != 200:
                raise SystemExit(f"{path}: {check.status_code}")
        result = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "clients": args.clients,
                  "seconds": args.seconds, "threads": args.threads, "cache": args.cache or "file (demo default)"}
        for name, path in SCENARIOS.items():
            drive(clients, 1, lambda client, index, n, path=path: client.get(path))  # warm-up
            result[name] = drive(clients, args.seconds, lambda client, index, n, path=path: client.get(path), meter)
        for name in ("home", "news"):
            result[f"{name}_ratio"] = result[name]["per_second"] / result["static"]["per_second"]
        result["targets_met"] = {name: result[f"{name}_ratio"] >= TARGET for name in ("home", "news")}
        print(json.dumps(result))
        if args.json:
            benchlib.write_json(args.json, runner_result(result, started=started, load_start=load_start))
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        admin.close()
        if not args.database:
            with psycopg.connect(PG + "postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def runner_result(result: dict, *, started: float, load_start: list[float]) -> dict:
    """The figures for ``bench/run.py``: the home and news pages against the static file."""
    s = result["static"]
    figures = [benchlib.figure("`GET /static/egov/favicon.svg` (baseline)", round(s["per_second"], 1), "requests/s",
                               ratio=1.0, cpu_ms=round(s["server_cpu_ms"], 2), note=_latency(s))]
    for name, label in (("home", "`GET /` (home page)"), ("news", "`GET /news/` (news list, Wagtail)")):
        r = result[name]
        figures.append(benchlib.figure(label, round(r["per_second"], 1), "requests/s",
                                       ratio=round(result[f"{name}_ratio"], 2), cpu_ms=round(r["server_cpu_ms"], 2),
                                       baseline_cpu_ms=round(s["server_cpu_ms"], 2), target=f"≥ {TARGET}×",
                                       note=_latency(r)))
    return benchlib.result(
        title="portal pages over HTTP", started=started, load_start=load_start,
        baseline=f"a static file of the same server in the same run ({result['clients']} clients, "
                 f"`egov serve --workers 2 --threads {result['threads']}`, PostgreSQL, cache {result['cache']}); "
                 "CPU: server processes + their PostgreSQL backends",
        figures=figures, details=result)


def _latency(scenario: dict) -> str:
    return (f"p50 {scenario['p50_ms']:.1f} ms, p99 {scenario['p99_ms']:.1f} ms, {scenario['errors']} non-2xx; "
            f"load generator {scenario['client_cpu_ms']:.2f} CPU ms/request")


if __name__ == "__main__":
    main()
