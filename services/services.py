"""Every write of the service systems: `<entity>_<verb>(*, actor, ...)`, checked, one transaction,
audited. Bad input raises ValidationError with a Chinese message naming the field."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.scope import has_perm_at
from audit.services import record
from core.phone import normalize_mobile, validate_mobile
from regions.models import Region, RegionKind

from .models import (
    Booking,
    Channel,
    CharityEntry,
    CharityItem,
    DutyShift,
    Errand,
    ErrandState,
    ErrandStep,
    JobPost,
    JobSeeker,
    JobState,
    Offering,
    Order,
    OrderState,
    Placement,
    Provider,
    SeekerState,
    Service,
    Training,
    Venue,
    qty,
)
from .rules import P

MAX_MONEY = Decimal("1000000")   # one ledger line, one price: at most a million yuan
MAX_QUANTITY = Decimal("100000")


def today() -> date:
    return timezone.localdate()


# ----------------------------------------------------------------------------------------- checks

def text(value, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    """Free text: trimmed, bounded, no markup, no control characters."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_len:
        raise ValidationError({field: f"{label}不能超过 {max_len} 个字"})
    if "<" in value or ">" in value:
        raise ValidationError({field: f"{label}不能包含 < 或 > 符号"})
    if any(ord(c) < 32 and c not in "\r\n\t" for c in value):
        raise ValidationError({field: f"{label}包含无法识别的控制字符"})
    return value


def texts(*specs) -> dict[str, str]:
    """[(field, label, value, max_len, required)] → clean values, or one error naming every bad field."""
    errors, out = {}, {}
    for field, label, value, max_len, required in specs:
        try:
            out[field] = text(value, field, label, max_len=max_len, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return out


def mobile(value, field: str, label: str, *, required: bool = True) -> str:
    value = normalize_mobile((value or "").strip())
    if not value:
        if required:
            raise ValidationError({field: f"请填写{label}"})
        return ""
    try:
        validate_mobile(value)
    except ValidationError as exc:
        raise ValidationError({field: f"{label}：{exc.messages[0]}"}) from exc
    return value


def amount(value, field: str, label: str, *, limit: Decimal = MAX_MONEY, required: bool = True,
           allow_zero: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ValidationError({field: f"请填写{label}"})
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: f"{label}应为数字"}) from exc
    if not d.is_finite() or d < 0 or (d == 0 and not allow_zero):
        raise ValidationError({field: f"{label}应大于 0"})
    if d > limit:
        raise ValidationError({field: f"{label}不能超过 {limit:,.0f}"})
    if d != d.quantize(Decimal("0.01")):
        raise ValidationError({field: f"{label}最多保留两位小数"})
    return d


def need_date(value, field: str, label: str, *, not_future: bool = False, not_before: date | None = None) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: f"请填写{label}"})
    if not_future and value > today():
        raise ValidationError({field: f"{label}不能晚于今天"})
    if value.year < 2000 or value.year > today().year + 5:
        raise ValidationError({field: f"{label}不在合理范围内"})
    if not_before and value < not_before:
        raise ValidationError({field: f"{label}不能早于 {not_before:%Y-%m-%d}"})
    return value


def community_of(region: Region) -> Region:
    if region.kind != RegionKind.COMMUNITY:
        raise ValidationError({"region": "请选择社区"})
    return region


def require(actor, perm: str, region: Region, what: str) -> None:
    if actor is not None and not has_perm_at(actor, perm, region.path):
        raise ValidationError(f"您没有{what}的权限")


# -------------------------------------------------------------------------------- the catalogue

@transaction.atomic
def service_create(*, actor, region: Region, category: str, name: str, description: str = "") -> Service:
    community_of(region)
    require(actor, P.MANAGE, region, f"维护“{region.name}”服务目录")
    clean = texts(("name", "服务名称", name, 60, True), ("description", "服务说明", description, 300, False))
    if Service.objects.filter(region=region, name=clean["name"]).exists():
        raise ValidationError({"name": f"本社区已有服务“{clean['name']}”"})
    s = Service.objects.create(region=region, category=category, **clean)
    record(actor=actor, action="create", obj=s, changes={"category": category, **clean})
    return s


