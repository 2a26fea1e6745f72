"""The staff inbox (待办): every piece of work waiting for a staff member, of every kind, in one list.

Kinds: ``case`` (a step of an application, 办件), ``document`` (a step of an outgoing 公文),
``receipt`` (a 公文 delivered to one of the member's organizations, waiting for 签收 by a document
clerk there), ``sharing`` (a 共享申请 waiting for the decision of an organization the member is a
data steward or operator of, ``exchange.selectors.pending_decisions``), ``supervision`` (a 督办
item waiting for the owner's document clerks, or its 申请办结 waiting for the supervising
organization's) and ``task`` (a step of any other process). A row shows the subject (title,
number, applicant or sender), the step, the organization it waits in and the working days
left; the list is
sorted by working days left (overdue first; stopped clocks and rows without a deadline last).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.casework.dispatch import waits_outside
from egov.core import workdays
from egov.documents.models import OfficialDocument
from egov.documents.selectors import deliveries_to_sign_for
from egov.documents.supervision import supervision_items_waiting_for
from egov.exchange.selectors import pending_decisions
from egov.orgs.models import Organization
from egov.orgs.permissions import has_role
from egov.orgs.roles import Role
from egov.services.selectors import workbench_todo
from egov.workflow.models import WorkTask
from egov.workflow.selectors import inbox_todo, urgency_of, work_calendar

KINDS = {
    "case": gettext_lazy("Case (办件)"),
    "document": gettext_lazy("Document (公文)"),
    "receipt": gettext_lazy("To sign for (签收)"),
    "sharing": gettext_lazy("Sharing request (共享申请)"),
    "supervision": gettext_lazy("Supervision item (督办)"),
    "task": gettext_lazy("Other task"),
}
URGENCIES = {"overdue": gettext_lazy("Overdue"), "due_soon": gettext_lazy("Due soon")}


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox.

    ``kind`` one of ``KINDS``; ``title`` the subject's title (the service item, the document's
    title, the process's name); ``number`` its tracking number or 发文字号 (``""``: none yet);
    ``party`` the applicant or the sending organization; ``step`` the step's name; ``organization``
    where it waits; ``url`` the subject's page, ``step_url`` where the step is taken; ``days_left``
    working days to the deadline (negative: overdue; None: no deadline) and ``urgency`` as
    ``workflow.selectors.urgency_of``, or ``waiting`` for a case waiting for the applicant (补正);
    ``task`` the workflow task (None for a 签收); ``subject_id`` the case's primary key for a
    ``case`` row (its page names the applicant: ``casework.views.inbox`` audits the cases shown).
    """

    kind: str
    title: str
    number: str
    party: str
    step: str
    organization: Organization
    url: str
    step_url: str
    days_left: int | None
    urgency: str
    since: datetime
    task: WorkTask | None = None
    subject_id: int | None = None

    @property
    def overdue_days(self) -> int:
        """Working days past the deadline (0 unless overdue)."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def _sort_key(row: InboxRow):
    return (row.urgency in ("paused", "none", "waiting"), row.days_left or 0, row.since)


def inbox_rows(*, user, today: date | None = None) -> list[InboxRow]:
    """Everything waiting for ``user``, least working time left first.

    Tasks: those ``user`` may claim (a role of the task in its organization) or has claimed
    (``workflow.selectors.inbox_todo``); a case's time left is the smaller of the step's and the
    case's (``services.selectors.workbench_todo``). Receipts: issued documents delivered to an
    organization where ``user`` is a document clerk and not yet signed for there; their deadline is
    the delivery's ``receipt_due``. Supervision items: as ``_supervision_rows``.
    """
    today = today or timezone.localdate()
    calendar = work_calendar()
    tasks = inbox_todo(user=user, today=today)
    rows: list[InboxRow] = []
    cases = workbench_todo(user=user, today=today, rows=tasks)
    case_instances = {row.application.process_id for row in cases}
    for row in cases:
        application = row.application
        url = reverse("services_staff:case", args=[application.number])
        waiting = waits_outside(row.task)  # 补正: the applicant's turn, not a step to claim
        rows.append(InboxRow(kind="case", title=application.item.local_name, number=application.number,
                             party=application.applicant_name, step=row.task.local_name,
                             organization=row.task.candidate_organization, url=url, step_url=url,
                             days_left=None if waiting else row.days_left,
                             urgency="waiting" if waiting else row.urgency, since=row.task.created_at, task=row.task,
                             subject_id=application.pk))
    others = [row for row in tasks if row.task.instance_id not in case_instances]
    documents = _documents_of(others)
    for row in others:
        task = row.task
        task_url = reverse("workflow:task", args=[task.pk])
        document = documents.get(task.instance_id)
        if document is not None:
            rows.append(InboxRow(kind="document", title=document.title, number=str(document.number or ""),
                                 party=document.issuer.local_name, step=task.local_name,
                                 organization=task.candidate_organization,
                                 url=reverse("documents:detail", args=[document.pk]), step_url=task_url,
                                 days_left=row.days_left, urgency=row.urgency, since=task.created_at, task=task))
        else:
            rows.append(InboxRow(kind="task", title=task.instance.definition.local_name, number=f"#{task.instance_id}",
                                 party="", step=task.local_name, organization=task.candidate_organization, url=task_url,
                                 step_url=task_url, days_left=row.days_left, urgency=row.urgency,
                                 since=task.created_at, task=task))
    for recipient in deliveries_to_sign_for(actor=user):
        if not has_role(user, recipient.organization, Role.DOCUMENT_CLERK):
            continue
        document = recipient.document
        left = (None if recipient.receipt_due is None
                else workdays.working_days_between(today, recipient.receipt_due, calendar=calendar))
        url = reverse("documents:detail", args=[document.pk])
        rows.append(InboxRow(kind="receipt", title=document.title, number=str(document.number or ""),
                             party=document.issuer.local_name, step=_("Sign for (签收)"),
                             organization=recipient.organization, url=url, step_url=url, days_left=left,
                             urgency=urgency_of(left, paused=False), since=recipient.delivered_at))
    for request in pending_decisions(user=user):
        left = (None if request.decision_due_on is None
                else workdays.working_days_between(today, request.decision_due_on, calendar=calendar))
        url = reverse("exchange_sharing:request", args=[request.number])
        rows.append(InboxRow(kind="sharing", title=request.resource.local_name, number=request.number,
                             party=request.consumer.local_name, step=_("Decide on sharing"),
                             organization=request.provider, url=url, step_url=url, days_left=left,
                             urgency=urgency_of(left, paused=False), since=request.submitted_at))
    rows += _supervision_rows(user, today=today, calendar=calendar)
    rows.sort(key=_sort_key)
    return rows


def _supervision_rows(user, *, today: date, calendar) -> list[InboxRow]:
    """The 督办 items waiting for ``user`` (``documents.supervision.supervision_items_waiting_for``),
    due by their deadline."""
    steps = {"report": _("Handle and report (承办)"), "decide": _("Decide on completion (办结审核)")}
    rows = []
    for waiting in supervision_items_waiting_for(user=user):
        item = waiting.item
        left = workdays.working_days_between(today, item.deadline, calendar=calendar)
        url = reverse("documents:supervision", args=[item.pk])
        rows.append(InboxRow(kind="supervision", title=item.title, number="", party=item.supervisor.local_name,
                             step=str(steps[waiting.step]), organization=waiting.organization, url=url, step_url=url,
                             days_left=left, urgency=urgency_of(left, paused=False),
                             since=item.updated_at))
    return rows


def _documents_of(rows) -> dict[int, OfficialDocument]:
    """The documents whose outgoing process the tasks of ``rows`` belong to, by process id."""
    instances = {row.task.instance_id: row.task.instance for row in rows}
    by_pk = {int(instance.subject_id): pk for pk, instance in instances.items()
             if instance.subject_type.model_class() is OfficialDocument}
    documents = OfficialDocument.objects.filter(pk__in=list(by_pk)).select_related("issuer")
    return {by_pk[document.pk]: document for document in documents}


def inbox_filter(rows: list[InboxRow], *, kind: str = "", organization: int | None = None, step: str = "",
                 urgency: str = "") -> list[InboxRow]:
    """The rows of one ``kind``, waiting in one ``organization`` (id), at one ``step`` (its name), of
    one ``urgency`` (``overdue``, ``due_soon``)."""
    if kind:
        rows = [row for row in rows if row.kind == kind]
    if organization:
        rows = [row for row in rows if row.organization.pk == organization]
    if step:
        rows = [row for row in rows if row.step == step]
    if urgency:
        rows = [row for row in rows if row.urgency == urgency]
    return rows
