"""Public pages of applying (外网受理): the application form, the receipt, the confirmation, 我的办件, a case with
its timeline, 补正 upload and withdrawal. Thin: a permission-checked fetch, one action, a response.
"""

import uuid

from django.contrib import messages
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.models import Agent, User
from egov.accounts.permissions import public_user_required, verified_public_user_required
from egov.accounts.selectors import legal_persons_acted_for
from egov.core.errors import ApplicationError, NotFound, ValidationFailed
from egov.services import forms, once_only
from egov.services.actions import applying
from egov.services.actions.intake import material_error
from egov.services.actions.lifecycle import BEFORE_DECISION, MOVE_LABELS
from egov.services.formschema import SchemaForm
from egov.services.models import ApplicationStatus, IntakeState, KeptUpload, Licence, ServiceItem
from egov.services.selectors import (
    application_deadlines,
    application_form_initial,
    application_get_for_applicant,
    application_materials_current,
    application_supplement_request,
    applications_of,
    rating_for_application,
    service_item_get,
)
from egov.services.selectors_intake import (
    intake_error_message,
    intake_error_says_files_deleted,
    intake_files_deleted,
    intake_get_for_applicant,
    intakes_pending_of,
)

MATERIAL_FIELD = "material-%d"
KEPT_FIELD = "kept-material-%d"  # a signed token for a good file chosen in an earlier round of the form
KEPT_NAME_FIELD = "kept-name-%d"
KEPT_SALT = "egov.services.apply.kept-material"
KEPT_MAX_AGE = 86400  # seconds


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


def _kept_token(request, material_id: int, kept) -> str:
    """A signed note that this page kept the upload ``kept`` (``KeptUpload``) for this user and material."""
    return signing.dumps({"user": request.user.pk, "material": material_id, "upload": kept.pk,
                          "sha256": kept.sha256}, salt=KEPT_SALT)


def _kept_files(request, materials) -> dict[int, dict]:
    """Files the applicant chose in an earlier round of this form that were good and are kept:
    ``{material id: {"file": KeptUpload, "name": the file's name as chosen, "token": …}}``. The
    page carries each as a token signed by the server for this user and material (at most a day
    old), naming the kept upload; the upload must be this user's for this material too, so a file
    uploaded by someone else cannot be attached by naming its hash or its id."""
    kept = {}
    for material in materials:
        token = request.POST.get(KEPT_FIELD % material.pk, "")
        if not token:
            continue
        try:
            value = signing.loads(token, salt=KEPT_SALT, max_age=KEPT_MAX_AGE)
        except signing.BadSignature:
            continue
        if value.get("user") != request.user.pk or value.get("material") != material.pk:
            continue
        upload = KeptUpload.objects.filter(pk=value.get("upload"), user=request.user, material=material,
                                           sha256=value.get("sha256", "")).first()
        if upload is not None:
            kept[material.pk] = {"file": upload, "name": request.POST.get(KEPT_NAME_FIELD % material.pk, "")[:200],
                                 "token": token}
    return kept


def _keep_uploads(request, materials, uploads: dict, errors: dict[int, str]) -> dict[int, dict]:
    """Keep the good files of a round that failed (intake-side ``KeptUpload``, one INSERT each: what
    the public site's role may do), so that the applicant need not choose them again."""
    kept = {}
    for material in materials:
        upload = uploads.get(material.pk)
        if upload is None or material.pk in errors:
            continue
        try:
            stored = applying.kept_upload_insert(actor=request.user, material=material, content=upload)
        except ValidationFailed as error:
            errors[material.pk] = error.message
            continue
        kept[material.pk] = {"file": stored, "name": getattr(upload, "name", "")[:200],
                             "token": _kept_token(request, material.pk, stored)}
    return kept


def _material_errors(error: ValidationFailed) -> dict[int, str]:
    """``{material id: message}`` from a ``ValidationFailed`` about ``materials.<id>``."""
    errors = {}
    for entry in error.extra.get("errors") or [{"field": error.extra.get("field", ""), "message": error.message}]:
        field = entry.get("field", "")
        if field.startswith("materials."):
            errors[int(field.split(".")[1])] = entry.get("reason", entry["message"])
    return errors


