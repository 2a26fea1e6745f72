"""Public API of the service hall: the catalogue (no sign-in) and applications (the applicant's own,
signed in with the site's session; unsafe methods need the CSRF token)."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from egov.accounts.models import LegalPerson
from egov.core.apischema import ErrorOut
from egov.core.errors import ValidationFailed
from egov.core.jsoninput import INT64_MAX
from egov.services.actions.applying import intake_submit
from egov.services.actions.lifecycle import MOVE_LABELS
from egov.services.api_common import Pager, decode_materials, public_session
from egov.services.api_hall import router as hall_router
from egov.services.models import Application, IntakeState, Licence, ServiceItem
from egov.services.selectors import (
    application_deadlines,
    application_get_for_applicant,
    application_materials_current,
    service_item_for_submission,
    service_item_get,
    service_item_list,
)
from egov.services.selectors_intake import intake_error_message, intake_files_deleted, intake_track

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
    id: int  # the key of this material in an application's "materials"
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
    organization: int | None = Field(None, ge=1, le=INT64_MAX, description="id of the implementing organization")
    item_type: ServiceItem.ItemType | None = Field(None, description="事项类型")
    q: str = Field("", max_length=100, description="words of the name, or an item code")


@router.get("/items", response=list[ItemSummaryOut], auth=None)
@paginate(Pager)
def list_items(request, filters: Query[ItemFilters]):
    """Published catalogue items, 20 a page (``page``, ``page_size`` up to 100): ``{"items", "count"}``."""
    return service_item_list(organization_id=filters.organization, item_type=filters.item_type, q=filters.q)


@router.get("/items/{code}", response={200: ItemDetailOut, 404: ErrorOut}, auth=None)
def get_item(request, code: str):
    """One published item with its legal basis, time limits, fees, materials and form schema."""
    return service_item_get(code=code)


# Applications -------------------------------------------------------------------------------------




class ApplicationIn(Schema):
    item: str = Field(..., description="the item code (事项编码)")
    form: dict = Field(default_factory=dict, description="the form data, checked against the item's form_schema")
    materials: dict[str, str] = Field(default_factory=dict, description="material id → the file's bytes in base64 "
                                      "(PDF, JPEG, PNG or OFD, within the material's size limit)")
    idempotency_key: str | None = Field(None, description="or the Idempotency-Key header; 8–64 of A-Z a-z 0-9 - _")
    legal_person: str | None = Field(None, description="USCC of the legal person applied for, as its agent")
    replaces: str = Field("", max_length=20, description="the receipt number of the applicant's failed submission "
                          "of this item that this one applies again for; an operator then never retries it "
                          "(409 ``retried`` when one already has, 409 ``replaced`` when it was applied "
                          "again for already: once per failed submission)")


class DeadlinesOut(Schema):
    accepted_on: date | None
    limit_days: int = Field(..., description="working days from acceptance (承诺时限)")
    paused_working_days: int = Field(..., description="working days not counted (pauses after acceptance)")
    due_date: date | None
    clock_stopped_since: date | None
    working_days_left: int | None
    urgency: str


class EventOut(Schema):
    at: datetime
    move: str
    label: str
    status: str
    by: str
    note: str


class MaterialFileOut(Schema):
    material_id: int
    material: str
    kind: str | None
    size: int | None
    sha256: str | None
    supplement: bool


class LicenceOut(Schema):
    number: str
    name: str
    issued_on: date
    valid_until: date | None = Field(..., description="null: without limit (长期)")
    verification_code: str = Field(..., description="enter it on /trust/verify, or scan the PDF's QR code")


class ApplicationOut(Schema):
    receipt: str | None = Field(..., description="the receipt of the submission the case was made of")
    number: str = Field(..., description="tracking number (办件编号), with its ISO 7064 MOD 11-2 check character")
    query_code: str = Field(..., description="with the number, lets anyone follow the case without signing in")
    item: str
    organization: str
    applicant: str
    status: str
    status_label: str
    submitted_at: datetime
    reasons: str
    deadlines: DeadlinesOut
    events: list[EventOut]
    materials: list[MaterialFileOut]
    licence: LicenceOut | None


def _application_out(application: Application) -> dict:
    return {
        "receipt": application.intake.receipt if application.intake_id else None,
        "number": application.number, "query_code": application.query_code, "item": application.item.code,
        "organization": application.organization.name,
        "applicant": application.applicant_name, "status": application.status,
        "status_label": str(application.get_status_display()), "submitted_at": application.submitted_at,
        "reasons": application.reasons,
        "deadlines": application_deadlines(application=application).as_json(),
        "events": [{"at": e.at, "move": e.move, "label": str(MOVE_LABELS.get(e.move, e.move)), "status": e.status_to,
                    "by": e.by, "note": e.note_text()} for e in application.events.all()],
        "materials": [{"material_id": m.pk, "material": m.name, "kind": row.file.kind if row else None,
                       "size": row.file.size if row else None, "sha256": row.file.sha256 if row else None,
                       "supplement": row.supplement if row else False}
                      for m, row in application_materials_current(application=application)],
        "licence": _licence_out(application),
    }


def _licence_out(application: Application) -> dict | None:
    licence = Licence.objects.filter(application=application).select_related("document").first()
    if licence is None:
        return None
    return {"number": licence.number, "name": licence.name, "issued_on": licence.issued_on,
            "valid_until": licence.valid_until, "verification_code": licence.document.code}


class IntakeErrorOut(Schema):
    message: str
    extra: dict


class ReceiptOut(Schema):
    receipt: str = Field(..., description="the receipt number (受理回执编号) given at once")
    query_code: str = Field(..., description="with the receipt (and later with the number), follows the case "
                            "without signing in")
    item: str
    state: str = Field(..., description="waiting (受理中), done (已提交: the case exists) or failed (失败)")
    state_label: str
    received_at: datetime
    processed_at: datetime | None
    number: str | None = Field(..., description="the case's tracking number (办件编号) once it exists")
    error: IntakeErrorOut | None = Field(..., description="why a failed submission failed, in the API's "
                                         "error shape (``extra.files_deleted``: its files were deleted, so it "
                                         "can no longer be registered); send it again with a new idempotency key")


def receipt_out(record) -> dict:
    """The JSON of an intake record (``ReceiptOut``)."""
    application = getattr(record, "application", None) if record.state == IntakeState.DONE else None
    return {"receipt": record.receipt, "query_code": record.query_code, "item": record.item.code,
            "state": record.state, "state_label": str(record.get_state_display()), "received_at": record.received_at,
            "processed_at": record.processed_at, "number": application.number if application else None,
            "error": {"message": intake_error_message(record),
                      "extra": {**record.error.get("extra", {}),
                                **({"files_deleted": True} if intake_files_deleted(record) else {})}}
            if record.state == IntakeState.FAILED else None}


@router.post("/applications", response={200: ApplicationOut, 202: ReceiptOut, 400: ErrorOut, 401: ErrorOut,
                                        403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, auth=public_session)
def submit_application(request, payload: ApplicationIn,
                       idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """Submit an application (网上申请, 外网受理): checked at once and answered with a receipt (202,
    state ``waiting``); the staff side makes the case moments later (follow it with
    ``GET /receipts/{receipt}?code=``). The same idempotency key with the same content gives the
    same answer again: 202 with the receipt while there is no case (``waiting``, or ``failed`` with
    its ``error``), 200 with the case (and its ``receipt``) once it exists. 400 names the field:
    ``idempotency_key``, ``item``, ``form.<name>``, ``materials.<id>``; 409 the key reused with
    other content."""
    key = idempotency_key or payload.idempotency_key or ""
    # The item read once per process while unchanged; its materials: catalog.item_materials.
    item = service_item_for_submission(code=payload.item)
    legal_person = None
    if payload.legal_person:
        legal_person = LegalPerson.objects.filter(uscc=payload.legal_person.strip().upper()).first()
        if legal_person is None:
            raise ValidationFailed(_("No such legal person."), extra={"field": "legal_person", "rule": "unknown"})
    record, _created = intake_submit(actor=request.auth, item=item, form_data=payload.form,
                                     files=decode_materials(payload.materials), idempotency_key=key,
                                     legal_person=legal_person, replaces=payload.replaces)
    if record.state == IntakeState.DONE:
        return Status(200, _application_out(record.application))
    return Status(202, receipt_out(record))


@router.get("/receipts/{receipt}", response={200: ReceiptOut, 404: ErrorOut}, auth=None)
def get_receipt(request, receipt: str,
                code: str = Query(..., max_length=20, description="the query code given with the receipt")):
    """Follow a submission by its receipt without signing in: its state, and its tracking number
    once the case exists (then ``/track/{number}`` follows the case). 404 when the receipt is
    unknown or the code wrong (the same answer for both)."""
    return receipt_out(intake_track(receipt=receipt, code=code))


@router.get("/applications/{number}", response={200: ApplicationOut, 401: ErrorOut, 404: ErrorOut},
            auth=public_session)
def get_application(request, number: str):
    """The applicant's case: status, deadlines, timeline, materials. 404 for anyone else's."""
    return _application_out(application_get_for_applicant(user=request.auth, number=number))


router.add_router("", hall_router)
