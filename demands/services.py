"""Every write to demands: one transaction each, audited, with a timeline row per transition.

Concurrency: a transition locks the row (select_for_update) and, when the caller passes the
version it saw, refuses if someone else moved the demand in between; so two handlers acting on
the same demand at once cannot both win.
"""

from __future__ import annotations

import hmac
import html
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scope import has_perm, has_perm_at
from audit.models import AuditAction
from audit.services import record
from core import treepaths as paths
from core.images import check_image, stored_photo
from core.phone import normalize_mobile, validate_mobile
from core.pii_text import mask_pii
from notifications.services import notifications_close_for, notify
from regions.models import Region, RegionKind

from . import routing, workcalendar
from .models import (
    OPEN_STATES,
    Category,
    Channel,
    DayKind,
    Demand,
    DemandEvent,
    DemandPhoto,
    Escalation,
    HandlingUnit,
    Satisfaction,
    State,
    WorkCalendarDay,
    normalize_secret_code,
)
from .rules import TRANSITIONS, DemandPerm, add_minutes, escalation_days

MAX_DESCRIPTION = 5000
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
SYSTEM = "系统"


# ---------------------------------------------------------------- validation helpers

def _clean_text(value: str, field: str, label: str, *, max_len: int, required: bool = True,
                mask: bool = True) -> str:
    """Stripped and checked free text; ID and mobile numbers typed into it masked (``mask``): what is
    stored is what may be shown (the portal, Open311, the timeline)."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_len:
        raise ValidationError({field: f"{label}过长：最多 {max_len} 字，现有 {len(value)} 字"})
    return mask_pii(value) if mask else value


def _check_secret(d: Demand, secret: str | None, actor) -> None:
    """The portal acts as the resident only with the demand's secret 查询码 (not its public id)."""
    if actor is not None:
        return
    given = normalize_secret_code(secret or "")
    if not given or not d.secret_code or not hmac.compare_digest(given, d.secret_code):
        raise ValidationError({"secret": "查询码不正确：请输入提交诉求时得到的查询码"})


def _check_photos(photos: Iterable[UploadedFile]) -> list[UploadedFile]:
    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": f"照片最多 {MAX_PHOTOS} 张"})
    for photo in photos:
        check_image(photo, field="photos", label=f"照片“{photo.name}”", formats=("JPEG", "PNG", "GIF", "WEBP"),
                    max_bytes=MAX_PHOTO_BYTES)
    return photos


def _check_location(category: Category, lat, lng, address: str) -> tuple[float | None, float | None]:
    if (lat is None) != (lng is None):
        raise ValidationError({"lat": "位置需要同时提供纬度和经度"})
    if lat is not None:
        try:
            lat, lng = float(lat), float(lng)
        except (TypeError, ValueError):
            raise ValidationError({"lat": "位置格式不正确：纬度、经度应为数字"}) from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValidationError({"lat": "位置超出范围：纬度应在 -90～90，经度应在 -180～180"})
    if category.needs_location and lat is None and not address:
        raise ValidationError({"lat": f"“{category.name}”类诉求必须提供位置（地图定位或详细地址）"})
    return lat, lng


def _save_photos(demand: Demand, event: DemandEvent, photos: list[UploadedFile]) -> None:
    for photo in photos:
        DemandPhoto.objects.create(demand=demand, event=event, image=stored_photo(photo))  # no EXIF/GPS kept


def _event(demand: Demand, action: str, *, actor=None, actor_label: str = "", note: str = "",
           from_state: str = "", to_state: str = "", public: bool = True, at=None) -> DemandEvent:
    label = actor_label or (actor.display_name if actor is not None and actor.is_authenticated else SYSTEM)
    return DemandEvent.objects.create(
        demand=demand, action=action, actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=label[:60], note=mask_pii(note), from_state=from_state, to_state=to_state, public=public,
        created_at=at or timezone.now(),
    )


def deadline_text(d: Demand) -> str:
    """The deadlines a person must act by, in local time."""
    local = timezone.localtime
    return f"响应时限 {local(d.response_due):%m-%d %H:%M}，办结时限 {local(d.handling_due):%m-%d %H:%M}"


def _link(demand: Demand) -> str:
    return reverse("demands:detail", args=[demand.pk])


def _require(actor, perm: str, demand_or_path) -> None:
    path = demand_or_path if isinstance(demand_or_path, str) else demand_or_path.region.path
    if actor is None or not has_perm_at(actor, perm, path):
        raise ValidationError("您没有在该诉求所属范围内办理诉求的权限")


