from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from cadres import services
from cadres.models import Cadre
from core.idnumber import synthetic_id_number


def idn(birth: date, gender: str = "M") -> str:
    return synthetic_id_number(birth_date=birth, gender=gender)


def make(actor, region, name, *, birth=date(1985, 3, 1), gender="M", position="social_worker", employment="hired",
         education="bachelor", allowance="2800", **kw) -> Cadre:
    return services.cadre_create(actor=actor, region=region, name=name, gender=gender, birth_date=birth,
                                 id_number=kw.pop("id_number", None) or idn(birth, gender), education=education,
                                 position=position, employment=employment,
                                 joined_on=kw.pop("joined_on", date(2020, 1, 1)),
                                 monthly_allowance=Decimal(allowance), mobile=kw.pop("mobile", "13912345678"), **kw)


@dataclass
class World:
    secretary: Cadre   # 东一社区 书记, 一肩挑, 事业编制, born 1975
    worker: Cadre      # 东一社区 社区工作者, 聘用, born 1998
    west: Cadre        # 西一社区 网格员, 公益性岗位


@pytest.fixture
def world(tree, personas):
    da = personas.district_admin
    s = make(da, tree.east1, "张书记", birth=date(1975, 5, 1), position="secretary", employment="career",
             one_shoulder=True, two_committees=True, branch_committee=True, allowance="3600")
    w = make(da, tree.east1, "李小梅", birth=date(1998, 7, 9), gender="F", education="college")
    x = make(da, tree.west1, "王网格", birth=date(1990, 1, 1), position="grid_worker", employment="welfare",
             education="secondary")
    return World(s, w, x)
