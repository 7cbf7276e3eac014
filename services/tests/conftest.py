"""A small world for the service systems: 东一社区's catalogue (上门维修 by two providers, one of them
the liaison's unit with an account), residents in its two grids, a service in 西一社区."""

from dataclasses import dataclass

import pytest

from cobuild.models import ResidentUnit, UnitKind
from conftest import make_user
from core.idnumber import synthetic_id_number
from grid.models import House, Household, Resident
from services import services
from services.models import Category, Provider, ProviderKind, Service


@dataclass
class World:
    repair: Service
    cleaning: Service
    west_repair: Service
    fixers: Provider       # the liaison's unit, with the liaison's account
    volunteers: Provider   # free, no account
    other: Provider        # another provider with its own account
    other_account: object
    unit: ResidentUnit
    resident: Resident     # 东一社区 网格1
    neighbour: Resident    # 东一社区 网格2
    west_resident: Resident
    household: Household


def _resident(grid, building, number, name, gender="M"):
    house = House.objects.create(grid=grid, building=building, number=number, address=f"阳光小区1号楼{number}")
    hh = Household.objects.create(house=house, grid=grid, head_name=name)
    from datetime import date
    r = Resident.objects.create(grid=grid, household=hh, name=name, gender=gender,
                                id_number=synthetic_id_number(birth_date=date(1970, 5, 1), gender=gender),
                                phone="13900000001")
    return r, hh


@pytest.fixture
def world(tree, personas):
    sec, west = personas.secretary, personas.west_secretary
    repair = services.service_create(actor=sec, region=tree.east1, category=Category.REPAIR, name="上门维修",
                                     description="水电、门窗、家电小修")
    cleaning = services.service_create(actor=sec, region=tree.east1, category=Category.HOUSEKEEPING, name="家庭保洁")
    west_repair = services.service_create(actor=west, region=tree.west1, category=Category.REPAIR, name="上门维修")
    unit = ResidentUnit.objects.create(name="县供电公司", kind=UnitKind.STATE_FIRM, region=tree.east1,
                                       liaison=personas.liaison)
    fixers = services.provider_create(actor=sec, region=tree.east1, name="供电公司党员服务队", kind=ProviderKind.UNIT,
                                      unit=unit, contact_name="李师傅", contact_phone="13800001111",
                                      account=personas.liaison)
    volunteers = services.provider_create(actor=sec, region=tree.east1, name="社区志愿维修队",
                                          kind=ProviderKind.VOLUNTEER)
    other_account = make_user("other_provider")
    other = services.provider_create(actor=sec, region=tree.east1, name="安心家政", kind=ProviderKind.BUSINESS,
                                     account=other_account)
    services.offering_set(actor=sec, provider=fixers, service=repair, price="30", price_unit="次")
    services.offering_set(actor=sec, provider=volunteers, service=repair)
    services.offering_set(actor=sec, provider=other, service=cleaning, price="40", price_unit="小时")
    services.offering_set(actor=sec, provider=other, service=repair, price="50", price_unit="次")
    # A building region under each grid's compound is not needed: houses name the tree's building.
    resident, hh = _resident(tree.east1_grid1, tree.building, "101", "张大爷")
    neighbour, _ = _resident(tree.east1_grid2, tree.building, "201", "李阿姨", "F")
    west_resident, _ = _resident(tree.west1_grid1, tree.building, "301", "王师傅")
    return World(repair, cleaning, west_repair, fixers, volunteers, other, other_account, unit, resident, neighbour,
                 west_resident, hh)
