"""``egov registries import population|legal-entities|indicators FILE [--source NAME] [--report PATH]``
and ``egov registries define-indicators FILE.json``.

Imports a CSV or XLSX export into a base register (``egov.registries.actions.register_import``), or
macro-economic figures (``indicators``: ``actions.indicator_values_import``; the indicators must be
defined first, ``define-indicators`` with a JSON list of ``{"code", "name", "name_en", "unit",
"unit_en", "definition", "definition_en", "source", "source_en"}``):
a progress bar on stderr, then the rejected and flagged rows as a CSV report (row, field, rule,
reason; default ``FILE.report.csv``), and as the last line one JSON object:
``{"read": N, "imported": N, "unchanged": N, "rejected": N, "flagged": N, "report": PATH}``.

Exit status 0 when the file was read (rejected rows are in the report), 2 with one line when the
file cannot be read at all (missing, not CSV/XLSX, no header, a required column missing).
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.core.actors import SYSTEM
from egov.core.errors import ApplicationError
from egov.facilities.tabular import progress_bar, report_write
from egov.registries.actions import indicator_define, indicator_values_import, register_import

REGISTERS = {"population": "population", "legal-entities": "legal_entity", "entities": "legal_entity",
             "indicators": "economic"}


class Command(BaseCommand):
    help = "Base registers: 'import population|legal-entities FILE' loads a CSV or XLSX export."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True)
        load = sub.add_parser("import", help="import a CSV or XLSX file into a register")
        load.add_argument("register", choices=sorted(REGISTERS))
        load.add_argument("file")
        load.add_argument("--source", default="", help="the providing organization (default: the file name)")
        load.add_argument("--report", default="", help="where to write the rejected rows (CSV)")
        define = sub.add_parser("define-indicators", help="define macro-economic indicators from a JSON list")
        define.add_argument("file")

    def handle(self, *args, step, file, **options):
        if step == "define-indicators":
            return self._define(file)
        return self._import(file=file, register=options["register"], source=options["source"],
                            report=options["report"])

    def _define(self, file: str) -> None:
        try:
            specs = json.loads(Path(file).read_text(encoding="utf-8-sig"))
            for order, spec in enumerate(specs):
                indicator_define(actor=SYSTEM, sort_order=spec.pop("sort_order", order), **spec)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}", returncode=2) from None
        except (ValueError, TypeError, AttributeError) as error:
            raise CommandError(f"{file}: not a JSON list of indicators ({error})", returncode=2) from None
        except ApplicationError as error:
            raise CommandError(f"{file}: {error.message} {error.extra}", returncode=2) from None
        self.stdout.write(json.dumps({"defined": len(specs)}))

    def _import(self, *, file: str, register: str, source: str, report: str) -> None:
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}", returncode=2) from None
        progress = progress_bar(sys.stderr, content.count(b"\n"))
        try:
            if REGISTERS[register] == "economic":
                batch = indicator_values_import(actor=SYSTEM, actor_label="egov registries import", content=content,
                                                file_name=path.name, source=source or path.name, progress=progress)
            else:
                batch = register_import(actor=SYSTEM, actor_label="egov registries import",
                                        register=REGISTERS[register], content=content, file_name=path.name,
                                        source=source or path.name, progress=progress)
        except ApplicationError as error:
            raise CommandError(f"{file}: {error.message}", returncode=2) from None
        sys.stderr.write("\n")
        report_path = Path(report) if report else path.with_name(path.name + ".report.csv")
        with report_path.open("w", encoding="utf-8-sig", newline="") as out:
            report_write(out, [("rejected", batch.rejected), ("flagged", batch.flagged)])
        self.stdout.write(json.dumps({**batch.counts, "report": str(report_path)}, ensure_ascii=False))
