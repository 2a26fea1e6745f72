import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

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
            child_process_start([*egov, "serve", "--host", host, "--port", str(port), "--threads", "4"]),
            child_process_start([*egov, "worker", "--concurrency", "1"]),
            # 内网办理: turns the public site's intake records into cases (egov.services.actions.intake).
            child_process_start([*egov, "intake", "work"]),
        ]
        stop = False

        def on_signal(signum, frame):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        try:
            while not stop and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.args[3] for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stop:
            raise SystemExit(f"egov: {', '.join(failed)} stopped unexpectedly")
