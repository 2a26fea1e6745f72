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
            subprocess.Popen([*egov, "serve", "--host", host, "--port", str(port), "--threads", "4"]),
            subprocess.Popen([*egov, "worker", "--concurrency", "1"]),
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
