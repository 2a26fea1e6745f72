"""Staff pages of casework (内网办理, /staff/cases/): the workbench (待办, 已办, search), a case with its
application, materials and the forms of the steps the staff member may do now, material downloads.

Thin: a permission-checked fetch, one action, a response. Reading a case or one of its files is a
read of personal data and is audited.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound, ValidationFailed
from egov.core.forms import add_application_error
from egov.facilities.files import MEDIA_TYPES, file_read
from egov.services import forms
from egov.services.actions import processing
from egov.services.actions.lifecycle import MOVE_LABELS
from egov.services.formschema import form_fields
from egov.services.selectors import (
    application_deadlines,
    application_get_for_staff,
    application_material_get,
    application_materials_current,
    application_read_record,
    application_staff_steps,
    application_supplement_request,
    applications_search,
    workbench_done,
    workbench_todo,
)
from egov.workflow.views import diagram_context


def _case_or_404(request, number: str):
    try:
        return application_get_for_staff(user=request.user, number=number)
    except NotFound as error:
        raise Http404(error.message) from None


@staff_required
def workbench(request):
    """待办 (least working time left first, with green/yellow/red badges) and the search."""
    search = forms.CaseSearchForm(request.GET or None)
    results = None
    if search.is_valid() and search.cleaned_data["q"]:
        try:
            results = applications_search(user=request.user, q=search.cleaned_data["q"])
        except ValidationFailed as error:
            search.add_error("q", error.message)  # the number's field: a typing error in it
    return render(request, "services/staff/workbench.html", {
        "rows": workbench_todo(user=request.user), "search": search, "results": results, "tab": "todo"})


@staff_required
def done(request):
    """已办: cases on which I completed a step."""
    return render(request, "services/staff/done.html", {"applications": workbench_done(user=request.user)[:200],
                                                        "tab": "done"})


# step → (form class, whether the form needs the case, the action called with the cleaned data)
STEPS = {
    "receive": (forms.ConfirmForm, False,
                lambda actor, case, data: processing.application_receive(actor=actor, application=case)),
    "accept": (forms.OpinionForm, False,
               lambda actor, case, data: processing.application_accept(actor=actor, application=case, **data)),
    "request_supplement": (forms.SupplementRequestForm, True,
                           lambda actor, case, data: processing.application_supplement_request(
                               actor=actor, application=case, materials=list(data["materials"]),
                               note=data["note"])),
    "refuse": (forms.ReasonsForm, False,
               lambda actor, case, data: processing.application_refuse(actor=actor, application=case, **data)),
    "supplement_receive": (forms.ConfirmForm, False,
                           lambda actor, case, data: processing.application_supplement_receive(
                               actor=actor, application=case)),
    "review": (forms.ReviewForm, True,
               lambda actor, case, data: processing.application_review(
                   actor=actor, application=case, joint_reviewers=list(data["joint_reviewers"]),
                   opinion=data["opinion"])),
    "joint_opinion": (forms.JointOpinionForm, False,
                      lambda actor, case, data: processing.application_joint_opinion(
                          actor=actor, application=case, **data)),
    "special_procedure_start": (forms.SpecialProcedureForm, False,
                                lambda actor, case, data: processing.application_special_procedure_start(
                                    actor=actor, application=case, **data)),
    "special_procedure_end": (forms.ConfirmForm, False,
                              lambda actor, case, data: processing.application_special_procedure_end(
                                  actor=actor, application=case)),
    "decide": (forms.DecideForm, False,
               lambda actor, case, data: processing.application_decide(actor=actor, application=case, **data)),
    "conclude": (forms.ConfirmForm, False,
                 lambda actor, case, data: processing.application_conclude(actor=actor, application=case)),
    "deliver": (forms.ConfirmForm, False,
                lambda actor, case, data: processing.application_deliver(actor=actor, application=case)),
}
STEP_TITLES = {
    "receive": gettext_lazy("Receive (接件)"),
    "accept": gettext_lazy("Accept (受理)"),
    "request_supplement": gettext_lazy("Request supplementary materials (补正, once)"),
    "refuse": gettext_lazy("Do not accept (不予受理)"),
    "supplement_receive": gettext_lazy("Take the supplementary materials in"),
    "review": gettext_lazy("Review (审查)"),
    "joint_opinion": gettext_lazy("Joint review opinion (并联审查)"),
    "special_procedure_start": gettext_lazy("Start a special procedure (特别程序)"),
    "special_procedure_end": gettext_lazy("End the special procedure"),
    "decide": gettext_lazy("Decide (决定)"),
    "conclude": gettext_lazy("Conclude (办结)"),
    "deliver": gettext_lazy("Deliver (送达)"),
}


def _form(step: str, application, data=None):
    form_class, needs_case, _action = STEPS[step]
    return form_class(data, prefix=step, application=application) if needs_case else form_class(data, prefix=step)


def _case_page(request, application, bound: dict | None = None, status: int = 200):
    steps = application_staff_steps(user=request.user, application=application)
    step_forms = [(step, STEP_TITLES[step], (bound or {}).get(step) or _form(step, application)) for step in steps]
    process = application.process
    return render(request, "services/staff/case.html", {
        "application": application,
        "fields": [(field, field.display(application.form_data.get(field.name)))
                   for field in form_fields(application.item.form_schema)],
        "materials": application_materials_current(application=application),
        "supplement": application_supplement_request(application=application),
        "deadlines": application_deadlines(application=application),
        "events": [(event, MOVE_LABELS.get(event.move, event.move)) for event in application.events.all()],
        "history": process.tasks.select_related("candidate_organization", "completed_by").order_by("pk"),
        "diagram": diagram_context(process),
        "step_forms": step_forms,
    }, status=status)


@staff_required
def case(request, number: str):
    """A case: the application (form data, materials), deadlines, timeline, steps, and the forms of
    the steps I may do now. The read is audited."""
    application = _case_or_404(request, number)
    application_read_record(user=request.user, application=application, what="case page")
    return _case_page(request, application)


@staff_required
@require_POST
def case_step(request, number: str, step: str):
    """Do one step of a case (one action); errors are shown on the step's form."""
    application = _case_or_404(request, number)
    if step not in STEPS:
        raise Http404(_("No such step."))
    form = _form(step, application, request.POST)
    if form.is_valid():
        try:
            STEPS[step][2](request.user, application, form.cleaned_data)
        except ApplicationError as error:
            add_application_error(form, error)
            # Shown above the page too: when the state has moved on, the step's form is not shown.
            messages.error(request, error.message)
            application.refresh_from_db()
            return _case_page(request, application, bound={step: form}, status=error.status)
        messages.success(request, _("Done: %(step)s.") % {"step": STEP_TITLES[step]})
        return redirect("services_staff:case", number=application.number)
    return _case_page(request, application, bound={step: form}, status=400)


@staff_required
def material_download(request, number: str, row_id: int):
    """One file handed in for the case; the read is audited."""
    application = _case_or_404(request, number)
    try:
        row = application_material_get(application=application, row_id=row_id)
        data = file_read(stored=row.file)
    except NotFound as error:
        raise Http404(error.message) from None
    application_read_record(user=request.user, application=application, what="material file",
                            material=row.material)
    response = HttpResponse(data, content_type=MEDIA_TYPES[row.file.kind])
    response["Content-Disposition"] = f'attachment; filename="{application.number}-{row.pk}.{row.file.kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
