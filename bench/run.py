"""Run every benchmark and write their figures into ``bench/README.md``.

    .venv/bin/python bench/run.py [--quick] [--only NAME[,NAME…]] [--no-readme] [--timeout SECONDS]
    .venv/bin/python bench/run.py --issue 18      # the figures issue 18 asks for, from one run
    make bench            # the same as .venv/bin/python bench/run.py
    make bench-quick      # … --quick

Runs each ``bench/*.py`` that follows the convention of ``bench/benchlib.py`` (a literal ``RUN``
with its ``full`` and ``quick`` arguments, and ``--json PATH``), one after the other (they would
otherwise compete for the same cores), in name order, with ``RUN["quick"]`` under ``--quick``. A
new script joins by following the convention; this file needs no edit.

Then rewrites the generated block of ``bench/README.md`` (between ``<!-- bench/run.py:start -->``
and ``<!-- bench/run.py:end -->``, put after the README's first paragraph the first time): one
section per script with its exact command, its date, the load averages at its start and end, and
each figure as a ratio against the baseline that the issue names, with CPU milliseconds per
operation beside it. The prose of the README outside the block is kept. Sections of scripts that
were not run this time (``--only``) are kept as they were, with their own command and date; a
script that failed gets a section saying so and the last line it wrote on standard error.

``--issue N`` runs the scripts whose ``RUN`` has ``"issues": {"N": [arguments…]}``, with those
arguments, and writes one block for the issue (``<!-- bench/run.py:issue-N:start -->``, before the
generated block): the run's command, wall time and load averages, then each script's section. It
is how an issue's "figures … from one run, with the run's command" are made.

``--quick`` runs are short smoke passes that check every benchmark still works and show the shape
of the figures; on this shared two-core machine only full runs on a quiet machine are figures to
compare, and the section says which kind it is.
"""

import argparse
import ast
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
README = BENCH / "README.md"
START, END = "<!-- bench/run.py:start -->", "<!-- bench/run.py:end -->"
SECTION = re.compile(r"<!-- run:(?P<name>[\w.-]+):start -->\n.*?<!-- run:(?P=name):end -->\n", re.S)


