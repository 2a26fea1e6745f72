import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site with gunicorn (EGOV_SITE says which site: public, staff or all)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
        parser.add_argument("--threads", type=int, default=1,
                            help="threads per worker (default 1: gunicorn's sync workers; more: gthread "
                                 "workers, which overlap requests waiting on the database)")

    def handle(self, *args, host, port, workers, threads, **options):
        argv = [
            sys.executable, "-m", "gunicorn", "egov.wsgi:application",
            "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
            "--access-logfile", "-", "--timeout", "60", "--graceful-timeout", "20",
            # One shared control socket in ~/.gunicorn would let one instance's exit break another's.
            "--no-control-socket",
        ]
        self.stdout.write(f"serving the {settings.EGOV_SITE} site on http://{host}:{port}/")
        self.stdout.flush()
        os.execv(sys.executable, argv)
