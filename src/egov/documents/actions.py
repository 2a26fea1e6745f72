"""Writes of official documents. Each action is atomic, checks permission, validates and audits.

The outgoing flow (``workflow``'s BPMN definition) calls, step by step: ``document_draft`` /
``document_update`` (拟稿), ``document_transition`` (送核稿, 核稿, 送会签, 复核, 退回, 作废),
``document_sign_off`` (签发), ``document_number_allocate`` (登记), ``document_print`` (印制),
``document_seal`` (用印, the issuer's e-seal from ``trust``); ``flow`` adds 会签 and 核发. Each
move completes the matching task of the document's BPMN process (``process``).
"""

import hashlib
import html
from collections.abc import Iterable
from datetime import date
from typing import Any

import opencc
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.documents import rules
from egov.documents.body import body_sanitize
from egov.documents.files import attachment_kind
from egov.documents.importing import ParsedDocument
from egov.documents.incoming import incoming_open
from egov.documents.models import (
    UPWARD_KINDS,
    Attachment,
    Classification,
    Direction,
    Disclosure,
    DocumentNumberCounter,
    Kind,
    OfficialDocument,
    Opinion,
    Recipient,
)
from egov.documents.numbers import DocumentNumber
from egov.documents.permissions import require_issuer_role, require_visible
from egov.documents.process import outgoing_start, outgoing_step
from egov.documents.search import search_fields_fill
from egov.documents.selectors import number_next_free
from egov.documents.states import EDITABLE, Status, move_for
from egov.orgs.models import Organization
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role
from egov.trust.models import Seal
from egov.trust.signing import pdf_sign_with_seal

_TEXT_FIELDS = {"title": 300, "main_to_text": 500, "signature": 300, "note": 300, "copy_to_text": 500}


def attachment_max_bytes() -> int:
    """The largest attachment accepted, in bytes (setting ``EGOV_DOCUMENT_ATTACHMENT_MAX_MB``, default 20)."""
    return int(getattr(settings, "EGOV_DOCUMENT_ATTACHMENT_MAX_MB", 20)) * 1024 * 1024


def _text(field: str, value: str) -> str:
    value = (value or "").strip()
    if len(value) > _TEXT_FIELDS[field]:
        raise ValidationFailed(_("%(field)s is longer than %(n)d characters.") % {"field": field,
                                                                                 "n": _TEXT_FIELDS[field]},
                               extra={"field": field, "rule": "max_length"})
    return value


def _organizations(field: str, organizations: Iterable[Organization]) -> list[Organization]:
    result = []
    for organization in organizations:
        if not organization.is_active:
            raise ValidationFailed(_("%(name)s is no longer active.") % {"name": organization.name},
                                   extra={"field": field, "rule": "inactive"})
        if organization not in result:
            result.append(organization)
    return result


def _set_recipients(document: OfficialDocument, kind: str, organizations: list[Organization]) -> None:
    document.recipients.filter(kind=kind).delete()
    Recipient.objects.bulk_create([
        Recipient(document=document, kind=kind, organization=organization, name=organization.name, position=index)
        for index, organization in enumerate(organizations)
    ])


