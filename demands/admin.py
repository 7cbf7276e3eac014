from django.contrib import admin

from .models import ApiKey, Category, Demand, DemandEvent, HandlingUnit, WorkCalendarDay


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "response_minutes", "handling_minutes", "working_hours_only", "default_level",
                    "needs_location", "active"]
    list_editable = ["active"]


@admin.register(HandlingUnit)
class HandlingUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "active"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "active", "created_at"]
    readonly_fields = ["key"]


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = ["tracking_code", "title", "channel", "state", "region", "submitted_at"]
    list_filter = ["state", "channel", "escalation"]
    exclude = ["caller_phone", "caller_phone_hash", "secret_code", "secret_code_hash", "description_full"]
    readonly_fields = [f for f in ["tracking_code", "state", "version", "escalation"]]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DemandEvent)
class DemandEventAdmin(admin.ModelAdmin):
    list_display = ["demand", "action", "actor_label", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    """Read-only: changes go through the 工作日历 page (audited, deadlines recomputed)."""

    list_display = ["date", "kind", "name", "created_by", "created_at"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
