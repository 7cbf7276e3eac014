"""Accounts: sign-in with lockout, user and role management (等保 three-role separation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record

from .models import RoleAssignment, User
from .roles import ROLE_SCOPE_KIND, SYSTEM_ROLES, Perm, Role
from .scope import clear_cache, has_perm


@dataclass
class LoginResult:
    user: User | None
    error: str = ""


def _locked_message(user: User) -> str:
    until = timezone.localtime(user.locked_until)
    return f"登录失败次数过多，账户已锁定，请于 {until:%H:%M} 后再试，或联系安全管理员解锁"


def login_attempt(*, request, username: str, password: str) -> LoginResult:
    """Check a password; count failures and lock the account after LOGIN_MAX_FAILURES of them."""
    username = (username or "").strip()
    user = User.objects.filter(username=username).first()
    if user is not None and user.is_locked():
        return LoginResult(None, _locked_message(user))
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        if user is None:
            record(actor=None, action=AuditAction.LOGIN_FAILED, object_type="accounts.user", object_repr=username[:150])
            return LoginResult(None, "用户名或密码错误")
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
            user.refresh_from_db(fields=["failed_login_count"])
            left = settings.LOGIN_MAX_FAILURES - user.failed_login_count
            record(actor=None, action=AuditAction.LOGIN_FAILED, obj=user)
            if left <= 0:
                user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
                user.failed_login_count = 0
                user.save(update_fields=["locked_until", "failed_login_count"])
                record(actor=None, action=AuditAction.LOCKED, obj=user,
                       changes={"locked_until": [None, f"{timezone.localtime(user.locked_until):%Y-%m-%d %H:%M}"]})
                return LoginResult(None, _locked_message(user))
        return LoginResult(None, f"用户名或密码错误，再失败 {left} 次账户将被锁定 {settings.LOGIN_LOCK_MINUTES} 分钟")
    if authed.failed_login_count or authed.locked_until:
        User.objects.filter(pk=authed.pk).update(failed_login_count=0, locked_until=None)
    record(actor=authed, action=AuditAction.LOGIN, obj=authed)
    return LoginResult(authed)


def _require(actor, perm: str, what: str) -> None:
    if not has_perm(actor, perm):
        raise ValidationError(f"您没有{what}的权限")


@transaction.atomic
def user_create(*, actor, username: str, full_name: str, password: str) -> User:
    _require(actor, Perm.USERS_MANAGE, "创建账户")
    username = (username or "").strip()
    if not username or len(username) > 150 or not all(c.isalnum() or c in "_.-@" for c in username):
        raise ValidationError({"username": "账号只能由字母、数字和 _ . - @ 组成，且不能为空"})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"账号“{username}”已存在"})
    user = User(username=username, full_name=(full_name or "").strip()[:50])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    record(actor=actor, action=AuditAction.CREATE, obj=user, changes={"username": [None, username]})
    return user


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    _require(actor, Perm.USERS_MANAGE, "停用或启用账户")
    if user.pk == actor.pk and not active:
        raise ValidationError("不能停用自己的账户")
    before = user.is_active
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"is_active": [before, active]})
    return user


@transaction.atomic
def role_assign(*, actor, user: User, role: str, region=None) -> RoleAssignment:
    _require(actor, Perm.ROLES_MANAGE, "分配角色")
    if role not in Role.values:
        raise ValidationError({"role": "角色无效"})
    if role in SYSTEM_ROLES:
        if region is not None:
            raise ValidationError({"region": "系统角色不对应管辖范围，请留空"})
        if user.pk == actor.pk:
            raise ValidationError({"role": "不能给自己分配系统角色（三员分立）"})
        others = set(user.role_assignments.filter(role__in=SYSTEM_ROLES).values_list("role", flat=True)) - {role}
        if others:
            raise ValidationError({"role": "系统管理员、安全管理员、审计管理员须由不同的人担任（三员分立）"})
    else:
        if region is None:
            raise ValidationError({"region": f"{Role(role).label}必须指定管辖范围"})
        expected = ROLE_SCOPE_KIND.get(role)
        if expected and region.kind != expected:
            label = dict(region._meta.get_field("kind").choices)[expected]
            raise ValidationError(
                {"region": f"{Role(role).label}的管辖范围应为{label}一级，“{region}”是{region.kind_label}"}
            )
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, region=region)
    if not created:
        raise ValidationError({"role": "该用户已有此角色"})
    record(actor=actor, action=AuditAction.CREATE, obj=assignment, changes={"role": [None, str(assignment)]})
    clear_cache(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    _require(actor, Perm.ROLES_MANAGE, "撤销角色")
    text, pk = str(assignment), assignment.pk
    assignment.delete()
    record(actor=actor, action=AuditAction.DELETE, object_type="accounts.roleassignment", object_id=str(pk),
           object_repr=text, changes={"role": [text, None]})


@transaction.atomic
def user_unlock(*, actor, user: User) -> User:
    _require(actor, Perm.ROLES_MANAGE, "解锁账户")
    User.objects.filter(pk=user.pk).update(locked_until=None, failed_login_count=0)
    user.refresh_from_db()
    record(actor=actor, action=AuditAction.UNLOCK, obj=user)
    return user
