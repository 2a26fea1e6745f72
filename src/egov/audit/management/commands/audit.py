import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from egov.audit import archive, partitions
from egov.audit.actions import audit_anchor_write
from egov.audit.selectors import audit_anchors_read, audit_chain_verify


class Command(BaseCommand):
    help = ("Audit log tools. 'egov audit verify' recomputes the hash chain and checks it against the anchors: "
            "exit 0 intact, 1 broken. 'egov audit anchor' appends the chain's head to the anchor file. "
            "'egov audit checkpoint' records (and anchors) the checkpoint of each month that is over and makes "
            "the coming months' partitions. 'egov audit archive --before YYYY-MM' writes each older month to "
            "a file with its checkpoint and detaches its partition (PostgreSQL). "
            "'egov audit verify-archive FILE' verifies an archive file on its own: exit 0 intact, 1 broken.")

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify", "anchor", "checkpoint", "archive", "verify-archive"])
        parser.add_argument("file", nargs="?", help="verify-archive: the archive file")
        parser.add_argument("--json", action="store_true", help="print the report as one JSON line")
        parser.add_argument("--before", help="archive: the first month kept on-line (YYYY-MM)")
        parser.add_argument("--dir", help="archive: where the files go (default EGOV_VAR_DIR/audit-archive)")
        parser.add_argument("--drop", action="store_true", help="archive: drop each partition after detaching it")

    def handle(self, *args, subcommand, **options):
        path = Path(settings.EGOV_AUDIT_ANCHOR_FILE)
        if subcommand == "anchor":
            anchor = audit_anchor_write(path=path)
            self.stdout.write(f"anchored seq={anchor['seq']} in {path}" if anchor else "nothing new to anchor")
            return
        if subcommand == "checkpoint":
            self._checkpoint(path)
            return
        if subcommand == "archive":
            self._archive(path, options)
            return
        if subcommand == "verify-archive":
            self._verify_archive(path, options)
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

    def _checkpoint(self, path):
        try:
            done = archive.partitions_maintain(anchor_path=path)
        except archive.AuditArchiveError as error:
            raise CommandError(error.message, returncode=1) from None
        self.stdout.write(json.dumps(done))

    def _archive(self, path, options):
        if not options["before"]:
            raise CommandError("archive needs --before YYYY-MM", returncode=2)
        try:
            before = partitions.parse_month(options["before"])
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        directory = Path(options["dir"]) if options["dir"] else Path(settings.VAR_DIR) / "audit-archive"
        try:
            done = archive.audit_archive(before=before, directory=directory, anchor_path=path,
                                         now=timezone.now(), drop=options["drop"])
        except archive.AuditArchiveError as error:
            raise CommandError(error.message, returncode=2) from None
        for checkpoint in done:
            self.stdout.write(f"archived {checkpoint.month:%Y-%m}: events {checkpoint.first_seq}-{checkpoint.last_seq} "
                              f"in {directory / checkpoint.archive_name} (sha256 {checkpoint.archive_sha256})")
        if not done:
            self.stdout.write(f"nothing to archive before {before:%Y-%m}")

    def _verify_archive(self, path, options):
        if not options["file"] or not Path(options["file"]).is_file():
            raise CommandError("verify-archive needs an archive file that exists", returncode=2)
        report = archive.audit_archive_verify(path=Path(options["file"]), anchors=audit_anchors_read(path))
        if options["json"]:
            self.stdout.write(json.dumps(report.__dict__))
        elif report.ok:
            self.stdout.write(f"audit archive {report.month} intact: {report.checked} events")
        else:
            self.stdout.write(f"audit archive {report.month} broken at event seq={report.broken_seq}: {report.reason}")
        if not report.ok:
            raise SystemExit(1)
