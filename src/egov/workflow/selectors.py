"""Reads of workflow: the working-day calendar, inboxes, tasks and where a case stands."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import workdays
from egov.core.errors import Conflict, NotFound
from egov.orgs.models import RoleAssignment
from egov.workflow.models import CalendarDay, CalendarYear, ProcessDefinition, ProcessInstance, WorkTask
from egov.workflow.permissions import can_see_task

DUE_SOON_DAYS = 3  # amber at ≤ 3 working days left (issue 12: the clerk's inbox)


_calendar_cache: tuple[tuple, workdays.WorkCalendar] | None = None


def work_calendar() -> workdays.WorkCalendar:
    """The working-day calendar as the operators' table holds it now.

    Each process keeps the last calendar it read with a stamp of the tables (number of years and
    days, newest day id, latest change of a year: ``calendar_actions`` touches the year on every
    edit: an import, a day set or cleared, also from the admin) and reads the days again only when
    the stamp moved: one query of four aggregates instead of the ~800 rows of 2004–2026 on every
    deadline. The stamp lives in the tables themselves, so a change made by any process (a web
    worker, ``egov calendar import``) is seen by every other at its next deadline, within the
    transaction that sees the change; no cache server or signal is needed.
    """
    global _calendar_cache
    stamp = _calendar_stamp()
    cached = _calendar_cache
    if cached is not None and cached[0] == stamp:
        return cached[1]
    off, extra = set(), set()
    for day, is_off_day in CalendarDay.objects.values_list("date", "is_off_day"):
        (off if is_off_day else extra).add(day)
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    calendar = workdays.WorkCalendar(off_days=frozenset(off), extra_working_days=frozenset(extra), known_years=years)
    _calendar_cache = (stamp, calendar)
    return calendar


def _calendar_stamp() -> tuple:
    """``(years, latest change of a year, days, newest day id)`` in one round trip."""
    year, day = (connection.ops.quote_name(model._meta.db_table) for model in (CalendarYear, CalendarDay))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM {year}), (SELECT MAX(updated_at) FROM {year}), "
                       f"(SELECT COUNT(*) FROM {day}), (SELECT MAX(id) FROM {day})")
        return tuple(cursor.fetchone())


def working_days_add(*, start: date, days: int, calendar: workdays.WorkCalendar | None = None) -> date:
    """``egov.core.workdays.working_days_add`` over the stored calendar."""
    return workdays.working_days_add(start, days, calendar=calendar or work_calendar())


def working_days_between(*, start: date, end: date, calendar: workdays.WorkCalendar | None = None) -> int:
    """``egov.core.workdays.working_days_between`` over the stored calendar."""
    return workdays.working_days_between(start, end, calendar=calendar or work_calendar())


def calendar_years_missing(*, today: date | None = None) -> list[int]:
    """Years that cases need and whose holiday schedule is not loaded, oldest first.

    Needed: this year, next year, and the years of the deadlines of running cases and open tasks.
    Shown to operators on the staff home page until they load the year.
    """
    today = today or timezone.localdate()
    needed = {today.year, today.year + 1}
    needed.update(d.year for d in WorkTask.objects.filter(
        status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED], due_date__isnull=False
    ).values_list("due_date", flat=True).distinct())
    needed.update(d.year for d in ProcessInstance.objects.filter(
        status=ProcessInstance.Status.RUNNING, due_date__isnull=False
    ).values_list("due_date", flat=True).distinct())
    known = set(CalendarYear.objects.filter(year__in=needed).values_list("year", flat=True))
    return sorted(needed - known)


def process_definition_latest(*, key: str) -> ProcessDefinition:
    """The newest version of definition ``key``.

    Raises:
        NotFound: no definition has this key.
    """
    definition = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
    if definition is None:
        raise NotFound(_("No process definition %(key)s.") % {"key": key}, extra={"field": "definition_key"})
    return definition


@dataclass(frozen=True)
class InboxRow:
    """One line of the 待办 list: the task, working days left (None: no deadline) and its urgency:
    ``overdue`` (red), ``due_soon`` (amber, ≤ ``DUE_SOON_DAYS`` working days), ``on_time`` (green), ``paused``
    or ``none``."""

    task: WorkTask
    days_left: int | None
    urgency: str

    @property
    def overdue_days(self) -> int:
        """Working days past the deadline (0 unless overdue)."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def urgency_of(days_left: int | None, *, paused: bool) -> str:
    """The badge of a task with ``days_left`` working days left."""
    if paused:
        return "paused"
    if days_left is None:
        return "none"
    if days_left < 0:
        return "overdue"
    if days_left <= DUE_SOON_DAYS:
        return "due_soon"
    return "on_time"


