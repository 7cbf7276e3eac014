from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import RoleAssignment, User
from .views import admin_login_view

# The admin is for superusers only (staff flags grant nothing here).
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
# One authentication path: /admin/login/ is the site's login (lockout, slowdown, audit, 2FA).
admin.site.login = admin_login_view


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "is_active", "locked_until", "last_login"]
    search_fields = ["username", "full_name"]
    fieldsets = BaseUserAdmin.fieldsets + (("安全", {"fields": ("full_name", "failed_login_count", "locked_until")}),)
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "created_at"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "region"]
