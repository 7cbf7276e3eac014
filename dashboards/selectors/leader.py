"""The leaders' dashboard of one node for a date range: totals, the previous period of the same
length, the breakdown by the node's children (drill-down), daily series and hot categories.

County and street dashboards read the rollup tables (dashboards.rollup); a community's or a grid's
is counted live from its own small subtree down to the grids. The actor must hold the dashboard
permission at the node itself (then every record under it is theirs to count)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Sum
from django.utils import timezone

from accounts.scope import get_in_scope_or_404, scope_paths
from regions.models import Region, RegionKind

from .. import rollup
from ..models import CategoryDay, DayFigures, NodeFigures

DASH_VIEW = "dashboards.view"
LIVE = {RegionKind.COMMUNITY, RegionKind.GRID}
CHILD_KIND = {RegionKind.DISTRICT: RegionKind.STREET, RegionKind.STREET: RegionKind.COMMUNITY,
              RegionKind.COMMUNITY: RegionKind.GRID}
MAX_RANGE_DAYS = 366 * 3


@dataclass
class ChildRow:
    region: Region
    days: Counter
    stock: Counter

    @property
    def resolution_rate(self):
        return _rate(self.days, "resolved", "demands")

    @property
    def satisfaction_rate(self):
        return _rate(self.days, "satisfied", "rated")

    @property
    def visit_coverage(self):
        return _ratio(self.stock["households_visited"], self.stock["households"])


@dataclass
class Board:
    node: Region
    start: date
    end: date
    prev_start: date
    prev_end: date
    days: Counter
    prev: Counter
    stock: Counter
    children: list[ChildRow]
    series: list[tuple[date, int, int]]          # (day, demands, visits)
    prev_series: list[int]                        # demands per day of the previous period
    categories: list[tuple[int, str, str, int]]   # (category id, code, name, demands)
    live: bool
    refreshed_at: object | None = None
    rates: dict = field(default_factory=dict)


def _ratio(a: int, b: int):
    return a / b if b else None


def _rate(c: Counter, good: str, total: str):
    return _ratio(c[good], c[total])


def rates_of(c: Counter) -> dict:
    return {"response": _rate(c, "responded", "demands"), "resolution": _rate(c, "resolved", "demands"),
            "satisfaction": _rate(c, "satisfied", "rated")}


def dashboard_nodes(actor) -> list[Region]:
    """The nodes the actor may open a dashboard of at the top: their scope roots."""
    roots = scope_paths(actor, DASH_VIEW)
    qs = Region.objects.filter(kind__in=[RegionKind.DISTRICT, RegionKind.STREET, RegionKind.COMMUNITY,
                                         RegionKind.GRID])
    if roots is None:
        return list(qs.filter(parent__isnull=True))
    return list(qs.filter(path__in=roots).order_by("path"))


def dashboard_node(actor, pk: int) -> Region:
    return get_in_scope_or_404(Region.objects.filter(kind__in=list(rollup.LIVE_KINDS)), actor, DASH_VIEW, pk=pk)


def default_range(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today.replace(day=1), today


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before (a whole month before a whole month)."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        pe = start - timedelta(days=1)
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        y, m = pe.year, pe.month - months + 1
        while m < 1:
            y, m = y - 1, m + 12
        return date(y, m, 1), pe
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def _sum_days(qs) -> Counter:
    agg = qs.aggregate(**{f: Sum(f) for f in DayFigures.FIGURES})
    return Counter({k: v or 0 for k, v in agg.items()})


def _stored(node: Region, start: date, end: date, ps: date, pe: date) -> Board:
    in_range = {"day__gte": start, "day__lte": end}
    days = _sum_days(DayFigures.objects.filter(region=node, **in_range))
    prev = _sum_days(DayFigures.objects.filter(region=node, day__gte=ps, day__lte=pe))
    stock_row = NodeFigures.objects.filter(region=node).values(*NodeFigures.FIGURES).first() or {}
    child_regions = list(Region.objects.filter(parent=node).order_by("sort_order", "name"))
    by_child: dict[int, Counter] = {r.pk: Counter() for r in child_regions}
    for row in (DayFigures.objects.filter(parent_id=node.pk, **in_range).values("region_id")
                .annotate(**{f: Sum(f) for f in DayFigures.FIGURES}).order_by()):
        pk = row.pop("region_id")
        by_child[pk] = Counter({k: v or 0 for k, v in row.items()})
    stocks = {row["region_id"]: Counter({k: row[k] for k in NodeFigures.FIGURES}) for row in
              NodeFigures.objects.filter(parent_id=node.pk).values("region_id", *NodeFigures.FIGURES)}
    daily = {d: (n, v) for d, n, v in DayFigures.objects.filter(region=node, **in_range)
             .values_list("day", "demands", "visits")}
    prev_daily = dict(DayFigures.objects.filter(region=node, day__gte=ps, day__lte=pe)
                      .values_list("day", "demands"))
    cats = list(CategoryDay.objects.filter(region=node, **in_range).values("category_id", "category__code",
                                                                           "category__name")
                .annotate(n=Sum("demands")).order_by("-n", "category__name")[:10])
    run = rollup.last_run()
    return _board(node, start, end, ps, pe, days, prev, Counter(stock_row), child_regions, by_child, stocks,
                  daily, prev_daily, [(c["category_id"], c["category__code"], c["category__name"], c["n"])
                                      for c in cats], live=False, refreshed_at=run.finished_at if run else None)


def _live(node: Region, start: date, end: date, ps: date, pe: date) -> Board:
    counted = rollup.count_figures(node, rollup.LIVE_KINDS, min(start, ps), end)
    days, prev = Counter(), Counter()
    daily: dict[date, tuple[int, int]] = {}
    prev_daily: dict[date, int] = {}
    child_regions = list(Region.objects.filter(parent=node, kind__in=list(rollup.LIVE_KINDS))
                         .order_by("sort_order", "name"))
    by_child: dict[int, Counter] = {r.pk: Counter() for r in child_regions}
    for (pk, day), c in counted.days.items():
        if start <= day <= end:
            if pk == node.pk:
                days.update(c)
                daily[day] = (c["demands"], c["visits"])
            elif pk in by_child:
                by_child[pk].update(c)
        elif ps <= day <= pe and pk == node.pk:
            prev.update(c)
            prev_daily[day] = c["demands"]
    cat_totals: Counter = Counter()
    for (pk, day, cat), n in counted.categories.items():
        if pk == node.pk and start <= day <= end:
            cat_totals[cat] += n
    from demands.models import Category

    names = {c.pk: c for c in Category.objects.filter(pk__in=list(cat_totals))}
    cats = sorted(((pk, names[pk].code, names[pk].name, n) for pk, n in cat_totals.items() if pk in names),
                  key=lambda x: (-x[3], x[2]))[:10]
    stocks = {pk: counted.nodes.get(pk, Counter()) for pk in by_child}
    return _board(node, start, end, ps, pe, days, prev, counted.nodes.get(node.pk, Counter()), child_regions,
                  by_child, stocks, daily, prev_daily, cats, live=True, refreshed_at=timezone.now())


def _board(node, start, end, ps, pe, days, prev, stock, child_regions, by_child, stocks, daily, prev_daily, cats,
           *, live, refreshed_at) -> Board:
    series = []
    d = start
    while d <= end:
        n, v = daily.get(d, (0, 0))
        series.append((d, n, v))
        d += timedelta(days=1)
    prev_series = []
    d = ps
    while d <= pe:
        prev_series.append(prev_daily.get(d, 0))
        d += timedelta(days=1)
    children = [ChildRow(r, by_child.get(r.pk, Counter()), Counter(stocks.get(r.pk, {}))) for r in child_regions]
    board = Board(node=node, start=start, end=end, prev_start=ps, prev_end=pe, days=days, prev=prev,
                  stock=stock, children=children, series=series, prev_series=prev_series, categories=cats,
                  live=live, refreshed_at=refreshed_at)
    board.rates = {"now": rates_of(days), "prev": rates_of(prev)}
    return board


def dashboard(node: Region, start: date, end: date) -> Board:
    """The dashboard of `node` (already checked against the actor's scope) for [start, end]."""
    ps, pe = previous_range(start, end)
    if node.kind in LIVE:
        return _live(node, start, end, ps, pe)
    return _stored(node, start, end, ps, pe)


def dashboard_live(node: Region, start: date, end: date) -> Board:
    """The same board counted from the records (the bench's peer; any node)."""
    ps, pe = previous_range(start, end)
    return _live(node, start, end, ps, pe)
