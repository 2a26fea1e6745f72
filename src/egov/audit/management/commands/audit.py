import json

from django.core.management.base import BaseCommand

from egov.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Audit log tools. 'egov audit verify' recomputes the hash chain: exit 0 intact, 1 broken."

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify"])
        parser.add_argument("--json", action="store_true", help="print the report as one JSON line")

    def handle(self, *args, subcommand, **options):
        report = audit_chain_verify()
        if options["json"]:
            self.stdout.write(json.dumps(report.__dict__))
        elif report.ok:
            self.stdout.write(f"audit chain intact: {report.checked} events")
        else:
            self.stdout.write(
                f"audit chain broken at event seq={report.broken_seq} (id={report.broken_id}): {report.reason}"
            )
        if not report.ok:
            raise SystemExit(1)
