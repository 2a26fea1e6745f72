"""The staff workbench pages: the one inbox (/staff/inbox/), 已办, and the generic task page
(/staff/tasks/<id>/) whose completion carries out the subject's own action (``dispatch``).

Thin: a permission-checked fetch, one action, a response. The old inboxes (/staff/tasks/ and
/staff/cases/) redirect here.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required
from egov.audit.actions import audit_list_read
from egov.casework.dispatch import task_claim_checked, task_complete_as_subject, task_subject, waits_outside
from egov.casework.forms import InboxFilterForm
from egov.casework.inbox import inbox_filter, inbox_rows
from egov.core.errors import ApplicationError, NotFound, ValidationFailed
from egov.core.views import step_post
from egov.services.selectors import applications_search
from egov.workflow import actions, selectors
from egov.workflow.forms import TaskAnswerForm
from egov.workflow.models import WorkTask
from egov.workflow.permissions import can_work_on
from egov.workflow.views import diagram_context

PAGE_SIZE = 25


@staff_required
def inbox(request):
    """待办: tasks, cases and documents to sign for, filtered, least working time left first, paged;
    and the search of cases."""
    rows = inbox_rows(user=request.user)
    form = InboxFilterForm(request.GET or None, rows=rows)
    results = None
    shown = rows
    if form.is_valid():
        data = form.cleaned_data
        shown = inbox_filter(rows, kind=data["kind"], organization=data["organization"], step=data["step"],
                             urgency=data["urgency"])
        if data["q"]:
            try:
                results = applications_search(user=request.user, q=data["q"])
            except ValidationFailed as error:
                form.add_error("q", error.message)  # the number's field: a typing error in it
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    # The page names applicants (the inbox's cases and the search's results): one read event naming them.
    audit_list_read(action="services.application.read_list", actor=request.user, object_type="services.application",
                    object_ids=dict.fromkeys([row.subject_id for row in page.object_list if row.kind == "case"]
                                             + [application.pk for application in results or []]),
                    summary="staff inbox", changes={"page": page.number})
    return render(request, "casework/inbox.html", {
        "form": form, "page": page, "rows": page.object_list, "total": len(rows), "shown": len(shown),
        "results": results, "query": urlencode(query), "tab": "todo"})


@staff_required
def done(request):
    """已办: steps I completed, newest first, with their subjects."""
    tasks = list(selectors.inbox_done(user=request.user)[:200])
    return render(request, "casework/done.html", {"rows": [(task, task_subject(task)) for task in tasks],
                                                  "tab": "done"})


def old_inbox(request, kind: str = ""):
    """/staff/tasks/ and /staff/cases/ (the two inboxes before this one): to the inbox, keeping a
    case search."""
    query = {"kind": kind} if kind else {}
    if request.GET.get("q"):
        query["q"] = request.GET["q"]
    return redirect(reverse("casework:inbox") + (f"?{urlencode(query)}" if query else ""))


def old_done(request):
    return redirect("casework:done")


def _task_or_404(request, task_id: int) -> WorkTask:
    try:
        return selectors.task_get(user=request.user, task_id=task_id)
    except NotFound:
        raise Http404(_("No such task.")) from None


def _detail(request, task: WorkTask, form: TaskAnswerForm | None = None, status: int = 200):
    """The task page. A 公文's step is not claimed first (签收 is receiving a document, not taking
    a step): whoever holds the step's role answers it and the document's action claims it; the page
    shows the document's status, not the task's."""
    subject = task_subject(task)
    document = subject.kind == "document"
    open_to_me = task.status == WorkTask.Status.OPEN and can_work_on(request.user, task)
    mine = (task.status == WorkTask.Status.CLAIMED and task.claimed_by_id == request.user.pk) or (
        document and open_to_me)
    if form is None and mine:
        form = TaskAnswerForm(task=task)
    return render(request, "casework/task.html", {
        "task": task,
        "instance": task.instance,
        "subject": subject,
        "subject_status": task.instance.subject.get_status_display() if document else "",
        "form": form if mine else None,
        "can_claim": open_to_me and not document and not waits_outside(task),
        "can_release": mine and task.status == WorkTask.Status.CLAIMED,
        "history": task.instance.tasks.select_related("candidate_organization", "completed_by").order_by("pk"),
        "diagram": diagram_context(task.instance),
    }, status=status)


@staff_required
def task_detail(request, task_id: int):
    """A task: its subject (title, number, link), deadline, the answer form once claimed, the
    steps so far and the diagram. A case's steps are taken on its case page: it goes there."""
    task = _task_or_404(request, task_id)
    subject = task_subject(task)
    if subject.kind == "case":
        return redirect(subject.url)
    if subject.step_url:
        return redirect(subject.step_url)
    return _detail(request, task)


@staff_required
@require_POST
def task_claim(request, task_id: int):
    task = _task_or_404(request, task_id)
    try:
        task_claim_checked(actor=request.user, task=task)
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
    return redirect("casework:inbox")


@staff_required
@require_POST
def task_complete(request, task_id: int):
    """Complete the task with the posted answer by its subject's own action (``dispatch``)."""
    task = _task_or_404(request, task_id)
    step_url = task_subject(task).step_url
    if step_url:  # confirmed on the subject's own page (the seal chosen, the number shown), never bare
        return redirect(step_url)

    def again(form, status):
        task.refresh_from_db()
        return _detail(request, task, form=form, status=status)

    def run(data):
        return task_complete_as_subject(actor=request.user, task=task, data=form.answer(),
                                        mfa_verified=request.user.is_verified())

    form = TaskAnswerForm(request.POST, task=task)
    return step_post(request, form=form, run=run, done=_("Step %(step)s is done.") % {"step": task.local_name},
                     next_url=reverse("casework:inbox"), again=again)
