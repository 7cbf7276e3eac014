"""Every write to the member registry: one transaction each, audited, validated in Chinese."""

from __future__ import annotations

import weakref
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.idnumber import parse_id_number
from core.images import check_image, to_jpeg
from core.phone import normalize_mobile, validate_mobile
from core.pinyin import name_initials, name_pinyin
from orgs.models import UNIT_LEVELS, PartyOrg
from regions.models import Region, RegionKind

from .models import (
    ACTIVE_STATUSES,
    Category,
    Decision,
    DualRegistration,
    DuesBase,
    DuesPayment,
    DuesTier,
    Gender,
    MemberDeed,
    MemberEvent,
    MemberStatus,
    MobileRecord,
    PartyMember,
    RegistrySettings,
    Transfer,
    TransferBatch,
)
from .perms import MembersPerm

PERSONAL = {"id_number": "id_number", "mobile": "mobile", "monthly_income": "text"}
AUDITED = ["name", "gender", "ethnicity", "birth_date", "id_number", "mobile", "education", "occupation",
           "joined_on", "full_member_on", "status", "category", "org", "residence", "address", "employer",
           "unit_org", "monthly_income"]
DEFAULT_TIERS = [
    (DuesBase.INCOME, "0", "3000", "0.5"), (DuesBase.INCOME, "3000", "5000", "1.0"),
    (DuesBase.INCOME, "5000", "10000", "1.5"), (DuesBase.INCOME, "10000", None, "2.0"),
    (DuesBase.RETIREE, "0", "5000", "0.5"), (DuesBase.RETIREE, "5000", None, "1.0"),
]


_CATEGORIES = frozenset(Category.values)


def _today() -> date:
    return timezone.localdate()


def _require(actor, perm: str, path: str | None, what: str) -> None:
    if actor is not None and not has_perm_at(actor, perm, path):
        raise ValidationError(f"您没有{what}的权限")


