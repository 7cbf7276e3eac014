from dataclasses import dataclass

import pytest

from accounts.roles import Role
from conftest import make_user
from members.models import Category, DualRegistration
from members.tests.conftest import add_member
from vanguard import services
from vanguard.models import PostKind


@dataclass
class World:
    me: object        # 张建国, Party member of 东一社区 with an account
    other: object     # 李秀英, Party member of 东一社区 with an account
    west: object      # 王五, Party member of 西一社区
    post: object      # 政策宣传岗 of 东一社区, 2 places


@pytest.fixture
def world(tree, personas):
    me = add_member(tree.east1_org, "张建国", residence=tree.east1_grid1, user=personas.member)
    other_user = make_user("member2", Role.PARTY_MEMBER, tree.east1, full_name="李秀英")
    other = add_member(tree.east1_org, "李秀英", Category.RETIRED, residence=tree.east1_grid2, user=other_user,
                       gender="F")
    west = add_member(tree.west1_org, "王五")
    post = services.post_create(actor=personas.secretary, region=tree.east1, kind=PostKind.POLICY,
                                title="政策宣传岗", duties="向居民宣传政策", capacity=2)
    return World(me, other, west, post)


def registered(member, community):
    return DualRegistration.objects.create(member=member, community=community, status="confirmed")