def users_with_role_at(region: Region, roles: Iterable[str]):
    from accounts.models import User

    return User.objects.filter(
        is_active=True, role_assignments__region=region, role_assignments__role__in=list(roles)
    ).distinct()


def grid_worker_of(grid: Region):
    return users_with_role_at(grid, [Role.GRID_WORKER]).order_by("id").first()


def ancestor_of_kind(region: Region, kind: str) -> Region | None:
    if region.kind == kind:
        return region
    return Region.objects.filter(id__in=paths.ancestor_ids(region.path), kind=kind).first()


# ---------------------------------------------------------------- intake

def resolve_category(value) -> Category:
    if isinstance(value, Category):
        cat = value
    else:
        cat = Category.objects.filter(code=str(value or "").strip()).first() if value else None
        if cat is None and str(value or "").isdigit():
            cat = Category.objects.filter(pk=int(value)).first()
    if cat is None or not cat.active:
        raise ValidationError({"category": f"诉求类别“{html.escape(str(value or ''))}”不存在或已停用"})
    return cat


@transaction.atomic
def demand_create(
    *, actor, channel: str, category, region: Region, title: str, description: str, address: str = "",
    lat=None, lng=None, caller_name: str = "", caller_phone: str = "", anonymous: bool = False,
    household_id: int | None = None, photos: Iterable[UploadedFile] = (), submitted_at=None,
) -> Demand:
    """Take in a demand from any channel. Staff channels need `demands.handle` at the node;
    the portal and Open311 pass actor=None (the key or the rate limit is their check); the zone and
    patrol channels are checked by the app that calls (vanguard: the member's zone; stability: the shift)."""
    if channel not in Channel.values:
        raise ValidationError({"channel": "渠道不正确"})
    if channel not in (Channel.PORTAL, Channel.OPEN311, Channel.ZONE, Channel.PATROL):
        _require(actor, DemandPerm.HANDLE, region.path)
    if region.kind not in (RegionKind.DISTRICT, RegionKind.STREET, RegionKind.COMMUNITY, RegionKind.GRID):
        raise ValidationError({"region": "诉求只能归属到区、街道、社区或网格"})
    category = resolve_category(category)
    title = _clean_text(title, "title", "标题", max_len=100)
    typed = _clean_text(description, "description", "诉求内容", max_len=MAX_DESCRIPTION, mask=False)
    description = mask_pii(typed)
    address = _clean_text(address, "address", "地址", max_len=200, required=False)
    lat, lng = _check_location(category, lat, lng, address)
    caller_name = _clean_text(caller_name, "caller_name", "诉求人姓名", max_len=50, required=False, mask=False)
    caller_phone = (caller_phone or "").strip()
    if caller_phone:
        try:
            validate_mobile(caller_phone)
        except ValidationError as exc:
            raise ValidationError({"caller_phone": exc.messages[0]}) from None
        caller_phone = normalize_mobile(caller_phone)
    if anonymous:
        caller_name, caller_phone = "", ""
    photos = _check_photos(photos)
    region = routing.intake_region(region, lat=lat, lng=lng, address=address)
    now = timezone.now()
    at = submitted_at or now
    if at > now + timezone.timedelta(minutes=5):
        raise ValidationError({"submitted_at": "提交时间不能晚于现在"})
    demand = Demand.objects.create(
        channel=channel, category=category, region=region, title=title, description=description,
        description_full=typed if typed != description else "",
        address=address, lat=lat, lng=lng, caller_name=caller_name, caller_phone=caller_phone,
        anonymous=anonymous, household_id=household_id, submitted_at=at,
        response_due=add_minutes(at, category.response_minutes, working_hours_only=category.working_hours_only),
        handling_due=add_minutes(at, category.handling_minutes, working_hours_only=category.working_hours_only),
    )
    label = "" if actor is not None else ("诉求人" if channel == Channel.PORTAL else "Open311 客户端")
    ev = _event(demand, "submit", actor=actor, actor_label=label, to_state=State.SUBMITTED,
                note=f"渠道：{Channel(channel).label}", at=at)
    _save_photos(demand, ev, photos)
    record(actor=actor, action=AuditAction.CREATE, obj=demand,
           changes={"channel": [None, channel], "category": [None, category.code], "region": [None, str(region)]})
    notify(recipients=routing.intake_recipients(region, actor=actor), title=f"新诉求：{title}",
           body=f"{category.name} · {region} · {deadline_text(demand)}", link=_link(demand), source=demand)
    return demand


# ---------------------------------------------------------------- transitions

