"""Lookup by ID number at 1,000,000 rows of the population register, through two exchange nodes and
in process (issue 15's benchmark, its second half; the import is ``registries.py``).

    .venv/bin/python bench/registries_exchange.py [--rows 1000000] [--lookups 2000] [--clients 1]

Needs PostgreSQL (``TEST_DATABASE_URL`` or ``DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/egov): it creates databases ``egov_rxbench_*`` and drops them.
The platform (CA, OCSP, TSA) and two nodes run as separate processes, started as ``exchange.py``
starts them (``egov.exchange.tests.harness.Network``). The provider's register is loaded with
``egov registries import population`` (the fastest existing path: rows checked, new rows by ``COPY``)
from the rows ``registries.py`` generates; its service is ``source = "population"``. Each lookup is a
POST to the consumer node's local listener for a random person: the consumer signs, logs and sends
over mutual TLS; the provider checks the grant, reads the row (``registries.selectors.record_read``,
audited on the row), cuts it to the granted 信息项 and answers signed; the consumer checks and logs.
``--clients`` threads post at once (1: latency alone). Then the same keys are read in this process
from the provider's database with ``record_read`` (the read the node does, without the exchange).
Prints one JSON line: milliseconds, p50 and p99, each lookup answered 200 with the record.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import benchlib
import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from exchange import CONSUMER, PROVIDER, Network, query  # noqa: E402  (also puts src/ on the path)
from registries import generate  # noqa: E402

RUN = {"full": ["--rows", "1000000", "--lookups", "2000"], "quick": ["--rows", "2000", "--lookups", "30"]}

RESOURCE = {
    "code": "320200-GA-0001",
    "name": "人口基础信息",
    "classification": "1-01-001",
    "catalog": "basic",
    "provider_code": PROVIDER,
    "provider_name": "无锡市公安局",
    "format": "database",
    "update_cycle": "daily",
    "published_on": "2026-11-01",
    "items": [
        {"field": "id_number", "name": "公民身份号码", "data_type": "C", "sharing_type": "unconditional"},
        {"field": "name", "name": "姓名", "data_type": "C", "sharing_type": "unconditional"},
        {"field": "sex", "name": "性别", "data_type": "C", "sharing_type": "unconditional"},
        {
            "field": "household_address",
            "name": "户籍地址",
            "data_type": "C",
            "sharing_type": "conditional",
            "sharing_condition": "户籍事项",
        },
    ],
}
GRANT = {
    "resource": "320200-GA-0001",
    "consumer_code": CONSUMER,
    "consumer_name": "无锡市行政审批局",
    "fields": ["id_number", "name", "sex"],
    "purpose": "核验申请人身份",
    "legal_basis": "行政许可法第三十一条",
}
PURPOSE = {"case": "SP2026120500001", "basis": "《优化营商环境条例》第三十五条"}


def percentiles(timings: list[float]) -> dict:
    """p50 and p99 (nearest rank) of ``timings`` in milliseconds."""
    ordered = sorted(timings)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[max(0, -(-len(ordered) * 99 // 100) - 1)], 2),
    }


def through_nodes(url: str, keys: list[str], clients: int) -> tuple[list[float], int]:
    """Post one lookup per key from ``clients`` threads (one keep-alive connection each); returns
    the milliseconds of each and how many did not answer 200 with that person's record."""
    timings: list[float] = []
    failed = [0]
    lock = threading.Lock()
    shares = [keys[i::clients] for i in range(clients)]

    def client(share: list[str]) -> None:
        with httpx.Client(timeout=30) as http:
            for key in share:
                start = time.perf_counter()
                answer = http.post(url, json={"purpose": PURPOSE, "query": {"id_number": key}})
                took = (time.perf_counter() - start) * 1000
                ok = answer.status_code == 200 and answer.json()["record"]["id_number"] == key
                with lock:
                    timings.append(took)
                    failed[0] += 0 if ok else 1

    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, failed[0]


