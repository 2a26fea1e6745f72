"""The one-machine layout's supervisor (deploy/local/layout.py) without starting it."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy" / "local"))
import layout  # noqa: E402


def test_the_processes_started_side_by_side_may_take_more_than_a_minute_to_answer(tmp_path):
    """``up --demo-data`` on 2 cores at a load average of 15 (tester22, 15:01 UTC): the public
    site's first gunicorn worker answered /health/live 62 s after the processes started side by
    side (its first request imports Django: 48 s after boot, plus 14 s to boot), 2 s past the
    60 s then allowed; the supervisor stopped everything and ``up`` failed after 8.4 min of
    migrations and demo data. The restore drill's figure was 45 s at the same load. Now each of
    them has five minutes."""
    lay = layout.Layout(tmp_path, 18400)
    lay._define()
    side_by_side = [name for name in ("public", "staff", "nginx", "prometheus") if name in lay.specs]
    assert {"public", "staff", "nginx"} <= set(side_by_side)
    for name in side_by_side:
        assert lay.specs[name].get("ready_seconds", 60) >= 180, name
