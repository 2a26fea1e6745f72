"""``egov credit daily [--today YYYY-MM-DD]``: the daily credit run (``actions.credit_daily``) by hand, the same
as the Celery beat task ``credit.daily``: publish the list memberships whose objection window closed before the
day, end the publications whose period ended before it. Prints ``published N, expired N``.

Exit status: 0 done; 2 for a ``--today`` that is not a date, with one line.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from egov.credit.actions import credit_daily


class Command(BaseCommand):
    help = "Credit records: 'daily' publishes after the objection window and ends expired publications."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        daily = sub.add_parser("daily", help="the daily run (normally Celery beat's credit.daily)")
        daily.add_argument("--today", help="run as on this day (YYYY-MM-DD); default today")

    def handle(self, *args, subcommand, today: str | None = None, **options):
        day = None
        if today:
            try:
                day = date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today {today}: not a date (YYYY-MM-DD)", returncode=2) from None
        counts = credit_daily(today=day)
        self.stdout.write(f"published {counts['published']}, expired {counts['expired']}")
