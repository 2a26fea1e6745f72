import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from egov.audit.actions import audit_anchor_write
from egov.audit.selectors import audit_anchors_read, audit_chain_verify


class Command(BaseCommand):
    help = ("Audit log tools. 'egov audit verify' recomputes the hash chain and checks it against the anchors: "
            "exit 0 intact, 1 broken. 'egov audit anchor' appends the chain's head to the anchor file.")

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify", "anchor"])
        parser.add_argument("--json", action="store_true", help="print the report as one JSON line")

    def handle(self, *args, subcommand, **options):
        path = Path(settings.EGOV_AUDIT_ANCHOR_FILE)
        if subcommand == "anchor":
            anchor = audit_anchor_write(path=path)
            self.stdout.write(f"anchored seq={anchor['seq']} in {path}" if anchor else "nothing new to anchor")
            return
        report = audit_chain_verify(anchors=audit_anchors_read(path))
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