@transaction.atomic
def provider_create(*, actor, region: Region, name: str, kind: str, contact_name: str = "", contact_phone: str = "",
                    unit=None, account=None) -> Provider:
    community_of(region)
    require(actor, P.MANAGE, region, f"登记“{region.name}”服务方")
    clean = texts(("name", "服务方名称", name, 100, True), ("contact_name", "联系人", contact_name, 50, False))
    phone = mobile(contact_phone, "contact_phone", "联系电话", required=False)
    if unit is not None and not unit.serves(region.path):
        raise ValidationError({"unit": f"“{unit}”未与本社区签订共建协议"})
    if Provider.objects.filter(region=region, name=clean["name"]).exists():
        raise ValidationError({"name": f"本社区已登记服务方“{clean['name']}”"})
    p = Provider.objects.create(region=region, kind=kind, unit=unit, account=account, contact_phone=phone, **clean)
    record(actor=actor, action="create", obj=p, changes={"kind": kind, "name": clean["name"],
                                                         "account": account.username if account else ""})
    return p


@transaction.atomic
def offering_set(*, actor, provider: Provider, service: Service, price=None, price_unit: str = "") -> Offering:
    require(actor, P.MANAGE, provider.region, f"维护“{provider.region.name}”服务方")
    if service.region_id != provider.region_id:
        raise ValidationError({"service": "服务与服务方不在同一社区"})
    price = amount(price, "price", "价格", required=False)
    unit = text(price_unit, "price_unit", "计价单位", max_len=20, required=False)
    o, created = Offering.objects.update_or_create(provider=provider, service=service,
                                                   defaults={"price": price, "price_unit": unit})
    record(actor=actor, action="create" if created else "update", obj=o,
           changes={"provider": provider.name, "service": service.name, "price": o.price_label})
    return o


# ----------------------------------------------------------------------------------------- orders

def _new_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
    while True:
        code = "FW" + "".join(secrets.choice(alphabet) for _ in range(10))
        if not Order.objects.filter(code=code).exists():
            return code


@transaction.atomic
def order_create(*, actor, region: Region, service: Service, channel: str, requester_name: str,
                 requester_phone: str, address: str, description: str, wanted_on: date | None = None,
                 resident=None) -> Order:
    """A resident's order: from the portal (actor None), a grid worker for a resident of their grid, or the
    hotline/counter (community staff)."""
    community_of(region)
    if channel not in Channel.values:
        raise ValidationError({"channel": "请选择下单渠道"})
    if service.region_id != region.pk or not service.active:
        raise ValidationError({"service": "该服务不在本社区的服务目录中"})
    grid = None
    if actor is None:
        if channel != Channel.PORTAL:
            raise ValidationError({"channel": "网上下单只能通过居民服务门户"})
    elif channel == Channel.GRID:
        if resident is None:
            raise ValidationError({"resident": "网格员代下单请选择居民"})
        if not has_perm_at(actor, P.ORDER, resident.grid.path):
            raise ValidationError({"resident": "该居民不在您负责的网格"})
        grid = resident.grid
    else:
        require(actor, P.MANAGE, region, f"为“{region.name}”居民登记服务订单")
    if resident is not None:
        if resident.grid.parent_id != region.pk:
            raise ValidationError({"resident": "该居民不在所选社区"})
        grid = resident.grid
    errors = {}
    try:
        clean = texts(("requester_name", "联系人", requester_name, 50, True),
                      ("address", "服务地址", address, 200, True), ("description", "需求说明", description, 500, True))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        phone = mobile(requester_phone, "requester_phone", "联系电话")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if wanted_on is not None:
        if wanted_on < today():
            raise ValidationError({"wanted_on": f"期望日期不能早于今天（{today():%Y-%m-%d}）"})
        if wanted_on > today() + timedelta(days=90):
            raise ValidationError({"wanted_on": "期望日期不能晚于 90 天以后"})
    o = Order.objects.create(code=_new_code(), region=region, grid=grid, service=service, channel=channel,
                             resident=resident, requester_phone=phone, wanted_on=wanted_on, created_by=actor,
                             **clean)
    record(actor=actor, action="create", obj=o, changes={"service": service.name, "channel": channel,
                                                         "region": region.name})
    return o


def _locked(order: Order) -> Order:
    # of=self: the provider is a nullable join, which PostgreSQL does not lock.
    return (Order.objects.select_for_update(of=("self",)).select_related("service", "provider", "region")
            .get(pk=order.pk))


