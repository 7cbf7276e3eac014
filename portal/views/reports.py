"""The map pin's layers, the open reports near a point and the public page of each report."""

from __future__ import annotations

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from demands import ratelimit

from .. import reports
from .demands import LIMITED


@require_GET
@cache_control(public=True, max_age=300)
def areas(request):
    """The grids' outlines with their communities (GeoJSON, WGS-84) for the report form's map."""
    return JsonResponse(reports.outlines())


def _point(request) -> tuple[float, float] | None:
    try:
        lat, lng = float(request.GET.get("lat", "")), float(request.GET.get("lng", ""))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


@require_GET
def nearby(request):
    """The open reports near the pin (an htmx partial), shown before the resident submits."""
    if ratelimit.hit(request, "lookup"):
        return render(request, "portal/_nearby.html", {"message": LIMITED}, status=429)
    point = _point(request)
    if point is None:
        return render(request, "portal/_nearby.html", {"rows": None})
    try:
        category = int(request.GET.get("category") or 0) or None
    except ValueError:
        category = None
    rows = [{"demand": d, "meters": round(m / 10) * 10, "title": reports.public_text(d.title)}
            for d, m in reports.nearby(*point, category_id=category)]
    return render(request, "portal/_nearby.html", {"rows": rows, "radius": reports.NEARBY_RADIUS_M})


def report(request, code: str):
    """The public page of one report: category, state, the resident's photo, the handler's
    after-photo and reply; no personal data."""
    if ratelimit.hit(request, "lookup"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    d = reports.report(code)
    if d is None:
        return render(request, "portal/not_found.html", {"message": f"没有编号为“{code[:20]}”的公开诉求"}, status=404)
    return render(request, "portal/report.html", {"demand": d, "promise": reports.promise(d.category),
                                                   **reports.report_parts(d)})


@cache_control(public=True, max_age=3600)
def report_photo(request, code: str, pk: int):
    d = reports.report(code)
    photo = reports.report_photo(d, pk) if d is not None else None
    if photo is None:
        raise Http404("照片不存在")
    try:
        fh = photo.image.open("rb")
    except OSError:
        raise Http404("照片不存在") from None
    return FileResponse(fh, content_type="image/jpeg")
