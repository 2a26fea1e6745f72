"""Who may see and act on an official document (deny by default).

Seeing: members of the issuing organization, its joint issuers (联合行文) and its countersigning
organizations (会签) see the document from the draft on; members of the printing organization
(印发机关) see it too; members of 主送 and 抄送 organizations see it once it is issued. Everyone
else gets NotFound, as if it did not exist. ``actor=SYSTEM`` is the platform itself (the workflow
engine's service tasks, ``egov`` commands), which sees everything.

Acting: each step needs a role (``states.TRANSITIONS``) held in the issuing organization.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from egov.core.errors import NotFound, PermissionDenied
from egov.documents.models import OfficialDocument
from egov.documents.states import Status
from egov.orgs.permissions import has_role, member_organization_ids
from egov.orgs.roles import Role


def visible_documents(user, queryset: QuerySet[OfficialDocument] | None = None) -> QuerySet[OfficialDocument]:
    """``queryset`` (default: all documents) narrowed to the ones ``user`` may see."""
    queryset = OfficialDocument.objects.all() if queryset is None else queryset
    if user is None:
        return queryset
    orgs = member_organization_ids(user)
    if not orgs:
        return queryset.none()
    return queryset.filter(
        Q(issuer_id__in=orgs) | Q(co_issuers__in=orgs) | Q(countersigners__in=orgs) | Q(printer_id__in=orgs)
        | Q(status=Status.ISSUED, recipients__organization_id__in=orgs)
    ).distinct()


def require_visible(user, document: OfficialDocument) -> None:
    """Raise NotFound unless ``user`` may see ``document``."""
    if user is None:
        return
    if not visible_documents(user, OfficialDocument.objects.filter(pk=document.pk)).exists():
        raise NotFound(_("No such document."), extra={"document": document.pk})


def on_issuing_side(user, document: OfficialDocument) -> bool:
    """Whether ``user`` belongs to an organization that makes the document: the issuer, a joint
    issuer, a countersigning organization or the printer (``None``, the platform: yes). Recipients
    (主送, 抄送) are not: they receive the document, not its drafting."""
    if user is None:
        return True
    orgs = member_organization_ids(user)
    return (document.issuer_id in orgs or document.printer_id in orgs
            or document.co_issuers.filter(pk__in=orgs).exists() or document.countersigners.filter(pk__in=orgs).exists())


def require_issuing_side(user, document: OfficialDocument) -> None:
    """Raise NotFound unless ``user`` is on the issuing side (``on_issuing_side``): a recipient does
    not learn the issuer's internal history (drafts, opinions, who signed off when)."""
    if not on_issuing_side(user, document):
        raise NotFound(_("No such document."), extra={"document": document.pk})


def require_issuer_role(user, document: OfficialDocument, role: Role) -> None:
    """Raise unless ``user`` holds ``role`` in the document's issuing organization.

    Raises:
        NotFound: the user may not see the document at all.
        PermissionDenied: the user sees it but lacks the role (``extra["role"]`` names it).
    """
    if user is None:
        return
    require_visible(user, document)
    if not has_role(user, document.issuer, role):
        raise PermissionDenied(
            _("This needs the role %(role)s in %(organization)s.") % {"role": role.label,
                                                                     "organization": document.issuer.name},
            extra={"role": str(role)},
        )
