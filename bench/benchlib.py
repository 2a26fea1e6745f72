"""What the benchmark scripts share: the runner's convention, load averages, CPU time from ``/proc``,
and the JSON result the runner (``bench/run.py``) reads. Not a benchmark itself (no ``RUN``).

The convention a script follows to be run by ``bench/run.py`` (and so join the generated figures of
``bench/README.md`` without any edit of the runner):

1. at module level, a literal ``RUN = {"full": [arguments…], "quick": [arguments…]}`` (read by the
   runner with ``ast.literal_eval``, the script is not imported): the arguments of a full run and
   of a short smoke pass (``bench/run.py --quick``);
2. it accepts ``--json PATH`` and writes there one object made by ``result()``: a title, the
   baseline its ratios are against (the one the issue names), and its figures, each with its
   ratio to that baseline where there is one and the CPU milliseconds per operation beside it;
3. it exits non-zero when it could not measure (the runner reports the failure and goes on).
"""

import json
import os
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def load_average() -> list[float]:
    """``uptime``'s load averages over 1, 5 and 15 minutes, rounded to 0.01."""
    return [round(value, 2) for value in os.getloadavg()]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (``/proc/<pid>/stat``, fields 14 and 15);
    0.0 when the process is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def group_pids(pgid: int) -> list[int]:
    """The processes of process group ``pgid`` (a server started with ``start_new_session=True``:
    gunicorn's master and its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid:
                pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU seconds spent by a set of processes between ``start()`` and ``stop()``: ``pids()`` is asked
    at both ends (so processes that come, such as new database backends, are counted from when they
    are first seen; a process that ends in between loses what it spent since the start)."""

    def __init__(self, pids):
        self.pids = pids
        self.before: dict[int, float] = {}

    def start(self) -> None:
        self.before = {pid: process_cpu_seconds(pid) for pid in self.pids()}

    def stop(self) -> float:
        now = {pid: process_cpu_seconds(pid) for pid in self.pids()}
        return sum(max(0.0, value - self.before.get(pid, 0.0)) for pid, value in now.items())


def figure(measure: str, value: float, unit: str, *, ratio: float | None = None, cpu_ms: float | None = None,
           baseline_cpu_ms: float | None = None, target: str = "", note: str = "") -> dict:
    """One line of the figures table: ``value`` in ``unit``; ``ratio`` to the baseline (None: the
    figure has none); ``cpu_ms`` CPU milliseconds per operation (and the baseline's per its operation)."""
    return {"measure": measure, "value": value, "unit": unit, "ratio": ratio, "cpu_ms": cpu_ms,
            "baseline_cpu_ms": baseline_cpu_ms, "target": target, "note": note}


def result(*, title: str, baseline: str, figures: list[dict], load_start: list[float], started: float,
           details: dict | None = None) -> dict:
    """The object a script writes with ``--json``: ``started`` is its ``time.time()`` at the start."""
    return {"title": title, "baseline": baseline, "figures": figures, "load_average_start": load_start,
            "load_average_end": load_average(), "seconds": round(time.time() - started, 1),
            "details": details or {}}


def write_json(path: str | None, data: dict) -> None:
    """Write ``data`` to ``path`` (``--json``) when one is given."""
    if path:
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
