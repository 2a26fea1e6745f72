"""Reads of official documents, narrowed to what the actor may see (``permissions``)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from egov.audit.models import AuditEvent
from egov.audit.selectors import audit_events_for
from egov.core.errors import NotFound
from egov.documents.models import Classification, OfficialDocument
from egov.documents.permissions import require_visible, visible_documents
from egov.documents.states import Status
from egov.trust.models import Seal
from egov.trust.selectors import seal_usable_by, seals_of


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


def documents_published() -> QuerySet[OfficialDocument]:
    """Issued documents marked 公开, for 政务公开 on the portal (内部 ones never appear)."""
    return OfficialDocument.objects.filter(status=Status.ISSUED, classification=Classification.PUBLIC).order_by(
        "-number_year", "-number_seq")


def document_history(*, actor, document: OfficialDocument) -> QuerySet[AuditEvent]:
    """The audit events about ``document``, oldest first.

    Raises:
        NotFound: the actor may not see the document.
    """
    require_visible(actor, document)
    return audit_events_for(object_type=OfficialDocument._meta.label_lower, object_id=document.pk)


# Seals a document is sealed with, in order of preference (公章, then 公文专用章).
_DOCUMENT_SEAL_KINDS = [Seal.Kind.OFFICIAL, Seal.Kind.DOCUMENT]


def document_seal_for(*, actor, document: OfficialDocument) -> Seal | None:
    """The issuer's active seal that ``actor`` may use for 用印: its 公章, else its 公文专用章; None
    when the actor may use neither."""
    seals = {seal.kind: seal for seal in seals_of(organization=document.issuer)}
    for kind in _DOCUMENT_SEAL_KINDS:
        seal = seals.get(kind)
        if seal is not None and seal_usable_by(seal=seal, user=actor):
            return seal
    return None


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