@transaction.atomic
def order_assign(*, actor, order: Order, provider: Provider) -> Order:
    o = _locked(order)
    require(actor, P.MANAGE, o.region, "派单")
    if o.state not in (OrderState.NEW, OrderState.ASSIGNED):
        raise ValidationError(f"订单{o.get_state_display()}，不能再派单")
    offering = Offering.objects.filter(provider=provider, service=o.service, provider__active=True).first()
    if offering is None:
        raise ValidationError({"provider": f"“{provider.name}”没有登记提供“{o.service.name}”"})
    before = o.provider.name if o.provider else ""
    o.provider, o.state, o.assigned_at, o.price_label = provider, OrderState.ASSIGNED, timezone.now(), \
        offering.price_label
    o.save(update_fields=["provider", "state", "assigned_at", "price_label"])
    record(actor=actor, action="update", obj=o, changes={"provider": [before, provider.name],
                                                         "state": "assigned"})
    return o


@transaction.atomic
def order_complete(*, actor, order: Order, note: str) -> Order:
    """The provider (its account) or community staff mark the order done."""
    o = _locked(order)
    if not (o.provider and o.provider.account_id == getattr(actor, "pk", None)):
        require(actor, P.MANAGE, o.region, "办结订单")
    if o.state != OrderState.ASSIGNED:
        raise ValidationError(f"订单{o.get_state_display()}，不能标记完成")
    o.done_note = text(note, "note", "完成情况", max_len=300)
    o.state, o.done_at = OrderState.DONE, timezone.now()
    o.save(update_fields=["done_note", "state", "done_at"])
    record(actor=actor, action="update", obj=o, changes={"state": "done"})
    return o


@transaction.atomic
def order_rate(*, actor, order: Order, rating, note: str = "") -> Order:
    """The resident's rating (through the portal with the order number, or by phone to the staff)."""
    o = _locked(order)
    if actor is not None:
        require(actor, P.MANAGE, o.region, "登记评价")
    if o.state != OrderState.DONE:
        raise ValidationError("服务完成后才能评价" if o.state in (OrderState.NEW, OrderState.ASSIGNED)
                              else f"订单{o.get_state_display()}，不能再评价")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": "评分应为 1 至 5 星"})
    o.rating, o.rating_note = rating, text(note, "note", "评价", max_len=300, required=False)
    o.state, o.rated_at = OrderState.RATED, timezone.now()
    o.save(update_fields=["rating", "rating_note", "state", "rated_at"])
    record(actor=actor, action="update", obj=o, changes={"rating": rating, "state": "rated"})
    return o


@transaction.atomic
def order_cancel(*, actor, order: Order, reason: str) -> Order:
    o = _locked(order)
    require(actor, P.MANAGE, o.region, "取消订单")
    if o.state not in (OrderState.NEW, OrderState.ASSIGNED):
        raise ValidationError(f"订单{o.get_state_display()}，不能取消")
    o.cancel_reason = text(reason, "reason", "取消原因", max_len=200)
    o.state = OrderState.CANCELLED
    o.save(update_fields=["cancel_reason", "state"])
    record(actor=actor, action="update", obj=o, changes={"state": "cancelled", "reason": o.cancel_reason})
    return o


# ---------------------------------------------------------------------------------------- errands

@transaction.atomic
def errand_create(*, actor, region: Region, resident_name: str, subject: str, agency: str = "", taker_name: str,
                  steps: list[str], promised_on: date | None = None, resident=None, taker=None) -> Errand:
    community_of(region)
    require(actor, P.MANAGE, region, f"登记“{region.name}”全程代办")
    clean = texts(("resident_name", "委托居民", resident_name, 50, True), ("subject", "代办事项", subject, 100, True),
                  ("agency", "办理部门", agency, 100, False), ("taker_name", "代办人", taker_name, 50, True))
    if resident is not None and resident.grid.parent_id != region.pk:
        raise ValidationError({"resident": "该居民不在所选社区"})
    titles = [text(s, "steps", "办理步骤", max_len=100) for s in steps if (s or "").strip()]
    if not titles:
        raise ValidationError({"steps": "请至少填写一个办理步骤"})
    if len(titles) > 20:
        raise ValidationError({"steps": "办理步骤不能超过 20 个"})
    if promised_on is not None:
        need_date(promised_on, "promised_on", "承诺办结日期", not_before=today())
    e = Errand.objects.create(region=region, resident=resident, accepted_on=today(), promised_on=promised_on,
                              taker=taker or actor, created_by=actor, **clean)
    ErrandStep.objects.bulk_create([ErrandStep(errand=e, position=i, title=t) for i, t in enumerate(titles, 1)])
    record(actor=actor, action="create", obj=e, changes={**clean, "steps": titles})
    return e


