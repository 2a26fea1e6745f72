"""``bench/run.py``: every benchmark that follows the convention is found, a new one joins without
an edit of the runner, and the generated block of the README is replaced while the prose stays."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def runner(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "README", tmp_path / "README.md")
    return module


def test_every_benchmark_follows_the_convention(runner):
    found = runner.discover()
    assert {"documents_dispatch", "documents_pdf", "documents_search", "exchange", "registries",
            "registries_exchange", "service_hall", "trust_sign"} <= set(found)
    assert set(found) | set(runner.without_run()) == {path.stem for path in BENCH.glob("*.py")} - {"run", "benchlib"}
    assert all(found[name]["quick"] != found[name]["full"] for name in found)


def test_a_script_with_RUN_and_json_joins_and_the_readme_keeps_its_prose(runner, tmp_path, monkeypatch):
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "benchlib.py").write_text((BENCH / "benchlib.py").read_text())
    (bench / "tiny.py").write_text(
        "import argparse, time\nimport benchlib\n"
        'RUN = {"full": ["--n", "2"], "quick": ["--n", "1"]}\n'
        "parser = argparse.ArgumentParser(); parser.add_argument('--n'); parser.add_argument('--json')\n"
        "args = parser.parse_args()\n"
        "benchlib.write_json(args.json, benchlib.result(title='tiny', baseline='nothing', started=time.time(),\n"
        "    load_start=benchlib.load_average(), figures=[benchlib.figure('n', int(args.n), 'things', ratio=0.5,\n"
        "    cpu_ms=1.25, baseline_cpu_ms=2.5, target='≥ 0.4×')]))\n")
    (bench / "broken.py").write_text('RUN = {"full": [], "quick": []}\nraise SystemExit("cannot measure here")\n')
    monkeypatch.setattr(runner, "BENCH", bench)
    runner.README.write_text("# Benchmarks\n\nProse before.\n\n## `tiny.py`\n\nProse about tiny.\n")
    (bench / "other.py").write_text("print('a benchmark without RUN')\n")
    assert set(runner.discover()) == {"tiny", "broken"} and runner.without_run() == ["other"]

    results = {name: runner.run_one(name, runner.discover()[name]["quick"], 60) for name in ("tiny", "broken")}
    assert results["broken"]["error"] == "cannot measure here"
    assert results["tiny"]["figures"][0]["value"] == 1
    runner.readme_write({n: runner.section(n, r, True) for n, r in results.items()}, command="run.py --quick")
    text = runner.README.read_text()
    assert text.startswith("# Benchmarks\n\n<!-- bench/run.py:start -->\n")
    assert "Prose before.\n\n## `tiny.py`\n\nProse about tiny.\n" in text
    assert "| n | 1 things | **0.50** | 1.25 (2.50) | ≥ 0.4× |" in text
    assert "**Failed**: cannot measure here" in text
    assert "Not run (no `RUN`, see `bench/benchlib.py`): `other.py`." in text

    # A run of one script keeps the other's section and replaces its own.
    again = runner.run_one("tiny", ["--n", "7"], 60)
    runner.readme_write({"tiny": runner.section("tiny", again, False)}, command="run.py --only tiny")
    text = runner.README.read_text()
    assert text.count("<!-- bench/run.py:start -->") == 1 and "| n | 7 things |" in text
    assert "| n | 1 things |" not in text and "**Failed**: cannot measure here" in text


def test_an_unknown_name_is_refused_with_one_line():
    completed = subprocess.run([sys.executable, str(BENCH / "run.py"), "--only", "nothing_here", "--no-readme"],
                               capture_output=True, text=True)
    assert completed.returncode == 2 and len(completed.stderr.strip().splitlines()) == 1
    assert json.dumps("nothing_here")[1:-1] in completed.stderr


def test_issue_18_is_one_command_and_its_block_sits_before_the_generated_one(runner, tmp_path, monkeypatch):
    # The real scripts: issue 18's figures come from intake, tracking, sealing and search.
    assert set(runner.issue_runs("18")) == {"intake", "service_hall", "trust_sign", "documents_search"}
    assert runner.issue_runs("18")["service_hall"][-2:] == ["--scenarios", "health,track"]
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "benchlib.py").write_text((BENCH / "benchlib.py").read_text())
    (bench / "tiny.py").write_text(
        "import argparse, time\nimport benchlib\n"
        'RUN = {"full": ["--n", "2"], "quick": ["--n", "1"], "issues": {"99": ["--n", "9"]}}\n'
        "parser = argparse.ArgumentParser(); parser.add_argument('--n'); parser.add_argument('--json')\n"
        "args = parser.parse_args()\n"
        "benchlib.write_json(args.json, benchlib.result(title='tiny', baseline='nothing', started=time.time(),\n"
        "    load_start=benchlib.load_average(), figures=[benchlib.figure('n', int(args.n), 'things', ratio=0.5,\n"
        "    cpu_ms=1.25, baseline_cpu_ms=2.5)]))\n")
    (bench / "other.py").write_text('RUN = {"full": [], "quick": []}\n')
    monkeypatch.setattr(runner, "BENCH", bench)
    assert runner.issue_runs("99") == {"tiny": ["--n", "9"]} and runner.issue_runs("18") == {}
    runner.README.write_text("# Benchmarks\n\nProse.\n\n<!-- bench/run.py:start -->\nold\n<!-- bench/run.py:end -->\n")
    result = runner.run_one("tiny", ["--n", "9"], 60)
    for _ in range(2):  # written twice: replaced, not repeated
        block = runner.issue_block("99", {"tiny": runner.section("tiny", result, False)},
                                   command=".venv/bin/python bench/run.py --issue 99", began=1.0e9,
                                   load_start=[1.0, 2.0, 3.0], load_end=[4.0, 5.0, 6.0])
        runner.readme_write_issue("99", block)
    text = runner.README.read_text()
    assert text.count("<!-- bench/run.py:issue-99:start -->") == 1
    assert text.index("issue-99:end") < text.index("<!-- bench/run.py:start -->") and "Prose.\n" in text
    assert "Written by `.venv/bin/python bench/run.py --issue 99` — 2001-09-09 01:46 UTC" in text
    assert "1.00 / 2.00 / 3.00 at the start → 4.00 / 5.00 / 6.00 at the end" in text
    assert "| n | 9 things | **0.50** | 1.25 (2.50) |" in text


def test_an_issue_no_benchmark_names_is_refused_with_one_line():
    completed = subprocess.run([sys.executable, str(BENCH / "run.py"), "--issue", "999999", "--no-readme"],
                               capture_output=True, text=True)
    assert completed.returncode == 2 and completed.stderr.strip() == "bench/run.py: no benchmark names issue 999999"
