"""Reads of official documents, narrowed to what the actor may see (``permissions``)."""

from dataclasses import dataclass, replace
from datetime import date

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.models import AuditEvent
from egov.audit.selectors import audit_events_for
from egov.core.errors import NotFound, ValidationFailed
from egov.documents.incoming import require_incoming_visible
from egov.documents.models import (
    Classification,
    Disclosure,
    DocumentNumberCounter,
    IncomingDocument,
    Kind,
    OfficialDocument,
    Opinion,
    Recipient,
)
from egov.documents.numbers import DocumentNumber
from egov.documents.permissions import on_issuing_side, require_issuing_side, require_visible, visible_documents
from egov.documents.process import outgoing_process
from egov.documents.search import SearchResults, search
from egov.documents.states import Status
from egov.orgs.models import Organization
from egov.orgs.permissions import has_role, member_organization_ids
from egov.orgs.roles import Role
from egov.trust.models import Seal
from egov.trust.selectors import seal_usable_by, seals_of
from egov.workflow.models import WorkTask
from egov.workflow.selectors import task_taker_name


def document_get(*, actor, pk: int) -> OfficialDocument:
    """The document ``pk`` with its issuer and printer loaded.

    Raises:
        NotFound: no such document, or the actor may not see it (the same answer for both).
    """
    document = OfficialDocument.objects.select_related("issuer", "printer").filter(pk=pk).first()
    if document is None:
        raise NotFound(_("No such document."), extra={"document": pk})
    require_visible(actor, document)
    return document


def documents_for(*, actor, status: str | None = None) -> QuerySet[OfficialDocument]:
    """The documents ``actor`` may see, newest first, optionally of one ``status``."""
    queryset = OfficialDocument.objects.select_related("issuer")
    if status:
        queryset = queryset.filter(status=status)
    return visible_documents(actor, queryset).order_by("-created_at", "-id")


def documents_published(*, issuer_id: int | None = None, kind: str = "",
                        year: int | None = None) -> QuerySet[OfficialDocument]:
    """政务公开 on the portal: issued documents, 公开 (never 内部), marked 主动公开 and published by now
    (《政府信息公开条例》(2019) 第十九条、第二十三条), newest first (成文日期, then publication).

    Optionally only those of one issuing organization, one ``Kind`` and one year of 成文日期.
    """
    queryset = OfficialDocument.objects.filter(
        status=Status.ISSUED, classification=Classification.PUBLIC, disclosure=Disclosure.PROACTIVE,
        published_at__isnull=False, published_at__lte=timezone.now()).select_related("issuer")
    if issuer_id:
        queryset = queryset.filter(issuer_id=issuer_id)
    if kind:
        queryset = queryset.filter(kind=kind)
    if year:
        queryset = queryset.filter(written_on__year=year)
    return queryset.order_by(F("written_on").desc(nulls_last=True), "-published_at", "-id")


def document_published_get(*, pk: int) -> OfficialDocument:
    """The published document ``pk`` (``documents_published``), for anyone.

    Raises:
        NotFound: no such document, or it is not published (the same answer for both).
    """
    document = documents_published().select_related("printer").filter(pk=pk).first()
    if document is None:
        raise NotFound(_("No such document."), extra={"document": pk})
    return document


def published_issuers() -> QuerySet[Organization]:
    """The organizations with at least one published document, in tree order (filter choices)."""
    return Organization.objects.filter(pk__in=documents_published().values("issuer_id")).order_by("path")


def published_years() -> list[int]:
    """The years of 成文日期 of published documents, newest first (filter choices)."""
    dates = documents_published().filter(written_on__isnull=False).dates("written_on", "year", order="DESC")
    return [day.year for day in dates]


