"""Reads of grid data that depend on who asks. Every one applies the data scope (grid.view)."""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.scope import get_in_scope_or_404, has_perm_at, scope_filter
from core import treepaths as paths
from core.crypto import blind_index
from core.idnumber import normalize_id_number
from core.phone import normalize_mobile
from regions.models import Region, RegionKind

from . import coords
from .apps import GridPerm
from .models import (
    CARE_TAGS,
    RULE_DEFAULTS,
    Facility,
    GridLiaison,
    GridProfile,
    GridRule,
    GridUnit,
    House,
    Household,
    HouseholdStatus,
    HouseUse,
    RentalLease,
    Resident,
    ResidentKind,
    ResidentStatus,
    Visit,
)

# Moved-out households and moved-out or deceased residents stay on record but are not counted or planned.
ACTIVE_HH = {"status": HouseholdStatus.ACTIVE}
ACTIVE_RES = {"status": ResidentStatus.ACTIVE}

# ---------------------------------------------------------------------------
# Rules as data
# ---------------------------------------------------------------------------


# Rules are read on most pages; one query loads them all, kept for RULE_CACHE_SECONDS per process
# (rule_set clears it in its own process; other processes see a change within that time).
RULE_CACHE_SECONDS = 30
_rule_cache: dict = {"at": 0.0, "values": None}


def _stored_rules() -> dict[str, int]:
    import time

    now = time.monotonic()
    if _rule_cache["values"] is None or now - _rule_cache["at"] > RULE_CACHE_SECONDS:
        _rule_cache["values"] = dict(GridRule.objects.values_list("key", "value"))
        _rule_cache["at"] = now
    return _rule_cache["values"]


def clear_rule_cache() -> None:
    _rule_cache["values"] = None


def rule(key: str) -> int:
    return _stored_rules().get(key, RULE_DEFAULTS[key][0])


def rules() -> list[tuple[str, str, int]]:
    stored = _stored_rules()
    return [(key, label, stored.get(key, default)) for key, (default, label) in RULE_DEFAULTS.items()]


def with_parents(regions: list[Region]) -> list[Region]:
    """Attach each node's parent with one lookup by id (a join would hash the whole tree at city size)."""
    parents = Region.objects.in_bulk({r.parent_id for r in regions if r.parent_id})
    for r in regions:
        if r.parent_id in parents:
            r.parent = parents[r.parent_id]
    return regions


# ---------------------------------------------------------------------------
# Scope helpers
# ---------------------------------------------------------------------------


def scoped(qs: QuerySet, actor, perm: str = GridPerm.VIEW) -> QuerySet:
    return scope_filter(qs, actor, perm)


def visible_grids(actor, perm: str = GridPerm.VIEW) -> QuerySet[Region]:
    return scope_filter(Region.objects.filter(kind=RegionKind.GRID), actor, perm)


def grid_get(actor, pk: int, perm: str = GridPerm.VIEW) -> Region:
    return get_in_scope_or_404(Region.objects.filter(kind=RegionKind.GRID).select_related("parent"), actor, perm, pk=pk)


def region_get(actor, pk: int, perm: str = GridPerm.VIEW) -> Region:
    """Any tree node inside the scope (a community, a street…)."""
    return get_in_scope_or_404(Region.objects.all(), actor, perm, pk=pk)


def profile_of(grid: Region) -> GridProfile:
    profile = GridProfile.objects.filter(region=grid).select_related("primary_worker", "branch").first()
    return profile or GridProfile(region=grid)


def month_start(now: datetime | None = None) -> datetime:
    now = timezone.localtime(now or timezone.now())
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def grids_of_worker(actor) -> QuerySet[Region]:
    """Grids where the actor may log visits: their own first (primary or assisting)."""
    return visible_grids(actor, GridPerm.VISIT).order_by("path")


# ---------------------------------------------------------------------------
# Counts per grid (grouped by the grid foreign key: cost follows the grids shown, not the city)
# ---------------------------------------------------------------------------


