"""一张图: the map's colourings and its layers, each read inside the asker's scope.

- the colourings of the grid polygons (the grid's own metrics, then those of other domains per grid);
- `base_layer`: the offline base drawn from the project's own geometry (the grids' boundaries): each
  grid filled in its community's colour, the outlines of communities and streets (grid edges that
  only one polygon of the community or street has) and the names of streets and communities;
- `point_layer`: facilities by state, Party positions (党群服务阵地), open demands and events by urgency;
  each point links to its scoped detail page.

Everything is filtered by the asker's scope before it is drawn: a community sees its own grids and
points, a grid worker their grid; a node outside the scope is 404 (the views)."""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from core import treepaths as paths
from demands.models import OPEN_STATES
from demands.rules import TRANSITIONS, DemandPerm
from demands.selectors import open_counts_by_grid, visible_demands
from grid import coords
from grid.apps import GridPerm
from grid.models import Facility, FacilityKind, FacilityState, GridProfile
from grid.selectors import GRID_METRICS, MapMetric, visible_grids, with_parents
from regions.models import Region, RegionKind

METRICS: tuple[MapMetric, ...] = (
    *GRID_METRICS,
    MapMetric("open_events", "未办结事件", open_counts_by_grid, "件"),
)


def map_metric(key: str) -> MapMetric:
    """The metric named `key`; the first one (residents) for an unknown key."""
    for m in METRICS:
        if m.key == key:
            return m
    return METRICS[0]


# ---------------------------------------------------------------------------------------- layers

# The point layers: key → (label, legend classes (key, label, colour)).
POSITION_KINDS = (FacilityKind.PARTY_CENTER,)
URGENCY = (("overdue", "已超期", "#c62828"), ("soon", "24小时内到期", "#ef6c00"), ("open", "办理中", "#1565c0"))
FACILITY_STATES = (("normal", "正常", "#2e7d32"), ("fault", "故障", "#c62828"), ("offline", "停用", "#757575"))
LAYERS: dict[str, tuple[str, tuple]] = {
    "facilities": ("设施", FACILITY_STATES),
    "positions": ("党群服务阵地", FACILITY_STATES),
    "demands": ("事件与诉求", URGENCY),
}
# A layer answers at most this many points (and says it was cut): a county of 30,000 grids has some
# 100,000 facilities; more than that on one screen is no map.
MAX_LAYER_POINTS = 100_000
SOON = timedelta(hours=24)


def _round(v: float) -> float:
    return round(v, 6)


def _point(lng: float, lat: float, crs: str) -> list[float]:
    if crs != coords.WGS84:
        lng, lat = coords.convert(lng, lat, src=coords.WGS84, dst=crs)
    return [_round(lng), _round(lat)]


def _collection(layer: str, features: list, crs: str, truncated: bool) -> dict:
    label, classes = LAYERS[layer]
    present = Counter(f["properties"]["c"] for f in features)
    return {"type": "FeatureCollection", "layer": layer, "label": label, "crs_name": crs,
            "truncated": truncated, "count": len(features),
            # The legend lists only the classes that occur (never an empty range).
            "legend": [{"key": k, "label": lab, "color": col, "count": present[k]}
                       for k, lab, col in classes if present[k]],
            "features": features}


class _Roots:
    """Where the actor holds any of `perms`: answers "may act at this path" per point without a query."""

    def __init__(self, actor, *perms: str):
        from accounts.scope import scope_paths

        found = [scope_paths(actor, p) for p in perms]
        self.everywhere = any(r is None for r in found)
        self.roots = tuple(sorted({r for rs in found if rs for r in rs}))

    def __contains__(self, path: str) -> bool:
        return self.everywhere or any(paths.is_under(path, r) for r in self.roots)


def _facility_features(actor, region: Region, crs: str, kinds, exclude: bool) -> tuple[list, bool]:
    from grid.selectors import THINGS_WRITE_PERMS

    grids = visible_grids(actor).filter(paths.under("path", region.path))
    qs = Facility.objects.filter(grid__in=grids)
    qs = qs.exclude(kind__in=kinds) if exclude else qs.filter(kind__in=kinds)
    rows = list(qs.order_by("id").values_list("id", "name", "kind", "state", "lat", "lng", "grid__path")
                [:MAX_LAYER_POINTS + 1])
    kind_label, state_label = dict(FacilityKind.choices), dict(FacilityState.choices)
    writable = _Roots(actor, *THINGS_WRITE_PERMS)
    # The card's actions (the facility page's own): mark it broken or repaired where the actor may.
    fix = {"normal": "报告故障", "fault": "标记已修复", "offline": "恢复启用"}
    features = []
    for pk, name, kind, state, lat, lng, grid_path in rows[:MAX_LAYER_POINTS]:
        url = f"/grid/facilities/{pk}/"
        props = {"id": pk, "name": name, "c": state, "kind": kind_label.get(kind, kind),
                 "state": state_label.get(state, state), "url": url}
        if grid_path in writable:
            props["actions"] = [[fix.get(state, "变更状态"), url + "#state"]]
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": _point(lng, lat, crs)},
                         "properties": props})
    return features, len(rows) > MAX_LAYER_POINTS