def _lock(demand: Demand | int, expected_version: int | None) -> Demand:
    pk = demand.pk if isinstance(demand, Demand) else demand
    d = Demand.objects.select_for_update().select_related("region", "category").get(pk=pk)
    if expected_version is not None and int(expected_version) != d.version:
        raise ValidationError("该诉求已被他人更新（版本已变化），请刷新页面后再操作，本次操作未生效")
    return d


def _bump(d: Demand, fields: list[str]) -> None:
    d.version += 1
    d.save(update_fields=[*fields, "version", "updated_at"])


@dataclass
class _Step:
    """What one action changed on the demand (beyond its state) and whom it tells."""

    fields: list[str]
    note: str
    notify_users: list = dataclass_field(default_factory=list)
    notify_title: str = ""


def _step_dispatch(d: Demand, *, actor, note: str, now, target_region, target_unit) -> _Step:
    if (target_region is None) == (target_unit is None):
        raise ValidationError({"target": "请选择一个派单对象：网格、社区、街道，或部门、驻区单位"})
    if target_region is not None:
        if target_region.kind not in (RegionKind.GRID, RegionKind.COMMUNITY, RegionKind.STREET):
            raise ValidationError({"target": "只能派单到网格、社区或街道"})
        if not has_perm_at(actor, DemandPerm.HANDLE, target_region.path):
            raise ValidationError({"target": f"“{target_region}”不在您的管辖范围内"})
        d.dispatch_from = d.region if d.region_id != target_region.pk else d.dispatch_from
        d.region = target_region
        d.assignee_unit = None
        d.assignee_user = grid_worker_of(target_region) if target_region.kind == RegionKind.GRID else None
        if d.assignee_user:
            notify_users = [d.assignee_user]
        else:
            notify_users = list(users_with_role_at(
                target_region, [Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF, Role.STREET_STAFF]))
        where = f"{target_region}" + (f"（{d.assignee_user.display_name}）" if d.assignee_user else "")
    else:
        if not target_unit.active or not has_perm_at(actor, DemandPerm.VIEW, target_unit.region.path):
            raise ValidationError({"target": f"承办单位“{target_unit}”不可用或不在您的管辖范围内"})
        d.assignee_unit = target_unit
        d.assignee_user = target_unit.contact
        notify_users = [target_unit.contact] if target_unit.contact else []
        where = str(target_unit)
    return _Step(["region", "assignee_unit", "assignee_user", "dispatch_from"],
                 f"派至 {where}" + (f"：{note}" if note else ""), notify_users, f"新派单：{d.title}")


def _step_return(d: Demand, *, note: str, **_) -> _Step:
    back = d.dispatch_from or d.region
    d.region, d.dispatch_from, d.assignee_user, d.assignee_unit = back, None, None, None
    notify_users = list(users_with_role_at(back, [Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF,
                                                  Role.STREET_STAFF, Role.DISTRICT_ADMIN]))
    return _Step(["region", "dispatch_from", "assignee_user", "assignee_unit"], note, notify_users,
                 f"退单：{d.title}")


def _step_arrive(d: Demand, *, note: str, now, **_) -> _Step:
    if d.responded_at is not None:
        return _Step([], note)
    d.responded_at = now
    return _Step(["responded_at"], note)


def _step_handle(d: Demand, *, note: str, now, **_) -> _Step:
    step = _step_arrive(d, note=note, now=now)
    d.handled_at = now
    d.overdue = d.overdue or now > d.handling_due
    return _Step([*step.fields, "handled_at", "overdue"], note)


def _step_close(d: Demand, *, note: str, now, **_) -> _Step:
    d.closed_at = now
    return _Step(["closed_at"], note)


def _step_reopen(d: Demand, *, note: str, now, **_) -> _Step:
    d.reopen_count += 1
    d.handled_at = d.closed_at = None
    d.satisfaction = ""
    d.handling_due = add_minutes(now, d.category.handling_minutes, working_hours_only=d.category.working_hours_only)
    d.overdue = False
    return _Step(["reopen_count", "handled_at", "closed_at", "satisfaction", "handling_due", "overdue"], note)


def _step_escalate(d: Demand, *, note: str, now, **_) -> _Step:
    if d.escalation >= Escalation.QUARTERLY:
        raise ValidationError({"action": "已在季化解清单中，不能再升级"})
    d.escalation += 1
    d.escalated_at = now
    return _Step(["escalation", "escalated_at"], note, escalation_targets(d),
                 f"诉求升级至{d.get_escalation_display()}：{d.title}")


def _step_state_only(d: Demand, *, note: str, **_) -> _Step:
    return _Step([], note)


