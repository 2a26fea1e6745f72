"""``egov ops backup``: pgBackRest backups to every repository, with the stored files and the audit
anchor file beside each (docs/operations.md "Backups and the off-site copy").

pgBackRest (https://pgbackrest.org, Debian package ``pgbackrest``) backs the cluster up, full or
incremental, into each repository named in its configuration (``repo1-path``: the local one,
``repo2-path``: the off-site centre, 异地灾备), and its ``archive_command`` pushes the WAL to all of
them. Beside each backup, in ``<repoN-path>/egov-files/<backup label>/``, egov puts ``files.tar``
(``MEDIA_ROOT`` and the anchor file) and ``manifest.json``: the SHA-256 of every file, of the tar,
and the row count of every table taken right after the backup (equal to the backup's own when the
platform is quiet; ``egov ops restore-drill`` compares them).

Each run's outcome per repository goes to ``EGOV_BACKUP_STATE_FILE`` (``{"repo1": {"last_success":
unix seconds, "last_failure": …, "last_error": "…"}}``), shown on ``/metrics``
(``egov_backup_last_success_timestamp_seconds{repo}``, ``egov_backup_last_failure_timestamp_seconds{repo}``).
"""

import configparser
import fcntl
import hashlib
import io
import json
import os
import pwd
import shlex
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

MANIFEST_FORMAT = "egov-backup-files/1"
FILES_DIR = "egov-files"


