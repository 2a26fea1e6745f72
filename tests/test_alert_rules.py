"""deploy/prometheus/alerts.yml: valid for Prometheus (promtool check rules) and firing when the
hand-written series of alerts_test.yml say it must (promtool test rules). promtool comes with
Debian's prometheus package (Makefile DEB_PACKAGES)."""

import shutil
import subprocess
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[1] / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (apt install prometheus)")


def test_the_alert_rules_are_valid():
    result = subprocess.run([PROMTOOL, "check", "rules", str(RULES / "alerts.yml")], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 15 rules found" in result.stdout


def test_the_alerts_fire_on_the_hand_written_series():
    result = subprocess.run([PROMTOOL, "test", "rules", str(RULES / "alerts_test.yml")], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
