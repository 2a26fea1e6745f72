"""``egov exchange``: the catalog and the message log of this database (a node's or the platform's).

- ``egov exchange import FILE``: load resources and grants from JSON (``catalog_import``).
- ``egov exchange verify-log``: recompute the message log's hash chain; exit 0 intact, 1 broken.

Bad input exits 2 with one line.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import ApplicationError
from egov.exchange.actions import catalog_import
from egov.exchange.log import log_verify


class Command(BaseCommand):
    help = "The exchange catalog and message log (import, verify-log)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True)
        load = sub.add_parser("import", help="load resources and grants from a JSON file")
        load.add_argument("file")
        sub.add_parser("verify-log", help="recompute the message log's hash chain")

    def handle(self, *args, step, **options):
        if step == "import":
            try:
                data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
                counts = catalog_import(actor=None, data=data)
            except (OSError, ValueError) as exc:
                raise CommandError(f"{options['file']}: {exc}", returncode=2) from None
            except ApplicationError as exc:
                raise CommandError(f"{exc.message} {json.dumps(exc.extra, ensure_ascii=False)}", returncode=2) from None
            self.stdout.write(json.dumps(counts))
            return
        broken = log_verify()
        if broken is not None:
            self.stdout.write(f"message log broken at seq {broken}")
            raise SystemExit(1)
        self.stdout.write("message log intact")