@transaction.atomic
def errand_step_done(*, actor, step: ErrandStep, note: str = "") -> ErrandStep:
    e = Errand.objects.select_for_update().get(pk=step.errand_id)
    require(actor, P.MANAGE, e.region, "办理全程代办")
    if e.state != ErrandState.OPEN:
        raise ValidationError(f"代办{e.get_state_display()}，不能再办理步骤")
    step = ErrandStep.objects.get(pk=step.pk)
    if step.done_at:
        raise ValidationError("该步骤已完成")
    step.note = text(note, "note", "办理情况", max_len=200, required=False)
    step.done_at = timezone.now()
    step.save(update_fields=["note", "done_at"])
    if not e.steps.filter(done_at__isnull=True).exists():
        e.state = ErrandState.WAITING
        e.save(update_fields=["state"])
    record(actor=actor, action="update", obj=e, changes={"step": step.title, "done": True})
    return step


@transaction.atomic
def errand_confirm(*, actor, errand: Errand, confirmed_by: str, opinion: str) -> Errand:
    """The resident confirms the errand is done (signed on the staff's phone or by a call back)."""
    e = Errand.objects.select_for_update().select_related("region").get(pk=errand.pk)
    require(actor, P.MANAGE, e.region, "登记居民确认")
    if e.state != ErrandState.WAITING:
        raise ValidationError("所有办理步骤完成后才能请居民确认" if e.state == ErrandState.OPEN
                              else f"代办{e.get_state_display()}")
    who = text(confirmed_by, "confirmed_by", "确认人", max_len=50)
    if who != e.resident_name:
        raise ValidationError({"confirmed_by": f"确认人应为委托居民“{e.resident_name}”本人"})
    e.confirmation = text(opinion, "opinion", "确认意见", max_len=200)
    e.state, e.confirmed_at = ErrandState.CONFIRMED, timezone.now()
    e.save(update_fields=["confirmation", "state", "confirmed_at"])
    record(actor=actor, action="update", obj=e, changes={"state": "confirmed", "confirmation": e.confirmation})
    return e


# ------------------------------------------------------------------------------------------- jobs

def skill_words(value: str) -> set[str]:
    for sep in "，,、;；/":
        value = value.replace(sep, " ")
    return {w for w in value.split() if w}


@transaction.atomic
def job_post(*, actor, unit, title: str, openings, wage: str = "", requirements: str = "", skills: str = "",
             region: Region | None = None) -> JobPost:
    """A job offered by a resident unit in one community it serves (`region`; the unit's only
    community when it serves one)."""
    if region is None:
        served = [c for c in unit.communities() if c.kind == "community"]
        if len(served) == 1:
            region = served[0]
        elif unit.region.kind == "community":
            region = unit.region
        else:
            raise ValidationError({"region": f"“{unit}”服务 {len(served)} 个社区，请选择岗位所在社区"})
    elif not unit.serves(region.path):
        raise ValidationError({"region": f"“{unit}”未与“{region}”签订共建协议"})
    require(actor, P.MANAGE, region, f"登记“{region.name}”就业岗位")
    clean = texts(("title", "岗位名称", title, 60, True), ("wage", "薪酬待遇", wage, 60, False),
                  ("requirements", "岗位要求", requirements, 300, False), ("skills", "技能关键词", skills, 100, False))
    try:
        openings = int(openings)
    except (TypeError, ValueError):
        openings = 0
    if not 1 <= openings <= 500:
        raise ValidationError({"openings": "招聘人数应在 1 至 500 之间"})
    j = JobPost.objects.create(region=region, unit=unit, openings=openings, posted_on=today(), **clean)
    record(actor=actor, action="create", obj=j, changes={"unit": unit.name, "openings": openings, **clean})
    return j


