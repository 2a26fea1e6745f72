"""The failover drill (issue 22 item 3): during a burst of submissions, kill the primary.

    .venv/bin/python deploy/local/failover_drill.py [--dir DIR] [--clients N] [--before S] [--after S]

Against a layout started with ``deploy/local/up --demo-data`` (``--dir``; without it the drill
starts one in a new directory and stops it at the end, leaving the logs, and the databases only
with ``--keep-data``):

1. makes N real-name verified citizens with a signed-in session each (``bench/service_hall.py``'s
   set-up, run with the layout's secret key);
2. N clients submit applications (企业设立登记, ``POST /api/v1/services/applications``) through nginx
   (the public site's TLS server block), each with its own Idempotency-Key; an answer that is not
   2xx, or no answer, is sent again with the same key after 0.25 s, as a citizen's browser or app
   does, until it is answered 2xx;
3. after ``--before`` seconds, SIGKILL to the leader's postmaster (``postmaster.pid`` of the node
   Patroni names leader): Patroni (``primary_start_timeout: 0``) fails over to the synchronous
   replica, HAProxy follows ``GET /primary``, PgBouncer's new server connections reach the new
   primary, Django reconnects (``CONN_HEALTH_CHECKS``), the intake worker is started again by the
   supervisor;
4. the burst goes on until ``--after`` seconds of answers after service came back, then every
   client finishes the submission in hand; the intake worker empties the queue;
5. counts in the new primary (through HAProxy): every Idempotency-Key answered 2xx has its intake
   record and its case, none twice.

Prints one JSON line: ``acknowledged`` (keys answered 2xx), ``present_after_failover`` (of those, with
a case in the database), ``duplicates`` (keys with more than one intake record or case),
``seconds_without_service`` (the longest time no submission was answered 2xx, around the kill),
``retries``, ``new_leader``, ``old_primary_rejoined``, ``prometheus_scrapes_staff``, ``load_average``
(before, after), and the seconds each phase took. Exit status 1 when an acknowledged submission is missing or doubled.
"""

import argparse
import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "bench"))
import layout as layout_module  # noqa: E402
from service_hall import FORM, SETUP  # noqa: E402


def leader(lay: layout_module.Layout) -> str | None:
    """The name of the Patroni leader (``node1``/``node2``), from either node's ``/cluster``."""
    for n in (1, 2):
        members = layout_module.http_json(f"http://127.0.0.1:{lay.port[f'rest{n}']}/cluster").get("members", [])
        for member in members:
            if member.get("role") in ("leader", "master", "primary") and member.get("state") == "running":
                return member["name"]
    return None


def citizens(lay: layout_module.Layout, n: int) -> dict:
    """``n`` signed-in citizens (``bench/service_hall.py`` SETUP): sessions, the item, its materials;
    made once per layout (kept in ``citizens.json``: their ID numbers are fixed) and reused."""
    kept = lay.dir / "citizens.json"
    if kept.exists() and len(json.loads(kept.read_text())["sessions"]) >= n:
        setup = json.loads(kept.read_text())
        return {**setup, "sessions": setup["sessions"][:n]}
    env = {**lay.egov_env("all"), "EGOV_ENV": "demo", "DJANGO_SETTINGS_MODULE": "egov.settings"}
    completed = subprocess.run([sys.executable, "-c", SETUP, str(n)], env=env, capture_output=True, text=True,
                               cwd=ROOT)
    if completed.returncode != 0:
        raise SystemExit(f"drill: set-up failed:\n{completed.stderr[-3000:]}")
    setup = json.loads(completed.stdout.strip().splitlines()[-1])
    kept.write_text(json.dumps(setup))
    return setup


