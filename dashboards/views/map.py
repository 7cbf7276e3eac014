"""The map (一张图, /grid/map/): an offline base, the grids coloured by a metric of any domain and the
layers of points (dashboards.selectors.map), each read inside the asker's scope."""

import json
import os
import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.scope import require_perm
from grid import coords
from grid import selectors as grid_selectors
from grid.apps import GridPerm
from regions.models import Region, RegionKind

from ..selectors import map as map_selectors
from ..selectors.map import METRICS, map_metric


def _region_param(request) -> Region | None:
    raw = request.GET.get("region", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("区域参数不正确")
    return grid_selectors.region_get(request.user, int(raw))


def pmtiles_path() -> str:
    """GRID_MAP_PMTILES: the deployment's own PMTiles file (the offline vector base), if it exists."""
    path = getattr(settings, "GRID_MAP_PMTILES", "") or ""
    return path if path and os.path.isfile(path) else ""


@login_required
def grid_map(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    region = _region_param(request) or map_selectors.default_region(request.user)
    choices = grid_selectors.scoped(Region.objects.filter(kind__in=[RegionKind.STREET, RegionKind.COMMUNITY]),
                                    request.user).order_by("path")[:300]
    tiles = grid_selectors.tile_config()
    # The base: the intranet tile service, else the deployment's PMTiles file, else drawn from the grids.
    base = "tiles" if tiles["url"] else "pmtiles" if pmtiles_path() else "drawn"
    config = {
        "base": base, "tiles": tiles, "crs": tiles["crs"] if base == "tiles" else "wgs84",
        "max_zoom": tiles["max_zoom"] if base == "tiles" else 18,
        "pmtiles": reverse("grid:pmtiles") if base == "pmtiles" else "",
        "geojson": reverse("grid:geojson"),
        "layer_url": reverse("grid:map_layer", args=["__layer__"]),
        "layers": {k: v[0] for k, v in map_selectors.LAYERS.items()},
        "classes": {key: {k: col for k, _, col in classes} for key, (_, classes) in map_selectors.LAYERS.items()},
    }
    return render(request, "dashboards/map.html", {
        "region": region, "choices": grid_selectors.with_parents(list(choices)), "metrics": METRICS,
        "metric": map_metric(request.GET.get("metric", "residents")).key, "tiles": tiles, "base": base,
        "map_config": config,
    })


def _crs(request) -> str:
    crs = request.GET.get("crs", grid_selectors.tile_config()["crs"])
    if crs not in coords.SYSTEMS:
        raise ValueError(crs)
    return crs


@login_required
def grid_geojson(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    region = _region_param(request)
    try:
        crs = _crs(request)
    except ValueError as e:
        return JsonResponse({"detail": f"未知坐标系：{e}"}, status=400)
    data = grid_selectors.map_geojson(request.user, region=region,
                                      metric=map_metric(request.GET.get("metric", "residents")), crs=crs,
                                      with_points=request.GET.get("points") != "0")
    return JsonResponse(data)


@login_required
def map_layer(request, layer: str):
    """One layer of the map as GeoJSON: `base` (drawn from the grids), `facilities`, `positions`, `demands`."""
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    if layer != "base" and layer not in map_selectors.LAYERS:
        raise Http404("没有这个图层")
    region = _region_param(request) or map_selectors.default_region(request.user)
    if region is None:
        raise Http404("没有可查看的区域")
    try:
        crs = _crs(request)
    except ValueError as e:
        return JsonResponse({"detail": f"未知坐标系：{e}"}, status=400)
    if layer == "base":
        data = map_selectors.base_layer(request.user, region=region, crs=crs)
    else:
        data = map_selectors.point_layer(request.user, layer, region=region, crs=crs)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/json")


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@login_required
def pmtiles(request):
    """The deployment's PMTiles file, with the byte ranges protomaps-leaflet asks for (HTTP 206)."""
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    path = pmtiles_path()
    if not path:
        raise Http404("未配置离线底图文件")
    size = os.path.getsize(path)
    m = _RANGE.match(request.headers.get("Range", "").strip())
    if not m:
        resp = FileResponse(open(path, "rb"), content_type="application/octet-stream")
        resp["Accept-Ranges"] = "bytes"
        return resp
    first, last = m.groups()
    if first == "":
        start, end = max(0, size - int(last or 0)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        resp = HttpResponse(status=416)
        resp["Content-Range"] = f"bytes */{size}"
        return resp
    with open(path, "rb") as f:
        f.seek(start)
        chunk = f.read(end - start + 1)
    resp = HttpResponse(chunk, status=206, content_type="application/octet-stream")
    resp["Content-Range"] = f"bytes {start}-{end}/{size}"
    resp["Accept-Ranges"] = "bytes"
    return resp