class OpsError(Exception):
    """An operation cannot be done; ``exit_code`` 1 (a fault: a repository unreachable, a check
    failed) or 2 (bad input: a non-empty target). The message is one line."""

    def __init__(self, message: str, *, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class BackupConfig:
    """Where pgBackRest and its repositories are: ``command`` (argv prefix), ``config`` (its
    configuration file), ``stanza``, ``repos`` (``{1: Path, 2: Path}`` from ``repoN-path``),
    ``state_file`` and ``pg_user``/``pg_bindir`` (for the drill's clusters)."""

    command: tuple[str, ...]
    config: Path
    stanza: str
    repos: dict[int, Path]
    state_file: Path
    pg_user: str
    pg_bindir: Path


def backup_config() -> BackupConfig:
    """The configuration from the settings (``EGOV_PGBACKREST_*``, ``EGOV_PG_*``,
    ``EGOV_BACKUP_STATE_FILE``); the repositories from pgBackRest's own file (posix repositories:
    ``repoN-path`` in ``[global]``). Raises ``OpsError`` (exit 2) when the file is missing or names
    no repository."""
    path = Path(settings.EGOV_PGBACKREST_CONFIG)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except OSError as error:
        raise OpsError(f"pgBackRest configuration {path} cannot be read: {error.strerror}", exit_code=2) from None
    repos = {}
    for key, value in parser["global"].items() if parser.has_section("global") else []:
        if key.startswith("repo") and key.endswith("-path") and key[4:-5].isdigit():
            repos[int(key[4:-5])] = Path(value)
    if not repos:
        raise OpsError(f"pgBackRest configuration {path} names no repository (repo1-path)", exit_code=2)
    return BackupConfig(command=tuple(shlex.split(settings.EGOV_PGBACKREST_COMMAND)), config=path,
                        stanza=settings.EGOV_PGBACKREST_STANZA, repos=dict(sorted(repos.items())),
                        state_file=Path(settings.EGOV_BACKUP_STATE_FILE), pg_user=settings.EGOV_PG_USER,
                        pg_bindir=Path(settings.EGOV_PG_BINDIR))


def as_pg_user(config: BackupConfig, argv: list[str]) -> list[str]:
    """``argv`` run as ``config.pg_user`` (``runuser``, so egov runs as root) when that user is set
    and is not the current one."""
    if config.pg_user and pwd.getpwuid(os.geteuid()).pw_name != config.pg_user:
        return ["runuser", "-u", config.pg_user, "--", *argv]
    return argv


def pgbackrest(config: BackupConfig, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    """Run ``pgbackrest --config … --stanza … <args>``; returns the finished process (text output)."""
    argv = [*config.command, f"--config={config.config}", f"--stanza={config.stanza}", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


def _last_line(process: subprocess.CompletedProcess) -> str:
    """pgBackRest's first ``ERROR:`` line (its hints follow it), else the last line of its output."""
    lines = [line.strip() for line in (process.stderr + process.stdout).splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR:" in line]
    return (errors or lines or [f"exit status {process.returncode}"])[0 if errors else -1][:300]


def repo_problem(path: Path) -> str | None:
    """Why the repository at ``path`` cannot take a backup (missing, not a directory, not writable),
    or None when it can."""
    if not path.exists():
        return f"{path} does not exist (off-site mount down?)"
    if not path.is_dir():
        return f"{path} is not a directory"
    return None


def backups_info(config: BackupConfig) -> dict[int, list[dict]]:
    """The backups of the stanza per repository, oldest first: ``{1: [{"label", "type", "stop"}]}``
    (``stop``: unix seconds), from ``pgbackrest info --output=json``."""
    process = pgbackrest(config, "info", "--output=json", timeout=120)
    if process.returncode != 0:
        raise OpsError(f"pgbackrest info failed: {_last_line(process)}")
    found: dict[int, list[dict]] = {}
    for stanza in json.loads(process.stdout or "[]"):
        for backup in stanza.get("backup", []):
            repo = int(backup["database"]["repo-key"])
            found.setdefault(repo, []).append({"label": backup["label"], "type": backup["type"],
                                               "stop": backup["timestamp"]["stop"]})
    return {repo: sorted(items, key=lambda item: item["stop"]) for repo, items in found.items()}


def table_counts() -> dict[str, int]:
    """Rows of every table of the current schema (partitions counted in their parent), in one
    REPEATABLE READ snapshot: ``{"audit_auditevent": 1234, ...}``."""
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
                       "AND NOT c.relispartition ORDER BY c.relname")
        for (name,) in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{name}"')
            counts[name] = cursor.fetchone()[0]
    return counts


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_archive(*, destination: Path) -> dict:
    """Write ``destination`` (a tar of ``MEDIA_ROOT`` as ``media/…`` and the anchor file as
    ``audit-anchors.jsonl``) and return the manifest's file part: ``{"files": [{"path", "sha256",
    "size"}], "anchor_file": {"sha256", "size"} or None, "tar_sha256"}``. Files still being written
    (``.incoming-*``) are left out."""
    media = Path(settings.MEDIA_ROOT)
    anchor = Path(settings.EGOV_AUDIT_ANCHOR_FILE)
    files = []
    with tarfile.open(destination, "w") as tar:
        if media.is_dir():
            for path in sorted(p for p in media.rglob("*") if p.is_file() and not p.name.startswith(".incoming-")):
                name = "media/" + path.relative_to(media).as_posix()
                files.append({"path": name, "sha256": _sha256_file(path), "size": path.stat().st_size})
                tar.add(path, arcname=name, recursive=False)
        anchor_entry = None
        if anchor.is_file():
            data = anchor.read_bytes()  # read once: the file grows while the platform runs
            info = tarfile.TarInfo("audit-anchors.jsonl")
            info.size, info.mtime = len(data), int(time.time())
            tar.addfile(info, io.BytesIO(data))
            anchor_entry = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return {"files": files, "anchor_file": anchor_entry, "tar_sha256": _sha256_file(destination)}


def state_update(config: BackupConfig, repo: int, *, ok: bool, error: str = "", at: float | None = None) -> None:
    """Record one repository's outcome in the state file (under an exclusive lock)."""
    config.state_file.parent.mkdir(parents=True, exist_ok=True)
    with config.state_file.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        handle.seek(0)
        try:
            state = json.loads(handle.read() or "{}")
        except ValueError:
            state = {}
        entry = state.setdefault(f"repo{repo}", {})
        if ok:
            entry["last_success"] = at or time.time()
        else:
            entry["last_failure"], entry["last_error"] = at or time.time(), error[:300]
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(state, sort_keys=True))
        handle.flush()
        os.fsync(handle.fileno())


def backup_state(path: Path) -> dict:
    """The state file's content (``{}`` when missing or unreadable); read by ``/metrics``."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def backup_run(*, kind: str, config: BackupConfig) -> dict:
    """Back up to every repository (``kind``: ``"full"`` or ``"incr"``), then the files beside each.

    Returns ``{"type", "repos": {"repo1": {"label", "seconds"}}, "files", "bytes", "tables", "rows"}``.
    Raises ``OpsError`` (exit 1) naming each repository that failed, after the others were backed up
    and every outcome recorded (``state_update``).
    """
    if kind not in ("full", "incr"):
        raise OpsError(f"unknown backup type {kind!r}: full or incr", exit_code=2)
    done, failures = {}, []
    for repo, path in config.repos.items():
        started = time.monotonic()
        problem = repo_problem(path)
        if problem is None:
            process = pgbackrest(config, f"--repo={repo}", f"--type={kind}", "backup")
            problem = None if process.returncode == 0 else f"pgbackrest backup failed: {_last_line(process)}"
        if problem is not None:
            state_update(config, repo, ok=False, error=problem)
            failures.append(f"repo{repo}: {problem}")
            continue
        done[repo] = {"seconds": round(time.monotonic() - started, 2)}
    summary: dict = {"type": kind, "repos": {}}
    if done:
        info = backups_info(config)
        counts = table_counts()
        staging = Path(settings.VAR_DIR) / "backup-staging"
        staging.mkdir(parents=True, exist_ok=True)
        tar_path = staging / "files.tar"
        part = files_archive(destination=tar_path)
        for repo in done:
            label = info[repo][-1]["label"]
            manifest = {"format": MANIFEST_FORMAT, "label": label, "repo": repo, "type": kind,
                        "taken_at": time.time(), "stanza": config.stanza, "table_counts": counts, **part}
            target = config.repos[repo] / FILES_DIR / label
            try:
                target.mkdir(parents=True, exist_ok=True)
                _copy(tar_path, target / "files.tar")
                (target / "manifest.json").write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
            except OSError as error:
                state_update(config, repo, ok=False, error=f"files not copied: {error}")
                failures.append(f"repo{repo}: files not copied to {target}: {error.strerror}")
                continue
            state_update(config, repo, ok=True)
            summary["repos"][f"repo{repo}"] = {"label": label, **done[repo]}
        tar_path.unlink()
        summary.update(files=len(part["files"]), bytes=sum(f["size"] for f in part["files"]),
                       tables=len(counts), rows=sum(counts.values()))
    if failures:
        raise OpsError("backup failed: " + "; ".join(failures))
    return summary


def _copy(source: Path, destination: Path) -> None:
    """Copy and fsync, through a temporary name (a half-copied tar never looks complete)."""
    partial = destination.with_name(destination.name + ".partial")
    with source.open("rb") as reader, partial.open("wb") as writer:
        for block in iter(lambda: reader.read(1 << 20), b""):
            writer.write(block)
        writer.flush()
        os.fsync(writer.fileno())
    os.replace(partial, destination)
