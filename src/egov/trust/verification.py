"""Verifying signed PDFs: for each signature, is the document intact, who signed (which seal),
does the chain reach our root, was the certificate revoked at signing time and is it revoked
now, what does the timestamp say, and what was added to the file after signing.

pyHanko validates; this module decides the policy. Each signature's certificate path is
validated at its signing time (the RFC 3161 timestamp's time when the timestamp is valid, now
otherwise) against our root, with the revocation information embedded in the document (PAdES
LT) plus our CA's current CRLs, so a revocation dated before the signing time makes the
signature invalid and one dated after it does not; the current status (from the CA's own
register) is reported beside it.

What follows a signature in the file, by pyHanko's coverage and modification analysis:
``none`` (the signature covers the whole file), ``permitted`` (only later signatures and
validation data were added in incremental updates; a PAdES B-LT file always has one, the DSS
written right after its signature), ``changes`` (any other incremental update:
other form fields, annotations, content) or ``unparsed`` (bytes appended that form no PDF
revision). Only ``none`` and ``permitted`` leave the signature valid.

A file whose bytes, or whose last signed revision, is registered (``SignedRevision``) is
reported with its verification code and which version of the document it is.
"""

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from egov.trust.models import Certificate, SignedRevision
from egov.trust.pdf import pdf_open, pdf_reading
from egov.trust.responders import crl_current
from egov.trust.selectors import (
    issuing_authority,
    root_authority,
    signed_document_by_code,
    signed_revision_of,
    signed_revisions_by_sha256,
    signed_revisions_summary,
)

# A signature dictionary's /ByteRange: its presence means the file was signed, parseable or not.
_SIGNATURE_TRACE = re.compile(rb"/ByteRange\s*\[")
# The end of a revision (PDF 32000-1 §7.5.5): the end-of-file marker and its end-of-line.
_REVISION_END = re.compile(rb"%%EOF(?:\r\n|\r|\n)?")

# Subject attributes (asn1crypto names) and their labels; others show their dotted OID.
_NAME_LABELS = {
    "common_name": pgettext_lazy("certificate subject", "Common name"),
    "organization_name": pgettext_lazy("certificate subject", "Organization"),
    "organizational_unit_name": pgettext_lazy("certificate subject", "Organizational unit"),
    "organization_identifier": pgettext_lazy("certificate subject", "Organization identifier"),
    "user_id": pgettext_lazy("certificate subject", "User ID"),
    "serial_number": pgettext_lazy("certificate subject", "Serial number"),
    "locality_name": pgettext_lazy("certificate subject", "Locality"),
    "state_or_province_name": pgettext_lazy("certificate subject", "Province"),
    "country_name": pgettext_lazy("certificate subject", "Country"),
    "email_address": pgettext_lazy("certificate subject", "E-mail"),
}


@dataclass
class SignatureReport:
    """The verdict on one signature. Times are ISO 8601 with offset; messages are translated.

    ``revocation`` is the certificate's status at the signing time (``status`` good, revoked or
    unknown); ``current_status`` its status now in the CA's register (``status``, and when
    revoked ``revoked_at``, ``reason``, ``reason_label``, ``ca_revoked``, ``after_signing``).
    ``later_additions`` is ``none``, ``permitted``, ``changes`` or ``unparsed`` (module doc);
    ``modification_level`` is pyHanko's name for what the later revisions change.
    """

    field: str
    valid: bool = False
    intact: bool = False
    signature_valid: bool = False
    signer: str = ""
    organization: str = ""
    certificate: dict = field(default_factory=dict)
    seal: dict | None = None
    chain: list[str] = field(default_factory=list)
    chain_to_root: bool = False
    revocation: dict = field(default_factory=dict)
    current_status: dict = field(default_factory=dict)
    timestamp: dict | None = None
    signing_time: str = ""
    coverage: str = ""
    modification_level: str = ""
    later_additions: str = ""
    changed_after_signing: bool = True
    ltv: bool = False
    problems: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    message: str = ""


