"""Public catalogue API: the published service items (no personal data, no sign-in)."""

from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from egov.services.models import ServiceItem
from egov.services.selectors import service_item_get, service_item_list

router = Router(tags=["services"])


class OrganizationRef(Schema):
    id: int
    name: str


class ItemSummaryOut(Schema):
    code: str
    name: str
    item_type: str
    item_type_label: str = Field(..., description="the item type in the request's language")
    level: str
    organization: OrganizationRef
    legal_limit_days: int | None = Field(..., description="法定时限, working days; null: none set by law")
    promised_limit_days: int = Field(..., description="承诺时限, working days; 0: done on the spot")
    online_depth: int = Field(..., description="办理深度 1–4 (4: fully online)")
    charges_fee: bool

    @staticmethod
    def resolve_item_type_label(item: ServiceItem) -> str:
        return str(item.get_item_type_display())


class LegalBasisOut(Schema):
    title: str
    provision: str


class MaterialOut(Schema):
    name: str
    required: bool
    form: str
    copies: int
    accepted_types: list[str]
    max_size_bytes: int
    note: str


class ItemDetailOut(ItemSummaryOut):
    parent_code: str | None
    children: list[str]
    handling_kind: str
    legal_basis: list[LegalBasisOut]
    conditions: str
    applicant_kinds: list[str]
    time_limit_note: str
    fee_description: str
    max_visits: int
    issues_licence: bool
    licence_name: str
    process_key: str
    process_steps: list[str]
    form_schema: dict = Field(..., description="JSON Schema draft 2020-12 of the application form ({}: none)")
    materials: list[MaterialOut]

    @staticmethod
    def resolve_parent_code(item: ServiceItem) -> str | None:
        return item.parent.code if item.parent else None

    @staticmethod
    def resolve_children(item: ServiceItem) -> list[str]:
        return [child.code for child in item.children.all()]


class ItemFilters(Schema):
    organization: int | None = Field(None, description="id of the implementing organization")
    item_type: ServiceItem.ItemType | None = Field(None, description="事项类型")
    q: str = Field("", max_length=100, description="words of the name, or an item code")


class ErrorOut(Schema):
    message: str
    extra: dict


@router.get("/items", response=list[ItemSummaryOut], auth=None)
@paginate(PageNumberPagination, page_size=20, max_page_size=100)
def list_items(request, filters: Query[ItemFilters]):
    """Published catalogue items, 20 a page (``page``, ``page_size`` up to 100): ``{"items", "count"}``."""
    return service_item_list(organization_id=filters.organization, item_type=filters.item_type, q=filters.q)


@router.get("/items/{code}", response={200: ItemDetailOut, 404: ErrorOut}, auth=None)
def get_item(request, code: str):
    """One published item with its legal basis, time limits, fees, materials and form schema."""
    return service_item_get(code=code)
