"""Admin: definitions, cases and tasks are read-only (they change through the audited actions);
the calendar's days are edited here by operators, through ``calendar_actions``."""

from django.contrib import admin, messages

from egov.core.admin import ReadOnlyAdmin
from egov.core.errors import ApplicationError
from egov.workflow.calendar_actions import calendar_day_clear, calendar_day_set
from egov.workflow.models import CalendarDay, CalendarYear, ProcessDefinition, ProcessInstance, WorkTask


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(ReadOnlyAdmin):
    """Upload new versions with ``egov workflow upload FILE``."""

    list_display = ["key", "version", "name", "uploaded_by", "uploaded_at"]
    search_fields = ["key", "name"]
    exclude = ["bpmn_xml"]


@admin.register(ProcessInstance)
class ProcessInstanceAdmin(ReadOnlyAdmin):
    list_display = ["pk", "definition", "owner", "status", "outcome", "due_date", "paused_since", "started_at"]
    list_filter = ["status"]
    exclude = ["state"]


@admin.register(WorkTask)
class WorkTaskAdmin(ReadOnlyAdmin):
    list_display = ["pk", "name", "instance", "candidate_organization", "candidate_role", "status", "due_date"]
    list_filter = ["status", "candidate_role"]


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnlyAdmin):
    """Load a year with ``egov calendar import FILE`` (holiday-cn JSON)."""

    list_display = ["year", "source", "updated_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_off_day"]
    list_filter = ["is_off_day", "calendar_year"]
    fields = ["date", "is_off_day", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        try:
            saved = calendar_day_set(actor=request.user, day=obj.date, is_off_day=obj.is_off_day, name=obj.name)
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return
        obj.pk, obj.calendar_year = saved.pk, saved.calendar_year

    def delete_model(self, request, obj):
        calendar_day_clear(actor=request.user, row=obj)

    def delete_queryset(self, request, queryset):
        for row in queryset:
            calendar_day_clear(actor=request.user, row=row)
