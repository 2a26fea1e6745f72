"""The outgoing steps of an official document after drafting (发文办理). Each action is atomic, checks
permission, validates and audits.

The outgoing flow (``workflow``'s BPMN definition) calls, step by step: ``document_draft`` /
``document_update`` (拟稿, ``actions.drafting``), ``document_transition`` (送核稿, 核稿, 送会签, 复核,
退回, 作废), ``document_sign_off`` (签发), ``document_number_allocate`` (登记), ``document_print``
(印制), ``document_seal`` (用印, the issuer's e-seal from ``trust``); ``flow`` adds 会签 and 核发.
Each move goes through ``facilities.transitions`` (the table ``states.TRANSITIONS``) and completes
the matching task of the document's BPMN process (``process``).
"""

import hashlib
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.errors import Conflict, PermissionDenied, ValidationFailed
from egov.core.text import text_clean
from egov.documents import rules
from egov.documents.incoming import incoming_open
from egov.documents.models import (
    DocumentNumberCounter,
    OfficialDocument,
    Opinion,
    Recipient,
)
from egov.documents.numbers import DocumentNumber
from egov.documents.permissions import require_issuer_role, require_visible
from egov.documents.process import outgoing_step
from egov.documents.states import TRANSITIONS, Status
from egov.facilities import transitions
from egov.facilities.numbering import counter_lock, counter_take
from egov.facilities.transitions import Machine
from egov.orgs.models import Organization
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role
from egov.trust.models import Seal
from egov.trust.signing import pdf_sign_with_seal

OPINION_MAX = 2000


def _opinion_text(move_label: str, text: str, *, required: bool) -> str:
    """``text`` stripped; refused when over ``OPINION_MAX`` characters, or empty where ``required``."""
    return text_clean(text, field="opinion", limit=OPINION_MAX, required=required,
                      required_message=_("Give the reason for this step (%(step)s).") % {"step": move_label})


def opinion_record(*, actor, document: OfficialDocument, step: str, move: str, target: str,
                   text: str, organization: Organization | None = None) -> Opinion:
    """Keep an opinion given at ``step`` (a status) by ``actor`` (a person) for the 发文稿纸; called
    inside the step's transaction by the action that takes it (no audit of its own: the step's
    event carries the opinion)."""
    return Opinion.objects.create(document=document, step=step, move=move, target=target, text=text,
                                  author=actor, author_name=actor.name,
                                  organization=organization or document.issuer)


OUTGOING = Machine.from_pairs(
    kind="documents.document", pairs=TRANSITIONS,
    refused=gettext_lazy("A document in status %(status)s cannot move to %(target)s."))


