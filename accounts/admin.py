import json

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from audit.models import AuditAction
from audit.services import record

from .models import RoleAssignment, User
from .views import admin_login_view

# The admin is for superusers only (staff flags grant nothing here).
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
# One authentication path: /admin/login/ is the site's login (lockout, slowdown, audit, 2FA).
admin.site.login = admin_login_view


# Every write through the admin (only superusers, only where ALLOW_SUPERUSER_LOGIN lets them sign in)
# is audited like a service write: Django's own admin log is kept as well.
def _admin_text(message) -> str:
    if isinstance(message, list):
        return LogEntry(change_message=json.dumps(message)).get_change_message() or "（无字段变更）"
    return str(message)


_log_addition, _log_change, _log_deletions = (
    admin.ModelAdmin.log_addition, admin.ModelAdmin.log_change, admin.ModelAdmin.log_deletions,
)


def _audited_addition(self, request, obj, message):
    record(actor=request.user, action=AuditAction.CREATE, obj=obj,
           changes={"channel": "admin", "admin": _admin_text(message)})
    return _log_addition(self, request, obj, message)


def _audited_change(self, request, obj, message):
    record(actor=request.user, action=AuditAction.UPDATE, obj=obj,
           changes={"channel": "admin", "admin": _admin_text(message)})
    return _log_change(self, request, obj, message)


def _audited_deletions(self, request, queryset):
    for obj in queryset:
        record(actor=request.user, action=AuditAction.DELETE, obj=obj, changes={"channel": "admin"})
    return _log_deletions(self, request, queryset)


admin.ModelAdmin.log_addition = _audited_addition
admin.ModelAdmin.log_change = _audited_change
admin.ModelAdmin.log_deletions = _audited_deletions


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