def _count_by_grid(qs: QuerySet, grid_ids: list[int]) -> dict[int, int]:
    if not grid_ids:
        return {}
    rows = qs.filter(grid_id__in=grid_ids).values("grid_id").annotate(n=Count("id")).order_by()
    return {r["grid_id"]: r["n"] for r in rows}


def residents_by_grid(grid_ids: list[int]) -> dict[int, int]:
    """Residents still living in each grid (moved-out and deceased ones are not counted)."""
    return _count_by_grid(Resident.objects.filter(**ACTIVE_RES), grid_ids)


def active_residents(grid: Region) -> int:
    """Residents still living in one grid: what the quotas (workers, liaisons) are counted on."""
    return residents_by_grid([grid.pk]).get(grid.pk, 0)


def liaisons_needed(residents: int, per: int | None = None) -> int:
    """Liaisons a grid needs under the 1:N rule (`residents_per_liaison`) for this many active residents."""
    per = per or rule("residents_per_liaison")
    return math.ceil(residents / per) if residents > 0 else 0


def households_by_grid(grid_ids: list[int]) -> dict[int, int]:
    return _count_by_grid(Household.objects.filter(**ACTIVE_HH), grid_ids)


def care_households_by_grid(grid_ids: list[int]) -> dict[int, int]:
    return _count_by_grid(Household.objects.filter(is_care=True, **ACTIVE_HH), grid_ids)


def visited_by_grid(grid_ids: list[int], since: datetime | None = None) -> dict[int, int]:
    return _count_by_grid(Household.objects.filter(last_visited_at__gte=since or month_start(), **ACTIVE_HH),
                          grid_ids)


def coverage_by_grid(grid_ids: list[int]) -> dict[int, float | None]:
    total = households_by_grid(grid_ids)
    visited = visited_by_grid(grid_ids)
    return {g: (round(100 * visited.get(g, 0) / total[g], 1) if total.get(g) else None) for g in grid_ids}


@dataclass
class GridRow:
    grid: Region
    profile: GridProfile | None
    residents: int
    households: int
    visited: int
    workers: int
    liaisons: int

    @property
    def coverage(self) -> float | None:
        return round(100 * self.visited / self.households, 1) if self.households else None


def grid_rows(grids: list[Region]) -> list[GridRow]:
    ids = [g.pk for g in grids]
    profiles = {
        p.region_id: p
        for p in GridProfile.objects.filter(region_id__in=ids).select_related("primary_worker")
        .annotate(n_assist=Count("assistants"))
    }
    residents = residents_by_grid(ids)
    households = households_by_grid(ids)
    visited = visited_by_grid(ids)
    liaisons = _count_by_grid(GridLiaison.objects.all(), ids)
    rows = []
    for g in grids:
        p = profiles.get(g.pk)
        workers = (1 if p and p.primary_worker_id else 0) + (p.n_assist if p else 0)
        rows.append(GridRow(g, p, residents.get(g.pk, 0), households.get(g.pk, 0), visited.get(g.pk, 0), workers,
                            liaisons.get(g.pk, 0)))
    return rows


# ---------------------------------------------------------------------------
# Rule checks for a community (or any node): grids and workers over the quotas
# ---------------------------------------------------------------------------


@dataclass
class Breach:
    what: str
    name: str
    url_grid: int | None
    detail: str


def rule_breaches(grids: list[Region]) -> list[Breach]:
    per_worker = rule("residents_per_worker")
    per_liaison = rule("residents_per_liaison")
    rows = grid_rows(grids)
    out: list[Breach] = []
    worker_load: dict[int, list] = defaultdict(lambda: [None, 0, []])
    for r in rows:
        if r.residents and r.workers == 0:
            out.append(Breach("网格", f"{r.grid.parent.name if r.grid.parent_id else ''}{r.grid.name}", r.grid.pk,
                              f"{r.residents} 名居民，未配备网格员"))
        elif r.workers and r.residents > per_worker * r.workers:
            out.append(Breach("网格", r.grid.name, r.grid.pk,
                              f"{r.residents} 名居民 / {r.workers} 名网格员，超过每人 {per_worker} 人的上限"))
        need = liaisons_needed(r.residents, per_liaison)
        if r.liaisons < need:
            out.append(Breach("网格", r.grid.name, r.grid.pk,
                              f"联络员 {r.liaisons} 名，按 1:{per_liaison} 应至少 {need} 名"))
        if r.profile and r.profile.primary_worker_id:
            load = worker_load[r.profile.primary_worker_id]
            load[0] = r.profile.primary_worker
            load[1] += r.residents
            load[2].append(r.grid.name)
    for _, (user, residents, names) in worker_load.items():
        if residents > per_worker:
            out.append(Breach("网格员", user.display_name if hasattr(user, "display_name") else str(user), None,
                              f"专职负责 {'、'.join(names)} 共 {residents} 名居民，超过 {per_worker} 人的上限"))
    return out


