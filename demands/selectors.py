"""Reads of demands that depend on who asks (all through the data scope), and statistics."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.scope import get_in_scope_or_404, scope_filter
from core import treepaths as paths
from regions.models import Region, RegionKind

from .models import OPEN_STATES, Category, Demand, Escalation, HandlingUnit, Satisfaction, State
from .rules import DUPLICATE_RADIUS_M, DemandPerm, duplicate_window_days


def visible_demands(actor, perm: str = DemandPerm.VIEW) -> QuerySet[Demand]:
    return scope_filter(Demand.objects.select_related("category", "region", "assignee_user", "assignee_unit"),
                        actor, perm)


def demand_get(actor, pk: int, perm: str = DemandPerm.VIEW) -> Demand:
    return get_in_scope_or_404(
        Demand.objects.select_related("category", "region", "assignee_user", "assignee_unit", "duplicate_of"),
        actor, perm, pk=pk,
    )


def demand_list(actor, *, state: str = "", channel: str = "", category: str = "", overdue: bool = False,
                q: str = "", region: Region | None = None, since=None, until=None,
                escalated: bool = False) -> QuerySet[Demand]:
    """Demands the actor sees, filtered; `since`/`until` are local dates of submission (inclusive)."""
    qs = visible_demands(actor)
    if region is not None:
        qs = qs.filter(paths.under("region__path", region.path))
    tz = timezone.get_current_timezone()
    if since is not None:
        qs = qs.filter(submitted_at__gte=datetime(since.year, since.month, since.day, tzinfo=tz))
    if until is not None:
        end = until + timedelta(days=1)
        qs = qs.filter(submitted_at__lt=datetime(end.year, end.month, end.day, tzinfo=tz))
    if escalated:
        qs = qs.filter(escalation__gt=0)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state in State.values:
        qs = qs.filter(state=state)
    if channel:
        qs = qs.filter(channel=channel)
    if category:
        qs = qs.filter(category__code=category)
    if overdue:
        qs = qs.filter(state__in=OPEN_STATES, handling_due__lt=timezone.now())
    if q:
        # `contains` (LIKE '%q%') is answered on PostgreSQL by the trigram indexes (pg_trgm, GIN) of
        # dashboards/migrations/0002; `icontains` (UPPER(..) LIKE) is not, and Chinese has no case.
        qs = qs.filter(Q(title__contains=q) | Q(tracking_code=q.upper()) | Q(address__contains=q))
    return qs


def queue_nodes(actor) -> list[int]:
    """Ids of the nodes where the actor holds a role that handles demands: the demands taken in
    there and not yet given to anyone wait in the actor's queue."""
    from accounts.roles import ROLE_PERMISSIONS

    roles = [role for role, perms in ROLE_PERMISSIONS.items() if DemandPerm.HANDLE in perms]
    return list(actor.role_assignments.filter(role__in=roles, region__isnull=False)
                .values_list("region_id", flat=True)) if actor.is_authenticated else []


def handler_queue(actor) -> QuerySet[Demand]:
    """The handler's open work, most urgent first: demands given to them, and new demands at their
    node that nobody has been given yet (to accept or dispatch)."""
    waiting = Q(assignee_user__isnull=True, assignee_unit__isnull=True,
                state__in=[State.SUBMITTED, State.ACCEPTED], region_id__in=queue_nodes(actor))
    return (Demand.objects.select_related("category", "region")
            .filter(Q(assignee_user=actor, state__in=OPEN_STATES) | waiting, duplicate_of__isnull=True)
            .order_by("handling_due", "id"))


def overdue_list(actor, node: Region, *, now: datetime | None = None) -> QuerySet[Demand]:
    now = now or timezone.now()
    return (visible_demands(actor, DemandPerm.VIEW)
            .filter(paths.under("region__path", node.path), state__in=OPEN_STATES, handling_due__lt=now)
            .order_by("handling_due", "id"))


def escalation_list(actor, level: int) -> QuerySet[Demand]:
    return (visible_demands(actor, DemandPerm.VIEW)
            .filter(escalation=level, state__in=[*OPEN_STATES]).order_by("handling_due", "id"))


