from django.contrib import admin

from .models import Facility, GridProfile, GridRule, GridUnit


@admin.register(GridRule)
class GridRuleAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "value", "updated_at"]


@admin.register(GridProfile)
class GridProfileAdmin(admin.ModelAdmin):
    list_display = ["region", "code", "primary_worker"]
    raw_id_fields = ["region", "primary_worker", "branch"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "state", "grid"]
    raw_id_fields = ["grid"]


@admin.register(GridUnit)
class GridUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "has_party_org", "grid"]
    raw_id_fields = ["grid", "party_org"]
    exclude = ["contact_phone"]