def _no_markup(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if "<" in value or ">" in value:
        raise ValidationError({field: f"{label}不能包含 < 或 > 符号"})
    return value


# --------------------------------------------------------------------------
# Members
# --------------------------------------------------------------------------


def clean_member_data(data: dict[str, Any], *, today: date | None = None) -> dict[str, Any]:
    """Validate and normalize member fields; raise ValidationError({field: 中文原因})."""
    today = today or _today()
    errors: dict[str, str] = {}
    out = dict(data)
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = "姓名不能为空"
    elif len(name) > 50:
        errors["name"] = "姓名不能超过 50 个字"
    elif "<" in name or ">" in name:
        errors["name"] = "姓名不能包含 < 或 > 符号"
    out["name"] = name
    info = getattr(data.get("id_number"), "info", None)  # already parsed (members.imports.ParsedId)
    if info is not None:
        out["id_number"] = info.number
    else:
        try:
            info = parse_id_number(data.get("id_number") or "", today=today)
            out["id_number"] = info.number
        except ValidationError as exc:
            errors["id_number"] = "；".join(exc.messages) if data.get("id_number") else "身份证号不能为空"
    if info is not None:
        if data.get("gender") and data["gender"] != info.gender:
            errors["gender"] = f"性别与身份证号不符：身份证号显示为{Gender(info.gender).label}"
        out["gender"] = info.gender
        if data.get("birth_date") and data["birth_date"] != info.birth_date:
            errors["birth_date"] = f"出生日期与身份证号不符：身份证号显示为 {info.birth_date:%Y-%m-%d}"
        out["birth_date"] = info.birth_date
    mobile = (data.get("mobile") or "").strip()
    if mobile:
        try:
            validate_mobile(mobile)
            out["mobile"] = normalize_mobile(mobile)
        except ValidationError as exc:
            errors["mobile"] = "；".join(exc.messages)
    else:
        out["mobile"] = ""
    joined = data.get("joined_on")
    if not joined:
        errors["joined_on"] = "入党日期不能为空"
    elif joined > today:
        errors["joined_on"] = "入党日期不能晚于今天"
    elif info is not None and joined < date(info.birth_date.year + 18, info.birth_date.month, 1):
        errors["joined_on"] = "入党日期早于年满 18 周岁"
    full = data.get("full_member_on")
    if full:
        if full > today:
            errors["full_member_on"] = "转正日期不能晚于今天"
        elif joined and full <= joined:
            errors["full_member_on"] = "转正日期应晚于入党日期"
    status = data.get("status") or (MemberStatus.FULL if full else MemberStatus.PROBATIONARY)
    if status == MemberStatus.FULL and not full and "full_member_on" not in errors:
        errors["full_member_on"] = "正式党员须填写转正日期"
    out["status"] = status
    if data.get("category") not in _CATEGORIES:
        errors["category"] = "请选择党员类别"
    income = data.get("monthly_income")
    if income is not None and income < 0:
        errors["monthly_income"] = "月收入不能为负数"
    for f, label in (("address", "居住地址"), ("employer", "工作单位"), ("occupation", "职业"),
                     ("ethnicity", "民族")):
        v = (data.get(f) or "").strip()
        if "<" in v or ">" in v:
            errors[f] = f"{label}不能包含 < 或 > 符号"
        out[f] = v
    out["ethnicity"] = out.get("ethnicity") or "汉族"
    out["education"] = data.get("education") or ""
    unit_org = data.get("unit_org")
    if unit_org is not None and unit_org.level not in UNIT_LEVELS:
        errors["unit_org"] = "单位党组织应为驻区单位或两新组织的党组织"
    residence = data.get("residence")
    if residence is not None and residence.kind in (RegionKind.DISTRICT, RegionKind.STREET):
        errors["residence"] = "居住地应选择社区或以下的区划"
    if errors:
        raise ValidationError(errors)
    out["name_pinyin"] = name_pinyin(name)
    out["name_initials"] = name_initials(name)
    return out


def id_hash(raw: str) -> str | None:
    return PartyMember._meta.get_field("id_number").blind_index_for(raw)


def _event(member, kind, old="", new="", *, actor, note="", on=None) -> MemberEvent:
    return MemberEvent.objects.create(member=member, kind=kind, old_value=str(old or "")[:200],
                                      new_value=str(new or "")[:200], note=note[:300], on=on or _today(), actor=actor)


@transaction.atomic
def member_create(*, actor, org: PartyOrg, **data) -> PartyMember:
    _require(actor, MembersPerm.EDIT, org.region.path, f"在“{org}”登记党员")
    clean = clean_member_data(data)
    if PartyMember.objects.filter(id_number_hash=id_hash(clean["id_number"])).exists():
        raise ValidationError({"id_number": "该身份证号已登记为党员"})
    member = PartyMember(org=org, **clean)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError({"id_number": "该身份证号已登记为党员"}) from None
    _event(member, "登记", "", member.get_status_display(), actor=actor, on=clean["joined_on"])
    record(actor=actor, action=AuditAction.CREATE, obj=member,
           changes=diff({}, snapshot(member, AUDITED), personal=PERSONAL))
    return member


@transaction.atomic
def member_update(*, actor, member: PartyMember, **data) -> PartyMember:
    member = PartyMember.objects.select_for_update().select_related("org__region").get(pk=member.pk)
    _require(actor, MembersPerm.EDIT, member.org.region.path, "修改此党员信息")
    before = snapshot(member, AUDITED)
    org = data.pop("org", None) or member.org
    if org.pk != member.org_id:
        raise ValidationError({"org": "更换所在党组织请走“组织关系转接”"})
    merged = {f: getattr(member, f) for f in AUDITED if f != "org"}
    merged.update(data)
    clean = clean_member_data(merged)
    other = PartyMember.objects.filter(id_number_hash=id_hash(clean["id_number"])).exclude(pk=member.pk)
    if other.exists():
        raise ValidationError({"id_number": "该身份证号已登记为其他党员"})
    old_status, old_category = member.status, member.category
    for k, v in clean.items():
        setattr(member, k, v)
    member.save()
    if old_status != member.status:
        _event(member, "党员状态", MemberStatus(old_status).label, member.get_status_display(), actor=actor)
    if old_category != member.category:
        _event(member, "党员类别", Category(old_category).label, member.get_category_display(), actor=actor)
    record(actor=actor, action=AuditAction.UPDATE, obj=member,
           changes=diff(before, snapshot(member, AUDITED), personal=PERSONAL))
    return member


def member_find_by_id_number(raw: str):
    """Exact lookup through the keyed hash (the table is never decrypted)."""
    try:
        h = id_hash(raw)
    except Exception:
        return PartyMember.objects.none()
    return PartyMember.objects.filter(id_number_hash=h)


# --------------------------------------------------------------------------
# Deeds
# --------------------------------------------------------------------------


@transaction.atomic
def member_deed_record(*, actor, member: PartyMember, date: date, title: str, hours=0, source_type: str = "",
                       source_id: str = "") -> MemberDeed:
    """Record a deed (实事) of a member. Co-building calls this with its own source_type/source_id."""
    title = _no_markup(title, "title", "事项")
    if not title:
        raise ValidationError({"title": "事项不能为空"})
    if len(title) > 200:
        raise ValidationError({"title": "事项不能超过 200 个字"})
    if date > _today():
        raise ValidationError({"date": "日期不能晚于今天"})
    try:
        hours = Decimal(str(hours or 0))
    except Exception:
        raise ValidationError({"hours": "时长应为数字"}) from None
    if hours < 0 or hours > 1000:
        raise ValidationError({"hours": "时长应在 0 到 1000 小时之间"})
    if source_type and source_id and MemberDeed.objects.filter(
        member=member, source_type=source_type, source_id=str(source_id)
    ).exists():
        return MemberDeed.objects.get(member=member, source_type=source_type, source_id=str(source_id))
    deed = MemberDeed.objects.create(member=member, date=date, title=title, hours=hours,
                                     source_type=source_type[:50], source_id=str(source_id)[:50],
                                     created_by=actor if getattr(actor, "is_authenticated", False) else None)
    record(actor=actor, action=AuditAction.CREATE, obj=deed,
           changes={"member": [None, str(member)], "title": [None, title], "date": [None, date.isoformat()]})
    return deed


# --------------------------------------------------------------------------
# Dual registration
# --------------------------------------------------------------------------


@transaction.atomic
def dual_registration_request(*, actor, community: Region, member: PartyMember | None = None,
                              unit_org: PartyOrg | None = None, note: str = "") -> DualRegistration:
    if community.kind != RegionKind.COMMUNITY:
        raise ValidationError({"community": "请选择要报到的社区"})
    note = _no_markup(note, "note", "报到说明")
    if member is not None:
        _require(actor, MembersPerm.EDIT, member.org.region.path, "为此党员申请报到")
        if member.category != Category.EMPLOYED:
            raise ValidationError({"member": "双报到适用于在职党员"})
        kind = DualRegistration.Kind.MEMBER
        dup = DualRegistration.objects.filter(member=member, status__in=[Decision.PENDING, Decision.CONFIRMED],
                                              requested_at__year=_today().year)
    elif unit_org is not None:
        _require(actor, MembersPerm.EDIT, unit_org.region.path, "为此单位党组织申请报到")
        if unit_org.level not in UNIT_LEVELS:
            raise ValidationError({"unit_org": "只有驻区单位或两新组织的党组织需要向社区报到"})
        kind = DualRegistration.Kind.UNIT
        dup = DualRegistration.objects.filter(unit_org=unit_org, status__in=[Decision.PENDING, Decision.CONFIRMED],
                                              requested_at__year=_today().year)
    else:
        raise ValidationError({"member": "请选择报到的党员或单位党组织"})
    if dup.filter(community=community).exists():
        raise ValidationError({"community": "今年已向该社区报到（或正在等待确认）"})
    reg = DualRegistration.objects.create(kind=kind, member=member, unit_org=unit_org, community=community,
                                          note=note, requested_by=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=reg,
           changes={"community": [None, community.name], "who": [None, str(member or unit_org)]})
    return reg


@transaction.atomic
def dual_registration_decide(*, actor, registration: DualRegistration, confirm: bool,
                             reason: str = "") -> DualRegistration:
    reg = DualRegistration.objects.select_for_update().select_related("community").get(pk=registration.pk)
    _require(actor, MembersPerm.CONFIRM, reg.community.path, f"确认“{reg.community}”的报到")
    if reg.status != Decision.PENDING:
        raise ValidationError("该报到已处理，不能重复处理")
    reason = _no_markup(reason, "reason", "退回原因")
    if not confirm and not reason:
        raise ValidationError({"reason": "退回时请填写原因"})
    old = reg.status
    reg.status = Decision.CONFIRMED if confirm else Decision.RETURNED
    reg.reason = reason
    reg.decided_by = actor
    reg.decided_at = timezone.now()
    reg.save()
    if reg.member_id:
        _event(reg.member, "双报到", "", f"{reg.community}：{reg.get_status_display()}", actor=actor, note=reason)
    record(actor=actor, action=AuditAction.TRANSITION, obj=reg, changes={"status": [old, reg.status]},
           purpose=reason)
    return reg


# --------------------------------------------------------------------------
# Mobile members (双报一领)
# --------------------------------------------------------------------------


@transaction.atomic
def mobile_outflow_report(*, actor, member: PartyMember, destination: str, left_on: date, contact: str = "",
                          card_number: str = "", origin_task: str = "") -> MobileRecord:
    _require(actor, MembersPerm.EDIT, member.org.region.path, "登记此党员外出")
    destination = _no_markup(destination, "destination", "流入地")
    if not destination:
        raise ValidationError({"destination": "请填写流入地"})
    if left_on > _today():
        raise ValidationError({"left_on": "外出日期不能晚于今天"})
    if MobileRecord.objects.filter(member=member, ended_on__isnull=True).exists():
        raise ValidationError({"member": "该党员已有未结束的外出登记"})
    rec = MobileRecord.objects.create(
        member=member, origin_org=member.org, destination=destination, left_on=left_on,
        contact=_no_markup(contact, "contact", "联系方式"),
        card_number=_no_markup(card_number, "card_number", "活动证号"),
        origin_task=_no_markup(origin_task, "origin_task", "任务"), last_contact_on=_today(), created_by=actor,
    )
    old_category = member.category
    if old_category != Category.MOBILE:
        PartyMember.objects.filter(pk=member.pk).update(category=Category.MOBILE)
        _event(member, "党员类别", Category(old_category).label, Category.MOBILE.label, actor=actor,
               note=f"外出至{destination}")
    record(actor=actor, action=AuditAction.CREATE, obj=rec, changes={"destination": [None, destination]})
    return rec


@transaction.atomic
def mobile_inflow_register(*, actor, record_: MobileRecord, destination_org: PartyOrg, registered_on: date,
                           destination_task: str = "") -> MobileRecord:
    rec = MobileRecord.objects.select_for_update().get(pk=record_.pk)
    _require(actor, MembersPerm.EDIT, destination_org.region.path, f"在“{destination_org}”登记流入党员")
    if registered_on > _today():
        raise ValidationError({"registered_on": "报到日期不能晚于今天"})
    if registered_on < rec.left_on:
        raise ValidationError({"registered_on": "报到日期不能早于外出日期"})
    rec.destination_org = destination_org
    rec.registered_on = registered_on
    rec.destination_task = _no_markup(destination_task, "destination_task", "任务")
    rec.last_contact_on = registered_on
    rec.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=rec, changes={"destination_org": [None, str(destination_org)]})
    return rec