# ---------------------------------------------------------------------------
# The grid profile (一格一档)
# ---------------------------------------------------------------------------


def grid_stats(grid: Region) -> dict:
    """Counts for one grid in three queries (residents, households, houses), each on the grid's index."""
    start = month_start()
    today = timezone.localdate()
    res = Resident.objects.filter(grid=grid, **ACTIVE_RES).annotate(
        **{f"b_{key}": F("care_flags").bitand(bit) for key, bit, _ in CARE_TAGS})
    agg = res.aggregate(
        **{f"k_{k}": Count("id", filter=Q(kind=k)) for k in ResidentKind.values},
        **{key: Count("id", filter=Q(**{f"b_{key}__gt": 0})) for key, _, _ in CARE_TAGS},
        expiring=Count("id", filter=Q(kind=ResidentKind.FLOATING, permit_expiry__lte=today + timedelta(days=30))),
    )
    by_kind = [(label, agg[f"k_{k}"] or 0) for k, label in ResidentKind.choices]
    hh = Household.objects.filter(grid=grid, **ACTIVE_HH).aggregate(
        total=Count("id"), visited=Count("id", filter=Q(last_visited_at__gte=start)),
        care=Count("id", filter=Q(is_care=True)))
    houses = dict(House.objects.filter(grid=grid).values_list("use").annotate(n=Count("id")).order_by())
    total, visited = hh["total"] or 0, hh["visited"] or 0
    return {
        "residents": sum(n for _, n in by_kind),
        "by_kind": by_kind,
        "households": total,
        "visited": visited,
        "coverage": round(100 * visited / total, 1) if total else None,
        "care_households": hh["care"] or 0,
        "care_counts": [(key, label, agg[key] or 0) for key, _, label in CARE_TAGS],
        "houses": [(label, houses.get(k, 0)) for k, label in HouseUse.choices],
        "expiring": agg["expiring"] or 0,
    }


def monthly_coverage(grid: Region, months: int = 6) -> list[tuple[str, int, float | None]]:
    """(month, households visited, coverage %) for the last `months` months, oldest first."""
    start = month_start()
    first = start
    for _ in range(months - 1):
        first = month_start(first - timedelta(days=1))
    rows = (
        Visit.objects.filter(grid=grid, visited_at__gte=first)
        .annotate(month=TruncMonth("visited_at")).values("month")
        .annotate(n=Count("household_id", distinct=True)).order_by()
    )
    counts = {timezone.localtime(r["month"]).strftime("%Y-%m") if isinstance(r["month"], datetime)
              else r["month"].strftime("%Y-%m"): r["n"] for r in rows}
    total = Household.objects.filter(grid=grid, **ACTIVE_HH).count()
    out = []
    m = first
    while m <= start:
        key = m.strftime("%Y-%m")
        n = counts.get(key, 0)
        out.append((key, n, round(100 * n / total, 1) if total else None))
        m = month_start(m + timedelta(days=32))
    return out


