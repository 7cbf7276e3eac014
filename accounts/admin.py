import copy
import json

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm

from audit.models import AuditAction
from audit.services import record

from . import services
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


class _ReadOnly:
    """Roles are granted on the security admin's page only (services.role_assign: 三员分立, levels,
    nothing granted to oneself); the Django admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleAssignmentInline(_ReadOnly, admin.TabularInline):
    model = RoleAssignment
    extra = 0


class AuditedPasswordForm(AdminPasswordChangeForm):
    """The admin's 设置密码 goes through the service: history, forced change, tokens revoked, audit."""

    actor = None  # set on a per-request subclass

    def save(self, commit=True):
        services.admin_password_set(actor=self.actor, user=self.user, password=self.cleaned_data["password1"])
        return self.user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "is_active", "locked_until", "last_login"]
    search_fields = ["username", "full_name"]
    fieldsets = BaseUserAdmin.fieldsets + (("安全", {"fields": ("full_name", "failed_login_count", "locked_until")}),)
    inlines = [RoleAssignmentInline]
    change_password_form = AuditedPasswordForm

    def user_change_password(self, request, id, form_url=""):
        # The admin object is shared between requests: the actor goes on a copy, not on it.
        this = copy.copy(self)
        this.change_password_form = type("RequestPasswordForm", (AuditedPasswordForm,), {"actor": request.user})
        return BaseUserAdmin.user_change_password(this, request, id, form_url)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["user", "role", "region", "created_at"]
    list_filter = ["role"]
    autocomplete_fields = ["user", "region"]
