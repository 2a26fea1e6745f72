"""Models of the services app, re-exported here so that ``egov.services.models`` names them all.

``catalog`` (items, materials, stored files) depends on nothing here; ``applications`` (办件, their
materials, timeline and supplement requests) depends on ``catalog`` and on ``workflow``.
"""

from egov.services.models.applications import (
    Application,
    ApplicationEvent,
    ApplicationMaterial,
    ApplicationStatus,
    OrganizationCaseCode,
    SupplementRequest,
    TrackingNumberCounter,
)
from egov.services.models.catalog import Material, ServiceItem, StoredFile

__all__ = [
    "Application", "ApplicationEvent", "ApplicationMaterial", "ApplicationStatus", "Material",
    "OrganizationCaseCode", "ServiceItem", "StoredFile", "SupplementRequest", "TrackingNumberCounter",
]
