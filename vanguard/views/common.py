from __future__ import annotations

from django.http import Http404, HttpResponse

from ..services.common import own_member


def me_or_404(request):
    member = own_member(request.user)
    if member is None:
        raise Http404("您的账号尚未关联党员档案")
    return member


def photo_response(field) -> HttpResponse:
    if not field:
        raise Http404("没有照片")
    with field.open("rb") as fh:
        data = fh.read()
    resp = HttpResponse(data, content_type="image/jpeg")
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