def document_search(query: str, *, user=None, public: bool = False, limit: int = 20,
                    offset: int = 0, issuer_id: int | None = None, year: int | None = None,
                    facets: bool = False) -> SearchResults:
    """Full-text search of documents in Chinese (``documents.search``): title matches first, words marked.

    Args:
        query: what the person typed; cut to ``search.QUERY_MAX_CHARS`` characters (``truncated``
            says so), then to its words (jieba); punctuation and stop words are dropped. A query
            without words finds nothing.
        user: the staff member searching: the documents they may see (``permissions``) and every
            published one (``documents_published``: the public finds it too); a hit of the second
            kind only links to the portal (``SearchHit.public_url``). None is the platform
            (everything), unless ``public``.
        public: only published documents (``documents_published``), whoever asks.
        limit, offset: the page of hits to return (``total`` counts them all).
        issuer_id, year: only documents of this issuing organization, of this year of 成文日期
            (``public`` searches only; the portal's one search filters by them).
        facets: also count the documents found by issuer and year (``SearchResults.by_issuer``,
            ``by_year``; at most ``search.RESULTS_MAX`` documents counted).

    Returns:
        ``SearchResults`` with ``hits`` (document, escaped title and snippet with ``<mark>``, title_match).
    """
    if public or user is None:
        queryset = documents_published(issuer_id=issuer_id, year=year) if public else OfficialDocument.objects.all()
        return search(queryset, query, limit=max(0, limit), offset=max(0, offset), facets=facets)
    visible = visible_documents(user, OfficialDocument.objects.all())
    queryset = OfficialDocument.objects.filter(Q(pk__in=visible.values("pk"))
                                               | Q(pk__in=documents_published().values("pk")))
    results = search(queryset, query, limit=max(0, limit), offset=max(0, offset))
    if not results.hits:
        return results
    seen = set(visible.filter(pk__in=[hit.document.pk for hit in results.hits]).values_list("pk", flat=True))
    hits = [hit if hit.document.pk in seen else replace(hit, public_url=_public_url(hit.document.pk))
            for hit in results.hits]
    return replace(results, hits=hits)


def _public_url(pk: int) -> str:
    """The public page of published document ``pk``: ``settings.EGOV_PUBLIC_URL`` and
    ``settings.EGOV_PUBLISHED_DOCUMENT_PATH`` (the staff site serves no portal pages, and documents
    names no page of the portal above it)."""
    return settings.EGOV_PUBLIC_URL + settings.EGOV_PUBLISHED_DOCUMENT_PATH.format(pk=pk)


def document_history(*, actor, document: OfficialDocument) -> QuerySet[AuditEvent]:
    """The audit events about ``document``, oldest first: the issuer's internal history.

    Raises:
        NotFound: the actor may not see the document, or only receives it (``require_issuing_side``).
    """
    require_visible(actor, document)
    require_issuing_side(actor, document)
    return audit_events_for(object_type=OfficialDocument._meta.label_lower, object_id=document.pk)


def document_opinions(*, actor, document: OfficialDocument) -> QuerySet[Opinion]:
    """The opinions written at the steps of ``document`` (核稿, 会签, 签发, 复核, returns), oldest
    first: the opinion boxes of its 发文稿纸.

    Raises:
        NotFound: the actor may not see the document, or only receives it (the issuer's drafting is
            the issuer's, as its history is).
    """
    require_visible(actor, document)
    require_issuing_side(actor, document)
    return document.opinions.select_related("organization").order_by("created_at", "id")


# Seals a document is sealed with, in order of preference (公章, then 公文专用章).
_DOCUMENT_SEAL_KINDS = [Seal.Kind.OFFICIAL, Seal.Kind.DOCUMENT]


def document_seal_for(*, actor, document: OfficialDocument) -> Seal | None:
    """The seal ``actor`` would use first for 用印 (the first of ``document_seals_usable``: the
    issuer's 公章, else its 公文专用章); None when the actor may use none."""
    seals = document_seals_usable(actor=actor, document=document)
    return seals[0] if seals else None


def number_next_free(*, code: str, year: int, after: int) -> DocumentNumber:
    """The first 发文字号 of ``code`` in ``year`` after sequence ``after`` that no document holds
    (hand-registered numbers are passed over, in any written form, as ``actions.document_number_allocate``
    does)."""
    seq = after + 1
    while OfficialDocument.objects.filter(number_key=DocumentNumber(code, year, seq).key).exists():
        seq += 1
    return DocumentNumber(code, year, seq)


