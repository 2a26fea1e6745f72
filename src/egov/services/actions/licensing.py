"""E-licences (电子证照): at 办结 of an approved case of an item that issues a licence, the licence PDF
is rendered (WeasyPrint), sealed with the issuing organization's e-seal through ``trust`` (PAdES
B-LT, with the QR code of its verification code printed at the lower left) and kept.

Fonts: Noto Serif CJK SC (Debian ``fonts-noto-cjk``) for text, then 花園明朝 A and B (Debian
``fonts-hanazono``) for the ideographs outside it: HanaMinB covers the supplementary ideographic
plane (CJK Extensions B to F), so a holder's name such as 张𠮷明 or one with U+2A700 (Extension C)
prints with a real glyph and never as a box or "?".
"""

from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.actors import SYSTEM
from egov.core.errors import Conflict
from egov.core.masking import mask_id_number
from egov.services.actions.numbers import licence_number_allocate
from egov.services.models import Application, Licence
from egov.trust.models import Seal
from egov.trust.signing import pdf_sign_with_seal

# The seal a licence carries: the 业务专用章 where the organization has one, else its 公章.
LICENCE_SEAL_KINDS = (Seal.Kind.BUSINESS, Seal.Kind.OFFICIAL)
LICENCE_LANGUAGE = "zh-hans"  # a licence is a Chinese official document, whatever the page language


def _years_later(day: date, years: int) -> date:
    """The day before the same date ``years`` later (有效期至): 2026-03-01 + 5 → 2031-02-28;
    from 29 February the period ends on 27 February."""
    try:
        anniversary = day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        anniversary = day.replace(year=day.year + years, day=28)
    return date.fromordinal(anniversary.toordinal() - 1)


def licence_validity(*, issued_on: date, valid_years: int | None) -> date | None:
    """The last day a licence is valid: ``valid_years`` years from ``issued_on``, the anniversary
    itself excluded (民法典 §201–203 count a period in years to the eve of the same date); None
    when the item sets no limit (长期)."""
    return None if not valid_years else _years_later(issued_on, valid_years)


def licence_seal(*, organization) -> Seal:
    """The active seal a licence of ``organization`` is sealed with.

    Raises:
        Conflict: the organization has no active 业务专用章 or 公章 (``rule = "no_seal"``): an
            operator must create one (``egov trust seals``) before licences can be issued.
    """
    seals = {seal.kind: seal for seal in Seal.objects.filter(organization=organization, is_active=True,
                                                             kind__in=LICENCE_SEAL_KINDS)
             .select_related("certificate", "organization")}
    for kind in LICENCE_SEAL_KINDS:
        if kind in seals:
            return seals[kind]
    raise Conflict(_("%(organization)s has no e-seal to issue licences with.") % {"organization": organization},
                   extra={"field": "seal", "rule": "no_seal"})


def _holder_identifier(application: Application) -> str:
    applicant = application.applicant
    legal = getattr(applicant, "legal_person", None)
    if legal is not None:
        return legal.uscc  # a legal person's code is public (GB 32100-2015)
    natural = getattr(applicant, "natural_person", None)
    return mask_id_number(natural.id_number) if natural is not None else ""


def licence_pdf_render(*, context: dict) -> bytes:
    """Render the licence page (``services/licence_pdf.html``) to an A4 PDF with WeasyPrint.

    ``context``: ``title``, ``number``, ``holder``, ``holder_id``, ``item``, ``organization``,
    ``issued_on``, ``valid_until`` (date or None), ``tracking_number``.
    """
    from weasyprint import HTML

    with translation.override(LICENCE_LANGUAGE):
        html = render_to_string("services/licence_pdf.html", context)
    return HTML(string=html).write_pdf()


def licence_issue(*, actor, application: Application) -> Licence:
    """Issue the e-licence of the approved ``application`` (called by ``application_conclude``, in its
    transaction): allocate its number, render, seal as the platform, keep, audit.

    The seal is used by the platform (``actor=SYSTEM`` in ``trust``), because issuing follows from
    the approver's decision rather than from the clerk who concludes; the issue itself is audited
    with ``actor``.

    Returns:
        The new ``Licence`` (``document.code`` is its verification code).

    Raises:
        Conflict: the organization has no seal (``licence_seal``), or its seal certificate is
            revoked or expired (``trust``).
    """
    item, organization = application.item, application.organization
    seal = licence_seal(organization=organization)
    issued_on = timezone.localdate()
    number = licence_number_allocate(organization=organization, year=issued_on.year)
    title = item.licence_name or item.name
    valid_until = licence_validity(issued_on=issued_on, valid_years=item.licence_valid_years)
    pdf = licence_pdf_render(context={
        "title": title, "number": number, "holder": application.applicant_name,
        "holder_id": _holder_identifier(application), "item": item.name, "organization": organization.name,
        "issued_on": issued_on, "valid_until": valid_until, "tracking_number": application.number,
    })
    signed = pdf_sign_with_seal(actor=SYSTEM, seal=seal, pdf=pdf, title=f"{title} {number}"[:200],
                                reason=f"{title} {number}", location=organization.name)
    licence = Licence.objects.create(application=application, number=number, name=title,
                                     holder_name=application.applicant_name, issued_on=issued_on,
                                     valid_until=valid_until, document=signed.document)
    audit_record(action="services.licence.issue", actor=actor, organization=organization, obj=licence,
                 summary=f"licence {number} issued for {application.number}",
                 changes={"number": number, "document": signed.document.code, "seal": seal.pk,
                          "valid_until": valid_until.isoformat() if valid_until else None})
    return licence
