"""Control characters in the address or the parameters of a request are answered with 400 and a
Chinese message before any view runs: search boxes and filters read ``request.GET`` directly, and
PostgreSQL refuses a NUL in any text it is asked to compare (an HTTP 500 otherwise). Form fields
and model saves have their own checks (core.inputguard); this covers what no form reads: the path,
the query string and bodies within DATA_UPLOAD_MAX_MEMORY_SIZE (Open311's POST); a bigger body is
left to the view and its forms, so reading it here never pre-empts a view's own "too big" answer."""

from __future__ import annotations

from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

from .inputguard import CONTROL_RE

MESSAGE = "请求中的“{name}”含有不允许的控制字符（如 \\x{code:02x}），请删除后重试"


def _first_bad(request) -> tuple[str, str] | None:
    if CONTROL_RE.search(request.path):
        return "地址", CONTROL_RE.search(request.path).group()
    sources = [request.GET]
    length = request.META.get("CONTENT_LENGTH") or "0"
    if (request.method == "POST"
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
            and length.isdigit() and int(length) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE):
        try:
            sources.append(request.POST)
        except (RequestDataTooBig, TooManyFieldsSent, SuspiciousOperation):
            pass
    for params in sources:
        for key, values in params.lists():
            for text in (key, *values):
                m = CONTROL_RE.search(text)
                if m:
                    return key if CONTROL_RE.search(key) is None else "参数名", m.group()
    return None


class RefuseControlCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if CONTROL_RE.search(unquote(request.META.get("QUERY_STRING", ""))) or CONTROL_RE.search(request.path) or \
                request.method == "POST":
            bad = _first_bad(request)
            if bad is not None:
                message = MESSAGE.format(name=bad[0], code=ord(bad[1]))
                if request.path.startswith("/api/"):  # the REST API's documented error body
                    return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
                if request.path.startswith("/open311/"):  # GeoReport v2's error list
                    return JsonResponse([{"code": 400, "description": message}], status=400, safe=False,
                                        json_dumps_params={"ensure_ascii": False})
                return HttpResponse(f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>请求有误'
                                    f"</title><p>{escape(message)}</p></html>", status=400,
                                    content_type="text/html; charset=utf-8")
        return self.get_response(request)
