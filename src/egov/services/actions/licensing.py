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
from stdnum.cn import uscc

from egov.audit.actions import audit_record
from egov.core.actors import SYSTEM
from egov.core.errors import Conflict
from egov.core.masking import mask_id_number
from egov.facilities.numbering import counter_take
from egov.services.actions.numbers import licence_number_allocate
from egov.services.decided import licence_issued
from egov.services.models import Application, Licence, TrackingNumberCounter
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
    has no code until ``uscc_assign`` gives it one at approval). ``facts``: ``[(label, value)]``
    printed under the holder, for an enterprise the particulars a 营业执照 carries (the general
    registration items of 《市场主体登记管理条例》第八条: 名称、类型、法定代表人、注册资本、住所、
    经营范围), those the case knows.
    """

    name: str
    identifier_label: str
    identifier: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    uscc: str = ""  # the identifier when it is a USCC (kept on the ``Licence``), else ""


def _choice_title(schema: dict, name: str, value) -> str:
    """The title of the chosen ``oneOf`` entry of form field ``name`` (the value itself if none)."""
    for choice in schema.get("properties", {}).get(name, {}).get("oneOf", []):
        if choice.get("const") == value:
            return choice.get("title", str(value))
    return str(value)


# GB 32100-2015 §4: the first character is the registration authority (9 = 市场监督管理, which
# registers enterprises), the second the kind of entity under it (1 = 企业).
USCC_AUTHORITY_MARKET_REGULATION = "9"
USCC_KIND_ENTERPRISE = "1"
# GB 11714-1997 weights of the eight body characters of the 主体标识码 (organization code).
_ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORGANIZATION_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organization_code_check(body: str) -> str:
    """The check character of an 8-character organization code body (GB 11714-1997 §4):
    ``C9 = 11 − (Σ Ci × Wi mod 11)`` with W = 3 7 9 10 5 8 4 2, digits as their value and letters
    A = 10 … Z = 35; 10 is written ``X`` and 11 ``0``. ``"MA000001"`` → ``"5"``."""
    pairs = zip(body, _ORGANIZATION_CODE_WEIGHTS, strict=True)
    total = sum(_ORGANIZATION_CODE_ALPHABET.index(ch) * weight for ch, weight in pairs)
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_compose(*, division_code: str, sequence: int, authority: str = USCC_AUTHORITY_MARKET_REGULATION,
                 kind: str = USCC_KIND_ENTERPRISE) -> str:
    """The unified social credit code (GB 32100-2015) of the ``sequence``-th entity the registration
    authority of ``division_code`` (GB/T 2260, 6 digits) registers: authority (1) + kind (1) +
    division (6) + 主体标识码 (9: ``MA`` and the sequence in 6 digits, then the GB 11714 check) +
    check character (``stdnum.cn.uscc``: weights 3^i mod 31 over the alphabet without I O S V Z).
    ``division_code="320200", sequence=1`` → ``"91320200MA0000015X"``.

    Raises:
        ValueError: ``sequence`` outside 1 … 999999.
    """
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"USCC sequence {sequence} outside 1 … 999999")
    body = f"MA{sequence:06d}"
    first17 = f"{authority}{kind}{division_code}{body}{organization_code_check(body)}"
    return first17 + uscc.calc_check_digit(first17)


def uscc_assign(*, organization) -> str:
    """Assign the next unified social credit code of an enterprise registered by ``organization``
    (the registration authority, whose division gives the code's 登记管理机关行政区划码), from the
    counter ``uscc:<division>`` (gap-tolerant: a code is never given twice). See ``uscc_compose``.

    Raises:
        ValidationFailed: the division's 999,999 codes are used up (``rule = "exhausted"``).
    """
    division = organization.division.code
    scope = f"uscc:{division}"
    sequence = counter_take(model=TrackingNumberCounter, key={"scope": scope}, limit=999_999, label=scope)
    return uscc_compose(division_code=division, sequence=sequence)


def _form_fact(application: Application, name: str) -> str:
    """The value of form field ``name`` as printed: a choice's title, a number without ``.0``; "" if empty."""
    value = (application.form_data or {}).get(name)
    if value in (None, ""):
        return ""
    if application.item.form_schema.get("properties", {}).get(name, {}).get("oneOf"):
        return _choice_title(application.item.form_schema, name, value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def licence_is_establishment(*, application: Application) -> bool:
    """Whether ``application`` registers a company still to be established (设立登记: its form names
    the company, ``company_name``): its licence's holder is that company, not the applicant."""
    return bool(((application.form_data or {}).get("company_name") or "").strip())


def licence_holder(*, application: Application, assigned_uscc: str = "") -> LicenceHolder:
    """The holder of the licence of ``application``, with the particulars printed under it.

    - 设立登记 (``licence_is_establishment``): the company being established, entirely from the
      form (name, type, legal representative, registered capital, domicile, business scope),
      whoever applied, with ``assigned_uscc`` (``uscc_assign``) as its code;
    - else a legal person that applied: its name, USCC and legal representative from its account;
    - else an operator the form names (``business_name`` and its ``uscc``, e.g. 食品经营许可);
    - else the natural person who applied (masked resident ID).

    Places and kinds the applicant entered (经营场所 ``premises``, 主体业态 ``business_type``) are
    printed for every holder (食品经营许可证, 《食品经营许可和备案管理办法》第二十九条).
    """
    applicant, form = application.applicant, application.form_data or {}
    legal = getattr(applicant, "legal_person", None)
    uscc_label = _("Unified social credit code")
    representative = ""
    if licence_is_establishment(application=application):
        name, label, identifier = form["company_name"].strip(), uscc_label, assigned_uscc
        representative = _form_fact(application, "legal_representative")
    elif legal is not None:
        name, label, identifier = legal.name, uscc_label, legal.uscc
        representative = legal.legal_representative
    elif _form_fact(application, "business_name"):
        name, label, identifier = _form_fact(application, "business_name"), uscc_label, _form_fact(application, "uscc")
    else:
        natural = getattr(applicant, "natural_person", None)
        name, label = application.applicant_name, _("Identification")
        identifier = mask_id_number(natural.id_number) if natural is not None else ""
    facts = []
    if company_type := _form_fact(application, "company_type"):
        facts.append((_("Type"), company_type))
    if representative:
        facts.append((_("Legal representative"), representative))
    if capital := _form_fact(application, "registered_capital"):
        facts.append((_("Registered capital"), _("%(amount)s ten thousand yuan") % {"amount": capital}))
    if address := _form_fact(application, "address"):
        facts.append((_("Domicile"), address))
    if premises := _form_fact(application, "premises"):
        facts.append((_("Business premises"), premises))
    if business_type := _form_fact(application, "business_type"):
        facts.append((_("Main business form"), business_type))
    if scope := _form_fact(application, "business_scope"):
        facts.append((_("Business scope"), scope))
    return LicenceHolder(name=name, identifier_label=label, identifier=identifier, facts=facts,
                         uscc=identifier if label == uscc_label else "")


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
    # 设立登记: the company comes into being with this approval, and its code with it.
    assigned = uscc_assign(organization=organization) if licence_is_establishment(application=application) else ""
    with translation.override(LICENCE_LANGUAGE):
        holder = licence_holder(application=application, assigned_uscc=assigned)
    pdf = licence_pdf_render(context={
        "title": title, "number": number, "holder": holder, "item": item.name, "organization": organization.name,
        "issued_on": issued_on, "valid_until": valid_until, "tracking_number": application.number,
    })
    signed = pdf_sign_with_seal(actor=SYSTEM, seal=seal, pdf=pdf, title=f"{title} {number}"[:200],
                                reason=f"{title} {number}", location=organization.name)
    licence = Licence.objects.create(application=application, number=number, name=title,
                                     holder_name=holder.name[:200],
                                     holder_uscc=holder.uscc, issued_on=issued_on,
                                     valid_until=valid_until, document=signed.document)
    audit_record(action="services.licence.issue", actor=actor, organization=organization, obj=licence,
                 summary=f"licence {number} issued for {application.number}",
                 changes={"number": number, "holder_uscc": licence.holder_uscc, "document": signed.document.code,
                          "seal": seal.pk,
                          "valid_until": valid_until.isoformat() if valid_until else None})
    licence_issued(licence_id=licence.pk)  # 双公示 (egov.wiring connects credit)
    return licence
