"""Grid test data on the shared tree: houses, households and residents in three grids."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest

from core.idnumber import synthetic_id_number
from grid import services
from grid.models import Household, Resident
from regions.models import Region, RegionKind


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def square(x0: float, y0: float, d: float = 0.01) -> str:
    return (f'{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x0 + d},{y0}],[{x0 + d},{y0 + d}],'
            f'[{x0},{y0 + d}],[{x0},{y0}]]]}}')


@dataclass
class GridData:
    buildings: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)   # grid key → [Household]
    residents: dict = field(default_factory=dict)    # grid key → [Resident]
    id_numbers: dict = field(default_factory=dict)   # resident name → ID number


@pytest.fixture
def gdata(tree, personas, settings, tmp_path) -> GridData:
    from datetime import date

    settings.MEDIA_ROOT = tmp_path / "media"
    data = GridData()
    b12 = Region.objects.create(name="2号楼", kind=RegionKind.BUILDING, parent=tree.east1_grid2)
    bw = Region.objects.create(name="西1号楼", kind=RegionKind.BUILDING, parent=tree.west1_grid1)
    people = {
        "g11": (tree.building, tree.east1_grid1, ["张三", "李四", "王五"]),
        "g12": (b12, tree.east1_grid2, ["赵六", "钱七"]),
        "w11": (bw, tree.west1_grid1, ["孙八"]),
    }
    squares = {"g11": square(89.50, 47.00), "g12": square(89.51, 47.00), "w11": square(89.20, 46.50)}
    workers = {"g11": personas.grid_worker, "g12": personas.other_grid_worker, "w11": None}
    for key, (building, grid, names) in people.items():
        data.buildings[key] = building
        services.grid_profile_update(actor=None, grid=grid, code=f"T{key}", boundary=squares[key],
                                     primary_worker=workers[key])
        data.households[key] = []
        data.residents[key] = []
        for i, name in enumerate(names):
            house = services.house_create(actor=None, building=building, number=f"{i + 1}01", unit="1",
                                          use="rental" if i == 1 else "self")
            hh = services.household_create(actor=None, house=house, head_name=name)
            idn = synthetic_id_number(birth_date=date(1950 + i * 10, 3, 4), gender="M")
            while name == "赵六" and not idn.endswith("X"):  # tests type his number with a lower-case x
                idn = synthetic_id_number(birth_date=date(1950 + i * 10, 3, 4), gender="M")
            data.id_numbers[name] = idn
            r = services.resident_create(
                actor=None, household=hh, name=name, id_number=idn, phone="13800138000",
                kind="floating" if i == 1 else "registered",
                care_tags=["elderly_alone"] if i == 0 else [],
                arrival_date=date(2025, 1, 1) if i == 1 else None,
                permit_expiry=date.today() if i == 1 else None,
            )
            data.households[key].append(Household.objects.get(pk=hh.pk))
            data.residents[key].append(r)
    return data


def all_residents(data: GridData) -> list[Resident]:
    return [r for rs in data.residents.values() for r in rs]


@pytest.fixture(autouse=True)
def _fresh_rules():
    from grid.selectors import clear_rule_cache

    clear_rule_cache()
    yield
    clear_rule_cache()
