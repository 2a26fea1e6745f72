"""``egov ops backup [--type full|incr]`` and ``egov ops restore-drill --target DIR``
(``egov.ops``; docs/operations.md "Backups and the off-site copy")."""

import datetime
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from egov.ops.backup import OpsError, backup_config, backup_run
from egov.ops.drill import restore_drill


class Command(BaseCommand):
    help = ("Backups and the restore drill. 'egov ops backup --type full|incr' backs up to every pgBackRest "
            "repository with the stored files and the audit anchor file (exit 1, one line, when a repository "
            "fails). 'egov ops restore-drill --target DIR [--target-time ISO]' restores the latest backup into a "
            "fresh cluster and checks it; prints one JSON line (exit 0 passed, 1 failed, 2 bad input).")

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["backup", "restore-drill"])
        parser.add_argument("--type", default="incr", help="backup: full or incr (default incr; "
                                                           "pgBackRest makes a full one when none exists)")
        parser.add_argument("--target", help="restore-drill: an empty directory for the restored cluster")
        parser.add_argument("--target-time", help="restore-drill: also restore to this time (ISO 8601 with offset)")
        parser.add_argument("--repo", type=int, default=1, help="restore-drill: the repository (default 1)")
        parser.add_argument("--keep", action="store_true", help="restore-drill: leave the restored cluster running")

    def handle(self, *args, subcommand, **options):
        try:
            config = backup_config()
            if subcommand == "backup":
                result = backup_run(kind=options["type"], config=config)
            else:
                result = self._drill(config, options)
        except OpsError as error:
            print(f"egov ops {subcommand}: {error}", file=sys.stderr)
            raise SystemExit(error.exit_code) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        if subcommand == "restore-drill" and not result["ok"]:
            raise SystemExit(1)

    def _drill(self, config, options):
        if not options["target"]:
            raise OpsError("restore-drill needs --target DIR (an empty directory)", exit_code=2)
        when = None
        if options["target_time"]:
            try:
                when = datetime.datetime.fromisoformat(options["target_time"])
            except ValueError:
                raise OpsError(f"--target-time {options['target_time']!r} is not an ISO 8601 time",
                               exit_code=2) from None
            if when.tzinfo is None:
                raise OpsError("--target-time needs a UTC offset, e.g. 2026-12-06T08:00:00+08:00", exit_code=2)
        return restore_drill(config=config, target=Path(options["target"]).resolve(), repo=options["repo"],
                             target_time=when, keep=options["keep"])