@transaction.atomic
def seeker_register(*, actor, resident, consent: bool, skills: str = "", wanted: str = "") -> JobSeeker:
    """A resident of the grid registry who agreed (consent) to be recommended to employers."""
    region = resident.grid.parent
    require(actor, P.MANAGE, region, f"登记“{region.name}”求职者")
    if not consent:
        raise ValidationError({"consent": "须经居民本人同意后才能登记求职并向用工单位推荐"})
    if resident.status != "active":
        raise ValidationError({"resident": "该居民已迁出或去世"})
    if JobSeeker.objects.filter(resident=resident).exists():
        raise ValidationError({"resident": f"“{resident.name}”已登记求职"})
    clean = texts(("skills", "技能特长", skills, 100, False), ("wanted", "求职意向", wanted, 100, False))
    s = JobSeeker.objects.create(region=region, resident=resident, consent_on=today(), registered_on=today(), **clean)
    record(actor=actor, action="create", obj=s, changes={"resident": resident.name, "consent": True, **clean})
    return s


def suggestions(job: JobPost, limit: int = 10) -> list[tuple[JobSeeker, int]]:
    """Seekers of the job's community still seeking and not yet proposed for it, those sharing most skill
    words with the job first."""
    wanted = skill_words(f"{job.skills} {job.title}")
    taken = set(job.placements.values_list("seeker_id", flat=True))
    rows = []
    for s in JobSeeker.objects.filter(region=job.region, state=SeekerState.SEEKING).select_related("resident"):
        if s.pk in taken:
            continue
        have = skill_words(f"{s.skills} {s.wanted}")
        score = len(wanted & have) + sum(1 for w in wanted for h in have if w != h and (w in h or h in w))
        rows.append((s, score))
    rows.sort(key=lambda r: (-r[1], r[0].registered_on, r[0].pk))
    return rows[:limit]


@transaction.atomic
def placement_propose(*, actor, job: JobPost, seeker: JobSeeker) -> Placement:
    job = JobPost.objects.select_for_update().select_related("region").get(pk=job.pk)
    require(actor, P.MANAGE, job.region, "推荐求职者")
    if job.state != JobState.OPEN:
        raise ValidationError(f"岗位{job.get_state_display()}，不能再推荐")
    if seeker.region_id != job.region_id:
        raise ValidationError({"seeker": "求职者不在本社区"})
    if seeker.state != SeekerState.SEEKING:
        raise ValidationError({"seeker": f"“{seeker.resident.name}”{seeker.get_state_display()}"})
    if Placement.objects.filter(job=job, seeker=seeker).exists():
        raise ValidationError({"seeker": f"已向该岗位推荐过“{seeker.resident.name}”"})
    p = Placement.objects.create(job=job, seeker=seeker, broker=actor, proposed_on=today())
    record(actor=actor, action="create", obj=p, changes={"job": str(job), "seeker": seeker.resident.name})
    return p


@transaction.atomic
def placement_decide(*, actor, placement: Placement, placed: bool, on: date | None = None) -> Placement:
    p = Placement.objects.select_for_update().select_related("job", "seeker", "seeker__resident").get(pk=placement.pk)
    job = JobPost.objects.select_for_update().select_related("region").get(pk=p.job_id)
    require(actor, P.MANAGE, job.region, "登记上岗")
    if p.state != Placement.State.PROPOSED:
        raise ValidationError(f"该推荐已{p.get_state_display()}")
    if placed:
        on = need_date(on or today(), "placed_on", "上岗日期", not_future=True, not_before=p.proposed_on)
        if job.state != JobState.OPEN:
            raise ValidationError(f"岗位{job.get_state_display()}")
        p.state, p.placed_on = Placement.State.PLACED, on
        JobSeeker.objects.filter(pk=p.seeker_id).update(state=SeekerState.PLACED)
        filled = job.placements.filter(state=Placement.State.PLACED).count() + 1
        if filled >= job.openings:
            job.state = JobState.FILLED
            job.save(update_fields=["state"])
    else:
        p.state = Placement.State.DECLINED
    p.save(update_fields=["state", "placed_on"])
    record(actor=actor, action="update", obj=p, changes={"state": p.state, "job_state": job.state})
    return p


