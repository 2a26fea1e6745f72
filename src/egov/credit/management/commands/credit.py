"""``egov credit import|daily``: credit records by file and the daily run by hand.

``egov credit import FILE --provider USCC [--report PATH]``: credit records of one providing organization.
Reads a CSV or XLSX export of 行政许可 / 行政处罚 / 严重失信主体名单 / 经营异常名录 / 红名单 records
(``egov.credit.imports.records_import``; columns in docs/credit.md), every row through
``credit.actions.record_enter``: a progress bar on stderr, the rejected and held rows as a CSV report
(row, field, rule, reason, outcome; default ``FILE.report.csv``), and as the last line one JSON object:
``{"read": N, "entered": N, "unchanged": N, "rejected": N, "held": N, "report": PATH}``. Exit status 0 when
the file was read (rejected rows are in the report), 2 with one line when the file cannot be read at all
(missing, not CSV/XLSX, no header, a required column missing) or no organization has the provider's USCC.

``egov credit daily [--today YYYY-MM-DD]``: the daily credit run (``actions.credit_daily``), the same as the
Celery beat task ``credit.daily``: publish the list memberships whose objection window closed before the
day, end the publications whose period ended before it. Prints ``published N, expired N``. Exit status 0
done; 2 for a ``--today`` that is not a date, with one line.
"""

import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.core.actors import SYSTEM
from egov.core.errors import ApplicationError
from egov.credit.actions import credit_daily
from egov.credit.imports import records_import
from egov.facilities.tabular import progress_bar, report_write
from egov.orgs.models import Organization


class Command(BaseCommand):
    help = (
        "Credit records: 'import FILE --provider USCC' enters a CSV or XLSX export of one organization's "
        "records; 'daily' publishes after the objection window and ends expired publications."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True)
        load = sub.add_parser("import", help="enter the credit records of a CSV or XLSX file")
        load.add_argument("file")
        load.add_argument("--provider", required=True, help="the providing organization's USCC")
        load.add_argument("--report", default="", help="where to write the rejected and held rows (CSV)")
        daily = sub.add_parser("daily", help="the daily run (normally Celery beat's credit.daily)")
        daily.add_argument("--today", help="run as on this day (YYYY-MM-DD); default today")

    def handle(self, *args, step, **options):
        if step == "daily":
            return self._daily(options.get("today"))
        return self._import(options["file"], options["provider"], options["report"])

    def _daily(self, today: str | None) -> None:
        day = None
        if today:
            try:
                day = date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today {today}: not a date (YYYY-MM-DD)", returncode=2) from None
        counts = credit_daily(today=day)
        self.stdout.write(f"published {counts['published']}, expired {counts['expired']}")

    def _import(self, file: str, provider: str, report: str) -> None:
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}", returncode=2) from None
        organization = Organization.objects.filter(uscc=provider.strip().upper()).first()
        if organization is None:
            raise CommandError(f"{provider}: no organization has this unified social credit code", returncode=2)
        try:
            batch = records_import(
                actor=SYSTEM,
                actor_label="egov credit import",
                provider=organization,
                content=content,
                file_name=path.name,
                progress=progress_bar(sys.stderr, content.count(b"\n")),
            )
        except ApplicationError as error:
            raise CommandError(f"{file}: {error.message}", returncode=2) from None
        sys.stderr.write("\n")
        report_path = Path(report) if report else path.with_name(path.name + ".report.csv")
        with report_path.open("w", encoding="utf-8-sig", newline="") as out:
            report_write(out, [("", batch.report)])
        self.stdout.write(json.dumps({**batch.counts, "report": str(report_path)}, ensure_ascii=False))
