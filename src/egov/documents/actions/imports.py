"""Registering documents issued before the platform (``egov documents import``)."""

import html
import re
import unicodedata
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.documents import rules
from egov.documents.actions.drafting import _document_new
from egov.documents.actions.outgoing import document_number_assign
from egov.documents.actions.publication import publication_on_issue
from egov.documents.importing import ParsedDocument
from egov.documents.models import (
    Attachment,
    Disclosure,
    Kind,
    OfficialDocument,
)
from egov.documents.numbers import DocumentNumber, simplified
from egov.documents.states import Status
from egov.orgs.actions import organization_external
from egov.orgs.models import Organization
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role

# --- Import of documents issued before the platform (egov documents import) ----------------------

# The kinds as the title ends (importing.KINDS) → ``Kind`` values (条例 §8).
_KIND_BY_NAME = {"决议": Kind.RESOLUTION, "决定": Kind.DECISION, "命令": Kind.ORDER, "令": Kind.ORDER,
                 "公报": Kind.COMMUNIQUE, "公告": Kind.ANNOUNCEMENT, "通告": Kind.PUBLIC_NOTICE,
                 "意见": Kind.OPINION, "通知": Kind.NOTICE, "通报": Kind.CIRCULAR, "报告": Kind.REPORT,
                 "请示": Kind.REQUEST, "批复": Kind.REPLY, "议案": Kind.MOTION, "函": Kind.LETTER,
                 "纪要": Kind.MINUTES}


def _organization_named(name: str) -> Organization | None:
    """The organization named ``name`` as written or in simplified script (無錫市人民政府), or None."""
    names = {name, simplified(name)} - {""}
    return Organization.objects.filter(name__in=names).order_by("pk").first() if names else None


def _import_issuer(parsed: ParsedDocument, issuer: Organization | None, *, actor,
                   actor_label: str) -> Organization:
    """The issuer named by the 署名, else by the 机关代字 of the number; traditional characters
    (無錫市人民政府, 錫政發) are also looked up in simplified form (OpenCC t2s), as organizations are
    named here.

    The 机关代字 of a number often extends the organization's own code with the kind of document
    (锡财 → 锡财发, 锡财办): when no organization has the code itself, the organization whose code
    is the longest prefix of it (two characters at least) is the issuer, if exactly one has it.

    A 署名 naming no organization of the city and a number of none of their codes is a document
    from outside the city (国务院办公厅, 海关总署, 江苏省人民政府): its issuer is recorded as an
    organization outside the city (``orgs.actions.organization_external``, the same record a later
    mention finds). Without a 署名 and without a known code the issuer must be named (``--issuer``)."""
    if issuer is not None:
        return issuer
    number = DocumentNumber.parse(parsed.document_number) if parsed.document_number else None
    found = _organization_named(parsed.issuer)
    if found is None and number is not None:
        found = _issuer_by_code({number.code, simplified(number.code)})
    if found is None and parsed.issuer:
        found = organization_external(actor=actor, name=parsed.issuer, actor_label=actor_label)
    if found is None:
        raise ValidationFailed(
            _("No organization is named %(issuer)s or uses the document code of %(number)s: name the issuer.")
            % {"issuer": parsed.issuer or "—", "number": parsed.document_number or "—"},
            extra={"field": "issuer", "rule": "unknown_issuer"})
    return found


def _import_co_issuers(parsed: ParsedDocument, issuer: Organization, *, actor,
                       actor_label: str) -> list[Organization]:
    """The other organizations of a joint 署名 (联合行文), in order: of the city when one has the
    name, else recorded as organizations outside the city."""
    others = []
    for name in parsed.signatories[1:]:
        organization = _organization_named(name) or organization_external(actor=actor, name=name,
                                                                           actor_label=actor_label)
        if organization != issuer and organization not in others:
            others.append(organization)
    return others


def _issuer_by_code(codes: set[str]) -> Organization | None:
    """The one organization whose 机关代字 is one of ``codes``, else the one whose code is the
    longest prefix (at least two characters) of one of them; None when none or several match."""
    exact = list(Organization.objects.filter(doc_code__in=codes)[:2])
    if exact:
        return exact[0] if len(exact) == 1 else None
    prefixes = {code[:length] for code in codes for length in range(2, len(code))}
    candidates = list(Organization.objects.filter(doc_code__in=prefixes))
    if not candidates:
        return None
    longest = max(len(o.doc_code) for o in candidates)
    best = [o for o in candidates if len(o.doc_code) == longest]
    return best[0] if len({o.doc_code for o in best}) == 1 and len(best) == 1 else None


