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


# The load generator of the HTTP benchmarks when ``--load-generator wrk``: Debian's wrk (C, epoll,
# one closed-loop connection per client), so that its own CPU per request is a fraction of the
# Python threads' (``httpx``, one GIL) and adds no latency of its own. A script builds each request
# (``WRK_LUA_COMMON`` + the scenario's ``request()``); ``done()`` prints the figures as JSON.
WRK_LUA_COMMON = r'''
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  ok, bad, n = 0, 0, 0
  thread_id = wrk.thread:get("id")
end
function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else
    if bad == 0 then first_error = status .. " " .. string.sub(body or "", 1, 200) end
    bad = bad + 1
  end
end
local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
function base64(data)
  return ((data:gsub(".", function(x)
    local r, b = "", x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b64chars:sub(c + 1, c + 1)
  end) .. ({"", "==", "="})[#data % 3 + 1])
end
function done(summary, latency, requests)
  local good, errors, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    good = good + thread:get("ok")
    errors = errors + thread:get("bad")
    local e = thread:get("first_error")
    if e and first == "" then first = e end
  end
  io.write(string.format(
    'WRKJSON {"ok": %d, "errors": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "first_error": "%s"}\n',
    good, errors, summary.duration, latency:percentile(50), latency:percentile(99),
    (first:gsub('[%c"\\]', " "))))
end
'''


def wrk_drive(*, url: str, seconds: float, connections: int, script: str) -> dict:
    """Run ``wrk -t 2 -c connections -d seconds`` on ``url`` with the Lua ``script`` (appended to
    ``WRK_LUA_COMMON``; it defines ``request()``, and may read ``wrk.thread:get("id")``): 2xx answers
    per second, their p50/p99 in ms (wrk's latency of every answer), the non-2xx count, and wrk's own
    user + system CPU ms per 2xx answer (``client_cpu_ms``, from ``getrusage`` of the waited child).

    Raises ``subprocess.CalledProcessError`` if wrk fails, ``RuntimeError`` if it printed no figures."""
    import resource
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(WRK_LUA_COMMON + script)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "60s",
                                "-s", file.name, url], capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(file.name)
    line = next((text for text in completed.stdout.splitlines() if text.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{completed.stdout}\n{completed.stderr}")
    figures = json.loads(line.removeprefix("WRKJSON "))
    good = max(figures["ok"], 1)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"requests": figures["ok"], "errors": figures["errors"],
            "per_second": figures["ok"] / (figures["duration_us"] / 1e6),
            "p50_ms": figures["p50_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
            "client_cpu_ms": cpu * 1000 / good, "first_error": figures["first_error"] or None}