def document_number_preview(*, actor, document: OfficialDocument, today: date | None = None) -> DocumentNumber:
    """The 发文字号 that 登记 would give ``document`` now: the next free number of its issuer's 机关代字
    in the year of ``today`` (default: today, local time). Provisional: an allocation of another
    document in between takes it, and the confirmed one is the next again.

    Raises:
        NotFound: the actor may not see the document.
        ValidationFailed: the issuer has no 机关代字 (``field: "doc_code"``).
    """
    require_visible(actor, document)
    code = document.issuer.doc_code
    if not code:
        raise ValidationFailed(_("%(organization)s has no document code (机关代字).")
                               % {"organization": document.issuer.name}, extra={"field": "doc_code",
                                                                               "rule": "required"})
    year = (today or timezone.localdate()).year
    last = DocumentNumberCounter.objects.filter(code=code, year=year).values_list("last_seq", flat=True).first()
    return number_next_free(code=code, year=year, after=last or 0)


def document_seals_usable(*, actor, document: OfficialDocument) -> list[Seal]:
    """The active seals of the document's issuer and joint issuers (联合行文) that ``actor`` holds a
    grant for (``trust.selectors.seal_usable_by``), the issuer's first, 公章 before 公文专用章: the
    choice offered at 用印."""
    issuers = [document.issuer, *document.co_issuers.order_by("path")]
    order = {kind: index for index, kind in enumerate(_DOCUMENT_SEAL_KINDS)}
    usable = []
    for organization in issuers:
        seals = sorted(seals_of(organization=organization), key=lambda seal: order.get(seal.kind, len(order)))
        usable += [seal for seal in seals if seal_usable_by(seal=seal, user=actor)]
    return usable


@dataclass(frozen=True)
class NumberUse:
    """One used 发文字号: ``seq``, the document holding it, and that document's status."""

    seq: int
    document_id: int
    status: str


def document_numbers_used(*, code: str, year: int) -> list[NumberUse]:
    """Every sequence of ``code`` in ``year`` held by a document, in order, withdrawn ones included.

    This is the 发文登记簿: a gap in it would be a number lost, which allocation never does.
    """
    rows = OfficialDocument.objects.filter(number_code=code, number_year=year).order_by("number_seq").values_list(
        "number_seq", "pk", "status")
    return [NumberUse(seq, pk, status) for seq, pk, status in rows]


# 收发文 (inboxes of both sides, the delivery table) ---------------------------------------------


def outbox_for(*, actor) -> QuerySet[OfficialDocument]:
    """发文: documents issued (or being prepared) by the actor's organizations, newest first."""
    return (OfficialDocument.objects.filter(issuer_id__in=member_organization_ids(actor)).select_related("issuer")
            .order_by("-updated_at", "-id"))


def deliveries_to_sign_for(*, actor) -> QuerySet[Recipient]:
    """Deliveries to the actor's organizations that nobody has signed for yet, oldest first."""
    return (Recipient.objects.filter(organization_id__in=member_organization_ids(actor), delivered_at__isnull=False,
                                     received_at__isnull=True, document__status=Status.ISSUED)
            .select_related("document__issuer", "organization").order_by("receipt_due", "delivered_at"))


def incoming_for(*, actor, status: str | None = None) -> QuerySet[IncomingDocument]:
    """收文: the received documents of the actor's organizations, newest first."""
    queryset = IncomingDocument.objects.filter(organization_id__in=member_organization_ids(actor))
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("document__issuer", "organization", "handler").order_by("-created_at", "-id")


def incoming_get(*, actor, pk: int) -> IncomingDocument:
    """The 收文 record ``pk``.

    Raises:
        NotFound: none, or the actor is not of the receiving organization.
    """
    incoming = (IncomingDocument.objects.select_related("document__issuer", "organization", "recipient", "handler")
                .filter(pk=pk).first())
    if incoming is None:
        raise NotFound(_("No such document."), extra={"incoming": pk})
    require_incoming_visible(actor, incoming)
    return incoming


@dataclass(frozen=True)
class DeliveryRow:
    """One line of the sender's delivery table: the recipient row, its state (``pending``: not
    delivered; ``delivered``: waiting for 签收; ``overdue``: not signed for by ``receipt_due``;
    ``signed``), the recipient's 收文 record (or None) and its last reminder date."""

    recipient: Recipient
    state: str
    incoming: IncomingDocument | None
    reminded_on: date | None