def grid_profile_data(grid: Region) -> dict:
    from orgs.models import PartyOrg

    profile = profile_of(grid)
    compounds = list(grid.children.filter(kind=RegionKind.COMPOUND).order_by("sort_order", "name"))
    buildings = list(Region.objects.under(grid.path, include_self=False).filter(kind=RegionKind.BUILDING)
                     .select_related("parent", "building_info").order_by("path"))
    branch = profile.branch if profile.pk else None
    if branch is None:
        branch = PartyOrg.objects.filter(region=grid).first()
    return {
        "profile": profile,
        "assistants": list(profile.assistants.all()) if profile.pk else [],
        "branch": branch,
        "liaisons": list(GridLiaison.objects.filter(grid=grid)),
        "compounds": compounds,
        "buildings": buildings,
        "facilities": list(Facility.objects.filter(grid=grid).order_by("kind", "name")),
        "units": list(GridUnit.objects.filter(grid=grid).select_related("party_org").order_by("kind", "name")),
        "leases": list(RentalLease.objects.filter(grid=grid).select_related("house")
                       .annotate(n_tenants=Count("tenants")).order_by("end_date")[:50]),
        "stats": grid_stats(grid),
        "months": monthly_coverage(grid),
    }


# ---------------------------------------------------------------------------
# Visits
# ---------------------------------------------------------------------------


def households_in_scope(actor, perm: str = GridPerm.VIEW) -> QuerySet[Household]:
    return scope_filter(Household.objects.select_related("house", "grid"), actor, perm)


def not_visited_this_month(qs: QuerySet[Household]) -> QuerySet[Household]:
    return qs.filter(Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=month_start()), **ACTIVE_HH)


def care_overdue(qs: QuerySet[Household], days: int) -> QuerySet[Household]:
    since = timezone.now() - timedelta(days=days)
    return qs.filter(is_care=True, **ACTIVE_HH).filter(Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=since))


def worker_coverage(actor, grids: list[Region]) -> list[dict]:
    """Per worker of these grids: households in their grids, distinct households they visited this month."""
    ids = [g.pk for g in grids]
    profiles = GridProfile.objects.filter(region_id__in=ids).select_related("primary_worker").prefetch_related(
        "assistants")
    grids_of: dict[int, set[int]] = defaultdict(set)
    users = {}
    for p in profiles:
        for u in ([p.primary_worker] if p.primary_worker_id else []) + list(p.assistants.all()):
            grids_of[u.pk].add(p.region_id)
            users[u.pk] = u
    if not users:
        return []
    hh = households_by_grid(ids)
    visited = dict(
        Visit.objects.filter(worker_id__in=list(users), grid_id__in=ids, visited_at__gte=month_start())
        .values("worker_id").annotate(n=Count("household_id", distinct=True)).values_list("worker_id", "n")
        .order_by()
    )
    out = []
    for uid, u in users.items():
        total = sum(hh.get(g, 0) for g in grids_of[uid])
        n = visited.get(uid, 0)
        out.append({"worker": u, "grids": len(grids_of[uid]), "households": total, "visited": n,
                    "coverage": round(100 * n / total, 1) if total else None})
    out.sort(key=lambda d: (d["coverage"] is None, d["coverage"] or 0))
    return out


def today_plan(grid: Region, *, today: date | None = None) -> list[Household]:
    """Today's visit plan: care households first, then the longest unvisited, enough per day to finish the month."""
    now = timezone.localtime()
    today = today or now.date()
    remaining = not_visited_this_month(Household.objects.filter(grid=grid))
    n = remaining.count()
    workdays = rule("visit_days_per_month")
    days_in_month = (month_start(now + timedelta(days=32)) - month_start(now)).days
    left_days = max(1, round(workdays * (days_in_month - today.day + 1) / days_in_month))
    per_day = min(40, max(5, math.ceil(n / left_days))) if n else 0
    return list(
        remaining.select_related("house").order_by("-is_care", F("last_visited_at").asc(nulls_first=True), "id")
        [:per_day]
    )


# ---------------------------------------------------------------------------
# Residents
# ---------------------------------------------------------------------------


_MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def residents_in_scope(actor) -> QuerySet[Resident]:
    return scope_filter(Resident.objects.select_related("household__house", "grid"), actor, GridPerm.VIEW)


