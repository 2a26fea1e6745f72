"""``egov trust``: the platform CA from the command line.

    egov trust init                          create the CA (idempotent; needs EGOV_CA_PASSPHRASE)
    egov trust seals                         list the seals and their ids
    egov trust sign-pdf IN OUT --seal ID     seal a PDF at PAdES B-LT (as the platform, audited)
    egov trust verify-pdf FILE [--json]      exit 0 when every signature is valid, 1 when not (or
                                             unsigned, or damaged), 2 when the file is unreadable
                                             or no prepared database holds the platform CA
    egov trust revoke SERIAL --reason R      revoke a certificate (serial in hex) and publish the CRL
    egov trust renew SERIAL                  issue a successor certificate (seals move to it)
    egov trust renew --outdated              renew every seal and staff certificate of an older profile
                                             (without EKU emailProtection: pdfsig/OpenSSL refuse them)
    egov trust expiring [--days N]           certificates expiring within N days (exit 1 if any)

Bad input (a missing file, a malformed, encrypted or oversized PDF, a wrong passphrase…) prints
one line and exits with status 2; ``verify-pdf --json`` then also prints
``{"valid": false, "error": {"message": …, "extra": {…}}}`` on stdout. Files are refused by their
size on disk before they are read.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils.translation import gettext as _

from egov.core.actors import SYSTEM
from egov.core.errors import ApplicationError, Conflict, ValidationFailed
from egov.trust import actions
from egov.trust.models import Certificate, CertificateAuthority, Seal
from egov.trust.pdf import pdf_open, pdf_size_check
from egov.trust.selectors import certificates_expiring, certificates_with_an_outdated_signer_profile, seal_get
from egov.trust.signing import pdf_sign_with_seal
from egov.trust.verification import pdf_verify


def _read(path: str) -> bytes:
    """The file's bytes, its size checked first (``pdf_size_check``) so an oversized file is not read.

    Raises:
        ValidationFailed: the file is missing or unreadable (``rule`` ``not_found``, ``unreadable``),
            empty or too large.
    """
    try:
        pdf_size_check(size=Path(path).stat().st_size)
        return Path(path).read_bytes()
    except OSError as error:
        rule = "not_found" if isinstance(error, FileNotFoundError) else "unreadable"
        raise ValidationFailed(f"{path}: {error.strerror}", extra={"field": "file", "rule": rule}) from None


def _database_missing() -> str | None:
    """Why the platform CA cannot be read (verification needs its root, issuing certificate and
    CRLs), or None. Looked at without creating anything: SQLite would create an empty database
    file on connecting, so a missing file is named before any connection is opened."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name != ":memory:" and not name.startswith("file:") and not Path(name).exists():
            return _("There is no database at %(path)s: prepare one first (egov demo --prepare-only, or "
                     "egov migrate and egov trust init).") % {"path": name}
    try:
        tables = connection.introspection.table_names()
    except DatabaseError as error:
        return _("The database cannot be reached: %(error)s") % {"error": str(error).strip().splitlines()[0]}
    if CertificateAuthority._meta.db_table not in tables:
        return _("The database is not prepared: run egov migrate and egov trust init first.")
    return None


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        x1, y1, x2, y2 = (float(part) for part in text.split(","))
    except ValueError:
        raise CommandError("--box wants four numbers in points: x1,y1,x2,y2", returncode=2) from None
    return (x1, y1, x2, y2)


def _certificate(serial: str) -> Certificate:
    matches = list(Certificate.objects.filter(serial=serial.lower().removeprefix("0x")))
    if len(matches) != 1:
        raise CommandError(f"no certificate has serial number {serial}", returncode=2)
    return matches[0]