@transaction.atomic
def mobile_contact_record(*, actor, record_: MobileRecord, on: date) -> MobileRecord:
    path = record_.origin_org.region.path
    dest = record_.destination_org.region.path if record_.destination_org_id else None
    if not (has_perm_at(actor, MembersPerm.EDIT, path) or (dest and has_perm_at(actor, MembersPerm.EDIT, dest))):
        raise ValidationError("您没有登记此流动党员联系情况的权限")
    if on > _today():
        raise ValidationError({"on": "联系日期不能晚于今天"})
    MobileRecord.objects.filter(pk=record_.pk).update(last_contact_on=on)
    record_.last_contact_on = on
    record(actor=actor, action=AuditAction.UPDATE, obj=record_, changes={"last_contact_on": [None, on.isoformat()]})
    return record_


# --------------------------------------------------------------------------
# Transfers
# --------------------------------------------------------------------------


def _new_transfer(actor, member, to_org, note, batch=None) -> Transfer:
    if to_org.pk == member.org_id:
        raise ValidationError({"to_org": f"{member.name}：转入党组织与当前党组织相同"})
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError({"member": f"{member.name}：当前状态不能转接"})
    if Transfer.objects.filter(member=member, status=Decision.PENDING).exists():
        raise ValidationError({"member": f"{member.name}：已有待确认的转接"})
    return Transfer.objects.create(member=member, from_org=member.org, to_org=to_org, batch=batch, note=note,
                                   requested_by=actor)