@transaction.atomic
def training_record(*, actor, region: Region, title: str, held_on: date, hours, organizer: str = "",
                    seekers=()) -> Training:
    community_of(region)
    require(actor, P.MANAGE, region, f"登记“{region.name}”技能培训")
    clean = texts(("title", "培训内容", title, 100, True), ("organizer", "承办单位", organizer, 100, False))
    need_date(held_on, "held_on", "培训日期", not_future=True)
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= 200:
        raise ValidationError({"hours": "学时应在 1 至 200 之间"})
    seekers = list(seekers)
    if any(s.region_id != region.pk for s in seekers):
        raise ValidationError({"seekers": "参训人员不在本社区"})
    t = Training.objects.create(region=region, held_on=held_on, hours=hours, **clean)
    t.seekers.set(seekers)
    record(actor=actor, action="create", obj=t, changes={**clean, "hours": hours, "seekers": len(seekers)})
    return t


# ---------------------------------------------------------------------------------- charity shop

def money_balance(region: Region, until: date | None = None) -> Decimal:
    qs = CharityEntry.objects.filter(region=region, kind=CharityEntry.Kind.MONEY)
    if until:
        qs = qs.filter(date__lte=until)
    got = qs.filter(direction=CharityEntry.Direction.IN).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    spent = qs.filter(direction=CharityEntry.Direction.OUT).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return got - spent


@transaction.atomic
def charity_item_create(*, actor, region: Region, name: str, unit: str) -> CharityItem:
    community_of(region)
    require(actor, P.MANAGE, region, f"维护“{region.name}”爱心超市")
    clean = texts(("name", "物品名称", name, 50, True), ("unit", "计量单位", unit, 10, True))
    if CharityItem.objects.filter(region=region, name=clean["name"]).exists():
        raise ValidationError({"name": f"已有物品“{clean['name']}”"})
    item = CharityItem.objects.create(region=region, **clean)
    record(actor=actor, action="create", obj=item, changes=clean)
    return item


def _entry_common(actor, region, on, party_name, reason):
    community_of(region)
    require(actor, P.MANAGE, region, f"登记“{region.name}”爱心超市台账")
    on = need_date(on, "date", "日期", not_future=True)
    return on, texts(("party_name", "捐赠方/领取人", party_name, 100, True),
                     ("reason", "依据/说明", reason, 200, False))


@transaction.atomic
def donation_record(*, actor, region: Region, on: date, party_kind: str, party_name: str, kind: str,
                    item: CharityItem | None = None, quantity=None, money=None, reason: str = "") -> CharityEntry:
    """Goods or money given to the charity shop by a unit, a member or a resident."""
    on, clean = _entry_common(actor, region, on, party_name, reason)
    if party_kind not in (CharityEntry.Party.UNIT, CharityEntry.Party.MEMBER, CharityEntry.Party.RESIDENT,
                          CharityEntry.Party.OTHER):
        raise ValidationError({"party_kind": "请选择捐赠方类别"})
    fields = {"item": None, "quantity": None, "amount": None}
    if kind == CharityEntry.Kind.GOODS:
        if item is None or item.region_id != region.pk:
            raise ValidationError({"item": "请选择本社区爱心超市的物品"})
        quantity = amount(quantity, "quantity", "数量", limit=MAX_QUANTITY)
        locked = CharityItem.objects.select_for_update().get(pk=item.pk)
        locked.stock += quantity
        locked.save(update_fields=["stock"])
        fields.update(item=locked, quantity=quantity)
    elif kind == CharityEntry.Kind.MONEY:
        fields["amount"] = amount(money, "money", "金额")
    else:
        raise ValidationError({"kind": "请选择捐赠物品或资金"})
    e = CharityEntry.objects.create(region=region, date=on, direction=CharityEntry.Direction.IN, kind=kind,
                                    party_kind=party_kind, created_by=actor, **fields, **clean)
    record(actor=actor, action="create", obj=e, changes={"direction": "in", "kind": kind, "party": clean["party_name"],
                                                         "item": item.name if item else "",
                                                         "quantity": str(fields["quantity"] or ""),
                                                         "amount": str(fields["amount"] or "")})
    return e


