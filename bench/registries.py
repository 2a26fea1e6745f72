"""Benchmark: importing generated population rows into PostgreSQL, and looking a person up by ID.

    .venv/bin/python bench/registries.py [--rows 1000000] [--lookups 10000]

Needs PostgreSQL (``TEST_DATABASE_URL`` or ``DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/egov): it creates a database ``egov_rbench_<pid>`` and drops it.

Generates N valid population rows (resident ID numbers with their GB 11643 check characters, Wuxi
division codes, names, ethnicity, address) as one CSV file in memory, then in the same run:

1. ``COPY`` of that CSV into an unindexed table of the same columns (the floor: PostgreSQL alone);
2. ``egov.registries.actions.register_import`` of the same bytes: every row read, checked, matched
   against the register, written with its version (COPY into the indexed tables), audited;
3. ``record_get`` of random ID numbers at N rows, in process: p50 and p99 per lookup.

Prints one JSON line: seconds and CPU seconds of this process for both, rows per second, the ratio
import/COPY (target ≥ 0.25), the CPU seconds of the PostgreSQL backend for both (from /proc, when
the server runs on this machine) and the ratio that CPU work allows on two free cores, and the
lookup latencies in milliseconds.
"""

import argparse
import datetime
import io
import json
import os
import random
import statistics
import time
from urllib.parse import urlparse

import benchlib

RUN = {"full": ["--rows", "1000000", "--lookups", "10000"], "quick": ["--rows", "20000", "--lookups", "200"]}

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999 §8.2
CHECK = "10X98765432"
DIVISIONS = ("320213", "320214", "320211", "320205", "320206", "320281", "320282", "320202")  # 320202: pre-2015
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
HEADER = "公民身份号码,姓名,性别,出生日期,民族,户籍地行政区划代码,住址\n"


