"""Bulk extract of a PostgreSQL-backed resource through two exchange nodes, against ``COPY … TO STDOUT``
of the same rows in the same run; then lookups by key through the nodes (issue 20's benchmark).

    .venv/bin/python bench/exchange_extract.py [--rows 1000000] [--page 50000] [--lookups 4000] [--clients 16]
        [--format csv|json]

Needs PostgreSQL (``TEST_DATABASE_URL`` or ``DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/egov): it creates databases ``egov_xebench_*`` and drops them.
The source is a table of its own database (``rk``: ID number as primary key, name, birth date,
household size, allowance NUMERIC(12,2), registered BOOLEAN), filled by ``generate_series`` on the
server. The provider's node serves it as ``source = "adapter:rk"`` (a ``ResourceSource`` saved with
``resource_source_save``: columns reflected, mapping checked, connection sealed). The platform (CA,
OCSP, TSA) and two nodes run as separate processes (``egov.exchange.tests.harness.Network``).

1. ``COPY (SELECT the six columns ORDER BY key) TO STDOUT`` read by psycopg in this process: the floor.
2. The extract: this process asks the consumer node's local listener for page after page
   (``{"extract": {"after": cursor, "limit": page, "format": "csv"}}``) until the last; each page is
   signed, checked, logged on both nodes, cut to the grant and every value written as its 信息项
   type — by PostgreSQL's ``COPY … WITH (FORMAT csv)`` on the provider for ``--format csv`` (the
   default; the client counts and checks every line: ``csv_page_read``), by Python into JSON for ``json``.
3. Lookups of random keys from ``--clients`` threads (one keep-alive connection each): p50, p99.

Prints one JSON line: rows, seconds and rows/s of both, their ratio (target ≥ 0.25), the CPU
seconds of the nodes' processes during the extract, the lookups' p50/p99 in ms.
"""

import argparse
import csv
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import benchlib
import httpx
import psycopg

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from exchange import CONSUMER, PROVIDER, Network, cpu_seconds  # noqa: E402  (also puts src/ on the path)
from registries_exchange import PURPOSE, percentiles  # noqa: E402

from egov.exchange.tests.harness import admin, database_url  # noqa: E402

RESOURCE = {
    "code": "320200-GA-0002", "name": "常住人口信息", "classification": "1-01-002", "catalog": "basic",
    "provider_code": PROVIDER, "provider_name": "无锡市公安局", "format": "database", "update_cycle": "daily",
    "published_on": "2026-11-01",
    "items": [
        {"field": "id_number", "name": "公民身份号码", "data_type": "C", "sharing_type": "unconditional"},
        {"field": "name", "name": "姓名", "data_type": "C", "sharing_type": "unconditional"},
        {"field": "birth_date", "name": "出生日期", "data_type": "D", "sharing_type": "unconditional"},
        {"field": "household_size", "name": "户内人数", "data_type": "I", "sharing_type": "unconditional"},
        {"field": "allowance", "name": "补贴金额", "data_type": "Y", "sharing_type": "unconditional"},
        {"field": "registered", "name": "是否户籍人口", "data_type": "L", "sharing_type": "unconditional"},
    ],
}
FIELDS = ["id_number", "name", "birth_date", "household_size", "allowance", "registered"]
GRANT = {"resource": RESOURCE["code"], "consumer_code": CONSUMER, "consumer_name": "无锡市行政审批局", "fields": FIELDS,
         "purpose": "批量核验", "legal_basis": "行政许可法第三十一条"}
MAPPING = {"id_number": "sfzh", "name": "xm", "birth_date": "csrq", "household_size": "hnrs", "allowance": "btje",
           "registered": "hjbz"}
