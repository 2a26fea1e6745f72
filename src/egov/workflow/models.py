"""Process definitions, running processes and their inbox tasks; the working-day calendar.

Dependencies: this app reads ``orgs`` (organizations, roles) and ``accounts`` (users) and knows
nothing of the apps whose cases it runs: a case owns its process through a generic relation
(``ProcessInstance.subject``).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.workflow import names


class ProcessDefinition(models.Model):
    """One version of a BPMN 2.0 process definition (流程定义), immutable once stored.

    ``key`` is the id of the BPMN ``process`` element (``standard_permit``); versions of a key are
    numbered 1, 2, 3… in upload order. ``checksum`` is SHA-256 (hex) of ``bpmn_xml`` as uploaded.
    """

    key = models.CharField(_("key"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    bpmn_xml = models.TextField(_("BPMN XML"))
    checksum = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="process_definition_key_version")]
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")

    def __str__(self) -> str:
        return f"{self.name} ({self.key} v{self.version})"

    @property
    def local_name(self) -> str:
        """The process's name in the active language (``workflow.names``)."""
        return names.local_name(self.bpmn_xml, self.key, self.name)


class ProcessInstance(models.Model):
    """One run of a process definition for one case (流程实例).

    ``state`` is SpiffWorkflow's serialized workflow (``BpmnWorkflowSerializer.serialize_json``,
    with its serializer version so that older states migrate on load), which carries the parsed
    definition too, so a running case keeps the version it started with. It is JSON kept as text:
    PostgreSQL's ``jsonb`` reorders object keys, and SpiffWorkflow rebuilds task data from the
    order of its task table.
    ``data`` is a copy of the case data as of the last completed step, for display.
    ``due_date`` is the case deadline (None: none set); ``paused_since`` is set while its clock is
    stopped (补正, 特别程序).
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="instances")
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    owner = models.ForeignKey(Organization, verbose_name=_("handling organization"), on_delete=models.PROTECT,
                              related_name="process_instances")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    state = models.TextField(editable=False)
    data = models.JSONField(_("case data"), default=dict)
    outcome = models.CharField(_("end reached"), max_length=100, blank=True)
    due_date = models.DateField(_("deadline"), null=True, blank=True)
    paused_since = models.DateField(_("clock stopped since"), null=True, blank=True)
    overdue_since = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        verbose_name = _("process instance")
        verbose_name_plural = _("process instances")

    def __str__(self) -> str:
        return f"{self.definition.key} #{self.pk}"


class ClockPause(models.Model):
    """One stop of a case's clock: 补正 (the applicant supplements materials) or a special procedure
    of 行政许可法 §45 (听证, 检验, 检测, 检疫, 鉴定, 专家评审), whose time is not counted."""

    class Reason(models.TextChoices):
        SUPPLEMENT = "supplement", _("Supplementing materials (补正)")
        HEARING = "hearing", _("Hearing (听证)")
        INSPECTION = "inspection", _("Inspection, testing or quarantine (检验、检测、检疫)")
        APPRAISAL = "appraisal", _("Appraisal (鉴定)")
        EXPERT_REVIEW = "expert_review", _("Expert review (专家评审)")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    started_on = models.DateField(_("stopped on"))
    ended_on = models.DateField(_("restarted on"), null=True, blank=True)
    working_days = models.PositiveIntegerField(_("working days not counted"), null=True, blank=True)

    class Meta:
        ordering = ["instance", "started_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["instance"], condition=models.Q(ended_on__isnull=True),
                                               name="one_open_pause_per_instance")]
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")

    def __str__(self) -> str:
        return f"{self.instance} {self.reason} {self.started_on}–{self.ended_on or ''}"


class WorkTask(models.Model):
    """An inbox item (待办): one ready BPMN user task, for one candidate role in one organization.

    ``spiff_task_id`` is the SpiffWorkflow task's UUID inside the instance's state. ``properties``
    are the task's ``spiffworkflow:property`` values from the definition (role, time_limit, …).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Claimed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks")
    spiff_task_id = models.UUIDField(editable=False)
    bpmn_id = models.CharField(_("step id"), max_length=100)
    name = models.CharField(_("step"), max_length=200)
    properties = models.JSONField(default=dict, editable=False)
    candidate_organization = models.ForeignKey(Organization, verbose_name=_("organization"),
                                               on_delete=models.PROTECT, related_name="work_tasks")
    candidate_role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("claimed by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    clock_paused = models.BooleanField(_("clock stopped"), default=False)
    overdue_since = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("completed by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_data = models.JSONField(_("answer"), default=dict, blank=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "spiff_task_id"], name="one_work_task_per_spiff_task"),
        ]
        indexes = [models.Index(fields=["candidate_organization", "candidate_role", "status"])]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.name} ({self.instance})"

    @property
    def local_name(self) -> str:
        """The step's name in the active language: its BPMN ``egov:name_en`` on English pages
        (``workflow.names``), else ``name``."""
        return names.local_name(self.instance.definition.bpmn_xml, self.bpmn_id, self.name)

    @property
    def name_en(self) -> str:
        """The step's English name (its BPMN ``egov:name_en``), ``""`` when the definition has none."""
        return names.names_en(self.instance.definition.bpmn_xml).get(self.bpmn_id, "")

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.CLAIMED)


class CalendarYear(models.Model):
    """A year whose holiday schedule (国务院办公厅关于…部分节假日安排的通知) is loaded.

    Only days that differ from the weekday rule are stored (``CalendarDay``): statutory holidays
    and their days off, and adjusted working days (调休上班). A year without a row falls back to
    ``egov.core.workdays`` (weekends and fixed-date holidays) and is reported to operators.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200)
    papers = models.JSONField(_("notices"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from the weekday rule: a day off (``is_off_day``) or a working weekend day."""

    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    is_off_day = models.BooleanField(_("day off"))
    name = models.CharField(_("holiday"), max_length=50)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name} {'休' if self.is_off_day else '班'}"
