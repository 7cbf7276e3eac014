"""Shared co-building test fixtures (used by the cobuild and meetings test suites)."""

from dataclasses import dataclass
from datetime import date

import pytest

from cobuild import services
from cobuild.models import Activity, Agreement, ResidentUnit, UnitKind


@dataclass
class Units:
    a: ResidentUnit   # 东一社区, liaison = personas.liaison
    b: ResidentUnit   # 东一社区, no liaison
    c: ResidentUnit   # 东二社区 (same street)
    w: ResidentUnit   # 西一社区 (other street)
    agreement_a: Agreement
    agreement_w: Agreement


@pytest.fixture
def units(personas, tree) -> Units:
    admin = personas.district_admin
    mk = lambda name, region, **kw: services.unit_create(  # noqa: E731
        actor=admin, name=name, kind=UnitKind.HOSPITAL, region=region, leader_name=f"{name}负责人", **kw)
    a = mk("县医院", tree.east1, liaison=personas.liaison)
    b = mk("县一中", tree.east1)
    c = mk("供电公司", tree.east2)
    w = mk("矿务局", tree.west1)
    ag_a = services.agreement_create(actor=admin, unit=a, region=tree.east1, title="县医院共建协议",
                                     start=date(2026, 1, 1), end=date(2026, 12, 31),
                                     activities=[Activity.PARTY, Activity.SERVICE])
    ag_w = services.agreement_create(actor=admin, unit=w, region=tree.west1, title="矿务局共建协议",
                                     start=date(2026, 1, 1), end=date(2026, 12, 31), activities=[Activity.CULTURE])
    return Units(a, b, c, w, ag_a, ag_w)