COLUMNS = "sfzh, xm, csrq, hnrs, btje, hjbz"
FILL = """
CREATE TABLE rk (sfzh VARCHAR(18) PRIMARY KEY, xm TEXT NOT NULL, csrq DATE, hnrs INTEGER, btje NUMERIC(12, 2),
                 hjbz BOOLEAN, gxsj TIMESTAMPTZ NOT NULL DEFAULT now());
INSERT INTO rk (sfzh, xm, csrq, hnrs, btje, hjbz)
SELECT '320200' || lpad(i::text, 12, '0'), '居民' || i, DATE '1950-01-01' + (i % 25000), 1 + i % 6,
       (i % 100000) / 100.0, i % 3 <> 0
FROM generate_series(1, %(rows)s) AS i;
"""


def copy_out(url: str) -> tuple[int, float, float]:
    """Rows, seconds and this process's CPU seconds of ``COPY (…) TO STDOUT`` of the six columns in
    key order, read to the end (the server's CPU is not counted, as it is not for the nodes' source)."""
    with psycopg.connect(url) as conn:
        start, cpu = time.perf_counter(), time.process_time()
        lines = 0
        with conn.cursor().copy(f"COPY (SELECT {COLUMNS} FROM rk ORDER BY sfzh) TO STDOUT") as copy:
            for block in copy:
                lines += bytes(block).count(b"\n")
        return lines, time.perf_counter() - start, time.process_time() - cpu


HEADER = ",".join([*FIELDS, "_row", "_problem"]).encode() + b"\n"


def csv_page_read(content: bytes) -> tuple[int, str | None]:
    """Lines (without the header) of a CSV page and the ``_row`` cell of its last line, every line
    checked to be a good row (``_problem`` empty). A page holding no ``"`` has no quoted cell, so no
    newline or comma inside a value: its records are its lines and are counted as such (the header
    checked, every line ending in ``,`` i.e. an empty ``_problem``, commas ``(cells - 1)`` a line);
    any other page is parsed with the csv module."""
    if b'"' not in content and content.startswith(HEADER) and content.endswith(b"\n"):
        lines = content.count(b"\n") - 1
        assert content.count(b",\n") == lines, "a row with a problem"
        assert content.count(b",") == (len(FIELDS) + 1) * (lines + 1), "a line of another width"
        last = content[content.rfind(b"\n", 0, len(content) - 1) + 1:-1] if lines else b""
        return lines, (last.split(b",")[-2].decode() or None) if lines else None
    parsed = list(csv.reader(io.StringIO(content.decode(), newline="")))
    assert parsed[0] == [*FIELDS, "_row", "_problem"], parsed[0]
    problems = [line for line in parsed[1:] if line[-1]]
    assert not problems, problems[:3]
    return len(parsed) - 1, (parsed[-1][-2] or None) if len(parsed) > 1 else None


def extract(url: str, page: int, form: str = "csv") -> tuple[int, float, int]:
    """Rows, seconds and pages of the whole extract through the consumer's local listener, as CSV
    pages (counted and checked by ``csv_page_read``: problems refused, the cursor from the last
    line's ``_row``) or JSON pages (``form = "json"``)."""
    rows = pages = 0
    after = None
    start = time.perf_counter()
    with httpx.Client(timeout=300) as http:
        while True:
            answer = http.post(url, json={"purpose": PURPOSE, "query": {
                "extract": {"after": after, "limit": page, "format": form}}})
            assert answer.status_code == 200, answer.text[:500]
            pages += 1
            if answer.headers["content-type"].startswith("text/csv"):
                lines, last = csv_page_read(answer.content)
                rows += lines
                after = last if lines == page else None
            else:
                body = answer.json()
                assert not body["problems"], body["problems"][:3]
                rows += len(body["rows"])
                after = body["next"]
            if after is None:
                return rows, time.perf_counter() - start, pages


