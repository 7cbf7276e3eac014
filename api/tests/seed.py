"""One row (or a few) behind every API endpoint, on the shared test tree: so the contract tests see real
objects in the list and detail answers, in the personas' scope and outside it (西一社区)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from audit.models import AuditEntry


@dataclass
class Seeded:
    """Per API prefix: the id of an object inside the east personas' scope and one outside it (西一社区)."""

    inside: dict[str, int] = field(default_factory=dict)
    outside: dict[str, int] = field(default_factory=dict)


def seed(tree, personas) -> Seeded:
    from cobuild import services as cobuild
    from cobuild.models import Activity, ResourceKind, StarRating, UnitKind
    from demands import services as demands
    from demands.models import Category, Channel
    from grid.models import Facility, FacilityKind, Visit
    from grid.services.households import household_create
    from grid.services.houses import house_create
    from grid.services.profile import grid_profile_update
    from grid.services.residents import resident_create
    from meetings.models import Attendance, Body, BodyKind, Meeting, Resolution
    from members.tests.conftest import add_member
    from regions.models import Region, RegionKind

    out = Seeded()
    admin = personas.district_admin
    for key, region in (("inside", tree.east1), ("outside", tree.west1)):
        ids = getattr(out, key)
        grid = tree.east1_grid1 if key == "inside" else tree.west1_grid1
        building = tree.building if key == "inside" else Region.objects.create(
            name="西1号楼", kind=RegionKind.BUILDING, parent=grid)
        org = tree.east1_org if key == "inside" else tree.west1_org
        ids["regions"] = region.pk
        ids["orgs"] = org.pk
        ids["members"] = add_member(org, name="张三" if key == "inside" else "李四", residence=region).pk

        x0 = 89.5 if key == "inside" else 89.2
        boundary = (f'{{"type":"Polygon","coordinates":[[[{x0},47.0],[{x0 + 0.01},47.0],[{x0 + 0.01},47.01],'
                    f'[{x0},47.01],[{x0},47.0]]]}}')
        profile = grid_profile_update(actor=None, grid=grid, code=f"T{key}", boundary=boundary)
        ids["grid/grids"] = profile.pk
        house = house_create(actor=None, building=building, number="101", unit="1")
        household = household_create(actor=None, house=house, head_name="王五")
        ids["grid/households"] = household.pk
        ids["grid/residents"] = resident_create(
            actor=None, household=household, name="王五", phone="13800138000", kind="registered",
            care_tags=["elderly_alone"]).pk
        ids["grid/visits"] = Visit.objects.create(
            grid=grid, household=household, worker=admin, findings="身体健康",
            visited_at=timezone.make_aware(datetime(2026, 3, 4, 10, 30)), lat=47.0, lng=89.5).pk
        ids["grid/facilities"] = Facility.objects.create(
            grid=grid, kind=FacilityKind.values[0], name="消防栓", lat=47.0, lng=89.5).pk

        demand = demands.demand_create(
            actor=admin, region=region, channel=Channel.HOTLINE, category=Category.objects.order_by("pk").first(),
            title="楼道灯不亮", description="三单元楼道灯坏了", caller_name="张三", caller_phone="13812345678")
        ids["demands"] = demand.pk

        unit = cobuild.unit_create(actor=admin, name=f"县医院{key}", kind=UnitKind.HOSPITAL, region=region,
                                   leader_name="负责人", liaison=personas.liaison if key == "inside" else None)
        ids["cobuild/units"] = unit.pk
        agreement = cobuild.agreement_create(actor=admin, unit=unit, region=region, title="共建协议",
                                             start=date(2026, 1, 1), end=date(2026, 12, 31),
                                             activities=[Activity.PARTY])
        ids["cobuild/agreements"] = agreement.pk
        ids["cobuild/needs"] = cobuild.need_create(actor=admin, region=region, kind=ResourceKind.VENUE,
                                                   title="活动场地").pk
        ids["cobuild/resources"] = cobuild.resource_create(actor=admin, unit=unit, kind=ResourceKind.VENUE,
                                                           title="会议室", capacity=30).pk
        project = cobuild.project_create(actor=admin, region=region, title="修缮凉亭", owner_name="赵六",
                                         deadline=date.today() + timedelta(days=100), budget=Decimal("1200.50"),
                                         unit=unit)
        ids["cobuild/projects"] = project.pk
        ids["cobuild/deeds"] = cobuild.deed_create(actor=admin, unit=unit, activity=Activity.SERVICE,
                                                   date=date(2026, 3, 1), title="义诊", beneficiaries=40,
                                                   hours=6).pk
        ids["cobuild/stars"] = StarRating.objects.create(
            unit=unit, region=region, year=2026, deeds=1, projects_done=0, attendance_rate=Decimal("0.5"),
            score=Decimal("61.5"), computed_stars=3, stars=3).pk

        body = Body.objects.create(name="共建联席会", kind=BodyKind.values[0], region=region,
                                   since=date(2025, 1, 1))
        ids["meetings/bodies"] = body.pk
        meeting = Meeting.objects.create(body=body, title="第一季度联席会", date=date(2026, 3, 10),
                                         start_time=time(9, 30), place="党群服务中心", chair_unit=unit)
        Attendance.objects.create(meeting=meeting, unit=unit, person_name="负责人",
                                  replied_at=timezone.make_aware(datetime(2026, 3, 9, 18, 0)))
        Resolution.objects.create(meeting=meeting, text="修缮凉亭", owner_name="赵六", unit=unit,
                                  deadline=date(2026, 10, 1), project=project)
        ids["meetings/meetings"] = meeting.pk

    # The audit log is the audit admin's alone: it is not scoped by region (inside = any row).
    out.inside["audit"] = AuditEntry.objects.order_by("pk").first().pk
    return out