def _same_text(text: str) -> str:
    """``text`` as two copies of one document are compared: NFKC, without blanks, simplified script."""
    return simplified(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")))


def _imported_already(parsed: ParsedDocument, issuer: Organization) -> OfficialDocument | None:
    """The document ``parsed`` was imported as before, or None: with a 发文字号, the one holding that
    number in any of its written forms (``numbers.number_key``: 錫政發〔2004〕99號 is 锡政发〔2004〕99号)
    with the same issuer and the same title in either script (``_same_text``); without one, the
    numberless document of the same issuer, title and 成文日期 (a number held by a different document
    is a conflict, not this)."""
    documents = OfficialDocument.objects.select_for_update().filter(issuer=issuer)
    title = _same_text(parsed.title)
    if parsed.document_number:
        held = documents.filter(number_key=DocumentNumber.parse(parsed.document_number).key)
    else:
        held = documents.filter(number_seq__isnull=True, written_on=parsed.date).order_by("pk")
    return next((document for document in held if _same_text(document.title) == title), None)


def document_import(*, actor, parsed: ParsedDocument, issuer: Organization | None = None, source_name: str = "",
                    publish: bool = False) -> OfficialDocument:
    """``document_import_once`` without telling whether the document was new: the document."""
    return document_import_once(actor=actor, parsed=parsed, issuer=issuer, source_name=source_name,
                                publish=publish)[0]


@transaction.atomic
def document_import_once(*, actor, parsed: ParsedDocument, issuer: Organization | None = None,
                         source_name: str = "", publish: bool = False, today: date | None = None,
                         actor_label: str = "") -> tuple[OfficialDocument, bool]:
    """Register a document issued before the platform, from the elements ``documents.importing`` read.

    The document enters as issued (已发), with its own 发文字号 (checked against every number held,
    never allocated), its 成文日期, 主送 as written and its body; with ``publish`` it is marked
    主动公开 and published now. Importing the same document again (same issuer and title, and the
    same 发文字号, or no number and the same 成文日期) adds nothing, also when the copy is written in
    the other script or width (錫政發〔2004〕99號 beside 锡政发〔2004〕99号: ``_imported_already``); the
    document keeps the form it was first imported in. With ``publish`` it is then marked 主动公开 and
    published if it was not.

    Args:
        actor: a document clerk of the issuer, or None for the platform (the ``egov`` command).
        issuer: the issuing organization; None: found by the 署名 (name) or the 机关代字 of the number,
            or, for a 署名 naming no organization of the city, recorded as one outside it
            (``_import_issuer``). The other organizations of a joint 署名 become its ``co_issuers``
            the same way; the 署名 as printed, the 附注, 抄送 and the 附件说明 (as attachments
            without a file) are kept.
        source_name: the file it was read from (at most 300 characters), kept for the record.
        today: the day the import runs (default: today, local time); a later 成文日期 is refused.
        actor_label: names the actor in the audit log when ``actor`` is None (``egov documents import``).

    Returns:
        ``(document, created)``: ``created`` is False when the document was imported before.

    Raises:
        ValidationFailed: no issuer found (``rule: "unknown_issuer"``), a 成文日期 after today
            (``rule: "future_date"``), a number held by another document (``rule: "duplicate"``), or a
            field over its limit. Nothing is written.
        PermissionDenied: the actor is not a document clerk of the issuer.
    """
    today = today or timezone.localdate()
    if parsed.date is not None and parsed.date > today:
        raise ValidationFailed(
            _("The date written (成文日期) %(date)s is after today.") % {"date": parsed.date.isoformat()},
            extra={"field": "written_on", "rule": "future_date"})
    issuer = _import_issuer(parsed, issuer, actor=actor, actor_label=actor_label)
    existing = _imported_already(parsed, issuer)
    if existing is not None:
        if not is_system(actor) and not has_role(actor, issuer, Role.DOCUMENT_CLERK):
            raise PermissionDenied(_("Only a document clerk of %(organization)s can draft its documents.")
                                   % {"organization": issuer.name}, extra={"role": Role.DOCUMENT_CLERK})
        if publish and existing.status == Status.ISSUED and existing.disclosure != Disclosure.PROACTIVE:
            previous = existing.disclosure
            existing.disclosure = rules.disclosure_check(Disclosure.PROACTIVE, classification=existing.classification)
            existing.save(update_fields=["disclosure", "updated_at"])
            audit_record(action="documents.document.update", actor=actor, organization=issuer, obj=existing,
                         summary=f"marked 主动公开 on import of {source_name}"[:500],
                         changes={"disclosure": [previous, Disclosure.PROACTIVE]}, actor_label=actor_label)
        if publish:
            publication_on_issue(actor=actor, document=existing, actor_label=actor_label)
        return existing, False
    # Issued elsewhere, before the platform: no outgoing process is started for it.
    document, _changes = _document_new(
        actor=actor, issuer=issuer, kind=_KIND_BY_NAME.get(parsed.kind, Kind.NOTICE), title=parsed.title,
        fields={"body": "".join(f"<p>{html.escape(text)}</p>" for _level, text in parsed.blocks),
                "main_to_text": "，".join(parsed.addressees), "signature": parsed.signature or issuer.name,
                "written_on": parsed.date, "note": parsed.note, "copy_to_text": "，".join(parsed.copy_to),
                "co_issuers": _import_co_issuers(parsed, issuer, actor=actor, actor_label=actor_label)},
    )
    if parsed.document_number:
        document_number_assign(document=document, actor=actor, number=parsed.document_number,
                               actor_label=actor_label)
        document.refresh_from_db()
    # The 附件说明 (GB/T 9704-2012 §7.3.4): the attachments' names, in order; their files were not
    # in the copy imported (an attachment without a file: size 0, no digest).
    Attachment.objects.bulk_create([
        Attachment(document=document, name=name, position=position, size=0, sha256="")
        for position, name in enumerate(parsed.attachment_names, start=1)])
    document.status = Status.ISSUED
    document.imported_from = source_name[:300]
    if publish:
        document.disclosure = Disclosure.PROACTIVE
    document.save(update_fields=["status", "imported_from", "disclosure"])
    audit_record(action="documents.document.import", actor=actor, organization=issuer, obj=document,
                 summary=f"imported {document}"[:500],
                 changes={"source": document.imported_from, "published": publish, "status": Status.ISSUED},
                 actor_label=actor_label)
    if publish:
        publication_on_issue(actor=actor, document=document, actor_label=actor_label)
    return document, True