def resident_search(actor, *, q: str = "", kind: str = "", care: str = "", grid: int | None = None
                    ) -> QuerySet[Resident]:
    qs = residents_in_scope(actor)
    if grid:
        qs = qs.filter(grid_id=grid)
    if kind:
        qs = qs.filter(kind=kind)
    bit = dict((k, b) for k, b, _ in CARE_TAGS).get(care)
    if bit:
        qs = qs.annotate(care_m=F("care_flags").bitand(bit)).filter(care_m__gt=0)
    q = (q or "").strip()
    if q:
        compact = q.replace(" ", "")
        if len(compact) == 18 and compact[:17].isdigit():
            qs = qs.filter(id_number_hash=blind_index(normalize_id_number(compact), purpose="id_number"))
        elif _MOBILE_RE.fullmatch(mobile := normalize_mobile(compact)):  # a whole mobile number (keyed hash)
            qs = qs.filter(phone_hash=blind_index(mobile, purpose="mobile"))
        elif compact.isascii() and compact.isalpha():
            low = compact.lower()
            qs = qs.filter(Q(name_initials__startswith=low) | Q(name_pinyin__startswith=low))
        elif any("\u4e00" <= c <= "\u9fff" for c in compact) and not any(c.isdigit() for c in compact) \
                and len(compact) <= 4:
            qs = qs.filter(name__startswith=compact)  # indexed (grid, name); a full name or a surname
        else:
            qs = qs.filter(Q(name__contains=compact) | Q(household__house__address__contains=compact))
    return qs.order_by("grid_id", "household_id", "id")


def expiring_permits(actor, days: int = 30) -> QuerySet[Resident]:
    today = timezone.localdate()
    return residents_in_scope(actor).filter(
        **ACTIVE_RES, kind=ResidentKind.FLOATING, permit_expiry__isnull=False,
        permit_expiry__lte=today + timedelta(days=days),
    ).order_by("permit_expiry", "id")


def resident_counter(nodes: list[Region]) -> dict[int, tuple[str, int]]:
    """Residents under community and grid nodes (regions tree browser)."""
    out = {}
    for n in nodes:
        if n.kind == RegionKind.GRID:
            out[n.pk] = ("居民", Resident.objects.filter(grid_id=n.pk, **ACTIVE_RES).count())
        elif n.kind == RegionKind.COMMUNITY:
            out[n.pk] = ("居民", Resident.objects.filter(paths.under("grid__path", n.path), **ACTIVE_RES).count())
    return out


def unit_party_counter(nodes: list[Region]) -> dict[int, tuple[str, int]]:
    """Shops, firms and social organizations with a Party organization, under community and grid nodes."""
    out = {}
    for n in nodes:
        if n.kind not in (RegionKind.GRID, RegionKind.COMMUNITY):
            continue
        qs = GridUnit.objects.filter(paths.under("grid__path", n.path))
        agg = qs.aggregate(total=Count("id"), covered=Count("id", filter=Q(has_party_org=True)))
        if agg["total"]:
            out[n.pk] = (f"网格内单位已建党组织（共 {agg['total']} 家）", agg["covered"])
    return out


# ---------------------------------------------------------------------------
# The map (一张图)
# ---------------------------------------------------------------------------

MetricFn = Callable[[list[int]], dict[int, float | int | None]]


@dataclass(frozen=True)
class MapMetric:
    key: str
    label: str
    fn: MetricFn
    unit: str = ""
    higher_is_better: bool = False


def tile_config() -> dict:
    """GRID_MAP_TILES = {"url": "...{z}/{x}/{y}.png", "crs": "gcj02", "attribution": "..."}; none by default."""
    cfg = getattr(settings, "GRID_MAP_TILES", None) or {}
    if not cfg.get("url"):
        return {"url": "", "crs": coords.WGS84, "attribution": "", "max_zoom": 18}
    crs = cfg.get("crs", coords.WGS84)
    return {"url": cfg["url"], "crs": crs if crs in coords.SYSTEMS else coords.WGS84,
            "attribution": cfg.get("attribution", ""), "max_zoom": int(cfg.get("max_zoom") or 18)}


MAX_POINTS = 3000


