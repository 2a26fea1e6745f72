import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.core.actors import SYSTEM
from egov.core.errors import ApplicationError
from egov.workflow.calendar_actions import calendar_year_import
from egov.workflow.selectors import calendar_years_missing


class Command(BaseCommand):
    help = ("Working-day calendar. 'egov calendar import FILE' loads a year's holiday schedule (holiday-cn JSON: "
            "year, papers, days[name, date, isOffDay]); 'egov calendar missing' lists the years cases need that "
            "have no schedule.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser("import", help="load one year's schedule from a holiday-cn JSON file")
        load.add_argument("file")
        missing = sub.add_parser("missing", help="print the years without a schedule, one a line")
        missing.add_argument("--today", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, subcommand, **options):
        if subcommand == "import":
            return self._import(Path(options["file"]))
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today {options['today']}: not a date (YYYY-MM-DD)", returncode=2) from None
        for year in calendar_years_missing(today=today):
            self.stdout.write(str(year))

    def _import(self, path: Path) -> None:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}", returncode=2) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: not JSON ({exc})", returncode=2) from None
        try:
            calendar_year = calendar_year_import(actor=SYSTEM, document=document, source=path.name)
        except ApplicationError as error:
            raise CommandError(f"{path}: {error.message}", returncode=2) from None
        self.stdout.write(f"{calendar_year.year}: {calendar_year.days.count()} days loaded from {path.name}")
