from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "division_code", "parent", "depth", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "division_code"]
    readonly_fields = ["path", "depth"]
    autocomplete_fields = ["parent"]

    def has_change_permission(self, request, obj=None):
        # Moves must rewrite the subtree's paths: use the tree pages (services) for edits.
        return False

    def has_delete_permission(self, request, obj=None):
        return False
