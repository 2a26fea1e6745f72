"""The demo catalogue (fixtures/demo_catalog.json), loaded through ``service_item_create``."""

import json
from pathlib import Path

from egov.orgs.models import Organization
from egov.services.actions import MaterialSpec, service_item_create
from egov.services.codes import item_code_compose
from egov.services.models import ServiceItem

DEMO_CATALOG = Path(__file__).resolve().parent.parent / "fixtures" / "demo_catalog.json"


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
            actor=None, organization=organization, code=code, name=entry["name"], item_type=entry["item_type"],
            legal_basis=entry["legal_basis"], legal_limit_days=entry["legal_limit_days"],
            promised_limit_days=entry["promised_limit_days"], time_limit_note=entry["time_limit_note"],
            online_depth=entry["online_depth"], max_visits=entry["max_visits"],
            applicant_kinds=entry["applicant_kinds"], conditions=entry["conditions"],
            charges_fee=entry["charges_fee"], fee_description=entry["fee_description"],
            issues_licence=entry["issues_licence"], licence_name=entry["licence_name"],
            process_key=entry["process_key"], process_steps=entry["process_steps"], form_schema=entry["form_schema"],
            materials=[MaterialSpec(**material) for material in entry["materials"]],
            parent=created[entry["parent"]] if entry["parent"] else None, handling_kind=entry["handling_kind"],
            sort_order=order,
        )
    return len(created)
