"""E-licences (电子证照): at 办结 of an approved case of an item that issues a licence, the licence PDF
is rendered (WeasyPrint), sealed with the issuing organization's e-seal through ``trust`` (PAdES
B-LT, with the QR code of its verification code printed at the lower left) and kept.

Fonts: Noto Serif CJK SC (Debian ``fonts-noto-cjk``) for text, then 花園明朝 A and B (Debian
``fonts-hanazono``) for the ideographs outside it: HanaMinB covers the supplementary ideographic
plane (CJK Extensions B to F), so a holder's name such as 张𠮷明 or one with U+2A700 (Extension C)
prints with a real glyph and never as a box or "?".
"""

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class LicenceHolder:
    """Who a licence is issued to, as printed on it.

    ``name``: the enterprise's name for an enterprise (a legal person's own name, or the
    ``company_name`` of a 设立登记 form), else the person's. ``identifier``: the USCC (public,
    GB 32100-2015), or the person's masked resident ID, or "" (a company still to be registered
    has no code yet). ``facts``: ``[(label, value)]`` printed under the holder, for an enterprise
    the particulars a 营业执照 carries (the general registration items of 《市场主体登记管理条例》
    第八条: 名称、类型、法定代表人、注册资本、住所、经营范围), those the case knows.
    """

    name: str
    identifier_label: str
    identifier: str
    facts: list[tuple[str, str]] = field(default_factory=list)


def _choice_title(schema: dict, name: str, value) -> str:
    """The title of the chosen ``oneOf`` entry of form field ``name`` (the value itself if none)."""
    for choice in schema.get("properties", {}).get(name, {}).get("oneOf", []):
        if choice.get("const") == value:
            return choice.get("title", str(value))
    return str(value)


def licence_holder(*, application: Application) -> LicenceHolder:
    """The holder of the licence of ``application``: the legal person that applied (its name, USCC
    and legal representative from its account, the other particulars from the form), or the
    enterprise a natural person registers (the form's ``company_name`` and particulars), or else
    the natural person who applied."""
    applicant, form = application.applicant, application.form_data or {}
    legal = getattr(applicant, "legal_person", None)
    company = (form.get("company_name") or "").strip()
    if legal is None and not company:
        natural = getattr(applicant, "natural_person", None)
        return LicenceHolder(name=application.applicant_name, identifier_label=_("Identification"),
                             identifier=mask_id_number(natural.id_number) if natural is not None else "")
    facts = []
    if form.get("company_type"):
        facts.append((_("Type"), _choice_title(application.item.form_schema, "company_type", form["company_type"])))
    representative = legal.legal_representative if legal is not None else (form.get("legal_representative") or "")
    if representative:
        facts.append((_("Legal representative"), representative))
    if form.get("registered_capital") not in (None, ""):
        capital = form["registered_capital"]
        capital = int(capital) if float(capital).is_integer() else capital
        facts.append((_("Registered capital"), _("%(amount)s ten thousand yuan") % {"amount": capital}))
    if form.get("address"):
        facts.append((_("Domicile"), form["address"]))
    if form.get("business_scope"):
        facts.append((_("Business scope"), form["business_scope"]))
    return LicenceHolder(name=legal.name if legal is not None else company,
                         identifier_label=_("Unified social credit code"),
                         identifier=legal.uscc if legal is not None else "", facts=facts)


def licence_pdf_render(*, context: dict) -> bytes:
    """Render the licence page (``services/licence_pdf.html``) to an A4 PDF with WeasyPrint.

    ``context``: ``title``, ``number``, ``holder`` (a ``LicenceHolder``), ``item``, ``organization``,
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
    with translation.override(LICENCE_LANGUAGE):
        holder = licence_holder(application=application)
    pdf = licence_pdf_render(context={
        "title": title, "number": number, "holder": holder, "item": item.name, "organization": organization.name,
        "issued_on": issued_on, "valid_until": valid_until, "tracking_number": application.number,
    })
    signed = pdf_sign_with_seal(actor=SYSTEM, seal=seal, pdf=pdf, title=f"{title} {number}"[:200],
                                reason=f"{title} {number}", location=organization.name)
    licence = Licence.objects.create(application=application, number=number, name=title,
                                     holder_name=holder.name[:200], issued_on=issued_on,
                                     valid_until=valid_until, document=signed.document)
    audit_record(action="services.licence.issue", actor=actor, organization=organization, obj=licence,
                 summary=f"licence {number} issued for {application.number}",
                 changes={"number": number, "document": signed.document.code, "seal": seal.pk,
                          "valid_until": valid_until.isoformat() if valid_until else None})
    return licence
