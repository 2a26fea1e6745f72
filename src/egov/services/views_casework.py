"""Staff pages of a case (内网办理, /staff/cases/<number>/): the case in two columns, its steps and
its material files. The staff inbox listing cases, tasks and documents together is
``egov.casework``.

Thin: a permission-checked fetch, one action (through ``egov.core.views.step_post``), a response.
Reading a case or one of its files is a read of personal data and is audited.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import NotFound, ValidationFailed
from egov.core.views import step_post
from egov.facilities.files import INLINE_KINDS, file_read, file_response
from egov.services import forms, once_only, sanctions
from egov.services.actions import processing
from egov.services.actions.lifecycle import MOVE_LABELS
from egov.services.formschema import form_fields
from egov.services.selectors import (
    application_deadlines,
    application_get_for_staff,
    application_material_get,
    application_materials_current,
    application_next_actors,
    application_read_record,
    application_staff_steps,
    application_supplement_request,
)
from egov.services.steps import CASE_STEPS, TASK_ANSWERS, task_answer_of
from egov.workflow.views import diagram_context

# File kinds the case page previews inline (a browser shows them; OFD it does not).
PREVIEW_KINDS = INLINE_KINDS


def _case_or_404(request, number: str):
    try:
        return application_get_for_staff(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None


# staff step (``steps.CASE_STEPS``) → (its form class, whether the form needs the case); the cleaned
# data are the keyword arguments of the step's action (``processing.CASE_ACTIONS``).
STEP_FORMS = {
    "receive": (forms.ConfirmForm, False),
    "accept": (forms.OpinionForm, False),
    "request_supplement": (forms.SupplementRequestForm, True),
    "refuse": (forms.ReasonsForm, False),
    "credit_decide": (forms.CreditDecisionForm, False),
    "supplement_receive": (forms.ConfirmForm, False),
    "review": (forms.ReviewForm, True),
    "joint_opinion": (forms.JointOpinionForm, False),
    "special_procedure_start": (forms.SpecialProcedureForm, False),
    "special_procedure_end": (forms.ConfirmForm, False),
    "decide": (forms.DecideForm, False),
    "conclude": (forms.ConfirmForm, False),
    "deliver": (forms.ConfirmForm, False),
}


def _form(step: str, application, data=None):
    form_class, needs_case = STEP_FORMS[step]
    return form_class(data, prefix=step, application=application) if needs_case else form_class(data, prefix=step)


def _task_outcome(task) -> str:
    """How a completed step ended when that was not its own move: the 受理 step answered with a
    补正 request or a refusal says so (its 受理日期 stays empty), rather than "completed"; "" else."""
    if not task.completed_at:
        return ""
    try:
        answer = task_answer_of(task.bpmn_id, task.completed_data or {})
    except ValidationFailed:
        return ""
    usual = next(row.step for row in TASK_ANSWERS if row.bpmn_id == task.bpmn_id)
    return "" if answer.step == usual else str(CASE_STEPS[answer.step].title)


def _intake_check(request, application, steps: list[str]) -> sanctions.Check | None:
    """The sanction check of the applicant (``sanctions.intake_check``, audited with the 办件编号) when the
    case waits for the user's 受理; None otherwise (and when no provider is wired)."""
    if "accept" not in steps:
        return None
    return sanctions.intake_check(actor=request.user, application=application)


