"""Credit reports (信用报告) and batch checks (批量核查), sealed by the credit office (issue 16, items 4 and 5).

A **report** shows one subject's credit records for a period. The subject asks for its own (the
enterprise's account or one of its agents, a person's own account: ``permissions.subject_codes``), or a
staff member holding a check role (``permissions.CHECK_ROLES``) in an organization asks about a named subject
for a stated purpose, on that organization's behalf; the grant is the role, and every report is audited
with its purpose (``credit.report.request``) and shown to the subject ("who requested reports about me").
A public user asking about another subject is refused (403, issue 16 "Bad input").

What a report shows (``report_records``):

- to an agency, the records in publication (公示中, as 信用公示 shows them): expired, repaired and revoked
  records are no longer used about the subject (国办发〔2020〕49号; 国家发展改革委令2023年第58号 on repair),
  and those still in notice or objection are not yet;
- to the subject itself, every record that reached it (not held for matching) except revoked ones (void),
  each with its status: also those in notice or objection, and those whose publication ended or that were
  repaired, marked as not public.

In both, a record belongs to the period when it was decided in it or was public during it.

A **batch check** runs the sanction check (``selectors.subject_status``) on up to ``batch_max()`` codes
(one per line, or the first column of a CSV) for one purpose, audited once with every subject named
(``credit.subjects.check_batch``); lines that are not a code are reported by number and the rest is checked.

Both PDFs are rendered in Chinese with WeasyPrint (the fonts of the e-licences, ``services.actions.licensing``),
sealed through ``trust`` with the credit office's seal (``credit_office_seal``, used by the platform; the QR
code of the verification code printed at the lower left of the last page), numbered by ``counter_take``
(``BG-YYYYMMDD-NNNN`` reports, ``HC-YYYYMMDD-NNNN`` checks) and kept in ``facilities.files``.
"""

import csv
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from egov.accounts.models import LegalPerson, NaturalPerson
from egov.accounts.permissions import require_verified_public_user
from egov.audit.actions import audit_record
from egov.core.actors import SYSTEM
from egov.core.dates import months_add
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.core.masking import mask_person_name
from egov.core.text import text_clean
from egov.credit import matching
from egov.credit.actions import code_shown
from egov.credit.models import BatchCheck, CreditRecord, CreditReport, ReportCounter, Status, SubjectKind
from egov.credit.permissions import CHECK_ROLES, roles_held, subject_codes
from egov.credit.selectors import subject_parse, subject_status
from egov.facilities.files import FileSpec, file_store
from egov.facilities.numbering import counter_take
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.trust.models import Seal
from egov.trust.pdf import pdf_open
from egov.trust.signing import pdf_sign_with_seal

PDF_LANGUAGE = "zh-hans"  # a sealed report is a Chinese official document, whatever the page language
REPORT_SEAL_KINDS = (Seal.Kind.BUSINESS, Seal.Kind.OFFICIAL)  # 业务专用章 where there is one, else 公章
PDF_SPEC = FileSpec(kinds=frozenset({"pdf"}), max_bytes=50 * 1024 * 1024)
PURPOSE_MAX = 200
# The earliest day a report period may start: the founding of the People's Republic (1949-10-01); no credit
# record of the platform is older, and a period from 0001-01-01 is a typing error, not a question.
EARLIEST = date(1949, 10, 1)
# The statuses a report shows to the subject itself; to an agency only PUBLISHED.
SELF_STATUSES = (Status.PROPOSED, Status.OBJECTION, Status.PUBLISHED, Status.EXPIRED, Status.REPAIRED)


def default_years() -> int:
    """The default period of a report, in years back from today (``EGOV_CREDIT_REPORT_YEARS``, default 3)."""
    return getattr(settings, "EGOV_CREDIT_REPORT_YEARS", 3)


def batch_max() -> int:
    """The most subjects one batch check takes (``EGOV_CREDIT_BATCH_MAX``, default 500)."""
    return getattr(settings, "EGOV_CREDIT_BATCH_MAX", 500)


