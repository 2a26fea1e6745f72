"""``egov registries import population|legal-entities FILE [--source NAME] [--report PATH]``.

Imports a CSV or XLSX export into a base register (``egov.registries.actions.register_import``):
a progress bar on stderr, then the rejected and flagged rows as a CSV report (row, field, rule,
reason; default ``FILE.report.csv``), and as the last line one JSON object:
``{"read": N, "imported": N, "unchanged": N, "rejected": N, "flagged": N, "report": PATH}``.

Exit status 0 when the file was read (rejected rows are in the report), 2 with one line when the
file cannot be read at all (missing, not CSV/XLSX, no header, a required column missing).
"""

import csv
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.core.actors import SYSTEM
from egov.core.errors import ApplicationError
from egov.registries.actions import register_import

REGISTERS = {"population": "population", "legal-entities": "legal_entity", "entities": "legal_entity"}


class Command(BaseCommand):
    help = "Base registers: 'import population|legal-entities FILE' loads a CSV or XLSX export."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True)
        load = sub.add_parser("import", help="import a CSV or XLSX file into a register")
        load.add_argument("register", choices=sorted(REGISTERS))
        load.add_argument("file")
        load.add_argument("--source", default="", help="the providing organization (default: the file name)")
        load.add_argument("--report", default="", help="where to write the rejected rows (CSV)")

    def handle(self, *args, step, register, file, source, report, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}", returncode=2) from None
        total = max(content.count(b"\n"), 1)

        def progress(done: int) -> None:
            width = 30
            filled = min(width, width * done // total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done} rows")
            sys.stderr.flush()

        try:
            batch = register_import(actor=SYSTEM, actor_label="egov registries import", register=REGISTERS[register],
                                    content=content, file_name=path.name, source=source or path.name,
                                    progress=progress)
        except ApplicationError as error:
            raise CommandError(f"{file}: {error.message}", returncode=2) from None
        sys.stderr.write("\n")
        report_path = Path(report) if report else path.with_name(path.name + ".report.csv")
        with report_path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["row", "field", "rule", "reason", "outcome"])
            for outcome, rows in (("rejected", batch.rejected), ("flagged", batch.flagged)):
                for row in rows:
                    writer.writerow([row["row"], row["field"], row["rule"], row["reason"], outcome])
        self.stdout.write(json.dumps({**batch.counts, "report": str(report_path)}, ensure_ascii=False))
