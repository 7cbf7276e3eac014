"""Residents: the checks shared with the importer, and every write of a resident by hand."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.idnumber import parse_id_number
from core.phone import normalize_mobile, validate_mobile
from core.pinyin import name_initials, name_pinyin

from ..apps import GridPerm
from ..models import (
    CARE_BIT,
    Household,
    HouseholdStatus,
    Relation,
    Resident,
    ResidentKind,
    ResidentStatus,
)
from .common import (
    _choice,
    _date_ok,
    _errors_of,
    _gather,
    _locked_household,
    _raise,
    _refresh_household,
    _require,
    _text,
)

MAX_PERMIT_YEARS = 10


def care_flags_of(tags) -> int:
    flags = 0
    for t in tags or ():
        if t not in CARE_BIT:
            raise ValidationError({"care_tags": f"未知关爱标签：{t}"})
        flags |= CARE_BIT[t]
    return flags


def clean_resident(*, name: str, id_number: str = "", phone: str = "", kind: str = ResidentKind.REGISTERED,
                   relation: str = Relation.HEAD, arrival_date: date | None = None,
                   permit_expiry: date | None = None) -> dict:
    """Validate one resident's fields; returns the cleaned values (shared with the importer)."""
    errors: dict[str, str] = {}
    out: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "姓名不能为空"
    elif len(name) > 50:
        errors["name"] = "姓名不能超过 50 个字"
    elif "<" in name or ">" in name:
        errors["name"] = "姓名不能包含 < 或 > 符号"
    out["name"] = name
    out["gender"], out["birth_date"], out["id_number"] = "", None, ""
    if id_number:
        try:
            info = parse_id_number(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
        else:
            out["id_number"], out["gender"], out["birth_date"] = info.number, info.gender, info.birth_date
    out["phone"] = ""
    if phone:
        try:
            validate_mobile(phone)
            out["phone"] = normalize_mobile(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    _gather(errors, _choice, kind, ResidentKind, "kind", "人口类型")
    if relation not in Relation.values:
        errors["relation"] = f"与户主关系“{relation}”不正确"
    today = timezone.localdate()
    if arrival_date and arrival_date > today:
        errors["arrival_date"] = "来本地日期不能晚于今天"
    if kind != ResidentKind.FLOATING and (arrival_date or permit_expiry):
        arrival_date = permit_expiry = None
    out.update(kind=kind, relation=relation, arrival_date=arrival_date, permit_expiry=permit_expiry)
    _raise(errors)
    return out


def duplicate_id_message(actor, id_number: str, *, exclude_pk: int | None = None) -> str | None:
    """Why this ID number cannot be registered again; names the household only when the actor may see it."""
    h = Resident._meta.get_field("id_number").blind_index_for(id_number)
    other = (Resident.objects.filter(id_number_hash=h).exclude(pk=exclude_pk)
             .select_related("household__house", "grid").first())
    if other is None:
        return None
    if actor is None or has_perm_at(actor, GridPerm.VIEW, other.grid.path):
        state = "" if other.status == ResidentStatus.ACTIVE else f"（{other.get_status_display()}）"
        return (f"该身份证号已登记为居民“{other.name}”{state}，住 {other.household.house.address}"
                f"（户主 {other.household.head_name}），请勿重复登记")
    return "该身份证号已在其他网格登记为居民，请勿重复登记；如该居民已迁入本户，请联系其原所在社区核实"


def _resident_rules(*, household: Household | None, data: dict, care_tags, actor, errors: dict,
                    exclude_pk: int | None = None) -> int:
    """Checks beyond clean_resident: floating residents' dates, one head per household (`household` None: a
    household being created, which has none yet), unique ID number."""
    flags = 0
    try:
        flags = care_flags_of(care_tags)
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    today = timezone.localdate()
    arrival, expiry = data["arrival_date"], data["permit_expiry"]
    if data["kind"] == ResidentKind.FLOATING:
        if arrival is None and "arrival_date" not in errors:
            errors["arrival_date"] = "流动人口须填写来本地日期"
        elif arrival and data["birth_date"] and arrival < data["birth_date"]:
            errors["arrival_date"] = "来本地日期不能早于出生日期"
        if expiry and arrival and expiry < arrival:
            errors["permit_expiry"] = "居住证到期日不能早于来本地日期"
        elif expiry and expiry > today.replace(year=today.year + MAX_PERMIT_YEARS, day=min(today.day, 28)):
            errors["permit_expiry"] = f"居住证到期日不能晚于 {MAX_PERMIT_YEARS} 年后，请核对"
    if data["relation"] == Relation.HEAD and household is not None:
        head = Resident.objects.filter(household=household, status=ResidentStatus.ACTIVE,
                                       relation=Relation.HEAD).exclude(pk=exclude_pk).first()
        if head is not None:
            errors["relation"] = f"本户已有户主“{head.name}”；如需更换户主，请在“修改住户”中选择"
    if data["id_number"] and "id_number" not in errors:
        msg = duplicate_id_message(actor, data["id_number"], exclude_pk=exclude_pk)
        if msg:
            errors["id_number"] = msg
    return flags


def _joined_ok(joined_on, birth_date: date | None, errors: dict) -> date | None:
    """入户日期: optional, not in the future, not before 1900 nor before the resident's birth."""
    joined_on = _date_ok(joined_on, "joined_on", "入户日期", errors, required=False)
    if joined_on and "joined_on" not in errors and birth_date and joined_on < birth_date:
        errors["joined_on"] = f"入户日期不能早于出生日期（{birth_date:%Y-%m-%d}）"
    return joined_on


def _sync_head_name(actor, hh: Household, r: Resident) -> None:
    if r.relation == Relation.HEAD and r.status == ResidentStatus.ACTIVE and hh.head_name != r.name:
        record(actor=actor, action=AuditAction.UPDATE, obj=hh, changes={"head_name": [hh.head_name, r.name]})
        hh.head_name = r.name
        hh.save(update_fields=["head_name"])


@transaction.atomic
def resident_create(*, actor, household: Household, name: str, id_number: str = "", phone: str = "",
                    kind: str = ResidentKind.REGISTERED, relation: str = Relation.HEAD, care_tags=(),
                    arrival_date: date | None = None, permit_expiry: date | None = None,
                    joined_on: date | None = None) -> Resident:
    """A resident in a household still living there: every check of the by-hand page, one write, one audit
    entry (plus the household's head name when a 户主 is added under another name). `joined_on` (入户日期):
    None is today, the day of registration."""
    hh = _locked_household(household, actor, "登记居民")
    errors: dict = {}
    data = {"name": name, "id_number": "", "kind": kind, "relation": relation, "birth_date": None,
            "arrival_date": arrival_date, "permit_expiry": permit_expiry}
    try:
        data = clean_resident(name=name, id_number=id_number, phone=phone, kind=kind, relation=relation,
                              arrival_date=arrival_date, permit_expiry=permit_expiry)
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    flags = _resident_rules(household=hh, data=data, care_tags=care_tags, actor=actor, errors=errors)
    given = _joined_ok(joined_on, data["birth_date"], errors)
    _raise(errors)
    r = Resident.objects.create(grid_id=hh.grid_id, household=hh, care_flags=flags,
                                name_initials=name_initials(data["name"]), name_pinyin=name_pinyin(data["name"]),
                                joined_on=given or timezone.localdate(), **data)
    created = {"name": r.name, "id_number": r.id_number, "kind": r.kind}
    if given:
        created["joined_on"] = given.isoformat()
    record(actor=actor, action=AuditAction.CREATE, obj=r,
           changes=diff({}, created, personal={"id_number": "id_number"}))
    _refresh_household(hh)
    _sync_head_name(actor, hh, r)
    return r


resident_add = resident_create  # the name the by-hand pages were written against; one function


_RESIDENT_AUDITED = ["name", "id_number", "phone", "kind", "relation", "care_flags", "arrival_date",
                     "permit_expiry", "joined_on"]


def _locked_resident(resident: Resident, actor, what: str) -> Resident:
    r = Resident.objects.select_for_update(of=("self",)).select_related("grid", "household__house").get(pk=resident.pk)
    _require(actor, GridPerm.PEOPLE, r.grid, what)
    return r


@transaction.atomic
def resident_update(*, actor, resident: Resident, name: str, id_number: str | None = None,
                    phone: str | None = None, kind: str = ResidentKind.REGISTERED, relation: str = Relation.HEAD,
                    care_tags=(), arrival_date: date | None = None, permit_expiry: date | None = None,
                    joined_on: date | None = None) -> Resident:
    """Edit a resident living here. `id_number` / `phone` None keep the stored value; "" (or only spaces) clears
    it: the encrypted value and its blind index both emptied, the change in the audit entry (masked).
    `joined_on` (入户日期) None keeps it."""
    r = _locked_resident(resident, actor, "修改居民信息")
    if r.status != ResidentStatus.ACTIVE:
        raise ValidationError(f"{r.name}{r.get_status_display()}，记录仅供查阅，不能修改")
    errors: dict = {}
    id_number = r.id_number if id_number is None else id_number
    phone = r.phone if phone is None else phone.strip()
    data = {"name": name, "id_number": "", "kind": kind, "relation": relation, "birth_date": None,
            "arrival_date": arrival_date, "permit_expiry": permit_expiry}
    try:
        data = clean_resident(name=name, id_number=id_number, phone=phone, kind=kind, relation=relation,
                              arrival_date=arrival_date, permit_expiry=permit_expiry)
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    flags = _resident_rules(household=r.household, data=data, care_tags=care_tags, actor=actor, errors=errors,
                            exclude_pk=r.pk)
    joined_on = _joined_ok(joined_on, data["birth_date"], errors)
    _raise(errors)
    before = snapshot(r, _RESIDENT_AUDITED)
    for field, value in data.items():
        setattr(r, field, value)
    r.care_flags = flags
    if joined_on is not None:
        r.joined_on = joined_on
    r.name_initials, r.name_pinyin = name_initials(r.name), name_pinyin(r.name)
    r.save()
    after = snapshot(r, _RESIDENT_AUDITED)
    record(actor=actor, action=AuditAction.UPDATE, obj=r,
           changes=diff(before, after, personal={"id_number": "id_number", "phone": "mobile"}))
    hh = Household.objects.select_for_update().get(pk=r.household_id)
    _refresh_household(hh)
    _sync_head_name(actor, hh, r)
    return r


@transaction.atomic
def resident_leave(*, actor, resident: Resident, status: str, left_on: date, note: str = "") -> Resident:
    """Mark a resident moved out or deceased; the record stays, dated, and drops out of counts and plans."""
    r = _locked_resident(resident, actor, "办理居民迁出或死亡登记")
    if r.status != ResidentStatus.ACTIVE:
        raise ValidationError(f"{r.name}已是“{r.get_status_display()}”状态")
    errors: dict = {}
    if status not in (ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED):
        errors["status"] = "变动类型应为“已迁出”或“已故”"
    label = "死亡日期" if status == ResidentStatus.DECEASED else "迁出日期"
    left_on = _date_ok(left_on, "left_on", label, errors)
    if left_on and r.birth_date and left_on < r.birth_date:
        errors["left_on"] = f"{label}不能早于出生日期（{r.birth_date:%Y-%m-%d}）"
    note = _text(note, "note", "变动说明", errors, max_length=200, required=False)
    _raise(errors)
    r.status, r.left_on, r.status_note = status, left_on, note
    r.save(update_fields=["status", "left_on", "status_note"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=r,
           changes={"status": ["active", status], "left_on": [None, left_on.isoformat()],
                    **({"status_note": [None, note]} if note else {})})
    _refresh_household(Household.objects.select_for_update().get(pk=r.household_id))
    return r


@transaction.atomic
def resident_restore(*, actor, resident: Resident) -> Resident:
    """Undo a mistaken moved-out / deceased mark (the household must still be living there)."""
    r = _locked_resident(resident, actor, "恢复居民在住状态")
    if r.status == ResidentStatus.ACTIVE:
        raise ValidationError(f"{r.name}本来就是在住状态")
    hh = Household.objects.select_for_update().get(pk=r.household_id)
    if hh.status != HouseholdStatus.ACTIVE:
        raise ValidationError("所在住户已整户迁出，不能恢复该居民")
    changes = {"status": [r.status, "active"], "left_on": [r.left_on.isoformat() if r.left_on else None, None]}
    if r.relation == Relation.HEAD and Resident.objects.filter(
            household=hh, status=ResidentStatus.ACTIVE, relation=Relation.HEAD).exists():
        r.relation = Relation.OTHER
        changes["relation"] = ["head", "other"]
    r.status, r.left_on, r.status_note = ResidentStatus.ACTIVE, None, ""
    r.save(update_fields=["status", "left_on", "status_note", "relation"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=r, changes=changes)
    _refresh_household(hh)
    return r


@transaction.atomic
def resident_transfer(*, actor, resident: Resident, household: Household, relation: str, moved_on: date | None,
                      note: str = "") -> Resident:
    """户内迁移: a resident living here moves into another active household (same record, same ID number).

    Both households must lie in the actor's grid.people scope. The resident's household, grid, relation and
    入户日期 (`joined_on`, the move's date) change; both households' member counts and care flags follow. A
    head who leaves others behind leaves the old household's head name as it was (the page asks for a new
    head); the audit entry says so. One audit entry (action "move") carries the old and new household, address
    and grid, the date and the previous 入户日期."""
    r = _locked_resident(resident, actor, "办理居民迁入他户")
    if r.status != ResidentStatus.ACTIVE:
        raise ValidationError(f"{r.name}{r.get_status_display()}，记录仅供查阅，不能办理迁入他户")
    errors: dict = {}
    # Lock both households in id order (two transfers in opposite directions must not deadlock).
    ids = sorted({r.household_id, household.pk})
    locked = {hh.pk: hh for hh in Household.objects.select_for_update(of=("self",)).select_related(
        "grid", "house").filter(pk__in=ids).order_by("pk")}
    old, new = locked[r.household_id], locked.get(household.pk)
    if new is None or (actor is not None and not has_perm_at(actor, GridPerm.PEOPLE, new.grid.path)):
        errors["household"] = "迁入住户不存在或不在您的管辖范围内"
    elif new.pk == old.pk:
        errors["household"] = "迁入住户与现住户相同，请选择另一户"
    elif new.status != HouseholdStatus.ACTIVE:
        errors["household"] = (f"迁入住户（{new.house.address}，户主 {new.head_name}）已于 "
                               f"{new.moved_out_on:%Y-%m-%d} 整户迁出，不能迁入")
    if relation not in Relation.values:
        errors["relation"] = "请选择与新户户主的关系" if not relation else f"与户主关系“{relation}”不正确"
    elif relation == Relation.HEAD and "household" not in errors:
        head = Resident.objects.filter(household=new, status=ResidentStatus.ACTIVE, relation=Relation.HEAD).first()
        if head is not None:
            errors["relation"] = f"迁入户已有户主“{head.name}”；请选择其他关系，迁入后可在“修改住户”中更换户主"
    moved_on = _date_ok(moved_on, "moved_on", "迁入日期", errors)
    registered = timezone.localtime(r.created_at).date() if r.created_at else None
    joined = r.joined_date
    if moved_on and "moved_on" not in errors and registered and moved_on < registered:
        errors["moved_on"] = f"迁入日期不能早于该居民的登记日期（{registered:%Y-%m-%d}）"
    elif moved_on and "moved_on" not in errors and joined and moved_on < joined:
        errors["moved_on"] = f"迁入日期不能早于该居民迁入现住户的日期（{joined:%Y-%m-%d}）"
    note = _text(note, "note", "说明", errors, max_length=200, required=False)
    _raise(errors)

    changes: dict = {
        "household": [old.pk, new.pk],
        "address": [old.house.address, new.house.address],
        "grid": [old.grid_id, new.grid_id],
    }
    if r.relation != relation:
        changes["relation"] = [r.relation, relation]
    changes["moved_on"] = [None, moved_on.isoformat()]
    changes["joined_on"] = [joined.isoformat() if joined else None, moved_on.isoformat()]
    if note:
        changes["note"] = [None, note]
    was_head = r.relation == Relation.HEAD and old.head_name == r.name
    r.household, r.grid_id, r.relation, r.joined_on = new, new.grid_id, relation, moved_on
    r.save(update_fields=["household", "grid", "relation", "joined_on"])
    _refresh_household(old)
    _refresh_household(new)
    if was_head and old.members:
        changes["old_household_head"] = [r.name, f"户主已迁出，户主姓名仍为“{old.head_name}”，待指定新户主"]
    if relation == Relation.HEAD and new.head_name != r.name:
        changes["new_household_head_name"] = [new.head_name, r.name]
        new.head_name = r.name
        new.save(update_fields=["head_name"])
    record(actor=actor, action=AuditAction.MOVE, obj=r, changes=changes)
    r.was_head, r.old_household = was_head, old
    return r
