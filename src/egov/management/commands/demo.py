import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from egov.demo import demo_load


def _port_free_or_fail(host: str, port: int) -> None:
    """Exit 2 with one line when ``host:port`` is taken (e.g. an earlier demo still running)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does: TIME_WAIT is fine
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CommandError(f"{host}:{port} is in use ({error.strerror}): stop what serves it or choose another "
                               "port (egov demo --port N, make demo PORT=N)", returncode=2) from None


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent_pid: int):
    """The ``preexec_fn`` of a demo child: on Linux, ask the kernel to send it SIGTERM when the
    launcher dies (``prctl(PR_SET_PDEATHSIG)``, prctl(2)), however it dies — ``kill -9`` included,
    which no handler of the launcher's can catch. The setting survives ``execve`` (``egov serve``
    execs gunicorn, ``egov worker`` celery), so the gunicorn and celery masters get the SIGTERM and
    stop their own workers. If the launcher died before the call, the child stops at once.
    Elsewhere (no prctl) nothing is set: Ctrl-C and SIGTERM still stop the children."""

    def preexec() -> None:
        if not sys.platform.startswith("linux"):
            return
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            os._exit(70)
        if os.getppid() != parent_pid:  # the launcher is gone already: the signal will never come
            os._exit(0)

    return preexec


def child_process_start(argv: list[str], **popen_kwargs) -> subprocess.Popen:
    """Start ``argv`` as a child of this process that dies with it (``_die_with_parent``), so that a
    demo killed with SIGKILL leaves no gunicorn or celery behind holding the port."""
    return subprocess.Popen(argv, preexec_fn=_die_with_parent(os.getpid()), **popen_kwargs)


# How many times a minute a background child (the Celery worker, the intake worker) is started again
# after it died; one more death within the minute stops the demo (something is broken, not flaky).
RESTARTS_PER_MINUTE = 3


@dataclass
class DemoChild:
    """One process of the demo: ``name`` for the log, ``argv``, and whether it is started again when
    it dies (``restart``: the background workers; the web server is not — without it there is no demo)."""

    name: str
    argv: list[str]
    restart: bool = False
    process: subprocess.Popen | None = None
    restarted_at: deque = field(default_factory=deque)  # monotonic seconds of the restarts in the last minute


def supervise(children: list[DemoChild], *, should_stop: Callable[[], bool], log: Callable[[str], None],
              per_minute: int = RESTARTS_PER_MINUTE, poll_seconds: float = 0.5) -> list[str]:
    """Start ``children`` (``child_process_start``) and watch them until ``should_stop()``: a child with
    ``restart`` that exits is started again, with a ``log`` line, at most ``per_minute`` times in any
    60 seconds; any other exit (the web server, or a worker dying once more within the minute) ends
    the watch. Every child still running is then terminated (SIGTERM, SIGKILL after 20 s).

    Returns:
        The names of the children that stopped on their own and ended the watch; ``[]`` when
        ``should_stop()`` ended it."""
    for child in children:
        child.process = child_process_start(child.argv)
    failed: list[str] = []
    try:
        while not failed and not should_stop():
            for child in children:
                code = child.process.poll()
                if code is None:
                    continue
                now = time.monotonic()
                while child.restarted_at and now - child.restarted_at[0] >= 60:
                    child.restarted_at.popleft()
                if child.restart and len(child.restarted_at) < per_minute:
                    child.restarted_at.append(now)
                    log(f"egov demo: {child.name} (pid {child.process.pid}) stopped with exit status {code}; "
                        f"starting it again ({len(child.restarted_at)} of at most {per_minute} a minute)")
                    child.process = child_process_start(child.argv)
                else:
                    failed.append(child.name)
            if not failed:
                time.sleep(poll_seconds)
    finally:
        for child in children:
            if child.process.poll() is None:
                child.process.terminate()
        for child in children:
            try:
                child.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.process.kill()
    return [] if should_stop() else failed


class Command(BaseCommand):
    help = "Migrate, load the demo city, then run the web server and the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--prepare-only", action="store_true", help="migrate and load demo data; start nothing")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, prepare_only, host, port, **options):
        if not prepare_only:
            _port_free_or_fail(host, port)
        if "EGOV_PUBLIC_URL" not in os.environ:
            # Links to the public site (staff search hits, certificates' CRL and OCSP addresses, QR
            # codes) point at this demo's own address; the worker and the server inherit it.
            settings.EGOV_PUBLIC_URL = os.environ["EGOV_PUBLIC_URL"] = f"http://{host}:{port}"
        call_command("migrate", interactive=False, verbosity=0)
        signins = demo_load()
        self.stdout.write(f"database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(f"public address in links, certificates and QR codes: {settings.EGOV_PUBLIC_URL}")
        self.stdout.write("demo sign-ins (site, sign-in name, password, who):")
        for site, username, password, note in signins.rows:
            self.stdout.write(f"  {site:6}  {username:20}  {password}  {note}")
        for organization, rows in signins.by_organization.items():
            self.stdout.write(f"  {organization}:")
            for site, username, password, note in rows:
                self.stdout.write(f"    {site:6}  {username:18}  {password}  {note}")
        if prepare_only:
            return
        self.stdout.write(f"public site: http://{host}:{port}/   staff site: http://{host}:{port}/staff/")
        self.stdout.write("press Ctrl-C to stop")
        self.stdout.flush()
        egov = [sys.executable, "-m", "egov.cli"]
        children = [
            # Threads: a browser's idle or slow connections must not hold every worker of the demo.
            DemoChild("serve", [*egov, "serve", "--host", host, "--port", str(port), "--threads", "4"]),
            DemoChild("worker", [*egov, "worker", "--concurrency", "1"], restart=True),
            # 内网办理: turns the public site's intake records into cases (egov.services.actions.intake),
            # below the server's priority (in the demo's session, where nice(2) acts: docs/operations.md).
            DemoChild("intake", [*egov, "intake", "work", "--nice", "10"], restart=True),
        ]
        stop = False

        def on_signal(signum, frame):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        failed = supervise(children, should_stop=lambda: stop, log=lambda line: self.stderr.write(line))
        if failed:
            raise SystemExit(f"egov: {', '.join(failed)} stopped unexpectedly")