def credit_office() -> Organization:
    """The credit office (信用办) whose seal the reports carry: the organization whose USCC is
    ``EGOV_CREDIT_OFFICE``, else the first (by place in the tree) where someone holds the credit officer's role.

    Raises:
        Conflict: none configured (``{"field": "credit_office", "rule": "missing"}``).
    """
    code = getattr(settings, "EGOV_CREDIT_OFFICE", "")
    office = None
    if code:
        office = Organization.objects.filter(uscc=code).first()
    else:
        office = Organization.objects.filter(memberships__roles__role=Role.CREDIT_OFFICER).order_by("path").first()
    if office is None:
        raise Conflict(
            _("No credit office is configured: set EGOV_CREDIT_OFFICE to its unified social credit code."),
            extra={"field": "credit_office", "rule": "missing"},
        )
    return office


def credit_office_seal(office: Organization) -> Seal:
    """The active seal the credit office's reports carry (its 业务专用章, else its 公章).

    Raises:
        Conflict: it has none (``{"field": "seal", "rule": "no_seal"}``): an operator creates one
            (``egov trust seals``).
    """
    seals = {s.kind: s for s in Seal.objects.filter(organization=office, is_active=True, kind__in=REPORT_SEAL_KINDS)}
    for kind in REPORT_SEAL_KINDS:
        if kind in seals:
            return seals[kind]
    raise Conflict(
        _("%(organization)s has no e-seal to seal credit reports with.") % {"organization": office.local_name},
        extra={"field": "seal", "rule": "no_seal"},
    )


def _number(prefix: str, today: date) -> str:
    value = counter_take(
        model=ReportCounter, key={"series": prefix, "day": today}, limit=9999, label=f"credit-{prefix}:{today}"
    )
    return f"{prefix}-{today:%Y%m%d}-{value:04d}"


