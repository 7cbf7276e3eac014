from django.contrib import admin

from .models import DuesTier, RegistrySettings


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for reference only: the rules are edited on the audited pages (党费 → 党费标准, 管理规则)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DuesTier)
class DuesTierAdmin(_ReadOnlyAdmin):
    list_display = ["base", "lower", "upper", "rate"]


@admin.register(RegistrySettings)
class RegistrySettingsAdmin(_ReadOnlyAdmin):
    list_display = ["deed_quota_min", "deed_quota_max", "mobile_no_contact_months", "arrears_months",
                    "student_monthly_dues"]
