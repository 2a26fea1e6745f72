from django.contrib import admin

from egov.core.admin import ReadOnlyAdmin
from egov.facilities.models import StoredFile
from egov.services.models import Material, ServiceItem


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ["name", "required", "form", "copies", "accepted_types", "max_size_bytes"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnlyAdmin):
    """Read-only here: the catalogue changes through the audited actions (egov.services.actions)."""

    list_display = ["code", "name", "item_type", "level", "organization", "legal_limit_days", "promised_limit_days",
                    "online_depth", "is_published"]
    list_filter = ["item_type", "level", "online_depth", "is_published", "organization"]
    search_fields = ["code", "name"]
    inlines = [MaterialInline]


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    """Read-only: files are stored by ``material_file_store`` and named by their hash."""

    list_display = ["sha256", "kind", "size", "created_at"]
    list_filter = ["kind"]
    search_fields = ["sha256"]
