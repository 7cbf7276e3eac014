"""Accounts: sign-in with lockout, user and role management (等保 three-role separation)."""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from core.clientip import client_ip

from .models import PasswordHistory, RoleAssignment, User
from .roles import ROLE_SCOPE_KIND, SYSTEM_ROLES, Perm, Role
from .scope import clear_cache, has_perm


@dataclass
class LoginResult:
    user: User | None
    error: str = ""


def _wrong_message(left: int) -> str:
    return f"用户名或密码错误，再失败 {left} 次账户将被锁定 {settings.LOGIN_LOCK_MINUTES} 分钟"


def _locked_message(locked_until) -> str:
    until = timezone.localtime(locked_until)
    return f"登录失败次数过多，账户已锁定，请于 {until:%H:%M} 后再试，或联系安全管理员解锁"


def _throttled_message(seconds: int) -> str:
    return f"登录尝试过于频繁，请 {max(1, seconds)} 秒后再试"


def _key(kind: str, text: str) -> str:
    return f"login:{kind}:" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _address_wait(ip: str) -> int:
    """Seconds this client address must still wait before its next attempt (0: may try now)."""
    state = cache.get(_key("ip", ip or "-"))
    if not state:
        return 0
    return max(0, math.ceil(state["not_before"] - time.time()))


def _address_failed(ip: str) -> None:
    """One more failure from this address: after LOGIN_SLOWDOWN_AFTER of them within
    LOGIN_SLOWDOWN_WINDOW_MINUTES, every further attempt waits 2, 4, 8 … seconds (at most
    LOGIN_SLOWDOWN_MAX_SECONDS) whichever account it names, existing or not."""
    key = _key("ip", ip or "-")
    state = cache.get(key) or {"count": 0, "not_before": 0.0}
    state["count"] += 1
    over = state["count"] - settings.LOGIN_SLOWDOWN_AFTER
    if over > 0:
        state["not_before"] = time.time() + min(2 ** over, settings.LOGIN_SLOWDOWN_MAX_SECONDS)
    cache.set(key, state, settings.LOGIN_SLOWDOWN_WINDOW_MINUTES * 60)


def _address_succeeded(ip: str) -> None:
    cache.delete(_key("ip", ip or "-"))


def _unknown_failed(username: str) -> LoginResult:
    """A name no account has gets the very answers an account would (count-down, then the lock),
    so the page never tells whether an account exists."""
    key = _key("name", username.lower())
    state = cache.get(key) or {"count": 0, "locked_until": None}
    if state["locked_until"] and state["locked_until"] > timezone.now():
        return LoginResult(None, _locked_message(state["locked_until"]))
    state["count"] += 1
    left = settings.LOGIN_MAX_FAILURES - state["count"]
    if left <= 0:
        state = {"count": 0, "locked_until": timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)}
        cache.set(key, state, settings.LOGIN_LOCK_MINUTES * 60)
        return LoginResult(None, _locked_message(state["locked_until"]))
    cache.set(key, state, settings.LOGIN_LOCK_MINUTES * 60)
    return LoginResult(None, _wrong_message(left))


def _unknown_locked_until(username: str):
    state = cache.get(_key("name", username.lower()))
    if state and state["locked_until"] and state["locked_until"] > timezone.now():
        return state["locked_until"]
    return None


