"""Foundation demo (the territory tree, its Party organizations and the accounts; loaded here, by the
lowest app that may write all three): the county of seed 000 (3 towns, 8 communities, 26,620 residents, 8 Party
organizations: 4 general branches and 4 branches), its grids, compounds and buildings, and one
account per role. Names of people are generated; the county's own place names come from the seed
(two community names the seed masks as “**路社区” are filled in as 人民路社区 and 建设路社区)."""

from __future__ import annotations

import math
import random
from datetime import date

from accounts.models import RoleAssignment, User
from accounts.roles import Role
from core.demo import DEMO_PASSWORD
from core.synthetic import person_name
from regions.models import Region, RegionKind

from .models import OrgForm, OrgLevel, PartyOrg

COUNTY = ("富蕴县", "654322")
# town → [(community, residents)]; the residents add up to the seed's 26,620.
TOWNS = {
    "库额尔齐斯镇": [("文化东路社区", 5200), ("文化西路社区", 4800), ("人民路社区", 4300), ("建设路社区", 4100)],
    "可可托海镇": [("文化东路社区", 2900), ("文化西路社区", 2600), ("团结路社区", 1600)],
    "恰库尔图镇": [("迎宾路社区", 1120)],
}
RESIDENTS_PER_GRID = 480  # under the seed's ≤500 residents per grid worker
UNIT_ORGS = [
    ("库额尔齐斯镇", "文化东路社区", "县人民医院党总支", "县人民医院", OrgForm.GENERAL_BRANCH, OrgLevel.RESIDENT_UNIT),
    ("库额尔齐斯镇", "文化西路社区", "县第一中学党支部", "县第一中学", OrgForm.BRANCH, OrgLevel.RESIDENT_UNIT),
    ("库额尔齐斯镇", "人民路社区", "县供电公司党支部", "县供电公司", OrgForm.BRANCH, OrgLevel.RESIDENT_UNIT),
    ("可可托海镇", "文化东路社区", "可可托海矿务局党委", "可可托海矿务局", OrgForm.COMMITTEE, OrgLevel.RESIDENT_UNIT),
    ("库额尔齐斯镇", "建设路社区", "金山物流有限公司党支部", "金山物流有限公司", OrgForm.BRANCH, OrgLevel.NEW_ECONOMIC),
    ("可可托海镇", "团结路社区", "好人协会党支部", "好人协会", OrgForm.BRANCH, OrgLevel.NEW_SOCIAL),
]

# (username, full name, role, where: None | "county" | "town" | "community" | "grid")
ACCOUNTS = [
    ("qw_zzb", "区委组织部管理员", Role.DISTRICT_ADMIN, "county"),
    ("jd_staff", "街道党工委干事", Role.STREET_STAFF, "town"),
    ("sq_shuji", "社区书记", Role.COMMUNITY_SECRETARY, "community"),
    ("sq_staff", "社区工作者", Role.COMMUNITY_STAFF, "community"),
    ("wgy", "网格员", Role.GRID_WORKER, "grid"),
    ("dangyuan", "党员", Role.PARTY_MEMBER, "community"),
    ("dw_lly", "驻区单位联络员", Role.UNIT_LIAISON, "community"),
    ("sys_admin", "系统管理员", Role.SYSTEM_ADMIN, None),
    ("sec_admin", "安全管理员", Role.SECURITY_ADMIN, None),
    ("audit_admin", "审计管理员", Role.AUDIT_ADMIN, None),
]


def _node(name, kind, parent, **extra) -> Region:
    return Region.objects.create(name=name, kind=kind, parent=parent, **extra)


def load() -> None:
    rng = random.Random(2026)
    county = _node(COUNTY[0], RegionKind.DISTRICT, None, division_code=COUNTY[1])
    county_org = PartyOrg.objects.create(
        name="中共富蕴县委员会", level=OrgLevel.DISTRICT, form=OrgForm.COMMITTEE, region=county,
        secretary_name=person_name(rng),
    )
    communities: dict[tuple[str, str], Region] = {}
    first_grid = None
    for t_index, (town_name, comms) in enumerate(TOWNS.items()):
        town = _node(town_name, RegionKind.STREET, county, town=True, sort_order=t_index)
        town_org = PartyOrg.objects.create(
            name=f"中共{town_name}委员会", level=OrgLevel.STREET, form=OrgForm.COMMITTEE, region=town,
            parent=county_org, secretary_name=person_name(rng),
        )
        for c_index, (comm_name, residents) in enumerate(comms):
            comm = _node(comm_name, RegionKind.COMMUNITY, town, sort_order=c_index)
            communities[(town_name, comm_name)] = comm
            # The four county-seat communities have general branches, the other four branches.
            form = OrgForm.GENERAL_BRANCH if town_name == "库额尔齐斯镇" else OrgForm.BRANCH
            comm_org = PartyOrg.objects.create(
                name=f"{town_name}{comm_name}党{'总支' if form == OrgForm.GENERAL_BRANCH else '支部'}",
                level=OrgLevel.COMMUNITY, form=form, region=comm, parent=town_org,
                secretary_name=person_name(rng), established_on=date(2008 + c_index, 7, 1),
            )
            grids = math.ceil(residents / RESIDENTS_PER_GRID)
            for g in range(1, grids + 1):
                grid = _node(f"第{g}网格", RegionKind.GRID, comm, sort_order=g)
                first_grid = first_grid or grid
                grid_branch = None
                if g % 2 == 1:  # about half the grids have their own branch
                    grid_branch = PartyOrg.objects.create(
                        name=f"{comm_name}第{g}网格党支部", level=OrgLevel.GRID, form=OrgForm.BRANCH,
                        region=grid, parent=comm_org, secretary_name=person_name(rng),
                    )
                for k in range(1, rng.randint(1, 2) + 1):
                    compound = _node(f"{comm_name[:-2]}{g}-{k}小区", RegionKind.COMPOUND, grid, sort_order=k)
                    compound_org = None
                    if rng.random() < 0.6:
                        compound_org = PartyOrg.objects.create(
                            name=f"{compound.name}党支部", level=OrgLevel.COMPOUND, form=OrgForm.BRANCH,
                            region=compound, parent=grid_branch or comm_org, secretary_name=person_name(rng),
                        )
                    for b in range(1, rng.randint(2, 4) + 1):
                        building = _node(f"{b}号楼", RegionKind.BUILDING, compound, sort_order=b)
                        if compound_org and rng.random() < 0.5:
                            PartyOrg.objects.create(
                                name=f"{compound.name}{b}号楼党小组", level=OrgLevel.BUILDING, form=OrgForm.GROUP,
                                region=building, parent=compound_org, secretary_name=person_name(rng),
                            )
    for town_name, comm_name, name, host, form, level in UNIT_ORGS:
        PartyOrg.objects.create(
            name=name, level=level, form=form, region=communities[(town_name, comm_name)], host_name=host,
            secretary_name=person_name(rng),
        )
    _accounts(county, communities[("库额尔齐斯镇", "文化东路社区")], first_grid)


def _accounts(county: Region, community: Region, grid: Region) -> None:
    where = {"county": county, "town": community.parent, "community": community, "grid": grid}
    User.objects.create_superuser("admin", password=DEMO_PASSWORD, full_name="超级管理员", is_demo=True)
    for username, full_name, role, at in ACCOUNTS:
        user = User(username=username, full_name=full_name, is_demo=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
        RoleAssignment.objects.create(user=user, role=role, region=where[at] if at else None)


DEMO_STEPS = [("foundation", load)]