def _pdf_render(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    with translation.override(PDF_LANGUAGE):
        html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def _seal_and_store(*, actor, pdf: bytes, title: str, office: Organization):
    """Seal ``pdf`` with the credit office's seal (as the platform: the seal follows from the rules, not from
    a person's choice; ``trust.seal.use`` is audited) on its last page and keep it in ``facilities.files``."""
    seal = credit_office_seal(office)
    last = int(pdf_open(pdf).root["/Pages"]["/Count"]) - 1
    signed = pdf_sign_with_seal(
        actor=SYSTEM, seal=seal, pdf=pdf, page=last, title=title[:200], reason=title, location=office.name
    )
    stored = file_store(actor=actor, content=signed.pdf, spec=PDF_SPEC, audit_action="credit.report.store")
    return signed, stored


def _check_organization(actor, organization: Organization | None) -> tuple[Organization, str]:
    """The organization a staff ``actor`` acts for (one where it holds a check role) and that role.

    Raises:
        PermissionDenied: no check role there (``{"rule": "role"}``). ValidationFailed: several organizations
            and none chosen (``{"field": "organization", "rule": "required"}``).
    """
    held = roles_held(actor, CHECK_ROLES)
    if not held:
        raise PermissionDenied(
            _("Only clerks, reviewers, approvers and credit officers may check a subject."), extra={"rule": "role"}
        )
    ids = {organization_id for organization_id, _role in held}
    if organization is None:
        if len(ids) > 1:
            raise ValidationFailed(
                _("Choose the organization you ask for."), extra={"field": "organization", "rule": "required"}
            )
        organization = Organization.objects.get(pk=ids.pop())
    role = next((role for organization_id, role in held if organization_id == organization.pk), None)
    if role is None:
        raise PermissionDenied(
            _("You hold no checking role in %(organization)s.") % {"organization": organization.local_name},
            extra={"rule": "role", "field": "organization"},
        )
    return organization, str(role)


def report_records(*, code: str, period_from: date, period_to: date, by_subject: bool) -> list[CreditRecord]:
    """The records a report on ``code`` shows (module docstring): decided in the period or public during it;
    published ones only for an agency, every one that reached the subject except revoked ones for the subject
    itself. Oldest decision first."""
    statuses = SELF_STATUSES if by_subject else (Status.PUBLISHED,)
    in_period = Q(decided_on__range=(period_from, period_to)) | Q(
        published_from__lte=period_to, published_until__gte=period_from
    )
    return list(
        CreditRecord.objects.filter(in_period, subject_code=code, status__in=statuses, matched_at__isnull=False)
        .select_related("provider")
        .order_by("decided_on", "pk")
    )


def _subject_name(kind: str, code: str, records: list[CreditRecord]) -> str:
    if records:
        return records[-1].subject_name
    named = CreditRecord.objects.filter(subject_code=code).order_by("-pk").values_list("subject_name", flat=True)
    if name := named.first():
        return name
    if kind == SubjectKind.LEGAL:
        return LegalPerson.objects.filter(uscc=code).values_list("name", flat=True).first() or ""
    return NaturalPerson.objects.filter(id_number=code).values_list("name", flat=True).first() or ""


@transaction.atomic
def report_request(
    *,
    actor,
    subject: str,
    period_from: date | None = None,
    period_to: date | None = None,
    organization: Organization | None = None,
    purpose: str = "",
    today: date | None = None,
) -> CreditReport:
    """Issue a sealed credit report on ``subject`` (a USCC or a resident ID) for a period.

    A public user asks about a subject it speaks for (its own code, an enterprise it is an agent of); no purpose
    is asked. A staff member asks for ``organization`` (where it holds one of ``CHECK_ROLES``; may be omitted
    when it holds them in one organization only) and must state ``purpose``.

    Args:
        period_from, period_to: both days included; default the last ``default_years()`` years to today.

    Returns:
        The ``CreditReport`` numbered ``BG-YYYYMMDD-NNNN`` (its ``document.code`` is the verification code).

    Raises:
        PermissionDenied: a public user not verified (``{"rule": "unverified"}``, issue 17) or asking about
            another subject (``{"rule": "subject"}``), staff without a
            check role (``{"rule": "role"}``), anyone else.
        ValidationFailed: ``subject`` not a code (``{"field": "subject", "rule": "format"}``), no purpose
            (``purpose``), ``period_from`` after ``period_to`` (``{"field": "period_from", "rule": "order"}``),
            ``period_to`` in the future (``{"field": "period_to", "rule": "future"}``), ``period_from`` before
            ``EARLIEST`` (``{"field": "period_from", "rule": "min"}``).
        Conflict: no credit office or no seal (``credit_office``, ``credit_office_seal``).
    """
    today = today or timezone.localdate()
    kind = getattr(actor, "kind", None)
    if kind in ("natural", "legal"):
        if organization is not None:
            raise PermissionDenied(_("Only staff ask on an organization's behalf."), extra={"rule": "role"})
        require_verified_public_user(actor)
        subject_kind, code = subject_parse(subject)
        if code not in subject_codes(actor):
            raise PermissionDenied(
                _("You may ask for a credit report only about yourself or an enterprise you act for."),
                extra={"rule": "subject"},
            )
        role, purpose = "subject", ""
    elif kind == "staff" and getattr(actor, "is_active", False):
        organization, role = _check_organization(actor, organization)
        subject_kind, code = subject_parse(subject)
        purpose = text_clean(
            purpose, field="purpose", limit=PURPOSE_MAX, label=pgettext("credit report", "the purpose")
        )
    else:
        raise PermissionDenied(_("Sign in to ask for a credit report."), extra={"rule": "role"})
    period_to = period_to or today
    period_from = period_from or months_add(period_to, -12 * default_years())
    if period_to > today:
        raise ValidationFailed(_("The period cannot end after today."), extra={"field": "period_to", "rule": "future"})
    if period_from < EARLIEST:
        raise ValidationFailed(
            _("The period cannot start before %(date)s.") % {"date": EARLIEST.isoformat()},
            extra={"field": "period_from", "rule": "min"},
        )
    if period_from > period_to:
        raise ValidationFailed(
            _("The period must start on or before its last day."), extra={"field": "period_from", "rule": "order"}
        )
    by_subject = organization is None
    records = report_records(code=code, period_from=period_from, period_to=period_to, by_subject=by_subject)
    office = credit_office()
    number = _number("BG", today)
    name = _subject_name(subject_kind, code, records)
    # A subject neither the records nor the registers know says so on the report (tester's M6): an empty
    # report about a mistyped or invented code must not read like a clean certificate. The subject's own
    # query is by a verified account: known.
    known = (
        by_subject
        or bool(records)
        or CreditRecord.objects.filter(subject_code=code, matched_at__isnull=False).exists()
        or matching.subject_known(subject_kind=subject_kind, code=code, organization=organization, case=number)
    )
    pdf = _pdf_render(
        "credit/report_pdf.html",
        {
            "number": number,
            "subject_name": name,
            "subject_code": code_shown(subject_kind=subject_kind, code=code),
            "subject_kind": SubjectKind(subject_kind).label,
            "is_person": subject_kind == SubjectKind.NATURAL,
            "period_from": period_from,
            "period_to": period_to,
            "by_subject": by_subject,
            "known": known,
            "organization": organization.name if organization else "",
            "purpose": purpose,
            "records": records,
            "office": office.name,
            "issued_on": today,
        },
    )
    signed, stored = _seal_and_store(actor=actor, pdf=pdf, title=f"信用报告 {number}", office=office)
    report = CreditReport.objects.create(
        number=number,
        subject_kind=subject_kind,
        subject_code=code,
        subject_name=name[:200],
        period_from=period_from,
        period_to=period_to,
        requester=actor,
        requester_organization=organization,
        purpose=purpose,
        records=[r.number for r in records],
        document=signed.document,
        file=stored,
    )
    audit_record(
        action="credit.report.request",
        actor=actor,
        organization=organization,
        obj=report,
        summary=f"{number} credit report on {code_shown(subject_kind=subject_kind, code=code)}",
        changes={
            "subject": code_shown(subject_kind=subject_kind, code=code),
            "purpose": purpose,
            "role": role,
            "period": [period_from.isoformat(), period_to.isoformat()],
            "records": report.records,
            "known": known,
            "document": signed.document.code,
        },
    )
    return report


def subjects_parse(text: str, *, header: bool = True) -> tuple[list[tuple[int, str, str]], list[dict]]:
    """The subjects of a batch: one code a line, or the first column of a CSV (comma, tab or semicolon); blank
    lines skipped, and (``header``) a first line without a digit, a CSV's header, too.

    Returns:
        ``([(line number, subject kind, normalized code)], [{"line", "value", "rule", "message"}])``: see
        ``subjects_check``.
    """
    lines = (text or "").splitlines()
    sample = "\n".join(lines[:20])
    cells = list(lines)
    if any(c in sample for c in ",\t;"):
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
            cells = [row[0] if row else "" for row in csv.reader(lines, dialect)]
        except csv.Error:  # not a CSV after all (or a NUL in it): one code a line
            cells = list(lines)
        if len(cells) != len(lines):  # a quoted cell spanning lines: keep the line numbers true
            cells = list(lines)
    if header and cells and not any(ch.isdigit() for ch in cells[0]):
        cells[0] = ""
    return subjects_check(cells)


def subjects_check(values: list[str]) -> tuple[list[tuple[int, str, str]], list[dict]]:
    """Each of ``values`` (line ``n`` is ``values[n - 1]``) checked as a USCC or a resident ID; empty ones skipped.

    Returns:
        ``([(line, subject kind, normalized code)], [{"line", "value", "rule", "message"}])``: a value that is not
        a code is ``format``; a code given before is ``duplicate`` (with ``duplicate_of``, its first line).
    """
    subjects, rejected, seen = [], [], {}
    for index, raw in enumerate(values, start=1):
        value = (raw or "").strip().strip("\ufeff").strip()
        if not value:
            continue
        try:
            kind, code = subject_parse(value)
        except ValidationFailed as error:
            rejected.append({"line": index, "value": value[:40], "rule": "format", "message": error.message})
            continue
        if code in seen:
            rejected.append(
                {
                    "line": index,
                    "value": code_shown(subject_kind=kind, code=code),
                    "rule": "duplicate",
                    "message": _("The same code as line %(line)d.") % {"line": seen[code]},
                    "duplicate_of": seen[code],
                }
            )
            continue
        seen[code] = index
        subjects.append((index, kind, code))
    return subjects, rejected


@transaction.atomic
def batch_check(
    *,
    actor,
    purpose: str,
    text: str = "",
    codes: list[str] | None = None,
    organization: Organization | None = None,
    today: date | None = None,
) -> BatchCheck:
    """批量核查: the sanction check of every subject in ``text`` (lines or a CSV, ``subjects_parse``) or ``codes``
    (a list, the API's: a code's line is its place in it, ``subjects_check``) for ``purpose``, on behalf of
    ``organization`` (as ``report_request``), with a sealed PDF of the result. Lines that are not codes are
    kept in ``rejected`` with their numbers; the others are checked. Audited once, every subject named.

    Returns:
        The ``BatchCheck`` numbered ``HC-YYYYMMDD-NNNN``.

    Raises:
        PermissionDenied: not staff with a check role. ValidationFailed: no purpose (``purpose``); more than
            ``batch_max()`` subjects (``{"field": "subjects", "rule": "max"}``); no line is a code
            (``{"field": "subjects", "rule": "none_valid", "lines": [...rejected]}``).
        Conflict: no credit office or no seal.
    """
    if getattr(actor, "kind", None) != "staff":
        raise PermissionDenied(
            _("Only clerks, reviewers, approvers and credit officers may check a subject."), extra={"rule": "role"}
        )
    today = today or timezone.localdate()
    organization, role = _check_organization(actor, organization)
    purpose = text_clean(purpose, field="purpose", limit=PURPOSE_MAX, label=pgettext("credit report", "the purpose"))
    subjects, rejected = subjects_check(codes) if codes is not None else subjects_parse(text)
    if len(subjects) + len(rejected) > batch_max():
        raise ValidationFailed(
            _("A batch check takes at most %(n)d subjects.") % {"n": batch_max()},
            extra={"field": "subjects", "rule": "max"},
        )
    if not subjects:
        message = _("No line is a unified social credit code or a resident identity number.")
        if not rejected:
            message = _("Give at least one code.")
        raise ValidationFailed(message, extra={"field": "subjects", "rule": "none_valid", "lines": rejected})
    number = _number("HC", today)
    results = []
    for line, kind, code in subjects:
        status = subject_status(kind=kind, code=code, case=number, organization=organization)
        name = _subject_name(kind, code, []) if status["known"] else ""
        if kind == SubjectKind.NATURAL:
            name = mask_person_name(name) if name else ""
        results.append({"line": line, "name": name, **status})
    office = credit_office()
    pdf = _pdf_render(
        "credit/check_pdf.html",
        {
            "number": number,
            "organization": organization.name,
            "purpose": purpose,
            "results": results,
            "rejected": rejected,
            "office": office.name,
            "issued_on": today,
            "black": sum(1 for r in results if r["black"]),
            "red": sum(1 for r in results if r["red"]),
        },
    )
    signed, stored = _seal_and_store(actor=actor, pdf=pdf, title=f"批量核查结果 {number}", office=office)
    check = BatchCheck.objects.create(
        number=number,
        requester=actor,
        requester_organization=organization,
        purpose=purpose,
        results=results,
        rejected=rejected,
        document=signed.document,
        file=stored,
    )
    audit_record(
        action="credit.subjects.check_batch",
        actor=actor,
        organization=organization,
        obj=check,
        summary=f"{number} batch check of {len(results)} subjects",
        changes={
            "purpose": purpose,
            "role": role,
            "subjects": [r["subject"] for r in results],
            "black": [r["subject"] for r in results if r["black"]],
            "red": [r["subject"] for r in results if r["red"]],
            "rejected_lines": [r["line"] for r in rejected],
            "document": signed.document.code,
        },
    )
    return check