# One function per action of rules.TRANSITIONS (accept, follow_up and note change the state alone).
_STEPS = {
    "accept": _step_state_only, "dispatch": _step_dispatch, "return": _step_return, "arrive": _step_arrive,
    "handle": _step_handle, "follow_up": _step_state_only, "close": _step_close, "reopen": _step_reopen,
    "escalate": _step_escalate, "note": _step_state_only,
}


@transaction.atomic
def demand_transition(
    *, actor, demand: Demand | int, action: str, expected_version: int | None = None, note: str = "",
    photos: Iterable[UploadedFile] = (), target_region: Region | None = None,
    target_unit: HandlingUnit | None = None,
) -> Demand:
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise ValidationError({"action": f"未知的操作“{html.escape(str(action))}”"})
    d = _lock(demand, expected_version)
    _require(actor, DemandPerm.HANDLE, d)
    if d.state not in spec.sources:
        raise ValidationError({"action": f"当前状态“{d.get_state_display()}”下不能执行“{spec.label}”"})
    note = _clean_text(note, "note", "说明", max_len=2000, required=spec.note_required)
    photos = _check_photos(photos)
    before = d.state
    step = _STEPS[action](d, actor=actor, note=note, now=timezone.now(), target_region=target_region,
                          target_unit=target_unit)
    if spec.target:
        d.state = spec.target
    _bump(d, ["state", *step.fields])
    ev = _event(d, action, actor=actor, note=step.note, from_state=before, to_state=d.state)
    _save_photos(d, ev, photos)
    record(actor=actor, action=AuditAction.TRANSITION, obj=d,
           changes={"state": [before, d.state], "action": [None, action]})
    if d.state in (State.HANDLED, State.CLOSED):
        notifications_close_for(d)
    if step.notify_users:
        notify(recipients=step.notify_users, title=step.notify_title, body=step.note or d.description[:200],
               link=_link(d), source=d)
    return d


@transaction.atomic
def demand_merge(*, actor, demand: Demand | int, into: Demand, expected_version: int | None = None) -> Demand:
    """Close a duplicate into the demand it repeats (both stay; the duplicate points at it)."""
    d = _lock(demand, expected_version)
    _require(actor, DemandPerm.HANDLE, d)
    into = Demand.objects.select_related("region").get(pk=into.pk)
    _require(actor, DemandPerm.HANDLE, into)
    if into.pk == d.pk or into.duplicate_of_id == d.pk:
        raise ValidationError({"into": "不能把诉求合并到它自己"})
    if d.state not in (State.SUBMITTED, State.ACCEPTED):
        raise ValidationError({"action": f"当前状态“{d.get_state_display()}”下不能合并"})
    before = d.state
    d.duplicate_of, d.state, d.closed_at = into, State.CLOSED, timezone.now()
    _bump(d, ["duplicate_of", "state", "closed_at"])
    _event(d, "merge", actor=actor, note=f"与 {into.tracking_code} 重复，已合并办理", from_state=before,
           to_state=d.state)
    _event(into, "merge", actor=actor, note=f"合并了重复诉求 {d.tracking_code}", public=False)
    record(actor=actor, action=AuditAction.TRANSITION, obj=d, changes={"duplicate_of": [None, into.tracking_code]})
    notifications_close_for(d)
    return d


@transaction.atomic
def demand_rate(*, actor, demand: Demand | int, rating: str, note: str = "", via: str = "portal",
                expected_version: int | None = None, secret: str | None = None) -> Demand:
    """The resident's rating (portal: actor None and the demand's secret 查询码; follow-up call: the
    staff member). "Not satisfied" sends the demand back for handling once, with the reason."""
    d = _lock(demand, expected_version)
    if actor is not None:
        _require(actor, DemandPerm.HANDLE, d)
    _check_secret(d, secret, actor)
    if rating not in Satisfaction.values:
        raise ValidationError({"rating": "请选择 满意、基本满意 或 不满意"})
    if d.state not in (State.HANDLED, State.FOLLOW_UP):
        raise ValidationError({"rating": f"诉求当前为“{d.get_state_display()}”，办结后才能评价"})
    note = _clean_text(note, "note", "评价说明", max_len=500, required=rating == Satisfaction.UNSATISFIED)
    before, now = d.state, timezone.now()
    d.satisfaction, d.satisfaction_note = rating, note
    fields = ["satisfaction", "satisfaction_note", "state"]
    label = "诉求人" if actor is None else ""
    how = "网上评价" if via == "portal" else "回访电话"
    reopened = rating == Satisfaction.UNSATISFIED and d.reopen_count == 0
    if reopened:
        d.reopen_count += 1
        d.state = State.DISPATCHED if (d.assignee_user_id or d.assignee_unit_id) else State.ACCEPTED
        d.handled_at = None
        d.handling_due = add_minutes(now, d.category.handling_minutes,
                                     working_hours_only=d.category.working_hours_only)
        d.overdue = False
        fields += ["reopen_count", "handled_at", "handling_due", "overdue"]
    else:
        d.state, d.closed_at = State.CLOSED, now
        fields.append("closed_at")
    _bump(d, fields)
    text = f"{how}：{Satisfaction(rating).label}" + (f"。{note}" if note else "")
    _event(d, "rate", actor=actor, actor_label=label, note=text, from_state=before, to_state=d.state)
    if reopened:
        _event(d, "reopen", actor=actor, actor_label=label, note=f"诉求人不满意，重新办理：{note}",
               from_state=before, to_state=d.state)
        targets = [d.assignee_user] if d.assignee_user_id else list(
            users_with_role_at(d.region, [Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF, Role.STREET_STAFF]))
        notify(recipients=targets, title=f"诉求人不满意，需重新办理：{d.title}", body=note, link=_link(d), source=d)
    record(actor=actor, action=AuditAction.TRANSITION, obj=d,
           changes={"satisfaction": [None, rating], "state": [before, d.state], "channel": via})
    if d.state == State.CLOSED:
        notifications_close_for(d)
    return d