@transaction.atomic
def transfer_request(*, actor, member: PartyMember, to_org: PartyOrg, note: str = "") -> Transfer:
    _require(actor, MembersPerm.EDIT, member.org.region.path, "转出此党员")
    t = _new_transfer(actor, member, to_org, _no_markup(note, "note", "说明"))
    _event(member, "转接申请", member.org, to_org, actor=actor, note=note)
    record(actor=actor, action=AuditAction.CREATE, obj=t, changes={"from": [None, str(member.org)],
                                                                   "to": [None, str(to_org)]})
    return t


def _apply_transfer(t: Transfer, actor, confirm: bool, reason: str) -> None:
    t.status = Decision.CONFIRMED if confirm else Decision.RETURNED
    t.reason = reason
    t.decided_by = actor
    t.decided_at = timezone.now()
    t.save()
    if confirm:
        PartyMember.objects.filter(pk=t.member_id).update(org=t.to_org, updated_at=timezone.now())
        _event(t.member, "组织关系转入", t.from_org, t.to_org, actor=actor)
    else:
        _event(t.member, "转接退回", t.from_org, t.to_org, actor=actor, note=reason)


@transaction.atomic
def transfer_decide(*, actor, transfer: Transfer, confirm: bool, reason: str = "") -> Transfer:
    t = (Transfer.objects.select_for_update().select_related("to_org__region", "member", "from_org")
         .get(pk=transfer.pk))
    _require(actor, MembersPerm.CONFIRM, t.to_org.region.path, f"确认转入“{t.to_org}”")
    if t.status != Decision.PENDING:
        raise ValidationError("该转接已处理，不能重复处理")
    reason = _no_markup(reason, "reason", "退回原因")
    if not confirm and not reason:
        raise ValidationError({"reason": "退回时请填写原因"})
    _apply_transfer(t, actor, confirm, reason)
    record(actor=actor, action=AuditAction.TRANSITION, obj=t, changes={"status": ["pending", t.status]},
           purpose=reason)
    return t