def _material_rows(materials, errors: dict[int, str], kept: dict[int, dict] | None = None,
                   fetched: dict | None = None) -> list[dict]:
    kept = kept or {}
    fetched = fetched or {"held": {}, "held_errors": {}}
    return [{"material": m, "name": MATERIAL_FIELD % m.pk, "error": errors.get(m.pk, ""),
             "kept": kept.get(m.pk), "kept_field": KEPT_FIELD % m.pk, "kept_name_field": KEPT_NAME_FIELD % m.pk,
             "held": fetched["held"][m.pk].as_json() if m.pk in fetched["held"] and m.pk not in errors else None,
             "held_error": fetched["held_errors"].get(m.pk, "")}
            for m in materials]


def _applicant_user(request, applicant: str) -> User:
    """The account applied for: the signed-in user (``self``) or the legal person it is agent of."""
    if applicant != "self" and applicant.isdigit():
        agency = Agent.objects.filter(person__user=request.user, legal_person_id=applicant,
                                      revoked_at__isnull=True).select_related("legal_person__user").first()
        if agency is not None:
            return agency.legal_person.user
    return request.user


def _once_only_context(request, item, materials, applicant: str) -> dict:
    """The applicant's register data and the materials the platform holds (免提交), read through
    the exchange for the form (``services.once_only.preview``)."""
    fetched = once_only.preview(applicant=_applicant_user(request, applicant), item=item, materials=materials)
    register = fetched["register"]
    fetched["register"] = once_only.shown(register.as_json()) if register else None
    return fetched


def _held_unfetched_check(materials, files: dict, fetched: dict | None) -> None:
    """A required material the platform holds but could not fetch for this form (the preview's
    ``held_errors``) needs its file now: refused here, with the page's other errors, rather than by
    the intake worker after the receipt.

    Raises:
        ValidationFailed: ``materials.<id>``, ``required``, with every such material in ``extra["errors"]``.
    """
    unfetched = (fetched or {}).get("held_errors", {})
    errors = [material_error(m, "required", _("The platform could not fetch this material: upload it."))
              for m in materials if m.required and m.held_as and m.pk in unfetched and m.pk not in files]
    if errors:
        raise ValidationFailed(errors[0]["message"], extra={"field": errors[0]["field"], "rule": "required",
                                                            "errors": errors})