# The grid's own metrics; the map page (dashboards.selectors.map) adds those of other domains.
GRID_METRICS = (
    MapMetric("residents", "居民人数", residents_by_grid, "人"),
    MapMetric("care", "关爱对象户数", care_households_by_grid, "户"),
    MapMetric("coverage", "本月走访覆盖率", coverage_by_grid, "%", True),
)


def map_geojson(actor, *, region: Region | None, metric: MapMetric, crs: str = coords.WGS84,
                with_points: bool = True) -> dict:
    """Grid polygons (coloured by `metric`), buildings and facilities under `region`, inside the scope."""
    grids = visible_grids(actor)
    if region is not None:
        grids = grids.filter(paths.under("path", region.path))
    grid_list = with_parents(list(grids.order_by("path")[:5000]))
    ids = [g.pk for g in grid_list]
    m = metric
    values = m.fn(ids)
    profiles = {p.region_id: p for p in GridProfile.objects.filter(region_id__in=ids).only(
        "region_id", "boundary", "code", "center_lat", "center_lng")}
    features = []
    for g in grid_list:
        p = profiles.get(g.pk)
        if not p or not p.boundary:
            continue
        try:
            geometry = json.loads(p.boundary)
        except ValueError:
            continue
        features.append({
            "type": "Feature",
            "geometry": coords.convert_geometry(geometry, dst=crs),
            "properties": {"layer": "grid", "id": g.pk, "name": g.name, "community": g.parent.name,
                           "community_id": g.parent_id,
                           "code": p.code, "value": values.get(g.pk), "url": f"/grid/{g.pk}/",
                           "center": (None if p.center_lat is None or p.center_lng is None else
                                      [round(v, 6) for v in coords.convert(p.center_lng, p.center_lat,
                                                                           src=coords.WGS84, dst=crs)])},
        })
    if with_points and region is not None and region.kind in (RegionKind.COMMUNITY, RegionKind.GRID):
        blds = scope_filter(
            Region.objects.under(region.path).filter(kind=RegionKind.BUILDING, building_info__isnull=False)
            .select_related("building_info", "parent"), actor, GridPerm.VIEW)[:MAX_POINTS]
        for b in blds:
            lng, lat = coords.convert(b.building_info.lng, b.building_info.lat, src=coords.WGS84, dst=crs)
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lng, lat]},
                             "properties": {"layer": "building", "id": b.pk, "name": f"{b.parent.name}{b.name}"}})
        facs = Facility.objects.filter(grid_id__in=ids)[:MAX_POINTS]
        for f in facs:
            lng, lat = coords.convert(f.lng, f.lat, src=coords.WGS84, dst=crs)
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lng, lat]},
                             "properties": {"layer": "facility", "id": f.pk, "name": f.name, "kind": f.kind,
                                            "kind_label": f.get_kind_display(), "state": f.state,
                                            "state_label": f.get_state_display()}})
    return {"type": "FeatureCollection", "crs_name": crs, "metric": m.key, "metric_label": m.label,
            "unit": m.unit, "higher_is_better": m.higher_is_better, "features": features}


def can_edit_grid(actor, grid: Region) -> bool:
    return has_perm_at(actor, GridPerm.EDIT, grid.path)


# --- things and organizations, by hand ---
# Reads for the facility, unit and liaison pages (views_things.py) and the coverage lines of the
# grid units (shown on the tree page with the organizations' own: dashboards.selectors.tree).

THINGS_WRITE_PERMS = (GridPerm.EDIT, GridPerm.VISIT)


def can_write_things(actor, grid: Region) -> bool:
    """Facilities and units: grid.edit or grid.visit at the grid (a worker their grid, staff their community)."""
    return any(has_perm_at(actor, perm, grid.path) for perm in THINGS_WRITE_PERMS)


def things_writable(qs: QuerySet, actor) -> QuerySet:
    """Rows the actor may write facilities and units in (union of the grid.edit and grid.visit scopes)."""
    from accounts.scope import scope_q

    field = qs.model.scope_path_field
    parts = [scope_q(actor, perm, field) for perm in THINGS_WRITE_PERMS]
    if any(q is None for q in parts):
        return qs
    combined = Q(pk__in=[])
    for q in parts:
        combined |= q
    return qs.filter(combined)


