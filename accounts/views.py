from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.scope import require_perm
from core.forms import add_errors, flash_errors

from . import services, twofactor
from .forms import LoginForm, PasswordChangeForm, RoleAssignForm, UserCreateForm
from .models import RoleAssignment, User
from .roles import Perm
from .scope import has_perm


def _safe_next(request, default: str = "") -> str:
    nxt = request.POST.get("next") or request.GET.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return default


def login_view(request, default_next: str = "", channel: str = "web"):
    """The site's one sign-in page; /admin/login/ is this same view (channel "admin")."""
    if request.user.is_authenticated:
        return redirect(_safe_next(request, default_next) or "home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.login_attempt(
            request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"],
            channel=channel,
        )
        if result.user is not None:
            login(request, result.user)
            return redirect(_safe_next(request, default_next) or "home")
        form.add_error(None, result.error)
    return render(request, "accounts/login.html", {
        "form": form, "max_failures": settings.LOGIN_MAX_FAILURES, "lock_minutes": settings.LOGIN_LOCK_MINUTES,
    })


def admin_login_view(request, extra_context=None):
    """Django admin's login replaced by the site's: the same lockout, slowdown, audit (and 2FA)."""
    from django.contrib import admin

    if request.user.is_authenticated and not admin.site.has_permission(request):
        raise PermissionDenied("管理后台只对超级管理员开放")
    return login_view(request, default_next="/admin/", channel="admin")


@login_required
def password_change_view(request):
    """修改密码: self-service, and the page a forced change (first sign-in, reset, expiry) leads to."""
    from django.contrib.auth import update_session_auth_hash

    from .passwords import must_change

    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_change(actor=request.user, old_password=form.cleaned_data["old_password"],
                                            new_password=form.cleaned_data["new_password"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改")
            return redirect(_safe_next(request) or "home")
    return render(request, "accounts/password_change.html", {
        "form": form, "reason": must_change(request.user), "next": _safe_next(request),
        "otp_enabled": twofactor.confirmed_device(request.user) is not None,
        "otp_required": twofactor.required(request.user),
    })


@login_required
def otp_setup_view(request):
    """双因素认证: enrol an authenticator app (scan the QR code, type the first code), or switch it off."""
    device = twofactor.confirmed_device(request.user)
    error = ""
    if request.method == "POST" and request.POST.get("action") == "disable":
        if twofactor.required(request.user):
            raise PermissionDenied("您的角色必须使用双因素认证，不能停用")
        if twofactor.disable(actor=request.user, code=request.POST.get("code", "")):
            messages.success(request, "已停用双因素认证")
            return redirect("accounts:otp_setup")
        error = "验证码不正确"
    elif request.method == "POST":
        pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-pk").first()
        if pending is not None and device is not None and not request.user.is_verified():
            raise PermissionDenied("请先用已绑定的身份验证器完成验证")
        if pending is not None and twofactor.enrol_confirm(request=request, device=pending,
                                                            code=request.POST.get("code", "")):
            messages.success(request, "已启用双因素认证：以后登录时，输入密码后还需输入身份验证器上的 6 位验证码")
            return redirect(_safe_next(request) or "home")
        error = "验证码不正确，请输入身份验证器上当前显示的 6 位数字"
    pending = None
    if device is None or request.GET.get("renew") or error:
        # The QR code shown stays the same across reloads (a new secret only when asked for one).
        pending = (None if request.GET.get("renew") and not error else
                   TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-pk").first())
        pending = pending or twofactor.new_device(request.user)
    return render(request, "accounts/otp_setup.html", {
        "device": device, "pending": pending, "error": error, "next": _safe_next(request),
        "required": twofactor.required(request.user),
        "qr": twofactor.qr_data_uri(pending) if pending else "",
        "secret": twofactor.secret_text(pending) if pending else "",
    })


@login_required
def otp_verify_view(request):
    """The sign-in's second step for an account with two-factor authentication."""
    if twofactor.confirmed_device(request.user) is None or request.user.is_verified():
        return redirect(_safe_next(request) or "home")
    error = ""
    if request.method == "POST":
        error = twofactor.verify_session(request=request, code=request.POST.get("code", ""))
        if not error:
            return redirect(_safe_next(request) or "home")
        if not request.user.is_authenticated:  # locked: the half-open session ended
            messages.error(request, error)
            return redirect("accounts:login")
    return render(request, "accounts/otp_verify.html", {"error": error, "next": _safe_next(request)})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
def user_list(request):
    require_perm(request.user, Perm.USERS_MANAGE, Perm.ROLES_MANAGE)
    qs = User.objects.order_by("username").prefetch_related("role_assignments__region")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    form = UserCreateForm(request.POST or None)
    if request.method == "POST":
        require_perm(request.user, Perm.USERS_MANAGE)
        if form.is_valid():
            try:
                user = services.user_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已创建账户 {user.username}")
                return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/user_list.html", {
        "page": page, "q": q, "form": form,
        "can_manage_users": has_perm(request.user, Perm.USERS_MANAGE),
    })


@login_required
def account_security(request):
    """The security admin's page: locked accounts (unlock) and password resets."""
    require_perm(request.user, Perm.PASSWORD_RESET)
    now = timezone.now()
    locked = User.objects.filter(locked_until__gt=now).order_by("locked_until")
    q = request.GET.get("q", "").strip()
    found = User.objects.none()
    if q:
        found = User.objects.filter(Q(username__icontains=q) | Q(full_name__icontains=q)).order_by("username")[:30]
    return render(request, "accounts/security.html", {
        "locked": locked, "q": q, "found": found,
        "must_change": User.objects.filter(must_change_password=True, is_active=True).order_by("username")[:50],
    })


@login_required
def user_detail(request, pk: int):
    require_perm(request.user, Perm.USERS_MANAGE, Perm.ROLES_MANAGE, Perm.PASSWORD_RESET)
    target = get_object_or_404(User, pk=pk)
    form = RoleAssignForm(request.POST or None)
    new_password = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "assign":
                if form.is_valid():
                    services.role_assign(actor=request.user, user=target, **form.cleaned_data)
                    messages.success(request, "已分配角色")
                    return redirect("accounts:user", pk=pk)
            elif action == "revoke":
                assignment = get_object_or_404(RoleAssignment, pk=request.POST.get("assignment"), user=target)
                services.role_revoke(actor=request.user, assignment=assignment)
                messages.success(request, "已撤销角色")
                return redirect("accounts:user", pk=pk)
            elif action == "unlock":
                services.user_unlock(actor=request.user, user=target)
                messages.success(request, "已解锁账户")
                return redirect("accounts:user", pk=pk)
            elif action == "reset_password":
                new_password = services.user_password_reset(actor=request.user, user=target)
                target.refresh_from_db()
            elif action in ("activate", "deactivate"):
                services.user_set_active(actor=request.user, user=target, active=action == "activate")
                messages.success(request, "已更新账户状态")
                return redirect("accounts:user", pk=pk)
        except ValidationError as exc:
            if action == "assign":
                add_errors(form, exc)
            else:
                flash_errors(request, exc)
    return render(request, "accounts/user_detail.html", {
        "target": target, "form": form,
        "assignments": target.role_assignments.select_related("region"),
        "can_manage_users": has_perm(request.user, Perm.USERS_MANAGE),
        "can_manage_roles": has_perm(request.user, Perm.ROLES_MANAGE),
        "can_reset": has_perm(request.user, Perm.PASSWORD_RESET),
        "new_password": new_password,  # shown once, on this response only (never in a message cookie)
    })