@dataclass
class VerificationReport:
    """The verdict on a document: ``valid`` when it has signatures and every one is valid.

    ``status`` is ``valid``, ``invalid``, ``unsigned`` (no signature at all) or ``damaged`` (the
    file carries a signature, a /ByteRange, that cannot be read). ``registered`` is set when the
    file, or its last signed revision, is registered on the platform: ``code``, ``revision`` (its
    number), ``revisions`` (how many the code has), ``exact`` (the file is those bytes, nothing
    appended), ``latest`` and ``versions`` (each revision's ``number``, ``sha256``, ``signatures``,
    ``registered_at``).
    """

    valid: bool
    sha256: str
    signatures: list[SignatureReport]
    status: str = "invalid"
    code: str = ""
    registered: dict | None = None
    notices: list[str] = field(default_factory=list)
    message: str = ""

    def as_json(self) -> dict:
        return asdict(self)


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


def _when(moment: datetime) -> str:
    """A time for sentences and pages: ``2026-03-01 10:15:00`` in the site's time zone (TIME_ZONE)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def name_text(name: asn1_x509.Name) -> str:
    """A distinguished name for people: the most specific attribute first, each with a translated
    label (``通用名称：…，组织：…`` in Chinese)."""
    parts = []
    for rdn in reversed(list(name.chosen)):
        for attribute in rdn:
            kind = attribute["type"].native
            value = attribute["value"].native
            value = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
            label = _NAME_LABELS.get(kind, attribute["type"].dotted)
            parts.append(pgettext("certificate subject", "%(label)s: %(value)s") % {"label": label, "value": value})
    return pgettext("certificate subject", ", ").join(parts)


def _timestamp_time(signer_info: cms.SignerInfo) -> datetime | None:
    """``genTime`` of the signature timestamp token (unsigned attribute), unverified; None if absent."""
    for attribute in signer_info["unsigned_attrs"] or []:
        if attribute["type"].native == "signature_time_stamp_token":
            token = attribute["values"][0]
            return token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    return None


def _certificate_info(cert: asn1_x509.Certificate) -> dict:
    return {
        "serial": f"{cert.serial_number:x}",
        "subject": name_text(cert.subject),
        "issuer": name_text(cert.issuer),
        "not_before": _iso(cert["tbs_certificate"]["validity"]["not_before"].native),
        "not_after": _iso(cert["tbs_certificate"]["validity"]["not_after"].native),
        "sha256": cert.sha256.hex(),
    }


def _who(report: SignatureReport, cert: asn1_x509.Certificate, row: Certificate | None) -> None:
    names = cert.subject.native
    report.signer = names.get("common_name", "")
    report.organization = names.get("organization_name", "")
    if row is None:
        return
    seal = row.seals.select_related("organization").first()
    if seal is not None:
        report.seal = {"id": seal.pk, "kind": seal.kind, "kind_label": str(seal.get_kind_display()),
                       "name": seal.name, "organization": seal.organization.name}
    elif row.user is not None:
        report.signer = row.user.name


def _contexts(trust: dict, moment: datetime | None, dss: DocumentSecurityStore | None):
    kwargs = {"trust_roots": [trust["root"]], "other_certs": [trust["issuing"]], "crls": list(trust["crls"]),
              "ocsps": [], "allow_fetching": False, "revocation_mode": "hard-fail", "retroactive_revinfo": True}
    if moment is not None:
        kwargs["moment"] = moment
    if dss is not None:
        return dss.as_validation_context(kwargs)
    return ValidationContext(**kwargs)


def _current_status(row: Certificate | None, signed_at: datetime) -> dict:
    """The certificate's status now, from the CA's register: its own revocation, else its
    issuing CA's. ``unknown`` for a certificate the platform did not issue."""
    now = _iso(timezone.now())
    if row is None:
        return {"status": "unknown", "checked_at": now}
    issuer = row.issuer.certificate if row.issuer is not None else None
    revoked = row if row.is_revoked else issuer if issuer is not None and issuer.is_revoked else None
    if revoked is None:
        return {"status": "good", "checked_at": now}
    return {"status": "revoked", "checked_at": now, "revoked_at": _iso(revoked.revoked_at),
            "reason": revoked.revocation_reason, "reason_label": str(revoked.get_revocation_reason_display()),
            "ca_revoked": revoked is not row, "after_signing": revoked.revoked_at > signed_at}


