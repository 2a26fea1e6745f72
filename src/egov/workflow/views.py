"""Staff inbox pages (/staff/tasks/): 待办, 已办, a task with its diagram, claim, release, complete.

Thin: a permission-checked fetch (``selectors.task_get``), one action, a response. The services
app extends the task page with case-specific forms.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.core.errors import ApplicationError, NotFound
from egov.core.forms import add_application_error
from egov.workflow import actions, selectors
from egov.workflow.forms import TaskAnswerForm
from egov.workflow.models import WorkTask
from egov.workflow.permissions import can_work_on


def _task_or_404(request, task_id: int) -> WorkTask:
    try:
        return selectors.task_get(user=request.user, task_id=task_id)
    except NotFound:
        raise Http404(_("No such task.")) from None


@staff_required
def inbox(request):
    """待办: tasks I may claim and tasks I claimed, least working time left first."""
    rows = selectors.inbox_todo(user=request.user)
    return render(request, "workflow/inbox.html", {"rows": rows, "today": timezone.localdate()})


@staff_required
def done(request):
    """已办: tasks I completed."""
    return render(request, "workflow/done.html", {"tasks": selectors.inbox_done(user=request.user)[:200]})


def diagram_context(instance) -> dict:
    """What ``workflow/_diagram.html`` needs: the definition's XML and the steps to mark."""
    tasks = list(instance.tasks.values_list("bpmn_id", "status"))
    active = {WorkTask.Status.OPEN, WorkTask.Status.CLAIMED}
    current = sorted({bpmn_id for bpmn_id, status in tasks if status in active})
    return {
        "xml": instance.definition.bpmn_xml,
        "current": current,
        "done": sorted({bpmn_id for bpmn_id, status in tasks if status == WorkTask.Status.COMPLETED} - set(current)),
        "current_names": [t.name for t in selectors.instance_active_tasks(instance=instance)],
    }


def _detail(request, task: WorkTask, form: TaskAnswerForm | None = None, status: int = 200):
    mine = task.status == WorkTask.Status.CLAIMED and task.claimed_by_id == request.user.pk
    if form is None and mine:
        form = TaskAnswerForm(task=task)
    context = {
        "task": task,
        "instance": task.instance,
        "form": form if mine else None,
        "can_claim": task.status == WorkTask.Status.OPEN and can_work_on(request.user, task),
        "can_release": mine,
        "history": task.instance.tasks.select_related("candidate_organization", "completed_by").order_by("pk"),
        "diagram": diagram_context(task.instance),
    }
    return render(request, "workflow/task_detail.html", context, status=status)


def _subject_page(task: WorkTask) -> str | None:
    """The page of the case's own app, when its subject does its steps there (``staff_url()``), so
    that its steps and its status move together; None for plain processes."""
    staff_url = getattr(task.instance.subject, "staff_url", None)
    return staff_url() if callable(staff_url) else None


@staff_required
def task_detail(request, task_id: int):
    task = _task_or_404(request, task_id)
    page = _subject_page(task)
    return redirect(page) if page else _detail(request, task)


@staff_required
@require_POST
def task_claim(request, task_id: int):
    task = _task_or_404(request, task_id)
    try:
        actions.task_claim(actor=request.user, task=task)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail(request, task, status=error.status)
    messages.success(request, _("You have claimed this step."))
    return redirect("workflow:task", task_id=task.pk)


@staff_required
@require_POST
def task_release(request, task_id: int):
    task = _task_or_404(request, task_id)
    try:
        actions.task_release(actor=request.user, task=task)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail(request, task, status=error.status)
    messages.success(request, _("The step is back in the organization's inbox."))
    return redirect("workflow:inbox")


@staff_required
@require_POST
def task_complete(request, task_id: int):
    task = _task_or_404(request, task_id)
    page = _subject_page(task)
    if page:
        messages.error(request, _("Steps of this case are done on its case page."))
        return redirect(page)
    form = TaskAnswerForm(request.POST, task=task)
    if form.is_valid():
        try:
            actions.task_complete(actor=request.user, task=task, data=form.answer())
        except ApplicationError as error:
            add_application_error(form, error)
        else:
            messages.success(request, _("Step %(step)s is done.") % {"step": task.name})
            return redirect("workflow:inbox")
    task.refresh_from_db()
    return _detail(request, task, form=form, status=400)