def delivery_table(*, actor, document: OfficialDocument, today: date | None = None) -> list[DeliveryRow]:
    """The delivery table of ``document`` for its sender: one row per recipient organization.

    Raises:
        NotFound: the actor may not see the document.
    """
    require_visible(actor, document)
    today = today or timezone.localdate()
    incoming = {i.recipient_id: i for i in IncomingDocument.objects.filter(document=document)}
    rows = []
    recipients = (document.recipients.filter(organization__isnull=False).select_related("organization", "received_by")
                  .order_by("-kind", "position", "id"))  # 主送 (main) before 抄送 (copy)
    for recipient in recipients:
        if recipient.received_at is not None:
            state = "signed"
        elif recipient.delivered_at is None:
            state = "pending"
        elif recipient.receipt_due is not None and recipient.receipt_due < today:
            state = "overdue"
        else:
            state = "delivered"
        last = recipient.reminders.order_by("-sent_on").values_list("sent_on", flat=True).first()
        rows.append(DeliveryRow(recipient, state, incoming.get(recipient.pk), last))
    return rows


def document_history_visible(*, actor, document: OfficialDocument) -> bool:
    """Whether ``actor`` may read the document's history (``document_history``)."""
    return on_issuing_side(actor, document)


def document_is_issuer_side(*, actor, document: OfficialDocument) -> bool:
    """True when the actor is a member of the issuing organization (sees the delivery table)."""
    return document.issuer_id in member_organization_ids(actor)


def document_can_publish(*, actor, document: OfficialDocument) -> bool:
    """Whether ``actor`` may publish ``document`` on the public site or withdraw it
    (``actions.document_publish``): it is issued, 公开 and 主动公开, and the actor is a document
    clerk or an approver of the issuer."""
    return (document.status == Status.ISSUED and document.disclosure == Disclosure.PROACTIVE
            and document.classification == Classification.PUBLIC
            and (has_role(actor, document.issuer, Role.DOCUMENT_CLERK) or has_role(actor, document.issuer,
                                                                                   Role.APPROVER)))


def published_kinds() -> list[tuple[str, str]]:
    """The ``(value, label)`` of the kinds (文种) that published documents have, in the order of
    ``Kind`` (条例 §8): the 文种 filter of 政务公开 offers only these."""
    present = set(documents_published().order_by().values_list("kind", flat=True).distinct())
    return [(value, label) for value, label in Kind.choices if value in present]


def incoming_history(*, actor, incoming: IncomingDocument) -> QuerySet[AuditEvent]:
    """The audit events of a received document's handling, oldest first.

    Raises:
        NotFound: the actor is not of the receiving organization.
    """
    require_incoming_visible(actor, incoming)
    return audit_events_for(object_type=IncomingDocument._meta.label_lower, object_id=incoming.pk)


@dataclass(frozen=True)
class NextActor:
    """Who acts next on an outgoing document: ``step`` (the step's name in the active language, e.g.
    核稿), ``role`` (the role's label) and ``who`` (the person who claimed the step, else the one
    person who may take it, else the organization it waits in)."""

    step: str
    role: str
    who: str


def document_next_actors(*, document: OfficialDocument) -> list[NextActor]:
    """The next actors of ``document``, one per open step of its outgoing process in step order
    (several during 会签); none once it is issued or withdrawn, or for a document not drafted here."""
    instance = outgoing_process(document)
    if instance is None:
        return []
    tasks = (instance.tasks.filter(status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED])
             .select_related("candidate_organization", "claimed_by").order_by("pk"))
    return [NextActor(step=task.local_name, role=str(task.get_candidate_role_display()),
                      who=task_taker_name(task=task)) for task in tasks]



def document_next_actors_text(*, document: OfficialDocument) -> str:
    """"下一步：核稿（核稿人，无锡市人民政府办公室）" for the message after a step; "" when nobody acts next."""
    actors = document_next_actors(document=document)
    if not actors:
        return ""
    names = _("; ").join(_("%(step)s (%(role)s, %(who)s)") % {"step": a.step, "role": a.role, "who": a.who}
                         for a in actors)
    return _("Next: %(actors)s") % {"actors": names}