def dispatch_targets(actor, demand: Demand) -> dict[str, list]:
    """Nodes (grid/community/street) and units the actor may dispatch this demand to."""
    base = scope_filter(Region.objects.all(), actor, DemandPerm.HANDLE)
    street = demand.region if demand.region.kind == RegionKind.STREET else Region.objects.filter(
        id__in=paths.ancestor_ids(demand.region.path), kind=RegionKind.STREET).first()
    anchor = street or demand.region
    nodes = list(base.under(anchor.path).filter(kind__in=[RegionKind.STREET, RegionKind.COMMUNITY, RegionKind.GRID])
                 .select_related("parent").order_by("path")[:500])
    units = list(scope_filter(HandlingUnit.objects.filter(active=True), actor, DemandPerm.VIEW)[:200])
    return {"nodes": nodes, "units": units}


def suggested_grid(demand: Demand, targets: dict | None) -> tuple[Region, str] | None:
    """(grid, reason) to dispatch to, found from the demand's location or address, when it is one of
    the actor's dispatch targets; None otherwise."""
    from .routing import locate_grid

    if not targets or demand.region.kind == RegionKind.GRID:
        return None
    grid, why = locate_grid(demand.region, lat=demand.lat, lng=demand.lng, address=demand.address)
    if grid is None or all(n.pk != grid.pk for n in targets["nodes"]):
        return None
    return grid, why


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def duplicate_candidates(actor, demand: Demand, *, radius_m: float = DUPLICATE_RADIUS_M,
                         days: int | None = None) -> list[tuple[Demand, float]]:
    """Same category, within `radius_m`, submitted in the last `days` days: a bounding box in SQL
    (works on both databases), then the exact great-circle distance in Python."""
    if demand.lat is None or demand.lng is None:
        return []
    days = duplicate_window_days() if days is None else days
    dlat = radius_m / 111_320.0
    dlng = radius_m / (111_320.0 * max(math.cos(math.radians(demand.lat)), 0.01))
    since = demand.submitted_at - timezone.timedelta(days=days)
    qs = (visible_demands(actor).filter(
        category_id=demand.category_id, lat__gte=demand.lat - dlat, lat__lte=demand.lat + dlat,
        lng__gte=demand.lng - dlng, lng__lte=demand.lng + dlng,
        submitted_at__gte=since, submitted_at__lte=demand.submitted_at + timezone.timedelta(days=days),
        duplicate_of__isnull=True,
    ).exclude(pk=demand.pk)[:50])
    found = [(d, haversine_m(demand.lat, demand.lng, d.lat, d.lng)) for d in qs]
    return sorted([(d, m) for d, m in found if m <= radius_m], key=lambda t: t[1])


def open_counts_by_grid(grid_ids) -> dict[int, int]:
    """{grid id: open demands under it} (for the grid app's map). Not scoped: pass ids the
    caller may see."""
    grids = list(Region.objects.filter(pk__in=list(grid_ids)).values_list("pk", "path"))
    if not grids:
        return {}
    result = dict.fromkeys([g for g, _ in grids], 0)
    q = paths.under_any("region__path", [path for _, path in grids])
    rows = (Demand.objects.filter(q, state__in=OPEN_STATES).values("region__path")
            .annotate(n=Count("id")))
    by_path = {p: g for g, p in grids}
    lengths = sorted({len(p) for p in by_path})
    for row in rows:
        for n in lengths:
            gid = by_path.get(row["region__path"][:n])
            if gid is not None:
                result[gid] += row["n"]
                break
    return result


# ---------------------------------------------------------------- statistics

def _in_node(qs, node: Region):
    return qs.filter(paths.under("region__path", node.path))


