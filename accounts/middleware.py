"""Session controls of 等保 level 3, on every request of a signed-in user.

- idle timeout (SESSION_IDLE_MINUTES) and absolute lifetime (SESSION_MAX_HOURS): signed out, sent to
  the login page with the reason; background polling (the notification badge) is not activity;
- a forced password change (first sign-in, after a reset, an expired password): every page but the
  修改密码 page and 退出 leads there (the API answers 403);
- two-factor: an account that has it, or must have it, reaches nothing before the code is checked
  (or, for the system, security, audit and district admins, the authenticator is enrolled).
Demo accounts (User.is_demo) are exempt from the forced change and the enrolment, never from a code
they enrolled themselves.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .passwords import must_change

AUTH_AT = "_auth_at"
LAST_SEEN = "_last_seen"
# Requests that are not a person's activity: they neither count as activity nor get redirected.
BACKGROUND = ("/notifications/badge/",)
# Reachable whatever step is pending.
ALWAYS_OPEN = ("/accounts/logout/", "/static/", "/favicon")


@receiver(user_logged_in)
def _stamp_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[AUTH_AT] = now
        request.session[LAST_SEEN] = now


def _away(request, message: str):
    """Answer a request that must wait for a pending step: 403 JSON for the API, an empty 204 for htmx
    (the badge's polling must not reload the page the person is on); None: redirect the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204)
    return None


class AccountControlsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = int(time.time())
        background = request.path.startswith(BACKGROUND)
        auth_at = session.get(AUTH_AT) or now
        last_seen = session.get(LAST_SEEN) or now
        if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
            return self._signed_out(request, f"超过 {settings.SESSION_IDLE_MINUTES} 分钟未操作，已自动退出，请重新登录")
        if now - auth_at > settings.SESSION_MAX_HOURS * 3600:
            return self._signed_out(request, f"登录已超过 {settings.SESSION_MAX_HOURS} 小时，请重新登录")
        if AUTH_AT not in session:
            session[AUTH_AT] = auth_at
        if not background and (LAST_SEEN not in session or now - last_seen >= 30):  # at most twice a minute
            session[LAST_SEEN] = now
        if not request.path.startswith(ALWAYS_OPEN):
            gate = self._gate(request, user)
            if gate is not None:
                return gate
        return self.get_response(request)

    def _gate(self, request, user):
        """In this order: the code of an enrolled authenticator (before anything else, the password page
        included), the forced password change, the enrolment the role requires."""
        from . import twofactor

        step = twofactor.pending_step(request)
        path = request.path
        if step == "accounts:otp_verify":
            if path.startswith(reverse(step)):
                return None
            return _away(request, "请先完成双因素认证") or self._to(request, step)
        reason = must_change(user)
        if reason:
            if path.startswith(reverse("accounts:password")):
                return None
            return _away(request, reason) or self._to(request, "accounts:password")
        if step and not path.startswith(reverse(step)):
            return _away(request, "请先绑定身份验证器（双因素认证）") or self._to(request, step)
        return None

    @staticmethod
    def _to(request, name: str):
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")

    def _signed_out(self, request, message: str):
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        messages.info(request, message)
        login = f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            resp = HttpResponse(status=204)
            resp["HX-Redirect"] = login
            return resp
        return redirect(login)
