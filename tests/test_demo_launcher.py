"""``egov demo``'s launcher: its web server and worker die with it, even when it is killed with
SIGKILL (tester, issue 12: gunicorn and celery stayed, re-parented to pid 1, and a restart found the
port in use). Real processes: a launcher starts ``egov serve`` and ``egov worker`` as the demo
does, is SIGKILLed, and the port must be free again within a few seconds."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAUNCHER = textwrap.dedent("""
    import os, sys, time
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    import django
    django.setup()
    from egov.management.commands.demo import child_process_start
    egov = [sys.executable, "-m", "egov.cli"]
    serve = child_process_start([*egov, "serve", "--host", "127.0.0.1", "--port", sys.argv[1], "--threads", "2"])
    worker = child_process_start([*egov, "worker", "--concurrency", "1"])
    print(serve.pid, worker.pid, flush=True)
    time.sleep(600)
""")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its new parent) no longer runs.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux's")
def test_sigkill_of_the_launcher_stops_the_server_and_the_worker(tmp_path):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(EGOV_ENV="demo", EGOV_VAR_DIR=str(tmp_path), EGOV_SITE="all")
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(port)], env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    children: list[int] = []
    try:
        children = [int(pid) for pid in launcher.stdout.readline().split()]
        assert len(children) == 2
        deadline = time.monotonic() + 120
        while not _answers(port):  # the demo is up: gunicorn's worker has loaded the site
            assert time.monotonic() < deadline, "the server never answered"
            time.sleep(0.5)
        os.kill(launcher.pid, signal.SIGKILL)
        launcher.wait(timeout=10)
        deadline = time.monotonic() + 8
        while _listening(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _listening(port), "the server outlived its launcher"
        with socket.socket() as probe:  # a restarted demo can bind the port again
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in children if _alive(pid)], "a child outlived its launcher"
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if launcher.poll() is None:
            launcher.kill()


SUPERVISOR = textwrap.dedent("""
    import os, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    import django
    django.setup()
    from egov.management.commands.demo import DemoChild, supervise
    # A stand-in for `egov intake work`: records its pid, then waits to be killed.
    standin = "import os, sys, time; open(sys.argv[1], 'a').write(f'{os.getpid()}\\\\n'); time.sleep(600)"
    child = DemoChild("intake", [sys.executable, "-c", standin, sys.argv[1]], restart=True)
    failed = supervise([child], should_stop=lambda: False, log=lambda line: print(line, flush=True),
                       per_minute=2, poll_seconds=0.1)
    print("failed:", *failed, flush=True)
    sys.exit(1 if failed else 0)
""")


def _pids(path: Path, count: int) -> list[int]:
    deadline = time.monotonic() + 60
    while True:
        pids = [int(line) for line in path.read_text().split()] if path.exists() else []
        if len(pids) >= count:
            return pids
        assert time.monotonic() < deadline, f"the worker was not started ({len(pids)} of {count})"
        time.sleep(0.1)


def test_a_killed_background_worker_is_started_again_at_most_n_times_a_minute(tmp_path):
    """The intake worker killed used to stop the whole demo (the drills, session 8): it is started
    again with a log line, twice here (``per_minute=2``); a third death within the minute stops it."""
    pidfile = tmp_path / "pids"
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(EGOV_ENV="demo", EGOV_VAR_DIR=str(tmp_path), EGOV_SITE="all")
    launcher = subprocess.Popen([sys.executable, "-c", SUPERVISOR, str(pidfile)], env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for restart in (1, 2):
            first = _pids(pidfile, restart)[-1]
            os.kill(first, signal.SIGKILL)
            line = launcher.stdout.readline()
            assert f"intake (pid {first}) stopped with exit status -9" in line, line
            assert f"starting it again ({restart} of at most 2 a minute)" in line
            again = _pids(pidfile, restart + 1)[-1]
            assert again != first and _alive(again) and launcher.poll() is None
        os.kill(again, signal.SIGKILL)
        assert launcher.wait(timeout=30) == 1
        assert launcher.stdout.read().strip() == "failed: intake"
    finally:
        for pid in (_pids(pidfile, 1) if pidfile.exists() else []):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if launcher.poll() is None:
            launcher.kill()