def extract_overlapped(url: str, page: int) -> tuple[int, float, int]:
    """``extract`` of CSV pages with the client's parse overlapped: as soon as a page arrives, its
    cursor is read from its last line (``adapters.csv_last_row``) and the next page asked for in a
    second thread while this one is parsed (every row still parsed and checked)."""
    from concurrent.futures import ThreadPoolExecutor

    from egov.exchange.adapters import csv_last_row

    def fetch(http, after):
        answer = http.post(url, json={"purpose": PURPOSE, "query": {
            "extract": {"after": after, "limit": page, "format": "csv"}}})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv"), answer.text[:500]
        return answer.content

    rows = pages = 0
    start = time.perf_counter()
    with httpx.Client(timeout=300) as http, ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(fetch, http, None)
        while pending is not None:
            content = pending.result()
            pages += 1
            after = csv_last_row(content)  # a full page's last line holds the next cursor (else empty)
            pending = pool.submit(fetch, http, after) if after is not None else None
            rows += csv_page_read(content)[0]
    return rows, time.perf_counter() - start, pages


def lookups(url: str, keys: list[str], clients: int) -> tuple[list[float], int]:
    """As ``registries_exchange.through_nodes``: one POST per key from ``clients`` threads."""
    import threading

    timings: list[float] = []
    failed = [0]
    lock = threading.Lock()

    def client(share: list[str]) -> None:
        with httpx.Client(timeout=60) as http:
            for key in share:
                start = time.perf_counter()
                answer = http.post(url, json={"purpose": PURPOSE, "query": {"id_number": key}})
                took = (time.perf_counter() - start) * 1000
                ok = answer.status_code == 200 and answer.json()["record"]["id_number"] == key
                with lock:
                    timings.append(took)
                    failed[0] += 0 if ok else 1

    threads = [threading.Thread(target=client, args=(keys[i::clients],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, failed[0]


RUN = {"full": ["--rows", "1000000"], "quick": ["--rows", "20000", "--lookups", "200"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=50_000,
                        help="rows a page (default: the largest a provider serves as CSV, EXTRACT_CSV_MAX)")
    parser.add_argument("--lookups", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=16, help="threads per gunicorn worker of each listener")
    parser.add_argument("--format", choices=["csv", "json"], default="csv",
                        help="the extract's pages: CSV written by PostgreSQL, or the JSON page")
    parser.add_argument("--overlap", action="store_true",
                        help="CSV pages, the next asked for while the client parses the current one")
    parser.add_argument("--json", help="write the runner's result there (bench/benchlib.py)")
    args = parser.parse_args()
    started, load_start = time.time(), benchlib.load_average()
    base = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or \
        "postgres://postgres@127.0.0.1:5432/egov"
    folder = Path(tempfile.mkdtemp(prefix="egov-xebench-"))
    prefix = f"egov_xebench_{os.getpid()}"
    net = Network(base_url=base, folder=folder, prefix=prefix)
    source_db = f"{prefix}_source"
    try:
        admin(base, f'CREATE DATABASE "{source_db}"')
        source = database_url(base, source_db)
        with psycopg.connect(source) as conn:
            conn.execute(FILL.replace("%(rows)s", str(int(args.rows))))
            conn.execute("ANALYZE rk")
        net.create([(PROVIDER, "无锡市公安局", "police.node.egov"),
                    (CONSUMER, "无锡市行政审批局", "approval.node.egov")])
        provider = net.nodes[PROVIDER]
        (provider.folder / "catalog.json").write_text(json.dumps({"resources": [RESOURCE], "grants": [GRANT]}))
        net.egov("exchange", "import", str(provider.folder / "catalog.json"), db=provider.db)
        net.egov("shell", "-c", (
            "from egov.exchange.actions.sources import resource_source_save\n"
            "from egov.exchange.models import InformationResource\n"
            f"resource_source_save(actor=None, resource=InformationResource.objects.get(code={RESOURCE['code']!r}),"
            f" code='rk', kind='postgresql', connection={{'url': {source!r}}}, table='rk', key_column='sfzh',"
            f" mapping={MAPPING!r})\n"), db=provider.db)
        settings = {"tsa_interval": 5.0, "tsa_batch_size": 10000, "ocsp_fresh": 300,
                    "max_message_bytes": 4 * 1024 * 1024}
        net.configure(PROVIDER, services={"people": {"resource": RESOURCE["code"], "source": "adapter:rk",
                                                     "key": "id_number"}}, **settings)
        net.configure(CONSUMER, **settings)
        net.start_platform()
        for code in net.nodes:
            net.start(code, threads=args.threads)
        url = f"{net.nodes[CONSUMER].local}/exchange/v1/outbound/{PROVIDER}/people"
        chooser = random.Random(2026)
        keys = [f"320200{i:012d}" for i in chooser.sample(range(1, args.rows + 1), args.lookups + 50)]
        lookups(url, keys[:50], 1)  # connections, OCSP and grant caches, the source's pool
        copy_rows, copy_s, copy_cpu = copy_out(source)
        pgids = {node.process.pid for node in net.nodes.values()}
        cpu = cpu_seconds(pgids)
        each = {code: cpu_seconds({node.process.pid}) for code, node in net.nodes.items()}
        own = time.process_time()
        if args.overlap:
            rows, extract_s, pages = extract_overlapped(url, args.page)
        else:
            rows, extract_s, pages = extract(url, args.page, args.format)
        own = time.process_time() - own
        cpu = cpu_seconds(pgids) - cpu
        each = {code: cpu_seconds({net.nodes[code].process.pid}) - spent for code, spent in each.items()}
        assert rows == copy_rows == args.rows, (rows, copy_rows)
        wall = time.perf_counter()
        timings, failed = lookups(url, keys[50:], args.clients)
        wall = time.perf_counter() - wall
        summary = {
            "rows": rows, "page": args.page, "pages": pages, "format": args.format, "overlap": args.overlap,
            "copy": {"s": round(copy_s, 2), "rows_per_s": round(copy_rows / copy_s),
                     "client_cpu_us_per_row": round(copy_cpu / copy_rows * 1e6, 2)},
            "extract": {"s": round(extract_s, 2), "rows_per_s": round(rows / extract_s),
                        "nodes_cpu_s": round(cpu, 1), "nodes_cpu_us_per_row": round(cpu / rows * 1e6, 1),
                        "cpu_ms_per_1000_rows": {"provider_node": round(each[PROVIDER] / rows * 1e6, 2),
                                                 "consumer_node": round(each[CONSUMER] / rows * 1e6, 2),
                                                 "client": round(own / rows * 1e6, 2)}},
            "ratio": round(copy_s / extract_s, 3),
            "lookup": {"clients": args.clients, "lookups": len(timings), **percentiles(timings), "failed": failed,
                       "lookups_per_s": round(len(timings) / wall, 1)},
            "load": [round(x, 2) for x in os.getloadavg()],
        }
        print(json.dumps(summary))
        extracted, lookup = summary["extract"], summary["lookup"]
        benchlib.write_json(args.json, benchlib.result(
            title="bulk extract and lookups through two exchange nodes", started=started, load_start=load_start,
            baseline="`COPY rk TO STDOUT` of the same rows from the same PostgreSQL source, in the same run",
            figures=[
                benchlib.figure("`COPY … TO STDOUT` (baseline)", summary["copy"]["rows_per_s"], "rows/s", ratio=1.0),
                benchlib.figure(f"extract of {rows:,} rows, pages of {args.page:,}", extracted["rows_per_s"],
                                "rows/s", ratio=summary["ratio"], target="≥ 0.25",
                                note=f"nodes' CPU {extracted['nodes_cpu_us_per_row']} µs per row"),
                benchlib.figure(f"lookup by key, {args.clients} clients, p99", lookup.get("p99_ms"), "ms",
                                note=f"{lookup['lookups_per_s']} lookups/s, {lookup['failed']} failed")],
            details=summary))
    finally:
        net.stop()
        admin(base, f'DROP DATABASE IF EXISTS "{source_db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
