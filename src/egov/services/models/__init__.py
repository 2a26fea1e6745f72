"""Models of the services app, re-exported here so that ``egov.services.models`` names them all.

``catalog`` (items, materials) depends on nothing here; ``applications`` (办件, their
materials, timeline and supplement requests) depends on ``catalog`` and on ``workflow``; ``outcomes``
(licences, ratings, rectifications) depends on ``applications`` and on ``trust``.
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
from egov.services.models.catalog import LEGAL_EVENTS, NATURAL_EVENTS, ItemTheme, LifeEvent, Material, ServiceItem
from egov.services.models.intake import IntakeRecord, IntakeState, KeptUpload
from egov.services.models.outcomes import Licence, Rating, Rectification

__all__ = [
    "LEGAL_EVENTS", "NATURAL_EVENTS", "Application", "ApplicationEvent", "ApplicationMaterial",
    "ApplicationStatus", "IntakeRecord", "IntakeState", "KeptUpload", "ItemTheme", "Licence", "LifeEvent", "Material",
    "OrganizationCaseCode", "Rating", "Rectification", "ServiceItem",
    "SupplementRequest", "TrackingNumberCounter",
]