def writable_grids(actor) -> QuerySet[Region]:
    return things_writable(Region.objects.filter(kind=RegionKind.GRID), actor)


def _under_region(qs: QuerySet, region: Region | None, field: str = "grid__path") -> QuerySet:
    if region is None:
        return qs
    return qs.filter(paths.under(field, region.path))


BROKEN = "broken"  # filter value: every state but normal


def facility_list(actor, *, region: Region | None = None, kind: str = "", state: str = "") -> QuerySet[Facility]:
    from .models import FacilityKind, FacilityState

    qs = _under_region(scoped(Facility.objects.select_related("grid"), actor), region)
    if kind in FacilityKind.values:
        qs = qs.filter(kind=kind)
    if state == BROKEN:
        qs = qs.exclude(state=FacilityState.NORMAL)
    elif state in FacilityState.values:
        qs = qs.filter(state=state)
    return qs.order_by("grid_id", "kind", "name", "id")


def facility_state_notes(facility_ids: list[int]) -> dict[int, object]:
    """The latest state change (an audit entry: when, who, note) of each facility."""
    from audit.models import AuditAction, AuditEntry

    if not facility_ids:
        return {}
    out: dict[int, object] = {}
    entries = AuditEntry.objects.filter(object_type="grid.facility", action=AuditAction.TRANSITION,
                                        object_id__in=[str(i) for i in facility_ids]
                                        ).select_related("actor").order_by("-at", "-id")
    for e in entries[: 20 * len(facility_ids)]:
        out.setdefault(int(e.object_id), e)
    return out


def facility_history(facility: Facility, limit: int = 50) -> list:
    from audit.models import AuditEntry

    return list(AuditEntry.objects.filter(object_type="grid.facility", object_id=str(facility.pk))
                .select_related("actor").order_by("-at", "-id")[:limit])


def unit_list(actor, *, region: Region | None = None, kind: str = "", party: str = "") -> QuerySet[GridUnit]:
    from .models import UnitKind

    qs = _under_region(scoped(GridUnit.objects.select_related("grid", "party_org"), actor), region)
    if kind in UnitKind.values:
        qs = qs.filter(kind=kind)
    if party in ("yes", "no"):
        qs = qs.filter(has_party_org=(party == "yes"))
    return qs.order_by("grid_id", "kind", "name", "id")


def unit_coverage(region: Region) -> list:
    """Coverage lines (orgs.selectors.CoverageLine): shops and firms, and social organizations,
    in the grids under `region`, with a Party organization."""
    from orgs.selectors import CoverageLine

    from .models import UnitKind

    if region.kind in (RegionKind.COMPOUND, RegionKind.BUILDING):
        return []
    econ, social = [UnitKind.SHOP, UnitKind.FIRM], [UnitKind.SOCIAL]
    agg = _under_region(GridUnit.objects.all(), region).aggregate(
        econ=Count("id", filter=Q(kind__in=econ)),
        econ_cov=Count("id", filter=Q(kind__in=econ, has_party_org=True)),
        social=Count("id", filter=Q(kind__in=social)),
        social_cov=Count("id", filter=Q(kind__in=social, has_party_org=True)),
    )
    return [
        CoverageLine("网格内商户、企业党组织覆盖", agg["econ"] or 0, agg["econ_cov"] or 0),
        CoverageLine("网格内社会组织党组织覆盖", agg["social"] or 0, agg["social_cov"] or 0),
    ]


def liaison_rule(grid: Region) -> dict:
    """The 1:500 rule for one grid: residents, liaisons needed, liaisons present."""
    per = rule("residents_per_liaison")
    residents = active_residents(grid)
    need = liaisons_needed(residents, per)
    have = GridLiaison.objects.filter(grid=grid).count()
    return {"residents": residents, "per": per, "need": need, "have": have, "short": max(0, need - have),
            "ok": have >= need}