class Burst:
    """N clients submitting through nginx, each retrying a submission with its key until 2xx."""

    def __init__(self, base: str, setup: dict, tag: str):
        import httpx

        csrf = secrets.token_hex(16)
        self.base, self.setup, self.tag = base, setup, tag
        self.clients = [httpx.Client(base_url=base, timeout=10, verify=False,  # noqa: S501 - the layout's own certificate
                                     cookies={"sessionid": key, "csrftoken": csrf},
                                     headers={"X-CSRFToken": csrf, "Referer": base + "/"})
                        for key in setup["sessions"]]
        self.acknowledged: dict[str, float] = {}  # key -> time of its 2xx answer
        self.successes: list[float] = []  # every 2xx answer's time
        self.failures: list[str] = []
        self.retries = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(len(self.clients))]

    def _payload(self, index: int, n: int) -> dict:
        def material(pk: int) -> str:
            text = f"%PDF-1.7\n% failover drill {self.tag} {index}-{n}-{pk} {secrets.token_hex(8)}\n%%EOF\n"
            return base64.b64encode(text.encode()).decode()

        return {"item": self.setup["item"], "form": FORM,
                "materials": {str(pk): material(pk) for pk in self.setup["materials"]}}

    def _run(self, index: int) -> None:
        import httpx

        client, n = self.clients[index], 0
        while not self.stop.is_set():
            key = f"drill-{self.tag}-{index:02d}-{n:06d}"
            payload = self._payload(index, n)  # the same content on every retry: same key, same digest
            while True:  # until answered 2xx: a submission in hand is finished even after stop
                try:
                    response = client.post("/api/v1/services/applications", json=payload,
                                           headers={"Idempotency-Key": key})
                    status = response.status_code
                except httpx.HTTPError as error:
                    status, response = 0, None
                    detail = type(error).__name__
                now = time.monotonic()
                if 200 <= status < 300:
                    with self.lock:
                        self.acknowledged[key] = now
                        self.successes.append(now)
                    break
                with self.lock:
                    self.retries += 1
                    if len(self.failures) < 20:
                        self.failures.append(f"{status} {response.text[:160] if response is not None else detail}")
                if status and 400 <= status < 500 and status not in (408, 409, 429):
                    return  # our own mistake (a bad request): retrying would not help
                time.sleep(0.25)
            n += 1

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self, seconds: float) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=seconds)


def count(lay: layout_module.Layout, keys: list[str], tag: str) -> dict:
    """What the (new) primary holds for the drill's keys: intake records and cases per key."""
    import psycopg

    with psycopg.connect(lay.superuser_url("egov"), connect_timeout=5) as connection:
        intake = dict(connection.execute(
            "SELECT idempotency_key, count(*) FROM services_intakerecord WHERE idempotency_key LIKE %s "
            "GROUP BY idempotency_key", [f"drill-{tag}-%"]).fetchall())
        cases = dict(connection.execute(
            "SELECT idempotency_key, count(*) FROM services_application WHERE idempotency_key LIKE %s "
            "GROUP BY idempotency_key", [f"drill-{tag}-%"]).fetchall())
        waiting = connection.execute("SELECT count(*) FROM services_intakerecord WHERE state = 'waiting'").fetchone()[0]
        failed = connection.execute("SELECT count(*) FROM services_intakerecord WHERE state = 'failed' "
                                    "AND idempotency_key LIKE %s", [f"drill-{tag}-%"]).fetchone()[0]
    return {"intake": intake, "cases": cases, "waiting": waiting, "failed": failed,
            "present": sum(1 for key in keys if intake.get(key) == 1 and cases.get(key) == 1),
            "duplicates": sum(1 for c in (*intake.values(), *cases.values()) if c > 1)}


def prometheus_up(lay: layout_module.Layout) -> bool | None:
    """Whether the layout's Prometheus scrapes the staff site's ``/metrics`` (``up{job="egov"}`` is 1);
    None without Prometheus."""
    if "prometheus" not in layout_module.Layout(lay.dir).status()["processes"]:
        return None
    answer = layout_module.http_json(f"http://127.0.0.1:{lay.port['prometheus']}/api/v1/query?query=up")
    results = answer.get("data", {}).get("result", [])
    return any(r["metric"].get("job") == "egov" and r["value"][1] == "1" for r in results)


def longest_gap(times: list[float], start: float, end: float) -> float:
    """The longest stretch within [start, end] with no 2xx answer (seconds)."""
    points = [start, *sorted(t for t in times if start < t < end), end]
    return max(b - a for a, b in zip(points, points[1:], strict=False))