@transaction.atomic
def transfer_batch_create(*, actor, title: str, from_org: PartyOrg, moves: list[tuple[PartyMember, PartyOrg]],
                          ) -> TransferBatch:
    """Batch transfer (e.g. a firm's retirees to their residence communities): one request per member."""
    _require(actor, MembersPerm.EDIT, from_org.region.path, f"从“{from_org}”批量转出")
    title = _no_markup(title, "title", "名称")
    if not title:
        raise ValidationError({"title": "请填写批次名称"})
    if not moves:
        raise ValidationError("没有需要转接的党员")
    batch = TransferBatch.objects.create(title=title, from_org=from_org, created_by=actor)
    errors = []
    for member, to_org in moves:
        if member.org_id != from_org.pk:
            errors.append(f"{member.name}：不在“{from_org}”")
            continue
        try:
            _new_transfer(actor, member, to_org, title, batch)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    record(actor=actor, action=AuditAction.CREATE, obj=batch, changes={"count": [None, len(moves)]})
    return batch


@transaction.atomic
def transfer_batch_confirm(*, actor, batch: TransferBatch, to_org: PartyOrg) -> int:
    """The receiving organization confirms all of its pending transfers of a batch at once."""
    _require(actor, MembersPerm.CONFIRM, to_org.region.path, f"确认转入“{to_org}”")
    pending = list(Transfer.objects.select_for_update().select_related("member", "from_org", "to_org")
                   .filter(batch=batch, to_org=to_org, status=Decision.PENDING))
    if not pending:
        raise ValidationError("没有待确认的转接")
    for t in pending:
        _apply_transfer(t, actor, True, "")
    record(actor=actor, action=AuditAction.TRANSITION, obj=batch,
           changes={"confirmed": [0, len(pending)], "to_org": [None, str(to_org)]})
    return len(pending)


# --------------------------------------------------------------------------
# Dues
# --------------------------------------------------------------------------


def dues_tiers() -> list[DuesTier]:
    tiers = list(DuesTier.objects.all())
    if not tiers:
        with transaction.atomic():
            for base, lower, upper, rate in DEFAULT_TIERS:
                DuesTier.objects.create(base=base, lower=Decimal(lower), upper=Decimal(upper) if upper else None,
                                        rate=Decimal(rate))
        tiers = list(DuesTier.objects.all())
    return tiers


FIXED_DUES_CATEGORIES = (Category.STUDENT, Category.UNEMPLOYED, Category.HARDSHIP)


def dues_income_missing(member: PartyMember) -> bool:
    """Whether the dues standard cannot be computed: the member pays by income (or pension) under the tiers,
    and no income is on record."""
    return member.category not in FIXED_DUES_CATEGORIES and member.monthly_income is None


def monthly_dues(member: PartyMember, *, tiers: list[DuesTier] | None = None,
                 settings_: RegistrySettings | None = None) -> Decimal | None:
    """The monthly amount under the tiers; None when the income is unknown (`dues_income_missing`)."""
    settings_ = settings_ or RegistrySettings.current()
    if member.category in FIXED_DUES_CATEGORIES:
        return settings_.student_monthly_dues
    if dues_income_missing(member):
        return None
    base = DuesBase.RETIREE if member.category == Category.RETIRED else DuesBase.INCOME
    income = Decimal(member.monthly_income)
    for tier in tiers if tiers is not None else dues_tiers():
        if tier.base != base:
            continue
        if income > tier.lower and (tier.upper is None or income <= tier.upper) or (income == 0 and tier.lower == 0):
            return (income * tier.rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Decimal("0.00")


@transaction.atomic
def dues_pay(*, actor, member: PartyMember, month: date, amount: Decimal, paid_on: date | None = None) -> DuesPayment:
    _require(actor, MembersPerm.EDIT, member.org.region.path, "登记此党员的党费")
    month = month.replace(day=1)
    paid_on = paid_on or _today()
    if paid_on > _today():
        raise ValidationError({"paid_on": "缴纳日期不能晚于今天"})
    if month > _today().replace(day=1):
        raise ValidationError({"month": "不能预缴尚未到来的月份"})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "金额应大于 0"})
    if DuesPayment.objects.filter(member=member, month=month).exists():
        raise ValidationError({"month": f"{month:%Y年%m月}的党费已登记"})
    p = DuesPayment.objects.create(member=member, month=month, amount=amount, paid_on=paid_on, org=member.org,
                                   recorded_by=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=p, changes={"month": [None, month.isoformat()],
                                                                   "amount": [None, str(amount)]})
    return p


# Rules edited on the dues page; the fixed monthly amount belongs to the dues tiers (`dues_rules_update`).
SETTINGS_FIELDS = ("deed_quota_min", "deed_quota_max", "mobile_no_contact_months", "arrears_months")