def _candidate_filter(user) -> Q:
    pairs = RoleAssignment.objects.filter(membership__user=user).values_list("membership__organization_id", "role")
    condition = Q(pk__in=[])
    for organization_id, role in pairs:
        condition |= Q(candidate_organization_id=organization_id, candidate_role=role)
    return condition


def task_sole_holder(*, task: WorkTask):
    """The one active person who may take ``task`` (holding its role through a membership of its
    organization itself, as the inbox finds them), or None when nobody or several people do."""
    users = list(RoleAssignment.objects.filter(
        membership__organization_id=task.candidate_organization_id, role=task.candidate_role,
        membership__user__is_active=True).values_list("membership__user", flat=True).distinct()[:2])
    return get_user_model().objects.get(pk=users[0]) if len(users) == 1 else None


def task_taker_name(*, task: WorkTask) -> str:
    """Who will take ``task``, as the message after a step names them: the person who claimed it,
    else the one person who may take it (``task_sole_holder``), else (nobody or several may) the
    organization it waits in, in the active language."""
    if task.claimed_by_id:
        return task.claimed_by.name
    holder = task_sole_holder(task=task)
    return holder.name if holder is not None else task.candidate_organization.local_name


def inbox_todo(*, user, today: date | None = None) -> list[InboxRow]:
    """待办: open tasks ``user`` may claim and tasks claimed by ``user``; least working time left
    first (overdue first, paused and undated last)."""
    today = today or timezone.localdate()
    tasks = (
        WorkTask.objects.filter(
            Q(status=WorkTask.Status.OPEN) & _candidate_filter(user)
            | Q(status=WorkTask.Status.CLAIMED, claimed_by=user)
        )
        .select_related("instance__definition", "candidate_organization", "claimed_by")
        .order_by("due_date", "created_at")
    )
    calendar = work_calendar()
    rows = []
    for task in tasks:
        left = None if task.due_date is None else workdays.working_days_between(today, task.due_date,
                                                                                calendar=calendar)
        rows.append(InboxRow(task=task, days_left=left, urgency=urgency_of(left, paused=task.clock_paused)))
    rows.sort(key=lambda row: (row.days_left is None or row.task.clock_paused, row.days_left or 0,
                               row.task.created_at))
    return rows


def inbox_done(*, user) -> QuerySet[WorkTask]:
    """已办: tasks ``user`` completed, newest first."""
    return (WorkTask.objects.filter(status=WorkTask.Status.COMPLETED, completed_by=user)
            .select_related("instance__definition", "candidate_organization").order_by("-completed_at"))


def task_get(*, user, task_id: int) -> WorkTask:
    """The task ``task_id`` if ``user`` may see it.

    Raises:
        NotFound: no such task, or the user is outside its organization (not told it exists).
    """
    task = (WorkTask.objects.select_related("instance__definition", "instance__owner", "candidate_organization",
                                            "claimed_by", "completed_by").filter(pk=task_id).first())
    if task is None or not can_see_task(user, task):
        raise NotFound(_("No such task."))
    return task


def instance_active_tasks(*, instance: ProcessInstance) -> list[WorkTask]:
    """The open and claimed tasks of a case: where it stands now."""
    return list(instance.tasks.filter(status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED])
                .select_related("candidate_organization").order_by("pk"))


def instance_task_at(*, instance: ProcessInstance, bpmn_id: str) -> WorkTask:
    """The active task of ``instance`` at step ``bpmn_id`` (the first, for a joint review).

    Raises:
        Conflict: the case is not at that step; the message names where it is (e.g. deciding a case
            that is still at 受理).
    """
    active = instance_active_tasks(instance=instance)
    for task in active:
        if task.bpmn_id == bpmn_id:
            return task
    where = ", ".join(f"{task.name} ({task.bpmn_id})" for task in active) or instance.get_status_display()
    raise Conflict(_("The case is at %(where)s, not at step %(step)s.") % {"where": where, "step": bpmn_id},
                   extra={"state": [task.bpmn_id for task in active] or instance.status, "step": bpmn_id})


def instances_for_subject(*, subject) -> QuerySet[ProcessInstance]:
    """The processes run for ``subject`` (any model instance), newest first."""
    return ProcessInstance.objects.filter(subject_type=ContentType.objects.get_for_model(subject),
                                          subject_id=str(subject.pk)).order_by("-started_at")


def instance_pauses(*, instance: ProcessInstance) -> list:
    """The clock pauses of a case (``ClockPause``), oldest first; the last may still be open."""
    return list(instance.pauses.order_by("started_on", "pk"))