@transaction.atomic
def demand_add_info(*, actor, demand: Demand | int, note: str, photos: Iterable[UploadedFile] = (),
                    secret: str | None = None) -> Demand:
    """The resident adds information from the portal (no state change): with the secret 查询码."""
    d = _lock(demand, None)
    _check_secret(d, secret, actor)
    if d.state == State.CLOSED:
        raise ValidationError({"note": "诉求已关闭，不能再补充信息"})
    note = _clean_text(note, "note", "补充内容", max_len=2000)
    photos = _check_photos(photos)
    ev = _event(d, "add_info", actor=actor, actor_label="" if actor else "诉求人", note=note)
    _save_photos(d, ev, photos)
    d.save(update_fields=["updated_at"])
    record(actor=actor, action=AuditAction.UPDATE, obj=d,
           changes={"add_info": [None, note[:100]], "channel": "portal" if actor is None else "staff"})
    if d.assignee_user_id:
        notify(recipients=[d.assignee_user], title=f"诉求人补充了信息：{d.title}", body=note[:200], link=_link(d),
               source=d)
    return d


# ---------------------------------------------------------------- escalation

def escalation_targets(d: Demand) -> list:
    kind, roles = {
        Escalation.WEEKLY: (RegionKind.COMMUNITY, [Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF]),
        Escalation.MONTHLY: (RegionKind.STREET, [Role.STREET_STAFF]),
        Escalation.QUARTERLY: (RegionKind.DISTRICT, [Role.DISTRICT_ADMIN]),
    }.get(d.escalation, (None, []))
    node = ancestor_of_kind(d.region, kind) if kind else None
    return list(users_with_role_at(node, roles)) if node else []


def escalate_overdue(*, now=None) -> dict[str, int]:
    """Flag open demands past their handling deadline, and raise them up the ladder
    (weekly log → monthly dispatch → quarterly resolution) by how long they are overdue.
    Each demand moves in its own transaction; running twice changes nothing more."""
    now = now or timezone.now()
    flagged = Demand.objects.filter(state__in=OPEN_STATES, handling_due__lt=now, overdue=False).update(overdue=True)
    raised = 0
    ladder = sorted(escalation_days().items(), reverse=True)
    for level, days in ladder:
        cutoff = now - timezone.timedelta(days=days)
        ids = list(Demand.objects.filter(state__in=OPEN_STATES, handling_due__lt=cutoff, escalation__lt=level)
                   .values_list("pk", flat=True)[:10000])
        for pk in ids:
            with transaction.atomic():
                d = Demand.objects.select_for_update().select_related("region").get(pk=pk)
                if d.state not in OPEN_STATES or d.escalation >= level:
                    continue
                before = d.escalation
                d.escalation, d.escalated_at, d.overdue = level, now, True
                _bump(d, ["escalation", "escalated_at", "overdue"])
                _event(d, "escalate", note=f"超期未办结，自动升级至{d.get_escalation_display()}",
                       from_state=d.state, to_state=d.state, at=now)
                record(actor=None, action=AuditAction.TRANSITION, obj=d, changes={"escalation": [before, level]})
                notify(recipients=escalation_targets(d), title=f"超期诉求升级至{d.get_escalation_display()}",
                       body=f"{d.title}（{d.region}）", link=_link(d), source=d)
                raised += 1
    return {"flagged": flagged, "escalated": raised}


# ---------------------------------------------------------------- personal data

