"""Member records: created, edited, found by ID number, their deeds, the linked platform account."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.idnumber import parse_id_number
from core.phone import normalize_mobile, validate_mobile
from core.pinyin import name_initials, name_pinyin
from orgs.models import UNIT_LEVELS, PartyOrg
from regions.models import RegionKind

from ..models import (
    Category,
    Gender,
    MemberDeed,
    MemberStatus,
    PartyMember,
)
from ..perms import MembersPerm
from .common import _CATEGORIES, AUDITED, PERSONAL, _event, _no_markup, _require, _today

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