def drill(lay: layout_module.Layout, *, clients: int, before: float, after: float, deadline: float) -> dict:
    """Run the drill against the layout ``lay`` (started, with the demo data); the figures as a dict."""
    load_before = os.getloadavg()
    phases = {}
    began = time.monotonic()
    setup = citizens(lay, clients)
    phases["setup_s"] = round(time.monotonic() - began, 1)
    tag = secrets.token_hex(3)
    burst = Burst(f"https://127.0.0.1:{lay.port['public_tls']}", setup, tag)
    old = leader(lay)
    if old is None:
        raise SystemExit("drill: no Patroni leader before the drill")
    burst.start()
    time.sleep(before)
    pid = int((lay.dir / old / "data" / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    acknowledged_at_kill = len(burst.acknowledged)
    stop = killed + deadline
    new = None
    while time.monotonic() < stop:  # service back: a new leader and answers after the kill for `after` s
        new = new or (leader(lay) if leader(lay) not in (None, old) else None)
        back = [t for t in burst.successes if t > killed]
        if new and back and time.monotonic() - back[0] >= after:
            break
        time.sleep(0.5)
    burst.finish(60)
    ended = time.monotonic()
    back = sorted(t for t in burst.successes if t > killed)
    keys = list(burst.acknowledged)
    drained = time.monotonic() + 180
    result = count(lay, keys, tag)
    while result["waiting"] and time.monotonic() < drained:  # the intake worker makes the cases
        time.sleep(1)
        result = count(lay, keys, tag)
    rejoin_until = time.monotonic() + 60
    rejoined = False
    while time.monotonic() < rejoin_until and not rejoined:
        info = layout_module.http_json(f"http://127.0.0.1:{lay.port['rest' + old[-1]]}/patroni")
        rejoined = info.get("role") == "replica" and info.get("state") == "running"
        time.sleep(1)
    return {
        "prometheus_scrapes_staff": prometheus_up(lay),
        "acknowledged": len(keys), "present_after_failover": result["present"], "duplicates": result["duplicates"],
        "seconds_without_service": round(longest_gap(burst.successes, killed - 1, back[0] if back else ended), 2),
        "first_answer_after_kill_s": round(back[0] - killed, 2) if back else None,
        "acknowledged_before_kill": acknowledged_at_kill, "acknowledged_after_kill": len(back),
        "retries": burst.retries, "failed_intake": result["failed"], "still_waiting": result["waiting"],
        "clients": clients, "old_leader": old, "new_leader": new or leader(lay), "old_primary_rejoined": rejoined,
        "first_failures": burst.failures[:5], "setup_s": phases["setup_s"],
        "burst_s": round(ended - began - phases["setup_s"], 1),
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", help="a layout started with --demo-data (default: start one, stop it after)")
    parser.add_argument("--base-port", type=int, default=18500, help="ports of the layout started here")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--before", type=float, default=8, help="seconds of burst before the kill")
    parser.add_argument("--after", type=float, default=5, help="seconds of answers after service is back")
    parser.add_argument("--deadline", type=float, default=120, help="seconds after the kill before giving up")
    parser.add_argument("--keep-data", action="store_true",
                        help="keep the databases of a layout started here (default: only its logs stay)")
    args = parser.parse_args(argv)
    started_here = None
    if args.dir:
        directory = Path(args.dir).resolve()
    else:
        import tempfile

        directory = Path(tempfile.mkdtemp(prefix="egov-drill-"))
        began = time.monotonic()
        status = layout_module.up(directory, args.base_port, True, 900)
        if status != 0:
            return status
        started_here = round(time.monotonic() - began, 1)
    try:
        result = drill(layout_module.Layout(directory), clients=args.clients, before=args.before, after=args.after,
                       deadline=args.deadline)
        result["layout_up_s"] = started_here
    finally:
        if started_here is not None:
            layout_module.down(directory)
            if not args.keep_data:  # ~300 MB a run: the two clusters, etcd, Prometheus, the var dir
                import shutil

                for name in ("node1/data", "node2/data", "etcd", "prometheus", "var"):
                    shutil.rmtree(directory / name, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))
    ok = result["acknowledged"] > 0 and result["present_after_failover"] == result["acknowledged"] \
        and result["duplicates"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
