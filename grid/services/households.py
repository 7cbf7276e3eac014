"""Households: registered with their head, edited, moved out."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditAction
from audit.services import record
from core.idnumber import parse_id_number

from ..apps import GridPerm
from ..models import (
    House,
    Household,
    HouseholdStatus,
    HouseUse,
    Relation,
    Resident,
    ResidentKind,
    ResidentStatus,
)
from .common import (
    _date_ok,
    _errors_of,
    _locked_household,
    _raise,
    _refresh_household,
    _require,
    _save_audited,
    _text,
)
from .residents import _joined_ok, _resident_rules, clean_resident, resident_create

HEAD_FIELDS = ("id_number", "phone", "kind", "care_tags", "arrival_date", "permit_expiry", "joined_on")


def _check_head(*, actor, head_name: str, head: dict, errors: dict) -> None:
    """The head's resident fields, checked like resident_create's before the household exists (no head yet)."""
    unknown = set(head) - set(HEAD_FIELDS)
    if unknown:
        raise TypeError(f"unknown head fields: {', '.join(sorted(unknown))}")
    kind = head.get("kind", ResidentKind.REGISTERED)
    data = {"name": head_name, "id_number": "", "kind": kind, "relation": Relation.HEAD, "birth_date": None,
            "arrival_date": head.get("arrival_date"), "permit_expiry": head.get("permit_expiry")}
    try:
        data = clean_resident(name=head_name, id_number=head.get("id_number") or "",
                              phone=(head.get("phone") or "").strip(), kind=kind, relation=Relation.HEAD,
                              arrival_date=data["arrival_date"], permit_expiry=data["permit_expiry"])
    except ValidationError as exc:
        found = _errors_of(exc)
        found.pop("name", None)   # the name is head_name, checked (and reported) with the household's fields
        errors.update(found)
        if "id_number" not in found and head.get("id_number"):
            # A good ID number beside a bad field is still checked for duplicates (every bad field at once).
            info = parse_id_number(head["id_number"])
            data["id_number"], data["birth_date"] = info.number, info.birth_date
    _resident_rules(household=None, data=data, care_tags=head.get("care_tags", ()), actor=actor, errors=errors)
    _joined_ok(head.get("joined_on"), data["birth_date"], errors)   # 入户日期: as resident_create checks it


@transaction.atomic
def household_create(*, actor, house: House, head_name: str, number: str = "", head: dict | None = None
                     ) -> Household:
    """A household in a house (not a vacant one; its number unique among the house's active households).

    `head`: the head's own resident fields (`HEAD_FIELDS`: id_number, phone, kind, care_tags, arrival_date,
    permit_expiry, joined_on — 入户日期, None is today; the name is `head_name`, the relation 户主). The
    household and its head are then written in this one transaction, after every field of both has been
    checked (all bad fields reported at once), with one audit entry each: a household is never saved without
    its head. The by-hand page always passes it.
    Without `head` the caller registers the members itself inside its own transaction (test fixtures)."""
    house = House.objects.select_for_update(of=("self",)).select_related("grid").get(pk=house.pk)
    _require(actor, GridPerm.PEOPLE, house.grid, "登记住户")
    errors: dict = {}
    head_name = _text(head_name, "head_name", "户主姓名", errors, max_length=50)
    number = _text(number, "number", "户号", errors, max_length=30, required=False)
    if house.use == HouseUse.VACANT:
        errors["__all__"] = f"房屋“{house.address}”登记为空置，请先把房屋用途改为自住、出租或商用，再登记住户"
    if number and Household.objects.filter(house=house, number=number, status=HouseholdStatus.ACTIVE).exists():
        errors["number"] = f"该房屋已有户号为“{number}”的在住户"
    if head is not None:
        _check_head(actor=actor, head_name=head_name, head=head, errors=errors)
    _raise(errors)
    hh = Household.objects.create(grid_id=house.grid_id, house=house, head_name=head_name, number=number)
    record(actor=actor, action=AuditAction.CREATE, obj=hh,
           changes={"head_name": [None, head_name], **({"number": [None, number]} if number else {})})
    hh.head = None
    if head is not None:
        # Checked above; resident_create checks again under the household's lock and writes the head's entry.
        fields = {**head, "phone": (head.get("phone") or "").strip()}
        hh.head = resident_create(actor=actor, household=hh, name=head_name, relation=Relation.HEAD, **fields)
        hh.refresh_from_db(fields=["members", "is_care", "head_name"])
    return hh


household_add = household_create  # the name the by-hand pages were written against; one function


@transaction.atomic
def household_update(*, actor, household: Household, head_name: str = "", number: str = "",
                     head: Resident | None = None) -> Household:
    """Edit the household number and head. Choosing a member as head makes their relation 户主; a member who
    was 户主 before becomes 其他 (listed in `demoted_heads` on the returned household, for the page to say)."""
    hh = _locked_household(household, actor, "修改住户")
    errors: dict = {}
    number = _text(number, "number", "户号", errors, max_length=30, required=False)
    if head is not None:
        head = Resident.objects.select_for_update().filter(pk=head.pk, household=hh,
                                                           status=ResidentStatus.ACTIVE).first()
        if head is None:
            errors["head"] = "户主应为本户在住成员"
        else:
            head_name = head.name
    else:
        head_name = _text(head_name, "head_name", "户主姓名", errors, max_length=50)
    if number and Household.objects.filter(house_id=hh.house_id, number=number,
                                           status=HouseholdStatus.ACTIVE).exclude(pk=hh.pk).exists():
        errors["number"] = f"该房屋已有户号为“{number}”的在住户"
    _raise(errors)
    hh.demoted_heads = []
    if head is not None:
        for other in Resident.objects.select_for_update().filter(
                household=hh, status=ResidentStatus.ACTIVE, relation=Relation.HEAD).exclude(pk=head.pk):
            other.relation = Relation.OTHER
            other.save(update_fields=["relation"])
            record(actor=actor, action=AuditAction.UPDATE, obj=other, changes={"relation": ["head", "other"]})
            hh.demoted_heads.append(other.name)
        if head.relation != Relation.HEAD:
            record(actor=actor, action=AuditAction.UPDATE, obj=head, changes={"relation": [head.relation, "head"]})
            head.relation = Relation.HEAD
            head.save(update_fields=["relation"])
    _save_audited(actor, hh, ["number", "head_name"], {"number": number, "head_name": head_name})
    return hh


@transaction.atomic
def household_move_out(*, actor, household: Household, moved_out_on: date, reason: str) -> Household:
    """The whole household leaves: it and every member still living there are marked moved out, dated."""
    hh = _locked_household(household, actor, "办理住户迁出")
    errors: dict = {}
    moved_out_on = _date_ok(moved_out_on, "moved_out_on", "迁出日期", errors)
    reason = _text(reason, "reason", "迁出说明", errors, max_length=200)
    _raise(errors)
    for r in Resident.objects.select_for_update().filter(household=hh, status=ResidentStatus.ACTIVE):
        r.status, r.left_on, r.status_note = ResidentStatus.MOVED_OUT, moved_out_on, reason
        r.save(update_fields=["status", "left_on", "status_note"])
        record(actor=actor, action=AuditAction.TRANSITION, obj=r,
               changes={"status": ["active", "moved_out"], "left_on": [None, moved_out_on.isoformat()]})
    hh.status, hh.moved_out_on, hh.moved_out_reason = HouseholdStatus.MOVED_OUT, moved_out_on, reason
    hh.save(update_fields=["status", "moved_out_on", "moved_out_reason"])
    _refresh_household(hh)
    record(actor=actor, action=AuditAction.TRANSITION, obj=hh,
           changes={"status": ["active", "moved_out"], "moved_out_on": [None, moved_out_on.isoformat()],
                    "moved_out_reason": [None, reason]})
    return hh