def _apply(document: OfficialDocument, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate ``fields`` onto ``document`` (unsaved); return the plain changes for the audit log."""
    changes: dict[str, Any] = {}

    def put(name: str, value: Any) -> None:
        old = getattr(document, name)
        if old != value:
            setattr(document, name, value)
            changes[name] = "changed" if name == "body_html" else [_plain(old), _plain(value)]

    if "kind" in fields:
        put("kind", rules.kind_check(fields["kind"]))
    if "kind" in fields or "direction" in fields:
        # Without a direction given, 请示/报告 become 上行文 and other kinds keep theirs (or get the usual one).
        given = fields.get("direction") or (None if document.kind in UPWARD_KINDS else document.direction)
        put("direction", rules.direction_for(document.kind, given))
    if "classification" in fields:
        put("classification", rules.classification_check(fields["classification"]))
    if "urgency" in fields:
        put("urgency", rules.urgency_check(fields["urgency"]))
    if "copy_number" in fields:
        put("copy_number", rules.copy_number_check(fields["copy_number"]))
    if "disclosure" in fields or ("classification" in changes and document.disclosure):
        put("disclosure", rules.disclosure_check(fields.get("disclosure", document.disclosure),
                                                 classification=document.classification))
    for name in _TEXT_FIELDS:
        if name in fields:
            put(name, _text(name, fields[name]))
    if "body" in fields:
        put("body_html", body_sanitize(fields["body"]))
    if "written_on" in fields:
        put("written_on", fields["written_on"])
    if "printer" in fields:
        put("printer", fields["printer"])
    if not document.title:
        raise ValidationFailed(_("The title is required."), extra={"field": "title", "rule": "required"})
    if "title" in changes or "body_html" in changes:
        search_fields_fill(document)
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Organization):
        return value.pk
    return value


def _relations(document: OfficialDocument, fields: dict[str, Any], changes: dict[str, Any]) -> None:
    for field, kind in (("main_to", Recipient.Kind.MAIN), ("copy_to", Recipient.Kind.COPY)):
        if field in fields:
            organizations = _organizations(field, fields[field])
            _set_recipients(document, kind, organizations)
            changes[field] = [o.pk for o in organizations]
    for field in ("co_issuers", "countersigners"):
        if field in fields:
            organizations = [o for o in _organizations(field, fields[field]) if o.pk != document.issuer_id]
            getattr(document, field).set(organizations)
            changes[field] = [o.pk for o in organizations]


@transaction.atomic
def document_draft(*, actor, issuer: Organization, kind: str, title: str, **fields: Any) -> OfficialDocument:
    """Start a document (拟稿) of ``issuer``; it waits in status ``drafting``.

    Args:
        actor: a document clerk (文书) of ``issuer``, or None for the platform.
        issuer: the issuing organization; its 机关代字 numbers the document later.
        kind: a ``Kind`` value (the 15 kinds of 条例 §8).
        title: 标题, at most 300 characters.
        fields: any of ``direction`` (default from the kind), ``classification`` (公开/内部;
            秘密/机密/绝密 refused), ``urgency`` (""/加急/特急), ``copy_number`` (6 digits), ``body``
            (HTML or plain text, sanitized), ``main_to``/``copy_to`` (organizations), ``main_to_text``/
            ``copy_to_text`` (names as written), ``co_issuers`` (联合行文), ``countersigners`` (会签),
            ``signature`` (default: the issuer's name), ``written_on`` (date), ``note`` (附注),
            ``printer`` (印发机关, an organization), ``disclosure`` (公开属性, a ``Disclosure``
            value: 主动公开, 依申请公开 or 不予公开; required before 签发, changeable until then).

    Raises:
        PermissionDenied: the actor is not a document clerk of ``issuer``.
        ValidationFailed: a field broke a rule (``extra["field"]``, ``extra["rule"]``).
    """
    document, changes = _document_new(actor=actor, issuer=issuer, kind=kind, title=title, fields=fields)
    outgoing_start(actor=actor, document=document)
    audit_record(action="documents.document.draft", actor=actor, organization=issuer, obj=document,
                 summary=f"drafted {document.title}"[:500], changes=changes)
    return document


def _document_new(*, actor, issuer: Organization, kind: str, title: str,
                  fields: dict[str, Any]) -> tuple[OfficialDocument, dict[str, Any]]:
    """Check the actor and the fields and save a new document (drafted or imported); no audit."""
    if actor is not None and not has_role(actor, issuer, Role.DOCUMENT_CLERK):
        raise PermissionDenied(_("Only a document clerk of %(organization)s can draft its documents.")
                               % {"organization": issuer.name}, extra={"role": Role.DOCUMENT_CLERK})
    document = OfficialDocument(issuer=issuer, kind=rules.kind_check(kind), created_by=actor, signature=issuer.name)
    changes = _apply(document, {"kind": kind, "title": title, **fields})
    document.save()
    _relations(document, fields, changes)
    return document, changes


@transaction.atomic
def document_update(*, actor, document: OfficialDocument, **fields: Any) -> OfficialDocument:
    """Change a document's text and recipients while it is being drafted or reviewed.

    ``fields`` are those of ``document_draft`` (``title`` too). In 拟稿 the document clerk edits;
    in 核稿 the reviewer does.

    Raises:
        NotFound: the actor may not see the document.
        PermissionDenied: the actor lacks the role of the step.
        Conflict: the document is past review (its text is fixed).
        ValidationFailed: a field broke a rule.
    """
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    if document.status not in EDITABLE:
        raise Conflict(_("A document in status %(status)s can no longer be edited.")
                       % {"status": document.get_status_display()}, extra={"status": document.status})
    role = Role.DOCUMENT_CLERK if document.status == Status.DRAFTING else Role.REVIEWER
    require_issuer_role(actor, document, role)
    changes = _apply(document, fields)
    document.save()
    _relations(document, fields, changes)
    audit_record(action="documents.document.update", actor=actor, organization=document.issuer, obj=document,
                 summary=f"edited {document.title}"[:500], changes=changes)
    return document


OPINION_MAX = 2000


def _opinion_text(move_label: str, text: str, *, required: bool) -> str:
    """``text`` stripped; refused when over ``OPINION_MAX`` characters, or empty where ``required``."""
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed(_("Give the reason for this step (%(step)s).") % {"step": move_label},
                               extra={"field": "opinion", "rule": "required"})
    if len(text) > OPINION_MAX:
        raise ValidationFailed(_("The opinion is longer than %(n)d characters.") % {"n": OPINION_MAX},
                               extra={"field": "opinion", "rule": "max_length"})
    return text


def opinion_record(*, actor, document: OfficialDocument, step: str, move: str, target: str,
                   text: str, organization: Organization | None = None) -> Opinion:
    """Keep an opinion given at ``step`` (a status) by ``actor`` (a person) for the 发文稿纸; called
    inside the step's transaction by the action that takes it (no audit of its own: the step's
    event carries the opinion)."""
    return Opinion.objects.create(document=document, step=step, move=move, target=target, text=text,
                                  author=actor, author_name=actor.name,
                                  organization=organization or document.issuer)


def _move(document: OfficialDocument, actor, target: str, *, dedicated: bool, comment: str = "",
          data: dict[str, Any] | None = None) -> str:
    """Check the table and the role for moving ``document`` (locked) to ``target``, complete the
    matching step of its outgoing process (``process.outgoing_step``, with ``data`` in the answer),
    keep the opinion of a move that takes one (``Opinion``; required for a return), move the status
    and audit (``changes["opinion"]``); return the move's name."""
    if target not in Status.values:
        require_visible(actor, document)
        raise ValidationFailed(_("%(target)s is not a step of an official document.") % {"target": target},
                               extra={"field": "to", "rule": "unknown_step"})
    move = move_for(document.status, target)
    if move is None or move.dedicated != dedicated:
        require_visible(actor, document)
        raise Conflict(
            _("A document in status %(status)s cannot move to %(target)s.")
            % {"status": document.get_status_display(), "target": Status(target).label},
            extra={"status": document.status, "target": target},
        )
    require_issuer_role(actor, document, move.role)
    comment = _opinion_text(str(move.label), comment, required=move.opinion == "required") if move.opinion \
        else (comment or "").strip()
    previous = document.status
    outgoing_step(actor=actor, document=document, previous=previous, target=target, data=data, comment=comment)
    if move.opinion:
        opinion_record(actor=actor, document=document, step=previous, move=move.name, target=target, text=comment)
    document.status = target
    document.save(update_fields=["status", "updated_at"])
    audit_record(action=f"documents.document.{move.name}", actor=actor, organization=document.issuer,
                 obj=document, summary=(comment or f"{previous} → {target}")[:500],
                 changes={"status": [previous, target], **({"opinion": comment} if comment else {})})
    return move.name


@transaction.atomic
def document_transition(*, actor, document: OfficialDocument, to: str, comment: str = "") -> OfficialDocument:
    """Move ``document`` to status ``to`` along ``states.TRANSITIONS`` (e.g. 送核稿, 退回, 作废).

    签发, 登记 and 印制 have their own actions (``document_sign_off``, ``document_number_allocate``,
    ``document_print``) and are refused here.

    Args:
        comment: the opinion written at this step (核稿意见, 复核意见, the reason of a 退回 or 作废),
            at most 2000 characters; kept as an ``Opinion`` for the 发文稿纸 when the move takes one
            (``Move.opinion``) and shown in the history. A return (退回) needs it.

    Raises:
        NotFound: the actor may not see the document.
        PermissionDenied: the actor lacks the move's role in the issuing organization.
        Conflict: the table has no such move from the current status (the message names both).
        ValidationFailed: sent to 核稿 or 签发 with its 公开属性 undecided (``extra["field"] ==
            "disclosure"``), or to 核稿 without recipients, or to 会签 without countersigners; a return
            without its reason, an opinion over 2000 characters (``extra["field"] == "opinion"``).
    """
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    if to == Status.REVIEWING:
        _require_recipients(document)
    if to in (Status.REVIEWING, Status.SIGNING):
        # 公开属性 is decided while the text can still change, not found missing at 签发, where no
        # one may edit it any more.
        rules.disclosure_check(document.disclosure, classification=document.classification)
    data = None
    if to == Status.COUNTERSIGNING:
        countersigners = list(document.countersigners.filter(is_active=True).order_by("path").values_list(
            "pk", flat=True))
        if not countersigners:
            raise ValidationFailed(_("Name the countersigning organizations (会签) first."),
                                   extra={"field": "countersigners", "rule": "required"})
        data = {"countersigners": countersigners}
    _move(document, actor, to, dedicated=False, comment=comment, data=data)
    return document


def _require_recipients(document: OfficialDocument) -> None:
    if not document.main_to_text and not document.recipients.filter(kind=Recipient.Kind.MAIN).exists():
        raise ValidationFailed(_("Name at least one main recipient (主送机关)."),
                               extra={"field": "main_to", "rule": "required"})


@transaction.atomic
def document_sign_off(*, actor, document: OfficialDocument, mfa_verified: bool, comment: str = "",
                      ) -> OfficialDocument:
    """签发: a leader with the approver role in the issuing organization signs the document off.

    The actor's name is recorded as 签发人 (printed on 上行文, GB/T 9704-2012 §7.2.5) and today
    becomes the 成文日期 unless one was set (条例 §9 (十一): the date the leader signed).

    Args:
        mfa_verified: whether the leader's session passed the second factor (TOTP or a backup
            code: ``request.user.is_verified()``); signing off needs it.
        comment: the 签发意见 (e.g. "同意。"), at most 2000 characters; kept as an ``Opinion`` with
            the leader's name and the time, printed on the 发文稿纸 and in the history.

    Raises:
        NotFound, PermissionDenied: as ``document_transition``; the platform (None) cannot sign;
            a session without the second factor (``extra["rule"] == "mfa_required"``).
        Conflict: the document is not waiting for sign-off.
        ValidationFailed: its 公开属性 is undecided (``extra["field"] == "disclosure"``).
    """
    if actor is None:
        raise PermissionDenied(_("A document is signed off by a person."), extra={"role": Role.APPROVER})
    if not mfa_verified:
        raise PermissionDenied(_("Signing off needs a session verified with the second factor."),
                               extra={"rule": "mfa_required"})
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    _move(document, actor, Status.RECHECKING, dedicated=True, comment=comment)
    rules.disclosure_check(document.disclosure, classification=document.classification)
    names = [n for n in document.signers.split("、") if n]
    if actor.name not in names:
        names.append(actor.name)
    document.signers = "、".join(names)
    document.signed_off_by = actor
    document.signed_off_at = timezone.now()
    document.written_on = document.written_on or timezone.localdate()
    document.save(update_fields=["signers", "signed_off_by", "signed_off_at", "written_on", "updated_at"])
    return document


def _lock_counter(code: str, year: int) -> DocumentNumberCounter:
    # INSERT … ON CONFLICT DO NOTHING, then SELECT … FOR UPDATE: concurrent first allocations of a
    # year both end up waiting on the same row instead of one failing on the unique constraint.
    DocumentNumberCounter.objects.bulk_create([DocumentNumberCounter(code=code, year=year)], ignore_conflicts=True)
    return DocumentNumberCounter.objects.select_for_update().get(code=code, year=year)


def _number_taken(number: DocumentNumber) -> OfficialDocument | None:
    return OfficialDocument.objects.filter(number_code=number.code, number_year=number.year,
                                           number_seq=number.seq).first()


@transaction.atomic
def document_number_allocate(*, document: OfficialDocument, actor, today: date | None = None) -> OfficialDocument:
    """登记: allocate the next 发文字号 of the issuer's 机关代字 for this year and move to 印制.

    ``today`` (default: today, local time) gives the year; the page shows the number beforehand
    (``selectors.document_number_preview``, the same computation without the lock).

    The counter row of (机关代字, year) is locked with SELECT … FOR UPDATE in this transaction, so
    concurrent allocations get consecutive numbers 1, 2, 3… with no duplicate and no gap; the
    document update commits with the counter. A number a hand-registered document holds already
    (``document_number_assign``) is passed over, not given twice. A number stays with its document
    even when the document is withdrawn later (``selectors.document_numbers_used`` lists it), so
    no number is ever skipped silently.

    Returns:
        The document with ``number`` set (e.g. 锡政发〔2026〕1号), status ``printing``.

    Raises:
        NotFound, PermissionDenied: as ``document_transition`` (role: document clerk).
        Conflict: not in 登记, or numbered already.
        ValidationFailed: the issuer has no 机关代字 (``field: "doc_code"``); a 上行文 without 签发人.
    """
    document = OfficialDocument.objects.select_for_update().select_related("issuer").get(pk=document.pk)
    if document.number_seq is not None:
        require_visible(actor, document)
        raise Conflict(_("This document has the number %(number)s already.") % {"number": document.number},
                       extra={"field": "number", "rule": "numbered"})
    code = document.issuer.doc_code
    if not code:
        raise ValidationFailed(_("%(organization)s has no document code (机关代字).")
                               % {"organization": document.issuer.name}, extra={"field": "doc_code",
                                                                               "rule": "required"})
    _require_signers(document)
    year = (today or timezone.localdate()).year
    counter = _lock_counter(code, year)
    seq = number_next_free(code=code, year=year, after=counter.last_seq).seq
    _move(document, actor, Status.PRINTING, dedicated=True)
    counter.last_seq = seq
    counter.save(update_fields=["last_seq"])
    document.number_code, document.number_year, document.number_seq = code, year, seq
    document.number_allocated_at = timezone.now()
    document.save(update_fields=["number_code", "number_year", "number_seq", "number_allocated_at", "updated_at"])
    audit_record(action="documents.number.allocate", actor=actor, organization=document.issuer, obj=document,
                 summary=str(document.number), changes={"number": str(document.number)})
    return document


def _require_signers(document: OfficialDocument) -> None:
    if document.direction == Direction.UPWARD and not document.signers:
        raise ValidationFailed(_("An upward document (上行文) needs its 签发人."),
                               extra={"field": "signers", "rule": "required_upward"})


@transaction.atomic
def document_number_assign(*, document: OfficialDocument, actor, number: str,
                           actor_label: str = "") -> OfficialDocument:
    """Give a document a hand-typed 发文字号 (a document registered from paper); the status stays.

    ``number`` is parsed and normalized (``锡政发[2026]7号`` → ``锡政发〔2026〕7号``).
    ``actor_label`` names the actor in the audit log when ``actor`` is None (a command).

    Raises:
        NotFound, PermissionDenied: the actor is not a document clerk of the issuer.
        Conflict: the document has a number already.
        ValidationFailed: not a 发文字号 (``rule: "format"``), or one that another document holds
            (``rule: "duplicate"``, ``extra["document"]`` names it).
    """
    parsed = DocumentNumber.parse(number)
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    require_issuer_role(actor, document, Role.DOCUMENT_CLERK)
    if document.number_seq is not None:
        raise Conflict(_("This document has the number %(number)s already.") % {"number": document.number},
                       extra={"field": "number", "rule": "numbered"})
    _lock_counter(parsed.code, parsed.year)  # waits for allocations of the same code and year
    other = _number_taken(parsed)
    if other is not None:
        raise ValidationFailed(_("The document number %(number)s is used already.") % {"number": parsed},
                               extra={"field": "number", "rule": "duplicate", "document": other.pk})
    document.number_code, document.number_year, document.number_seq = parsed.code, parsed.year, parsed.seq
    document.number_allocated_at = timezone.now()
    try:
        with transaction.atomic():
            document.save(update_fields=["number_code", "number_year", "number_seq", "number_allocated_at"])
    except IntegrityError:
        raise ValidationFailed(_("The document number %(number)s is used already.") % {"number": parsed},
                               extra={"field": "number", "rule": "duplicate"}) from None
    audit_record(action="documents.number.assign", actor=actor, organization=document.issuer, obj=document,
                 summary=str(parsed), changes={"number": str(parsed), "typed": number}, actor_label=actor_label)
    return document


@transaction.atomic
def document_print(*, document: OfficialDocument, actor, printed_on: date | None = None) -> OfficialDocument:
    """印制: render the GB/T 9704 PDF, keep it with its SHA-256, and move to 用印 (sealing).

    ``printed_on`` (印发日期) defaults to today.

    Raises:
        NotFound, PermissionDenied: as ``document_transition`` (role: document clerk).
        Conflict: not in 印制.
        ValidationFailed: an element the page needs is missing (``extra["field"]``).
    """
    from egov.documents.rendering import pdf_render, print_data

    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    _move(document, actor, Status.SEALING, dedicated=True)
    document.printed_on = printed_on or document.printed_on or timezone.localdate()
    _require_recipients(document)
    _require_signers(document)
    if document.written_on is None:
        raise ValidationFailed(_("The date written (成文日期) is required."),
                               extra={"field": "written_on", "rule": "required"})
    rendered = pdf_render(print_data(document))
    digest = hashlib.sha256(rendered.pdf).hexdigest()
    document.printed_pdf.save(f"{document.pk}-{digest[:12]}.pdf", ContentFile(rendered.pdf), save=False)
    document.printed_pdf_sha256 = digest
    document.seal_page, document.seal_box = rendered.seal_page, list(rendered.seal_box)
    document.save(update_fields=["printed_on", "printed_pdf", "printed_pdf_sha256", "seal_page", "seal_box",
                                "updated_at"])
    audit_record(action="documents.document.printed", actor=actor, organization=document.issuer, obj=document,
                 summary=f"PDF {rendered.pages} pages", changes={"sha256": digest, "pages": rendered.pages})
    return document


@transaction.atomic
def document_seal(*, document: OfficialDocument, actor, seal: Seal) -> OfficialDocument:
    """用印: seal the printed PDF with the issuing organization's e-seal and move to 核发 (dispatch).

    The seal is a PAdES B-LT signature by ``trust`` (``pdf_sign_with_seal``) whose appearance is
    drawn over the 署名 and 成文日期, where ``document_print`` found them (GB/T 9704-2012 §7.3.5.1).
    The sealed PDF is kept beside the printed one, with its verification code. trust's QR
    verification mark is left off: GB/T 9704 has no place for it, and at the lower left it would
    cover the page number of an even page.

    Raises:
        NotFound, PermissionDenied: the actor is not a document clerk of the issuer; or (from
            ``trust``) holds no role the seal is granted to.
        Conflict: not in 用印; the seal is retired or its certificate revoked or expired.
        ValidationFailed: a seal of another organization (``field: "seal"``); CA passphrase problems.
    """
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    issuers = {document.issuer_id, *document.co_issuers.values_list("pk", flat=True)}
    if seal.organization_id not in issuers:
        require_visible(actor, document)
        raise ValidationFailed(_("This seal belongs to another organization."),
                               extra={"field": "seal", "rule": "issuer"})
    _move(document, actor, Status.DISPATCHING, dedicated=True)
    with document.printed_pdf.open("rb") as handle:
        printed = handle.read()
    signed = pdf_sign_with_seal(actor=actor, seal=seal, pdf=printed, page=document.seal_page or 0,
                                box=tuple(document.seal_box) if document.seal_box else None,
                                reason="用印", title=str(document), mark=False)
    digest = hashlib.sha256(signed.pdf).hexdigest()
    document.sealed_pdf.save(f"{document.pk}-{digest[:12]}.pdf", ContentFile(signed.pdf), save=False)
    document.sealed_pdf_sha256 = digest
    document.verification_code = signed.document.code
    document.save(update_fields=["sealed_pdf", "sealed_pdf_sha256", "verification_code", "updated_at"])
    audit_record(action="documents.document.sealed", actor=actor, organization=document.issuer, obj=document,
                 summary=f"sealed with {seal}", changes={"seal": seal.pk, "sha256": digest,
                                                          "verification_code": signed.document.code})
    return document


@transaction.atomic
def document_receive(*, document: OfficialDocument, actor) -> list[Recipient]:
    """签收 (the first step of 收文办理): a document clerk of a 主送 or 抄送 organization acknowledges
    an issued document for each of its organizations among the delivered recipients; each gets its
    收文 record (``incoming.incoming_open``) in its inbox.

    Returns:
        The recipient rows signed for now.

    Raises:
        NotFound: the actor may not see the document (recipients see it once it is issued).
        PermissionDenied: the actor is no document clerk of a recipient organization.
        Conflict: the document is not issued, or its organizations have signed for it already.
    """
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    require_visible(actor, document)
    if document.status != Status.ISSUED:
        raise Conflict(_("Only an issued document is signed for."), extra={"status": document.status})
    rows = [row for row in document.recipients.select_for_update().filter(
            organization__isnull=False, delivered_at__isnull=False).select_related("organization")
            if has_role(actor, row.organization, Role.DOCUMENT_CLERK)]
    if not rows:
        raise PermissionDenied(_("Only a document clerk of a recipient organization signs for a document."),
                               extra={"role": Role.DOCUMENT_CLERK})
    pending = [row for row in rows if row.received_at is None]
    if not pending:
        raise Conflict(_("This document has been signed for already."), extra={"rule": "received"})
    now = timezone.now()
    for row in pending:
        row.received_at, row.received_by = now, actor
        row.save(update_fields=["received_at", "received_by"])
        audit_record(action="documents.document.receive", actor=actor, organization=row.organization, obj=document,
                     summary=f"received by {row.organization}", changes={"recipient": row.pk, "kind": row.kind})
        incoming_open(recipient=row, actor=actor, now=now)
    return pending


@transaction.atomic
def attachment_add(*, actor, document: OfficialDocument, name: str, file: File,
                   content_type: str = "") -> Attachment:
    """Attach a file (附件) named ``name`` (printed in 附件说明) while the document is editable.

    Raises:
        NotFound, PermissionDenied: the actor is not a document clerk of the issuer.
        Conflict: the document's text is fixed.
        ValidationFailed: no name (``rule: "required"``), a file larger than the limit
            (``rule: "max_size"``; the message names the limit in MB, ``extra["limit_bytes"]``), or a
            file that is not a PDF, image, OFD or office document by its bytes (``rule: "file_type"``,
            ``files.attachment_kind``).
    """
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    require_issuer_role(actor, document, Role.DOCUMENT_CLERK)
    if document.status not in EDITABLE:
        raise Conflict(_("A document in status %(status)s can no longer be edited.")
                       % {"status": document.get_status_display()}, extra={"status": document.status})
    name = (name or "").strip().rstrip("。.;；，,")
    if not name or len(name) > 200:
        raise ValidationFailed(_("Give the attachment a name (at most 200 characters)."),
                               extra={"field": "name", "rule": "required"})
    limit = attachment_max_bytes()
    if file.size > limit:
        raise ValidationFailed(
            _("The attachment is larger than the limit of %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
            extra={"field": "file", "rule": "max_size", "limit_bytes": limit, "size": file.size},
        )
    digest = hashlib.sha256()
    head = b""
    for chunk in file.chunks():
        digest.update(chunk)
        head = head or chunk
    file.seek(0)
    kind = attachment_kind(head if not head.startswith(b"PK") else file.read())  # a ZIP is read whole
    file.seek(0)
    if kind is None:
        raise ValidationFailed(_("Attach a PDF, an image (JPEG, PNG), an OFD or an office document."),
                               extra={"field": "file", "rule": "file_type"})
    position = document.attachments.count() + 1
    attachment = Attachment(document=document, name=name, size=file.size, sha256=digest.hexdigest(),
                            content_type=content_type[:100], position=position)
    attachment.file.save(f"{document.pk}-{position}-{digest.hexdigest()[:12]}", file, save=False)
    attachment.save()
    audit_record(action="documents.attachment.add", actor=actor, organization=document.issuer, obj=document,
                 summary=f"attachment {position}: {name}"[:500],
                 changes={"attachment": attachment.pk, "size": file.size, "sha256": attachment.sha256})
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment) -> None:
    """Remove an attachment while its document is editable; the later ones move up one place.

    Raises:
        NotFound, PermissionDenied, Conflict: as ``attachment_add``.
    """
    document = OfficialDocument.objects.select_for_update().get(pk=attachment.document_id)
    require_issuer_role(actor, document, Role.DOCUMENT_CLERK)
    if document.status not in EDITABLE:
        raise Conflict(_("A document in status %(status)s can no longer be edited.")
                       % {"status": document.get_status_display()}, extra={"status": document.status})
    position, name = attachment.position, attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    for later in document.attachments.filter(position__gt=position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])
    audit_record(action="documents.attachment.remove", actor=actor, organization=document.issuer, obj=document,
                 summary=f"attachment {position} removed: {name}"[:500], changes={"position": position})


