"""``egov ops restore-drill``: restore the latest backup into a fresh cluster and prove it whole
(docs/operations.md "The restore drill").

1. ``pgbackrest restore --set <latest> --type=immediate`` into the target directory (refused when it
   is not empty), WAL archiving off on the copy, then ``pg_ctl start`` on a port of its own and
   promotion at the backup's consistent point.
2. Checks on the copy: the row count of every table equals the count recorded at backup time
   (``manifest.json``); ``egov audit verify`` against the restored anchor file is intact; every file
   of the backup's ``files.tar`` has its recorded SHA-256 and every stored file the database names
   is there under its hash; ``egov serve`` starts on it and ``/health`` answers 200.
3. With ``--target-time``: a second restore, point-in-time (``--type=time``), into
   ``<target>-pitr``: its audit log holds exactly the events of the source committed before that
   time (the count of the source's events before it, none after).

Prints one JSON line with the figures; exit 0 when every check passed, 1 when one failed, 2 for bad
input.
"""

import datetime
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import psycopg
from django.db import connection, transaction
from django.utils import timezone

from egov.ops.backup import FILES_DIR, BackupConfig, OpsError, as_pg_user, backups_info, pgbackrest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _refuse_non_empty(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise OpsError(f"restore target {path} is not empty: give a new or empty directory", exit_code=2)


def _owner_of(config: BackupConfig, repo: int) -> tuple[int, int]:
    stat = config.repos[repo].stat()
    return stat.st_uid, stat.st_gid


def _restore(config: BackupConfig, *, repo: int, target: Path, args: list[str]) -> float:
    """pgBackRest restore into ``target`` (made, owned like the repository); returns seconds."""
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(target, *_owner_of(config, repo))
    os.chmod(target, 0o700)
    started = time.monotonic()
    process = pgbackrest(config, f"--repo={repo}", f"--pg1-path={target}", "--archive-mode=off", *args, "restore")
    if process.returncode != 0:
        lines = [line for line in (process.stderr + process.stdout).splitlines() if line.strip()]
        raise OpsError(f"pgbackrest restore into {target} failed: {(lines or ['?'])[-1][:300]}")
    return time.monotonic() - started


def _start(config: BackupConfig, *, data: Path, port: int, timeout: float = 180) -> float:
    """Start the restored cluster on ``port`` (loopback, socket in the data directory) and wait
    until it is promoted (out of recovery); returns seconds."""
    if not (data / "postgresql.conf").exists():  # a Debian cluster keeps its configuration in /etc
        (data / "postgresql.conf").write_text("")
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        if os.geteuid() == 0:
            for name in ("postgresql.conf", "pg_hba.conf"):
                os.chown(data / name, data.stat().st_uid, data.stat().st_gid)
    started = time.monotonic()
    options = (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data} "
               "-c archive_mode=off")
    process = subprocess.run(as_pg_user(config, [str(config.pg_bindir / "pg_ctl"), "-D", str(data), "-o", options,
                                                 "-l", str(data / "drill.log"), "-w", "-t", str(int(timeout)),
                                                 "start"]),
                             capture_output=True, text=True, timeout=timeout + 30, check=False)
    if process.returncode != 0:
        raise OpsError(f"the restored cluster in {data} did not start ({_log_tail(data / 'drill.log')}): "
                       f"see {data / 'drill.log'}")
    deadline = time.monotonic() + timeout
    while True:
        try:
            with _connect(port) as db:
                if not db.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    break
        except psycopg.OperationalError:
            pass
        if not (data / "postmaster.pid").exists():  # it stopped: recovery failed (e.g. target not reached)
            raise OpsError(f"the restored cluster in {data} stopped before promotion ({_log_tail(data / 'drill.log')})")
        if time.monotonic() > deadline:
            raise OpsError(f"the restored cluster in {data} was not promoted within {timeout:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - started


def _log_tail(path: Path) -> str:
    """The last FATAL/PANIC line of the cluster's log (or its last line), for a one-line error."""
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no log"
    serious = [line for line in lines if "FATAL" in line or "PANIC" in line]
    return ((serious or lines or ["empty log"])[-1])[:300]


def _stop(config: BackupConfig, data: Path) -> None:
    subprocess.run(as_pg_user(config, [str(config.pg_bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                                       "stop"]), capture_output=True, timeout=120, check=False)


def _connect(port: int) -> psycopg.Connection:
    settings_dict = connection.settings_dict
    return psycopg.connect(host="127.0.0.1", port=port, dbname=settings_dict["NAME"],
                           user=settings_dict["USER"] or None, password=settings_dict["PASSWORD"] or None,
                           autocommit=True, connect_timeout=10)


def _counts(port: int) -> dict[str, int]:
    counts = {}
    with _connect(port) as db:
        names = [row[0] for row in db.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition")]
        for name in names:
            counts[name] = db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    return counts


def _database_url(port: int) -> str:
    settings_dict = connection.settings_dict
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    return f"postgres://{user}{password}@127.0.0.1:{port}/{settings_dict['NAME']}"


def _platform_env(*, port: int, var_dir: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": _database_url(port), "EGOV_VAR_DIR": str(var_dir),
           "EGOV_AUDIT_ANCHOR_FILE": str(var_dir / "audit-anchors.jsonl"),
           "EGOV_AUDIT_ANCHOR_ON_COMMIT": "0"}
    for name in ("TEST_DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(name, None)
    return env


def _egov(*args: str) -> list[str]:
    return [sys.executable, "-m", "egov.cli", *args]


def _files_check(*, tar_path: Path, manifest: dict, var_dir: Path, port: int) -> dict:
    """Extract the files into ``var_dir`` and check every hash; returns ``{"checked", "stored_files",
    "mismatched": [...]}``."""
    mismatched = []
    with tarfile.open(tar_path) as tar:
        tar.extractall(var_dir, filter="data")
    for entry in manifest["files"]:
        path = var_dir / entry["path"]
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            mismatched.append(entry["path"])
    anchor = manifest.get("anchor_file")
    if anchor and hashlib.sha256((var_dir / "audit-anchors.jsonl").read_bytes()).hexdigest() != anchor["sha256"]:
        mismatched.append("audit-anchors.jsonl")
    with _connect(port) as db:
        stored = [row[0] for row in db.execute("SELECT sha256 FROM services_storedfile")]
    for sha256 in stored:
        path = var_dir / "media" / "materials" / sha256[:2] / sha256[2:4] / sha256
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
            mismatched.append(f"stored file {sha256}")
    return {"checked": len(manifest["files"]), "stored_files": len(stored), "mismatched": mismatched}


def _audit_verify(env: dict) -> dict:
    process = subprocess.run(_egov("audit", "verify", "--json"), env=env, capture_output=True, text=True,
                             timeout=600, check=False)
    try:
        report = json.loads(process.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"ok": False, "reason": (process.stderr.strip().splitlines() or ["no output"])[-1][:300]}
    return {"ok": report["ok"], "checked": report["checked"], "broken_seq": report["broken_seq"],
            "reason": report["reason"]}


def _platform_check(env: dict, *, timeout: float = 120) -> dict:
    """Start ``egov serve`` on the copy and wait for ``/health`` to answer 200."""
    port = _free_port()
    started = time.monotonic()
    server = subprocess.Popen(_egov("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < timeout:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
                    if answer.status == 200:
                        return {"ok": True, "seconds": round(time.monotonic() - started, 2)}
            except OSError:
                time.sleep(0.3)
            if server.poll() is not None:
                return {"ok": False, "reason": f"egov serve exited with {server.returncode}"}
        return {"ok": False, "reason": f"/health did not answer 200 within {timeout:.0f} s"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _pitr(config: BackupConfig, *, repo: int, target: Path, when: datetime.datetime) -> dict:
    """Restore to ``when`` into ``target`` and compare its audit log with the source's.

    PostgreSQL stops a recovery to a time at the first commit after it; with none in the archived
    WAL (a quiet platform: nothing committed since ``when``) it ends the recovery with "recovery
    ended before configured recovery target was reached" and the copy never starts. So a
    transaction is committed on the source first (an XID and nothing else: no row changes), then
    ``pgbackrest check`` switches WAL and waits until that commit is archived."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
    check = pgbackrest(config, "check", timeout=300)  # switches WAL and waits until it is archived
    port = _free_port()
    when = when.replace(microsecond=when.microsecond // 1000 * 1000)  # pgBackRest takes milliseconds
    stamp = f"{when:%Y-%m-%d %H:%M:%S}.{when.microsecond // 1000:03d}{when:%z}"
    seconds = _restore(config, repo=repo, target=target,
                       args=["--type=time", f"--target={stamp}", "--target-action=promote"])
    try:
        seconds += _start(config, data=target, port=port)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_auditevent WHERE occurred_at < %s", [when])
            source_before = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM audit_auditevent")
            source_all = cursor.fetchone()[0]
        with _connect(port) as db:
            restored, latest = db.execute("SELECT count(*), max(occurred_at) FROM audit_auditevent").fetchone()
    finally:
        _stop(config, target)
    ok = restored == source_before and (latest is None or latest < when)
    return {"ok": ok, "target_time": when.isoformat(), "seconds": round(seconds, 2),
            "audit_events_source_before": source_before, "audit_events_source_total": source_all,
            "audit_events_restored": restored, "wal_check": check.returncode == 0}


def restore_drill(*, config: BackupConfig, target: Path, repo: int = 1,
                  target_time: datetime.datetime | None = None, keep: bool = False) -> dict:
    """Run the drill (module docstring) and return its figures:

    ``{"ok", "repo", "label", "restore_seconds", "start_seconds", "tables", "rows",
    "count_mismatches": {table: [recorded, restored]}, "audit": {...}, "files": {...},
    "platform": {...}, "pitr": {...} or None, "total_seconds"}``.

    Raises ``OpsError``: exit 2 for a non-empty target or an unknown repository, 1 when the
    repository has no backup with egov's files, or a restore or start fails. The clusters are
    stopped at the end (left running with ``keep``, for a look by hand).
    """
    started = time.monotonic()
    if repo not in config.repos:
        raise OpsError(f"no repository repo{repo} in {config.config}", exit_code=2)
    pitr_target = target.with_name(target.name + "-pitr")
    var_dir = target.with_name(target.name + "-var")
    for path in (target, var_dir, *([pitr_target] if target_time else [])):
        _refuse_non_empty(path)
    if target_time and target_time >= timezone.now():
        raise OpsError(f"--target-time {target_time.isoformat()} is not in the past", exit_code=2)
    backups = backups_info(config).get(repo, [])
    if not backups:
        raise OpsError(f"repo{repo} holds no backup of stanza {config.stanza}")
    label = backups[-1]["label"]
    files_dir = config.repos[repo] / FILES_DIR / label
    try:
        manifest = json.loads((files_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise OpsError(f"backup {label} in repo{repo} has no egov files manifest ({files_dir})") from None
    port = _free_port()
    restore_seconds = _restore(config, repo=repo, target=target,
                               args=[f"--set={label}", "--type=immediate", "--target-action=promote"])
    figures: dict = {"repo": f"repo{repo}", "label": label, "restore_seconds": round(restore_seconds, 2)}
    try:
        figures["start_seconds"] = round(_start(config, data=target, port=port), 2)
        restored = _counts(port)
        recorded = manifest["table_counts"]
        figures["tables"], figures["rows"] = len(restored), sum(restored.values())
        figures["count_mismatches"] = {name: [recorded.get(name), restored.get(name)]
                                       for name in sorted(set(recorded) | set(restored))
                                       if recorded.get(name) != restored.get(name)}
        var_dir.mkdir(parents=True, exist_ok=True)
        figures["files"] = _files_check(tar_path=files_dir / "files.tar", manifest=manifest, var_dir=var_dir,
                                        port=port)
        env = _platform_env(port=port, var_dir=var_dir)
        figures["audit"] = _audit_verify(env)
        figures["platform"] = _platform_check(env)
    finally:
        if not keep:
            _stop(config, target)
    figures["pitr"] = _pitr(config, repo=repo, target=pitr_target, when=target_time) if target_time else None
    figures["ok"] = (not figures["count_mismatches"] and not figures["files"]["mismatched"]
                     and figures["audit"]["ok"] and figures["platform"]["ok"]
                     and (figures["pitr"] is None or figures["pitr"]["ok"]))
    figures["total_seconds"] = round(time.monotonic() - started, 2)
    if not keep:
        shutil.rmtree(var_dir / "prometheus", ignore_errors=True)
    return figures