@transaction.atomic
def handout_record(*, actor, region: Region, on: date, party_name: str, kind: str, item: CharityItem | None = None,
                   quantity=None, money=None, household=None, points: int = 0, reason: str = "") -> CharityEntry:
    """Goods or money handed out to a household (by points or a criterion); never more than the stock
    or the money balance."""
    on, clean = _entry_common(actor, region, on, party_name, reason)
    if not clean["reason"] and not points:
        raise ValidationError({"reason": "请填写发放依据（兑换积分或救助条件）"})
    try:
        points = int(points or 0)
    except (TypeError, ValueError):
        points = -1
    if not 0 <= points <= 100000:
        raise ValidationError({"points": "兑换积分应在 0 至 100000 之间"})
    if household is not None and household.grid.parent_id != region.pk:
        raise ValidationError({"household": "该住户不在本社区"})
    fields = {"item": None, "quantity": None, "amount": None}
    if kind == CharityEntry.Kind.GOODS:
        if item is None or item.region_id != region.pk:
            raise ValidationError({"item": "请选择本社区爱心超市的物品"})
        quantity = amount(quantity, "quantity", "数量", limit=MAX_QUANTITY)
        locked = CharityItem.objects.select_for_update().get(pk=item.pk)
        if quantity > locked.stock:
            raise ValidationError({"quantity": f"发放数量 {qty(quantity)}{locked.unit} 超过“{locked.name}”的库存 "
                                               f"{qty(locked.stock)}{locked.unit}"})
        locked.stock -= quantity
        locked.save(update_fields=["stock"])
        fields.update(item=locked, quantity=quantity)
    elif kind == CharityEntry.Kind.MONEY:
        money = amount(money, "money", "金额")
        Region.objects.select_for_update().filter(pk=region.pk).first()  # one hand-out of money at a time
        balance = money_balance(region)
        if money > balance:
            raise ValidationError({"money": f"发放金额 {money:,.2f} 元超过资金结余 {balance:,.2f} 元"})
        fields["amount"] = money
    else:
        raise ValidationError({"kind": "请选择发放物品或资金"})
    e = CharityEntry.objects.create(region=region, date=on, direction=CharityEntry.Direction.OUT, kind=kind,
                                    party_kind=CharityEntry.Party.HOUSEHOLD, household=household, points=points,
                                    created_by=actor, **fields, **clean)
    record(actor=actor, action="create", obj=e, changes={"direction": "out", "kind": kind,
                                                         "party": clean["party_name"],
                                                         "item": item.name if item else "",
                                                         "quantity": str(fields["quantity"] or ""),
                                                         "amount": str(fields["amount"] or ""), "points": points})
    return e


# ----------------------------------------------------------------------------------------- venues

@transaction.atomic
def venue_create(*, actor, region: Region, name: str, capacity, equipment: str = "", free: bool = True) -> Venue:
    community_of(region)
    require(actor, P.MANAGE, region, f"维护“{region.name}”活动场所")
    clean = texts(("name", "场所名称", name, 60, True), ("equipment", "设施", equipment, 200, False))
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        capacity = 0
    if not 1 <= capacity <= 5000:
        raise ValidationError({"capacity": "容纳人数应在 1 至 5000 之间"})
    if Venue.objects.filter(region=region, name=clean["name"]).exists():
        raise ValidationError({"name": f"已有场所“{clean['name']}”"})
    v = Venue.objects.create(region=region, capacity=capacity, free=free, **clean)
    record(actor=actor, action="create", obj=v, changes={**clean, "capacity": capacity})
    return v


def _period(start, end) -> tuple[datetime, datetime]:
    if not isinstance(start, datetime):
        raise ValidationError({"start": "请填写开始时间"})
    if not isinstance(end, datetime):
        raise ValidationError({"end": "请填写结束时间"})
    if end <= start:
        raise ValidationError({"end": "结束时间应晚于开始时间"})
    return start, end


def _hm(dt) -> str:
    return f"{timezone.localtime(dt):%m-%d %H:%M}"