def urgency(handling_due, now) -> str:
    if handling_due < now:
        return "overdue"
    if handling_due < now + SOON:
        return "soon"
    return "open"


def _demand_features(actor, region: Region, crs: str) -> tuple[list, bool]:
    from demands.models import State

    now = timezone.now()
    qs = (visible_demands(actor).filter(paths.under("region__path", region.path), state__in=OPEN_STATES,
                                        duplicate_of__isnull=True, lat__isnull=False, lng__isnull=False)
          .order_by("handling_due", "id"))
    rows = list(qs.values_list("id", "tracking_code", "title", "state", "escalation", "handling_due", "lat", "lng",
                               "region__path")[:MAX_LAYER_POINTS + 1])
    state_label = dict(State.choices)
    handles = _Roots(actor, DemandPerm.HANDLE)
    # The card's actions: those of the demand page for its state, where the actor handles demands.
    offered = [a for a in ("accept", "dispatch", "arrive", "handle") if a in TRANSITIONS]
    features = []
    for pk, code, title, state, escalation, due, lat, lng, region_path in rows[:MAX_LAYER_POINTS]:
        url = f"/demands/{pk}/"
        props = {"id": pk, "name": title, "code": code, "c": urgency(due, now),
                 "state": state_label.get(state, state), "escalated": bool(escalation),
                 "due": f"{timezone.localtime(due):%m-%d %H:%M}", "url": url}
        if region_path in handles:
            acts = [[TRANSITIONS[a].label, f"{url}?action={a}"] for a in offered
                    if state in TRANSITIONS[a].sources]
            if acts:
                props["actions"] = acts
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": _point(lng, lat, crs)},
                         "properties": props})
    return features, len(rows) > MAX_LAYER_POINTS


def point_layer(actor, layer: str, *, region: Region, crs: str = coords.WGS84) -> dict:
    """The points of `layer` under `region` that the actor may see (GeoJSON, one class per point)."""
    if layer == "facilities":
        features, cut = _facility_features(actor, region, crs, POSITION_KINDS, exclude=True)
    elif layer == "positions":
        features, cut = _facility_features(actor, region, crs, POSITION_KINDS, exclude=False)
    elif layer == "demands":
        features, cut = _demand_features(actor, region, crs)
    else:
        raise KeyError(layer)
    return _collection(layer, features, crs, cut)


# ------------------------------------------------------------------------------------ the base

# Pale fills, one per community (neighbours differ by their order under the street).
PALETTE = ("#e8f1e4", "#f6ecd9", "#e3edf5", "#f3e3e8", "#ece6f4", "#e6f2ef", "#f5f0dc", "#eae9e4")
_ND = 7  # decimals kept when matching vertices (≈ 1 cm)


def _rings(geometry: dict):
    t, c = geometry.get("type"), geometry.get("coordinates") or []
    polys = [c] if t == "Polygon" else c if t == "MultiPolygon" else []
    for poly in polys:
        yield from poly


def outline(geometries: list[dict]) -> list[list[list[float]]]:
    """The outer edges of a set of polygons that tile an area: the edges only one polygon has.

    Edges are cut where another polygon's vertex lies on them (a big cell next to two small ones),
    counted, and those seen once are chained into lines."""
    segs, verts = [], set()
    for g in geometries:
        for ring in _rings(g):
            pts = [(round(p[0], _ND), round(p[1], _ND)) for p in ring]
            verts.update(pts)
            segs += [(a, b) for a, b in zip(pts, pts[1:], strict=False) if a != b]
    xs = sorted(verts)
    eps = 10 ** -_ND
    counts: Counter = Counter()
    for a, b in segs:
        lo, hi = (a, b) if a <= b else (b, a)
        inner = []
        for v in xs[bisect_left(xs, (lo[0], float("-inf"))):bisect_right(xs, (hi[0], float("inf")))]:
            if v in (a, b) or not (min(a[1], b[1]) - eps <= v[1] <= max(a[1], b[1]) + eps):
                continue
            cross = (b[0] - a[0]) * (v[1] - a[1]) - (b[1] - a[1]) * (v[0] - a[0])
            if abs(cross) <= eps * (abs(b[0] - a[0]) + abs(b[1] - a[1])):
                inner.append(v)
        chain = sorted([lo, *inner, hi])
        for p, q in zip(chain, chain[1:], strict=False):
            counts[(p, q)] += 1
    edges = [e for e, n in counts.items() if n == 1]
    # Chain the edges into lines (fewer, longer features to draw).
    at: dict = defaultdict(list)
    for i, (p, q) in enumerate(edges):
        at[p].append(i)
        at[q].append(i)
    used = [False] * len(edges)
    lines = []
    for i in range(len(edges)):
        if used[i]:
            continue
        used[i] = True
        line = list(edges[i])
        for forward in (True, False):
            while True:
                end = line[-1] if forward else line[0]
                nxt = next((j for j in at[end] if not used[j]), None)
                if nxt is None:
                    break
                used[nxt] = True
                p, q = edges[nxt]
                other = q if p == end else p
                if forward:
                    line.append(other)
                else:
                    line.insert(0, other)
        lines.append([[x, y] for x, y in line])
    return lines