def generate(rows: int) -> bytes:
    """``rows`` distinct valid rows: births spread over 1950–2005, sequence numbers 000–999."""
    out = io.StringIO()
    out.write(HEADER)
    start = datetime.date(1950, 1, 1).toordinal()
    for index in range(rows):
        division = DIVISIONS[index % len(DIVISIONS)]
        birth = datetime.date.fromordinal(start + (index // 1000) % 20000)
        first17 = f"{division}{birth:%Y%m%d}{index % 1000:03d}"
        number = first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]
        sex = "男" if index % 2 else "女"
        name = SURNAMES[index % 20] + GIVEN[(index // 20) % len(GIVEN)] + GIVEN[(index // 400) % len(GIVEN)]
        out.write(f"{number},{name},{sex},{birth.isoformat()},{'01' if index % 10 else '03'},{division},"
                  f"无锡市某区某街道{index % 997}号\n")
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--json", help="write the runner's result there (bench/benchlib.py)")
    args = parser.parse_args()
    started, load_start = time.time(), benchlib.load_average()
    base = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or \
        "postgres://postgres@127.0.0.1:5432/egov"
    parsed = urlparse(base)
    name = f"egov_rbench_{os.getpid()}"
    import psycopg

    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    os.environ.update({"DJANGO_SETTINGS_MODULE": "egov.settings", "EGOV_ENV": "test",
                       "DATABASE_URL": parsed._replace(path=f"/{name}").geturl()})
    try:
        result = run(args.rows, args.lookups)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
    print(json.dumps(result))
    r = result
    benchlib.write_json(args.json, benchlib.result(
        title=f"population register import of {args.rows:,} rows", started=started, load_start=load_start,
        baseline="`COPY` of the same CSV into an unindexed table, same database, same run; CPU ms per 1,000 rows: "
                 "this process + its PostgreSQL backend",
        figures=[
            benchlib.figure("`register_import`", r["import_rows_per_s"], "rows/s", ratio=r["ratio"],
                            cpu_ms=_per_thousand(r["import_cpu_ms"], r["import_server_cpu_ms"], r["rows"]),
                            baseline_cpu_ms=_per_thousand(r["copy_cpu_ms"], r["copy_server_cpu_ms"], r["rows"]),
                            target="≥ 0.25×",
                            note=f"ratio the CPU work allows on two free cores {r['cpu_ratio_two_cores']}"),
            benchlib.figure("`COPY` (baseline)", r["copy_rows_per_s"], "rows/s", ratio=1.0,
                            cpu_ms=_per_thousand(r["copy_cpu_ms"], r["copy_server_cpu_ms"], r["rows"])),
            benchlib.figure("lookup by ID number, p99", r["lookup_p99_ms"], "ms", note=f"p50 {r['lookup_p50_ms']} ms"),
        ], details=result))


def _per_thousand(python_ms, server_ms, rows) -> float:
    return round((python_ms + (server_ms or 0)) * 1000 / rows, 2)


def server_cpu(connection) -> float | None:
    """CPU seconds (user + system) used so far by this connection's PostgreSQL backend process, read
    from /proc (the server on this machine); None when it cannot be read. Unlike wall time it hardly
    depends on how loaded the machine is."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (proc(5))


def run(rows: int, lookups: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    from egov.core.actors import SYSTEM
    from egov.registries.actions import register_import
    from egov.registries.selectors import record_get

    content = generate(rows)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy (id_number text, name text, sex text, birth_date date, "
                       "ethnicity text, household_division text, address text)")
    server = server_cpu(connection)
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.cursor() as cursor, cursor.cursor.copy(
            "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
        view = memoryview(content)
        for offset in range(0, len(content), 1 << 20):
            copy.write(view[offset:offset + (1 << 20)])
    copy_wall, copy_cpu = time.perf_counter() - wall, time.process_time() - cpu
    copy_server = server_cpu(connection)

    with connection.cursor() as cursor:
        # The unique index a first load builds at its end is built by this backend alone, so that
        # its server CPU below is all of it (a parallel build's workers are other processes).
        cursor.execute("SET max_parallel_maintenance_workers = 0")
    wall, cpu = time.perf_counter(), time.process_time()
    batch = register_import(actor=SYSTEM, actor_label="bench", register="population", content=content,
                            file_name="bench.csv", source="bench")
    import_wall, import_cpu = time.perf_counter() - wall, time.process_time() - cpu
    import_server = server_cpu(connection)
    if server is not None and copy_server is not None and import_server is not None:
        import_server, copy_server = import_server - copy_server, copy_server - server
    assert batch.counts["imported"] == rows, batch.counts

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT id_number FROM bench_copy")
        keys = [row[0] for row in cursor.fetchall()]
    sample = random.Random(2026).sample(keys, min(lookups, len(keys)))
    timings = []
    for key in sample:
        start = time.perf_counter()
        record_get(register="population", key=key)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "rows": rows,
        "copy_s": round(copy_wall, 2), "copy_cpu_ms": round(copy_cpu * 1000),
        "import_s": round(import_wall, 2), "import_cpu_ms": round(import_cpu * 1000),
        "copy_rows_per_s": round(rows / copy_wall), "import_rows_per_s": round(rows / import_wall),
        "ratio": round(copy_wall / import_wall, 3),
        # CPU of the PostgreSQL backend, and the ratio the CPU work allows on two free cores (the
        # import's Python and server work overlapping, COPY's server work alone).
        "copy_server_cpu_ms": None if copy_server is None else round(copy_server * 1000),
        "import_server_cpu_ms": None if import_server is None else round(import_server * 1000),
        "cpu_ratio_two_cores": None if import_server is None else
        round((copy_server + copy_cpu) / max(import_server, import_cpu), 3),
        "lookup_p50_ms": round(statistics.median(timings), 3),
        "lookup_p99_ms": round(timings[int(len(timings) * 0.99) - 1], 3),
    }


if __name__ == "__main__":
    main()
