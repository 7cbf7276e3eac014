"""The figures of the leaders' dashboards, counted from the records of every domain.

One counting function (`count_figures`) serves two callers:
- `rollup_refresh` counts the whole territory down to the communities and stores the result in the
  rollup tables (dashboards.models), so that the county and street dashboards read a few hundred
  rows whatever the size of the city;
- a community's or a grid's dashboard counts its own small subtree live, down to the grids.

Records hang on nodes of any depth (a demand on a building, a visit on a grid, a deed on a
community); each record counts for every node of its chain (its ancestors of the counted kinds and
itself). Not scoped: callers check that the actor may see the whole node (dashboards.selectors)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from core import treepaths as paths
from regions.models import Region, RegionKind

from .models import CategoryDay, DayFigures, NodeFigures, RollupRun

STORED_KINDS = (RegionKind.DISTRICT, RegionKind.STREET, RegionKind.COMMUNITY)
LIVE_KINDS = (RegionKind.DISTRICT, RegionKind.STREET, RegionKind.COMMUNITY, RegionKind.GRID)
# Days recounted by an incremental refresh besides those of the changed records: meetings marked
# held carry no change time.
RECENT_DAYS = 31


@dataclass
class Counted:
    days: dict[tuple[int, date], Counter] = field(default_factory=lambda: defaultdict(Counter))
    categories: dict[tuple[int, date, int], int] = field(default_factory=lambda: defaultdict(int))
    nodes: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    parents: dict[int, int | None] = field(default_factory=dict)


class Chains:
    """{region id: ids of the counted nodes it counts for}, from one read of the (sub)tree."""

    def __init__(self, root: Region | None, kinds):
        qs = Region.objects.all() if root is None else Region.objects.under(root.path)
        self.kinds = {str(k) for k in kinds}
        self.rows = {pk: (path, kind, parent) for pk, path, kind, parent in
                     qs.values_list("pk", "path", "kind", "parent_id")}
        self.root_path = root.path if root else ""
        self.kind_of = {pk: kind for pk, (_, kind, _) in self.rows.items()}
        self._cache: dict[int, tuple[int, ...]] = {}

    def counted(self) -> list[int]:
        return [pk for pk, (_, kind, _) in self.rows.items() if kind in self.kinds]

    def parent_of(self, pk: int) -> int | None:
        return self.rows[pk][2]

    def __call__(self, region_id: int) -> tuple[int, ...]:
        chain = self._cache.get(region_id)
        if chain is None:
            row = self.rows.get(region_id)
            if row is None:
                chain = ()
            else:
                ids = paths.ancestor_ids(row[0]) + [region_id]
                chain = tuple(i for i in ids if self.kind_of.get(i) in self.kinds)
            self._cache[region_id] = chain
        return chain


def _local_day_bounds(days: list[date]) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    lo, hi = min(days), max(days) + timedelta(days=1)
    return datetime(lo.year, lo.month, lo.day, tzinfo=tz), datetime(hi.year, hi.month, hi.day, tzinfo=tz)


def _under(qs, root: Region | None, field_name: str):
    if root is None:
        return qs
    return qs.filter(**{f"{field_name}__gte": root.path, f"{field_name}__lt": paths.upper_bound(root.path)})


def count_days(root: Region | None, chains: Chains, start: date, end: date, out: Counted,
               only_days: set[date] | None = None) -> None:
    """Flows per (node, day) for days in [start, end] (and, if given, only those in `only_days`)."""
    from cobuild.models import Deed, Pairing
    from demands.models import Demand, Satisfaction
    from grid.models import Visit
    from meetings.models import Meeting, MeetingStatus

    tz = timezone.get_current_timezone()
    t0 = datetime(start.year, start.month, start.day, tzinfo=tz)
    e1 = end + timedelta(days=1)
    t1 = datetime(e1.year, e1.month, e1.day, tzinfo=tz)

    def add(region_id, day, values: dict):
        if only_days is not None and day not in only_days:
            return
        for node in chains(region_id):
            c = out.days[(node, day)]
            for k, v in values.items():
                if v:
                    c[k] += v

    demands = _under(Demand.objects.filter(submitted_at__gte=t0, submitted_at__lt=t1), root, "region__path")
    for row in (demands.annotate(day=TruncDate("submitted_at")).values("region_id", "day").annotate(
            demands=Count("id"),
            responded=Count("id", filter=Q(responded_at__isnull=False, responded_at__lte=F("response_due"))),
            resolved=Count("id", filter=Q(handled_at__isnull=False)),
            rated=Count("id", filter=~Q(satisfaction="")),
            satisfied=Count("id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
            overdue=Count("id", filter=Q(overdue=True)),
            escalated=Count("id", filter=Q(escalation__gt=0))).order_by()):
        region_id, day = row.pop("region_id"), row.pop("day")
        add(region_id, day, row)
    for region_id, day, cat, n in (demands.annotate(day=TruncDate("submitted_at"))
                                   .values_list("region_id", "day", "category_id").annotate(n=Count("id"))
                                   .order_by()):
        if only_days is not None and day not in only_days:
            continue
        for node in chains(region_id):
            out.categories[(node, day, cat)] += n
    visits = _under(Visit.objects.filter(visited_at__gte=t0, visited_at__lt=t1), root, "grid__path")
    for region_id, day, n in (visits.annotate(day=TruncDate("visited_at")).values_list("grid_id", "day")
                              .annotate(n=Count("id")).order_by()):
        add(region_id, day, {"visits": n})
    deeds = _under(Deed.objects.filter(date__gte=start, date__lte=end), root, "region__path")
    for region_id, day, n in deeds.values_list("region_id", "date").annotate(n=Count("id")).order_by():
        add(region_id, day, {"deeds": n})
    pairings = _under(Pairing.objects.filter(since__gte=start, since__lte=end), root, "region__path")
    for region_id, day, n in pairings.values_list("region_id", "since").annotate(n=Count("id")).order_by():
        add(region_id, day, {"pairings": n})
    meetings = _under(Meeting.objects.filter(date__gte=start, date__lte=end, status=MeetingStatus.HELD),
                      root, "body__region__path")
    for region_id, day, n in meetings.values_list("body__region_id", "date").annotate(n=Count("id")).order_by():
        add(region_id, day, {"meetings": n})


def count_nodes(root: Region | None, chains: Chains, out: Counted, today: date | None = None) -> None:
    """How things stand now under each counted node."""
    from accounts.models import RoleAssignment
    from accounts.roles import Role
    from cobuild.models import Agreement, Need, NeedStatus, StarRating
    from demands.models import OPEN_STATES, Demand
    from grid.models import Household, HouseholdStatus, Resident, ResidentStatus
    from meetings.models import Body
    from meetings.selectors import body_statuses
    from members.models import ACTIVE_STATUSES, PartyMember
    from orgs.models import PartyOrg

    today = today or timezone.localdate()
    now = timezone.now()

    def add(rows, name):
        for region_id, n in rows:
            for node in chains(region_id):
                out.nodes[node][name] += n

    def grouped(qs, field_name):
        return qs.values_list(field_name).annotate(n=Count("id")).order_by()

    for pk in chains.counted():
        out.nodes[pk]  # every counted node has a row, zeros included
        out.parents[pk] = chains.parent_of(pk)
    add(grouped(_under(PartyMember.objects.filter(status__in=ACTIVE_STATUSES), root, "org__region__path"),
                "org__region_id"), "members")
    add(grouped(_under(PartyOrg.objects.all(), root, "region__path"), "region_id"), "orgs")
    grid_ids = [pk for pk, kind in chains.kind_of.items() if kind == RegionKind.GRID]
    add(((pk, 1) for pk in grid_ids), "grids")
    staffed = set(RoleAssignment.objects.filter(role=Role.GRID_WORKER, region__kind=RegionKind.GRID)
                  .values_list("region_id", flat=True))
    add(((pk, 1) for pk in grid_ids if pk in staffed), "grids_staffed")
    households = _under(Household.objects.filter(status=HouseholdStatus.ACTIVE), root, "grid__path")
    add(grouped(households, "grid_id"), "households")
    add(grouped(households.filter(last_visited_at__gte=now - timedelta(days=30)), "grid_id"), "households_visited")
    add(grouped(_under(Resident.objects.filter(status=ResidentStatus.ACTIVE), root, "grid__path"), "grid_id"),
        "residents")
    open_demands = _under(Demand.objects.filter(state__in=OPEN_STATES), root, "region__path")
    add(grouped(open_demands, "region_id"), "open_demands")
    add(grouped(open_demands.filter(handling_due__lt=now), "region_id"), "overdue_open")
    # Unit-community pairings (seed 000: 188个驻区单位与社区结对): one per unit and community with an
    # agreement; a bureau serving three communities counts once in each (and three times above them).
    pairs = (_under(Agreement.objects.all(), root, "region__path").values_list("region_id", "unit_id")
             .distinct().order_by())
    add(Counter(region_id for region_id, _ in pairs).items(), "units")
    needs = _under(Need.objects.all(), root, "region__path")
    add(grouped(needs.filter(status=NeedStatus.OPEN), "region_id"), "needs_open")
    add(grouped(needs.filter(status=NeedStatus.MATCHED), "region_id"), "needs_matched")
    add(grouped(_under(StarRating.objects.filter(year=today.year, stars__gte=4), root, "region__path"),
                "region_id"), "stars_high")
    bodies = list(_under(Body.objects.filter(active=True), root, "region__path"))
    add(((b.region_id, 1) for b in bodies), "bodies")
    add(((s.body.region_id, 1) for s in body_statuses(bodies, today) if s.missed), "cadence_breaches")


def count_figures(root: Region | None, kinds, start: date, end: date) -> Counted:
    """Every figure under `root` (None: the whole territory) for the counted node kinds."""
    chains = Chains(root, kinds)
    out = Counted()
    count_days(root, chains, start, end, out)
    count_nodes(root, chains, out)
    return out


# ------------------------------------------------------------------------------- the stored rollup

def _changed_days(since: datetime) -> set[date]:
    """Days whose stored flows may have changed since `since`: submission days of the demands
    changed, days of visits, deeds and pairings recorded, and the recent days (meetings)."""
    from cobuild.models import Deed
    from demands.models import Demand
    from grid.models import Visit

    days: set[date] = set()
    days |= set(Demand.objects.filter(updated_at__gte=since).annotate(day=TruncDate("submitted_at"))
                .values_list("day", flat=True).distinct().order_by())
    days |= set(Visit.objects.filter(created_at__gte=since).annotate(day=TruncDate("visited_at"))
                .values_list("day", flat=True).distinct().order_by())
    days |= set(Deed.objects.filter(created_at__gte=since).values_list("date", flat=True).distinct().order_by())
    today = timezone.localdate()
    days |= {today - timedelta(days=i) for i in range(RECENT_DAYS)}
    return {d for d in days if d is not None}


def _store_days(out: Counted, days: set[date] | None) -> int:
    """Replace the stored flows of `days` (None: all) with `out`."""
    rows = [DayFigures(region_id=node, parent_id=out.parents.get(node), day=day, **counts)
            for (node, day), counts in out.days.items() if any(counts.values())]
    cats = [CategoryDay(region_id=node, day=day, category_id=cat, demands=n)
            for (node, day, cat), n in out.categories.items() if n]
    if days is None:
        DayFigures.objects.all().delete()
        CategoryDay.objects.all().delete()
    else:
        ordered = sorted(days)
        for i in range(0, len(ordered), 500):
            chunk = ordered[i:i + 500]
            DayFigures.objects.filter(day__in=chunk).delete()
            CategoryDay.objects.filter(day__in=chunk).delete()
    DayFigures.objects.bulk_create(rows, batch_size=2000)
    CategoryDay.objects.bulk_create(cats, batch_size=2000)
    return len(rows)


def _store_nodes(out: Counted) -> None:
    NodeFigures.objects.all().delete()
    NodeFigures.objects.bulk_create(
        [NodeFigures(region_id=node, parent_id=out.parents.get(node), **counts) for node, counts in out.nodes.items()],
        batch_size=2000)


def rollup_refresh(*, full: bool = False) -> RollupRun:
    """Bring the rollup tables up to date: everything (`full`, nightly) or the days touched since the
    last refresh (every few minutes). Derived data only: nothing to audit, nobody's record changes."""
    started = timezone.now()
    t0 = time.perf_counter()
    last = RollupRun.objects.filter(finished_at__isnull=False).first()
    if last is None:
        full = True
    chains = Chains(None, STORED_KINDS)
    out = Counted()
    for pk in chains.counted():
        out.parents[pk] = chains.parent_of(pk)
    today = timezone.localdate()
    if full:
        days = None
        start, end = date(2000, 1, 1), today + timedelta(days=1)
        count_days(None, chains, start, end, out)
    else:
        days = _changed_days(last.started_at)
        count_days(None, chains, min(days), max(days), out, only_days=days)
    count_nodes(None, chains, out, today)
    with transaction.atomic():
        _store_days(out, days)
        _store_nodes(out)
        run = RollupRun.objects.create(started_at=started, finished_at=timezone.now(), full=full,
                                       days=len(days) if days is not None else 0,
                                       seconds=round(time.perf_counter() - t0, 3))
    return run


def last_run() -> RollupRun | None:
    return RollupRun.objects.filter(finished_at__isnull=False).first()
