"""The defence line's test world on the shared tree: residents in two grids of 东一社区 and one of 西一社区,
a key person of each kind of responsibility, and a patrol team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from core.idnumber import synthetic_id_number
from grid import services as grid_services
from regions.models import Region, RegionKind
from stability import services
from stability.models import KeyCategory


@dataclass
class World:
    residents: dict        # name → Resident
    released: object       # 刑满释放人员 in grid 1 (led by the grid's secretary? no: by the grid worker)
    correction: object     # 社区矫正人员 in grid 1, led by 王书记 (the secretary leads it)
    west: object           # a key person of 西一社区
    team: object           # 东一社区治安联防队 with three members


def _resident(grid_building, name, i):
    house = grid_services.house_create(actor=None, building=grid_building, number=f"{i}01", unit="1")
    hh = grid_services.household_create(actor=None, house=house, head_name=name)
    return grid_services.resident_create(actor=None, household=hh, name=name, phone="13800138000",
                                         id_number=synthetic_id_number(birth_date=date(1980, 1, i), gender="M"))


def cat(code: str) -> KeyCategory:
    return KeyCategory.objects.get(code=code)


@pytest.fixture
def world(tree, personas) -> World:
    grid_services.grid_profile_update(actor=None, grid=tree.east1_grid1, code="T11",
                                      primary_worker=personas.grid_worker)
    b12 = Region.objects.create(name="2号楼", kind=RegionKind.BUILDING, parent=tree.east1_grid2)
    bw = Region.objects.create(name="西1号楼", kind=RegionKind.BUILDING, parent=tree.west1_grid1)
    names = [("张三", tree.building), ("李四", tree.building), ("王五", tree.building), ("赵六", b12), ("孙八", bw)]
    residents = {n: _resident(b, n, i + 1) for i, (n, b) in enumerate(names)}
    long_ago = date.today() - timedelta(days=60)
    released = services.key_person_register(
        actor=personas.secretary, resident=residents["张三"], category=cat("released"), reason="盗窃罪刑满释放",
        registered_on=long_ago, leader=personas.grid_worker, plan="每月谈心一次，帮助联系就业")
    correction = services.key_person_register(
        actor=personas.secretary, resident=residents["李四"], category=cat("correction"), reason="缓刑社区矫正",
        registered_on=date.today() - timedelta(days=3))
    west = services.key_person_register(
        actor=personas.west_secretary, resident=residents["孙八"], category=cat("petition"), reason="多次越级上访",
        registered_on=long_ago)
    team = services.team_create(actor=personas.secretary, community=tree.east1, name="东一社区治安联防队",
                                leader_name="刘队长")
    for name, kind, user in (("陈党员", "member", personas.member), ("周志愿", "volunteer", None),
                             ("吴退休", "retired", None)):
        services.team_member_add(actor=personas.secretary, team=team, name=name, kind=kind, user=user)
    return World(residents, released, correction, west, team)