def demand_reveal_phone(*, actor, demand: Demand, purpose: str) -> str:
    from accounts.roles import Perm
    from audit.services import record_pii_view

    purpose = _clean_text(purpose, "purpose", "查看目的", max_len=200, mask=False)
    if not has_perm_at(actor, Perm.PII_VIEW_FULL, demand.region.path):
        raise ValidationError("您没有查看完整联系电话的权限")
    fields = ["caller_phone"] + (["description_full"] if demand.description_full else [])
    record_pii_view(actor=actor, obj=demand, fields=fields, purpose=purpose)
    return demand.caller_phone or "—"


# ---------------------------------------------------------------- configuration (admin pages use these)

@transaction.atomic
def category_create(*, actor, code: str, name: str, response_minutes: int, handling_minutes: int, **extra) -> Category:
    if Category.objects.filter(code=code).exists():
        raise ValidationError({"code": f"编码“{code}”已存在"})
    cat = Category.objects.create(code=code, name=name, response_minutes=response_minutes,
                                  handling_minutes=handling_minutes, **extra)
    record(actor=actor, action=AuditAction.CREATE, obj=cat, changes={"code": [None, code]})
    return cat


def satisfaction_ok(value: str) -> bool:
    return value in (Satisfaction.SATISFIED, Satisfaction.BASIC)


# ---------------------------------------------------------------- work calendar (法定节假日 / 调休)

CALENDAR_MAX_RANGE_DAYS = 15
CALENDAR_MAX_NAME = 30
WEEKDAY_NAMES = "一二三四五六日"


@dataclass
class CalendarChange:
    entries: list[WorkCalendarDay]
    recomputed: int  # open demands whose deadlines moved


def calendar_years(today: date | None = None) -> tuple[int, int]:
    """The years whose calendar may be changed: last year (corrections), this year and next year
    (the State Council publishes next year's arrangement in the autumn)."""
    year = (today or timezone.localdate()).year
    return year - 1, year + 1


def fmt_day(day: date) -> str:
    return f"{day:%Y-%m-%d}（星期{WEEKDAY_NAMES[day.weekday()]}）"


def _require_calendar_manager(actor) -> None:
    if actor is None or not has_perm(actor, DemandPerm.MANAGE):
        raise ValidationError("您没有维护工作日历的权限")


def _calendar_name(name: str, errors: dict) -> str:
    name = (name or "").strip()
    if not name:
        errors["name"] = "名称不能为空（如 国庆节、国庆调休）"
    elif len(name) > CALENDAR_MAX_NAME:
        errors["name"] = f"名称过长：最多 {CALENDAR_MAX_NAME} 字，现有 {len(name)} 字"
    elif "<" in name or ">" in name:
        errors["name"] = "名称不能包含 < 或 > 符号"
    elif any(ord(c) < 32 for c in name):
        errors["name"] = "名称不能包含换行等控制字符"
    return name


def _calendar_day(value, field: str, label: str, errors: dict) -> date | None:
    if field in errors:
        return None
    if value is None or value == "":
        errors[field] = f"请填写{label}"
        return None
    if not isinstance(value, date):
        errors[field] = f"{label}格式不正确，应为 年-月-日（如 2026-10-01）"
        return None
    lo, hi = calendar_years()
    if not lo <= value.year <= hi:
        errors[field] = (f"{label}的年份应在 {lo}～{hi} 年之间（只能维护去年、今年和明年的工作日历），"
                         f"现为 {value.year} 年")
        return None
    return value


def _already_there(days: list[date], errors: dict, field: str) -> None:
    taken = list(WorkCalendarDay.objects.filter(date__in=days).order_by("date"))
    if taken:
        listed = "、".join(f"{e.date:%Y-%m-%d}（{e.get_kind_display()}：{e.name}）" for e in taken[:5])
        more = f" 等 {len(taken)} 天" if len(taken) > 5 else ""
        errors[field] = f"日期 {listed}{more} 已在工作日历中，请先删除后再添加"


def _insert_calendar_days(rows: list[WorkCalendarDay], field: str) -> list[WorkCalendarDay]:
    try:
        with transaction.atomic():
            for row in rows:
                row.save()
    except IntegrityError:
        raise ValidationError({field: "其中有日期刚被他人加入工作日历，请刷新页面后重试，本次未保存"}) from None
    return rows


