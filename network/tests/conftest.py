from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from network import services
from network.models import CountyLeader, LeaderAssignment


def today():
    return timezone.localdate()


def quarter_day():
    """A day of the current quarter not after today (the quarter's first day)."""
    t = today()
    return t.replace(month=(t.month - 1) // 3 * 3 + 1, day=1)


@dataclass
class World:
    leaders: list[CountyLeader]   # 张一 王二 李三 linked to 东一社区; 赵四 not linked; 钱五 linked to 西一社区
    east: list[LeaderAssignment]


@pytest.fixture
def world(tree, personas):
    admin = personas.district_admin
    names = [("张一", "县委书记"), ("王二", "县长"), ("李三", "副县长"), ("赵四", "县政协主席"), ("钱五", "副县长")]
    leaders = [services.leader_create(actor=admin, region=tree.district, name=n, post=p) for n, p in names]
    since = today() - timedelta(days=400)
    east = [services.leader_assign(actor=admin, leader=ldr, community=tree.east1, since=since) for ldr in leaders[:3]]
    services.leader_assign(actor=admin, leader=leaders[4], community=tree.west1, since=since)
    return World(leaders, east)
