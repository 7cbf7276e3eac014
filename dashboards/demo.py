"""The demo's working day: what the demo accounts find on their workbench when they sign in (loaded
after every domain's own demo data, through the domains' services so notices and the audit log
are as they would be).

- the community (sq_shuji, sq_staff): two new portal demands, one of them overdue; a county
  leader's liaison body that missed its quarter (a cadence gap); members not yet registered come
  from the members demo;
- the grid worker (wgy): a demand dispatched to the grid, their own hazard report from the street,
  households due a visit and leases ending come from the grid demo."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import RoleAssignment
from accounts.roles import Role
from demands import services as demand_services
from demands.models import Category, Channel
from grid.models import GridProfile
from meetings import services as meeting_services
from meetings.models import Body, BodyKind
from regions.models import Region, RegionKind


def _assignment(username: str, role: str) -> RoleAssignment | None:
    return RoleAssignment.objects.select_related("user", "region").filter(user__username=username, role=role).first()


def load() -> None:
    sec = _assignment("sq_shuji", Role.COMMUNITY_SECRETARY)
    worker = _assignment("wgy", Role.GRID_WORKER)
    if sec is None or worker is None:
        return
    community, grid = sec.region, worker.region
    now = timezone.now()
    convenience = Category.objects.get(code="convenience")
    hazard = Category.objects.get(code="safety-hazard")
    compound = Region.objects.filter(parent=grid, kind=RegionKind.COMPOUND).order_by("sort_order", "id").first()
    place = compound.name if compound else grid.name
    profile = GridProfile.objects.filter(region=grid).first()
    lat, lng = (profile.center_lat, profile.center_lng) if profile and profile.center_lat else (None, None)

    # New from the portal: one this morning (the address names a compound: dispatch suggests its grid),
    # one two days old and past its deadline.
    demand_services.demand_create(
        actor=None, channel=Channel.PORTAL, category=convenience, region=community, title="楼道声控灯不亮",
        description="2 单元楼道声控灯坏了一周，晚上上下楼看不见。", address=f"{place}2 号楼 2 单元",
        submitted_at=now - timedelta(hours=1))
    demand_services.demand_create(
        actor=None, channel=Channel.PORTAL, category=convenience, region=community, title="小区门口垃圾未清运",
        description="小区门口垃圾桶满了两天没人清运。", address=f"{place}南门", submitted_at=now - timedelta(days=2))

    # Dispatched to the grid worker by the secretary.
    d = demand_services.demand_create(
        actor=sec.user, channel=Channel.HOTLINE, category=convenience, region=community, title="独居老人家中水管漏水",
        description="老人来电：厨房水管漏水，需要上门查看。", address=f"{place}1 号楼 101",
        submitted_at=now - timedelta(minutes=20))
    d = demand_services.demand_transition(actor=sec.user, demand=d, action="accept")
    demand_services.demand_transition(actor=sec.user, demand=d, action="dispatch", target_region=grid)

    # The grid worker's own hazard report from the street (a 30-minute category).
    if lat is not None:
        demand_services.demand_create(
            actor=worker.user, channel=Channel.STREET, category=hazard, region=grid, title="路口井盖松动",
            description="巡查发现路口井盖松动，已放置警示锥。", address=f"{place}东侧路口", lat=lat, lng=lng,
            submitted_at=now - timedelta(minutes=10))

    # A cadence gap: the county leader's liaison body has met no time last quarter.
    if not Body.objects.filter(region=community, kind=BodyKind.LEADER_LIAISON).exists():
        meeting_services.body_create(actor=sec.user, name=f"{community.name}县领导联系督导",
                                     kind=BodyKind.LEADER_LIAISON, region=community, secretary=sec.user,
                                     since=timezone.localdate() - timedelta(days=400))


def load_rollup():
    """The leaders' dashboards read the rollup tables: fill them once (cron keeps them fresh)."""
    from .rollup import rollup_refresh

    rollup_refresh(full=True)


def load_briefings():
    """Last month's briefings: each street's, issued to its communities (the demo community has read
    it), and each community's, as a draft its secretary can edit and issue."""
    from . import briefings

    admin = _assignment("qw_zzb", Role.DISTRICT_ADMIN)
    if admin is None:
        return
    sec = _assignment("sq_shuji", Role.COMMUNITY_SECRETARY)
    for street in Region.objects.filter(kind=RegionKind.STREET).order_by("path"):
        b = briefings.briefing_generate(actor=admin.user, region=street, kind="month")
        briefings.briefing_issue(actor=admin.user, briefing=b)
        if sec is not None and sec.region.parent_id == street.pk:
            briefings.briefing_read(actor=sec.user, briefing=b)
    for community in Region.objects.filter(kind=RegionKind.COMMUNITY).order_by("path"):
        briefings.briefing_generate(actor=admin.user, region=community, kind="month")


def load_positions() -> None:
    """一张图's Party positions: each community's 党群服务中心 in its first grid, and a 网格党群服务站 in
    every third grid, at a spot inside the grid (through the grid's facility service, audited)."""
    import json
    import random

    from grid import services as grid_services
    from grid.models import FacilityKind

    rng = random.Random(19)
    profiles = {p.region_id: p for p in GridProfile.objects.exclude(boundary="")}
    for community in Region.objects.filter(kind=RegionKind.COMMUNITY).order_by("path"):
        grids = list(Region.objects.filter(parent=community, kind=RegionKind.GRID).order_by("sort_order", "id"))
        for i, grid in enumerate(grids):
            p = profiles.get(grid.pk)
            if p is None or (i > 0 and i % 3 != 2):
                continue
            ring = json.loads(p.boundary)["coordinates"][0]
            xs, ys = [pt[0] for pt in ring], [pt[1] for pt in ring]
            lng = min(xs) + (max(xs) - min(xs)) * rng.uniform(0.3, 0.7)
            lat = min(ys) + (max(ys) - min(ys)) * rng.uniform(0.3, 0.7)
            name = f"{community.name}党群服务中心" if i == 0 else f"{community.name}{grid.name}党群服务站"
            grid_services.facility_create(actor=None, grid=grid, kind=FacilityKind.PARTY_CENTER, name=name,
                                          lat=lat, lng=lng)


DEMO_STEPS = [("workday", load), ("rollup", load_rollup), ("briefings", load_briefings),
              ("map_positions", load_positions)]
