"""Public pages of applying (外网受理): the application form, the confirmation, 我的办件, a case with
its timeline, 补正 upload and withdrawal. Thin: a permission-checked fetch, one action, a response.
"""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.models import Agent, User
from egov.accounts.permissions import public_user_required
from egov.core.errors import ApplicationError, NotFound, ValidationFailed
from egov.services import applying, forms
from egov.services.formschema import SchemaForm
from egov.services.lifecycle import BEFORE_DECISION, MOVE_LABELS
from egov.services.models import ApplicationStatus, Licence, ServiceItem
from egov.services.rating import rating_for_application
from egov.services.selectors import (
    application_deadlines,
    application_get_for_applicant,
    application_materials_current,
    application_supplement_request,
    applications_of,
    service_item_get,
)

MATERIAL_FIELD = "material-%d"


def _item_or_404(code: str) -> ServiceItem:
    try:
        return service_item_get(code=code)
    except NotFound as error:
        raise Http404(error.message) from None


def _application_or_404(request, number: str):
    try:
        return application_get_for_applicant(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None


def _applicant_choices(user: User, item: ServiceItem) -> list[tuple[str, str]]:
    """Whom the signed-in user may apply for: themself and the legal persons they are agent of."""
    choices = []
    if user.kind in item.applicant_kinds:
        choices.append(("self", user.name))
    if "legal" in item.applicant_kinds and user.kind == User.Kind.NATURAL:
        for agent in Agent.objects.filter(person__user=user, revoked_at__isnull=True).select_related("legal_person"):
            choices.append((str(agent.legal_person_id), _("%(name)s (as its agent)") % {"name": agent.legal_person}))
    return choices


def _files(request, materials) -> dict:
    files = {}
    for material in materials:
        upload = request.FILES.get(MATERIAL_FIELD % material.pk)
        if upload is not None:
            files[material.pk] = upload
    return files


def _material_errors(error: ValidationFailed) -> dict[int, str]:
    """``{material id: message}`` from a ``ValidationFailed`` about ``materials.<id>``."""
    errors = {}
    for entry in error.extra.get("errors") or [{"field": error.extra.get("field", ""), "message": error.message}]:
        field = entry.get("field", "")
        if field.startswith("materials."):
            errors[int(field.split(".")[1])] = entry["message"]
    return errors


def _material_rows(materials, errors: dict[int, str]) -> list[dict]:
    return [{"material": m, "name": MATERIAL_FIELD % m.pk, "error": errors.get(m.pk, "")} for m in materials]


@public_user_required
def apply(request, code: str):
    """在线申请: the item's form and one file input per material; submits once per idempotency key."""
    item = _item_or_404(code)
    if item.online_depth < ServiceItem.OnlineDepth.ACCEPTANCE:
        raise Http404(_("This item cannot be applied for online."))
    choices = _applicant_choices(request.user, item)
    materials = list(item.materials.order_by("sort_order", "pk"))
    form = SchemaForm(item.form_schema, request.POST if request.method == "POST" else None)
    key = request.POST.get("idempotency_key") or uuid.uuid4().hex
    errors: dict[int, str] = {}
    page_error = ""
    if request.method == "POST":
        applicant = request.POST.get("applicant", "self")
        if form.is_valid():
            try:
                legal_person = None
                if applicant != "self":
                    agency = Agent.objects.filter(person__user=request.user, legal_person_id=applicant,
                                                  revoked_at__isnull=True).first() if applicant.isdigit() else None
                    if agency is None:
                        raise ValidationFailed(_("Choose whom you apply for."),
                                               extra={"field": "applicant", "rule": "choice"})
                    legal_person = agency.legal_person
                application, _created = applying.application_submit(
                    actor=request.user, item=item, form_data=form.cleaned_data, files=_files(request, materials),
                    idempotency_key=key, legal_person=legal_person)
            except ValidationFailed as error:
                errors = _material_errors(error)
                if not errors:
                    page_error = error.message
            except ApplicationError as error:
                page_error = error.message
            else:
                return redirect("services:submitted", number=application.number)
        else:
            page_error = _("Please correct the fields marked below.")
    status = 400 if request.method == "POST" else (200 if choices else 403)
    return render(request, "services/apply.html", {
        "item": item, "form": form, "materials": _material_rows(materials, errors), "key": key,
        "choices": choices, "page_error": page_error or ("" if choices else
                                                       _("This item is not open to applicants of your kind.")),
    }, status=status)


@public_user_required
def submitted(request, number: str):
    """The confirmation: the tracking number to keep."""
    application = _application_or_404(request, number)
    return render(request, "services/submitted.html", {"application": application})


@public_user_required
def my_applications(request):
    """我的办件: the user's cases, newest first."""
    return render(request, "services/my_applications.html", {"applications": applications_of(user=request.user)})


def application_page(request, application, *, errors: dict[int, str] | None = None, upload_error: str = "",
                     withdraw_error: str = "", rating_form=None, status: int = 200):
    """The applicant's page of a case (also rendered by the rating view with its bound form)."""
    request_row = application_supplement_request(application=application)
    rating = rating_for_application(application=application)
    can_rate = rating is None and application.status in (ApplicationStatus.CONCLUDED, ApplicationStatus.DELIVERED)
    asked = list(request_row.materials.order_by("sort_order", "pk")) if request_row else []
    return render(request, "services/application.html", {
        "application": application,
        "events": [(event, MOVE_LABELS.get(event.move, event.move)) for event in application.events.all()],
        "deadlines": application_deadlines(application=application),
        "materials": application_materials_current(application=application),
        "supplement": request_row,
        "supplement_rows": _material_rows(asked, errors or {}),
        "can_supplement": application.status == ApplicationStatus.SUPPLEMENT,
        "can_withdraw": application.status in BEFORE_DECISION,
        "upload_error": upload_error,
        "withdraw_error": withdraw_error,
        "licence": Licence.objects.filter(application=application).select_related("document").first(),
        "rating": rating,
        "rating_form": rating_form or (forms.RatingForm() if can_rate else None),
    }, status=status)


@public_user_required
def application_detail(request, number: str):
    """A case: where it stands, its timeline, what a 补正 asks for, withdrawal."""
    return application_page(request, _application_or_404(request, number))


@public_user_required
@require_POST
def supplement_upload(request, number: str):
    application = _application_or_404(request, number)
    request_row = application_supplement_request(application=application)
    asked = list(request_row.materials.all()) if request_row else []
    try:
        applying.application_supplement_upload(actor=request.user, application=application,
                                               files=_files(request, asked))
    except ValidationFailed as error:
        errors = _material_errors(error)
        return application_page(request, application, errors=errors, upload_error="" if errors else error.message,
                                status=400)
    except ApplicationError as error:
        messages.error(request, error.message)
        return application_page(request, application, status=error.status)
    messages.success(request, _("Your supplementary materials have been submitted."))
    return redirect("services:application", number=application.number)


@public_user_required
@require_POST
def withdraw(request, number: str):
    application = _application_or_404(request, number)
    try:
        applying.application_withdraw(actor=request.user, application=application,
                                      reason=request.POST.get("reason", ""))
    except ApplicationError as error:
        messages.error(request, error.message)  # the withdraw form is hidden once the case is decided
        return application_page(request, application, withdraw_error=error.message, status=error.status)
    messages.success(request, _("Your application has been withdrawn."))
    return redirect("services:application", number=application.number)
