"""The failover drill (issue 22 item 3) on the one-machine production layout (item 1): real
processes on loopback — etcd, two Patroni nodes (primary and synchronous replica), HAProxy,
PgBouncer, nginx, ``egov serve`` per site, the intake and Celery workers — the primary's postmaster
killed with SIGKILL during a burst of submissions. Bounded: the layout's start (10 min under load)
and the drill (2 min after the kill) have deadlines. Skipped only when a Debian package the layout
needs is missing (``make install`` installs them as root)."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy" / "local"))
import layout  # noqa: E402


def _free_base_port() -> int:
    """A base port with the 14 ports after it free (the layout's ports, deploy/local/layout.py)."""
    for base in range(19000, 29000, 50):
        ports = range(base, base + len(layout.PORTS))
        if all(_free(port) for port in ports):
            return base
    raise RuntimeError("no 14 free ports in a row")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _rabbitmq_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
        return True
    except OSError:
        return False


def test_killing_the_primary_during_a_burst_loses_no_acknowledged_submission_and_doubles_none():
    missing = layout.missing_programs()
    if missing:
        pytest.skip(f"Debian packages missing for the layout: {', '.join(missing)} (make install as root)")
    if not _rabbitmq_up():
        pytest.skip("RabbitMQ is not listening on 127.0.0.1:5672 (the layout's Celery broker)")
    completed = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "local" / "failover_drill.py"), "--base-port", str(_free_base_port()),
         "--clients", "6", "--before", "8", "--after", "5", "--deadline", "120"],
        capture_output=True, text=True, timeout=1400, cwd=ROOT)
    assert completed.stdout.strip(), completed.stderr[-4000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    print(json.dumps(result, ensure_ascii=False))  # the figures, in the test's output (-s)
    assert result["acknowledged_before_kill"] > 0 and result["acknowledged_after_kill"] > 0, result
    assert result["present_after_failover"] == result["acknowledged"], result
    assert result["duplicates"] == 0 and result["failed_intake"] == 0 and result["still_waiting"] == 0, result
    assert result["new_leader"] not in (None, result["old_leader"]), result
    # Patroni's loop (2 s) and HAProxy's checks (1 s, 2 to rise) bound it on a quiet machine; the
    # bound here leaves room for a loaded one.
    assert result["seconds_without_service"] < 60, result
    assert completed.returncode == 0, completed.stderr[-4000:]