@transaction.atomic
def calendar_add_days_off(*, actor, start: date | None, end: date | None, name: str) -> CalendarChange:
    """Days off from `start` to `end` (inclusive, at most 15 days), e.g. 国庆节 10-01 至 10-07.
    Weekend days inside the range are recorded too (they are named on the page)."""
    _require_calendar_manager(actor)
    errors: dict[str, str] = {}
    name = _calendar_name(name, errors)
    start = _calendar_day(start, "start", "开始日期", errors)
    end = _calendar_day(end, "end", "结束日期", errors)
    if start and end:
        if end < start:
            errors["end"] = f"结束日期 {end:%Y-%m-%d} 不能早于开始日期 {start:%Y-%m-%d}"
        elif (end - start).days + 1 > CALENDAR_MAX_RANGE_DAYS:
            errors["end"] = (f"放假日期范围最长 {CALENDAR_MAX_RANGE_DAYS} 天，{start:%Y-%m-%d} 至 {end:%Y-%m-%d} "
                             f"共 {(end - start).days + 1} 天；更长的假期请分段添加")
        else:
            _already_there([start + timedelta(days=i) for i in range((end - start).days + 1)], errors, "start")
    if errors:
        raise ValidationError(errors)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    rows = _insert_calendar_days(
        [WorkCalendarDay(date=d, kind=DayKind.DAY_OFF, name=name, created_by=actor) for d in days], "start")
    for row in rows:
        record(actor=actor, action=AuditAction.CREATE, obj=row,
               changes={"date": [None, row.date.isoformat()], "kind": [None, row.kind], "name": [None, name]})
    span = f"{start:%Y-%m-%d}" if start == end else f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"
    n = _after_calendar_change(actor=actor, changed=set(days), reason=f"新增放假：{name} {span}")
    return CalendarChange(rows, n)


@transaction.atomic
def calendar_add_workday(*, actor, day: date | None, name: str) -> CalendarChange:
    """A weekend day worked instead of a weekday (调休上班), e.g. 国庆调休 on a Saturday."""
    _require_calendar_manager(actor)
    errors: dict[str, str] = {}
    name = _calendar_name(name, errors)
    day = _calendar_day(day, "day", "调休上班日期", errors)
    if day:
        if day.weekday() < 5:
            errors["day"] = (f"调休上班日期应为周六或周日：{fmt_day(day)} 本来就是工作日；"
                             "要把工作日改为放假，请用“添加放假”")
        else:
            _already_there([day], errors, "day")
    if errors:
        raise ValidationError(errors)
    (row,) = _insert_calendar_days([WorkCalendarDay(date=day, kind=DayKind.WORKDAY, name=name, created_by=actor)],
                                   "day")
    record(actor=actor, action=AuditAction.CREATE, obj=row,
           changes={"date": [None, day.isoformat()], "kind": [None, row.kind], "name": [None, name]})
    n = _after_calendar_change(actor=actor, changed={day}, reason=f"新增调休上班：{name} {day:%Y-%m-%d}")
    return CalendarChange([row], n)


@transaction.atomic
def calendar_delete(*, actor, entry: WorkCalendarDay | int) -> CalendarChange:
    _require_calendar_manager(actor)
    pk = entry.pk if isinstance(entry, WorkCalendarDay) else entry
    row = WorkCalendarDay.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise ValidationError("该日期已不在工作日历中（可能已被他人删除），请刷新页面")
    lo, hi = calendar_years()
    if not lo <= row.date.year <= hi:
        raise ValidationError({"date": f"只能删除 {lo}～{hi} 年的工作日历条目，{row.date:%Y-%m-%d} 不在此范围内"})
    record(actor=actor, action=AuditAction.DELETE, obj=row,
           changes={"date": [row.date.isoformat(), None], "kind": [row.kind, None], "name": [row.name, None]})
    what = f"删除{row.get_kind_display()}：{row.name} {row.date:%Y-%m-%d}"
    row.delete()
    n = _after_calendar_change(actor=actor, changed={row.date}, reason=what)
    return CalendarChange([row], n)


def _after_calendar_change(*, actor, changed: set[date], reason: str) -> int:
    workcalendar.calendar_changed()
    return recompute_open_deadlines(actor=actor, changed=changed, reason=reason,
                                    calendar=workcalendar.WorkCalendar.load())


def _local(dt) -> date:
    return timezone.localtime(dt).date()


def _covers(changed: set[date], start, end) -> bool:
    lo, hi = _local(start), _local(end)
    return any(lo <= d <= hi for d in changed)


