from django.contrib import admin

from .models import DuesTier, RegistrySettings


@admin.register(DuesTier)
class DuesTierAdmin(admin.ModelAdmin):
    list_display = ["base", "lower", "upper", "rate"]


@admin.register(RegistrySettings)
class RegistrySettingsAdmin(admin.ModelAdmin):
    list_display = ["deed_quota_min", "deed_quota_max", "mobile_no_contact_months", "arrears_months",
                    "student_monthly_dues"]