def _node_demands(actor, node: Region, perm: str) -> QuerySet[Demand]:
    """Demands under `node` and inside the actor's scope, filtered by the list of region ids
    (taken from the tree with the scope applied) rather than through a join: the planner then
    probes the (region, submitted_at) index per node instead of scanning a month of the city."""
    nodes = scope_filter(Region.objects.under(node.path),
                         actor, perm)
    ids = list(nodes.values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands of IN placeholders: three times faster to plan.
        return Demand.objects.extra(where=['"demands_demand"."region_id" = ANY(%s)'], params=[ids])
    return Demand.objects.filter(region_id__in=ids)


def three_rates(actor, node: Region, start: datetime, end: datetime) -> dict:
    """Response rate (responded before the response deadline), resolution rate (handled or
    closed, not by merging), satisfaction rate (satisfied + basically among rated): one query."""
    qs = _node_demands(actor, node, DemandPerm.STATS).filter(submitted_at__gte=start, submitted_at__lt=end)
    from django.db.models import F

    agg = qs.aggregate(
        total=Count("id"),
        responded=Count("id", filter=Q(responded_at__isnull=False, responded_at__lte=F("response_due"))),
        resolved=Count("id", filter=Q(handled_at__isnull=False)),
        on_time=Count("id", filter=Q(handled_at__isnull=False, handled_at__lte=F("handling_due"))),
        rated=Count("id", filter=~Q(satisfaction="")),
        satisfied=Count("id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
        overdue=Count("id", filter=Q(overdue=True)),
    )
    t = agg["total"]
    agg["response_rate"] = agg["responded"] / t if t else None
    agg["resolution_rate"] = agg["resolved"] / t if t else None
    agg["on_time_rate"] = agg["on_time"] / agg["resolved"] if agg["resolved"] else None
    agg["satisfaction_rate"] = agg["satisfied"] / agg["rated"] if agg["rated"] else None
    return agg


def period_bounds(period: str, today=None) -> tuple[datetime, datetime, str]:
    """'month' | 'quarter' | 'year' | 'YYYY-MM' → [start, end) in local time, and a label."""
    tz = timezone.get_current_timezone()
    today = today or timezone.localdate()
    if len(period) == 7 and period[4] == "-":
        y, m = int(period[:4]), int(period[5:])
        start = datetime(y, m, 1, tzinfo=tz)
        label = f"{y}年{m}月"
    elif period == "quarter":
        qm = (today.month - 1) // 3 * 3 + 1
        start = datetime(today.year, qm, 1, tzinfo=tz)
        label = f"{today.year}年第{(qm + 2) // 3}季度"
    elif period == "year":
        start = datetime(today.year, 1, 1, tzinfo=tz)
        label = f"{today.year}年"
    else:
        start = datetime(today.year, today.month, 1, tzinfo=tz)
        label = f"{today.year}年{today.month}月"
    months = {"quarter": 3, "year": 12}.get(period, 1)
    y, m = start.year, start.month + months
    while m > 12:
        y, m = y + 1, m - 12
    return start, datetime(y, m, 1, tzinfo=tz), label


def shrunk_rate(good: int, n: int, prior: float, weight: float = 10.0) -> float:
    """Bayesian (beta-prior) shrinkage: a community with few demands sits near the overall rate,
    so one outlier cannot put it first or last."""
    return (good + prior * weight) / (n + weight)


def statistics_for(actor, node: Region, start: datetime, end: datetime) -> dict:
    qs = _node_demands(actor, node, DemandPerm.STATS).filter(submitted_at__gte=start, submitted_at__lt=end)
    rates = three_rates(actor, node, start, end)
    by_channel = list(qs.values("channel").annotate(n=Count("id")).order_by("-n"))
    by_category = list(qs.values("category__name").annotate(n=Count("id")).order_by("-n")[:10])
    durations = [
        (h - s).total_seconds() / 60
        for s, h in qs.filter(handled_at__isnull=False).values_list("submitted_at", "handled_at")[:50000]
    ]
    median_minutes = statistics.median(durations) if durations else None
    cells: Counter = Counter()
    for lat, lng in qs.filter(lat__isnull=False).values_list("lat", "lng")[:20000]:
        cells[(round(lat, 3), round(lng, 3))] += 1
    hot_spots = [{"lat": k[0], "lng": k[1], "n": n} for k, n in cells.most_common(50)]
    return {
        "rates": rates, "by_channel": by_channel, "by_category": by_category, "median_minutes": median_minutes,
        "hot_spots": hot_spots, "ranking": community_ranking(qs, node),
    }


def community_ranking(qs, node: Region) -> list[dict]:
    """Communities under `node`, ranked by a composite of shrunk resolution and satisfaction
    rates (each pulled toward the node's overall rate in proportion to how few demands it has)."""
    communities = list(Region.objects.under(node.path).filter(kind=RegionKind.COMMUNITY)
                       .values_list("pk", "path", "name"))
    if not communities:
        return []
    plen = len(communities[0][1])
    rows = (qs.values("region__path")
            .annotate(n=Count("id"), resolved=Count("id", filter=Q(handled_at__isnull=False)),
                      rated=Count("id", filter=~Q(satisfaction="")),
                      good=Count("id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC]))))
    agg: dict[str, dict] = defaultdict(lambda: {"n": 0, "resolved": 0, "rated": 0, "good": 0})
    for r in rows:
        key = r["region__path"][:plen]
        for k in ("n", "resolved", "rated", "good"):
            agg[key][k] += r[k]
    tot = {k: sum(a[k] for a in agg.values()) for k in ("n", "resolved", "rated", "good")}
    prior_res = tot["resolved"] / tot["n"] if tot["n"] else 0.0
    prior_sat = tot["good"] / tot["rated"] if tot["rated"] else 0.0
    out = []
    for pk, path, name in communities:
        a = agg.get(path, {"n": 0, "resolved": 0, "rated": 0, "good": 0})
        res = shrunk_rate(a["resolved"], a["n"], prior_res)
        sat = shrunk_rate(a["good"], a["rated"], prior_sat)
        out.append({
            "id": pk, "name": name, "n": a["n"],
            "raw_resolution": a["resolved"] / a["n"] if a["n"] else None,
            "raw_satisfaction": a["good"] / a["rated"] if a["rated"] else None,
            "score": round(100 * (0.5 * res + 0.5 * sat), 1),
        })
    out.sort(key=lambda r: (-r["score"], r["name"]))
    for i, r in enumerate(out, 1):
        r["rank"] = i
    return out


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True)


def escalation_counts(actor) -> dict[int, int]:
    rows = (visible_demands(actor).filter(state__in=OPEN_STATES, escalation__gt=0)
            .values("escalation").annotate(n=Count("id")))
    out = dict.fromkeys([e.value for e in Escalation if e.value], 0)
    for r in rows:
        out[r["escalation"]] = r["n"]
    return out


# ---------------------------------------------------------------- work calendar

CALENDAR_FIRST_YEAR = 2000


def calendar_view_years(today=None) -> tuple[int, int]:
    """Years the calendar page shows: from 2000 to next year."""
    return CALENDAR_FIRST_YEAR, (today or timezone.localdate()).year + 1


def calendar_year(year: int) -> dict:
    """The entries of one year and its twelve month grids (Monday first) for the page.
    Not scoped: the calendar is the deployment's, and every reader of demands may see it."""
    import calendar as pycal

    from .models import WorkCalendarDay

    entries = list(WorkCalendarDay.objects.filter(date__year=year).select_related("created_by").order_by("date"))
    by_day = {e.date: e for e in entries}
    months = []
    for m in range(1, 13):
        weeks = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, m):
            cells = []
            for d in week:
                if d.month != m:
                    cells.append(None)
                    continue
                e = by_day.get(d)
                kind = e.kind if e else ("weekend" if d.weekday() >= 5 else "")
                cells.append({"day": d.day, "date": d, "kind": kind, "name": e.name if e else ""})
            weeks.append(cells)
        months.append({"month": m, "weeks": weeks})
    off = sum(1 for e in entries if not e.is_workday)
    return {"entries": entries, "months": months, "days_off": off, "workdays": len(entries) - off,
            "today": timezone.localdate()}