def _later_additions(status, unparsed_tail: bool, signature_fields: set[str]) -> str:
    """What follows the signed revision: none, permitted, changes or unparsed (module doc)."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "none"
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or status.docmdp_ok is False:
        return "changes"
    level = status.modification_level
    diff = status.diff_result
    # pyHanko counts adding a signature as form filling; filling any other field is a change.
    permitted = level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES) or (
        level == ModificationLevel.FORM_FILLING and isinstance(diff, DiffResult)
        and diff.changed_form_fields <= signature_fields)
    if not permitted:
        return "changes"
    return "unparsed" if unparsed_tail else "permitted"


def _unparsed_tail(pdf: bytes) -> bool:
    """True when bytes other than white space follow the last ``%%EOF`` marker: a PDF reader finds
    the last revision from that marker, so such bytes belong to no revision. White space (ISO 32000
    §7.2.2), such as the line ends a mail system adds, is not a change."""
    end = _REVISION_END.search(pdf, max(pdf.rfind(b"%%EOF"), 0))
    return end is None or bool(pdf[end.end():].strip(b" \t\r\n\x00\x0c"))


def _verify_one(embedded, trust: dict, dss: DocumentSecurityStore | None, unparsed_tail: bool,
                signature_fields: set[str]) -> SignatureReport:
    report = SignatureReport(field=str(embedded.field_name))
    cert = embedded.signer_cert
    report.certificate = _certificate_info(cert)
    row = Certificate.objects.filter(fingerprint=cert.sha256.hex()).select_related(
        "user", "issuer__certificate").first()
    _who(report, cert, row)
    ts_time = _timestamp_time(embedded.signer_info)
    moment = ts_time or timezone.now()
    status = validate_pdf_signature(
        embedded,
        signer_validation_context=_contexts(trust, moment, dss),
        ts_validation_context=_contexts(trust, None, dss),
    )
    report.intact = bool(status.intact)
    report.signature_valid = bool(status.intact and status.valid)
    if status.validation_path is not None:
        report.chain = [name_text(c.subject) for c in reversed(list(status.validation_path))]
        report.chain_to_root = status.validation_path.trust_anchor.certificate.sha256 == trust["root"].sha256 \
            if hasattr(status.validation_path.trust_anchor, "certificate") else True
    tst = status.timestamp_validity
    if tst is not None:
        report.timestamp = {"time": _iso(tst.timestamp), "valid": bool(tst.valid and tst.intact and tst.trusted),
                            "tsa": name_text(tst.signing_cert.subject)}
    trusted_time = tst.timestamp if tst is not None and tst.valid and tst.intact and tst.trusted else None
    report.signing_time = _iso(trusted_time or status.signer_reported_dt)
    if status.revoked:
        details = status.revocation_details
        report.revocation = {"status": "revoked", "checked_at": _iso(moment),
                             "revoked_at": _iso(details.revocation_date), "reason": details.revocation_reason.native,
                             "ca_revoked": bool(details.ca_revoked)}
    elif row is not None and row.is_revoked and row.revoked_at <= moment:
        # CRLs and our timestamps both count whole seconds (accuracy 1 s), and a CRL entry
        # revokes only strictly before the validation time, so a signature timestamped in the
        # very second of the revocation would pass. Which came first is unknowable within that
        # second; our own record settles it against the signer.
        report.revocation = {"status": "revoked", "checked_at": _iso(moment), "revoked_at": _iso(row.revoked_at),
                             "reason": row.revocation_reason, "ca_revoked": False}
    elif status.trusted:
        report.revocation = {"status": "good", "checked_at": _iso(moment)}
    else:
        report.revocation = {"status": "unknown", "checked_at": _iso(moment)}
    report.current_status = _current_status(row, moment)
    report.coverage = status.coverage.name.lower() if status.coverage is not None else "unclear"
    level = status.modification_level
    report.modification_level = level.name.lower() if level is not None else ""
    report.later_additions = _later_additions(status, unparsed_tail, signature_fields)
    report.changed_after_signing = not status.intact or report.later_additions not in ("none", "permitted")
    report.ltv = dss is not None
    _judge(report, status)
    return report


def _revocation_notice(current: dict) -> str:
    values = {"when": _when(datetime.fromisoformat(current["revoked_at"])), "reason": current["reason_label"]}
    if current["ca_revoked"]:
        return _("The issuing CA's certificate has been revoked since %(when)s (%(reason)s), after the signing "
                 "time: the signature, made and timestamped before, stays valid.") % values
    return _("The certificate has been revoked since %(when)s (%(reason)s), after the signing time: the "
             "signature, made and timestamped before, stays valid.") % values


def _judge(report: SignatureReport, status) -> None:
    problems = report.problems
    if not report.intact:
        problems.append(_("The signed content was changed: the document is not the one that was signed."))
    elif not report.signature_valid:
        problems.append(_("The signature value does not match the signer's certificate."))
    if report.revocation["status"] == "revoked":
        problems.append(_("The certificate was revoked before the signature was made."))
    elif not status.trusted and report.signature_valid:
        problems.append(_("The signer's certificate does not lead to the platform's root CA, or its status "
                          "could not be established."))
    if report.timestamp is not None and not report.timestamp["valid"]:
        problems.append(_("The timestamp is not valid."))
    if report.intact and report.later_additions == "unparsed":
        problems.append(_("Bytes were appended to the file after this signature; the signed part is intact, "
                          "but the file is not the one that was signed."))
    elif report.intact and report.changed_after_signing:
        problems.append(_("The file was changed after it was signed."))
    if report.later_additions == "permitted":
        report.notices.append(_("Later signatures or validation data were added after this signature, "
                                "as the rules allow."))
    current = report.current_status
    if current["status"] == "revoked" and current["after_signing"]:
        report.notices.append(_revocation_notice(current))
    report.valid = not problems and bool(status.bottom_line)
    if report.valid:
        report.message = " ".join([_("Valid signature by %(signer)s.") % {"signer": report.signer},
                                   *report.notices])
    else:
        report.message = " ".join(problems) or _("The signature is not valid.")
    if not report.valid and not problems:
        problems.append(report.message)


def _register_match(pdf: bytes) -> tuple[SignedRevision, bool] | None:
    """The registered revision these bytes are (exact), or else the longest registered revision
    they begin with, ending at a revision end (not exact: something was appended). None when no
    prefix is registered. Each prefix is hashed incrementally, so the file is read once."""
    hasher, start, prefixes = hashlib.sha256(), 0, {}
    for end in _REVISION_END.finditer(pdf):
        hasher.update(pdf[start:end.end()])
        start = end.end()
        prefixes[hasher.copy().hexdigest()] = start
    hasher.update(pdf[start:])
    prefixes[hasher.hexdigest()] = len(pdf)
    found = signed_revisions_by_sha256(sha256s=list(prefixes))
    if not found:
        return None
    revision = max(found, key=lambda r: prefixes[r.sha256])
    return revision, prefixes[revision.sha256] == len(pdf)


def _register(report: VerificationReport, revision: SignedRevision, exact: bool, by_code: bool) -> None:
    versions = signed_revisions_summary(document=revision.document)
    total = len(versions)
    report.code = revision.document.code
    report.registered = {
        "code": revision.document.code, "title": revision.document.title, "revision": revision.number,
        "revisions": total, "exact": exact, "latest": revision.number == versions[-1]["number"],
        "versions": [{**v, "registered_at": _iso(v["registered_at"])} for v in versions],
    }
    values = {"code": report.code, "n": revision.number, "total": total}
    if by_code and total > 1:
        report.notices.append(_("Code %(code)s has %(total)d registered versions: each signing adds one, and "
                                "all carry the same code. This check is of version %(n)d; upload your file "
                                "to learn which version you hold.") % values)
    elif not exact:
        report.notices.append(_("The signed part of this file is version %(n)d of %(total)d registered under "
                                "code %(code)s, but data was appended to it after signing.") % values)
    elif revision.number != versions[-1]["number"]:
        report.notices.append(_("This file is version %(n)d of %(total)d registered under code %(code)s; "
                                "later versions carry more signatures.") % values)
    elif total > 1:
        report.notices.append(_("This file is the latest of the %(total)d versions registered under code "
                                "%(code)s.") % values)


def _embedded(reader) -> list | None:
    try:
        return list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError):
        return None


def _summary(report: VerificationReport, traces: int) -> None:
    reports = report.signatures
    if traces > len(reports):
        report.status, report.valid = "damaged", False
        report.message = _("The file carries a signature that cannot be read: it is damaged or was modified.")
    elif not reports:
        report.status, report.message = "unsigned", _("The document carries no signature.")
    elif report.valid:
        report.status = "valid"
        report.message = _("All %(n)d signatures are valid.") % {"n": len(reports)} if len(reports) > 1 \
            else _("The signature is valid.")
    else:
        report.status, report.message = "invalid", _("At least one signature is not valid.")


def pdf_verify(*, pdf: bytes) -> VerificationReport:
    """Verify every signature in ``pdf`` and look it up in the register.

    Returns:
        A ``VerificationReport``; ``valid`` is True when there is at least one signature and
        each is valid (intact, cryptographically valid, chained to our root, not revoked at
        signing time, timestamp valid, nothing added after signing but later signatures and
        validation data). A file with a /ByteRange that yields no readable signature is
        ``damaged``, never ``unsigned``.

    Raises:
        ValidationFailed: the file is not a readable, unencrypted PDF (``egov.trust.pdf.pdf_open``).
        Conflict: the platform CA is not set up.
    """
    reader = pdf_open(pdf)
    root, issuing = root_authority(), issuing_authority()
    trust = {
        "root": asn1_x509.Certificate.load(bytes(root.certificate.der)),
        "issuing": asn1_x509.Certificate.load(bytes(issuing.certificate.der)),
        "crls": [crl_current(authority=root), crl_current(authority=issuing)],
    }
    with pdf_reading():  # pyHanko reads lazily: a broken structure may first show here
        try:
            dss = DocumentSecurityStore.read_dss(reader)
        except (NoDSSFoundError, PdfError, ValueError, KeyError):
            dss = None
        embedded_signatures = _embedded(reader) or []
        unparsed_tail = _unparsed_tail(pdf)
        signature_fields = {str(embedded.field_name) for embedded in embedded_signatures}
        reports = []
        for embedded in embedded_signatures:
            try:
                reports.append(_verify_one(embedded, trust, dss, unparsed_tail, signature_fields))
            except (SignatureValidationError, PdfError, ValueError, KeyError) as error:
                reports.append(SignatureReport(field=str(embedded.field_name), problems=[str(error)],
                                               message=_("The signature could not be checked: it is damaged.")))
    digest = hashlib.sha256(pdf).hexdigest()
    report = VerificationReport(valid=bool(reports) and all(r.valid for r in reports), sha256=digest,
                                signatures=reports)
    _summary(report, len(_SIGNATURE_TRACE.findall(pdf)))
    match = _register_match(pdf)
    if match is not None:
        _register(report, *match, by_code=False)
    return report


def pdf_verify_code(*, code: str, revision: int | None = None) -> VerificationReport:
    """Verify the document registered under a verification code (the QR code printed on it).

    Args:
        revision: which version (number from 1) to check; the latest when None. Every version
            of a countersigned document carries the same code, so the report lists them all.

    Raises:
        NotFound: no document has this code, or it has no such revision.
    """
    document = signed_document_by_code(code=code)
    chosen = signed_revision_of(document=document, number=revision)
    report = pdf_verify(pdf=bytes(chosen.pdf))
    report.notices.clear()
    _register(report, chosen, True, by_code=True)
    return report
