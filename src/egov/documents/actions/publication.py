"""主动公开: publication of issued documents on the public site (政务公开)."""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core.actors import is_system
from egov.core.errors import Conflict, PermissionDenied
from egov.documents.models import (
    Classification,
    Disclosure,
    OfficialDocument,
)
from egov.documents.permissions import require_visible
from egov.documents.states import Status
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role

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


def _require_publisher(actor, document: OfficialDocument, *, withdraw: bool = False) -> None:
    """A document clerk or a leader (approver) of the issuing organization; the platform (None) too.
    ``withdraw``: the refusal speaks of withdrawing from the public site, not of publishing."""
    if is_system(actor):
        return
    require_visible(actor, document)
    if not (has_role(actor, document.issuer, Role.DOCUMENT_CLERK) or has_role(actor, document.issuer,
                                                                               Role.APPROVER)):
        message = (_("Only a document clerk or a leader of %(organization)s withdraws its documents from the "
                     "public site.") if withdraw else
                   _("Only a document clerk or a leader of %(organization)s publishes its documents."))
        raise PermissionDenied(message
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
    _require_publisher(actor, document, withdraw=True)
    if document.published_at is None:
        raise Conflict(_("This document is not published."), extra={"rule": "not_published"})
    previous = document.published_at.isoformat()
    document.published_at = None
    document.save(update_fields=["published_at", "updated_at"])
    audit_record(action="documents.document.unpublish", actor=actor, organization=document.issuer, obj=document,
                 summary=(reason.strip() or f"withdrawn {document}")[:500],
                 changes={"published_at": [previous, None], **({"reason": reason.strip()} if reason.strip() else {})})
    return document
