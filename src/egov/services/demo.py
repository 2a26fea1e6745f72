"""The demo catalogue (fixtures/demo_catalog.json), loaded through ``service_item_create``, and the
seals its licences are issued with."""

import json
from pathlib import Path

from egov.core.actors import SYSTEM
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.services.actions import MaterialSpec, service_item_create
from egov.services.actions.licensing import LICENCE_SEAL_KINDS
from egov.services.codes import item_code_compose
from egov.services.models import ServiceItem
from egov.trust.actions import seal_create, seal_grant
from egov.trust.models import Seal

DEMO_CATALOG = Path(__file__).resolve().parent.parent / "fixtures" / "demo_catalog.json"
# The item's English texts in demo_catalog.json (its materials, legal bases and form fields carry
# theirs inside: name_en/note_en, title_en/provision_en, title_en/description_en).
ENGLISH_KEYS = ("name_en", "conditions_en", "time_limit_note_en", "fee_description_en", "licence_name_en",
                "process_steps_en")


def demo_catalog_load(*, organizations: dict[str, Organization]) -> int:
    """Create the demo items (as the platform, audited) unless the catalogue has items already.

    Args:
        organizations: the demo city's organizations by their key in ``demo_city.json``.

    Returns:
        How many items were created (0 when the catalogue was not empty).
    """
    if ServiceItem.objects.exists():
        return 0
    catalog = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    created: dict[str, ServiceItem] = {}
    for order, entry in enumerate(catalog["items"]):
        organization = organizations[entry["organization"]]
        code = item_code_compose(uscc=organization.uscc, basic_code=entry["type_code"] + entry["main"] + entry["sub"],
                                 handling=entry["handling"])
        created[entry["key"]] = service_item_create(
            actor=SYSTEM, organization=organization, code=code, name=entry["name"], item_type=entry["item_type"],
            legal_basis=entry["legal_basis"], legal_limit_days=entry["legal_limit_days"],
            promised_limit_days=entry["promised_limit_days"], time_limit_note=entry["time_limit_note"],
            online_depth=entry["online_depth"], max_visits=entry["max_visits"],
            applicant_kinds=entry["applicant_kinds"], conditions=entry["conditions"],
            charges_fee=entry["charges_fee"], fee_description=entry["fee_description"],
            issues_licence=entry["issues_licence"], licence_name=entry["licence_name"],
            licence_valid_years=entry.get("licence_valid_years"),
            process_key=entry["process_key"], process_steps=entry["process_steps"], form_schema=entry["form_schema"],
            materials=[MaterialSpec(**material) for material in entry["materials"]],
            parent=created[entry["parent"]] if entry["parent"] else None, handling_kind=entry["handling_kind"],
            sort_order=order, themes=entry.get("themes", []),
            english={key: entry[key] for key in ENGLISH_KEYS if entry.get(key)},
        )
    return len(created)


def demo_licence_seals_load() -> int:
    """Give each organization with items that issue licences a 业务专用章 (used by approvers) unless it
    has a seal licences can carry already; needs the platform CA (``demo_trust_load``).

    Returns:
        How many seals were created.
    """
    created = 0
    organizations = Organization.objects.filter(service_items__issues_licence=True).distinct().order_by("path")
    for organization in organizations:
        if Seal.objects.filter(organization=organization, kind__in=LICENCE_SEAL_KINDS, is_active=True).exists():
            continue
        seal = seal_create(actor=SYSTEM, organization=organization, kind=Seal.Kind.BUSINESS)
        seal_grant(actor=SYSTEM, seal=seal, role=Role.APPROVER)
        created += 1
    return created