@transaction.atomic
def settings_update(*, actor, **values) -> RegistrySettings:
    from accounts.scope import has_perm

    if not has_perm(actor, MembersPerm.RULES):
        raise ValidationError("您没有修改党员管理规则的权限")
    unknown = sorted(set(values) - set(SETTINGS_FIELDS))
    if unknown:
        raise TypeError(f"settings_update() does not set {', '.join(unknown)} (the fixed dues amount is set by "
                        "dues_rules_update)")
    s = RegistrySettings.current()
    fields = list(values)
    before = snapshot(s, fields)
    if values.get("deed_quota_min", s.deed_quota_min) > values.get("deed_quota_max", s.deed_quota_max):
        raise ValidationError({"deed_quota_min": "实事下限不能大于上限"})
    for k, v in values.items():
        setattr(s, k, v)
    s.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=s, changes=diff(before, snapshot(s, fields)))
    return s


@transaction.atomic
def dues_rules_update(*, actor, income: list[tuple], retiree: list[tuple], fixed_amount: Decimal) -> list[DuesTier]:
    """Replace the dues tiers and the fixed monthly amount (students, unemployed, hardship) at once.

    `income` / `retiree`: rows of (lower, upper or None, rate percent). The tiers of each base must start
    at 0, follow one another without gap or overlap ((lower, upper], the next lower is this upper), end
    with an open upper bound, and carry a rate between 0 and 100 %. Nothing is saved unless all is good."""
    from accounts.scope import has_perm

    if not has_perm(actor, MembersPerm.RULES):
        raise ValidationError("您没有修改党费标准的权限")
    errors: dict[str, list[str]] = {}
    clean: dict[str, list[tuple[Decimal, Decimal | None, Decimal]]] = {}
    for key, base, rows in (("income", DuesBase.INCOME, income), ("retiree", DuesBase.RETIREE, retiree)):
        problems, tiers = _check_tiers(DuesBase(base).label, rows)
        if problems:
            errors[key] = problems
        clean[key] = tiers
    try:
        fixed = Decimal(str(fixed_amount)) if fixed_amount is not None else None
    except Exception:
        fixed = None
    if fixed is None or not fixed.is_finite():
        errors["fixed_amount"] = ["学生、下岗失业、困难党员每月党费：请填写金额"]
    elif fixed < 0:
        errors["fixed_amount"] = ["学生、下岗失业、困难党员每月党费：金额不能为负数"]
    elif fixed > 100:
        errors["fixed_amount"] = ["学生、下岗失业、困难党员每月党费：金额不能超过 100 元"]
    if errors:
        raise ValidationError(errors)
    before = {"tiers": _tiers_text(dues_tiers())}
    s = RegistrySettings.current()
    before["student_monthly_dues"] = str(s.student_monthly_dues)
    DuesTier.objects.all().delete()
    DuesTier.objects.bulk_create([
        DuesTier(base=base, lower=lower, upper=upper, rate=rate)
        for key, base in (("income", DuesBase.INCOME), ("retiree", DuesBase.RETIREE))
        for lower, upper, rate in clean[key]
    ])
    s.student_monthly_dues = fixed.quantize(Decimal("0.01"))
    s.save(update_fields=["student_monthly_dues"])
    tiers = list(DuesTier.objects.all())
    after = {"tiers": _tiers_text(tiers), "student_monthly_dues": str(s.student_monthly_dues)}
    changes = diff(before, after)
    if changes:
        record(actor=actor, action=AuditAction.UPDATE, object_type="members.duestier", object_id="",
               object_repr="党费标准", changes=changes)
    return tiers


def _tiers_text(tiers) -> list[str]:
    return [f"{DuesBase(t.base).label}：{t.lower:.2f}–{'' if t.upper is None else f'{t.upper:.2f}'} 元 {t.rate:.2f}%"
            for t in sorted(tiers, key=lambda t: (t.base, t.lower))]


def _dec(value, what: str, problems: list[str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value).strip())
    except Exception:
        problems.append(f"{what}应为数字")
        return None
    if not d.is_finite():
        problems.append(f"{what}应为数字")
        return None
    return d