def login_attempt(*, request, username: str, password: str, channel: str = "web") -> LoginResult:
    """The one password check of the site, the admin and the API token endpoint.

    Counts failures per account (LOGIN_MAX_FAILURES lock it for LOGIN_LOCK_MINUTES) and per client
    address (slowdown), answers a name without an account exactly as an account, and audits every
    success, failure, refusal and lock with the channel it came through."""
    username = (username or "").strip()
    ip = client_ip(request) if request is not None else None
    user = User.objects.filter(username=username).first()

    def failed(reason: str, target=None):
        record(actor=None, action=AuditAction.LOGIN_FAILED, obj=target,
               object_type="" if target else "accounts.user", object_repr="" if target else username[:150],
               changes={"channel": channel, "reason": reason})

    wait = _address_wait(ip)
    if wait:
        failed("slowdown", user)
        return LoginResult(None, _throttled_message(wait))
    if user is not None and user.is_locked():
        failed("locked", user)
        _address_failed(ip)
        return LoginResult(None, _locked_message(user.locked_until))
    if user is None and (until := _unknown_locked_until(username)):
        failed("locked")
        _address_failed(ip)
        return LoginResult(None, _locked_message(until))
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        _address_failed(ip)
        if user is None:
            failed("password")
            return _unknown_failed(username)
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
            user.refresh_from_db(fields=["failed_login_count"])
            left = settings.LOGIN_MAX_FAILURES - user.failed_login_count
            failed("password", user)
            if left <= 0:
                user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
                user.failed_login_count = 0
                user.save(update_fields=["locked_until", "failed_login_count"])
                record(actor=None, action=AuditAction.LOCKED, obj=user,
                       changes={"locked_until": [None, f"{timezone.localtime(user.locked_until):%Y-%m-%d %H:%M}"],
                                "channel": channel})
                revoke_tokens(user)
                return LoginResult(None, _locked_message(user.locked_until))
        return LoginResult(None, _wrong_message(left))
    if authed.is_superuser and not settings.ALLOW_SUPERUSER_LOGIN:
        failed("superuser_off", authed)
        return LoginResult(None, "超级管理员账户在正式环境中不能登录，请使用系统管理员、安全管理员或审计管理员账户")
    if authed.failed_login_count or authed.locked_until:
        User.objects.filter(pk=authed.pk).update(failed_login_count=0, locked_until=None)
    _address_succeeded(ip)
    record(actor=authed, action=AuditAction.LOGIN, obj=authed, changes={"channel": channel})
    return LoginResult(authed)


def second_factor_failed(*, request, user: User) -> str:
    """A wrong two-factor code: counted like a wrong password (lock after LOGIN_MAX_FAILURES); on the lock
    the half-open session ends. Returns the message to show."""
    from django.contrib.auth import logout

    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
        user.refresh_from_db(fields=["failed_login_count"])
        left = settings.LOGIN_MAX_FAILURES - user.failed_login_count
        record(actor=None, action=AuditAction.LOGIN_FAILED, obj=user, changes={"reason": "otp"})
        if left > 0:
            return f"验证码不正确，再失败 {left} 次账户将被锁定 {settings.LOGIN_LOCK_MINUTES} 分钟"
        user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        user.failed_login_count = 0
        user.save(update_fields=["locked_until", "failed_login_count"])
        record(actor=None, action=AuditAction.LOCKED, obj=user,
               changes={"locked_until": [None, f"{timezone.localtime(user.locked_until):%Y-%m-%d %H:%M}"]})
        revoke_tokens(user)
    logout(request)
    return _locked_message(user.locked_until)


def revoke_tokens(user: User) -> int:
    """Delete the user's API tokens (on a lock, a password change or reset, a deactivation)."""
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


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
    user.must_change_password = True  # the system admin knows it: the user changes it at first sign-in
    user.password_changed_at = timezone.now()
    user.save()
    _remember_password(user)
    record(actor=actor, action=AuditAction.CREATE, obj=user, changes={"username": [None, username]})
    return user


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    _require(actor, Perm.USERS_MANAGE, "停用或启用账户")
    if user.pk == actor.pk:
        raise ValidationError("不能停用或启用自己的账户")
    before = user.is_active
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"is_active": [before, active]})
    if not active:
        revoke_tokens(user)
    return user


def _business_roles(user: User) -> set[str]:
    return set(user.role_assignments.exclude(role__in=SYSTEM_ROLES).values_list("role", flat=True))


def _system_roles(user: User) -> set[str]:
    return set(user.role_assignments.filter(role__in=SYSTEM_ROLES).values_list("role", flat=True))


