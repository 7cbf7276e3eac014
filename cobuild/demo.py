"""Demo: the seed county's 188 unit-community pairings (seed 000: 188个驻区单位与社区结对) made by
85 real organizations over its 8 communities — a county bureau is one unit serving several
communities, each through its own agreement — with the three lists, a year of deeds in each
community, pairings with households in hardship.
Everything is synthetic; bulk inserts keep the step fast."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from core.synthetic import person_name
from orgs.models import UNIT_LEVELS, PartyOrg
from regions.models import Region, RegionKind

from .models import (
    Activity,
    Agreement,
    Deed,
    DeedMember,
    Need,
    NeedStatus,
    Pairing,
    PairingVisit,
    Project,
    ProjectStatus,
    ResidentUnit,
    Resource,
    ResourceKind,
    UnitKind,
)

TOTAL_LINKS = 188  # seed 000: 全县188个驻区单位与社区结对 — unit-community pairings, one agreement each
TOTAL_UNITS = 85   # the real organizations behind them: a county bureau serves several communities
LIAISON_USERNAME = "dw_lly"
LIAISON_UNIT = ("库额尔齐斯镇", "文化东路社区", "县人民医院")

# Name stems per kind; a community's units get distinct names.
STEMS = {
    UnitKind.GOVERNMENT: ["县财政局", "县税务局", "县人社局", "县住建局", "县市场监管局", "县交通运输局", "县水利局",
                          "县自然资源局", "县司法局", "县民政局", "县文旅局", "县卫健委", "县应急管理局", "县统计局",
                          "县审计局", "县农业农村局", "县林草局", "县气象局", "县档案馆", "县商务局"],
    UnitKind.INSTITUTION: ["县融媒体中心", "县疾控中心", "县图书馆", "县文化馆", "县就业服务中心", "县社保中心",
                           "县公共资源交易中心", "县不动产登记中心"],
    UnitKind.STATE_FIRM: ["县供电公司", "县自来水公司", "县邮政分公司", "县移动分公司", "县电信分公司", "县农业银行",
                          "县工商银行", "县建设银行", "县燃气公司", "县热力公司", "县石油分公司"],
    UnitKind.PRIVATE_FIRM: ["金山物流有限公司", "阿尔泰商贸有限公司", "额河建材有限公司", "天山餐饮有限公司",
                            "绿洲超市", "雪莲宾馆", "丝路汽修厂", "富民农资店"],
    UnitKind.SCHOOL: ["县第一中学", "县第二中学", "县实验小学", "县第二小学", "县幼儿园", "县职业技术学校"],
    UnitKind.HOSPITAL: ["县人民医院", "县中医医院", "县妇幼保健院", "社区卫生服务中心"],
    UnitKind.SOCIAL_ORG: ["好人协会", "志愿者协会", "老年大学", "个体劳动者协会"],
}
NEEDS = {
    ResourceKind.VENUE: ["党课活动场地", "文艺汇演场地", "老年人活动室"],
    ResourceKind.FUNDS: ["活动室修缮资金", "困难户慰问资金", "小区路灯维修资金"],
    ResourceKind.SKILL: ["义诊服务", "法律咨询", "家电维修"],
    ResourceKind.VOLUNTEER: ["冬季扫雪志愿者", "交通劝导志愿者", "垃圾分类宣传志愿者"],
    ResourceKind.JOB: ["就业困难人员岗位", "高校毕业生见习岗位"],
}
RESOURCES = {
    ResourceKind.VENUE: ["会议室", "报告厅", "职工活动中心", "运动场"],
    ResourceKind.FUNDS: ["共建专项资金", "党建活动经费"],
    ResourceKind.SKILL: ["医护专业服务", "法律服务", "技术维修服务", "教师辅导"],
    ResourceKind.VOLUNTEER: ["党员志愿服务队", "青年志愿服务队"],
    ResourceKind.JOB: ["保洁岗位", "保安岗位", "见习岗位"],
}
DEEDS = {
    Activity.PARTY: ["联合开展主题党日", "共上专题党课", "帮助社区完善党建制度"],
    Activity.IDEAS: ["理论宣讲进社区", "道德讲堂", "法治宣传"],
    Activity.SERVICE: ["义诊进社区", "走访慰问困难户", "便民维修服务", "助学帮困"],
    Activity.SECURITY: ["夜间治安巡逻", "消防安全排查", "反诈宣传"],
    Activity.ENVIRONMENT: ["冬季清雪", "环境卫生整治", "植树绿化"],
    Activity.CULTURE: ["广场文艺演出", "职工社区篮球赛", "百日广场文化活动"],
}
HARDSHIP = ["低保户", "残疾人家庭", "独居老人", "大病家庭", "单亲家庭"]


LOCAL_PLACES = ["金山", "额河", "天山", "雪莲", "丝路", "绿洲", "富民", "阿尔泰", "白桦", "红柳", "胡杨", "戈壁"]
LOCAL_TRADES = [("物业服务有限公司", UnitKind.PRIVATE_FIRM), ("商贸有限公司", UnitKind.PRIVATE_FIRM),
                ("家政服务中心", UnitKind.SOCIAL_ORG), ("建筑工程有限公司", UnitKind.PRIVATE_FIRM),
                ("农民专业合作社", UnitKind.OTHER)]
COUNTY_KINDS = {UnitKind.GOVERNMENT, UnitKind.INSTITUTION, UnitKind.STATE_FIRM, UnitKind.SCHOOL, UnitKind.HOSPITAL}


def _kind_of_host(host: str) -> str:
    return (UnitKind.HOSPITAL if "医院" in host else UnitKind.SCHOOL if "中学" in host
            else UnitKind.PRIVATE_FIRM if "有限公司" in host
            else UnitKind.STATE_FIRM if "公司" in host or "矿务局" in host else UnitKind.SOCIAL_ORG)


def _links(rng: random.Random, communities: list[Region], forced: dict[int, list[str]]
           ) -> tuple[dict[str, str], dict[int, list[str]]]:
    """85 organizations and which communities each serves: 188 (unit, community) pairs. The
    foundation's unit Party organizations' hosts serve their community; county bureaus, schools,
    hospitals and state firms serve several; local firms and associations serve one."""
    kinds: dict[str, str] = {}
    for hosts in forced.values():
        for h in hosts:
            kinds.setdefault(h, _kind_of_host(h))
    county = [(n, k) for k, names in STEMS.items() if k in COUNTY_KINDS for n in names]
    for n, k in county:
        if len(kinds) >= TOTAL_UNITS - 12:
            break
        kinds.setdefault(n, k)
    local = [(f"{p}{t}", k) for t, k in LOCAL_TRADES for p in LOCAL_PLACES]
    rng.shuffle(local)
    for n, k in local:
        if len(kinds) >= TOTAL_UNITS:
            break
        kinds.setdefault(n, k)
    shares = [rng.randint(18, 28) for _ in communities]
    shares[-1] += TOTAL_LINKS - sum(shares)
    served: dict[int, list[str]] = {c.pk: list(dict.fromkeys(forced.get(c.pk, []))) for c in communities}
    used = {n: sum(n in v for v in served.values()) for n in kinds}
    # Every organization serves at least one community, the local ones exactly one.
    order = sorted((n for n in kinds if not used[n]), key=lambda n: (kinds[n] in COUNTY_KINDS, n))
    for n in order:
        c = min(communities, key=lambda c: (len(served[c.pk]) / shares[communities.index(c)], c.path))
        served[c.pk].append(n)
        used[n] += 1
    multi = [n for n in kinds if kinds[n] in COUNTY_KINDS]
    for c, share in zip(communities, shares, strict=True):
        while len(served[c.pk]) < share:
            free = [n for n in multi if n not in served[c.pk]]
            low = min(used[n] for n in free)
            n = rng.choice([n for n in free if used[n] == low])
            served[c.pk].append(n)
            used[n] += 1
    return kinds, served


def load() -> None:
    from .merge import common_path

    rng = random.Random(6006)
    today = timezone.localdate()
    communities = list(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path"))
    if not communities:
        return
    unit_orgs = {(o.region_id, o.host_name): o for o in PartyOrg.objects.filter(level__in=UNIT_LEVELS)}
    liaison = User.objects.filter(username=LIAISON_USERNAME).first()
    forced: dict[int, list[str]] = {}
    for rid, host in unit_orgs:
        forced.setdefault(rid, []).append(host)
    for c in communities:
        if (c.parent.name, c.name) == LIAISON_UNIT[:2]:
            forced.setdefault(c.pk, []).append(LIAISON_UNIT[2])
    kinds, served = _links(rng, communities, forced)
    comm_of = {c.pk: c for c in communities}
    by_path = {r.path: r for r in Region.objects.filter(kind__in=[RegionKind.DISTRICT, RegionKind.STREET,
                                                                  RegionKind.COMMUNITY])}
    homes: dict[str, list[Region]] = {}
    for cid, names in served.items():
        for n in names:
            homes.setdefault(n, []).append(comm_of[cid])
    units: list[ResidentUnit] = []
    for name in sorted(kinds, key=lambda n: min(c.path for c in homes[n]) + n):
        comms = homes[name]
        home = by_path.get(common_path([c.path for c in comms])) or comms[0]
        org = next((unit_orgs[(c.pk, name)] for c in comms if (c.pk, name) in unit_orgs), None)
        first = comms[0]
        units.append(ResidentUnit(
            name=name, kind=kinds[name], region=home, party_org=org, leader_name=person_name(rng),
            address=f"{first.parent.name}{first.name[:-2]}{rng.randint(1, 300)}号",
            liaison=liaison if name == LIAISON_UNIT[2] else None, has_volunteer_team=rng.random() < 0.7,
        ))
    ResidentUnit.objects.bulk_create(units, batch_size=500)
    unit_by_name = {u.name: u for u in ResidentUnit.objects.select_related("region")}
    # pairs: (unit, community), one agreement each
    pairs = [(unit_by_name[n], comm_of[cid]) for cid, names in served.items() for n in names]

    start = date(today.year - 1, 1, 1)
    agreements = [Agreement(unit=u, region=c, title=f"{c.name}与{u.name}共驻共建协议",
                            start=start, end=date(today.year + 1, 12, 31),
                            activities=sorted(rng.sample(Activity.values, rng.randint(2, 6)),
                                              key=Activity.values.index))
                  for u, c in pairs]
    Agreement.objects.bulk_create(agreements, batch_size=500)
    agreements = {(a.unit_id, a.region_id): a for a in Agreement.objects.all()}

    resources = []
    for u, c in pairs:
        for _ in range(rng.randint(1, 2) if len(homes[u.name]) == 1 else 1):
            kind = rng.choice(ResourceKind.values)
            cap = {ResourceKind.FUNDS: rng.choice([2000, 5000, 10000]), ResourceKind.VENUE: rng.choice([30, 60, 120])}
            resources.append(Resource(unit=u, region=c, agreement=agreements[(u.pk, c.pk)], kind=kind,
                                      title=rng.choice(RESOURCES[kind]), capacity=cap.get(kind, rng.randint(2, 20)),
                                      availability=rng.choice(["工作日晚间", "周末全天", "每月第一周", "随时"])))
    Resource.objects.bulk_create(resources, batch_size=500)
    res_by_comm: dict[int, list[Resource]] = {}
    for r in Resource.objects.select_related("unit").order_by("pk"):
        res_by_comm.setdefault(r.region_id, []).append(r)

    by_comm: dict[int, list[ResidentUnit]] = {}
    for u, c in pairs:
        by_comm.setdefault(c.pk, []).append(u)
    needs, projects, used = [], [], set()
    for comm in communities:
        for i in range(10):
            kind = rng.choice(ResourceKind.values)
            unit = rng.choice(by_comm[comm.pk])
            need = Need(region=comm, agreement=agreements[(unit.pk, comm.pk)], kind=kind, title=rng.choice(NEEDS[kind]),
                        quantity=rng.randint(1, 10) if kind != ResourceKind.FUNDS else rng.choice([1000, 3000]))
            match = next((r for r in res_by_comm.get(comm.pk, []) if r.kind == kind and r.pk not in used), None)
            if match is not None and i < 7:
                need.status = NeedStatus.MATCHED
                used.add(match.pk)
                done = rng.random() < 0.5
                projects.append((need, Project(
                    region=comm, unit=match.unit, resource=match, agreement=agreements[(match.unit_id, comm.pk)],
                    title=f"{need.title}（{match.unit.name}）", owner_name=person_name(rng),
                    deadline=today + timedelta(days=rng.randint(10, 120)),
                    budget=Decimal(rng.choice([0, 500, 2000, 5000])),
                    status=ProjectStatus.DONE if done else ProjectStatus.ACTIVE,
                    done_on=today - timedelta(days=rng.randint(5, 200)) if done else None)))
            needs.append(need)
    Need.objects.bulk_create(needs, batch_size=500)
    for need, project in projects:
        project.need = need
    Project.objects.bulk_create([p for _, p in projects], batch_size=500)
    project_by_link: dict[tuple[int, int], list[Project]] = {}
    for p in Project.objects.all():
        project_by_link.setdefault((p.unit_id, p.region_id), []).append(p)

    # A year of deeds in each community a unit serves: most 1-8, a few none (so the shortfall list
    # has names on it); a bureau serving three communities has three ledgers' worth.
    deeds, people = [], []
    staff_of = {u.pk: [person_name(rng) for _ in range(rng.randint(2, 6))] for u in unit_by_name.values()}
    for u, c in pairs:
        n = 0 if rng.random() < 0.08 else rng.randint(1, 8)
        staff = staff_of[u.pk]
        for _ in range(n):
            activity = rng.choice(Activity.values)
            the_date = today - timedelta(days=rng.randint(0, 364))
            mine = project_by_link.get((u.pk, c.pk))
            proj = rng.choice(mine) if mine and rng.random() < 0.3 else None
            d = Deed(unit=u, region=c, project=proj, activity=activity, date=the_date,
                     title=rng.choice(DEEDS[activity]), beneficiaries=rng.choice([10, 20, 35, 60, 120]),
                     hours=Decimal(rng.randint(2, 40)), money=Decimal(rng.choice([0, 0, 200, 800, 3000])),
                     team_service=u.has_volunteer_team and rng.random() < 0.5,
                     rating=Decimal(rng.choice(["3.5", "4.0", "4.5", "5.0", "4.8"])))
            deeds.append(d)
            people.append(rng.sample(staff, rng.randint(1, min(3, len(staff)))))
    Deed.objects.bulk_create(deeds, batch_size=1000)
    DeedMember.objects.bulk_create([DeedMember(deed=d, name=name, hours=Decimal(rng.randint(1, 6)))
                                    for d, names in zip(deeds, people, strict=True) for name in names],
                                   batch_size=2000)

    _link_staff_members(list(unit_by_name.values()))

    pairings = []
    for comm in communities:
        for _ in range(6):
            unit = rng.choice(by_comm[comm.pk])
            pairings.append(Pairing(region=comm, unit=unit, member_name=person_name(rng),
                                    household=person_name(rng), hardship=rng.choice(HARDSHIP),
                                    since=today - timedelta(days=rng.randint(60, 700))))
    Pairing.objects.bulk_create(pairings)
    PairingVisit.objects.bulk_create([
        PairingVisit(pairing=p, date=today - timedelta(days=rng.randint(0, 59)),
                     note=rng.choice(["送去米面油", "了解生活近况", "帮助申请临时救助", "陪同就医"]))
        for p in Pairing.objects.all() for _ in range(rng.randint(0, 4))])


def _link_staff_members(units: list[ResidentUnit]) -> None:
    """Where the members app has staff members of a unit's Party organization, they take part in
    the unit's latest deeds, counted against their dual-registration quota (through members)."""
    from . import selectors, services

    mm = selectors._members_models()
    if mm is None:
        return
    for u in units:
        if u.party_org_id is None:
            continue
        staff = list(mm.PartyMember.objects.filter(unit_org_id=u.party_org_id).order_by("pk")[:3])
        if not staff:
            continue
        for deed in Deed.objects.filter(unit=u).order_by("-date")[:2]:
            for m in staff:
                DeedMember.objects.create(deed=deed, member_id=m.pk, name=m.name, hours=Decimal(2))
                services._member_deed_record(actor=None, member_id=m.pk, deed=deed)


DEMO_STEPS = [("cobuild", load)]