def in_process(db: str, keys: list[str]) -> list[float]:
    """``record_read`` of each key in this process, on the provider's database (audited like the node's)."""
    os.environ.update({"DJANGO_SETTINGS_MODULE": "egov.settings", "EGOV_ENV": "test", "DATABASE_URL": db})
    import django

    django.setup()
    from django.db import connections

    from egov.registries.selectors import record_read

    timings = []
    try:
        for key in keys:
            start = time.perf_counter()
            record = record_read(
                register="population", key=key, organization=None, purpose={**PURPOSE, "consumer": CONSUMER}
            )
            timings.append((time.perf_counter() - start) * 1000)
            assert record is not None and record["id_number"] == key
    finally:
        connections.close_all()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker of each listener")
    parser.add_argument("--json", help="write the runner's result there (bench/benchlib.py)")
    args = parser.parse_args()
    started, load_start = time.time(), benchlib.load_average()
    base = (
        os.environ.get("TEST_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/egov"
    )
    folder = Path(tempfile.mkdtemp(prefix="egov-rxbench-"))
    net = Network(base_url=base, folder=folder, prefix=f"egov_rxbench_{os.getpid()}")
    try:
        net.create(
            [(PROVIDER, "无锡市公安局", "police.node.egov"), (CONSUMER, "无锡市行政审批局", "approval.node.egov")]
        )
        provider = net.nodes[PROVIDER]
        content = generate(args.rows)
        people = provider.folder / "people.csv"
        people.write_bytes(content)
        keys = [line.split(b",", 1)[0].decode() for line in content.splitlines()[1:]]
        del content
        start = time.perf_counter()
        loaded = net.egov(
            "registries", "import", "population", str(people), "--source", "无锡市公安局", db=provider.db, timeout=3600
        )
        load_s = time.perf_counter() - start
        counts = json.loads(loaded.stdout.strip().splitlines()[-1])
        assert counts["imported"] == args.rows, counts
        ((rows,),) = query(provider.db, "SELECT count(*) FROM registries_populationrecord")
        (provider.folder / "catalog.json").write_text(json.dumps({"resources": [RESOURCE], "grants": [GRANT]}))
        net.egov("exchange", "import", str(provider.folder / "catalog.json"), db=provider.db)
        settings = {"tsa_interval": 5.0, "tsa_batch_size": 10000, "ocsp_fresh": 300}
        net.configure(
            PROVIDER,
            services={"person": {"resource": "320200-GA-0001", "source": "population", "key": "id_number"}},
            **settings,
        )
        net.configure(CONSUMER, **settings)
        net.start_platform()
        for code in net.nodes:
            net.start(code, threads=args.threads)
        url = f"{net.nodes[CONSUMER].local}/exchange/v1/outbound/{PROVIDER}/person"
        chooser = random.Random(2026)
        warm = chooser.sample(keys, 50)
        sample = chooser.sample(keys, args.lookups)
        through_nodes(url, warm, 1)  # connections, OCSP cache, grant cache
        wall = time.perf_counter()
        timings, failed = through_nodes(url, sample, args.clients)
        wall = time.perf_counter() - wall
        local = in_process(provider.db, chooser.sample(keys, args.lookups))
        result = {
            "rows": rows,
            "lookups": args.lookups,
            "clients": args.clients,
            "load_s": round(load_s, 1),
            "load_rows_per_s": round(rows / load_s),
            "two_nodes": {**percentiles(timings), "failed": failed, "lookups_per_s": round(len(timings) / wall, 1)},
            "in_process": percentiles(local),
        }
        print(json.dumps(result))
        nodes, local = result["two_nodes"], result["in_process"]
        benchlib.write_json(args.json, benchlib.result(
            title=f"a person looked up by ID number through two exchange nodes ({rows:,} rows)", started=started,
            load_start=load_start,
            baseline="the same read in the benchmark's process (`record_read`, audited), without the exchange; "
                     "ratio: its p50 over the p50 through the nodes",
            figures=[
                benchlib.figure("lookup through two nodes, p99", nodes["p99_ms"], "ms",
                                ratio=round(local["p50_ms"] / nodes["p50_ms"], 2) if nodes["p50_ms"] else None,
                                note=f"p50 {nodes['p50_ms']} ms; {nodes['lookups_per_s']} lookups/s, "
                                     f"{args.clients} client(s); {nodes['failed']} failed"),
                benchlib.figure("lookup in process (baseline), p99", local["p99_ms"], "ms", ratio=1.0,
                                note=f"p50 {local['p50_ms']} ms"),
                benchlib.figure("register loaded by `egov registries import`", result["load_rows_per_s"], "rows/s"),
            ], details=result))
    finally:
        net.stop()


if __name__ == "__main__":
    main()