@transaction.atomic
def role_assign(*, actor, user: User, role: str, region=None) -> RoleAssignment:
    """Grant a role (security admin). 三员分立: nobody grants themselves anything; the system,
    security and audit admins are three different people and hold no business role."""
    _require(actor, Perm.ROLES_MANAGE, "分配角色")
    if role not in Role.values:
        raise ValidationError({"role": "角色无效"})
    if user.pk == actor.pk:
        raise ValidationError({"role": "不能给自己分配角色（三员分立）"})
    if role in SYSTEM_ROLES:
        if region is not None:
            raise ValidationError({"region": "系统角色不对应管辖范围，请留空"})
        if _system_roles(user) - {role}:
            raise ValidationError({"role": "系统管理员、安全管理员、审计管理员须由不同的人担任（三员分立）"})
        if _business_roles(user):
            raise ValidationError(
                {"role": "该用户担任业务角色，不能再担任系统管理员、安全管理员或审计管理员（三员分立）"})
    else:
        if _system_roles(user):
            raise ValidationError({"role": "系统管理员、安全管理员、审计管理员不能担任业务角色（三员分立）"})
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
    if assignment.user_id == actor.pk:
        raise ValidationError("不能撤销自己的角色（三员分立）")
    text, pk = str(assignment), assignment.pk
    assignment.delete()
    record(actor=actor, action=AuditAction.DELETE, object_type="accounts.roleassignment", object_id=str(pk),
           object_repr=text, changes={"role": [text, None]})


@transaction.atomic
def user_unlock(*, actor, user: User) -> User:
    _require(actor, Perm.PASSWORD_RESET, "解锁账户")
    User.objects.filter(pk=user.pk).update(locked_until=None, failed_login_count=0)
    user.refresh_from_db()
    record(actor=actor, action=AuditAction.UNLOCK, obj=user)
    return user


def _temporary_password() -> str:
    """Twelve characters of three classes (no look-alikes), valid under the password rules."""
    upper, lower, digits = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789"
    while True:
        chars = [secrets.choice(upper) for _ in range(3)] + [secrets.choice(lower) for _ in range(5)]
        chars += [secrets.choice(digits) for _ in range(4)]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        if candidate[0].isalpha():
            return candidate


@transaction.atomic
def user_password_reset(*, actor, user: User) -> str:
    """Give the user a one-time password (returned, shown once to the security admin): it must be
    changed at the next sign-in; the lock is lifted and the user's API tokens revoked."""
    _require(actor, Perm.PASSWORD_RESET, "重置密码")
    if user.pk == actor.pk:
        raise ValidationError("不能重置自己的密码，请在“修改密码”页修改")
    password = _temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.locked_until = None
    user.failed_login_count = 0
    user.save(update_fields=["password", "must_change_password", "password_changed_at", "locked_until",
                             "failed_login_count"])
    _remember_password(user)
    revoke_tokens(user)
    record(actor=actor, action=AuditAction.UPDATE, obj=user,
           changes={"password": ["", "已重置（下次登录须修改）"]})
    return password


@transaction.atomic
def admin_password_set(*, actor, user: User, password: str) -> User:
    """A superuser sets a password in the Django admin (the demo only): like a reset by the security
    admin, the user must change it at the next sign-in, it enters the history and the user's API tokens
    are revoked; audited."""
    if not (actor.is_superuser and actor.is_active):
        raise ValidationError("只有超级管理员可在管理后台设置密码")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    user.set_password(password)
    user.must_change_password = user.pk != actor.pk
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    _remember_password(user)
    revoked = revoke_tokens(user)
    record(actor=actor, action=AuditAction.UPDATE, obj=user,
           changes={"password": ["", "管理后台设置（下次登录须修改）"], "channel": "admin",
                    **({"token": "已吊销"} if revoked else {})})
    return user


def _remember_password(user: User) -> None:
    """Keep the hash of the password just set; only the last PASSWORD_HISTORY are kept."""
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = list(user.password_history.values_list("pk", flat=True)[: settings.PASSWORD_HISTORY])
    user.password_history.exclude(pk__in=keep).delete()


@transaction.atomic
def password_change(*, actor: User, old_password: str, new_password: str) -> User:
    """The user's own 修改密码: checks the current password and the rules, ends the forced change,
    revokes the user's API tokens; audited."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": "当前密码不正确"})
    if new_password == old_password:
        raise ValidationError({"new_password": "新密码不能与当前密码相同"})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    _remember_password(user)
    revoked = revoke_tokens(user)
    record(actor=user, action=AuditAction.UPDATE, obj=user,
           changes={"password": ["", "本人修改"], **({"token": "已吊销"} if revoked else {})})
    return user
