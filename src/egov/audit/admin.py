from django.contrib import admin

from egov.audit.models import AuditEvent
from egov.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the log is written by actions only."""

    list_display = ["seq", "occurred_at", "action", "actor_label", "organization_label", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["action", "actor_label", "object_id", "request_id"]