# --- Import of documents issued before the platform (egov documents import) ----------------------

# The kinds as the title ends (importing.KINDS) → ``Kind`` values (条例 §8).
_KIND_BY_NAME = {"决议": Kind.RESOLUTION, "决定": Kind.DECISION, "命令": Kind.ORDER, "令": Kind.ORDER,
                 "公报": Kind.COMMUNIQUE, "公告": Kind.ANNOUNCEMENT, "通告": Kind.PUBLIC_NOTICE,
                 "意见": Kind.OPINION, "通知": Kind.NOTICE, "通报": Kind.CIRCULAR, "报告": Kind.REPORT,
                 "请示": Kind.REQUEST, "批复": Kind.REPLY, "议案": Kind.MOTION, "函": Kind.LETTER,
                 "纪要": Kind.MINUTES}


def _import_issuer(parsed: ParsedDocument, issuer: Organization | None) -> Organization:
    """The issuer named by the 署名, else by the 机关代字 of the number; traditional characters
    (無錫市人民政府, 錫政發) are also looked up in simplified form (OpenCC t2s), as organizations are
    named here.

    The 机关代字 of a number often extends the organization's own code with the kind of document
    (锡财 → 锡财发, 锡财办): when no organization has the code itself, the organization whose code
    is the longest prefix of it (two characters at least) is the issuer, if exactly one has it.
    Two with that code, or none, and the issuer must be named (``--issuer``)."""
    if issuer is not None:
        return issuer
    simplified = opencc.OpenCC("t2s").convert
    number = DocumentNumber.parse(parsed.document_number) if parsed.document_number else None
    names = {parsed.issuer, simplified(parsed.issuer)} - {""}
    found = Organization.objects.filter(name__in=names).first() if names else None
    if found is None and number is not None:
        found = _issuer_by_code({number.code, simplified(number.code)})
    if found is None:
        raise ValidationFailed(
            _("No organization is named %(issuer)s or uses the document code of %(number)s: name the issuer.")
            % {"issuer": parsed.issuer or "—", "number": parsed.document_number or "—"},
            extra={"field": "issuer", "rule": "unknown_issuer"})
    return found


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


