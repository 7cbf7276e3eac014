"""The map (一张图, /grid/map/): the grids coloured by a metric of any domain (dashboards.selectors.map)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render

from accounts.scope import require_perm
from grid import coords
from grid import selectors as grid_selectors
from grid.apps import GridPerm
from regions.models import Region, RegionKind

from ..selectors.map import METRICS, map_metric


def _region_param(request) -> Region | None:
    raw = request.GET.get("region", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("区域参数不正确")
    return grid_selectors.region_get(request.user, int(raw))


@login_required
def grid_map(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    region = _region_param(request)
    if region is None:
        region = grid_selectors.scoped(Region.objects.filter(kind__in=[
            RegionKind.COMMUNITY, RegionKind.STREET, RegionKind.DISTRICT, RegionKind.GRID]),
            request.user).order_by("path").first()
    choices = grid_selectors.scoped(Region.objects.filter(kind__in=[RegionKind.STREET, RegionKind.COMMUNITY]),
                                    request.user).order_by("path")[:300]
    return render(request, "dashboards/map.html", {
        "region": region, "choices": grid_selectors.with_parents(list(choices)), "metrics": METRICS,
        "metric": map_metric(request.GET.get("metric", "residents")).key,
        "tiles": grid_selectors.tile_config(),
    })


@login_required
def grid_geojson(request):
    require_perm(request.user, GridPerm.VIEW, what="访问网格治理")
    region = _region_param(request)
    crs = request.GET.get("crs", grid_selectors.tile_config()["crs"])
    if crs not in coords.SYSTEMS:
        return JsonResponse({"detail": f"未知坐标系：{crs}"}, status=400)
    data = grid_selectors.map_geojson(request.user, region=region,
                                      metric=map_metric(request.GET.get("metric", "residents")), crs=crs)
    return JsonResponse(data)
