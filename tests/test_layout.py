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


def test_every_patroni_node_archives_wal_to_the_layouts_pgbackrest(tmp_path):
    """Issue 22 item 2 on the layout: WAL archiving to pgBackRest's two repositories, set in Patroni's
    dynamic configuration so the replica promoted at a failover archives too. Before (tester22) the
    layout's and deploy/patroni/patroni.yml's PostgreSQL had no archive_command: ``egov ops backup``
    could not run on the layout and a production copy of the file would have had no WAL archive."""
    import yaml

    if not layout.Path(layout.OPTIONAL["pgbackrest"]).exists():
        import pytest

        pytest.skip("Debian's pgbackrest is not installed")
    lay = layout.Layout(tmp_path / "lay", 18400)
    lay.write_files()
    config = tmp_path / "lay" / "run" / "pgbackrest.conf"
    for n in (1, 2):
        patroni = yaml.safe_load((tmp_path / "lay" / f"node{n}" / "patroni.yml").read_text())
        assert patroni["bootstrap"]["dcs"]["postgresql"]["parameters"]["archive_mode"] == "on"
        # the node's own data directory: pgBackRest refuses to push from another than its pg1-path
        # (node2, once promoted, failed every push with ERROR [032] while the command named node1's)
        assert patroni["postgresql"]["parameters"]["archive_command"] == (
            f"/usr/bin/pgbackrest --config={config} --stanza=egov --pg1-path={tmp_path / 'lay' / f'node{n}' / 'data'} "
            "archive-push %p")
    text = config.read_text()
    for line in (f"repo1-path={tmp_path / 'lay' / 'backup' / 'repo1'}",
                 f"repo2-path={tmp_path / 'lay' / 'backup' / 'repo2'}",
                 f"pg1-path={tmp_path / 'lay' / 'node1' / 'data'}", "pg1-port=18404",
                 f"pg2-path={tmp_path / 'lay' / 'node2' / 'data'}", "pg2-port=18405", "[egov]"):
        assert line in text.splitlines(), line
    assert lay.backup_env()["EGOV_PGBACKREST_CONFIG"] == str(config)


def test_down_and_status_without_dir_use_this_checkouts_last_layout_not_anothers(tmp_path, monkeypatch, capsys):
    """The layout last started was named in /tmp/egov-layout.last, one file for every checkout and
    user on the machine: ``down`` in one checkout stopped the layout another had started. It is now
    the checkout's own ``var/layout.last``."""
    import pytest

    shared_tmp, checkout = tmp_path / "tmp", tmp_path / "checkout"
    shared_tmp.mkdir()
    (shared_tmp / "egov-layout.last").write_text(str(tmp_path / "someone-elses-layout"))
    monkeypatch.setattr(layout.tempfile, "gettempdir", lambda: str(shared_tmp))
    monkeypatch.setattr(layout, "ROOT", checkout)
    with pytest.raises(SystemExit) as stopped:
        layout.main(["down"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.strip().endswith("--dir: no layout started here yet")


def test_down_and_status_leave_alone_a_process_that_took_a_dead_supervisors_pid(tmp_path, capsys):
    """Found by testerB: DIR/supervisor.pid outlives its supervisor (the machine restarted, or it was
    killed), and var/layout.last outlives /tmp; its number then names whatever process took it, and
    ``down`` sent that process SIGTERM (reporting ``"stopped": true``) while ``status`` called it the
    supervisor. Only a process whose command line is this layout's ``supervise --dir DIR`` is it."""
    import json
    import subprocess
    import time

    stranger = subprocess.Popen(["sleep", "60"])
    supervisor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "supervise",
                                   "--dir", str(tmp_path)])
    try:
        (tmp_path / "supervisor.pid").write_text(str(stranger.pid))
        assert layout.down(tmp_path) == 0
        assert json.loads(capsys.readouterr().out) == {"stopped": False, "reason": "not running", "dir": str(tmp_path)}
        time.sleep(0.2)
        assert stranger.poll() is None  # not sent SIGTERM
        assert layout._supervisor_pid(tmp_path) is None
        # The layout's own supervisor is still stopped.
        (tmp_path / "supervisor.pid").write_text(str(supervisor.pid))
        assert layout._supervisor_pid(tmp_path) == supervisor.pid
        assert layout.down(tmp_path) == 0
        assert json.loads(capsys.readouterr().out) == {"stopped": True, "dir": str(tmp_path)}
        assert supervisor.wait(timeout=5) == -15
    finally:
        for process in (stranger, supervisor):
            process.kill()
            process.wait()