def _imported_already(parsed: ParsedDocument, issuer: Organization) -> OfficialDocument | None:
    """The document ``parsed`` was imported as before, or None: with a 发文字号, the one holding that
    number with the same issuer and title; without one, the numberless document of the same issuer,
    title and 成文日期 (a number held by a different document is a conflict, not this)."""
    documents = OfficialDocument.objects.select_for_update().filter(issuer=issuer, title=parsed.title.strip())
    if parsed.document_number:
        number = DocumentNumber.parse(parsed.document_number)
        return documents.filter(number_code=number.code, number_year=number.year, number_seq=number.seq).first()
    return documents.filter(number_seq__isnull=True, written_on=parsed.date).order_by("pk").first()


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
    same 发文字号, or no number and the same 成文日期) adds nothing; with ``publish`` it is then
    marked 主动公开 and published if it was not.

    Args:
        actor: a document clerk of the issuer, or None for the platform (the ``egov`` command).
        issuer: the issuing organization; None: found by the 署名 (name) or the 机关代字 of the number.
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
    issuer = _import_issuer(parsed, issuer)
    existing = _imported_already(parsed, issuer)
    if existing is not None:
        if actor is not None and not has_role(actor, issuer, Role.DOCUMENT_CLERK):
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
                "main_to_text": "，".join(parsed.addressees), "signature": parsed.issuer or issuer.name,
                "written_on": parsed.date},
    )
    if parsed.document_number:
        document_number_assign(document=document, actor=actor, number=parsed.document_number,
                               actor_label=actor_label)
        document.refresh_from_db()
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


