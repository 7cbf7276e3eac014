"""关爱党员 (seed 000): 送学上门 and 节假日慰问 ledgers, the 党员互助金 of a community organization (a
grant beyond the balance is refused), and 结对联系 of mobile members with a log of each contact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditAction
from audit.services import record
from core.treepaths import is_under
from members.models import Category, MobileRecord, PartyMember
from members.services import mobile_contact_advance
from orgs.models import OrgLevel, PartyOrg

from ..models import (
    CareKind,
    CareReason,
    CareVisit,
    ContactLog,
    ContactWay,
    FundEntry,
    FundKind,
    Holiday,
    MobilePair,
)
from .common import require_manage, texts, today

EARLIEST = date(2000, 1, 1)
MAX_GIFT = Decimal("100000")          # a holiday visit's money and goods, yuan
MAX_FUND = Decimal("10000000")        # one entry of the mutual-aid fund, yuan


def _day(value, field: str, label: str, *, not_before: date = EARLIEST, before_label: str = "") -> date:
    if not isinstance(value, date):
        raise ValidationError({field: f"请填写{label}"})
    if value > today():
        raise ValidationError({field: f"{label}不能晚于今天"})
    if value < not_before:
        raise ValidationError({field: f"{label}不能早于{before_label or f'{not_before:%Y-%m-%d}'}"})
    return value


def _money(value, field: str, label: str, *, low: Decimal, high: Decimal, low_open: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{label}应为数字"}) from None
    if not amount.is_finite() or (amount <= low if low_open else amount < low) or amount > high:
        bound = "大于" if low_open else "不少于"
        raise ValidationError({field: f"{label}应{bound} {low:,.0f} 元且不超过 {high:,.0f} 元"})
    return amount


def _active(member: PartyMember, field: str, label: str) -> PartyMember:
    if member is None or not member.is_active:
        raise ValidationError({field: f"{label}应为在册党员"})
    return member


# --- 送学上门 and 节假日慰问 ----------------------------------------------------------------------------

@transaction.atomic
def care_visit_create(*, actor, kind: str, member: PartyMember, date, reason: str, visitors: str, content: str,
                      occasion: str = "", amount=0, note: str = "") -> CareVisit:
    if kind not in CareKind.values:
        raise ValidationError({"kind": "请选择走访类别（送学上门或节假日慰问）"})
    _active(member, "member", "走访对象")
    org = PartyOrg.objects.select_related("region").get(pk=member.org_id)
    require_manage(actor, org, "关爱党员")
    errors, clean = {}, {}
    for check in (lambda: _day(date, "date", "走访日期"),
                  lambda: texts(("visitors", "走访人", visitors, 100, True),
                                ("content", "学习内容" if kind == CareKind.STUDY else "慰问品", content, 500, True),
                                ("note", "备注", note, 300, False))):
        try:
            out = check()
            clean.update(out if isinstance(out, dict) else {"date": out})
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if reason not in CareReason.values:
        errors["reason"] = ["请选择走访对象的情况（年老体弱、患病、行动不便、流动在外、生活困难或老党员）"]
    if kind == CareKind.HOLIDAY:
        if occasion not in Holiday.values:
            errors["occasion"] = ["请选择慰问的节日"]
        try:
            clean["amount"] = _money(amount, "amount", "慰问金额", low=Decimal("0"), high=MAX_GIFT)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    else:
        occasion, clean["amount"] = "", Decimal("0")
    if errors:
        raise ValidationError(errors)
    v = CareVisit.objects.create(org=org, kind=kind, member=member, reason=reason, occasion=occasion,
                                 created_by=actor, **clean)
    record(actor=actor, action=AuditAction.CREATE, obj=v, changes={
        "kind": [None, v.get_kind_display()], "member": [None, member.name], "date": [None, v.date.isoformat()],
        "amount": [None, str(v.amount)]})
    return v


# --- 党员互助金 ---------------------------------------------------------------------------------------

def fund_balance(org: PartyOrg) -> Decimal:
    last = FundEntry.objects.filter(org=org).order_by("-id").values_list("balance", flat=True).first()
    return last if last is not None else Decimal("0.00")


@transaction.atomic
def fund_entry_add(*, actor, org: PartyOrg, kind: str, date, amount, purpose: str, counterpart: str = "",
                   member: PartyMember | None = None, decided_by: str = "") -> FundEntry:
    """A contribution to a community organization's 党员互助金, or a grant from it to one of its
    members (a grant needs the decision it rests on and may not exceed the balance)."""
    org = PartyOrg.objects.select_for_update(of=("self",)).select_related("region").get(pk=org.pk)
    require_manage(actor, org, "党员互助金")
    if org.level != OrgLevel.COMMUNITY:
        raise ValidationError({"org": "党员互助金以社区党组织为单位管理，请选择社区党组织"})
    if kind not in FundKind.values:
        raise ValidationError({"kind": "请选择收支类别（收入或资助）"})
    errors, clean = {}, {}
    payout = kind == FundKind.PAYOUT
    try:
        clean["date"] = _day(date, "date", "日期")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        clean["amount"] = _money(amount, "amount", "金额", low=Decimal("0"), high=MAX_FUND, low_open=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        clean.update(texts(("purpose", "资助事由" if payout else "资金来源", purpose, 200, True),
                           ("counterpart", "缴纳人或单位", counterpart if not payout else "", 100, False),
                           ("decided_by", "决定依据", decided_by, 100, payout)))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if payout:
        if member is None or not member.is_active:
            errors["member"] = ["请选择受助党员（在册党员）"]
        elif not is_under(member.org.region.path, org.region.path):
            errors["member"] = [f"{member.name}不是“{org}”的党员"]
    else:
        member = None
    if errors:
        raise ValidationError(errors)
    balance = fund_balance(org)
    if payout and clean["amount"] > balance:
        raise ValidationError({"amount": f"互助金余额不足：本次资助 {clean['amount']:,.2f} 元，"
                                         f"“{org}”当前余额 {balance:,.2f} 元，未登记"})
    after = balance - clean["amount"] if payout else balance + clean["amount"]
    e = FundEntry.objects.create(org=org, kind=kind, member=member, balance=after, created_by=actor, **clean)
    record(actor=actor, action=AuditAction.CREATE, obj=e, changes={
        "kind": [None, e.get_kind_display()], "amount": [None, str(e.amount)], "balance": [str(balance), str(after)],
        **({"member": [None, member.name]} if member else {})})
    return e


# --- 结对联系 of mobile members ------------------------------------------------------------------------

def _open_record(record_: MobileRecord) -> MobileRecord:
    r = MobileRecord.objects.select_related("member", "origin_org", "origin_org__region").get(pk=record_.pk)
    if r.ended_on is not None:
        raise ValidationError({"record": f"{r.member.name}已返回，无需结对联系"})
    return r


@transaction.atomic
def pair_create(*, actor, record_: MobileRecord, contact: PartyMember, started_on) -> MobilePair:
    """Pair a member of the outflow organization with a mobile member; a pair already open ends the
    same day (the new contact takes over)."""
    r = _open_record(record_)
    require_manage(actor, r.origin_org, "流动党员结对联系")
    errors = {}
    try:
        _day(started_on, "started_on", "结对日期", not_before=r.left_on, before_label="外出日期")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if contact is None or not contact.is_active:
        errors["contact"] = ["请选择联系党员（在册党员）"]
    elif contact.pk == r.member_id:
        errors["contact"] = ["联系党员不能是流动党员本人"]
    elif not is_under(contact.org.region.path, r.origin_org.region.path):
        errors["contact"] = [f"{contact.name}不是流出地党组织“{r.origin_org}”的党员"]
    elif contact.category == Category.MOBILE or MobileRecord.objects.filter(member=contact,
                                                                           ended_on__isnull=True).exists():
        errors["contact"] = [f"{contact.name}本人也在外流动，请选择在本地的党员"]
    if errors:
        raise ValidationError(errors)
    old = MobilePair.objects.select_for_update().filter(record=r, ended_on__isnull=True).first()
    if old is not None:
        if old.contact_id == contact.pk:
            raise ValidationError({"contact": f"{contact.name}已与{r.member.name}结对联系"})
        if started_on < old.started_on:
            raise ValidationError({"started_on": f"结对日期不能早于上一次结对的日期 {old.started_on:%Y-%m-%d}"})
        old.ended_on = started_on
        old.save(update_fields=["ended_on"])
    p = MobilePair.objects.create(record=r, contact=contact, started_on=started_on, created_by=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=p, changes={
        "mobile_member": [None, r.member.name], "contact": [old.contact.name if old else None, contact.name]})
    return p


@transaction.atomic
def contact_log_add(*, actor, pair: MobilePair, date, way: str, content: str, effect: str) -> ContactLog:
    """A contact of the pair (date, way, content, effect); the mobile record's 最近联系日期 follows."""
    p = (MobilePair.objects.select_for_update(of=("self",))
         .select_related("record", "record__member", "record__origin_org", "record__origin_org__region")
         .get(pk=pair.pk))
    require_manage(actor, p.record.origin_org, "流动党员结对联系")
    if p.ended_on is not None:
        raise ValidationError("该结对已结束，请在当前的结对下登记联系情况")
    errors, clean = {}, {}
    try:
        clean["date"] = _day(date, "date", "联系日期", not_before=p.started_on, before_label="结对日期")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if way not in ContactWay.values:
        errors["way"] = ["请选择联系方式（电话、微信、视频、上门走访或书信）"]
    try:
        clean.update(texts(("content", "联系内容", content, 500, True), ("effect", "效果", effect, 300, True)))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    log = ContactLog.objects.create(pair=p, way=way, created_by=actor, **clean)
    mobile_contact_advance(record_=p.record, on=log.date)
    record(actor=actor, action=AuditAction.CREATE, obj=p, changes={
        "contact_log": [None, f"{log.date:%Y-%m-%d} {log.get_way_display()}：{log.content[:60]}"]})
    return log
