"""``egov documents import PATH [--json] [--publish] [--issuer NAME]``.

PATH is one file (plain text or HTML, UTF-8, GBK/GB 18030 or with a byte-order mark) or a folder of
them (``*.txt``, ``*.htm``, ``*.html``, in name order). A document imported before (same issuer and
title, and the same 发文字号 or, without one, the same 成文日期) is not added again; with
``--publish`` it is published if it was not.

A document's issuer is found by its 署名 or the 机关代字 of its number; a 署名 naming no organization
of the city (国务院办公厅, 海关总署) records the issuer as an organization outside the city.
``--issuer`` names it instead. What the page held that is not the document (page furniture, and
everything after the document's end: see ``documents.importing``) is dropped and listed in the
report and in the ``--json`` line (``"dropped"``).

Exit status: 0 imported (or imported before); 2 for one file that cannot be registered — not a
government document, an unreadable encoding, an impossible or future 成文日期, no issuer found, or
a 发文字号 that another document holds — with one line naming the reason, creating nothing; 2 also
for a bad ``--issuer``, a missing path or a folder without such files. A folder: each file is
imported in its own transaction with a progress bar on stderr; the report lists every file,
imported or failed and why, and the exit status is 1 when any file failed.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from egov.core.actors import SYSTEM
from egov.core.errors import ApplicationError
from egov.documents.actions import document_import_once
from egov.documents.importing import document_parse, import_size_check
from egov.orgs.models import Organization

SUFFIXES = {".txt", ".htm", ".html"}


class Command(BaseCommand):
    help = "Official documents: 'import PATH' reads existing documents (a file or a folder) into the register."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        read = sub.add_parser("import", help="import a document file or a folder of them")
        read.add_argument("path")
        read.add_argument("--json", action="store_true",
                          help="print the elements found as one JSON line (the last line)")
        read.add_argument("--publish", action="store_true", help="mark the documents 主动公开 and publish them")
        read.add_argument("--issuer", help="the issuing organization's name, when the document's 署名 does not "
                                           "name one of ours")

    def handle(self, *args, subcommand, path, json: bool, publish: bool, issuer: str | None, **options):
        organization = None
        if issuer:
            organization = Organization.objects.filter(name=issuer).first()
            if organization is None:
                raise CommandError(_("--issuer %(name)s: no such organization") % {"name": issuer}, returncode=2)
        target = Path(path)
        if target.is_dir():
            return self._folder(target, organization, publish, json)
        if not target.is_file():
            raise CommandError(_("%(path)s: no such file or folder") % {"path": path}, returncode=2)
        try:
            document, created, parsed = self._one(target, organization, publish)
        except ApplicationError as error:
            raise CommandError(f"{path}: {error.message}", returncode=2) from None
        self.stdout.write(_message(document, created))
        for line in _dropped_report(parsed.dropped):
            self.stdout.write(line)
        if json:
            self.stdout.write(_json(parsed.as_json()))

    def _one(self, path: Path, organization, publish: bool):
        import_size_check(path.stat().st_size)  # before reading it
        parsed = document_parse(path.read_bytes())
        document, created = document_import_once(actor=SYSTEM, actor_label="egov documents import", parsed=parsed,
                                                 issuer=organization, source_name=path.name, publish=publish)
        return document, created, parsed

    def _folder(self, folder: Path, organization, publish: bool, as_json: bool) -> None:
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
        if not files:
            raise CommandError(_("%(folder)s: no .txt, .htm or .html files") % {"folder": folder}, returncode=2)
        imported, failed = [], []
        for index, path in enumerate(files, start=1):
            _progress(index, len(files), path.name)
            try:
                document, created, parsed = self._one(path, organization, publish)
            except ApplicationError as error:
                failed.append({"file": path.name, "message": error.message, "rule": error.extra.get("rule", "")})
                self.stdout.write(_("  failed: %(file)s: %(message)s") % {"file": path.name, "message": error.message})
            else:
                imported.append({"file": path.name, "id": document.pk, "number": str(document.number or ""),
                                 "created": created, "dropped": parsed.dropped})
                self.stdout.write(f"  {path.name}: {_message(document, created)}")
                for line in _dropped_report(parsed.dropped):
                    self.stdout.write(f"  {line}")
        sys.stderr.write("\n")
        self.stdout.write(_("imported %(imported)d of %(files)d files; %(failed)d failed")
                          % {"imported": len(imported), "files": len(files), "failed": len(failed)})
        if as_json:
            self.stdout.write(_json({"imported": imported, "failed": failed}))
        if failed:
            raise SystemExit(1)


def _message(document, created: bool) -> str:
    if created:
        return _("imported %(document)s (id %(id)d)") % {"document": document, "id": document.pk}
    return _("imported before: %(document)s (id %(id)d)") % {"document": document, "id": document.pk}


def _dropped_report(dropped: list[str], width: int = 60, shown: int = 20) -> list[str]:
    """The report's lines on what was dropped: a count, then the first ``shown`` lines (each cut at
    ``width`` characters) and how many more there are (the ``--json`` line lists them all)."""
    if not dropped:
        return []
    lines = [_("dropped %(count)d lines that are not the document:") % {"count": len(dropped)}]
    lines += [f"  - {line[:width]}{'…' if len(line) > width else ''}" for line in dropped[:shown]]
    if len(dropped) > shown:
        lines.append("  " + _("… and %(count)d more") % {"count": len(dropped) - shown})
    return lines


def _progress(done: int, total: int, name: str, width: int = 30) -> None:
    filled = width * done // total
    sys.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total} {name[:40]:<40}")
    sys.stderr.flush()


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
