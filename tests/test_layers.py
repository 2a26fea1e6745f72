"""The layers of docs/architecture.md are checked by import-linter (``make test`` runs ``lint-imports``):
this shows the check passes on the tree and fails when an import points up or an app's modules form a
cycle."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(tmp_path: Path, change=None) -> subprocess.CompletedProcess:
    """Run lint-imports with the project's contracts on a copy of ``src/egov`` (changed by ``change``)."""
    source = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "egov", source / "egov",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "locale", "fixtures", "templates"))
    if change is not None:
        change(source / "egov")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"}, timeout=120)


def test_the_tree_keeps_the_layers(tmp_path):
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_an_import_pointing_up_breaks_the_layers(tmp_path):
    def point_up(egov: Path) -> None:  # the shared facilities reaching up into the service hall
        (egov / "facilities" / "upward.py").write_text("from egov.services.models import Application\n")

    result = _lint(tmp_path, point_up)
    assert result.returncode == 1
    assert "egov.facilities is not allowed to import egov.services" in result.stdout
    assert "egov.facilities.upward -> egov.services.models" in result.stdout


def test_siblings_do_not_import_each_other(tmp_path):
    def sideways(egov: Path) -> None:  # 公文 reaching into the service hall
        (egov / "documents" / "sideways.py").write_text("import egov.services.actions.lifecycle\n")

    result = _lint(tmp_path, sideways)
    assert result.returncode == 1
    assert "egov.documents is not allowed to import egov.services" in result.stdout


def test_a_cycle_hidden_in_a_function_is_found(tmp_path):
    def hide_a_cycle(egov: Path) -> None:  # the old services cycle: notifying -> tasks -> … -> notifying
        notifying = egov / "services" / "actions" / "notifying.py"
        late = "\n\ndef _late():\n    from egov.services.tasks import mark_overdue\n    return mark_overdue\n"
        notifying.write_text(notifying.read_text() + late)

    result = _lint(tmp_path, hide_a_cycle)
    assert result.returncode == 1
    assert "No cycles are allowed in egov.services." in result.stdout
