from django.contrib import admin

from .models import PartyOrg


@admin.register(PartyOrg)
class PartyOrgAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "form", "region", "parent", "secretary_name"]
    list_filter = ["level", "form"]
    search_fields = ["name", "host_name", "secretary_name"]
    autocomplete_fields = ["region", "parent"]