# --- 主动公开: publication of issued documents on the public site (政务公开) -------------------------


def _publishable(document: OfficialDocument) -> bool:
    return (document.status == Status.ISSUED and document.disclosure == Disclosure.PROACTIVE
            and document.classification == Classification.PUBLIC)


def publication_on_issue(*, actor, document: OfficialDocument, actor_label: str = "") -> bool:
    """At 核发 (or import): publish ``document`` (locked, issued) now when it is 主动公开 and 公开, so
    the public site shows it with its sealed PDF (《政府信息公开条例》(2019) 第十九条、第二十条; 第二十六条:
    within 20 working days of being made, here at once). Returns whether it was published now."""
    if not _publishable(document) or document.published_at is not None:
        return False
    document.published_at = timezone.now()
    document.save(update_fields=["published_at", "updated_at"])
    audit_record(action="documents.document.publish", actor=actor, organization=document.issuer, obj=document,
                 summary=f"published {document}"[:500], changes={"published_at": document.published_at.isoformat()},
                 actor_label=actor_label)
    return True


def _require_publisher(actor, document: OfficialDocument) -> None:
    """A document clerk or a leader (approver) of the issuing organization; the platform (None) too."""
    if actor is None:
        return
    require_visible(actor, document)
    if not (has_role(actor, document.issuer, Role.DOCUMENT_CLERK) or has_role(actor, document.issuer,
                                                                               Role.APPROVER)):
        raise PermissionDenied(_("Only a document clerk or a leader of %(organization)s publishes its documents.")
                               % {"organization": document.issuer.name}, extra={"role": Role.DOCUMENT_CLERK})


