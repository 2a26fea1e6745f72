"""Public API of the service hall beyond applying: tracking without sign-in, published results,
rating statistics; for the signed-in applicant: supplementary materials, the licence, the rating,
notifications. Mounted inside the services router (``/api/v1/services/``)."""

from datetime import date, datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from egov.core.apischema import ErrorOut
from egov.core.errors import NotFound
from egov.core.jsoninput import INT64_MAX
from egov.facilities.notifications import notifications_mark_read, notifications_of
from egov.services.actions.applying import application_supplement_upload
from egov.services.actions.rating import rating_submit
from egov.services.api_common import Pager, decode_materials, public_session
from egov.services.publication import application_track, published_result, published_results
from egov.services.selectors import application_get_for_applicant, licence_pdf, rating_stats

router = Router(tags=["services"])


class StepOut(Schema):
    at: datetime
    move: str
    label: str


class TrackOut(Schema):
    number: str
    item: str
    item_en: str = Field(..., description="the item's English name (empty when it has none)")
    organization: str
    organization_en: str = Field(..., description="the organization's English name (empty when it has none)")
    status: str
    status_label: str
    submitted_at: datetime
    accepted_on: date | None
    due_date: date | None = Field(..., description="the case deadline (working days counted from 受理)")
    decided_at: datetime | None
    concluded_at: datetime | None
    ended_at: datetime | None = Field(..., description="delivered (送达) or withdrawn (撤回) at")
    steps: list[StepOut]


@router.get("/track/{number}", response={200: TrackOut, 404: ErrorOut}, auth=None)
def track(request, number: str, code: str = Query(..., max_length=20, description="the case's query code")):
    """Follow a case without signing in (办件查询): status, dates and organization, no personal data.
    404 when the number is unknown or the code wrong (the same answer for both)."""
    return application_track(number=number, code=code)


class ResultOut(Schema):
    number: str
    item: str
    item_code: str
    organization: str
    organization_id: int
    applicant: str = Field(..., description="a legal person's name; a natural person's masked (张*)")
    result: str = Field(..., description="approved (准予许可) or denied (不予许可)")
    result_label: str
    submitted_at: datetime
    decided_at: datetime | None
    concluded_at: datetime


class ResultFilters(Schema):
    organization: int | None = Field(None, ge=1, le=INT64_MAX, description="id of the implementing organization")
    item: str = Field("", max_length=40, description="item code (事项编码)")
    month: str = Field("", max_length=7, description="month of conclusion, YYYY-MM")


@router.get("/results", response=list[ResultOut], auth=None)
@paginate(Pager)
def results(request, filters: Query[ResultFilters]):
    """Concluded cases published on the public site (外网公布), newest first: ``{"items", "count"}``."""
    return [published_result(application) for application in published_results(
        organization_id=filters.organization, item_code=filters.item, month=filters.month)]


class StatsOut(Schema):
    key: str
    name: str
    levels: dict[str, int] = Field(..., description="ratings per level, 5 (非常满意) … 1 (非常不满意)")
    total: int
    negative: int = Field(..., description="差评: levels 2 and 1")
    rectified: int
    satisfaction: float | None = Field(..., description="share of levels 5–3, 0–1; null without ratings")


@router.get("/ratings/stats", response={200: list[StatsOut], 400: ErrorOut}, auth=None)
def ratings_stats(request, by: str = Query("organization", pattern="^(organization|item)$")):
    """好差评 statistics per organization or per item (ratings found malicious on review left out)."""
    return [{"key": str(row.key), "name": row.name, "levels": {str(k): v for k, v in row.levels.items()},
             "total": row.total, "negative": row.negative, "rectified": row.rectified,
             "satisfaction": row.satisfaction} for row in rating_stats(by=by)]


# The applicant's own case --------------------------------------------------------------------------


class MaterialsIn(Schema):
    materials: dict[str, str] = Field(..., description="material id → the file's bytes in base64")


class StatusOut(Schema):
    number: str
    status: str
    status_label: str


@router.post("/applications/{number}/materials", response={200: StatusOut, 400: ErrorOut, 401: ErrorOut,
                                                           404: ErrorOut, 409: ErrorOut}, auth=public_session)
def upload_materials(request, number: str, payload: MaterialsIn):
    """Hand in the supplementary materials a 补正 asked for (one file per material asked for)."""
    application = application_get_for_applicant(user=request.auth, number=number)
    application = application_supplement_upload(actor=request.auth, application=application,
                                                files=decode_materials(payload.materials))
    return {"number": application.number, "status": application.status,
            "status_label": str(application.get_status_display())}


@router.get("/applications/{number}/licence", response={200: None, 401: ErrorOut, 404: ErrorOut},
            auth=public_session, openapi_extra={"responses": {200: {
                "description": "the sealed licence PDF", "content": {"application/pdf": {}}}}})
def licence_download(request, number: str):
    """The e-licence of the applicant's case, as the sealed PDF."""
    application = application_get_for_applicant(user=request.auth, number=number)
    licence = getattr(application, "licence", None) if hasattr(application, "licence") else None
    if licence is None:
        raise NotFound(_("This case has no licence."), extra={"field": "licence"})
    response = HttpResponse(licence_pdf(licence=licence), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="licence-{licence.number}.pdf"'
    return response


class RatingIn(Schema):
    level: int = Field(..., description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意")
    comment: str = Field("", description="required for 2 and 1 (差评)")


class RatingOut(Schema):
    level: int
    level_label: str
    comment: str
    rated_at: datetime
    rectify_by: date | None = Field(..., description="for a 差评: the organization's deadline to rectify")


@router.post("/applications/{number}/rating", response={201: RatingOut, 400: ErrorOut, 401: ErrorOut,
                                                        404: ErrorOut, 409: ErrorOut}, auth=public_session)
def rate(request, number: str, payload: RatingIn):
    """Rate the concluded case once (好差评)."""
    application = application_get_for_applicant(user=request.auth, number=number)
    rating = rating_submit(actor=request.auth, application=application, level=payload.level,
                           comment=payload.comment)
    rectification = getattr(rating, "rectification", None) if rating.is_negative else None
    return Status(201, {"level": rating.level, "level_label": str(rating.get_level_display()),
                        "comment": rating.comment, "rated_at": rating.rated_at,
                        "rectify_by": rectification.due_on if rectification else None})


def _case_number(notification) -> str | None:
    """The number of the case a notification is about (its link names the case's page), else None."""
    if notification.link_name == "services:application" and notification.link_args:
        return notification.link_args[0]
    return None


class NotificationOut(Schema):
    id: int
    number: str | None
    subject: str
    body: str
    created_at: datetime
    read: bool


@router.get("/notifications", response={200: list[NotificationOut], 401: ErrorOut}, auth=public_session)
@paginate(Pager)
def notifications(request, unread: bool = False):
    """My notifications (站内消息), newest first, in the request's language (Accept-Language; Chinese
    when a message has no English text)."""
    return [{"id": n.pk, "number": _case_number(n), "subject": n.local_subject,
             "body": n.local_body, "created_at": n.created_at, "read": n.read_at is not None}
            for n in notifications_of(user=request.auth, unread_only=unread)]


class ReadOut(Schema):
    marked: int


@router.post("/notifications/read", response={200: ReadOut, 401: ErrorOut, 404: ErrorOut}, auth=public_session)
def notifications_read(request, id: int | None = Query(None, ge=1, le=INT64_MAX)):  # noqa: B008
    """Mark one notification (``id``) or all of them read."""
    return {"marked": notifications_mark_read(user=request.auth, notification_id=id)}
