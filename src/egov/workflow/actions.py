"""Writes of workflow: definitions, process instances, inbox tasks, case clocks. Atomic and audited.

Task moves are one table (``TASK_MOVES``): a move from any other state is refused with the state
named. Completing a task advances SpiffWorkflow, opens the next tasks and stores the state with the
case, all in one transaction; the case row is locked first so that the organizations of a joint
review answering at the same moment are applied one after the other.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import audit_record
from egov.core import workdays
from egov.core.actors import SYSTEM
from egov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from egov.orgs.models import Organization
from egov.orgs.permissions import require_operator
from egov.workflow import engine
from egov.workflow.expressions import ExpressionFailed, ExpressionRefused, expression_evaluate
from egov.workflow.models import ClockPause, ProcessDefinition, ProcessInstance, WorkTask
from egov.workflow.permissions import require_candidate, require_owner_member
from egov.workflow.selectors import process_definition_latest, work_calendar

# move → (states it may start from, state it leads to)
TASK_MOVES = {
    "claim": ({WorkTask.Status.OPEN}, WorkTask.Status.CLAIMED),
    "release": ({WorkTask.Status.CLAIMED}, WorkTask.Status.OPEN),
    "complete": ({WorkTask.Status.CLAIMED}, WorkTask.Status.COMPLETED),
    "cancel": ({WorkTask.Status.OPEN, WorkTask.Status.CLAIMED}, WorkTask.Status.CANCELLED),
}
MAX_DATA_BYTES = 64_000


def _move(task: WorkTask, move: str) -> str:
    allowed, target = TASK_MOVES[move]
    if task.status not in allowed:
        raise Conflict(
            _("The step %(step)s is %(state)s; it cannot be %(move)s.")
            % {"step": task.name, "state": task.get_status_display(), "move": move},
            extra={"state": task.status, "move": move},
        )
    previous = task.status
    task.status = target
    return previous


# Definitions --------------------------------------------------------------------------------------


@transaction.atomic
def process_definition_upload(*, actor, bpmn_xml: str | bytes, name: str = "") -> ProcessDefinition:
    """Store a new version of a BPMN 2.0 definition (its key is the executable process's id).

    Args:
        actor: an operator of a root organization, or None for the platform.
        bpmn_xml: the ``.bpmn`` file (see ``engine.definition_parse`` for what is accepted).
        name: shown to staff; default the process's ``name`` attribute.

    Returns:
        The new ``ProcessDefinition``, version 1 or one above the key's latest.

    Raises:
        PermissionDenied: the actor is not a platform operator.
        ValidationFailed: the file is refused (``extra["rule"]``: ``xml``, ``element``,
            ``expression`` naming the expression, ``property``, ``schema``, ``process``, ``size``).
        Conflict: the file is identical to the key's latest version.
    """
    require_operator(actor, None)
    parsed = engine.definition_parse(bpmn_xml)
    text = bpmn_xml.decode("utf-8") if isinstance(bpmn_xml, bytes) else bpmn_xml
    latest = ProcessDefinition.objects.select_for_update().filter(key=parsed.key).order_by("-version").first()
    if latest is not None and latest.checksum == parsed.checksum:
        raise Conflict(_("This file is identical to version %(version)d of %(key)s.")
                       % {"version": latest.version, "key": parsed.key},
                       extra={"field": "bpmn_xml", "rule": "unchanged", "version": latest.version})
    try:
        with transaction.atomic():
            definition = ProcessDefinition.objects.create(
                key=parsed.key, version=(latest.version + 1) if latest else 1, name=(name.strip() or parsed.name)[:200],
                bpmn_xml=text, checksum=parsed.checksum, uploaded_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("Another version of %(key)s was uploaded meanwhile; try again.") % {"key": parsed.key},
                       extra={"field": "bpmn_xml", "rule": "concurrent_upload"}) from None
    audit_record(action="workflow.process_definition.upload", actor=actor, obj=definition,
                 summary=f"{definition.key} v{definition.version} uploaded",
                 changes={"key": definition.key, "version": definition.version, "checksum": definition.checksum,
                          "user_tasks": sorted(parsed.user_tasks)})
    return definition


def shipped_process_files() -> list[Path]:
    """The shipped definitions: ``processes/*.bpmn`` of every installed app in ``INSTALLED_APPS``
    order (the service hall's ``services/processes/standard_permit.bpmn``, the 公文's
    ``documents/processes/outgoing_document.bpmn``), so that an app ships its processes without
    workflow knowing it."""
    files = []
    for config in apps.get_app_configs():
        folder = Path(config.path) / "processes"
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.bpmn")))
    return files


def process_definitions_install_shipped(*, actor=SYSTEM) -> list[ProcessDefinition]:
    """Upload each shipped definition (``shipped_process_files``) whose latest stored version
    differs from the file; return the versions created (empty when all are current)."""
    created = []
    for path in shipped_process_files():
        try:
            created.append(process_definition_upload(actor=actor, bpmn_xml=path.read_bytes()))
        except Conflict as conflict:
            if conflict.extra.get("rule") != "unchanged":
                raise
    return created


# Instances ----------------------------------------------------------------------------------------


def _check_data(data: Any, field: str = "data") -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationFailed(_("Case data must be an object of names and values."),
                               extra={"field": field, "rule": "object"})
    for key in data:
        if not isinstance(key, str) or not engine._IDENTIFIER.match(key) or key in engine.RESERVED_DATA:
            raise ValidationFailed(_("%(key)s is not allowed as a data name.") % {"key": key},
                                   extra={"field": field, "rule": "name", "name": str(key)})
    try:
        encoded = json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Case data must be plain JSON (text, numbers, true/false, lists, objects)."),
                               extra={"field": field, "rule": "json"}) from None
    if len(encoded) > MAX_DATA_BYTES:
        raise ValidationFailed(_("Case data is larger than %(n)d bytes.") % {"n": MAX_DATA_BYTES},
                               extra={"field": field, "rule": "size"})
    return json.loads(encoded)


def process_start(
    *, actor, subject, definition_key: str, owner: Organization, data: dict[str, Any] | None = None,
    due_date: date | None = None, version: int | None = None, audit: bool = True,
) -> ProcessInstance:
    """Start the latest version (or ``version``) of ``definition_key`` for ``subject``.

    Args:
        actor: a staff member holding a role in ``owner``, or None for the platform (the services
            app starts a case for an applicant's online submission and audits the applicant itself).
        subject: the saved model instance the process is about (an application, a document…).
        owner: the organization handling the case; the data name ``owner_organization`` is set to its id.
        data: the initial case data: JSON, names of letters, digits and ``_``.
        due_date: the case deadline (e.g. from the service item's promised time limit), or None.
        audit: False when the caller's own audit event carries the start (the service hall's
            ``services.application.submit`` has ``changes["process"]`` = ``instance.start_facts``);
            True records ``workflow.process.start`` with the same facts.

    Returns:
        The running instance with its first tasks open; ``instance.start_facts`` (not stored) is
        ``{"definition", "subject_type", "subject_id", "due_date", "opened"}`` as audited.

    Raises:
        PermissionDenied: the actor holds no role in ``owner``.
        NotFound: no such definition or version.
        ValidationFailed: the data is not acceptable, or the definition cannot start with it.

    The instance row is written once, with its state (one ``INSERT``), and its first tasks with one
    more (``bulk_create``), unless the process ends or stops its clock at once (then as any move).
    """
    require_owner_member(actor, owner)
    if getattr(subject, "pk", None) is None:
        raise ValidationFailed(_("The case must be saved before its process starts."),
                               extra={"field": "subject", "rule": "unsaved"})
    if version is None:
        definition = process_definition_latest(key=definition_key)
    else:
        definition = ProcessDefinition.objects.filter(key=definition_key, version=version).first()
        if definition is None:
            raise NotFound(_("No version %(version)d of %(key)s.") % {"version": version, "key": definition_key},
                           extra={"field": "version"})
    data = {**_check_data(data), "owner_organization": owner.pk}
    parsed = engine.definition_parse(definition.bpmn_xml)
    try:
        workflow = engine.workflow_new(parsed, data)
    except engine.EngineError as exc:
        raise ValidationFailed(str(exc), extra={"field": "data", "rule": "process"}) from None
    instance = ProcessInstance(
        definition=definition, subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk),
        owner=owner, state="", data=data, due_date=due_date, started_by=actor,
    )
    ready = engine.ready_user_tasks(workflow)
    if workflow.is_completed() or any(engine.task_properties(task).get("pauses_clock") for task in ready):
        with transaction.atomic():  # as any move: tasks opened one by one, the clock stopped, the state stored
            instance.save(force_insert=True)
            opened = _open_ready_tasks(instance, workflow)
            _store(instance, workflow)
            _started(instance, definition, opened, actor=actor, audit=audit)
        return instance
    # Everything that can be refused (a task's organization) is worked out before the first write, so
    # the writes need no savepoint of their own: they join the caller's transaction (or make one).
    calendar = _calendar_for(ready)
    opened = [_task_new(instance, task, owner=owner, calendar=calendar) for task in ready]
    instance.state = engine.workflow_dump(workflow)
    with transaction.atomic(savepoint=False):
        instance.save(force_insert=True)
        WorkTask.objects.bulk_create(opened)
        _started(instance, definition, opened, actor=actor, audit=audit)
    return instance


def _started(instance: ProcessInstance, definition: ProcessDefinition, opened: list[WorkTask], *, actor,
             audit: bool) -> None:
    """Set ``instance.start_facts`` and, with ``audit``, record ``workflow.process.start`` with them."""
    instance.start_facts = {"definition": definition.pk, "subject_type": instance.subject_type.model,
                            "subject_id": instance.subject_id,
                            "due_date": instance.due_date.isoformat() if instance.due_date else None,
                            "opened": [task.bpmn_id for task in opened]}
    if audit:
        audit_record(action="workflow.process.start", actor=actor, organization=instance.owner, obj=instance,
                     summary=f"{definition.key} v{definition.version} started for {instance.subject_type.model} "
                             f"{instance.subject_id}", changes=instance.start_facts)


def _store(instance: ProcessInstance, workflow) -> None:
    instance.state = engine.workflow_dump(workflow)
    if workflow.is_completed() and instance.status == ProcessInstance.Status.RUNNING:
        instance.status = ProcessInstance.Status.COMPLETED
        instance.outcome = engine.workflow_outcome(workflow)
        instance.ended_at = timezone.now()
        instance.data = _check_data({k: v for k, v in workflow.data.items() if k not in engine.RESERVED_DATA})
        instance.data["owner_organization"] = instance.owner_id
        if instance.paused_since is not None:
            _clock_resume(instance, on=timezone.localdate())
    instance.save()


def _candidate_organization(spiff_task, properties: dict[str, str], *, owner: Organization | None = None
                            ) -> Organization:
    expression = properties.get("organization", "owner_organization")
    if owner is not None and owner.is_active and expression == "owner_organization" \
            and spiff_task.data.get("owner_organization") == owner.pk:
        return owner
    try:
        value = expression_evaluate(expression, spiff_task.data)
    except (ExpressionFailed, ExpressionRefused) as exc:
        raise ValidationFailed(_("The organization of step %(step)s cannot be worked out: %(reason)s.")
                               % {"step": spiff_task.task_spec.bpmn_name, "reason": exc},
                               extra={"field": "data", "rule": "organization", "expression": expression}) from None
    is_id = isinstance(value, int) and not isinstance(value, bool)
    organization = Organization.objects.filter(pk=value, is_active=True).first() if is_id else None
    if organization is None:
        raise ValidationFailed(_("Step %(step)s: «%(expression)s» gives %(value)r, not an active organization.")
                               % {"step": spiff_task.task_spec.bpmn_name, "expression": expression, "value": value},
                               extra={"field": "data", "rule": "organization", "expression": expression})
    return organization


def _open_ready_tasks(instance: ProcessInstance, workflow) -> list[WorkTask]:
    """Create the inbox tasks for ready user tasks that have none yet; stop the clock where asked."""
    known = set(instance.tasks.values_list("spiff_task_id", flat=True))
    today = timezone.localdate()
    ready = [spiff_task for spiff_task in engine.ready_user_tasks(workflow) if spiff_task.id not in known]
    calendar = _calendar_for(ready)
    opened = []
    for spiff_task in ready:
        task = _task_new(instance, spiff_task, today=today, calendar=calendar)
        task.save(force_insert=True)
        opened.append(task)
        if task.properties.get("pauses_clock") and instance.paused_since is None:
            _clock_pause(instance, reason=task.properties["pauses_clock"], on=today)
    return opened


def _calendar_for(ready: list) -> workdays.WorkCalendar | None:
    """The working-day calendar when one of the ``ready`` tasks has a time limit, else None (not read)."""
    return work_calendar() if any(engine.task_properties(task).get("time_limit") for task in ready) else None


def _task_new(instance: ProcessInstance, spiff_task, *, today: date | None = None,
              owner: Organization | None = None, calendar: workdays.WorkCalendar | None = None) -> WorkTask:
    """The inbox task (unsaved) of the ready user task ``spiff_task``: its candidates and its due
    date (``time_limit`` working days from ``today``, never after the case's deadline when bound
    by it). ``owner``: the instance's organization, already loaded (saves reading it again when the
    task's organization is the owner's)."""
    today = today or timezone.localdate()
    properties = engine.task_properties(spiff_task)
    due = None
    if properties.get("time_limit"):
        due = workdays.working_days_add(today, int(properties["time_limit"]), calendar=calendar or work_calendar())
        if instance.due_date is not None and engine.bound_by_case_deadline(properties):
            due = min(due, instance.due_date)  # a step never ends after the case must be decided
    return WorkTask(
        instance=instance, spiff_task_id=spiff_task.id, bpmn_id=spiff_task.task_spec.bpmn_id,
        name=spiff_task.task_spec.bpmn_name or spiff_task.task_spec.bpmn_id, properties=properties,
        candidate_organization=_candidate_organization(spiff_task, properties, owner=owner),
        candidate_role=properties["role"], due_date=due,
    )


# Tasks --------------------------------------------------------------------------------------------


def _locked_task(task: WorkTask) -> WorkTask:
    return WorkTask.objects.select_for_update().select_related("candidate_organization", "instance").get(pk=task.pk)


@transaction.atomic
def task_claim(*, actor, task: WorkTask) -> WorkTask:
    """Take an open task (认领): it leaves the others' 待办 and stays in the actor's.

    Raises:
        NotFound: the actor is outside the candidate organization.
        PermissionDenied: a member without the candidate role.
        Conflict: the task is not open (the message names its state).
    """
    require_candidate(actor, task)
    task = _locked_task(task)
    previous = _move(task, "claim")
    task.claimed_by, task.claimed_at = actor, timezone.now()
    task.save(update_fields=["status", "claimed_by", "claimed_at"])
    audit_record(action="workflow.task.claim", actor=actor, organization=task.candidate_organization, obj=task,
                 summary=f"{task.name} claimed", changes={"status": [previous, task.status]})
    return task


@transaction.atomic
def task_release(*, actor, task: WorkTask) -> WorkTask:
    """Give a claimed task back to the organization's 待办.

    Raises:
        NotFound, PermissionDenied: as ``task_claim``; PermissionDenied also when another person claimed it.
        Conflict: the task is not claimed.
    """
    require_candidate(actor, task)
    task = _locked_task(task)
    if task.status == WorkTask.Status.CLAIMED and task.claimed_by_id != actor.pk:
        raise PermissionDenied(_("Another person has claimed this step."), extra={"state": task.status})
    previous = _move(task, "release")
    task.claimed_by, task.claimed_at = None, None
    task.save(update_fields=["status", "claimed_by", "claimed_at"])
    audit_record(action="workflow.task.release", actor=actor, organization=task.candidate_organization, obj=task,
                 summary=f"{task.name} released", changes={"status": [previous, task.status]})
    return task


def _check_answer(task: WorkTask, data: dict[str, Any]) -> dict[str, Any]:
    data = _check_data(data)
    field = task.properties.get("decision_field")
    if field:
        codes = [code for code, _label in engine.decision_options(task.properties)]
        if data.get(field) not in codes:
            raise ValidationFailed(_("Choose one of: %(options)s.") % {"options": ", ".join(codes)},
                                   extra={"field": field, "rule": "choice", "options": codes})
    field = task.properties.get("organizations_field")
    if field:
        ids = data.setdefault(field, [])
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ValidationFailed(_("A list of organization ids is expected."),
                                   extra={"field": field, "rule": "organization_ids"})
        if len(set(ids)) != len(ids) or Organization.objects.filter(pk__in=ids, is_active=True).count() != len(ids):
            raise ValidationFailed(_("Each organization must exist, be active and be named once."),
                                   extra={"field": field, "rule": "organization_ids"})
    return data


@transaction.atomic
def task_complete(*, actor, task: WorkTask, data: dict[str, Any] | None = None) -> WorkTask:
    """Answer a claimed task (办理): advance the process, open the next tasks, store the state.

    Args:
        actor: the staff member who claimed the task.
        data: the answer, JSON with names of letters, digits and ``_``; it must set the task's
            ``decision_field`` to one of its codes and may set its ``organizations_field`` to a
            list of organization ids. It joins the case data that conditions see.

    Returns:
        The completed task. ``task.instance`` is the case, completed when the process ended.

    Raises:
        NotFound, PermissionDenied: as ``task_claim``; PermissionDenied also when another person claimed it.
        Conflict: the task is not claimed (e.g. still open, or completed already), or the process
            no longer waits for it.
        ValidationFailed: a missing or unknown decision, bad organization ids, or data with which
            the process cannot go on (a condition fails).
    """
    require_candidate(actor, task)
    instance = ProcessInstance.objects.select_for_update().get(pk=task.instance_id)
    task = _locked_task(task)
    if task.status == WorkTask.Status.CLAIMED and task.claimed_by_id != actor.pk:
        raise PermissionDenied(_("Another person has claimed this step."), extra={"state": task.status})
    _move(task, "complete")
    answer = _check_answer(task, data or {})
    workflow = engine.workflow_load(instance.state)
    spiff_task = workflow.get_task_from_id(task.spiff_task_id)
    if spiff_task is None or spiff_task not in engine.ready_user_tasks(workflow):
        raise Conflict(_("The process no longer waits for %(step)s.") % {"step": task.name},
                       extra={"state": instance.status})
    try:
        engine.workflow_complete_task(workflow, spiff_task, answer)
    except engine.EngineError as exc:
        raise ValidationFailed(_("The process cannot go on with this answer: %(reason)s") % {"reason": exc},
                               extra={"field": "data", "rule": "process"}) from None
    task.completed_by, task.completed_at, task.completed_data = actor, timezone.now(), answer
    task.clock_paused = False
    task.save()
    instance.data = {**instance.data, **answer}
    if task.properties.get("pauses_clock") and instance.paused_since is not None:
        _clock_resume(instance, on=timezone.localdate())
    opened = _open_ready_tasks(instance, workflow)
    _store(instance, workflow)
    if instance.status != ProcessInstance.Status.RUNNING:
        _cancel_active_tasks(instance)
    decision_field = task.properties.get("decision_field")
    audit_record(action="workflow.task.complete", actor=actor, organization=task.candidate_organization, obj=task,
                 summary=f"{task.name} completed" + (f": {answer[decision_field]}" if decision_field else ""),
                 changes={"status": ["claimed", "completed"], "fields": sorted(answer),
                          "decision": answer.get(decision_field) if decision_field else None,
                          "opened": [t.bpmn_id for t in opened], "process_status": instance.status,
                          "outcome": instance.outcome})
    return task


def _cancel_active_tasks(instance: ProcessInstance) -> list[WorkTask]:
    cancelled = list(instance.tasks.select_for_update().filter(
        status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED]))
    for task in cancelled:
        _move(task, "cancel")
        task.save(update_fields=["status"])
    return cancelled


@transaction.atomic
def process_cancel(*, actor, instance: ProcessInstance, reason: str) -> ProcessInstance:
    """End a running case early (撤回 by the applicant, 终止): its open tasks are cancelled.

    Raises:
        PermissionDenied: the actor holds no role in the handling organization.
        ValidationFailed: no reason given.
        Conflict: the case is not running.
    """
    require_owner_member(actor, instance.owner)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason."), extra={"field": "reason", "rule": "required"})
    instance = ProcessInstance.objects.select_for_update().get(pk=instance.pk)
    if instance.status != ProcessInstance.Status.RUNNING:
        raise Conflict(_("The case is %(state)s; it cannot be cancelled.") % {"state": instance.get_status_display()},
                       extra={"state": instance.status})
    workflow = engine.workflow_load(instance.state)
    workflow.cancel()
    cancelled = _cancel_active_tasks(instance)
    if instance.paused_since is not None:
        _clock_resume(instance, on=timezone.localdate())
    instance.state = engine.workflow_dump(workflow)
    instance.status, instance.ended_at = ProcessInstance.Status.CANCELLED, timezone.now()
    instance.save()
    audit_record(action="workflow.process.cancel", actor=actor, organization=instance.owner, obj=instance,
                 summary=f"cancelled: {reason[:200]}",
                 changes={"status": ["running", "cancelled"], "tasks_cancelled": [t.pk for t in cancelled]})
    return instance


# Case clocks (补正, 特别程序) ------------------------------------------------------------------------


def _clock_pause(instance: ProcessInstance, *, reason: str, on: date) -> ClockPause:
    pause = ClockPause.objects.create(instance=instance, reason=reason, started_on=on)
    instance.paused_since = on
    instance.save(update_fields=["paused_since"])
    instance.tasks.filter(status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED]).update(clock_paused=True)
    return pause


def _clock_resume(instance: ProcessInstance, *, on: date) -> ClockPause:
    pause = ClockPause.objects.select_for_update().get(instance=instance, ended_on__isnull=True)
    calendar = work_calendar()
    pause.ended_on = on
    pause.working_days = workdays.working_days_between(pause.started_on, on, calendar=calendar)
    pause.save(update_fields=["ended_on", "working_days"])
    if instance.due_date is not None:
        instance.due_date = workdays.working_days_add(instance.due_date, pause.working_days, calendar=calendar)
    instance.paused_since = None
    instance.save(update_fields=["due_date", "paused_since"])
    for task in instance.tasks.filter(clock_paused=True):
        if task.due_date is not None:
            task.due_date = workdays.working_days_add(task.due_date, pause.working_days, calendar=calendar)
        task.clock_paused = False
        task.save(update_fields=["due_date", "clock_paused"])
    return pause


def _check_clock_date(on: date | None, field: str = "on") -> date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationFailed(_("The date cannot be in the future."), extra={"field": field, "rule": "future"})
    return on


@transaction.atomic
def instance_clock_pause(*, actor, instance: ProcessInstance, reason: str, on: date | None = None) -> ClockPause:
    """Stop the case clock on ``on`` (default today): the case deadline and the deadlines of its
    open tasks do not run until ``instance_clock_resume`` (行政许可法 §45; 补正).

    Raises:
        PermissionDenied: the actor holds no role in the handling organization.
        ValidationFailed: an unknown reason (``ClockPause.Reason``) or a date in the future.
        Conflict: the case is not running, or its clock is stopped already.
    """
    require_owner_member(actor, instance.owner)
    if reason not in ClockPause.Reason.values:
        raise ValidationFailed(_("Unknown reason %(reason)s.") % {"reason": reason},
                               extra={"field": "reason", "rule": "choice", "options": ClockPause.Reason.values})
    on = _check_clock_date(on)
    instance = ProcessInstance.objects.select_for_update().get(pk=instance.pk)
    if instance.status != ProcessInstance.Status.RUNNING or instance.paused_since is not None:
        state = "paused" if instance.paused_since else instance.status
        raise Conflict(_("The case clock cannot stop: the case is %(state)s.") % {"state": state},
                       extra={"state": state})
    pause = _clock_pause(instance, reason=reason, on=on)
    audit_record(action="workflow.clock.pause", actor=actor, organization=instance.owner, obj=instance,
                 summary=f"clock stopped ({reason}) on {on.isoformat()}",
                 changes={"reason": reason, "on": on.isoformat()})
    return pause


@transaction.atomic
def instance_clock_resume(*, actor, instance: ProcessInstance, on: date | None = None) -> ClockPause:
    """Restart the case clock on ``on`` (default today); the deadlines move later by the working days
    ``d`` with start < d ≤ ``on`` (``core.workdays.deadline_after_pause``).

    Raises:
        PermissionDenied: the actor holds no role in the handling organization.
        ValidationFailed: a date in the future or before the pause began.
        Conflict: the clock is not stopped.
    """
    require_owner_member(actor, instance.owner)
    on = _check_clock_date(on)
    instance = ProcessInstance.objects.select_for_update().get(pk=instance.pk)
    if instance.paused_since is None:
        raise Conflict(_("The case clock is running."), extra={"state": "running"})
    if on < instance.paused_since:
        raise ValidationFailed(_("The clock cannot restart before it stopped (%(date)s).")
                               % {"date": instance.paused_since.isoformat()}, extra={"field": "on", "rule": "order"})
    pause = _clock_resume(instance, on=on)
    audit_record(action="workflow.clock.resume", actor=actor, organization=instance.owner, obj=instance,
                 summary=f"clock restarted on {on.isoformat()}, {pause.working_days} working days not counted",
                 changes={"on": on.isoformat(), "working_days": pause.working_days,
                          "due_date": instance.due_date.isoformat() if instance.due_date else None})
    return pause


@transaction.atomic
def instance_deadline_set(*, actor, instance: ProcessInstance, due_date: date) -> ProcessInstance:
    """Set the case deadline (e.g. at 受理, from the service item's time limit); later clock pauses
    move it as usual. Open steps due later are brought forward to it (``engine.bound_by_case_deadline``).

    Args:
        actor: staff holding a role in the handling organization, or None for the platform.

    Raises:
        PermissionDenied: the actor holds no role in the handling organization.
        Conflict: the case is not running.
    """
    require_owner_member(actor, instance.owner)
    instance = ProcessInstance.objects.select_for_update().get(pk=instance.pk)
    if instance.status != ProcessInstance.Status.RUNNING:
        raise Conflict(_("The case is %(state)s; its deadline cannot change.")
                       % {"state": instance.get_status_display()}, extra={"state": instance.status})
    before = instance.due_date
    instance.due_date = due_date
    instance.overdue_since = None
    instance.save(update_fields=["due_date", "overdue_since"])
    for task in instance.tasks.filter(status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED],
                                      due_date__gt=due_date):
        if engine.bound_by_case_deadline(task.properties):
            task.due_date = due_date  # the open steps end by the case deadline at the latest
            task.save(update_fields=["due_date"])
    audit_record(action="workflow.process.deadline", actor=actor, organization=instance.owner, obj=instance,
                 summary=f"deadline set to {due_date.isoformat()}",
                 changes={"due_date": [before.isoformat() if before else None, due_date.isoformat()]})
    return instance


@transaction.atomic
def tasks_mark_overdue(*, today: date | None = None) -> int:
    """Mark running cases and active tasks whose deadline has passed (due date before ``today``)
    and whose clock runs; each mark is audited once. Returns how many were marked."""
    today = today or timezone.localdate()
    now = timezone.now()
    marked = 0
    tasks = WorkTask.objects.select_for_update().filter(
        status__in=[WorkTask.Status.OPEN, WorkTask.Status.CLAIMED], clock_paused=False, due_date__lt=today,
        overdue_since__isnull=True)
    for task in tasks:
        task.overdue_since = now
        task.save(update_fields=["overdue_since"])
        audit_record(action="workflow.task.overdue", organization=task.candidate_organization, obj=task,
                     summary=f"{task.name} overdue (due {task.due_date.isoformat()})",
                     changes={"due_date": task.due_date.isoformat()})
        marked += 1
    instances = ProcessInstance.objects.select_for_update().filter(
        status=ProcessInstance.Status.RUNNING, paused_since__isnull=True, due_date__lt=today,
        overdue_since__isnull=True)
    for instance in instances:
        instance.overdue_since = now
        instance.save(update_fields=["overdue_since"])
        audit_record(action="workflow.process.overdue", organization=instance.owner, obj=instance,
                     summary=f"case overdue (due {instance.due_date.isoformat()})",
                     changes={"due_date": instance.due_date.isoformat()})
        marked += 1
    return marked
