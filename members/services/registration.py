"""Dual registration (双报到) in a community and mobile members (双报一领)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import record
from notifications.services import notifications_close_for, notify
from orgs.models import UNIT_LEVELS, PartyOrg
from regions.models import Region, RegionKind

from ..models import (
    Category,
    Decision,
    DualRegistration,
    MobileRecord,
    PartyMember,
)
from ..perms import MembersPerm
from .common import _event, _no_markup, _require, _today

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
        if actor is None or member.user_id != actor.pk:  # the member may register themselves
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
    if member is not None and actor is not None and member.user_id == actor.pk:
        _told_to_confirm(reg, member, actor)
    return reg


def _told_to_confirm(reg: DualRegistration, member: PartyMember, actor) -> None:
    """A member registered themself: the event on their record, and the community's secretaries
    (who confirm) are told."""
    from accounts.models import User
    from accounts.roles import Role

    _event(member, "双报到", "", f"向{reg.community}报到，等待确认", actor=actor)
    confirmers = User.objects.filter(is_active=True, role_assignments__region=reg.community,
                                     role_assignments__role=Role.COMMUNITY_SECRETARY).distinct()
    notify(recipients=confirmers, title=f"党员报到待确认：{member.name}",
           body=f"{member.org} 的在职党员向{reg.community}报到", link=reverse("members:dual") + "?status=pending",
           source=reg)


@transaction.atomic
def dual_registration_self(*, actor, community: Region | None, note: str = "") -> DualRegistration:
    """报到 by the member themself (from 我的档案 or the 工作台): the account's own record registers
    with the community where they live, through `dual_registration_request`."""
    member = PartyMember.objects.select_related("org").filter(user_id=getattr(actor, "pk", None)).first()
    if member is None:
        raise ValidationError("您的账号尚未关联党员档案，请联系所在党组织")
    if community is None or community.kind != RegionKind.COMMUNITY:
        raise ValidationError({"community": "请选择要报到的居住地社区"})
    if member.category != Category.EMPLOYED:
        raise ValidationError({"community": "双报到适用于在职党员；您的党员类别无需到居住地社区报到"})
    return dual_registration_request(actor=actor, community=community, member=member, note=note)


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
        if reg.member.user_id:
            notify(recipients=[reg.member.user], title=f"报到{reg.get_status_display()}：{reg.community}",
                   body=reason, link=reverse("members:me"), source=reg)
    notifications_close_for(reg)
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
def mobile_contact_advance(*, record_: MobileRecord, on: date) -> bool:
    """最近联系日期 moves forward to ``on`` (never back): for another app's contact log whose caller has
    checked its own permission and audits the contact itself (orglife's 结对联系). True when it moved."""
    from django.db.models import Q

    moved = MobileRecord.objects.filter(Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=on),
                                        pk=record_.pk).update(last_contact_on=on)
    if moved:
        record_.last_contact_on = on
    return bool(moved)


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
