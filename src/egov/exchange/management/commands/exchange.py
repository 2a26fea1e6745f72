"""``egov exchange``: the catalog and the message log of this database (a node's or the platform's).

- ``egov exchange import FILE``: load resources and grants from JSON (``catalog_import``), or
  resources from an XLSX workbook as ``export`` writes it (all or nothing; the first bad row named).
- ``egov exchange export --format json|xlsx|dcat FILE [--open-only]``: write the catalog as JSON
  (``import``'s format), XLSX (the 2017 指南's columns) or DCAT-AP JSON-LD (open resources only,
  IRIs under ``EGOV_PUBLIC_URL``); ``--open-only`` keeps JSON and XLSX to what the public sees.
- ``egov exchange source set --code C --resource CODE --kind postgresql|mysql|csv|xlsx|http --connection FILE
  [--table T] --key-column K [--change-column C] --map FIELD=COLUMN …``: save a resource source
  (``actions.sources.resource_source_save``: the source's columns read, the mapping checked). The
  connection details are JSON in FILE (``-``: standard input), never on the command line:
  ``{"url": "postgresql://user:password@host/db"}``, ``{"path": "/data/rk.xlsx"}`` or
  ``{"url": "https://…", "headers": {"Authorization": "…"}}``; left out when changing a source, the
  stored details stay. Prints ``{"code", "connection"}`` (the hint, no password).
- ``egov exchange source preview CODE [-n 5]``: the first rows as the node would serve them (JSON).
- ``egov exchange verify-log``: recompute the message log's hash chain; exit 0 intact, 1 broken.
- ``egov exchange archive --org USCC --out DIR [--max-rows N]``: write the next archive files of
  timestamped rows (whole batches, at most N rows a file) until none is left; prints their names.
- ``egov exchange verify-archive FILE --root PEM [--message ID]``: prove an archive offline
  against the platform root (``egov.exchange.archive``); prints one JSON line; exit 0 valid,
  1 not valid, 2 unreadable.

Bad input exits 2 with one line.
"""

import json
import sys
from pathlib import Path

from cryptography import x509
from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import ApplicationError
from egov.exchange.actions import catalog_import
from egov.exchange.actions.sources import resource_source_preview, resource_source_save
from egov.exchange.archive import archive_export, archive_verify
from egov.exchange.catalog_io import catalog_import_file
from egov.exchange.dcat import catalog_export_bytes
from egov.exchange.log import log_verify
from egov.exchange.models import InformationResource, ResourceSource