def recompute_open_deadlines(*, actor, changed: set[date], reason: str, calendar=None, now=None) -> int:
    """After a calendar change: the open demands of working-hours categories whose deadline
    window (from the clock's start to the later deadline) contains a changed date get their
    deadlines computed again. Each one that moves gets a timeline entry and an audit entry; the
    overdue flag follows the new handling deadline (the escalation level stays). Closed and
    handled demands keep theirs: their timeliness has been judged. Returns how many moved."""
    if not changed:
        return 0
    calendar = calendar or workcalendar.WorkCalendar.load()
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    lo = datetime.combine(min(changed), time.min, tzinfo=tz)
    hi = datetime.combine(max(changed) + timedelta(days=1), time.min, tzinfo=tz)
    cats = {c.pk: c for c in Category.objects.filter(working_hours_only=True)}
    if not cats:
        return 0
    demands = list(
        Demand.objects.select_for_update()
        .filter(state__in=OPEN_STATES, category_id__in=list(cats), submitted_at__lt=hi)
        .filter(Q(handling_due__gte=lo) | Q(response_due__gte=lo))
        .order_by("pk")
    )
    if not demands:
        return 0
    # The handling clock of a reopened demand restarted at its last reopening.
    restarts: dict[int, datetime] = {}
    reopened = [d.pk for d in demands if d.reopen_count]
    for i in range(0, len(reopened), 500):
        for demand_id, at in (DemandEvent.objects.filter(demand_id__in=reopened[i:i + 500], action="reopen")
                              .values_list("demand_id", "created_at")):
            restarts[demand_id] = max(at, restarts.get(demand_id, at))
    moved, events, notes, fmt = [], [], {}, "%Y-%m-%d %H:%M"
    for d in demands:
        cat = cats[d.category_id]
        old = {"response_due": d.response_due, "handling_due": d.handling_due}
        if _covers(changed, d.submitted_at, d.response_due):
            d.response_due = add_minutes(d.submitted_at, cat.response_minutes, working_hours_only=True,
                                         calendar=calendar)
        clock = restarts.get(d.pk, d.submitted_at)
        if _covers(changed, clock, d.handling_due):
            d.handling_due = add_minutes(clock, cat.handling_minutes, working_hours_only=True, calendar=calendar)
        changes = {k: [v, getattr(d, k)] for k, v in old.items() if abs(getattr(d, k) - v) >= timedelta(seconds=1)}
        if not changes:
            d.response_due, d.handling_due = old["response_due"], old["handling_due"]
            continue
        d.overdue = d.handling_due < now
        d.version += 1
        moved.append(d)
        labels = {"response_due": "响应时限", "handling_due": "办结时限"}
        text = "；".join(f"{labels[k]}由 {timezone.localtime(a):{fmt}} 调整为 {timezone.localtime(b):{fmt}}"
                        for k, (a, b) in changes.items())
        notes[d.pk] = f"工作日历调整（{reason}）：{text}"
        events.append(DemandEvent(demand=d, action="deadline", actor=actor,
                                  actor_label=(actor.display_name if actor is not None else SYSTEM)[:60],
                                  note=notes[d.pk], public=True, created_at=now))
        record(actor=actor, action=AuditAction.UPDATE, obj=d,
               changes={**{k: [timezone.localtime(a).isoformat(), timezone.localtime(b).isoformat()]
                           for k, (a, b) in changes.items()}, "reason": [None, f"工作日历调整：{reason}"]})
    for d in moved:  # one plain UPDATE each: bulk_update's CASE expressions cost far more to build
        Demand.objects.filter(pk=d.pk).update(response_due=d.response_due, handling_due=d.handling_due,
                                              overdue=d.overdue, version=d.version, updated_at=now)
    DemandEvent.objects.bulk_create(events, batch_size=500)
    _notify_deadline_moved(actor, moved, notes)
    return len(moved)


def _notify_deadline_moved(actor, moved: list[Demand], notes: dict[int, str]) -> None:
    """Each moved demand's assignee user (if any) hears of the new deadline, one notification per demand:
    only when they can open the demand page (demands.view at its node), never the actor who changed the
    calendar. Inside the caller's transaction, like every other notification of this app."""
    from accounts.models import User

    assigned = [d for d in moved if d.assignee_user_id and (actor is None or d.assignee_user_id != actor.pk)]
    if not assigned:
        return
    users, paths = {}, {}
    for i in range(0, len(assigned), 500):
        chunk = assigned[i:i + 500]
        users.update(User.objects.filter(is_active=True).in_bulk({d.assignee_user_id for d in chunk}))
        paths.update(Region.objects.filter(pk__in={d.region_id for d in chunk}).values_list("pk", "path"))
    for d in assigned:
        user = users.get(d.assignee_user_id)
        if user is None or not has_perm_at(user, DemandPerm.VIEW, paths.get(d.region_id)):
            continue
        notify(recipients=[user], title=f"诉求时限调整：{d.title}", body=notes[d.pk], link=_link(d), source=d)
