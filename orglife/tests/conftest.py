from dataclasses import dataclass
from datetime import date

import pytest

from accounts.roles import Role
from conftest import make_user
from members.models import Category, MobileRecord
from members.tests.conftest import add_member
from orgs.models import OrgForm, OrgLevel, PartyOrg


@dataclass
class World:
    branch: PartyOrg       # 网格1党支部 under 东一社区党总支
    me: object             # 张建国 of the branch, with the personas.member account
    other: object          # 李秀英 of the branch
    away: object           # 赵六 of the branch, flowed out to 西一社区党支部 (mobile)
    west: object           # 王五 of 西一社区党支部
    branch_secretary: object  # an account managing the branch only (secretary role at the grid)


@pytest.fixture
def world(tree, personas):
    branch = PartyOrg.objects.create(name="网格1党支部", level=OrgLevel.GRID, form=OrgForm.BRANCH,
                                     region=tree.east1_grid1, parent=tree.east1_org)
    me = add_member(branch, "张建国", user=personas.member)
    other = add_member(branch, "李秀英", Category.RETIRED, gender="F")
    away = add_member(branch, "赵六", Category.MOBILE)
    MobileRecord.objects.create(member=away, origin_org=branch, destination="西镇", destination_org=tree.west1_org,
                                left_on=date(2025, 3, 1))
    west = add_member(tree.west1_org, "王五")
    bs = make_user("branch_secretary", Role.COMMUNITY_SECRETARY, tree.east1_grid1, full_name="支部书记")
    return World(branch, me, other, away, west, bs)
