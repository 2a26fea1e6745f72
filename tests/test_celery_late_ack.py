"""A task taken by a worker killed with SIGKILL runs again (issue 22 item 1), on RabbitMQ and on the
embedded broker (egov.core.broker): real worker processes, the whole worker (main process and pool)
killed mid-task, then a fresh worker started."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[1]
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def _worker(env: dict, queue: str, log: Path) -> subprocess.Popen:
    argv = [sys.executable, "-m", "celery", "-A", "tests.celery_kill_app", "worker", "--pool", "prefork",
            "--concurrency", "1", "--queues", queue, "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--hostname", f"{queue}-{uuid.uuid4().hex[:6]}@localhost"]
    return subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _wait_for(predicate, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s; worker log:\n{log.read_text()[-4000:]}")


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def _rabbitmq_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("killed", ["worker", "pool process"])
@pytest.mark.parametrize("broker", ["embedded", "rabbitmq"])
def test_a_task_whose_worker_is_killed_with_sigkill_runs_again_once(broker, killed, tmp_path):
    """``worker``: the main process and its pool child die, a fresh worker takes the task again (the
    broker gives it back: RabbitMQ when the connection drops, the embedded broker after the visibility
    timeout). ``pool process``: only the child running the task dies; its worker gives the task back
    (``task_reject_on_worker_lost``) and runs it in a new child."""
    if broker == "rabbitmq" and not _rabbitmq_up():
        pytest.skip("RabbitMQ is not listening on 127.0.0.1:5672")
    url = RABBITMQ if broker == "rabbitmq" else f"egovsqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    queue = f"ops-test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "EGOV_ENV": "test", "CELERY_TASK_ALWAYS_EAGER": "0", "CELERY_BROKER_URL": url,
           "EGOV_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "EGOV_TASK_VISIBILITY_TIMEOUT": "4", "PYTHONPATH": str(ROOT)}
    record, log = tmp_path / "runs.txt", tmp_path / "worker.log"

    sender = Celery("sender", broker=url)
    first = _worker(env, queue, log)
    second = None
    try:
        sender.send_task("ops_test.record_run", args=[str(record), 120], queue=queue)
        _wait_for(lambda: len(_lines(record)) == 1, 90, "the first worker starts the task", log)
        if killed == "worker":
            _kill_group(first)  # the main process and its pool child, mid-task: nothing acknowledged
            second = _worker(env, queue, log)
        else:
            os.kill(int(_lines(record)[0].split()[1]), signal.SIGKILL)  # the child that runs the task
        _wait_for(lambda: "done" in _lines(record), 90, "the task runs again", log)
        time.sleep(6)  # longer than the visibility timeout: the acknowledged task does not come back
        runs = _lines(record)
        assert [line.split()[0] for line in runs] == ["start", "start", "done"]
        assert runs[0] != runs[1]  # two processes: the killed one and a fresh one
        if broker == "embedded":  # the acknowledged message is deleted, in egov's own table
            with sqlite3.connect(tmp_path / "broker.sqlite3") as db:
                assert db.execute("SELECT count(*) FROM egov_broker_message").fetchone() == (0,)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                _kill_group(process)
        if broker == "rabbitmq":
            with sender.connection_for_write() as connection:
                connection.default_channel.queue_delete(queue)
