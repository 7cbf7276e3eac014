from django.contrib import admin

from .models import PointRule


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ["fact", "points", "yearly_cap", "active"]
