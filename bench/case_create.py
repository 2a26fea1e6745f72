"""Benchmark: CPU and queries per case created from an online submission, in one process on PostgreSQL.

    .venv/bin/python bench/case_create.py [--cases N] [--keep-db | --reuse DATABASE] [--profile]

1. creates a PostgreSQL database ``egov_bench_case_<pid>`` on 127.0.0.1:5432 (user postgres) and
   loads the demo city into it (``egov demo --prepare-only``, EGOV_ENV=demo);
2. in a child Python (Django set up once, as a worker is), registers N citizens and submits one
   case for each with ``applying.application_submit`` (企业设立登记: its form and a distinct PDF for
   each of its required materials, so every case stores new files), after a few cases of warm-up;
3. for each case measures the Python process's CPU (``time.process_time()``), the PostgreSQL
   backend's CPU (``utime + stime`` of ``/proc/<pg_backend_pid()>/stat``, in clock ticks: the
   database's share, readable because the server runs on this machine), and the queries sent
   (``CaptureQueriesContext``);
4. prints one JSON line: mean and p50/p90 of each per case, the load averages at the start and the
   end, and drops the database (unless ``--keep-db``).

The figure compared in ``bench/README.md`` is **CPU ms per case = Python + PostgreSQL backend**.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib
import psycopg

ROOT = Path(__file__).resolve().parents[1]
EGOV = str(ROOT / ".venv" / "bin" / "egov")
PG = "postgresql://postgres@127.0.0.1:5432/"
RUN = {"full": ["--cases", "200"], "quick": ["--cases", "20"]}

CHILD = r'''
import json, os, sys, time
from datetime import date, timedelta
import django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.iso7064 import mod_11_2
from egov.accounts.actions import natural_person_register
from egov.accounts.tests.factories import make_verified
from egov.services.actions.applying import application_submit
from egov.services.models import ServiceItem

FORM = {"company_name": "无锡压测科技有限公司", "company_type": "llc", "registered_capital": 100, "shareholders": 2,
        "legal_representative": "张三", "address": "无锡市梁溪区人民中路1号", "business_scope": "软件开发",
        "contact_phone": "13800000000", "commitment": True}
cases, warmup, profile, offset = int(sys.argv[1]), 5, sys.argv[2] == "1", int(sys.argv[3])
if profile:
    import cProfile, pstats
    profiler = cProfile.Profile(time.process_time)  # CPU, not wall-clock
item = ServiceItem.objects.get(name="企业设立登记")
materials = [m.pk for m in item.materials.filter(required=True)]
people = []
for n in range(cases + warmup):
    body = f"320213{date(1940, 1, 1) + timedelta(days=offset + n):%Y%m%d}{101 + n % 800:03d}"
    people.append(make_verified(natural_person_register(id_number=body + mod_11_2.calc_check_digit(body),
                                                        name=f"压测{n}", password="bench-password-2026").user))
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid()")
    backend = cursor.fetchone()[0]

def backend_ticks():
    fields = open(f"/proc/{backend}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (proc(5): fields 14 and 15)

tick = os.sysconf("SC_CLK_TCK")
rows = []
for n, person in enumerate(people):
    files = {pk: b"%PDF-1.7\n% bench case " + str(offset + n).encode() + b" material " + str(pk).encode() + b"\n%%EOF\n"
             for pk in materials}
    item = ServiceItem.objects.get(pk=item.pk)  # as a worker gets it: by id from the intake record
    t0, b0 = time.process_time(), backend_ticks()
    if profile and n >= warmup:
        profiler.enable()
    with CaptureQueriesContext(connection) as queries:
        application_submit(actor=person, item=item, form_data=FORM, files=files,
                           idempotency_key=f"bench-case-{offset + n:06d}")
    t1, b1 = time.process_time(), backend_ticks()
    if profile:
        profiler.disable()
    if n >= warmup:
        rows.append(((t1 - t0) * 1000, (b1 - b0) * 1000 / tick, len(queries)))
if profile:
    for order in ("cumulative", "tottime"):
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(45)
print(json.dumps({"rows": rows, "materials": len(materials)}))
'''


def stats(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"mean": round(sum(ordered) / len(ordered), 2), "p50": round(ordered[len(ordered) // 2], 2),
            "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--keep-db", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--reuse", metavar="DATABASE", help="a database kept by --keep-db: no demo load, kept")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed cases; top 45 on stderr")
    parser.add_argument("--json", help="write the runner's result there (bench/benchlib.py)")
    args = parser.parse_args()
    started = time.time()
    database = args.reuse or f"egov_bench_case_{os.getpid()}"
    keep = args.keep_db or bool(args.reuse)
    tmp = tempfile.mkdtemp(prefix="egov-bench-case-")
    env = {**os.environ, "EGOV_ENV": "demo", "EGOV_SITE": "all", "EGOV_VAR_DIR": tmp, "DATABASE_URL": PG + database,
           "DJANGO_SETTINGS_MODULE": "egov.settings"}
    env.pop("EGOV_CA_PASSPHRASE", None)
    if not args.reuse:
        with psycopg.connect(PG + "postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
    try:
        if not args.reuse:
            subprocess.run([EGOV, "demo", "--prepare-only"], env=env, check=True, stdout=subprocess.DEVNULL)
        load_start = os.getloadavg()
        offset = secrets.randbelow(20_000)  # other citizens and keys in a reused database
        command = [sys.executable, "-c", CHILD, str(args.cases), "1" if args.profile else "0", str(offset)]
        completed = subprocess.run(command, env=env, capture_output=True, text=True)
        load_end = os.getloadavg()
        if completed.returncode != 0:
            print(completed.stderr[-4000:], file=sys.stderr)
            return 1
        result = json.loads(completed.stdout.strip().splitlines()[-1])
        if args.profile:
            print(completed.stderr, file=sys.stderr)
    finally:
        if not keep:
            with psycopg.connect(PG + "postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    rows = result["rows"]
    summary = {
        "cases": len(rows), "materials_per_case": result["materials"],
        "python_cpu_ms": stats([r[0] for r in rows]), "postgres_cpu_ms": stats([r[1] for r in rows]),
        "total_cpu_ms": stats([r[0] + r[1] for r in rows]), "queries": stats([r[2] for r in rows]),
        "database": database if keep else None, "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in load_end],
    }
    print(json.dumps(summary))
    total = summary["total_cpu_ms"]
    benchlib.write_json(args.json, benchlib.result(
        title="one online submission made a case, in one process", started=started,
        load_start=summary["load_start"],
        baseline="none: CPU ms per case (Python + its PostgreSQL backend), both halves (intake and case)",
        figures=[benchlib.figure("CPU per case, mean", total["mean"], "ms", cpu_ms=total["mean"], target="≤ 25 ms",
                                 note=f"p50 {total['p50']} ms, p90 {total['p90']} ms; "
                                      f"{summary['queries']['mean']} statements per case")],
        details=summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
