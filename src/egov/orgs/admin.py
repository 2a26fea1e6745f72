from django.contrib import admin

from egov.core.admin import ReadOnlyAdmin
from egov.orgs.models import Division, Organization, Position


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "valid_from", "valid_until", "successors"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    """Read-only here: organizations change through the audited actions (egov.orgs.actions)."""

    list_display = ["name", "kind", "parent", "division", "doc_code", "uscc"]
    search_fields = ["name", "doc_code", "uscc"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "organization"]

    def has_change_permission(self, request, obj=None):
        return False
