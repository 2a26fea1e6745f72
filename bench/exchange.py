"""Signed, logged round trips between two exchange nodes on loopback, against the same processes
exchanging unsigned, unlogged HTTP; the raw ES256 sign+verify rate; CPU per round trip.

    .venv/bin/python bench/exchange.py [--seconds 20] [--clients 16] [--workers 1] [--threads 16] [--tsa-interval 5]
        [--client http.client|httpx]

Needs PostgreSQL (``TEST_DATABASE_URL`` or ``DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/egov): it creates databases ``egov_xbench_*`` and drops them.
The platform (CA, OCSP, TSA) and two nodes run as separate processes; each client is a thread of
this process posting to the consumer node's local listener (one persistent ``http.client``
connection per thread by default; its CPU is printed apart from the nodes'), which signs, logs and sends over
mutual TLS (keep-alive) to the provider node, which checks, logs, answers signed; the consumer
checks and logs the answer. The baseline sends the same lookup through the same processes and
connection pool with no envelope, check or log. Prints one JSON line.
"""

import argparse
import http.client
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import benchlib
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("EGOV_CA_PASSPHRASE", "bench-ca-passphrase-2026")

from egov.exchange.tests.harness import Network, query  # noqa: E402

RUN = {"full": ["--seconds", "15"], "quick": ["--seconds", "2"]}

PROVIDER, CONSUMER = "11320200MB0000101G", "11320200MB0000102K"
PERSON = {
    "code": "320200-GA-001",
    "name": "人口基本信息",
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
        {
            "field": "address",
            "name": "住址",
            "data_type": "C",
            "sharing_type": "conditional",
            "sharing_condition": "户籍事项",
        },
    ],
}
GRANT = {
    "resource": "320200-GA-001",
    "consumer_code": CONSUMER,
    "consumer_name": "无锡市行政审批局",
    "fields": ["id_number", "name"],
    "purpose": "核验申请人身份",
    "legal_basis": "行政许可法第三十一条",
}
PERSON_ID = "11010519491231002X"


