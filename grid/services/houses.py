"""Houses under buildings, written by hand."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from regions.models import Region, RegionKind

from ..apps import GridPerm
from ..models import (
    House,
    Household,
    HouseholdStatus,
    HouseUse,
    RentalLease,
)
from .common import (
    _choice,
    _gather,
    _raise,
    _require,
    _save_audited,
    _text,
)

# The pages of views_people.py call these writes (here and in households, residents, leases). Each
# checks grid.people at the object's grid (a grid worker in their grid, community staff in their
# community), runs in one transaction and is audited. Nothing is deleted: a household moves out, a
# resident moves out or dies, a lease ends; each is marked and dated.

MAX_HOUSE_AREA = Decimal("100000")


def grid_of_building(building: Region) -> Region:
    if building.kind != RegionKind.BUILDING:
        raise ValidationError({"building": f"“{building.name}”不是楼栋"})
    grid = Region.objects.filter(path__in=[building.path[:i] for i in range(8, len(building.path), 8)],
                                 kind=RegionKind.GRID).first()
    if grid is None:
        raise ValidationError({"building": f"楼栋“{building.name}”不在任何网格之下"})
    return grid


def house_address(building: Region, unit: str, number: str) -> str:
    """The address house_create writes: compound + building + unit + door number."""
    return f"{building.parent.name if building.parent_id else ''}{building.name}{unit and unit + '单元'}{number}"


def _clean_house(*, number, unit, use, area, errors: dict) -> tuple[str, str, Decimal | None]:
    number = _text(number, "number", "门牌（室号）", errors, max_length=20)
    unit = _text(unit, "unit", "单元", errors, max_length=10, required=False)
    _gather(errors, _choice, use, HouseUse, "use", "房屋用途")
    if area in ("", None):
        area = None
    else:
        try:
            area = Decimal(str(area)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["area"] = "面积应为数字（平方米）"
            area = None
        else:
            if not area.is_finite():
                errors["area"] = "面积应为数字（平方米）"
                area = None
            elif area <= 0:
                errors["area"] = "面积应大于 0"
            elif area > MAX_HOUSE_AREA:
                errors["area"] = f"面积不能超过 {MAX_HOUSE_AREA} 平方米"
    return number, unit, area


def _active_leases(house: House):
    return RentalLease.objects.filter(house=house, ended_on__isnull=True, end_date__gte=timezone.localdate())


@transaction.atomic
def house_create(*, actor, building: Region, number: str, unit: str = "", use: str = HouseUse.SELF,
                 area=None) -> House:
    """A house under a building (by hand, the demo's tests, the fixtures): checked, written, audited once."""
    building = Region.objects.select_related("parent").get(pk=building.pk)
    grid = grid_of_building(building)
    _require(actor, GridPerm.PEOPLE, grid, "登记房屋")
    errors: dict = {}
    number, unit, area = _clean_house(number=number, unit=unit, use=use, area=area, errors=errors)
    if not errors and House.objects.filter(building=building, unit=unit, number=number).exists():
        errors["number"] = f"{building.name}{unit and unit + '单元'}{number} 已登记"
    _raise(errors)
    address = house_address(building, unit, number)
    house = House.objects.create(grid=grid, building=building, unit=unit, number=number, address=address, use=use,
                                 area=area)
    record(actor=actor, action=AuditAction.CREATE, obj=house,
           changes={"address": [None, address], "use": [None, use],
                    "area": [None, str(area) if area is not None else None]})
    return house


house_add = house_create  # the name the by-hand pages were written against; one function


@transaction.atomic
def house_update(*, actor, house: House, number: str, unit: str = "", use: str = HouseUse.SELF,
                 area=None) -> House:
    house = House.objects.select_for_update(of=("self",)).select_related("building__parent", "grid").get(pk=house.pk)
    _require(actor, GridPerm.PEOPLE, house.grid, "修改房屋")
    errors: dict = {}
    number, unit, area = _clean_house(number=number, unit=unit, use=use, area=area, errors=errors)
    if not errors and House.objects.filter(building=house.building, unit=unit, number=number).exclude(
            pk=house.pk).exists():
        errors["number"] = f"{house.building.name}{unit and unit + '单元'}{number} 已登记为另一套房屋"
    if not errors and house.use == HouseUse.RENTAL and use != HouseUse.RENTAL:
        lease = _active_leases(house).order_by("start_date").first()
        if lease is not None:
            errors["use"] = (f"该房屋有未终止的租约（房东 {lease.landlord_name}，至 {lease.end_date:%Y-%m-%d}），"
                             "请先办理退租再修改用途")
    if not errors and use == HouseUse.VACANT:
        n = Household.objects.filter(house=house, status=HouseholdStatus.ACTIVE).count()
        if n:
            errors["use"] = f"该房屋还有 {n} 户在住，不能改为空置；请先办理整户迁出"
    _raise(errors)
    _save_audited(actor, house, ["unit", "number", "address", "use", "area"], {
        "unit": unit, "number": number, "use": use, "area": area,
        "address": house_address(house.building, unit, number)})
    return house
