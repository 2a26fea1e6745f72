import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Run every part once on a fresh temporary SQLite database and print one JSON line with a key per "
            "part. --keep DIR leaves the database and every produced file in DIR.")

    def add_arguments(self, parser):
        parser.add_argument("--keep", metavar="DIR", help="keep the database and produced files in DIR (must be empty)")
        parser.add_argument("--in-place", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, keep, in_place, **options):
        if in_place:
            return self._run_here()
        if keep:
            out_dir = Path(keep).resolve()
            if out_dir.exists() and any(out_dir.iterdir()):
                raise CommandError(f"--keep {keep}: the folder is not empty", returncode=2)
            out_dir.mkdir(parents=True, exist_ok=True)
            return self._run_child(out_dir)
        with tempfile.TemporaryDirectory(prefix="egov-smoke-") as tmp:
            return self._run_child(Path(tmp))

    def _run_child(self, out_dir: Path) -> None:
        # A fresh process, so that the settings read the temporary database from the environment.
        env = {**os.environ, "EGOV_ENV": "demo", "EGOV_VAR_DIR": str(out_dir),
               "DATABASE_URL": f"sqlite:///{out_dir / 'egov.sqlite3'}", "CELERY_TASK_ALWAYS_EAGER": "1",
               "EGOV_SITE": "all"}
        env.pop("SECRET_KEY", None)
        completed = subprocess.run([sys.executable, "-m", "egov.cli", "smoke", "--in-place"], env=env)
        if completed.returncode != 0:
            raise SystemExit(completed.returncode)

    def _run_here(self) -> None:
        from django.conf import settings

        from egov.smoke import SmokeFailure, smoke_json, smoke_run

        # Standard output carries the one JSON line only: while the steps run, whatever they print
        # (the console e-mail backend's messages, logs, child processes) goes to standard error.
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(2, 1)
        try:
            results = smoke_run(Path(settings.VAR_DIR))
        except SmokeFailure as failure:
            self.stderr.write(f"smoke failed: {failure}")
            raise SystemExit(1) from None
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
        self.stdout.write(smoke_json(results))