def _label_point(centres: list[tuple[float, float]]) -> tuple[float, float]:
    """The grid centre nearest to the mean of the centres: inside the area even when it is not convex."""
    mx = sum(c[0] for c in centres) / len(centres)
    my = sum(c[1] for c in centres) / len(centres)
    return min(centres, key=lambda c: (c[0] - mx) ** 2 + (c[1] - my) ** 2)


def _convert_lines(lines, crs):
    if crs == coords.WGS84:
        return lines
    return [[_point(x, y, crs) for x, y in line] for line in lines]


def base_layer(actor, *, region: Region, crs: str = coords.WGS84) -> dict:
    """The base map drawn from the grids the actor sees under `region` (cached until a boundary changes)."""
    grids = visible_grids(actor).filter(paths.under("path", region.path))
    ids = list(grids.order_by("id").values_list("id", flat=True))
    stamp = GridProfile.objects.filter(region_id__in=ids).aggregate(t=Max("updated_at"))["t"]
    digest = hashlib.sha1(f"{region.pk}|{crs}|{stamp}|{','.join(map(str, ids))}".encode()).hexdigest()
    key = f"map-base:{digest}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    data = _base(ids, crs)
    cache.set(key, data, 3600)
    return data


def _base(ids: list[int], crs: str) -> dict:
    grid_list = with_parents(list(Region.objects.filter(id__in=ids).order_by("path")))
    communities = {g.parent_id: g.parent for g in grid_list}
    streets = Region.objects.in_bulk({c.parent_id for c in communities.values() if c.parent_id})
    profiles = {p.region_id: p for p in GridProfile.objects.filter(region_id__in=ids).exclude(boundary="")
                .only("region_id", "boundary", "center_lat", "center_lng")}
    colour = {}
    for i, c in enumerate(sorted(communities.values(), key=lambda c: c.path)):
        colour[c.pk] = PALETTE[i % len(PALETTE)]
    features = []
    by_comm: dict[int, list] = defaultdict(list)
    by_street: dict[int, list] = defaultdict(list)
    centres_comm: dict[int, list] = defaultdict(list)
    centres_street: dict[int, list] = defaultdict(list)
    for g in grid_list:
        p = profiles.get(g.pk)
        if p is None:
            continue
        try:
            geometry = json.loads(p.boundary)
        except ValueError:
            continue
        comm = communities[g.parent_id]
        by_comm[comm.pk].append(geometry)
        by_street[comm.parent_id].append(geometry)
        if p.center_lat is not None:
            centres_comm[comm.pk].append((p.center_lng, p.center_lat))
            centres_street[comm.parent_id].append((p.center_lng, p.center_lat))
        features.append({"type": "Feature", "geometry": coords.convert_geometry(geometry, dst=crs),
                         "properties": {"role": "land", "fill": colour[comm.pk]}})
    for sid, geoms in by_street.items():
        features.append({"type": "Feature", "geometry": {"type": "MultiLineString",
                                                         "coordinates": _convert_lines(outline(geoms), crs)},
                         "properties": {"role": "street-line", "id": sid}})
    for cid, geoms in by_comm.items():
        features.append({"type": "Feature", "geometry": {"type": "MultiLineString",
                                                         "coordinates": _convert_lines(outline(geoms), crs)},
                         "properties": {"role": "community-line", "id": cid}})
    for sid, centres in centres_street.items():
        s = streets.get(sid)
        if s is not None:
            lng, lat = _label_point(centres)
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": _point(lng, lat, crs)},
                             "properties": {"role": "label", "rank": 1, "name": s.name, "kind": "street"}})
    for cid, centres in centres_comm.items():
        lng, lat = _label_point(centres)
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": _point(lng, lat, crs)},
                         "properties": {"role": "label", "rank": 2, "name": communities[cid].name,
                                        "kind": "community", "url": f"/grid/map/?region={cid}"}})
    return {"type": "FeatureCollection", "layer": "base", "crs_name": crs, "features": features}


def default_region(actor) -> Region | None:
    """The actor's top node of the map: the first (highest) node they see."""
    from accounts.scope import scope_filter

    return scope_filter(Region.objects.filter(kind__in=[RegionKind.DISTRICT, RegionKind.STREET,
                                                         RegionKind.COMMUNITY, RegionKind.GRID]),
                        actor, GridPerm.VIEW).order_by("depth", "path").first()