def _case_page(request, application, bound: dict | None = None, status: int = 200):
    """The case page; it shows the applicant's personal data (name, phone, address, form data,
    material links), so each rendering is audited: the first view and the page shown again after a
    refused step alike (issue 17)."""
    application_read_record(user=request.user, application=application,
                            what="case page" if bound is None else "case page after a refused step")
    steps = application_staff_steps(user=request.user, application=application)
    check = _intake_check(request, application, steps)
    if check is not None and check.black:  # 受理 only with the decision on the listing
        steps = ["credit_decide" if step == "accept" else step for step in steps]
    step_forms = [(step, CASE_STEPS[step].title, (bound or {}).get(step) or _form(step, application))
                  for step in steps]
    process = application.process
    materials = application_materials_current(application=application)
    stored = application.once_only or {}
    register = stored.get("register") or {}
    held = {int(pk): once_only.shown(record) for pk, record in stored.get("materials", {}).items()}
    from_register = once_only.form_from_register(application.item.form_schema, register)
    return render(request, "services/staff/case.html", {
        "application": application,
        "register": once_only.shown(register) if register.get("items") else None,
        "register_error": register.get("error", "") if stored else None,
        "material_rows": [(material, row, held.get(material.pk)) for material, row in materials],
        "fields": [(field, field.display(application.form_data.get(field.name)), field.name in from_register)
                   for field in form_fields(application.item.form_schema)],
        "materials": materials,
        "previews": [(material, row) for material, row in materials if row and row.file.kind in PREVIEW_KINDS],
        "supplement": application_supplement_request(application=application),
        "deadlines": application_deadlines(application=application),
        "events": [(event, MOVE_LABELS.get(event.move, event.move))
                   for event in application.events.select_related("organization")],
        "history": [(task, _task_outcome(task)) for task in
                    process.tasks.select_related("candidate_organization", "completed_by").order_by("pk")],
        "diagram": diagram_context(process),
        "step_forms": step_forms,
        "next_actors": application_next_actors(application=application),
        "credit_check": check,
    }, status=status)


@staff_required
def case(request, number: str):
    """A case in two columns: the facts (application, form data, materials with previews) and the
    work (the next actor, the forms of the steps I may do now, the timeline, the steps). The read is
    audited."""
    application = _case_or_404(request, number)
    return _case_page(request, application)


def next_actors_text(application) -> str:
    """"Next: Reviewer (无锡市行政审批局)" (下一步：审查（无锡市行政审批局）) for the message after a step,
    one role and person or organization per open step; "" when the case has ended."""
    actors = application_next_actors(application=application)
    if not actors:
        return ""
    names = _("; ").join(_("%(role)s (%(who)s)") % {"role": actor.role, "who": actor.who} for actor in actors)
    return _("Next: %(actors)s") % {"actors": names}


@staff_required
@require_POST
def case_step(request, number: str, step: str):
    """Do one step of a case (its action, ``processing.case_step_take``); errors are shown on the
    step's form; after it, the message names the next actor."""
    application = _case_or_404(request, number)
    if step not in STEP_FORMS:
        raise Http404(_("No such step."))

    def again(form, status):
        application.refresh_from_db()
        return _case_page(request, application, bound={step: form}, status=status)

    def run(data):
        processing.case_step_take(actor=request.user, application=application, step=step, args=data)
        application.refresh_from_db()
        return application

    response = step_post(request, form=_form(step, application, request.POST), run=run,
                         done=_("Done: %(step)s.") % {"step": CASE_STEPS[step].title},
                         next_url=reverse("services_staff:case", args=[application.number]), again=again)
    if response.status_code == 302:
        following = next_actors_text(application)
        if following:
            messages.info(request, following)
    return response


@staff_required
@xframe_options_sameorigin
def material_download(request, number: str, row_id: int):
    """One file handed in for the case, as a download or (``?inline=1``, PDF and images) shown in
    the case page's preview, framed by this site only; the read is audited."""
    application = _case_or_404(request, number)
    try:
        row = application_material_get(application=application, row_id=row_id)
        data = file_read(stored=row.file)
    except NotFound as error:
        raise Http404(error.message) from None
    application_read_record(user=request.user, application=application, what="material file",
                            material=row.material)
    # ?inline=1: shown in the case page's preview (a PDF in a frame of this site, an image).
    return file_response(data=data, kind=row.file.kind, name=f"{application.number}-{row.pk}",
                         inline=request.GET.get("inline") == "1")