class Command(BaseCommand):
    help = "The platform CA: init, seals, sign-pdf, verify-pdf, revoke, renew, expiring."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("init", help="create the root and issuing CA, TSA and OCSP certificates (idempotent)")
        sub.add_parser("seals", help="list the active seals")
        sign = sub.add_parser("sign-pdf", help="seal a PDF (PAdES B-LT)")
        sign.add_argument("input")
        sign.add_argument("output")
        sign.add_argument("--seal", type=int, required=True, help="seal id (see `egov trust seals`)")
        sign.add_argument("--page", type=int, default=1, help="page for the seal, from 1 (default 1)")
        sign.add_argument("--box", help="x1,y1,x2,y2 in points from the lower-left corner")
        sign.add_argument("--reason", default="")
        sign.add_argument("--no-mark", action="store_true", help="do not print the verification QR code")
        verify = sub.add_parser(
            "verify-pdf", help="verify every signature of a PDF",
            description="Exit status: 0 every signature is valid; 1 a signature is not valid, the file "
                        "is unsigned, or its signature is damaged; 2 the file cannot be read (missing, "
                        "empty, over 50 MB, not a PDF, damaged beyond reading, encrypted). With --json "
                        "the report, or {\"valid\": false, \"error\": {\"message\", \"extra\"}} on "
                        "status 2, is printed as one line.")
        verify.add_argument("file")
        verify.add_argument("--json", action="store_true", help="print the report as one JSON line")
        revoke = sub.add_parser("revoke", help="revoke a certificate")
        revoke.add_argument("serial")
        revoke.add_argument("--reason", required=True, choices=Certificate.Reason.values)
        renew = sub.add_parser("renew", help="renew a certificate")
        renew.add_argument("serial", nargs="?")
        renew.add_argument("--outdated", action="store_true",
                           help="renew every seal and staff certificate issued with an older profile")
        expiring = sub.add_parser("expiring", help="certificates that expire soon")
        expiring.add_argument("--days", type=int, default=30)

    def handle(self, *args, subcommand: str, **options):
        try:
            return getattr(self, "_" + subcommand.replace("-", "_"))(**options)
        except ApplicationError as error:
            raise CommandError(error.message, returncode=2) from None

    def _init(self, **options):
        result = actions.ca_init(actor=SYSTEM)
        verb = "created" if result.created else "exists"
        self.stdout.write(f"CA {verb}: {result.root} / {result.issuing}")

    def _seals(self, **options):
        for seal in Seal.objects.filter(is_active=True).select_related("organization"):
            self.stdout.write(f"{seal.pk:5}  {seal.organization.name}  {seal.get_kind_display()}")

    def _sign_pdf(self, *, input, output, seal, page, box, reason, no_mark, **options):
        data = _read(input)
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"{output}: the folder does not exist", returncode=2)
        with transaction.atomic():
            result = pdf_sign_with_seal(actor=SYSTEM, seal=seal_get(seal_id=seal), pdf=data, page=page - 1,
                                        box=_box(box), reason=reason, title=Path(input).name, mark=not no_mark)
            target.write_bytes(result.pdf)
        self.stdout.write(f"signed {output} (verification code {result.document.code})")

    def _verify_pdf(self, *, file, json: bool, **options):
        try:
            pdf = _read(file)
            pdf_open(pdf)  # a file that is no readable PDF is named as such, prepared database or not
            missing = _database_missing()
            if missing:
                raise Conflict(missing, extra={"field": "database", "rule": "not_prepared"})
            report = pdf_verify(pdf=pdf)
        except ApplicationError as error:
            if json:
                self.stdout.write(_json_line({"valid": False, "error": error.as_json()}))
            raise
        if json:
            self.stdout.write(_json_line(report.as_json()))
        else:
            self.stdout.write(report.message)
            for notice in report.notices:
                self.stdout.write(f"  {notice}")
            for signature in report.signatures:
                self.stdout.write(f"  {signature.field}: {'valid' if signature.valid else 'NOT VALID'} — "
                                  f"{signature.signer} — {signature.message}")
        if not report.valid:
            raise SystemExit(1)

    def _revoke(self, *, serial, reason, **options):
        certificate = actions.certificate_revoke(actor=SYSTEM, certificate=_certificate(serial), reason=reason)
        self.stdout.write(f"revoked {certificate.common_name} ({certificate.serial}): {reason}")

    def _renew(self, *, serial, outdated, **options):
        if bool(serial) == bool(outdated):
            raise CommandError("renew takes a SERIAL or --outdated (one of them)", returncode=2)
        certificates = certificates_with_an_outdated_signer_profile() if outdated else [_certificate(serial)]
        for certificate in certificates:
            renewed = actions.certificate_renew(actor=SYSTEM, certificate=certificate)
            self.stdout.write(f"renewed {renewed.common_name}: new serial {renewed.serial}, valid until "
                              f"{renewed.not_after:%Y-%m-%d}")
        if outdated:
            self.stdout.write(f"{len(certificates)} certificate(s) renewed")

    def _expiring(self, *, days, **options):
        found = list(certificates_expiring(within_days=days))
        for certificate in found:
            self.stdout.write(f"{certificate.not_after:%Y-%m-%d}  {certificate.serial}  {certificate.purpose:10}  "
                              f"{certificate.common_name}")
        if found:
            raise SystemExit(1)
        self.stdout.write(f"no certificate expires within {days} days")


def _json_line(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
