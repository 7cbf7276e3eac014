"""Grid demo: the seed county's 26,620 residents (regions/demo.py TOWNS) with houses, households,
rental houses, floating residents, care groups, facilities, units, grid polygons tiling each
community, one grid worker per grid (`wgy` on the first grid) and four months of visits. Then, through
the services (so the audit history is real), a few changes per town: facilities marked faulty or
offline (and some repaired), leases ended with their tenants moving out, households moved out,
residents moved out, deceased or moved into another household."""

from __future__ import annotations

import json
import math
import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import RoleAssignment, User
from accounts.roles import Role
from core.demo import DEMO_PASSWORD
from core.idnumber import synthetic_id_number
from core.phone import generate_mobile
from core.pinyin import name_initials, name_pinyin
from core.synthetic import SURNAMES, birth_date, person_name
from orgs.demo import TOWNS
from orgs.models import PartyOrg
from regions.models import Region, RegionKind

from .models import (
    CARE_BIT,
    BuildingInfo,
    Facility,
    FacilityKind,
    FacilityState,
    GridLiaison,
    GridProfile,
    GridUnit,
    House,
    Household,
    HouseUse,
    Relation,
    RentalLease,
    Resident,
    ResidentKind,
    ResidentStatus,
    UnitKind,
    Visit,
)

# Town centres (WGS-84, approximate) and each community's rectangle size in degrees.
TOWN_CENTRES = {"库额尔齐斯镇": (89.520, 46.995), "可可托海镇": (89.800, 47.210), "恰库尔图镇": (89.260, 46.560)}
COMM_W, COMM_H = 0.018, 0.012
FINDINGS = [
    "家中情况正常，宣传了防诈骗知识。", "老人身体状况良好，提醒按时服药。", "反映楼道照明损坏，已记录待报修。",
    "了解就业需求，推荐了社区招聘信息。", "租户信息已核对，提醒办理居住登记。", "宣传燃气安全，检查了报警器。",
    "家中无人，留下联系卡。", "了解孩子入学情况，无困难。", "反映小区停车难问题。", "送去慰问品，询问生活困难。",
]
SHOPS = ["便利店", "超市", "餐馆", "理发店", "药店", "五金店", "快递驿站", "水果店"]
FIRMS = ["商贸有限公司", "物流有限公司", "建筑工程有限公司", "科技有限公司"]
SOCIALS = ["志愿者协会", "老年协会", "文体协会", "调解委员会"]
# Notes of the changes made through the services after the bulk load (see _facility_states, _life_changes).
FAULT_NOTES = {
    FacilityKind.CAMERA: ["镜头被树枝遮挡，画面看不清", "摄像头离线，疑似网线老化", "夜视功能失效，夜间画面发黑"],
    FacilityKind.HYDRANT: ["打开阀门无法出水，阀杆锈死", "箱门损坏关不上，已贴警示条", "出水压力明显不足"],
    FacilityKind.AED: ["设备自检报警，电池电量不足", "电极片已过有效期，待更换"],
    FacilityKind.NOTICE_BOARD: ["玻璃面板破损，存在安全隐患", "灯箱不亮，线路故障"],
}
OFFLINE_NOTES = {
    FacilityKind.CAMERA: ["小区道路改造施工，摄像头暂时拆除", "立杆迁移，待供电部门接电后恢复"],
    FacilityKind.HYDRANT: ["片区管网维修停水，暂停使用", "冬季防冻，已关闭阀门停用"],
    FacilityKind.AED: ["送厂家检修，暂时停用"],
    FacilityKind.NOTICE_BOARD: ["被大风刮倒，已拆除待重新安装", "小区外墙改造，暂时停用"],
}
REPAIR_NOTES = ["已联系维保单位更换配件，测试正常", "物业已维修，现场复查正常", "厂家上门检修完毕，恢复使用"]
HOUSEHOLD_MOVE_REASONS = ["房屋出售，全家迁往乌鲁木齐市居住", "购买新房，全家搬至县城其他小区",
                          "工作调动，全家迁往阿勒泰市", "随子女迁往昌吉市养老"]
