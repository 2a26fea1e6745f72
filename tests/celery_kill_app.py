"""egov's Celery app with one more task, for tests/test_celery_late_ack.py's worker processes."""

import os
import time
from pathlib import Path

from egov.celery import app

__all__ = ["app"]


@app.task(name="ops_test.record_run")
def record_run(path: str, first_run_seconds: float) -> str:
    """Append ``start <pid>`` to ``path``; the first run (no line in the file yet) then sleeps
    ``first_run_seconds`` (to be killed meanwhile), a later one goes on at once; append ``done``."""
    record = Path(path)
    first = not record.exists()
    with record.open("a") as out:
        out.write(f"start {os.getpid()}\n")
    if first:
        time.sleep(first_run_seconds)
    with record.open("a") as out:
        out.write("done\n")
    return "done"