def discover() -> dict[str, dict]:
    """``{name: RUN}`` of every ``bench/*.py`` with a literal module-level ``RUN`` (not imported)."""
    found = {}
    for path in sorted(BENCH.glob("*.py")):
        if path.name in ("run.py", "benchlib.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "RUN" for t in node.targets):
                run = ast.literal_eval(node.value)
                if not (isinstance(run, dict) and all(isinstance(run.get(k), list) for k in ("full", "quick"))
                        and all(isinstance(v, list) for v in run.get("issues", {}).values())):
                    raise SystemExit(f"{path.name}: RUN must be {{'full': [...], 'quick': [...]}} "
                                     "(and 'issues': {'<number>': [...]})")
                found[path.stem] = run
    return found


def without_run() -> list[str]:
    """The ``bench/*.py`` scripts that do not follow the convention (no ``RUN``): not run."""
    return sorted(p.stem for p in BENCH.glob("*.py") if p.name not in ("run.py", "benchlib.py")
                  and p.stem not in discover())


def run_one(name: str, arguments: list[str], timeout: float) -> dict:
    """Run ``bench/<name>.py arguments --json …``; its result, or ``{"error": …}``."""
    with tempfile.TemporaryDirectory(prefix="egov-bench-run-") as folder:
        output = Path(folder) / "result.json"
        command = [sys.executable, str(BENCH / f"{name}.py"), *arguments, "--json", str(output)]
        shown = " ".join([".venv/bin/python", f"bench/{name}.py", *map(shlex.quote, arguments)])
        began, load_start = time.time(), [round(v, 2) for v in os.getloadavg()]
        print(f"bench/run.py: {shown}", file=sys.stderr, flush=True)
        try:
            completed = subprocess.run(command, cwd=BENCH.parent, capture_output=True, text=True, timeout=timeout)
            failure = None if completed.returncode == 0 and output.exists() else (
                (completed.stderr.strip().splitlines() or [f"exit status {completed.returncode}"])[-1])
        except subprocess.TimeoutExpired:
            failure = f"no result after {timeout:g} s"
        common = {"command": shown, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(began)),
                  "wall_s": round(time.time() - began, 1)}
        if failure:
            print(f"bench/run.py: {name} failed: {failure}", file=sys.stderr, flush=True)
            return {**common, "error": failure, "load_average_start": load_start,
                    "load_average_end": [round(v, 2) for v in os.getloadavg()]}
        return {**common, **json.loads(output.read_text(encoding="utf-8"))}


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _load(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def section(name: str, result: dict, quick: bool) -> str:
    """The README section of one script's result (Markdown, between its own markers)."""
    kind = "quick pass (`--quick`: a smoke run, not figures to compare)" if quick else "full run"
    lines = [f"<!-- run:{name}:start -->", f"#### `{name}.py`: {result.get('title', name)}", "",
             f"`{result['command']}` — {result['when']}, {kind}, {result['wall_s']:g} s; load average "
             f"(1 / 5 / 15 min, {os.cpu_count()} cores) {_load(result['load_average_start'])} at the start → "
             f"{_load(result['load_average_end'])} at the end.", ""]
    if "error" in result:
        lines += [f"**Failed**: {result['error']}", ""]
    else:
        lines += [f"Baseline: {result['baseline']}.", "",
                  "| measure | value | ratio to the baseline | CPU ms per operation (baseline's) | target | notes |",
                  "|---|---|---|---|---|---|"]
        for f in result["figures"]:
            cpu = _number(f["cpu_ms"]) + (f" ({_number(f['baseline_cpu_ms'])})" if f.get("baseline_cpu_ms") else "")
            ratio = f"**{f['ratio']:.2f}**" if f.get("ratio") is not None else "—"
            lines.append(f"| {f['measure']} | {_number(f['value'])} {f['unit']} | {ratio} | {cpu} | "
                         f"{f.get('target') or ''} | {f.get('note') or ''} |")
        lines.append("")
    lines.append(f"<!-- run:{name}:end -->")
    return "\n".join(lines) + "\n"


def issue_runs(issue: str) -> dict[str, list[str]]:
    """``{script: arguments}`` of the scripts whose ``RUN["issues"]`` names ``issue`` (the figures
    that issue's "done when" asks for, measured together by ``--issue``)."""
    return {name: run["issues"][issue] for name, run in discover().items() if issue in run.get("issues", {})}


def issue_block(issue: str, sections: dict[str, str], *, command: str, began: float, load_start: list[float],
                load_end: list[float]) -> str:
    """The README block of one ``--issue`` run: the run's command, wall time and load averages, then
    each script's section (its own command, load, ratios and CPU ms)."""
    lines = [f"<!-- bench/run.py:issue-{issue}:start -->", f"## Issue {issue}: figures of one run", "",
             f"Written by `{command}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(began))}, "
             f"{(time.time() - began) / 60:.1f} min; load average (1 / 5 / 15 min, {os.cpu_count()} cores) "
             f"{_load(load_start)} at the start → {_load(load_end)} at the end. Each script below in turn "
             "(they would compete for the cores), with its own command and load; ratios against the baseline "
             "the issue names, CPU ms per operation beside each.", ""]
    lines += [sections[name] for name in sorted(sections)]
    lines.append(f"<!-- bench/run.py:issue-{issue}:end -->")
    return "\n".join(lines) + "\n"


def readme_write_issue(issue: str, block: str) -> None:
    """Replace the block of ``issue`` in README.md (put before the generated block the first time)."""
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(rf"<!-- bench/run.py:issue-{re.escape(issue)}:start -->\n.*?"
                         rf"<!-- bench/run.py:issue-{re.escape(issue)}:end -->\n", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    elif START in text:
        text = text.replace(START, block + "\n" + START, 1)
    else:
        head, _, tail = text.partition("\n\n")
        text = head + "\n\n" + block + "\n" + tail
    README.write_text(text, encoding="utf-8")


def readme_write(sections: dict[str, str], *, command: str) -> None:
    """Replace the generated block of README.md; keep the sections of scripts not run this time."""
    text = README.read_text(encoding="utf-8")
    kept: dict[str, str] = {}
    if START in text and END in text:
        before, rest = text.split(START, 1)
        block, after = rest.split(END, 1)
        kept = {m["name"]: m.group(0) for m in SECTION.finditer(block)}
    else:
        head, _, tail = text.partition("\n\n")  # after the title
        before, after = head + "\n\n", "\n\n" + tail
    kept.update(sections)
    block = "\n".join([
        "## Figures (generated by `bench/run.py`)", "",
        f"Written by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; each section gives "
        "the command and the load of its own run (a section not run this time is kept from an earlier "
        "run). Ratios are against the baseline the issue names, measured in the same run; CPU ms per "
        "operation beside each (what a shared machine's noise moves less than rates). Prose about the "
        "figures is in the sections after this block.", "",
        *(kept[name] for name in sorted(kept)),
        *([f"Not run (no `RUN`, see `bench/benchlib.py`): {', '.join(f'`{n}.py`' for n in without_run())}.", ""]
          if without_run() else []),
    ])
    README.write_text(before + START + "\n" + block + END + after, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="each script's short RUN['quick'] arguments")
    parser.add_argument("--only", default="", help="comma-separated script names (default: all)")
    parser.add_argument("--no-readme", action="store_true", help="print the results, do not touch README.md")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds per script")
    parser.add_argument("--issue", default="", help="run the figures an issue asks for (RUN['issues'][N]) as "
                                                      "one run and write their block of README.md")
    args = parser.parse_args()
    if args.issue:
        issue_main(args)
        return
    scripts = discover()
    if without_run():
        print(f"bench/run.py: not run (no RUN, see bench/benchlib.py): {', '.join(without_run())}", file=sys.stderr)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(scripts)
    unknown = [name for name in chosen if name not in scripts]
    if unknown:
        print(f"bench/run.py: not a benchmark following the convention: {', '.join(unknown)} "
              f"(known: {', '.join(scripts)})", file=sys.stderr)
        sys.exit(2)
    results = {name: run_one(name, scripts[name]["quick" if args.quick else "full"], args.timeout)
               for name in chosen}
    print(json.dumps(results, ensure_ascii=False))
    if not args.no_readme:
        command = " ".join([".venv/bin/python bench/run.py", *map(shlex.quote, sys.argv[1:])])
        readme_write({name: section(name, result, args.quick) for name, result in results.items()}, command=command)
    sys.exit(1 if any("error" in result for result in results.values()) else 0)


def issue_main(args) -> None:
    """``--issue N``: the scripts that name issue N, in name order, and the issue's README block."""
    runs = issue_runs(args.issue)
    if not runs or args.quick or args.only:
        problem = f"no benchmark names issue {args.issue}" if not runs else "--issue takes neither --quick nor --only"
        print(f"bench/run.py: {problem}", file=sys.stderr)
        sys.exit(2)
    began, load_start = time.time(), [round(v, 2) for v in os.getloadavg()]
    results = {name: run_one(name, arguments, args.timeout) for name, arguments in runs.items()}
    print(json.dumps(results, ensure_ascii=False))
    if not args.no_readme:
        command = " ".join([".venv/bin/python bench/run.py", *map(shlex.quote, sys.argv[1:])])
        block = issue_block(args.issue, {name: section(name, result, False) for name, result in results.items()},
                            command=command, began=began, load_start=load_start,
                            load_end=[round(v, 2) for v in os.getloadavg()])
        readme_write_issue(args.issue, block)
    sys.exit(1 if any("error" in result for result in results.values()) else 0)


if __name__ == "__main__":
    main()