@transaction.atomic
def booking_create(*, actor, venue: Venue, start: datetime, end: datetime, borrower: str, purpose: str,
                   attendees=0, unit=None) -> Booking:
    """A booking of a venue; one that overlaps another booking of the same venue is refused."""
    venue = Venue.objects.select_for_update().select_related("region").get(pk=venue.pk)
    require(actor, P.MANAGE, venue.region, f"预约“{venue.name}”")
    start, end = _period(start, end)
    if end - start > timedelta(days=3):
        raise ValidationError({"end": "一次预约不能超过 3 天"})
    if start < timezone.now() - timedelta(hours=1):
        raise ValidationError({"start": "开始时间已过，不能预约过去的时段"})
    if start > timezone.now() + timedelta(days=365):
        raise ValidationError({"start": "只能预约一年以内的时段"})
    if not venue.active:
        raise ValidationError({"venue": f"“{venue.name}”暂停开放"})
    clean = texts(("borrower", "使用单位/团体", borrower, 100, True), ("purpose", "用途", purpose, 100, True))
    try:
        attendees = int(attendees or 0)
    except (TypeError, ValueError):
        attendees = -1
    if not 0 <= attendees <= venue.capacity:
        raise ValidationError({"attendees": f"人数应在 0 至 {venue.capacity}（场所容纳人数）之间"})
    if unit is not None and not unit.serves(venue.region.path):
        raise ValidationError({"unit": f"“{unit}”未与本社区签订共建协议"})
    clash = Booking.objects.filter(venue=venue, cancelled=False, start__lt=end, end__gt=start).first()
    if clash:
        raise ValidationError({"start": f"与已有预约冲突：{clash.borrower} {_hm(clash.start)}—{_hm(clash.end)}"
                                        f"（{clash.purpose}），同一场所同一时段不能重复预约"})
    b = Booking.objects.create(venue=venue, start=start, end=end, attendees=attendees, unit=unit, created_by=actor,
                               **clean)
    record(actor=actor, action="create", obj=b, changes={"venue": venue.name, "start": _hm(start), "end": _hm(end),
                                                         **clean})
    return b


@transaction.atomic
def booking_cancel(*, actor, booking: Booking) -> Booking:
    b = Booking.objects.select_for_update().select_related("venue__region").get(pk=booking.pk)
    require(actor, P.MANAGE, b.venue.region, "取消预约")
    if b.cancelled:
        raise ValidationError("该预约已取消")
    b.cancelled = True
    b.save(update_fields=["cancelled"])
    record(actor=actor, action="update", obj=b, changes={"cancelled": True})
    return b


# ------------------------------------------------------------------------------------ duty roster

@transaction.atomic
def shift_create(*, actor, region: Region, post: str, start: datetime, end: datetime, person_name: str,
                 phone: str = "") -> DutyShift:
    community_of(region)
    require(actor, P.MANAGE, region, f"安排“{region.name}”值班")
    start, end = _period(start, end)
    if end - start > timedelta(hours=24):
        raise ValidationError({"end": "一个班次不能超过 24 小时"})
    name = text(person_name, "person_name", "值班人", max_len=50)
    phone = text(phone, "phone", "值班电话", max_len=20, required=False)
    if phone and not all(c.isdigit() or c == "-" for c in phone):
        raise ValidationError({"phone": "值班电话只能包含数字和“-”"})
    clash = DutyShift.objects.filter(region=region, person_name=name, start__lt=end, end__gt=start).first()
    if clash:
        raise ValidationError({"start": f"{name}在 {_hm(clash.start)}—{_hm(clash.end)} 已有班次，同一人班次不能重叠"})
    s = DutyShift.objects.create(region=region, post=post, start=start, end=end, person_name=name, phone=phone)
    record(actor=actor, action="create", obj=s, changes={"post": post, "person": name, "start": _hm(start),
                                                         "end": _hm(end)})
    return s


@transaction.atomic
def shift_hand_over(*, actor, shift: DutyShift, note: str) -> DutyShift:
    s = DutyShift.objects.select_for_update().select_related("region").get(pk=shift.pk)
    require(actor, P.MANAGE, s.region, "填写交接班记录")
    if s.start > timezone.now():
        raise ValidationError("班次尚未开始，不能交班")
    if s.handed_over_at:
        raise ValidationError("该班次已交班")
    s.handover_note = text(note, "note", "交接班记录", max_len=500)
    s.handed_over_at = timezone.now()
    s.save(update_fields=["handover_note", "handed_over_at"])
    record(actor=actor, action="update", obj=s, changes={"handover": s.handover_note})
    return s


def coverage_gaps(region: Region, post: str, day_start: datetime,
                  hours: int = 24) -> list[tuple[datetime, datetime]]:
    """Stretches of [day_start, +hours) that no shift of the post covers (the 24-hour roster's holes)."""
    end = day_start + timedelta(hours=hours)
    shifts = DutyShift.objects.filter(region=region, post=post, start__lt=end, end__gt=day_start).order_by("start")
    gaps, cursor = [], day_start
    for s in shifts:
        if s.start > cursor:
            gaps.append((cursor, s.start))
        cursor = max(cursor, s.end)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