def _move(document: OfficialDocument, actor, target: str, *, dedicated: bool, comment: str = "",
          data: dict[str, Any] | None = None) -> str:
    """Check the table (``states.TRANSITIONS``) and the role for moving ``document`` (locked) to
    ``target``, complete the matching step of its outgoing process (``process.outgoing_step``, with
    ``data`` in the answer), keep the opinion of a move that takes one (``Opinion``; required for a
    return), move the status and audit (``facilities.transitions``, ``changes["opinion"]``); return
    the move's name. A move that has its own action (``dedicated``) is refused here like one the table
    lacks, and the other way round."""
    if target not in Status.values:
        require_visible(actor, document)
        raise ValidationFailed(_("%(target)s is not a step of an official document.") % {"target": target},
                               extra={"field": "to", "rule": "unknown_step"})
    try:
        name, move = transitions.move_between(machine=OUTGOING, obj=document, target=target)
        if move.dedicated != dedicated:
            raise Conflict(OUTGOING.refused % {"status": document.get_status_display(),
                                               "target": Status(target).label},
                           extra={"status": document.status, "target": target})
    except Conflict:
        require_visible(actor, document)  # others are not told that the document exists
        raise
    require_issuer_role(actor, document, move.role)
    rules.document_elements_check(document, target=target)
    rules.next_step_holder_check(document, target=target)
    comment = _opinion_text(str(move.label), comment, required=move.opinion == "required") if move.opinion \
        else (comment or "").strip()
    previous = document.status
    outgoing_step(actor=actor, document=document, previous=previous, target=target, data=data, comment=comment)
    if move.opinion:
        opinion_record(actor=actor, document=document, step=previous, move=move.name, target=target, text=comment)
    transitions.transition_apply(machine=OUTGOING, obj=document, move=name, actor=actor,
                                 organization=document.issuer, summary=comment or f"{previous} → {target}",
                                 changes={"opinion": comment} if comment else None, fields=("updated_at",))
    return name


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
            without its reason, an opinion over 2000 characters (``extra["field"] == "opinion"``); a
            step nobody could take next (no holder of its role in the organization:
            ``rules.next_step_holder_check``, ``extra["rule"] == "no_holder"``).
    """
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
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
    if is_system(actor):
        raise PermissionDenied(_("A document is signed off by a person."), extra={"role": Role.APPROVER})
    if not mfa_verified:
        raise PermissionDenied(_("Signing off needs a session verified with the second factor."),
                               extra={"rule": "mfa_required"})
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    _move(document, actor, Status.RECHECKING, dedicated=True, comment=comment)
    names = [n for n in document.signers.split("、") if n]
    if actor.name not in names:
        names.append(actor.name)
    document.signers = "、".join(names)
    document.signed_off_by = actor
    document.signed_off_at = timezone.now()
    document.written_on = document.written_on or timezone.localdate()
    document.save(update_fields=["signers", "signed_off_by", "signed_off_at", "written_on", "updated_at"])
    return document


def _number_taken(number: DocumentNumber) -> OfficialDocument | None:
    """The document holding ``number`` in any of its written forms (``number_key``: 錫政發〔2004〕99號
    holds 锡政发〔2004〕99号), or None."""
    return OfficialDocument.objects.filter(number_key=number.key).first()


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
    # The elements before a number is taken (``_move`` checks them again, with the role). The
    # counter is locked before ``_move`` writes its audit row, in the order hand-typed numbers
    # (``document_number_assign``) take the two locks.
    rules.document_elements_check(document, target=Status.PRINTING)
    year = (today or timezone.localdate()).year
    # Gapless (GB/T 9704-2012 §7.2.4): the counter row stays locked until this transaction ends.
    seq = counter_take(model=DocumentNumberCounter, key={"code": code, "year": year}, field="last_seq",
                       gapless=True, taken=lambda n: _number_taken(DocumentNumber(code, year, n)) is not None)
    _move(document, actor, Status.PRINTING, dedicated=True)
    document.number_code, document.number_year, document.number_seq = code, year, seq
    document.number_allocated_at = timezone.now()
    document.save(update_fields=["number_code", "number_year", "number_seq", "number_allocated_at", "updated_at"])
    audit_record(action="documents.number.allocate", actor=actor, organization=document.issuer, obj=document,
                 summary=str(document.number), changes={"number": str(document.number)})
    return document


@transaction.atomic
def document_number_assign(*, document: OfficialDocument, actor, number: str,
                           actor_label: str = "") -> OfficialDocument:
    """Give a document a hand-typed 发文字号 (a document registered from paper); the status stays.

    ``number`` is parsed and normalized (``锡政发[2026]7号`` → ``锡政发〔2026〕7号``); the script of its
    机关代字 is kept as written (錫政發), and a number another document holds in another script or
    width is a duplicate (``numbers.number_key``).
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
        raise Conflict(
            _("This document has the number %(number)s already.") % {"number": document.number},
            extra={"field": "number", "rule": "numbered"},
        )
    # waits for allocations of the same code and year (the code in its comparable form: 錫政發 waits
    # for 锡政发, whose counter allocation takes)
    # (a 令 number has no year: its one series per code waits under year 0)
    counter_lock(model=DocumentNumberCounter, key={"code": parsed.code_key, "year": parsed.year or 0})
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
    if document.written_on is None:
        raise ValidationFailed(_("The date written (成文日期) is required."),
                               extra={"field": "written_on", "rule": "required"})
    rendered = pdf_render(print_data(document, sealed=True))  # 用印 follows: the sealed closing layout
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