@transaction.atomic
def document_publish(*, actor, document: OfficialDocument) -> OfficialDocument:
    """Publish an issued 主动公开 document on the public site now (again, after a withdrawal).

    Raises:
        NotFound: the actor may not see the document.
        PermissionDenied: the actor is neither a document clerk nor an approver of the issuer.
        Conflict: not issued, not 主动公开 (or 内部) (``rule: "not_proactive"``), or published already
            (``rule: "published"``).
    """
    document = OfficialDocument.objects.select_for_update().select_related("issuer").get(pk=document.pk)
    _require_publisher(actor, document)
    if not _publishable(document):
        raise Conflict(_("Only an issued document marked 主动公开 is published."),
                       extra={"status": document.status, "rule": "not_proactive"})
    if document.published_at is not None:
        raise Conflict(_("This document is published already."), extra={"rule": "published"})
    publication_on_issue(actor=actor, document=document)
    return document


@transaction.atomic
def document_unpublish(*, actor, document: OfficialDocument, reason: str = "") -> OfficialDocument:
    """Withdraw a published document from the public site (撤回公开); it stays issued and 主动公开 and
    can be published again (``document_publish``).

    Raises:
        NotFound, PermissionDenied: as ``document_publish``.
        Conflict: not published (``rule: "not_published"``).
    """
    document = OfficialDocument.objects.select_for_update().select_related("issuer").get(pk=document.pk)
    _require_publisher(actor, document)
    if document.published_at is None:
        raise Conflict(_("This document is not published."), extra={"rule": "not_published"})
    previous = document.published_at.isoformat()
    document.published_at = None
    document.save(update_fields=["published_at", "updated_at"])
    audit_record(action="documents.document.unpublish", actor=actor, organization=document.issuer, obj=document,
                 summary=(reason.strip() or f"withdrawn {document}")[:500],
                 changes={"published_at": [previous, None], **({"reason": reason.strip()} if reason.strip() else {})})
    return document
