"""Demo: a year of demands in the seed county. Seed 003 counts, for one community in a year,
243 hotline calls, 30 letters and visits and 51 good deeds; every one of the 8 communities gets
that volume (plus some portal submissions), most handled and rated, a few overdue and escalated.

The year tells a story the leaders' dashboards show: the second street (可可托海镇) improves month by
month (fewer overdue, more satisfied residents), while one community of the first street falls behind
(overdue handling and dissatisfaction grow through the year); the others stay level."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from django.utils import timezone

from accounts.models import RoleAssignment, User
from accounts.roles import Role
from core.phone import generate_mobile
from core.synthetic import person_name
from grid.models import GridProfile
from notifications.services import notify
from regions.models import Region, RegionKind

from .models import (
    OPEN_STATES,
    ApiKey,
    Category,
    Channel,
    DayKind,
    Demand,
    DemandEvent,
    Escalation,
    HandlingUnit,
    Satisfaction,
    State,
    UnitKind,
    WorkCalendarDay,
)
from .rules import add_minutes
from .workcalendar import calendar_changed, current_calendar

CENTER = (46.9930, 89.5230)  # 富蕴县城 (WGS-84, approximate)
TITLES = {
    "convenience": ["家中水管漏水", "老人需要代买药品", "楼道灯不亮", "下水道堵塞", "门锁坏了需要帮忙"],
    "elderly-care": ["独居老人需要上门探望", "老人行动不便需要送餐", "高龄老人就医陪同"],
    "sanitation": ["垃圾桶满溢未清运", "小区绿化带有积存垃圾", "路面油污"],
    "facility-repair": ["路灯损坏", "健身器材损坏", "井盖缺失", "单元门禁损坏"],
    "safety-hazard": ["电动车楼道充电", "消防通道被占用", "广告牌松动"],
    "neighbor-dispute": ["楼上漏水邻里纠纷", "噪音扰民", "公共区域堆放杂物"],
    "property": ["物业费收取有异议", "电梯经常故障", "小区停车管理混乱"],
    "policy": ["咨询低保申请条件", "咨询医保缴费", "咨询养老认证"],
    "other": ["其他问题反映", "建议增设便民服务点"],
}
# (channel, count per community per year)
VOLUME = [(Channel.HOTLINE, 243), (Channel.MAILBOX, 15), (Channel.WALK_IN, 15), (Channel.STREET, 51),
          (Channel.PORTAL, 20)]


def load() -> None:
    rng = random.Random(5005)
    now = timezone.now()
    county = Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path").first()
    if county is None:
        return
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY).order_by("path"))
    grids_of = {c.pk: list(Region.objects.filter(parent=c, kind=RegionKind.GRID).order_by("path")) for c in communities}
    cats = {c.code: c for c in Category.objects.all()}
    weights = {"convenience": 30, "elderly-care": 10, "sanitation": 12, "facility-repair": 12, "safety-hazard": 6,
               "neighbor-dispute": 8, "property": 10, "policy": 8, "other": 4}
    calendar = current_calendar()  # one snapshot for the 2,800 deadlines below
    grid_workers = {a.region_id: a.user for a in RoleAssignment.objects.filter(role=Role.GRID_WORKER)
                    .select_related("user")}
    staff = User.objects.filter(role_assignments__role=Role.COMMUNITY_STAFF).first()
    actor_label = staff.display_name if staff else "社区工作人员"

    HandlingUnit.objects.bulk_create([
        HandlingUnit(name="县住房和城乡建设局", kind=UnitKind.DEPARTMENT, region=county),
        HandlingUnit(name="县供电公司", kind=UnitKind.RESIDENT_UNIT, region=county),
        HandlingUnit(name="县人民医院", kind=UnitKind.RESIDENT_UNIT, region=county),
    ])
    ApiKey.objects.get_or_create(key="demo-open311-key", defaults={"name": "演示 Open311 客户端", "region": county})

    boxes = {}
    for region_id, boundary in GridProfile.objects.exclude(boundary="").values_list("region_id", "boundary"):
        geometry = json.loads(boundary)
        if geometry.get("type") != "Polygon":
            continue
        ring = geometry["coordinates"][0]
        boxes[region_id] = (min(p[0] for p in ring), min(p[1] for p in ring),
                            max(p[0] for p in ring), max(p[1] for p in ring))
    streets = list(Region.objects.filter(kind=RegionKind.STREET).order_by("path"))
    improving = streets[1].pk if len(streets) > 1 else None
    first_street = [c for c in communities if streets and c.parent_id == streets[0].pk]
    behind = first_street[-1].pk if len(first_street) > 1 else None

    def trend(comm, age_days: int) -> float:
        """How slow and how disliked the handling is (a factor on the random draw): a year ago / now."""
        t = min(age_days, 365) / 365  # 1: a year ago, 0: today
        if comm.parent_id == improving:
            return 0.75 + 0.6 * t  # 1.35 → 0.75
        if comm.pk == behind:
            return 1.35 - 0.6 * t  # 0.75 → 1.35
        return 1.0

    demands, plans = [], []
    for ci, comm in enumerate(communities):
        grids = grids_of[comm.pk] or [comm]
        clat, clng = CENTER[0] + (ci % 4) * 0.012 - 0.018, CENTER[1] + (ci // 4) * 0.02 - 0.01
        for channel, count in VOLUME:
            for _ in range(count):
                code = rng.choices(list(weights), weights=list(weights.values()))[0]
                cat = cats[code]
                at = now - timedelta(days=rng.random() * 365)
                grid = rng.choice(grids)
                anonymous = rng.random() < 0.1
                glat, glng = rng.gauss(0, 0.003), rng.gauss(0, 0.004)
                lat, lng = clat + glat, clng + glng
                if grid.pk in boxes:  # inside the grid's boundary, so the map draws it in its grid
                    x0, y0, x1, y1 = boxes[grid.pk]
                    lat = (y0 + y1) / 2 + max(-0.45, min(0.45, glat / 0.009)) * (y1 - y0)
                    lng = (x0 + x1) / 2 + max(-0.45, min(0.45, glng / 0.012)) * (x1 - x0)
                d = Demand(
                    channel=channel, category=cat, region=grid, title=rng.choice(TITLES[code]),
                    description=f"{comm.name}居民反映：{rng.choice(TITLES[code])}，请尽快处理。",
                    address=f"{comm.name}{rng.randint(1, 30)}号院{rng.randint(1, 6)}号楼",
                    lat=lat, lng=lng,
                    caller_name="" if anonymous else person_name(rng),
                    caller_phone="" if anonymous else generate_mobile(rng), anonymous=anonymous,
                    submitted_at=at,
                    response_due=add_minutes(at, cat.response_minutes, working_hours_only=cat.working_hours_only,
                                             calendar=calendar),
                    handling_due=add_minutes(at, cat.handling_minutes, working_hours_only=cat.working_hours_only,
                                             calendar=calendar),
                    assignee_user=grid_workers.get(grid.pk),
                )
                age_days = (now - at).days
                if age_days < 2 and rng.random() < 0.7:
                    d.state = rng.choice([State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.ON_SITE])
                else:
                    d.state = State.CLOSED
                demands.append(d)
                plans.append(rng.random() * trend(comm, age_days))
    # A few overdue, and a few of those escalated up the ladder.
    for i, level in enumerate([0, 0, 1, 1, 1, 2, 2, 3]):
        d = demands[i * 97]
        d.state = State.DISPATCHED
        days = {0: 0.2, 1: 2, 2: 10, 3: 40}[level]
        d.submitted_at = now - timedelta(days=days) - timedelta(minutes=d.category.handling_minutes)
        d.response_due = d.submitted_at + timedelta(minutes=d.category.response_minutes)
        d.handling_due = d.submitted_at + timedelta(minutes=d.category.handling_minutes)
        d.overdue = True
        d.escalation = level
        d.escalated_at = now - timedelta(days=max(days - 1, 0)) if level else None
    events = []
    for d, p in zip(demands, plans, strict=True):
        if d.state == State.CLOSED:
            resp = d.submitted_at + timedelta(minutes=d.category.response_minutes * (0.3 + p))
            handled = d.submitted_at + timedelta(minutes=d.category.handling_minutes * (0.2 + 1.0 * p))
            d.responded_at, d.handled_at, d.closed_at = resp, handled, handled + timedelta(hours=20)
            d.satisfaction = (Satisfaction.SATISFIED if p < 0.8 else Satisfaction.BASIC if p < 0.95
                              else Satisfaction.UNSATISFIED)
            d.overdue = handled > d.handling_due
        elif d.state in (State.ON_SITE,):
            d.responded_at = d.submitted_at + timedelta(minutes=d.category.response_minutes * 0.5)
        d.version = 1 + (6 if d.state == State.CLOSED else 2)
    Demand.objects.bulk_create(demands, batch_size=500)
    for d in demands:
        steps = [("submit", "", State.SUBMITTED, d.submitted_at, f"渠道：{d.get_channel_display()}")]
        if d.state != State.SUBMITTED:
            steps.append(("accept", State.SUBMITTED, State.ACCEPTED, d.submitted_at + timedelta(minutes=1), ""))
        if d.state in (State.DISPATCHED, State.ON_SITE, State.CLOSED):
            steps.append(("dispatch", State.ACCEPTED, State.DISPATCHED, d.submitted_at + timedelta(minutes=2),
                          f"派至 {d.region.name}"))
        if d.responded_at:
            steps.append(("arrive", State.DISPATCHED, State.ON_SITE, d.responded_at, ""))
        if d.state == State.CLOSED:
            steps.append(("handle", State.ON_SITE, State.HANDLED, d.handled_at, "已现场处理完毕"))
            steps.append(("rate", State.HANDLED, State.CLOSED, d.closed_at,
                          f"回访电话：{d.get_satisfaction_display()}"))
        if d.escalation:
            steps.append(("escalate", d.state, d.state, d.escalated_at,
                          f"超期未办结，自动升级至{Escalation(d.escalation).label}"))
        for action, a, b, at, note in steps:
            events.append(DemandEvent(demand=d, action=action, from_state=a, to_state=b, created_at=at, note=note,
                                      actor_label="系统" if action == "escalate" else actor_label))
    DemandEvent.objects.bulk_create(events, batch_size=1000)
    # Notifications for the demo accounts: the grid worker's open work, escalations to the secretary.
    open_mine = [d for d in demands if d.state in OPEN_STATES and d.assignee_user_id]
    for d in open_mine[:5]:
        notify(recipients=[d.assignee_user], title=f"新派单：{d.title}", body=d.address,
               link=f"/demands/{d.pk}/", source=d)
    secretaries = User.objects.filter(role_assignments__role__in=[Role.COMMUNITY_SECRETARY, Role.STREET_STAFF])
    for d in [d for d in demands if d.escalation][:5]:
        notify(recipients=secretaries, title=f"超期诉求升级至{Escalation(d.escalation).label}", body=d.title,
               link=f"/demands/{d.pk}/", source=d)


# The statutory holidays whose dates are fixed by the 全国年节及纪念日放假办法 (as amended in 2024,
# in force from 2025): 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October. The holidays that move with
# the lunar calendar or the solar terms (春节, 清明, 端午, 中秋) and each year's 调休 arrangement come
# from the State Council's yearly notice: not invented here, the district admin enters them on the
# 工作日历 page.
FIXED_HOLIDAYS = [(1, 1, "元旦"), (5, 1, "劳动节"), (5, 2, "劳动节"), (10, 1, "国庆节"), (10, 2, "国庆节"),
                  (10, 3, "国庆节")]


def load_calendar() -> None:
    """This year's and next year's fixed-date statutory days off; open demands already in the
    database (a demo loaded before this step existed) get their deadlines recomputed."""
    from .services import recompute_open_deadlines

    year = timezone.localdate().year
    wanted = [(date(y, m, d), name) for y in (year, year + 1) for m, d, name in FIXED_HOLIDAYS]
    have = set(WorkCalendarDay.objects.filter(date__in=[d for d, _ in wanted]).values_list("date", flat=True))
    new = [WorkCalendarDay(date=d, kind=DayKind.DAY_OFF, name=name) for d, name in wanted if d not in have]
    WorkCalendarDay.objects.bulk_create(new)
    calendar_changed()
    recompute_open_deadlines(actor=None, changed={row.date for row in new}, reason="演示数据：固定日期的法定节假日")


DEMO_STEPS = [("demands_calendar", load_calendar), ("demands", load)]