def _check_tiers(label: str, rows) -> tuple[list[str], list[tuple[Decimal, Decimal | None, Decimal]]]:
    problems: list[str] = []
    parsed = []
    for i, (lower, upper, rate) in enumerate(rows, 1):
        n = len(problems)
        lo = _dec(lower, f"{label}第 {i} 档的收入下限", problems)
        up = _dec(upper, f"{label}第 {i} 档的收入上限", problems)
        r = _dec(rate, f"{label}第 {i} 档的比例", problems)
        if lo is None and len(problems) == n:
            problems.append(f"{label}第 {i} 档：请填写收入下限")
        if r is None and len(problems) == n:
            problems.append(f"{label}第 {i} 档：请填写比例")
        if lo is not None and lo < 0:
            problems.append(f"{label}第 {i} 档：收入下限不能为负数")
        if up is not None and up < 0:
            problems.append(f"{label}第 {i} 档：收入上限不能为负数")
        if lo is not None and up is not None and up <= lo:
            problems.append(f"{label}第 {i} 档：收入上限（{up}）应大于下限（{lo}）")
        if r is not None and not (0 <= r <= 100):
            problems.append(f"{label}第 {i} 档：比例应在 0 到 100% 之间")
        if len(problems) == n:
            parsed.append((lo, up, r))
    if problems:
        return problems, []
    if not parsed:
        return [f"{label}：至少需要一档"], []
    parsed.sort(key=lambda t: t[0])
    if parsed[0][0] != 0:
        problems.append(f"{label}：最低一档的收入下限应为 0（当前为 {parsed[0][0]}），否则低收入党员无档可依")
    for k in range(1, len(parsed)):
        prev_up, lo = parsed[k - 1][1], parsed[k][0]
        if prev_up is None:
            problems.append(f"{label}：收入下限为 {parsed[k - 1][0]} 的一档没有上限，与后面的档次重叠")
        elif lo < prev_up:
            problems.append(f"{label}：{parsed[k - 1][0]}–{prev_up} 与 {lo} 起的一档重叠")
        elif lo > prev_up:
            problems.append(f"{label}：{prev_up} 到 {lo} 之间没有档次（各档应首尾相接，下一档的下限等于上一档的上限）")
    if parsed[-1][1] is not None:
        problems.append(f"{label}：最高一档应不设上限（收入超过 {parsed[-1][1]} 元的党员无档可依）")
    if len(parsed) > 20:
        problems.append(f"{label}：最多 20 档")
    return problems, ([] if problems else [(lo, up, r.quantize(Decimal("0.01"))) for lo, up, r in parsed])


# --------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_BOX = (600, 800)  # stored size limit (an ID photo is 3:4); the original is never kept


def _clean_photo(upload) -> bytes:
    """A real JPEG or PNG of at most 5 MB (core.images.check_image), re-encoded as a JPEG that fits
    PHOTO_BOX: orientation applied, metadata such as GPS dropped, the original never kept."""
    if upload is None:
        raise ValidationError({"photo": "照片：请选择要上传的图片文件"})
    name = getattr(upload, "name", "") or "照片"
    check_image(upload, field="photo", label=f"照片（{name}）", formats=("JPEG", "PNG"),
                max_bytes=MAX_PHOTO_BYTES, max_pixels=MAX_PHOTO_PIXELS)
    return to_jpeg(upload, box=PHOTO_BOX)  # EXIF (GPS), XMP, ICC and the JPEG comment dropped


def _delete_file_on_commit(storage, name: str) -> None:
    """Delete a file the transaction supersedes, once (and only if) it commits: a rollback keeps the file the
    record still names. `robust`: a failed delete after the commit is logged, it does not fail the request."""
    if name:
        transaction.on_commit(partial(storage.delete, name), robust=True)


def _delete_file_on_rollback(storage, name: str) -> None:
    """Delete a file written inside the current transaction unless that transaction commits.

    Django has no on-rollback hook, but it keeps commit hooks in a list it drops, unrun, when the transaction
    (or a savepoint the hook was registered under) rolls back. The hook registered here only notes the commit;
    a finalizer on it runs as soon as the list lets go of it (CPython's reference counting: at once, during the
    rollback) and deletes the file when no commit was noted. One exception: Django stops running commit hooks
    at the first one that raises, dropping the rest; the connection then still says it is running the hooks of
    a commit (`run_commit_hooks_on_set_autocommit_on`), and the file, committed with the record, stays."""
    connection = transaction.get_connection()
    state = {"committed": False}

    def committed() -> None:
        state["committed"] = True

    def dropped() -> None:
        if not state["committed"] and not connection.run_commit_hooks_on_set_autocommit_on:
            storage.delete(name)

    weakref.finalize(committed, dropped)
    transaction.on_commit(committed, robust=True)


@transaction.atomic
def member_photo_set(*, actor, member: PartyMember, photo) -> PartyMember:
    """Upload or replace a member's photo. The new file is deleted again if the transaction rolls back (this
    one or an outer one); the old file is deleted once the change commits."""
    from django.core.files.base import ContentFile

    member = PartyMember.objects.select_for_update().select_related("org__region").get(pk=member.pk)
    _require(actor, MembersPerm.EDIT, member.org.region.path, "修改此党员的照片")
    data = _clean_photo(photo)
    field = PartyMember._meta.get_field("photo")
    old = member.photo.name
    new_name = field.storage.save(field.generate_filename(member, "photo.jpg"), ContentFile(data))
    # The file follows the transaction: gone again if this one (or any transaction around it) rolls back.
    _delete_file_on_rollback(field.storage, new_name)
    PartyMember.objects.filter(pk=member.pk).update(photo=new_name, updated_at=timezone.now())
    member.photo.name = new_name
    record(actor=actor, action=AuditAction.UPDATE, obj=member,
           changes={"photo": ["有照片" if old else "无照片", "已更换照片" if old else "已上传照片"]})
    _delete_file_on_commit(field.storage, old)
    return member