TENANT_MOVE_REASONS = ["租约到期不再续租，全家搬离", "工作变动离开富蕴县，提前退租", "另租他处，已办理退租并交还钥匙"]
LEAVE_NOTES = ["考入新疆大学，户口随迁至乌鲁木齐市", "参军入伍，户口迁出", "在乌鲁木齐市工作并落户",
               "工作调动至阿勒泰市", "婚后迁往克拉玛依市居住"]
DECEASED_NOTES = ["因病在家中去世，家属已来社区登记", "在县人民医院病逝", "年老病故，家属已办理户口注销"]


def _rect(x0, y0, x1, y1) -> str:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return json.dumps({"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]},
                      separators=(",", ":"))


def _cells(n: int, x0: float, y0: float, w: float, h: float) -> list[tuple[float, float, float, float]]:
    """n rectangles that tile the rectangle exactly (rows of equal height, cells of equal width per row)."""
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    out = []
    left = n
    for r in range(rows):
        in_row = min(cols, left) if r < rows - 1 else left
        left -= in_row
        for c in range(in_row):
            out.append((x0 + w * c / in_row, y0 + h * r / rows, x0 + w * (c + 1) / in_row, y0 + h * (r + 1) / rows))
    return out


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    base = [total // parts] * parts
    for i in range(total - sum(base)):
        base[i % parts] += 1
    return base


def _unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name（2）`, `name（3）`… the first not yet in `taken` (which it joins)."""
    unique, n = name, 1
    while unique in taken:
        n += 1
        unique = f"{name}（{n}）"
    taken.add(unique)
    return unique


def load() -> None:
    rng = random.Random(4)
    today = timezone.localdate()
    now = timezone.now()
    tz = timezone.get_current_timezone()
    pw = make_password(DEMO_PASSWORD)
    county = Region.objects.get(kind=RegionKind.DISTRICT, name="富蕴县")
    wgy = User.objects.filter(username="wgy").first()
    wgy_grid = RoleAssignment.objects.filter(user=wgy, role=Role.GRID_WORKER).values_list("region_id", flat=True) \
        .first() if wgy else None
    houses: list[House] = []
    profiles = []
    buildings_info = []
    facilities = []
    states: list[str] = []  # the state each facility is to end up in
    units = []
    liaisons = []
    grid_residents: dict[int, int] = {}
    worker_of: dict[int, User] = {}
    grid_town: dict[int, str] = {}
    grid_comm: dict[int, int] = {}
    worker_n = 0
    for t_name, comms in TOWNS.items():
        town = Region.objects.get(parent=county, name=t_name)
        cx, cy = TOWN_CENTRES[t_name]
        for c_index, (c_name, residents) in enumerate(comms):
            comm = Region.objects.get(parent=town, name=c_name)
            grids = list(comm.children.filter(kind=RegionKind.GRID).order_by("sort_order", "id"))
            x0 = cx + (c_index % 2 - 1) * COMM_W
            y0 = cy + (c_index // 2 - 0.5) * COMM_H
            cells = _cells(len(grids), x0, y0, COMM_W, COMM_H)
            counts = _split(residents, len(grids), rng)
            for g_index, (grid, cell, n_res) in enumerate(zip(grids, cells, counts, strict=True)):
                grid_residents[grid.pk] = n_res
                grid_town[grid.pk], grid_comm[grid.pk] = t_name, comm.pk
                branch = PartyOrg.objects.filter(region=grid).first()
                if grid.pk == wgy_grid and wgy:
                    worker = wgy
                elif c_name == "迎宾路社区" and g_index > 0:
                    worker = worker_of[grids[0].pk]  # one worker for two grids: over the 500 quota
                else:
                    worker_n += 1
                    worker = User.objects.create(username=f"wgy{worker_n:03d}", full_name=person_name(rng), password=pw)
                    RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, region=grid)
                if worker != wgy and not RoleAssignment.objects.filter(user=worker, region=grid).exists():
                    RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, region=grid)
                worker_of[grid.pk] = worker
                code = f"{county.division_code}{list(TOWNS).index(t_name) + 1:02d}{c_index + 1:02d}{g_index + 1:03d}"
                gx0, gy0, gx1, gy1 = cell
                profiles.append(GridProfile(region=grid, code=code, boundary=_rect(gx0, gy0, gx1, gy1),
                                            center_lat=(gy0 + gy1) / 2, center_lng=(gx0 + gx1) / 2,
                                            primary_worker=worker, branch=branch))
                if rng.random() < 0.85:
                    liaisons.append(GridLiaison(grid=grid, name=person_name(rng), duty="党员联络员"))
                blds = list(Region.objects.under(grid.path, include_self=False).filter(kind=RegionKind.BUILDING)
                            .select_related("parent").order_by("path"))
                # Households needed ≈ residents / 2.6; houses include vacant and commercial ones.
                n_houses = math.ceil(n_res / 2.6 / 0.85) + 2
                per_bld = _split(n_houses, len(blds), rng)
                for b_index, (b, nh) in enumerate(zip(blds, per_bld, strict=True)):
                    bx = gx0 + (gx1 - gx0) * (0.2 + 0.6 * ((b_index % 3) + 0.5) / 3)
                    by = gy0 + (gy1 - gy0) * (0.2 + 0.6 * ((b_index // 3 % 3) + 0.5) / 3)
                    buildings_info.append(BuildingInfo(region=b, lat=by, lng=bx, floors=rng.choice([5, 6, 11, 18])))
                    units_n = max(1, min(3, nh // 24 + 1))
                    for k in range(nh):
                        unit = str(k % units_n + 1)
                        floor, door = divmod(k // units_n, 2)
                        number = f"{floor + 1}0{door + 1}"
                        use = rng.choices([HouseUse.SELF, HouseUse.RENTAL, HouseUse.VACANT, HouseUse.COMMERCIAL],
                                          [72, 15, 9, 4])[0]
                        houses.append(House(grid=grid, building=b, unit=unit, number=number, use=use,
                                            address=f"{b.parent.name}{b.name}{unit}单元{number}",
                                            area=rng.choice([58, 72, 86, 98, 120])))
                for kind, n in [(FacilityKind.CAMERA, rng.randint(2, 4)), (FacilityKind.HYDRANT, rng.randint(1, 2)),
                                (FacilityKind.AED, rng.randint(0, 1)), (FacilityKind.NOTICE_BOARD, 1)]:
                    for i in range(n):
                        lng = gx0 + (gx1 - gx0) * rng.uniform(0.05, 0.95)
                        lat = gy0 + (gy1 - gy0) * rng.uniform(0.05, 0.95)
                        # Created normal; a faulty or offline one is marked so through the service below,
                        # so its note, marker and time are in the audit history (the 故障与停用设施 list).
                        states.append(rng.choices([FacilityState.NORMAL, FacilityState.FAULT, FacilityState.OFFLINE],
                                                  [88, 8, 4])[0])
                        facilities.append(Facility(
                            grid=grid, kind=kind, name=f"{grid.name}{FacilityKind(kind).label}{i + 1}",
                            lng=lng, lat=lat, state=FacilityState.NORMAL))
                unit_names: set[str] = set()   # unique per grid, as services._clean_unit requires
                for _ in range(rng.randint(3, 6)):
                    kind = rng.choices([UnitKind.SHOP, UnitKind.FIRM, UnitKind.SOCIAL], [6, 2, 1])[0]
                    base = {UnitKind.SHOP: SHOPS, UnitKind.FIRM: FIRMS, UnitKind.SOCIAL: SOCIALS}[kind]
                    name = (rng.choice(SURNAMES) + "记" if kind == UnitKind.SHOP else "金山") + rng.choice(base)
                    name = _unique_name(f"{c_name[:2]}{name}", unit_names)
                    units.append(GridUnit(grid=grid, kind=kind, name=name,
                                          contact_name=person_name(rng), contact_phone=generate_mobile(rng),
                                          has_party_org=kind != UnitKind.SHOP and rng.random() < 0.4))
    GridProfile.objects.bulk_create(profiles, batch_size=500)
    BuildingInfo.objects.bulk_create(buildings_info, batch_size=1000)
    Facility.objects.bulk_create(facilities, batch_size=1000)
    GridUnit.objects.bulk_create(units, batch_size=1000)
    GridLiaison.objects.bulk_create(liaisons)
    House.objects.bulk_create(houses, batch_size=2000)


    # Households and residents, grid by grid, until each grid's resident count is reached. Everything
    # about a household (head, care flag, last visit) is planned first so each table is one bulk insert.
    by_grid: dict[int, list[House]] = {}
    for h in houses:
        by_grid.setdefault(h.grid_id, []).append(h)
    households: list[Household] = []
    sizes: list[tuple[bool, int]] = []
    for grid_id, gh in by_grid.items():
        left = grid_residents[grid_id]
        lived = [h for h in gh if h.use in (HouseUse.SELF, HouseUse.RENTAL)]
        for i, h in enumerate(lived):
            if left <= 0:
                break
            remaining_houses = len(lived) - i
            avg = left / remaining_houses
            size = left if remaining_houses == 1 else max(1, min(left, 6, int(avg + rng.uniform(-1.5, 1.5) + 0.5)))
            left -= size
            households.append(Household(grid_id=grid_id, house=h, head_name="", members=size,
                                        number=f"H{grid_id:05d}{i + 1:04d}"))
            sizes.append((h.use == HouseUse.RENTAL, size))
    residents: list[Resident] = []
    owner: list[int] = []  # index of the household of each resident
    leases: list[tuple[int, int, int]] = []  # (household index, first resident index, end)
    for index, (hh, (rental, size)) in enumerate(zip(households, sizes, strict=True)):
        floating = rental and rng.random() < 0.8
        head_age = rng.randint(24, 88)
        for m in range(size):
            if m == 0:
                rel, age = Relation.HEAD, head_age
            elif m == 1:
                rel, age = Relation.SPOUSE, max(20, head_age + rng.randint(-5, 5))
            else:
                rel = rng.choice([Relation.CHILD, Relation.CHILD, Relation.PARENT, Relation.GRANDCHILD])
                age = {Relation.CHILD: max(0, head_age - rng.randint(22, 35)),
                       Relation.PARENT: min(99, head_age + rng.randint(22, 30)),
                       Relation.GRANDCHILD: max(0, head_age - rng.randint(45, 60))}[rel]
            name = person_name(rng)
            if m > 0 and rel in (Relation.CHILD, Relation.GRANDCHILD):
                name = hh.head_name[0] + name[1:]
            gender = rng.choice("MF")
            bd = birth_date(rng, min_age=age, max_age=age, today=today)
            region_code = rng.choice(["650102", "654301", "620102", "410102", "510104"]) if floating else "654322"
            idn = synthetic_id_number(region_code=region_code, birth_date=bd, gender=gender)
            flags = 0
            if size == 1 and age >= 70:
                flags |= CARE_BIT["elderly_alone"]
            if rng.random() < 0.02:
                flags |= CARE_BIT["disabled"]
            if rng.random() < 0.025:
                flags |= CARE_BIT["dibao"]
            if rng.random() < 0.01:
                flags |= CARE_BIT["youfu"]
            if age < 16 and rng.random() < 0.05:
                flags |= CARE_BIT["left_behind"]
            if rng.random() < 0.01:
                flags |= CARE_BIT["hardship"]
            hh.is_care = hh.is_care or bool(flags)
            kind = ResidentKind.FLOATING if floating else rng.choices(
                [ResidentKind.REGISTERED, ResidentKind.PERMANENT], [82, 18])[0]
            arrival = expiry = None
            if floating:
                arrival = today - timedelta(days=rng.randint(20, 900))
                expiry = today + timedelta(days=rng.randint(-20, 360))
            if m == 0:
                hh.head_name = name
            residents.append(Resident(
                grid_id=hh.grid_id, name=name, name_initials=name_initials(name),
                name_pinyin=name_pinyin(name), gender=gender, birth_date=bd, id_number=idn,
                phone=generate_mobile(rng) if age >= 16 else "", kind=kind,
                relation=Relation.TENANT if floating and m == 0 else rel, care_flags=flags,
                arrival_date=arrival, permit_expiry=expiry))
            owner.append(index)
        if rental:
            leases.append((index, len(residents) - size, len(residents)))

    # Four months of visits: past months nearly complete, this month in progress.
    month0 = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = []
    m = month0
    for _ in range(4):
        months.insert(0, m)
        m = (m - timedelta(days=1)).replace(day=1)
    visits: list[Visit] = []
    visit_owner: list[int] = []
    for index, hh in enumerate(households):
        for start in months:
            current = start == month0
            end = now if current else (start + timedelta(days=32)).replace(day=1)
            share = 0.55 * ((now - start) / timedelta(days=30)) if current else rng.uniform(0.82, 0.98)
            if hh.grid_id == wgy_grid and current:
                share = 0.35
            if rng.random() > min(share, 0.97):
                continue
            span = max(1, int((end - start).total_seconds()) - 3600)
            at = start + timedelta(seconds=rng.randint(0, span))
            at = datetime.combine(timezone.localtime(at).date(), time(rng.randint(9, 17), rng.randint(0, 59)), tz)
            if at > now:
                at = now - timedelta(minutes=rng.randint(5, 600))
                if at < start:
                    continue
            visits.append(Visit(grid_id=hh.grid_id, worker=worker_of[hh.grid_id], visited_at=at,
                                findings=rng.choice(FINDINGS)))
            visit_owner.append(index)
            hh.last_visited_at = max(hh.last_visited_at or at, at)

    Household.objects.bulk_create(households, batch_size=2000)
    for r, i in zip(residents, owner, strict=True):
        r.household = households[i]
    Resident.objects.bulk_create(residents, batch_size=2000)
    for v, i in zip(visits, visit_owner, strict=True):
        v.household = households[i]
    Visit.objects.bulk_create(visits, batch_size=5000)

    # Rental leases with their tenants.
    lease_objs = []
    for i, _, _ in leases:
        start = today - timedelta(days=rng.randint(30, 700))
        lease_objs.append(RentalLease(grid_id=households[i].grid_id, house=households[i].house,
                                      landlord_name=person_name(rng), landlord_phone=generate_mobile(rng),
                                      start_date=start, end_date=start + timedelta(days=rng.choice([365, 730]))))
    RentalLease.objects.bulk_create(lease_objs, batch_size=2000)
    through = RentalLease.tenants.through
    through.objects.bulk_create([
        through(rentallease_id=lease.pk, resident_id=residents[k].pk)
        for lease, (_, a, b) in zip(lease_objs, leases, strict=True) for k in range(a, b)
    ], batch_size=5000)

    # What the by-hand pages do later on, done through the services so the audit history is real.
    # Residents were registered (and joined their households) before the four months of visits
    # (resident_transfer checks the date).
    # A separate generator, so the draws above stay as they were.
    Resident.objects.filter(grid_id__in=list(grid_residents)).update(
        created_at=months[0], joined_on=timezone.localtime(months[0]).date())
    changes_rng = random.Random(5)
    _facility_states(changes_rng, facilities, states, grid_town, worker_of, wgy_grid)
    _life_changes(changes_rng, households=households, residents=residents, owner=owner, leases=leases,
                  lease_objs=lease_objs, grid_town=grid_town, grid_comm=grid_comm, worker_of=worker_of,
                  wgy_grid=wgy_grid, registered=timezone.localtime(months[0]).date(), today=today)


def _day(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _choose(rng: random.Random, cands: list, n: int, used: set[int], households: list[Household],
            prefer_grid) -> list:
    """Up to n candidates (tuples, household index first) of distinct households not used yet (which they
    join); the first from `prefer_grid` (the demo worker's) when it has one, so that account sees each change."""
    out = []
    for _ in range(n):
        left = [c for c in cands if c[0] not in used]
        preferred = [c for c in left if households[c[0]].grid_id == prefer_grid] if not out else []
        if not left:
            break
        c = rng.choice(preferred or left)
        used.add(c[0])
        out.append(c)
    return out


def _facility_states(rng: random.Random, facilities: list[Facility], states: list[str], grid_town: dict[int, str],
                     worker_of: dict[int, User], wgy_grid) -> None:
    """Faulty and offline facilities marked so by their grid's worker; two or three per town repaired since."""
    from .services import facility_set_state

    for f, state in zip(facilities, states, strict=True):
        if state != FacilityState.NORMAL:
            notes = (FAULT_NOTES if state == FacilityState.FAULT else OFFLINE_NOTES)[f.kind]
            facility_set_state(actor=worker_of[f.grid_id], facility=f, state=state, note=rng.choice(notes))
    for town in TOWNS:
        normal = [f for f, state in zip(facilities, states, strict=True)
                  if state == FacilityState.NORMAL and grid_town[f.grid_id] == town]
        for n in range(rng.randint(2, 3)):
            preferred = [f for f in normal if f.grid_id == wgy_grid] if n == 0 else []
            if not normal:
                break
            f = rng.choice(preferred or normal)
            normal.remove(f)
            actor = worker_of[f.grid_id]
            facility_set_state(actor=actor, facility=f, state=FacilityState.FAULT, note=rng.choice(FAULT_NOTES[f.kind]))
            facility_set_state(actor=actor, facility=f, state=FacilityState.NORMAL, note=rng.choice(REPAIR_NOTES))


def _life_changes(rng: random.Random, *, households: list[Household], residents: list[Resident], owner: list[int],
                  leases: list[tuple[int, int, int]], lease_objs: list[RentalLease], grid_town: dict[int, str],
                  grid_comm: dict[int, int], worker_of: dict[int, User], wgy_grid, registered: date,
                  today: date) -> None:
    """Per town a few leases ended (the tenants moving out), households moved out, residents moved out or
    deceased, residents moved into another household of their grid: each by the grid's worker (a whole
    household in the secretary's community by the secretary), dated after the household's last visit."""
    from . import services

    secretary = User.objects.filter(username="sq_shuji").first()
    sec_comm = RoleAssignment.objects.filter(user=secretary, role=Role.COMMUNITY_SECRETARY).values_list(
        "region_id", flat=True).first() if secretary else None
    members_of: dict[int, list[int]] = {}
    for k, i in enumerate(owner):
        members_of.setdefault(i, []).append(k)
    lease_of = {i: n for n, (i, _, _) in enumerate(leases)}
    yesterday = today - timedelta(days=1)

    def age(k: int) -> int:
        bd = residents[k].birth_date
        return today.year - bd.year - ((today.month, today.day) < (bd.month, bd.day))

    def after_visit(i: int) -> date:  # the first day a change may be dated: after the last visit
        last = households[i].last_visited_at
        return timezone.localtime(last).date() + timedelta(days=1) if last else today - timedelta(days=100)

    def mover(i: int) -> User:
        grid_id = households[i].grid_id
        return secretary if secretary and grid_comm[grid_id] == sec_comm else worker_of[grid_id]

    used: set[int] = set()
    for town in TOWNS:
        mine = [i for i, hh in enumerate(households) if grid_town[hh.grid_id] == town]
        settled = [i for i in mine if after_visit(i) <= today - timedelta(days=5)]
        # 退租: the lease ends and its tenants' household moves out the same day.
        cands = []
        for i in settled:
            if i in lease_of:
                lease = lease_objs[lease_of[i]]
                lo, hi = max(lease.start_date, after_visit(i)), min(lease.end_date, yesterday)
                if lo <= hi:
                    cands.append((i, lease, lo, hi))
        for i, lease, lo, hi in _choose(rng, cands, rng.randint(2, 3), used, households, wgy_grid):
            ended = _day(rng, lo, hi)
            services.lease_end(actor=worker_of[households[i].grid_id], lease=lease, ended_on=ended)
            services.household_move_out(actor=mover(i), household=households[i], moved_out_on=ended,
                                        reason=rng.choice(TENANT_MOVE_REASONS))
        # 整户迁出 from a house of their own.
        cands = [(i,) for i in settled if households[i].house.use == HouseUse.SELF]
        for (i,) in _choose(rng, cands, rng.randint(2, 3), used, households, wgy_grid):
            services.household_move_out(actor=mover(i), household=households[i],
                                        moved_out_on=_day(rng, after_visit(i), yesterday),
                                        reason=rng.choice(HOUSEHOLD_MOVE_REASONS))
        # A grown child moves away; an elderly parent dies (neither the head, the household stays).
        cands = [(i, k) for i in mine if len(members_of[i]) >= 3 for k in members_of[i][1:]
                 if residents[k].relation == Relation.CHILD and 18 <= age(k) <= 35]
        for i, k in _choose(rng, cands, rng.randint(2, 4), used, households, wgy_grid):
            services.resident_leave(actor=worker_of[households[i].grid_id], resident=residents[k],
                                    status=ResidentStatus.MOVED_OUT, left_on=_day(rng, today - timedelta(days=150),
                                                                                   yesterday),
                                    note=rng.choice(LEAVE_NOTES))
        cands = [(i, k) for i in mine if len(members_of[i]) >= 2 for k in members_of[i][1:] if age(k) >= 75]
        for i, k in _choose(rng, cands, rng.randint(2, 3), used, households, wgy_grid):
            services.resident_leave(actor=worker_of[households[i].grid_id], resident=residents[k],
                                    status=ResidentStatus.DECEASED, left_on=_day(rng, today - timedelta(days=150),
                                                                                  yesterday),
                                    note=rng.choice(DECEASED_NOTES))
        # 迁入他户: a grown child marries into (or moves in with) another household of the same grid.
        cands = [(i, k) for i in mine if len(members_of[i]) >= 3 for k in members_of[i][1:]
                 if residents[k].relation == Relation.CHILD and 22 <= age(k) <= 40]
        for i, k in _choose(rng, cands, 2, used, households, wgy_grid):
            grid_id = households[i].grid_id
            others = [j for j in mine if j not in used and households[j].grid_id == grid_id
                      and households[j].house.use == HouseUse.SELF]
            singles = [j for j in others if len(members_of[j]) == 1 and 22 <= age(members_of[j][0]) <= 45]
            if not others:
                continue
            j = rng.choice(singles or others)
            used.add(j)
            relation, note = ((Relation.SPOUSE, "结婚后迁入配偶家中居住") if singles
                              else (Relation.OTHER, "投靠亲属，迁入亲属家中居住"))
            services.resident_transfer(actor=worker_of[grid_id], resident=residents[k], household=households[j],
                                       relation=relation, moved_on=_day(rng, max(registered, today - timedelta(
                                           days=90)), yesterday), note=note)


DEMO_STEPS = [("grid", load)]
