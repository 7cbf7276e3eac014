"""Demo: in each community of the seed county a few key people (synthetic residents of its grids) with a
year of visits and one or two overdue, a mediation year (cases agreed, followed up, closed; a few failed
or open; one from a dispute demand), stability reports upward, the community police officer, a patrol
team of members and volunteers with last Spring Festival's and National Day's holiday rosters, weekly 错时
shifts with their check-ins, and the 党员 demo account on the coming weekend's roster."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import RoleAssignment, User
from accounts.roles import Role
from core.synthetic import person_name
from grid.models import GridProfile, Resident, ResidentStatus
from regions.models import Region, RegionKind

from .models import (
    Case,
    CaseKind,
    CaseParty,
    CaseSource,
    CaseStatus,
    CaseStep,
    DisputeType,
    KeyCategory,
    KeyEvent,
    KeyPerson,
    KeyStatus,
    KeyVisit,
    PatrolMember,
    PatrolShift,
    PatrolTeam,
    PoliceOfficer,
    ReportStatus,
    ShiftKind,
    ShiftPost,
    StabilityReport,
    Urgency,
    restore_default_categories,
)

FINDINGS = ["在家，情绪稳定，按时报到", "已在物流公司就业，表现良好", "与家属沟通，近期无异常",
            "按时服药，家属监护到位",
            "参加社区公益劳动", "谈心谈话，思想稳定", "反映就业困难，已登记就业需求"]
REASONS = {"correction": "判处缓刑，依法实行社区矫正", "released": "刑满释放，安置帮教期内", "drug": "社区戒毒人员",
           "mental": "严重精神障碍患者，在册管理", "petition": "多次就拆迁补偿问题上访",
           "other": "长期无业，多次酒后滋事"}
DISPUTES = [
    (DisputeType.NEIGHBOUR, "楼上漏水邻里纠纷", "楼上住户卫生间漏水，浸湿楼下住户天花板，双方协商赔偿未果。",
     "楼上住户三日内请人维修防水\n楼上住户赔偿楼下住户天花板修复费用800元"),
    (DisputeType.NEIGHBOUR, "夜间噪音扰民", "楼下住户反映楼上夜间经常有噪音，影响休息，多次敲门引发争吵。",
     "楼上住户晚十点后不再进行产生噪音的活动\n双方互相谅解，今后友好相处"),
    (DisputeType.PROPERTY, "物业费与停车管理纠纷", "业主因车位被占与物业公司发生争执，拒交物业费。",
     "物业公司清理占用车位的杂物并加强巡查\n业主于本月内缴清物业费"),
    (DisputeType.FAMILY, "赡养老人纠纷", "三子女对母亲的赡养费用分担意见不一。",
     "三子女每人每月支付赡养费600元\n老人由长子照料，其余子女每月探望不少于两次"),
    (DisputeType.DAMAGE, "电动车碰撞损害赔偿", "两名居民在小区内骑电动车相撞，一方受轻伤。",
     "责任方赔偿对方医疗费及误工费共计1500元\n双方不再就此事追究"),
    (DisputeType.HOUSING, "公共区域堆物纠纷", "住户在楼道长期堆放杂物，邻居多次劝说无果。",
     "堆物住户七日内清理楼道杂物\n社区网格员跟踪检查"),
]
REPORTS = [
    ("dispute", Urgency.NORMAL, "小区停车矛盾可能激化", "部分业主因车位不足多次争吵，存在激化风险。", 6),
    ("safety", Urgency.PRIORITY, "老旧小区电动车楼道充电隐患", "多栋楼发现电动车在楼道充电，存在火灾隐患。", 0),
    ("group", Urgency.URGENT, "多名工人聚集讨要工资", "某工地十余名工人聚集在项目部讨要拖欠工资。", 14),
    ("key_person", Urgency.NORMAL, "重点人员外出动态", "一名在册人员外出务工，已告知包联责任人。", 1),
    ("safety", Urgency.NORMAL, "夜间小区出入口照明不足", "南门路灯损坏，夜间出入不便，已报修。", 0),
]
ROUTES = ["小区南门—中心广场—北门—沿街商铺", "各楼栋单元口—地下车库—健身广场", "学校周边—农贸市场—公交站"]
STATIONS = {"库额尔齐斯镇": "县公安局城关派出所", "可可托海镇": "可可托海派出所", "恰库尔图镇": "恰库尔图派出所"}


def _aware(d: date, h: int, m: int = 0) -> datetime:
    return datetime.combine(d, time(h, m), tzinfo=timezone.get_current_timezone())


def _users_at(region: Region, role: str) -> list[User]:
    return list(User.objects.filter(role_assignments__region=region, role_assignments__role=role, is_active=True)
                .order_by("id"))


def _spring_festival(year: int) -> date:
    # Lunar new year's day for the years a demo runs in; otherwise early February.
    return {2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
            2027: date(2027, 2, 6), 2028: date(2028, 1, 26)}.get(year, date(year, 2, 5))


def load() -> None:
    restore_default_categories(None)
    rng = random.Random(21)
    today = timezone.localdate()
    cats = {c.code: c for c in KeyCategory.objects.all()}
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path"))
    dangyuan = User.objects.filter(username="dangyuan").first()
    dangyuan_comm = (RoleAssignment.objects.filter(user=dangyuan, role=Role.PARTY_MEMBER).values_list("region_id",
                                                                                                   flat=True).first()
                     if dangyuan else None)
    codes = list(cats)
    for ci, comm in enumerate(communities):
        grids = list(comm.children.filter(kind=RegionKind.GRID).order_by("sort_order", "id"))
        if not grids:
            continue
        secretaries = _users_at(comm, Role.COMMUNITY_SECRETARY)
        workers = {p.region_id: p.primary_worker for p in GridProfile.objects.filter(region__in=grids)
                   .select_related("primary_worker") if p.primary_worker_id}
        staff = secretaries + _users_at(comm, Role.COMMUNITY_STAFF) + [w for w in workers.values()]
        if not staff:
            continue
        _key_people(rng, today, comm, grids, cats, codes, ci, secretaries, workers, staff)
        _cases(rng, today, comm, grids, staff)
        _reports(rng, today, comm, grids, staff, workers)
        _patrols(rng, today, comm, staff, dangyuan if dangyuan_comm == comm.pk else None)


def _key_people(rng, today, comm, grids, cats, codes, ci, secretaries, workers, staff) -> None:
    n = 3 + ci % 3
    residents = list(Resident.objects.filter(grid__in=grids, status=ResidentStatus.ACTIVE,
                                             birth_date__lte=date(today.year - 20, 1, 1),
                                             birth_date__gte=date(today.year - 65, 1, 1)).order_by("id")[:400])
    if len(residents) < n:
        return
    for i, r in enumerate(rng.sample(residents, n)):
        cat = cats[codes[(ci + i) % len(codes)]]
        leader = (secretaries[0] if cat.secretary_leads and secretaries else workers.get(r.grid_id) or staff[0])
        worker = workers.get(r.grid_id)
        registered = today - timedelta(days=rng.randint(60, 420))
        p = KeyPerson.objects.create(resident=r, grid_id=r.grid_id, category=cat, registered_on=registered,
                                     reason=REASONS[cat.code], leader=leader, worker=worker,
                                     risk=rng.choice(["high", "medium", "medium", "low"]),
                                     helpers="社区民警、家属、网格员", plan=f"每 {cat.visit_days} 天走访一次；"
                                     "每季度组织一次谈心谈话；帮助解决就业和生活困难")
        KeyEvent.objects.create(person=p, actor=leader, action="列管", note=f"{cat.name}：{p.reason}")
        # The last listed person of every other community was last seen too long ago: overdue.
        stop = today - timedelta(days=cat.visit_days + rng.randint(3, 12)) if i == n - 1 and ci % 2 == 0 else today
        day, last = registered, None
        visits = []
        while True:
            day = day + timedelta(days=max(1, cat.visit_days - rng.randint(0, max(1, cat.visit_days // 4))))
            if day > stop:
                break
            visits.append(KeyVisit(person=p, visited_on=day, way=rng.choice(["home", "home", "talk", "phone"]),
                                   visitor=worker or leader, findings=rng.choice(FINDINGS)))
            last = day
        KeyVisit.objects.bulk_create(visits)
        p.last_visit_on = last
        p.next_visit_due = (last or registered) + timedelta(days=cat.visit_days)
        p.save(update_fields=["last_visit_on", "next_visit_due"])
        if i == 0 and ci % 3 == 2:  # one released at the end of the 安置帮教 period
            p.status, p.released_on, p.next_visit_due = KeyStatus.RELEASED, today - timedelta(days=10), None
            p.save(update_fields=["status", "released_on", "next_visit_due"])
            KeyEvent.objects.create(person=p, actor=leader, action="状态变更", note="在管 → 已解除：帮教期满")


def _cases(rng, today, comm, grids, staff) -> None:
    from demands.models import Demand

    dispute = (Demand.objects.filter(Q(region=comm) | Q(region__in=grids), category__code="neighbor-dispute",
                                     stability_case__isnull=True).order_by("submitted_at").first())
    n = 8 + rng.randint(0, 6)
    for i in range(n):
        dtype, title, facts, agreement = DISPUTES[(i + len(comm.name)) % len(DISPUTES)]
        received = today - timedelta(days=rng.randint(2, 360))
        kind = CaseKind.PETITION if i % 5 == 4 else CaseKind.MEDIATION
        src_demand = dispute if i == 0 and dispute is not None else None
        if src_demand is not None:
            received = max(timezone.localtime(src_demand.submitted_at).date(), received)
        mediator = rng.choice(staff)
        c = Case.objects.create(number=f"tmp-{comm.pk}-{i}", kind=kind, region=rng.choice([comm, *grids]),
                                dispute_type=dtype, source=CaseSource.DEMAND if src_demand else CaseSource.WALK_IN,
                                demand=src_demand, title=src_demand.title if src_demand else title, facts=facts,
                                received_on=received, mediator=mediator)
        c.number = f"{'访' if kind == CaseKind.PETITION else '调'}{received:%Y}-{c.pk:05d}"
        CaseParty.objects.bulk_create([
            CaseParty(case=c, role="applicant", name=person_name(rng), phone=f"139{rng.randint(10000000, 99999999)}",
                      address=f"{rng.randint(1, 12)}号楼{rng.randint(1, 6)}0{rng.randint(1, 4)}"),
            CaseParty(case=c, role="respondent", name=person_name(rng), address=f"{rng.randint(1, 12)}号楼"),
        ])
        steps = [CaseStep(case=c, on=received, action="受理", note=f"{c.get_source_display()}：{c.title}",
                          actor=mediator)]
        age = (today - received).days
        if age > 20 and i % 6 != 5:
            agreed = received + timedelta(days=rng.randint(3, 12))
            steps += [CaseStep(case=c, on=received + timedelta(days=1), action="调查核实",
                               note="走访双方及邻居了解情况",
                               actor=mediator),
                      CaseStep(case=c, on=agreed, action="达成协议", note="七日内履行完毕", actor=mediator)]
            c.status, c.agreement, c.agreed_on = CaseStatus.AGREED, agreement, agreed
            c.performance, c.follow_up_due = "签订协议后七日内履行完毕", agreed + timedelta(days=15)
            if age > 40:
                c.followed_on, c.follow_up_note = agreed + timedelta(days=14), "协议已履行，双方无异议"
                c.status, c.closed_on = CaseStatus.CLOSED, agreed + timedelta(days=15)
                steps += [CaseStep(case=c, on=c.followed_on, action="回访", note=c.follow_up_note, actor=mediator),
                          CaseStep(case=c, on=c.closed_on, action="结案", actor=mediator)]
        elif age > 20:
            on = received + timedelta(days=10)
            c.status, c.closed_on = CaseStatus.CLOSED, on + timedelta(days=1)
            steps += [CaseStep(case=c, on=on, action="调解不成", note="双方分歧较大，已引导通过诉讼解决",
                               actor=mediator),
                      CaseStep(case=c, on=on + timedelta(days=1), action="结案", actor=mediator)]
        else:
            steps.append(CaseStep(case=c, on=received + timedelta(days=1), action="组织调解", note="约定下周再次调解",
                                  actor=mediator))
        c.save()
        CaseStep.objects.bulk_create(steps)


def _reports(rng, today, comm, grids, staff, workers) -> None:
    for i, (kind, urgency, title, content, people) in enumerate(REPORTS):
        at = timezone.now() - timedelta(days=rng.randint(1, 300), hours=rng.randint(0, 12))
        grid = rng.choice(grids)
        reporter = workers.get(grid.pk) or staff[0]
        r = StabilityReport.objects.create(region=grid if workers.get(grid.pk) else comm, kind=kind, urgency=urgency,
                                           title=title, content=content, occurred_at=at - timedelta(hours=1),
                                           people=people, measures="已到场了解情况并做好解释", reporter=reporter)
        StabilityReport.objects.filter(pk=r.pk).update(
            reported_at=at, status=ReportStatus.HANDLED if i % 4 else ReportStatus.READ,
            read_at=at + timedelta(hours=2), read_by=staff[0],
            reply="已协调相关部门处置" if i % 4 else "")


def _patrols(rng, today, comm, staff, dangyuan) -> None:
    town = comm.parent.name if comm.parent_id else ""
    PoliceOfficer.objects.create(community=comm, name=person_name(rng), badge=f"{rng.randint(100000, 999999)}",
                                 phone=f"138{rng.randint(10000000, 99999999)}",
                                 station=STATIONS.get(town, "县公安局城关派出所"), office=f"{comm.name}警务室",
                                 duty="每周二、四、六驻社区警务室，其余时间电话联系")
    team = PatrolTeam.objects.create(community=comm, name=f"{comm.name}治安联防队", leader_name=person_name(rng),
                                     created_on=today - timedelta(days=700), note="以在职党员为主组成")
    kinds = ["member"] * 5 + ["retired"] * 3 + ["volunteer"] * 3 + ["staff"]
    members = [PatrolMember.objects.create(team=team, name=person_name(rng), kind=k,
                                           phone=f"137{rng.randint(10000000, 99999999)}") for k in kinds]
    if dangyuan is not None:
        members.append(PatrolMember.objects.create(team=team, name=dangyuan.full_name or "党员", kind="member",
                                                   user=dangyuan))
    creator = staff[0]
    turn = 0

    def roster(kind, occasion, days, start_h, hours, per, route, check_rate):
        nonlocal turn
        for d in days:
            s = _aware(d, start_h)
            e = s + timedelta(hours=hours)
            shift = PatrolShift.objects.create(team=team, kind=kind, occasion=occasion, starts_at=s, ends_at=e,
                                               route=route, created_by=creator)
            crew = [members[(turn + i) % len(members)] for i in range(per)]
            turn += per
            ShiftPost.objects.bulk_create([
                ShiftPost(shift=shift, member=m, starts_at=s, ends_at=e,
                          checked_in_at=(s + timedelta(minutes=rng.randint(-10, 15))
                                         if e < timezone.now() and rng.random() < check_rate else None))
                for m in crew])

    year = today.year if today >= _spring_festival(today.year) else today.year - 1
    sf = _spring_festival(year)
    roster(ShiftKind.HOLIDAY, "春节", [sf - timedelta(days=1) + timedelta(days=i) for i in range(7)], 19, 5, 3,
           ROUTES[0], 0.95)
    nd = date(year if date(year, 10, 1) <= today else year - 1, 10, 1)
    roster(ShiftKind.HOLIDAY, "国庆", [nd + timedelta(days=i) for i in range(7)], 19, 4, 3, ROUTES[1], 0.9)
    weeks = [today - timedelta(days=7 * w + 2) for w in range(8, 0, -1)]
    roster(ShiftKind.STAGGERED, "", weeks, 18, 4, 2, ROUTES[2], 0.85)
    # The coming weekend: the demo Party member's own shift, to check in from 我的巡逻.
    sat = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    s = _aware(sat, 19)
    shift = PatrolShift.objects.create(team=team, kind=ShiftKind.STAGGERED, starts_at=s, ends_at=s + timedelta(hours=3),
                                       route=ROUTES[0], created_by=creator)
    crew = list(dict.fromkeys(([m for m in members if m.user_id] or members[:1]) + members[:3]))[:3]
    ShiftPost.objects.bulk_create([ShiftPost(shift=shift, member=m, starts_at=shift.starts_at, ends_at=shift.ends_at)
                                   for m in crew])


DEMO_STEPS = [("stability", load)]
