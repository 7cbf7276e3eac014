"""Where a new demand belongs and who is told.

`locate_grid` finds the grid of a place under a node: the grid whose drawn boundary contains the
point, else the grid of the compound or building named in the address, else the grid whose centre
is nearest (within `NEAREST_LIMIT_M`). `intake_region` lifts that to the demand's queue: a demand
taken in above a community lands in the community of its grid. `intake_recipients` are the people
who can act on it: the community's secretary and staff (the street's staff for a street node) and,
for a report in a grid, the grid's workers."""

from __future__ import annotations

import json
import math

from accounts.roles import Role
from core import treepaths as paths
from grid.models import GridProfile
from regions.models import Region, RegionKind

NEAREST_LIMIT_M = 3000.0
_ABOVE_COMMUNITY = (RegionKind.DISTRICT, RegionKind.STREET)


def _under(node: Region):
    return Region.objects.under(node.path)


def _rings(boundary: str) -> list[list[tuple[float, float]]]:
    """The outer rings of a GeoJSON Polygon or MultiPolygon as (lng, lat) lists; [] if unreadable."""
    try:
        geo = json.loads(boundary)
        polys = [geo["coordinates"]] if geo["type"] == "Polygon" else geo["coordinates"]
        return [[(float(p[0]), float(p[1])) for p in poly[0]] for poly in polys]
    except (ValueError, KeyError, TypeError, IndexError):
        return []


def point_in_ring(lng: float, lat: float, ring: list[tuple[float, float]]) -> bool:
    """Ray casting: True when the point lies inside the closed ring."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / ((yj - yi) or 1e-12) + xi:
            inside = not inside
        j = i
    return inside


def _distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def grid_by_point(node: Region, lat: float, lng: float) -> tuple[Region | None, str]:
    profiles = list(GridProfile.objects.select_related("region")
                    .filter(paths.under("region__path", node.path)))
    for prof in profiles:
        if prof.boundary and any(point_in_ring(lng, lat, ring) for ring in _rings(prof.boundary)):
            return prof.region, "位置在网格边界内"
    best = None
    for prof in profiles:
        if prof.center_lat is None or prof.center_lng is None:
            continue
        m = _distance_m(lat, lng, prof.center_lat, prof.center_lng)
        if m <= NEAREST_LIMIT_M and (best is None or m < best[0]):
            best = (m, prof.region)
    if best:
        return best[1], f"距网格中心最近（约 {round(best[0])} 米）"
    return None, ""


def grid_by_address(node: Region, address: str) -> tuple[Region | None, str]:
    """The grid above the compound or building whose name the address contains (the longest name wins)."""
    address = (address or "").strip()
    if len(address) < 2:
        return None, ""
    places = (_under(node).filter(kind__in=[RegionKind.COMPOUND, RegionKind.BUILDING])
              .select_related("parent").only("id", "name", "kind", "path", "parent__name")[:5000])
    best = None
    for place in places:
        names = [place.name]
        if place.kind == RegionKind.BUILDING and place.parent_id:
            names.insert(0, place.parent.name + place.name)
        for name in names:
            if len(name) >= 2 and name in address and (best is None or len(name) > len(best[0])):
                best = (name, place)
    if best is None:
        return None, ""
    grid = Region.objects.filter(id__in=paths.ancestor_ids(best[1].path), kind=RegionKind.GRID).first()
    return (grid, f"地址含“{best[0]}”") if grid else (None, "")


def locate_grid(node: Region, *, lat=None, lng=None, address: str = "") -> tuple[Region | None, str]:
    """(grid, reason) for a place under `node`, or (None, "")."""
    if node.kind == RegionKind.GRID:
        return node, "所在网格"
    if lat is not None and lng is not None:
        grid, why = grid_by_point(node, float(lat), float(lng))
        if grid:
            return grid, why
    return grid_by_address(node, address)


def community_of(region: Region) -> Region | None:
    if region.kind == RegionKind.COMMUNITY:
        return region
    return Region.objects.filter(id__in=paths.ancestor_ids(region.path), kind=RegionKind.COMMUNITY).first()


def intake_region(region: Region, *, lat=None, lng=None, address: str = "") -> Region:
    """The node whose queue a new demand lands in: above a community, the community of the grid
    its place lies in (when one is found); otherwise the node it was taken in at."""
    if region.kind not in _ABOVE_COMMUNITY:
        return region
    grid, _ = locate_grid(region, lat=lat, lng=lng, address=address)
    return (community_of(grid) or region) if grid else region


def _users_at(regions, roles):
    from accounts.models import User

    return list(User.objects.filter(is_active=True, role_assignments__region__in=list(regions),
                                    role_assignments__role__in=list(roles)).distinct().order_by("id"))


def grid_people(grid: Region) -> list:
    """The grid's responsible people: its grid workers, the profile's full-time worker and assistants."""
    people = _users_at([grid], [Role.GRID_WORKER])
    prof = GridProfile.objects.filter(region=grid).select_related("primary_worker").first()
    if prof is not None:
        people += [prof.primary_worker] if prof.primary_worker else []
        people += list(prof.assistants.filter(is_active=True))
    return people


def intake_recipients(region: Region, *, actor=None) -> list:
    """Who is told of a new demand at `region` (the actor who took it in excluded)."""
    community = community_of(region)
    if community is not None:
        people = _users_at([community], [Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF])
    else:
        people = _users_at([region], [Role.STREET_STAFF, Role.DISTRICT_ADMIN])
    if region.kind == RegionKind.GRID:
        people += grid_people(region)
    actor_pk = getattr(actor, "pk", None)
    return [u for u in people if u.pk != actor_pk]
