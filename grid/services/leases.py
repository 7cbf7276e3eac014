"""Rental leases of houses."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.phone import normalize_mobile, validate_mobile

from ..apps import GridPerm
from ..models import (
    House,
    HouseUse,
    RentalLease,
    Resident,
    ResidentStatus,
)
from .common import (
    _date_ok,
    _raise,
    _require,
    _text,
)

MAX_LEASE_YEARS = 20  # the Civil Code's cap on a lease term


def _clean_lease(*, house: House, landlord_name, landlord_phone, tenants, start_date, end_date, errors: dict,
                 exclude_pk: int | None = None) -> tuple[str, str, list]:
    landlord_name = _text(landlord_name, "landlord_name", "房东姓名", errors, max_length=50)
    phone = ""
    landlord_phone = (landlord_phone or "").strip()   # blank (or only spaces): no number, or clear it on edit
    if landlord_phone:
        try:
            validate_mobile(landlord_phone)
            phone = normalize_mobile(landlord_phone)
        except ValidationError as exc:
            errors["landlord_phone"] = "房东电话：" + exc.messages[0]
    start_date = _date_ok(start_date, "start_date", "起租日", errors, not_future=False)
    end_date = _date_ok(end_date, "end_date", "到期日", errors, not_future=False)
    if start_date and end_date and "start_date" not in errors and "end_date" not in errors:
        if end_date <= start_date:
            errors["end_date"] = "到期日须晚于起租日"
        elif (end_date - start_date).days > 366 * MAX_LEASE_YEARS:
            errors["end_date"] = f"租期不能超过 {MAX_LEASE_YEARS} 年"
        else:
            other = (RentalLease.objects.filter(house=house, ended_on__isnull=True, start_date__lte=end_date,
                                                end_date__gte=start_date).exclude(pk=exclude_pk)
                     .order_by("start_date").first())
            if other is not None:
                errors["start_date"] = (f"与现有租约（房东 {other.landlord_name}，{other.start_date:%Y-%m-%d} 至 "
                                        f"{other.end_date:%Y-%m-%d}）时间重叠；请先为该租约办理退租或调整日期")
    tenants = list(tenants or ())
    allowed = set(Resident.objects.filter(household__house=house, status=ResidentStatus.ACTIVE)
                  .values_list("pk", flat=True))
    strangers = [t.name for t in tenants if t.pk not in allowed]
    if strangers:
        errors["tenants"] = f"租户应为该房屋的在住居民：{'、'.join(strangers)} 不是"
    return landlord_name, phone, tenants


def _lease_snapshot(lease: RentalLease) -> dict:
    out = snapshot(lease, ["landlord_name", "landlord_phone", "start_date", "end_date", "ended_on"])
    out["tenants"] = "、".join(sorted(t.name for t in lease.tenants.all())) if lease.pk else ""
    return out


@transaction.atomic
def lease_create(*, actor, house: House, landlord_name: str, landlord_phone: str = "", tenants=(),
                 start_date: date | None = None, end_date: date | None = None) -> RentalLease:
    house = House.objects.select_for_update(of=("self",)).select_related("grid").get(pk=house.pk)
    _require(actor, GridPerm.PEOPLE, house.grid, "登记租约")
    if house.use != HouseUse.RENTAL:
        raise ValidationError(f"房屋“{house.address}”的用途为{house.get_use_display()}，只有出租房屋可以登记租约；"
                              "请先把房屋用途改为出租")
    errors: dict = {}
    landlord_name, phone, tenants = _clean_lease(house=house, landlord_name=landlord_name,
                                                 landlord_phone=landlord_phone, tenants=tenants,
                                                 start_date=start_date, end_date=end_date, errors=errors)
    _raise(errors)
    lease = RentalLease.objects.create(grid_id=house.grid_id, house=house, landlord_name=landlord_name,
                                       landlord_phone=phone, start_date=start_date, end_date=end_date)
    lease.tenants.set(tenants)
    record(actor=actor, action=AuditAction.CREATE, obj=lease,
           changes=diff({}, _lease_snapshot(lease), personal={"landlord_phone": "mobile"}))
    return lease


def _locked_lease(lease: RentalLease, actor, what: str) -> RentalLease:
    lease = RentalLease.objects.select_for_update(of=("self",)).select_related("grid", "house").get(pk=lease.pk)
    _require(actor, GridPerm.PEOPLE, lease.grid, what)
    if lease.ended_on is not None:
        raise ValidationError(f"该租约已于 {lease.ended_on:%Y-%m-%d} 退租，记录仅供查阅")
    return lease


@transaction.atomic
def lease_update(*, actor, lease: RentalLease, landlord_name: str, landlord_phone: str | None = None,
                 tenants=(), start_date: date | None = None, end_date: date | None = None) -> RentalLease:
    """Edit a lease not yet ended. `landlord_phone` None keeps the stored number; "" (or only spaces) clears it:
    the encrypted value and its blind index both emptied, the change in the audit entry (masked)."""
    lease = _locked_lease(lease, actor, "修改租约")
    errors: dict = {}
    landlord_name, phone, tenants = _clean_lease(
        house=lease.house, landlord_name=landlord_name,
        landlord_phone=lease.landlord_phone if landlord_phone is None else landlord_phone, tenants=tenants,
        start_date=start_date, end_date=end_date, errors=errors, exclude_pk=lease.pk)
    _raise(errors)
    before = _lease_snapshot(lease)
    lease.landlord_name, lease.landlord_phone = landlord_name, phone
    lease.start_date, lease.end_date = start_date, end_date
    lease.save()
    lease.tenants.set(tenants)
    record(actor=actor, action=AuditAction.UPDATE, obj=lease,
           changes=diff(before, _lease_snapshot(lease), personal={"landlord_phone": "mobile"}))
    return lease


@transaction.atomic
def lease_end(*, actor, lease: RentalLease, ended_on: date | None) -> RentalLease:
    """退租: the lease ends on `ended_on` (kept on record); the house may then take a new lease."""
    lease = _locked_lease(lease, actor, "办理退租")
    errors: dict = {}
    ended_on = _date_ok(ended_on, "ended_on", "退租日期", errors)
    if ended_on and "ended_on" not in errors:
        if ended_on < lease.start_date:
            errors["ended_on"] = f"退租日期不能早于起租日（{lease.start_date:%Y-%m-%d}）"
        elif ended_on > lease.end_date:
            errors["ended_on"] = f"退租日期不能晚于到期日（{lease.end_date:%Y-%m-%d}）；如已续租，请先修改到期日"
    _raise(errors)
    lease.ended_on = ended_on
    lease.save(update_fields=["ended_on"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=lease, changes={"ended_on": [None, ended_on.isoformat()]})
    return lease
