from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.scope import require_perm
from core.forms import add_errors, flash_errors

from . import services
from .forms import LoginForm, RoleAssignForm, UserCreateForm
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
    return login_view(request, default_next="/admin/", channel="admin")


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
def user_detail(request, pk: int):
    require_perm(request.user, Perm.USERS_MANAGE, Perm.ROLES_MANAGE)
    target = get_object_or_404(User, pk=pk)
    form = RoleAssignForm(request.POST or None)
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
    })
