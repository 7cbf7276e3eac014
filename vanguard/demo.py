"""Demo: posts in every community with most members in one, pledges in every state of the 六诺 cycle
(a returned one and overdue ones among them), responsibility zones over most households of two
communities (the demo member's 文化东路社区 and the community with the most households) with 2-3
members each and contacts, volunteer activities (past ones with check-ins and confirmed hours — every
active member served at least once — and upcoming ones), 三亮 consents, and last quarter's service stars."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from accounts.models import RoleAssignment
from accounts.roles import Role
from core import treepaths as tree_paths
from grid.models import Household, HouseholdStatus
from members.models import ACTIVE_STATUSES, PartyMember
from orgs.models import OrgLevel, PartyOrg
from regions.models import Region

from .models import (
    Activity,
    ClaimStatus,
    Grade,
    Pledge,
    PledgeEvent,
    PledgeKind,
    PledgeRating,
    PledgeState,
    Post,
    PostClaim,
    PostKind,
    PublicityConsent,
    RatingLevel,
    ServiceStar,
    SignUp,
    StarState,
    Zone,
    ZoneContact,
    ZoneHousehold,
    ZoneMember,
)
from .selectors import community_members

POSTS = [
    (PostKind.VANGUARD, "党员先锋岗", "在社区急难险重任务中带头，参加应急值守", 4),
    (PostKind.POLICY, "政策宣传岗", "每月在小区宣讲惠民政策，解答居民疑问", 4),
    (PostKind.ENVIRONMENT, "环境监督岗", "巡查楼道、绿地卫生，劝导乱堆乱放，发现问题及时上报", 5),
    (PostKind.MEDIATION, "矛盾调解岗", "参与邻里纠纷调解，协助社区化解矛盾", 3),
    (PostKind.CARE, "帮扶关爱岗", "结对看望独居老人、困难家庭，代办代购", 6),
    (PostKind.CIVILITY, "文明劝导岗", "劝导不文明行为，参与文明创建", 4),
    (PostKind.PATROL, "治安巡逻岗", "节假日参加治安联防巡逻", 6),
]
DEED_PLEDGES = ["为独居老人代购生活用品", "协调修复小区路灯", "组织一次楼道清理", "帮助困难户申请救助",
                "为小区儿童辅导作业", "调解一起邻里纠纷", "宣讲一次反诈知识"]
FLOW = [PledgeState.DRAFT, PledgeState.DELIBERATED, PledgeState.APPROVED, PledgeState.PUBLISHED,
        PledgeState.FULFILLED, PledgeState.RATED]
NOTES = ["上门走访，了解近况", "电话问候", "送去防诈骗宣传资料"]
ACTION = {PledgeState.DELIBERATED: "议诺", PledgeState.APPROVED: "审诺", PledgeState.PUBLISHED: "示诺",
          PledgeState.FULFILLED: "践诺"}


def _secretary(region):
    ra = RoleAssignment.objects.filter(role=Role.COMMUNITY_SECRETARY, region=region).select_related("user").first()
    return ra.user if ra else None


def _aware(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def load() -> None:
    rng = random.Random(1616)
    today = timezone.localdate()
    orgs = list(PartyOrg.objects.filter(level=OrgLevel.COMMUNITY).select_related("region").order_by("id"))
    if not orgs:
        return
    street_user = RoleAssignment.objects.filter(role=Role.STREET_STAFF).select_related("user").first()
    street_user = street_user.user if street_user else None
    consents, events = [], []
    for org in orgs:
        community = org.region
        sec = _secretary(community)
        posts = [Post.objects.create(region=community, org=org, kind=k, title=t, duties=d, capacity=c, created_by=sec)
                 for k, t, d, c in POSTS]
        members = list(PartyMember.objects.filter(
            tree_paths.under("org__region__path", community.path), status__in=ACTIVE_STATUSES).order_by("id"))
        taken = defaultdict(int)
        held = {}
        for m in members:
            roll = rng.random()
            if roll < 0.7:
                post = rng.choice([p for p in posts if taken[p.pk] < p.capacity] or [None])
                if post is None:
                    continue
                status = ClaimStatus.CONFIRMED if roll < 0.62 else ClaimStatus.PENDING
                PostClaim.objects.create(post=post, member=m, status=status, decided_by=sec if status == "confirmed"
                                         else None, decided_at=timezone.now() if status == "confirmed" else None)
                if status == ClaimStatus.CONFIRMED:
                    taken[post.pk] += 1
                    held[m.pk] = post
            if rng.random() < 0.45:
                consents.append(PublicityConsent(member=m, show_name=True, show_photo=rng.random() < 0.3))
        # Pledges: about two members in three, spread over every state.
        for i, m in enumerate(members):
            if rng.random() > 0.66 and m.user_id is None:
                continue  # about a third have made no pledge this year (the community's view lists them)
            post = held.get(m.pk)
            target = FLOW[i % len(FLOW)] if i % 9 else PledgeState.WITHDRAWN
            kind = PledgeKind.POST if post and rng.random() < 0.6 else PledgeKind.DEED
            title = (f"履行{post.title}职责" if kind == PledgeKind.POST else rng.choice(DEED_PLEDGES))
            created = today - timedelta(days=rng.randint(40, 300))
            due = created + timedelta(days=rng.randint(30, 120))
            if target in (PledgeState.DRAFT, PledgeState.DELIBERATED, PledgeState.APPROVED, PledgeState.PUBLISHED):
                due = today + timedelta(days=rng.randint(-20, 90))  # some overdue
            p = Pledge.objects.create(member=m, post=post if kind == PledgeKind.POST else None, community=community,
                                      kind=kind, title=title, content=f"{title}，按期完成并接受居民监督", due_on=due,
                                      state=PledgeState.DRAFT)
            steps = [(PledgeState.DRAFT, "申诺", m.user, "")]
            if i % 13 == 5 or (target == PledgeState.DRAFT and (i // len(FLOW)) % 2 == 0):
                # returned once by the street (and, past 申诺, revised)
                steps += [(PledgeState.DELIBERATED, "议诺", sec, "同意提交"),
                          (PledgeState.DRAFT, "退回", street_user, "请写明完成标准和时间")]
                p.returned_reason = "请写明完成标准和时间" if target == PledgeState.DRAFT else ""
            reach = FLOW.index(target) if target in FLOW else 2
            for st in FLOW[1:reach + 1]:
                steps.append((st, ACTION.get(st, "评诺"), street_user if st == PledgeState.APPROVED else
                              (m.user if st == PledgeState.FULFILLED else sec), ""))
            if target == PledgeState.WITHDRAWN:
                steps.append((PledgeState.WITHDRAWN, "撤回", m.user, "工作调动，无法按期完成"))
            if reach >= 1:
                p.meeting_on = created + timedelta(days=7)
                p.meeting_note = "支部委员会讨论同意"
            if target in (PledgeState.FULFILLED, PledgeState.RATED):
                p.fulfilled_on = min(today, due, created + timedelta(days=rng.randint(20, 60)))
                p.fulfilment = "已按承诺完成，居民反映良好"
                p.hours = Decimal(rng.randint(2, 16))
                p.households_reached = rng.randint(3, 40)
            p.state = target
            p.save()
            prev = ""
            for st, action, actor, note in steps:
                if st == PledgeState.RATED:
                    break
                events.append(PledgeEvent(pledge=p, action=action, from_state=prev, to_state=st, actor=actor,
                                          actor_name=getattr(actor, "full_name", "") if actor else "", note=note))
                prev = st
            if target == PledgeState.RATED:
                grades = [Grade.GOOD, Grade.GOOD, Grade.FAIR, Grade.AVERAGE]
                for level, raters in ((RatingLevel.BRANCH, "支部委员会"), (RatingLevel.COMMUNITY, f"{org.name}委员会")):
                    g = rng.choice(grades)
                    PledgeRating.objects.create(pledge=p, level=level, grade=g, raters=raters, rated_by=sec)
                    events.append(PledgeEvent(pledge=p, action=RatingLevel(level).label, from_state=prev,
                                              to_state=PledgeState.FULFILLED if level == RatingLevel.BRANCH
                                              else PledgeState.RATED, actor=sec,
                                              actor_name=getattr(sec, "full_name", "") if sec else "",
                                              note=f"{Grade(g).label}：{raters}"))
                    prev = PledgeState.FULFILLED
        _activities(rng, community, org, sec, list(community_members(community).order_by("id")), today)
    PledgeEvent.objects.bulk_create(events, batch_size=2000)
    PublicityConsent.objects.bulk_create(consents)
    _zones(rng, orgs, today)
    _stars(rng, orgs, today, street_user)


def _activities(rng, community, org, sec, members, today):
    """Three past activities (every active member served at least once, hours confirmed) and two upcoming."""
    titles = ["楼道清理志愿服务", "义务理发进小区", "关爱独居老人上门服务", "反诈宣传进万家", "节日治安联防巡逻"]
    past = []
    for k in range(3):
        day = today - timedelta(days=rng.randint(10, 150))
        past.append(Activity.objects.create(
            region=community, org=org, title=titles[k], place=f"{community.name}党群服务中心", starts_at=_aware(day, 9),
            ends_at=_aware(day, 9 + 3), places=max(10, len(members)), skills="", organizer=sec))
    for k in range(3, 5):
        day = today + timedelta(days=rng.randint(3, 20))
        Activity.objects.create(region=community, org=org, title=titles[k], place=f"{community.name}广场",
                                starts_at=_aware(day, 15), ends_at=_aware(day, 17), places=20, skills="",
                                open_to_residents=k == 3, organizer=sec)
    rows = []
    for i, m in enumerate(members):
        for a in rng.sample(past, rng.choice((1, 1, 2))) if i else past[:1]:
            hours = Decimal(rng.choice((1, 2, 2, 3)))
            # Members without an account were registered on site by the organizer (user None).
            rows.append(SignUp(activity=a, user_id=m.user_id, member=m, name=m.name, checked_in_at=a.starts_at,
                               hours=hours, confirmed_by=sec, confirmed_at=a.ends_at))
    SignUp.objects.bulk_create(rows)


def _zones(rng, orgs, today):
    """Zones over most households of two communities: by building, 2-3 members each, with contacts."""
    counts = (Household.objects.filter(status=HouseholdStatus.ACTIVE).values("grid__parent_id")
              .annotate(n=Count("id")).order_by("-n"))
    by_community = {r["grid__parent_id"]: r["n"] for r in counts}
    home = next((o.region for o in orgs if o.name.startswith("库额尔齐斯镇文化东路社区")), None)
    chosen = [home] if home and by_community.get(home.pk) else []
    for cid, _ in sorted(by_community.items(), key=lambda kv: -kv[1]):
        if len(chosen) == 2:
            break
        if all(c.pk != cid for c in chosen):
            chosen.append(Region.objects.get(pk=cid))
    for community in chosen:
        sec = _secretary(community)
        members = list(PartyMember.objects.filter(
            tree_paths.under("org__region__path", community.path), status__in=ACTIVE_STATUSES,
        ).order_by("-user_id", "id"))
        households = list(Household.objects.filter(status=HouseholdStatus.ACTIVE, grid__parent=community)
                          .select_related("house__building").order_by("house__building_id", "id"))
        by_building = defaultdict(list)
        for h in households:
            by_building[h.house.building].append(h)
        buildings = list(by_building)
        keep = buildings[: max(1, int(len(buildings) * 0.85))]  # most households, a few left to show the gap
        links, zone_members, contacts = [], [], []
        mi = 0
        for n, b in enumerate(keep):
            label = f"{b.parent.name if b.parent_id else ''}{b.name}"
            zone = Zone.objects.create(community=community, name=f"{label}责任区", description=f"{b.name}全部住户",
                                       created_by=sec)
            links += [ZoneHousehold(zone=zone, household=h) for h in by_building[b]]
            size = 3 if n % 3 == 0 else 2
            people = [members[(mi + k) % len(members)] for k in range(size)] if members else []
            mi += size
            zone_members += [ZoneMember(zone=zone, member=m, since=today - timedelta(days=120)) for m in people]
            for m in people[:-1] if n % 4 == 0 else people:  # some members have been silent
                for _ in range(rng.randint(2, 6)):
                    h = rng.choice(by_building[b])
                    problem = rng.choice(["", "", "", "楼道灯不亮", "下水道堵塞", "独居老人需要助餐"])
                    contacts.append(ZoneContact(zone=zone, household=h, member=m,
                                                on=today - timedelta(days=rng.randint(1, 80)),
                                                note=rng.choice(NOTES),
                                                problem=problem))
        ZoneHousehold.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
        ZoneMember.objects.bulk_create(zone_members, ignore_conflicts=True)
        ZoneContact.objects.bulk_create(contacts, batch_size=2000)


def _stars(rng, orgs, today, street_user):
    """Last quarter's service stars: one or two per community, approved by the street, with the reason."""
    from .selectors import quarter_stats
    from .services.stars import quarter_of

    year, quarter = quarter_of(today)
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    for org in orgs:
        members = list(community_members(org.region))
        stats = quarter_stats(members, year, quarter)
        best = sorted(members, key=lambda m: (-stats[m.pk]["fulfilled"], -stats[m.pk]["hours"],
                                              -stats[m.pk]["contacts"], m.pk))[:2]
        for k, m in enumerate(best):
            st = stats[m.pk]
            ServiceStar.objects.create(
                community=org.region, member=m, year=year, quarter=quarter, proposed_by=_secretary(org.region),
                reason=f"本季度践诺 {st['fulfilled']} 件、志愿服务 {st['hours']:g} 小时、联系住户 {st['contacts']} 次，"
                       "服务热情、群众认可",
                state=StarState.APPROVED if k == 0 else StarState.PROPOSED, decided_by=street_user if k == 0 else None)


DEMO_STEPS = [("vanguard", load)]