@transaction.atomic
def member_photo_remove(*, actor, member: PartyMember) -> PartyMember:
    member = PartyMember.objects.select_for_update().select_related("org__region").get(pk=member.pk)
    _require(actor, MembersPerm.EDIT, member.org.region.path, "修改此党员的照片")
    old = member.photo.name
    if not old:
        raise ValidationError({"photo": "该党员尚未上传照片"})
    PartyMember.objects.filter(pk=member.pk).update(photo="", updated_at=timezone.now())
    member.photo.name = ""
    record(actor=actor, action=AuditAction.UPDATE, obj=member, changes={"photo": ["有照片", "已删除照片"]})
    _delete_file_on_commit(PartyMember._meta.get_field("photo").storage, old)
    return member


def member_photo_bytes(member: PartyMember) -> bytes | None:
    """The stored photo (JPEG), or None when there is none or the file is gone."""
    if not member.photo.name:
        return None
    try:
        with member.photo.storage.open(member.photo.name, "rb") as f:
            return f.read()
    except OSError:
        return None


def _linkable_by(actor, user) -> bool:
    """A fresh account (no role assignment at all), or one holding the 党员 role at a node where the actor
    may edit members."""
    from accounts.roles import Role

    grants = list(user.role_assignments.values_list("role", "region__path"))
    if not grants:
        return True
    return any(role == Role.PARTY_MEMBER and path and has_perm_at(actor, MembersPerm.EDIT, path)
               for role, path in grants)


@transaction.atomic
def member_user_link(*, actor, member: PartyMember, username: str) -> PartyMember:
    """Link the member record to a platform account (or unlink with an empty username) so that the
    account sees this record under 我的档案. Only ordinary accounts: not a 等保 system-role account,
    not superusers, not one already linked to another member, and only an account that is either
    fresh (no role at all) or holds the 党员 role at a node inside the actor's `members.edit` scope —
    never, say, the staff of another street, who would otherwise read the record under 我的档案."""
    from accounts.models import User
    from accounts.roles import SYSTEM_ROLES

    member = PartyMember.objects.select_for_update(of=("self",)).select_related("org__region", "user").get(pk=member.pk)
    _require(actor, MembersPerm.EDIT, member.org.region.path, "关联此党员的平台账号")
    username = (username or "").strip()
    old = member.user.get_username() if member.user_id else ""
    if not username:
        if not member.user_id:
            raise ValidationError({"username": "平台账号：该党员尚未关联账号"})
        user = None
    else:
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise ValidationError({"username": f"平台账号：没有名为“{username}”的有效账号"})
        if user.is_superuser or user.role_assignments.filter(role__in=list(SYSTEM_ROLES)).exists():
            raise ValidationError({"username": "平台账号：系统管理、安全管理、审计管理账号不能关联党员档案"})
        if not _linkable_by(actor, user):
            raise ValidationError({"user": f"该账号不在您的管辖范围内：“{username}”不能关联党员档案。只能关联尚未分配"
                                           "角色的账号，或在您管辖范围内持有“党员”角色的账号"})
        other = PartyMember.objects.filter(user=user).exclude(pk=member.pk).first()
        if other is not None:
            raise ValidationError({"username": f"平台账号：“{username}”已关联其他党员档案"})
        if user.pk == member.user_id:
            return member
    PartyMember.objects.filter(pk=member.pk).update(user=user, updated_at=timezone.now())
    member.user = user
    record(actor=actor, action=AuditAction.UPDATE, obj=member, changes={"user": [old, username]})
    return member



def sweep_orphan_photos(*, hours: float = 24.0, dry_run: bool = False) -> tuple[list[str], int]:
    """Delete member photo files no record names (a process died between writing a new photo and the
    commit) once they are older than ``hours``, so a photo being saved right now is never touched.
    Returns (the names deleted, or that would be with ``dry_run``; how many photo files there are)."""
    import time

    from .models import PHOTO_DIR, private_storage

    try:
        _dirs, files = private_storage.listdir(PHOTO_DIR)
    except FileNotFoundError:
        files = []
    names = {f"{PHOTO_DIR}/{f}" for f in files}
    # Read after listing: a photo committed meanwhile is in this set, or too young to go.
    used = set(PartyMember.objects.exclude(photo="").values_list("photo", flat=True))
    cutoff = time.time() - hours * 3600
    orphans = sorted(n for n in names - used if private_storage.get_modified_time(n).timestamp() < cutoff)
    if not dry_run:
        for name in orphans:
            private_storage.delete(name)
    return orphans, len(names)
