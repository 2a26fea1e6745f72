import os
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

# The longest request line (method, URL, version) gunicorn reads, in bytes: its maximum (its default
# is 4094). A city serves egov behind nginx, whose default large_client_header_buffers (4 8k) refuses
# a longer line with 414 before it reaches gunicorn; "0" (unlimited) would only let a direct
# deployment hold lines of up to 1 MB. The search forms send at most the 100 characters the search
# reads (≤ 900 bytes encoded), so only a hand-made URL of more than ~900 Chinese characters is refused
# (docs/operations.md).
LIMIT_REQUEST_LINE = 8190


def gunicorn_argv(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The command line that runs gunicorn on ``egov.wsgi`` (``egov serve``)."""
    return [
        sys.executable, "-m", "gunicorn", "egov.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
        "--access-logfile", "-", "--timeout", "60", "--graceful-timeout", "20",
        "--limit-request-line", str(LIMIT_REQUEST_LINE),
        # One shared control socket in ~/.gunicorn would let one instance's exit break another's.
        "--no-control-socket",
    ]


def metrics_directory(*, site: str, port: int) -> Path:
    """The directory where gunicorn's workers keep their request metrics for ``/metrics``
    (prometheus_client's multiprocess mode, ``PROMETHEUS_MULTIPROC_DIR``): the environment's, else
    ``<EGOV_VAR_DIR>/prometheus/<site>-<port>``. Emptied at each start, so the counts of one run of
    ``egov serve`` start from zero (Prometheus's ``rate`` takes counter resets in its stride)."""
    directory = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.VAR_DIR / "prometheus" / f"{site}-{port}")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


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
        argv = gunicorn_argv(host=host, port=port, workers=workers, threads=threads)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_directory(site=settings.EGOV_SITE, port=port))
        self.stdout.write(f"serving the {settings.EGOV_SITE} site on http://{host}:{port}/")
        self.stdout.flush()
        os.execv(sys.executable, argv)
