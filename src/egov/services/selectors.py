"""Reads of the catalogue and of stored material files."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from egov.core.errors import NotFound
from egov.orgs.models import Organization
from egov.services import storage
from egov.services.models import Material, ServiceItem, StoredFile


def service_item_list(
    *, organization_id: int | None = None, item_type: str | None = None, q: str = "", published_only: bool = True
) -> QuerySet[ServiceItem]:
    """Catalogue items in catalogue order (organization, then its own order, then code).

    Args:
        organization_id: only items implemented by this organization.
        item_type: only items of this ``ServiceItem.ItemType`` value.
        q: words that must all occur in the name (case-insensitive), or an exact item code.
        published_only: leave out withdrawn items (the public site and API always do).
    """
    items = ServiceItem.objects.select_related("organization")
    if published_only:
        items = items.filter(is_published=True)
    if organization_id is not None:
        items = items.filter(organization_id=organization_id)
    if item_type:
        items = items.filter(item_type=item_type)
    words = (q or "").split()
    if len(words) == 1 and len(words[0]) == 32:
        return items.filter(Q(code=words[0].upper()) | Q(name__icontains=words[0]))
    for word in words:
        items = items.filter(name__icontains=word)
    return items


def service_item_get(*, code: str, published_only: bool = True) -> ServiceItem:
    """The item with ``code`` and its materials (and parent, organization) loaded.

    Raises:
        NotFound: no such item, or it is withdrawn and ``published_only``.
    """
    items = ServiceItem.objects.select_related("organization", "parent").prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("sort_order", "id")),
        Prefetch("children", queryset=ServiceItem.objects.filter(is_published=True).order_by("code")),
    )
    if published_only:
        items = items.filter(is_published=True)
    item = items.filter(code=(code or "").strip().upper()).first()
    if item is None:
        raise NotFound(_("There is no service item with the code %(code)s.") % {"code": code},
                       extra={"field": "code"})
    return item


def catalog_organizations() -> QuerySet[Organization]:
    """Organizations that implement at least one published item, in tree order (for filters)."""
    return Organization.objects.filter(service_items__is_published=True).distinct().order_by("path")


def stored_file_get(*, sha256: str) -> StoredFile:
    """The stored file with this SHA-256 (64 hex digits).

    Raises:
        NotFound: no file with this hash is stored.
    """
    stored = StoredFile.objects.filter(sha256=(sha256 or "").lower()).first()
    if stored is None:
        raise NotFound(_("No such file."), extra={"field": "sha256"})
    return stored


def stored_file_read(*, stored: StoredFile) -> bytes:
    """The bytes of a stored file, checked against its hash.

    Raises:
        NotFound: the bytes are missing from disk or no longer match the hash.
    """
    try:
        data = storage.blob_read(stored.sha256)
    except FileNotFoundError:
        raise NotFound(_("The file's content is missing."), extra={"field": "sha256"}) from None
    if storage.sha256_hex(data) != stored.sha256:
        raise NotFound(_("The file's content is damaged."), extra={"field": "sha256", "rule": "hash"})
    return data