class Command(BaseCommand):
    help = "The exchange catalog and message log (import, verify-log, archive, verify-archive)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True)
        load = sub.add_parser("import", help="load resources and grants from a JSON file (or resources from XLSX)")
        load.add_argument("file")
        dump = sub.add_parser("export", help="write the catalog as JSON, XLSX or DCAT-AP JSON-LD")
        dump.add_argument("--format", required=True, choices=["json", "xlsx", "dcat"])
        dump.add_argument("--open-only", action="store_true", help="open resources and items only")
        dump.add_argument("file")
        source = sub.add_parser("source", help="resource sources: where a node reads a resource's records")
        source_steps = source.add_subparsers(dest="source_step", required=True)
        save = source_steps.add_parser("set", help="save a source after checking its mapping")
        save.add_argument("--code", required=True)
        save.add_argument("--resource", required=True, help="the resource code")
        save.add_argument("--kind", required=True, choices=[k.value for k in ResourceSource.Kind])
        save.add_argument("--connection", default="", help="JSON file of the connection details (-: stdin)")
        save.add_argument("--table", default="")
        save.add_argument("--key-column", required=True)
        save.add_argument("--change-column", default="")
        save.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
        look = source_steps.add_parser("preview", help="the first rows as the node serves them")
        look.add_argument("code")
        look.add_argument("-n", type=int, default=5)
        sub.add_parser("verify-log", help="recompute the message log's hash chain")
        export = sub.add_parser("archive", help="write archive files of the timestamped log")
        export.add_argument("--org", required=True, help="this node's organization code")
        export.add_argument("--out", required=True)
        export.add_argument("--max-rows", type=int, default=100_000)
        verify = sub.add_parser("verify-archive", help="prove an archive offline")
        verify.add_argument("file")
        verify.add_argument("--root", required=True, help="the platform root certificate (PEM) you trust")
        verify.add_argument("--message", default="", help="show this message id's rows")

    def handle(self, *args, step, **options):
        if step == "source":
            try:
                self._source(options)
            except ApplicationError as exc:
                raise CommandError(f"{exc.message} {json.dumps(exc.extra, ensure_ascii=False)}", returncode=2) from None
            return
        if step == "import" and options["file"].lower().endswith(".xlsx"):
            try:
                content = Path(options["file"]).read_bytes()
            except OSError as exc:
                raise CommandError(f"{options['file']}: {exc}", returncode=2) from None
            report = catalog_import_file(actor=None, content=content, kind="xlsx")
            if report.rejected:
                first = report.rejected[0]
                raise CommandError(f"{options['file']}: {len(report.rejected)} rows refused, nothing imported; "
                                   f"{first['sheet']} row {first['row']}: {first['reason']}", returncode=2)
            self.stdout.write(json.dumps({"resources": report.resources, "items": report.items}))
            return
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
        if step == "export":
            content = catalog_export_bytes(format=options["format"], open_only=options["open_only"])
            try:
                Path(options["file"]).write_bytes(content)
            except OSError as exc:
                raise CommandError(f"{options['file']}: {exc}", returncode=2) from None
            self.stdout.write(options["file"])
            return
        if step == "archive":
            if options["max_rows"] < 1:
                raise CommandError("--max-rows must be at least 1", returncode=2)
            while archive := archive_export(node_code=options["org"], folder=Path(options["out"]),
                                            max_rows=options["max_rows"]):
                self.stdout.write(str(Path(options["out"]) / archive.name))
            return
        if step == "verify-archive":
            try:
                root = x509.load_pem_x509_certificate(Path(options["root"]).read_bytes())
            except (OSError, ValueError) as exc:
                raise CommandError(f"{options['root']}: not a PEM certificate ({exc})", returncode=2) from None
            try:
                report = archive_verify(path=Path(options["file"]), root=root, message_id=options["message"])
            except ApplicationError as exc:
                self.stdout.write(json.dumps({"valid": False, "error": exc.as_json()}, ensure_ascii=False))
                raise SystemExit(2) from None
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
            raise SystemExit(0 if report.valid else 1)
        broken = log_verify()
        if broken is not None:
            self.stdout.write(f"message log broken at seq {broken}")
            raise SystemExit(1)
        self.stdout.write("message log intact")

    def _source(self, options) -> None:
        if options["source_step"] == "preview":
            source = ResourceSource.objects.filter(code=options["code"]).first()
            if source is None:
                raise CommandError(f"no source {options['code']}", returncode=2)
            records, problems = resource_source_preview(actor=None, source=source, n=options["n"])
            self.stdout.write(json.dumps({"records": records, "problems": problems}, ensure_ascii=False))
            return
        resource = InformationResource.objects.filter(code=options["resource"]).first()
        if resource is None:
            raise CommandError(f"no resource {options['resource']}", returncode=2)
        mapping = {}
        for pair in options["map"]:
            field, sep, column = pair.partition("=")
            if not sep or not field or not column:
                raise CommandError(f"--map {pair}: write FIELD=COLUMN", returncode=2)
            mapping[field.strip()] = column.strip()
        connection = None
        if options["connection"]:
            try:
                text = sys.stdin.read() if options["connection"] == "-" else \
                    Path(options["connection"]).read_text(encoding="utf-8")
                connection = json.loads(text)
                if not isinstance(connection, dict):
                    raise ValueError("not a JSON object")
            except (OSError, ValueError) as exc:
                raise CommandError(f"--connection: {exc}", returncode=2) from None
        saved = resource_source_save(actor=None, resource=resource, code=options["code"], kind=options["kind"],
                                     connection=connection, table=options["table"],
                                     key_column=options["key_column"], change_column=options["change_column"],
                                     mapping=mapping)
        self.stdout.write(json.dumps({"code": saved.code, "connection": saved.connection_hint}, ensure_ascii=False))