def cpu_seconds(pgids: set[int]) -> float:
    """User + system CPU seconds of every live process in the process groups ``pgids``."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in pgids:  # field 5 of stat: the process group
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _post_httpx(url: str, payload: bytes, stop: float, count: list[int]) -> None:
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < stop:
            try:
                ok = client.post(url, content=payload, headers={"Content-Type": "application/json"}).status_code == 200
            except httpx.HTTPError:
                ok = False
            count[0 if ok else 1] += 1


def _post_plain(url: str, payload: bytes, stop: float, count: list[int]) -> None:
    """One persistent ``http.client`` connection (HTTP/1.1 keep-alive), reopened after an error."""
    parts = urlsplit(url)
    headers = {"Content-Type": "application/json", "Content-Length": str(len(payload))}
    connection = None
    while time.monotonic() < stop:
        try:
            if connection is None:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            connection.request("POST", parts.path, body=payload, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException):
            ok = False
            if connection is not None:
                connection.close()
            connection = None
        count[0 if ok else 1] += 1
    if connection is not None:
        connection.close()


CLIENTS = {"http.client": _post_plain, "httpx": _post_httpx}


def load(url: str, body: dict, *, clients: int, seconds: float, client: str = "http.client") -> tuple[int, int, float]:
    """``clients`` threads post ``body`` to ``url`` for ``seconds`` with the client library ``client``
    (a key of ``CLIENTS``); returns (200 answers, others, CPU seconds this process spent meanwhile —
    the load generator's own cost, since the main thread only waits)."""
    counts = [[0, 0] for _ in range(clients)]
    payload = json.dumps(body).encode()
    stop = time.monotonic() + seconds
    post = CLIENTS[client]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    threads = [threading.Thread(target=post, args=(url, payload, stop, counts[i])) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return sum(c[0] for c in counts), sum(c[1] for c in counts), cpu


def sign_verify_rate(folder: Path, seconds: float = 3.0) -> float:
    """ES256 envelopes signed and verified per second in one thread (joserfc, cryptography)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from egov.exchange.envelope import Signer, envelope_check_signature, envelope_parse, envelope_sign

    signer = Signer(
        code=CONSUMER,
        key=load_pem_private_key((folder / "node.key").read_bytes(), None),
        chain=tuple(x509.load_pem_x509_certificates((folder / "node.pem").read_bytes())),
    )
    body = json.dumps({"id_number": PERSON_ID}).encode()
    done, stop = 0, time.monotonic() + seconds
    while time.monotonic() < stop:
        token = envelope_sign(
            signer=signer,
            body=body,
            claims={
                "id": f"{done:032x}",
                "kind": "request",
                "receiver": PROVIDER,
                "service": "person",
                "purpose": {"case": "SP1", "basis": "b"},
            },
        )
        envelope_check_signature(envelope_parse(token), body=body, receiver=PROVIDER, now=time.time(), window=300)
        done += 1
    return done / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per listener")
    parser.add_argument("--threads", type=int, default=16, help="threads per gunicorn worker")
    parser.add_argument(
        "--client",
        choices=sorted(CLIENTS),
        default="http.client",
        help="the load generator's HTTP client (the same for both halves)",
    )
    parser.add_argument("--tsa-interval", type=float, default=5.0, help="seconds between timestamp batches")
    parser.add_argument("--json", help="write the runner's result there (bench/benchlib.py)")
    args = parser.parse_args()
    started, load_start = time.time(), benchlib.load_average()
    base = (
        os.environ.get("TEST_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/egov"
    )
    folder = Path(tempfile.mkdtemp(prefix="egov-xbench-"))
    net = Network(base_url=base, folder=folder, prefix=f"egov_xbench_{os.getpid()}")
    try:
        net.create(
            [(PROVIDER, "无锡市公安局", "police.node.egov"), (CONSUMER, "无锡市行政审批局", "approval.node.egov")]
        )
        provider = net.nodes[PROVIDER]
        (provider.folder / "people.csv").write_text(
            "id_number,name,address\n11010519491231002X,张三,梁溪区人民中路1号\n", encoding="utf-8"
        )
        (provider.folder / "catalog.json").write_text(json.dumps({"resources": [PERSON], "grants": [GRANT]}))
        net.egov("exchange", "import", str(provider.folder / "catalog.json"), db=provider.db)
        settings = {
            "plain_baseline": True,
            "tsa_interval": args.tsa_interval,
            "tsa_batch_size": 10000,
            "ocsp_fresh": 300,
        }
        net.configure(
            PROVIDER,
            services={"person": {"resource": "320200-GA-001", "csv": "people.csv", "key": "id_number"}},
            **settings,
        )
        net.configure(CONSUMER, **settings)
        net.start_platform()
        for code in net.nodes:
            net.start(code, workers=args.workers, threads=args.threads)
        consumer = net.nodes[CONSUMER]
        body = {
            "purpose": {"case": "SP2026120400001", "basis": "《行政许可法》第三十一条"},
            "query": {"id_number": PERSON_ID},
        }
        signed_url = f"{consumer.local}/exchange/v1/outbound/{PROVIDER}/person"
        plain_url = f"{consumer.local}/bench/plain/outbound/{PROVIDER}/person"
        load(signed_url, body, clients=args.clients, seconds=3, client=args.client)  # warm-up: OCSP cache
        load(plain_url, body, clients=args.clients, seconds=2, client=args.client)
        pgids = {n.process.pid for n in net.nodes.values()} | {net.platform.pid}
        cpu0 = cpu_seconds(pgids)
        signed_ok, signed_failed, client_signed = load(
            signed_url, body, clients=args.clients, seconds=args.seconds, client=args.client
        )
        cpu_signed = cpu_seconds(pgids) - cpu0
        cpu0 = cpu_seconds(pgids)
        plain_ok, plain_failed, client_plain = load(
            plain_url, body, clients=args.clients, seconds=args.seconds, client=args.client
        )
        cpu_plain = cpu_seconds(pgids) - cpu0
        deadline = time.monotonic() + 2 * args.tsa_interval + 5  # let the last batch be timestamped
        while True:
            ((rows, batches, pending),) = query(
                provider.db,
                "SELECT count(*), count(DISTINCT batch_id), count(*) - count(batch_id) FROM exchange_loggedmessage",
            )
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        result = {
            "clients": args.clients,
            "seconds": args.seconds,
            "workers_per_listener": args.workers,
            "threads_per_worker": args.threads,
            "tsa_interval": args.tsa_interval,
            "signed_round_trips_per_s": round(signed_ok / args.seconds, 1),
            "signed_failed": signed_failed,
            "plain_round_trips_per_s": round(plain_ok / args.seconds, 1),
            "plain_failed": plain_failed,
            "ratio_signed_to_plain": round(signed_ok / plain_ok, 2) if plain_ok else None,
            "cpu_ms_per_signed_round_trip": round(1000 * cpu_signed / signed_ok, 2) if signed_ok else None,
            "cpu_ms_per_plain_round_trip": round(1000 * cpu_plain / plain_ok, 2) if plain_ok else None,
            "client": args.client,
            "client_cpu_ms_per_signed_round_trip": round(1000 * client_signed / signed_ok, 2) if signed_ok else None,
            "client_cpu_ms_per_plain_round_trip": round(1000 * client_plain / plain_ok, 2) if plain_ok else None,
            "es256_sign_and_verify_per_s": round(sign_verify_rate(consumer.folder), 1),
            "provider_log_rows": rows,
            "provider_timestamp_tokens": batches,
            "provider_rows_pending": pending,
        }
        print(json.dumps(result))
        r = result
        benchlib.write_json(args.json, benchlib.result(
            title="signed, logged round trips between two exchange nodes", started=started, load_start=load_start,
            baseline=f"the same lookup through the same processes with no envelope, check or log "
                     f"(`plain_baseline`), {args.clients} clients, {args.workers} worker × {args.threads} threads per "
                     "listener; CPU: the platform's and both nodes' processes (not PostgreSQL's)",
            figures=[
                benchlib.figure("signed round trips", r["signed_round_trips_per_s"], "per s",
                                ratio=r["ratio_signed_to_plain"], cpu_ms=r["cpu_ms_per_signed_round_trip"],
                                baseline_cpu_ms=r["cpu_ms_per_plain_round_trip"], target="≥ 0.5×, ≥ 200/s",
                                note=f"{r['signed_failed']} failed; load generator "
                                     f"{r['client_cpu_ms_per_signed_round_trip']} CPU ms each"),
                benchlib.figure("unsigned round trips (baseline)", r["plain_round_trips_per_s"], "per s", ratio=1.0,
                                cpu_ms=r["cpu_ms_per_plain_round_trip"],
                                note=f"load generator {r['client_cpu_ms_per_plain_round_trip']} CPU ms each"),
            ], details=result))
    finally:
        net.stop()


if __name__ == "__main__":
    main()
