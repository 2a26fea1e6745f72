"""Who may change the catalogue and who may upload material files (deny by default)."""

from django.utils.translation import gettext as _

from egov.core.errors import PermissionDenied
from egov.orgs.models import Organization
from egov.orgs.permissions import require_operator


def require_catalog_editor(actor, organization: Organization) -> None:
    """Raise unless ``actor`` may maintain the catalogue items of ``organization``: an operator of it
    or of an organization above it, or None (the platform: migrations, ``egov demo``).

    Raises:
        PermissionDenied: see ``orgs.permissions.require_operator``.
    """
    require_operator(actor, organization)


def require_uploader(actor) -> None:
    """Raise unless ``actor`` is a signed-in, active user (a citizen, an enterprise or staff).

    Raises:
        PermissionDenied: anonymous or deactivated.
    """
    if actor is None or not getattr(actor, "pk", None) or not getattr(actor, "is_active", False):
        raise PermissionDenied(_("Sign in to upload files."))
