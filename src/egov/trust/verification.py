"""Verifying signed PDFs: for each signature, is the document intact, who signed (which seal),
does the chain reach our root, was the certificate revoked at signing time, what does the
timestamp say, and was the file changed after signing.

pyHanko validates; this module decides the policy. Each signature's certificate path is
validated at its signing time (the RFC 3161 timestamp's time when the timestamp is valid, now
otherwise) against our root, with the revocation information embedded in the document (PAdES
LT) plus our CA's current CRLs, so a revocation dated before the signing time makes the
signature invalid and one dated after it does not.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from egov.trust.models import Certificate, SignedDocument
from egov.trust.pdf import pdf_open
from egov.trust.responders import crl_current
from egov.trust.selectors import issuing_authority, root_authority, signed_document_by_code

_ACCEPTED_LATER_CHANGES = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}


@dataclass
class SignatureReport:
    """The verdict on one signature. Times are ISO 8601 with offset; ``message`` is translated."""

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
    timestamp: dict | None = None
    signing_time: str = ""
    coverage: str = ""
    changed_after_signing: bool = True
    ltv: bool = False
    problems: list[str] = field(default_factory=list)
    message: str = ""


@dataclass
class VerificationReport:
    """The verdict on a document: ``valid`` when it has signatures and every one is valid."""

    valid: bool
    sha256: str
    signatures: list[SignatureReport]
    code: str = ""
    message: str = ""

    def as_json(self) -> dict:
        return asdict(self)


def _iso(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


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
        "subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "not_before": _iso(cert["tbs_certificate"]["validity"]["not_before"].native),
        "not_after": _iso(cert["tbs_certificate"]["validity"]["not_after"].native),
        "sha256": cert.sha256.hex(),
    }


def _who(report: SignatureReport, cert: asn1_x509.Certificate) -> None:
    names = cert.subject.native
    report.signer = names.get("common_name", "")
    report.organization = names.get("organization_name", "")
    row = Certificate.objects.filter(fingerprint=cert.sha256.hex()).select_related("user").first()
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


def _verify_one(embedded, trust: dict, dss: DocumentSecurityStore | None) -> SignatureReport:
    report = SignatureReport(field=str(embedded.field_name))
    cert = embedded.signer_cert
    report.certificate = _certificate_info(cert)
    _who(report, cert)
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
        report.chain = [c.subject.human_friendly for c in reversed(list(status.validation_path))]
        report.chain_to_root = status.validation_path.trust_anchor.certificate.sha256 == trust["root"].sha256 \
            if hasattr(status.validation_path.trust_anchor, "certificate") else True
    tst = status.timestamp_validity
    if tst is not None:
        report.timestamp = {"time": _iso(tst.timestamp), "valid": bool(tst.valid and tst.intact and tst.trusted),
                            "tsa": tst.signing_cert.subject.human_friendly}
    trusted_time = tst.timestamp if tst is not None and tst.valid and tst.intact and tst.trusted else None
    report.signing_time = _iso(trusted_time or status.signer_reported_dt)
    ours = Certificate.objects.filter(fingerprint=cert.sha256.hex(), revoked_at__isnull=False).first()
    if status.revoked:
        details = status.revocation_details
        report.revocation = {"status": "revoked", "checked_at": _iso(moment),
                             "revoked_at": _iso(details.revocation_date), "reason": details.revocation_reason.native,
                             "ca_revoked": bool(details.ca_revoked)}
    elif ours is not None and ours.revoked_at <= moment:
        # CRLs and our timestamps both count whole seconds (accuracy 1 s), and a CRL entry
        # revokes only strictly before the validation time, so a signature timestamped in the
        # very second of the revocation would pass. Which came first is unknowable within that
        # second; our own record settles it against the signer.
        report.revocation = {"status": "revoked", "checked_at": _iso(moment), "revoked_at": _iso(ours.revoked_at),
                             "reason": ours.revocation_reason, "ca_revoked": False}
    elif status.trusted:
        report.revocation = {"status": "good", "checked_at": _iso(moment)}
    else:
        report.revocation = {"status": "unknown", "checked_at": _iso(moment)}
    report.coverage = status.coverage.name.lower() if status.coverage is not None else "unclear"
    level = status.modification_level
    report.changed_after_signing = not (
        status.intact
        and (status.coverage == SignatureCoverageLevel.ENTIRE_FILE
             or (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and level in _ACCEPTED_LATER_CHANGES
                 and status.docmdp_ok is not False))
    )
    report.ltv = dss is not None
    _judge(report, status)
    return report


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
    if report.changed_after_signing and report.intact:
        problems.append(_("The file was changed after it was signed."))
    report.valid = not problems and bool(status.bottom_line)
    if report.valid:
        report.message = _("Valid signature by %(signer)s.") % {"signer": report.signer}
    else:
        report.message = " ".join(problems) or _("The signature is not valid.")
    if not report.valid and not problems:
        problems.append(report.message)


def pdf_verify(*, pdf: bytes) -> VerificationReport:
    """Verify every signature in ``pdf``.

    Returns:
        A ``VerificationReport``; ``valid`` is True when there is at least one signature and
        each is valid (intact, cryptographically valid, chained to our root, not revoked at
        signing time, timestamp valid, no change after signing other than later signatures
        and validation data).

    Raises:
        ValidationFailed: the file is not a readable, unencrypted PDF (``egov.trust.pdf.pdf_open``).
        Conflict: the platform CA is not set up.
    """
    import hashlib

    reader = pdf_open(pdf)
    root, issuing = root_authority(), issuing_authority()
    trust = {
        "root": asn1_x509.Certificate.load(bytes(root.certificate.der)),
        "issuing": asn1_x509.Certificate.load(bytes(issuing.certificate.der)),
        "crls": [crl_current(authority=root), crl_current(authority=issuing)],
    }
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    reports = []
    try:
        embedded_signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError):
        embedded_signatures = []
    for embedded in embedded_signatures:
        try:
            reports.append(_verify_one(embedded, trust, dss))
        except (SignatureValidationError, PdfError, ValueError, KeyError) as error:
            reports.append(SignatureReport(field=str(embedded.field_name), problems=[str(error)],
                                           message=_("The signature could not be checked: it is damaged.")))
    valid = bool(reports) and all(r.valid for r in reports)
    if not reports:
        message = _("The document carries no signature.")
    elif valid:
        message = _("All %(n)d signatures are valid.") % {"n": len(reports)} if len(reports) > 1 \
            else _("The signature is valid.")
    else:
        message = _("At least one signature is not valid.")
    return VerificationReport(valid=valid, sha256=hashlib.sha256(pdf).hexdigest(), signatures=reports,
                              message=message)


def pdf_verify_code(*, code: str) -> VerificationReport:
    """Verify the document registered under a verification code (the QR code printed on it).

    Raises:
        NotFound: no document has this code.
    """
    document: SignedDocument = signed_document_by_code(code=code)
    report = pdf_verify(pdf=bytes(document.pdf))
    report.code = document.code
    return report