@verified_public_user_required
def apply(request, code: str):
    """在线申请: the item's form and one file input per material; submits once per idempotency key."""
    item = _item_or_404(code)
    if item.online_depth < ServiceItem.OnlineDepth.ACCEPTANCE:
        raise Http404(_("This item cannot be applied for online."))
    choices = _applicant_choices(request.user, item)
    materials = list(item.materials.order_by("sort_order", "pk"))
    # The form starts with what the account knows of the applicant (the first one it may apply for,
    # or the one named by ?applicant=).
    applicant = request.GET.get("applicant", "")
    applicant = applicant if applicant in {value for value, _label in choices} else (choices[0][0] if choices
                                                                                     else "self")
    agency = None if applicant == "self" else Agent.objects.filter(
        person__user=request.user, legal_person_id=applicant, revoked_at__isnull=True).select_related(
        "legal_person").first()
    initial = application_form_initial(user=request.user, item=item,
                                       legal_person=agency.legal_person if agency else None)
    key = request.POST.get("idempotency_key") or uuid.uuid4().hex
    # The failed receipt this application applies again for (its "Apply again" link), kept in the form.
    replaces = (request.POST.get("replaces") if request.method == "POST" else request.GET.get("replaces")) or ""
    replaces = replaces if len(replaces) <= 20 and replaces.isalnum() else ""
    errors: dict[int, str] = {}
    kept: dict[int, dict] = {}
    page_error = ""
    if request.method == "POST":
        applicant = request.POST.get("applicant", "self")
    fetched = _once_only_context(request, item, materials, applicant) if choices else None
    # A field the register fills is not editable, and its posted value is never read.
    form = SchemaForm(item.form_schema, request.POST if request.method == "POST" else None, initial=initial,
                      locked=once_only.form_from_register(item.form_schema, (fetched or {}).get("register")))
    if request.method == "POST":
        kept = _kept_files(request, materials)
        uploads = _files(request, materials)
        files = {**{pk: bytes(entry["file"].content) for pk, entry in kept.items()}, **uploads}
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
                _held_unfetched_check(materials, files, fetched)
                record, _created = applying.intake_submit(
                    actor=request.user, item=item, form_data=form.cleaned_data, files=files,
                    idempotency_key=key, legal_person=legal_person, replaces=replaces)
            except ValidationFailed as error:
                errors = _material_errors(error)
                if not errors:
                    page_error = error.message
            except ApplicationError as error:
                page_error = error.message
                if error.extra.get("rule") in ("idempotency_key", "idempotency_key_content"):
                    # This page's key already names another submission (a form changed after it was
                    # sent, say, back in the browser): the next submit is a new application, under a
                    # new key — the same for every click of it, so a double click still makes one.
                    key = uuid.uuid4().hex
                    page_error = _("This form was already sent as %(number)s, with other content, and these "
                                   "changes were not sent. Check the form: sending it now makes a new "
                                   "application.") % {"number": error.extra.get("number", "")}
            else:
                return redirect("services:receipt", receipt=record.receipt)
        else:
            page_error = _("Please correct the fields marked below.")
            try:  # the files are checked in the same round as the fields
                applying.materials_check(materials=materials, files=files, required={
                    m.pk for m in materials if m.required and m.pk not in (fetched or {}).get("held", {})})
            except ValidationFailed as error:
                errors = _material_errors(error)
        kept = {pk: entry for pk, entry in kept.items() if pk not in errors}
        kept.update(_keep_uploads(request, materials, uploads, errors))
    status = 400 if request.method == "POST" else (200 if choices else 403)
    return render(request, "services/apply.html", {
        "item": item, "form": form, "materials": _material_rows(materials, errors, kept, fetched), "key": key,
        "fetched": fetched, "replaces": replaces,
        "applicant": applicant, "material_errors": bool(errors),
        "choices": choices, "page_error": page_error or ("" if choices else
                                                       _("This item is not open to applicants of your kind.")),
    }, status=status)


@public_user_required
def submitted(request, number: str):
    """The confirmation: the tracking number to keep."""
    application = _application_or_404(request, number)
    return render(request, "services/submitted.html", {"application": application})


@public_user_required
def receipt(request, receipt: str):
    """The receipt (受理回执) of a submission, at once: 受理中 while the staff side registers it, then
    已提交 with its tracking number linked, or 失败 with the reason and what to do."""
    try:
        record = intake_get_for_applicant(user=request.user, receipt=receipt)
    except NotFound as error:
        raise Http404(error.message) from None
    application = record.application if record.state == IntakeState.DONE else None
    failed = record.state == IntakeState.FAILED
    return render(request, "services/receipt.html", {
        "record": record, "application": application,
        # Applied again from this receipt: the new submission, not "Apply again" once more.
        "replaced_by": record.replaced_by.order_by("id").first() if failed else None,
        "error": intake_error_message(record) if record.state == IntakeState.FAILED else None,
        "files_deleted": intake_files_deleted(record),
        # Said once: by the reason when it says it, else by the paragraph below the reason.
        "files_deleted_in_error": intake_error_says_files_deleted(record),
        "waiting": record.state == IntakeState.WAITING})


@public_user_required
def my_applications(request):
    """我的办件: the submissions still being registered (or failed), then the user's cases, newest first."""
    return render(request, "services/my_applications.html", {
        "pending": intakes_pending_of(user=request.user),
        "applications": applications_of(user=request.user), "acted_for": legal_persons_acted_for(user=request.user)})


def application_page(request, application, *, errors: dict[int, str] | None = None, upload_error: str = "",
                     withdraw_error: str = "", rating_form=None, status: int = 200):
    """The applicant's page of a case (also rendered by the rating view with its bound form)."""
    request_row = application_supplement_request(application=application)
    rating = rating_for_application(application=application)
    can_rate = rating is None and application.status in (ApplicationStatus.CONCLUDED, ApplicationStatus.DELIVERED)
    asked = list(request_row.materials.order_by("sort_order", "pk")) if request_row else []
    return render(request, "services/application.html", {
        "application": application,
        "events": [(event, MOVE_LABELS.get(event.move, event.move))
                   for event in application.events.select_related("organization")],
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
