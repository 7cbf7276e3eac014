"""The error pages, in Chinese, each with a way back (settings: handler400/403/404/500 in
config/urls.py and CSRF_FAILURE_VIEW). The 500 page and the CSRF page render without the
request's context processors, so the layout needs nothing but the page's own words."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _say(exception) -> str:
    """The exception's own message when it is written for people (Chinese), else nothing: Django's
    and libraries' English messages never reach the page."""
    if exception is None:
        return ""
    args = getattr(exception, "args", ())
    text = str(args[0]) if args and isinstance(args[0], str) else ""
    return text if _HAN.search(text) else ""


def _back(request) -> str:
    """The page the person came from, when it is a page of this site (its path only)."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return ""
    parts = urlsplit(referer)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") and path != request.get_full_path() else ""


def _page(request, status: int, title: str, message: str, detail: str = "") -> HttpResponse:
    context = {"status": status, "title": title, "message": message, "detail": detail,
               "demo_mode": settings.DEMO_MODE}
    if request is not None:
        try:  # the error may be the database itself: the page must still render
            user = getattr(request, "user", None)
            context["signed_in"] = bool(user is not None and user.is_authenticated)
        except Exception:  # noqa: BLE001
            context["signed_in"] = False
        context["portal"] = request.path.startswith(("/portal/", "/cobuild/stars/public"))
        context["back"] = _back(request)
    body = loader.get_template("errors/error.html").render(context)
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def bad_request(request, exception=None):
    return _page(request, 400, "请求有误", "提交的内容无法识别，请返回重试。", _say(exception))


def permission_denied(request, exception=None):
    return _page(request, 403, "没有权限",
                 "您的账号没有打开此页面或执行此操作的权限。如确需办理，请联系上级管理员分配角色。", _say(exception))


def page_not_found(request, exception=None):
    return _page(request, 404, "页面不存在",
                 "没有找到您要打开的页面或记录：链接可能有误，记录可能已删除，或不在您的管辖范围内。", _say(exception))


def server_error(request):
    return _page(request, 500, "服务器出错了",
                 "处理您的请求时出现了意外错误，已记录，请稍后重试；如果一再出现，请联系系统管理员。")


def csrf_failure(request, reason=""):
    return _page(request, 403, "页面已过期",
                 "页面停留时间过长或已在别处退出登录，本次提交未生效。请返回上一页，刷新后重新提交。")
