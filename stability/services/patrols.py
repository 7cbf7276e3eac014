"""The community police officer (一社区一民警) and patrol teams (治安联防队): members, shifts (daily,
holiday and 错时), a holiday roster in one go, overlapping shifts of one person refused, check-in on
patrol, and an incident found on patrol becoming a demand."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import record
from core.phone import normalize_mobile
from regions.models import RegionKind

from ..models import (
    PatrolIncident,
    PatrolKind,
    PatrolMember,
    PatrolShift,
    PatrolTeam,
    PoliceOfficer,
    ShiftKind,
    ShiftPost,
)
from ..rules import P
from .common import raise_if, require, text, texts

MAX_SHIFT_HOURS = 24
MAX_ROSTER_DAYS = 31
CHECK_IN_EARLY = timedelta(minutes=30)


def _phone(value, field: str, label: str, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    digits = normalize_mobile(value)
    if not (digits.isdigit() and 7 <= len(digits) <= 12):
        errors[field] = [f"{label}（{value[:20]}）格式不正确"]
        return ""
    return digits


def _community(region, errors: dict):
    if region is None or region.kind != RegionKind.COMMUNITY:
        errors["community"] = ["请选择社区"]


@transaction.atomic
def officer_set(*, actor, community, name: str, badge: str = "", phone: str = "", station: str = "",
                office: str = "", duty: str = "") -> PoliceOfficer:
    """The community's police officer: a new one replaces the one before (kept, marked not on duty)."""
    errors: dict = {}
    _community(community, errors)
    raise_if(errors)
    require(actor, P.MANAGE, community.path, "设置该社区的民警")
    try:
        clean = texts(("name", "民警姓名", name, 50, True), ("badge", "警号", badge, 20, False),
                      ("station", "所属派出所", station, 100, False), ("office", "社区警务室", office, 100, False),
                      ("duty", "驻勤安排", duty, 200, False))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    phone = _phone(phone, "phone", "联系电话", errors)
    raise_if(errors)
    PoliceOfficer.objects.filter(community=community, active=True).update(active=False)
    officer = PoliceOfficer.objects.create(community=community, phone=phone, **clean)
    record(actor=actor, action=AuditAction.CREATE, obj=officer)
    return officer


@transaction.atomic
def team_create(*, actor, community, name: str, leader_name: str = "", note: str = "",
                created_on: date | None = None) -> PatrolTeam:
    errors: dict = {}
    _community(community, errors)
    raise_if(errors)
    require(actor, P.MANAGE, community.path, "在该社区组建联防队")
    clean = texts(("name", "队伍名称", name, 60, True), ("leader_name", "队长", leader_name, 50, False),
                  ("note", "说明", note, 200, False))
    team = PatrolTeam.objects.create(community=community, created_on=created_on or timezone.localdate(), **clean)
    record(actor=actor, action=AuditAction.CREATE, obj=team)
    return team


@transaction.atomic
def team_member_add(*, actor, team: PatrolTeam, name: str, kind: str = PatrolKind.VOLUNTEER, phone: str = "",
                    user=None) -> PatrolMember:
    require(actor, P.MANAGE, team.community.path, "管理该联防队")
    errors: dict = {}
    if kind not in PatrolKind.values:
        errors["kind"] = ["请选择队员身份"]
    try:
        name = text(name, "name", "队员姓名", max_len=50)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    phone = _phone(phone, "phone", "联系电话", errors)
    if user is not None and team.members.filter(user=user, active=True).exists():
        errors["user"] = ["该账号已是本队队员"]
    raise_if(errors)
    m = PatrolMember.objects.create(team=team, name=name, kind=kind, phone=phone, user=user)
    record(actor=actor, action=AuditAction.CREATE, obj=m, object_repr=f"{team.name} 队员 {name}")
    return m


def _span(starts_at, ends_at, errors: dict) -> None:
    if not isinstance(starts_at, datetime):
        errors["starts_at"] = ["请填写开始时间"]
    if not isinstance(ends_at, datetime):
        errors["ends_at"] = ["请填写结束时间"]
    if errors:
        return
    if ends_at <= starts_at:
        errors["ends_at"] = [f"结束时间（{timezone.localtime(ends_at):%m-%d %H:%M}）须晚于开始时间"
                             f"（{timezone.localtime(starts_at):%m-%d %H:%M}）"]
    elif ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        errors["ends_at"] = [f"一个班次不能超过 {MAX_SHIFT_HOURS} 小时"]


def _overlap(member: PatrolMember, starts_at, ends_at, exclude_shift: int | None = None) -> ShiftPost | None:
    """A post of the same person (the member, or any membership of the same account) that overlaps."""
    who = Q(member=member)
    if member.user_id:
        who |= Q(member__user_id=member.user_id)
    qs = ShiftPost.objects.filter(who, starts_at__lt=ends_at, ends_at__gt=starts_at).select_related("shift__team")
    if exclude_shift:
        qs = qs.exclude(shift_id=exclude_shift)
    return qs.order_by("starts_at").first()


def _overlap_message(member: PatrolMember, post: ShiftPost) -> str:
    s, e = timezone.localtime(post.starts_at), timezone.localtime(post.ends_at)
    return (f"队员{member.name}在 {s:%m-%d %H:%M}–{e:%m-%d %H:%M} 已有班次（{post.shift.team.name}），"
            f"同一人的班次不能重叠")


def _place(shift: PatrolShift, members: list[PatrolMember], errors: dict, field: str = "members") -> None:
    """Put members on a shift, refusing a person already on an overlapping one (errors name each)."""
    msgs = []
    for m in members:
        clash = _overlap(m, shift.starts_at, shift.ends_at, exclude_shift=shift.pk)
        if clash is not None:
            msgs.append(_overlap_message(m, clash))
            continue
        ShiftPost.objects.create(shift=shift, member=m, starts_at=shift.starts_at, ends_at=shift.ends_at)
    if msgs:
        errors.setdefault(field, []).extend(msgs)


def _members(team: PatrolTeam, members, errors: dict) -> list[PatrolMember]:
    ids = {getattr(m, "pk", m) for m in members}
    found = list(team.members.filter(pk__in=[i for i in ids if isinstance(i, int)], active=True))
    if len(found) != len(ids):
        errors["members"] = ["所选队员不在本队，请刷新后重试"]
    if not found and "members" not in errors:
        errors["members"] = ["请至少安排一名队员"]
    return found


@transaction.atomic
def shift_create(*, actor, team: PatrolTeam, kind: str, starts_at, ends_at, route: str, members,
                 occasion: str = "") -> PatrolShift:
    require(actor, P.MANAGE, team.community.path, "为该联防队排班")
    errors: dict = {}
    if kind not in ShiftKind.values:
        errors["kind"] = ["请选择班次类型"]
    _span(starts_at, ends_at, errors)
    try:
        clean = texts(("route", "巡逻路线", route, 200, True),
                      ("occasion", "节日名称", occasion, 30, kind == ShiftKind.HOLIDAY))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    found = _members(team, members, errors)
    raise_if(errors)
    shift = PatrolShift.objects.create(team=team, kind=kind, starts_at=starts_at, ends_at=ends_at, created_by=actor,
                                       **clean)
    _place(shift, found, errors)
    raise_if(errors)  # rolls the shift back with the posts
    record(actor=actor, action=AuditAction.CREATE, obj=shift, object_repr=f"{team.name} {shift}")
    return shift


@transaction.atomic
def holiday_roster(*, actor, team: PatrolTeam, occasion: str, first_day: date | None, last_day: date | None,
                   start: time | None, end: time | None, per_shift: int, route: str) -> list[PatrolShift]:
    """A holiday's roster in one go (seed 000: 重大节日期间…组成联防队伍): one shift a day from `start` to `end`
    (past midnight when `end` is earlier), the team's members in turn, `per_shift` on each. All or none."""
    require(actor, P.MANAGE, team.community.path, "为该联防队排班")
    errors: dict = {}
    if not isinstance(first_day, date):
        errors["first_day"] = ["请填写开始日期"]
    if not isinstance(last_day, date):
        errors["last_day"] = ["请填写结束日期"]
    if not errors:
        if last_day < first_day:
            errors["last_day"] = [f"结束日期（{last_day:%Y-%m-%d}）早于开始日期（{first_day:%Y-%m-%d}）"]
        elif (last_day - first_day).days >= MAX_ROSTER_DAYS:
            errors["last_day"] = [f"一次排班不能超过 {MAX_ROSTER_DAYS} 天"]
    if not isinstance(start, time) or not isinstance(end, time):
        errors["start"] = ["请填写每日的巡逻起止时间"]
    elif start == end:
        errors["end"] = ["巡逻的结束时间不能与开始时间相同"]
    people = list(team.members.filter(active=True).order_by("id"))
    if not isinstance(per_shift, int) or not 1 <= per_shift <= max(1, len(people)):
        errors["per_shift"] = [f"每班人数应为 1～{max(1, len(people))}（本队在队 {len(people)} 人）"]
    if not people:
        errors["per_shift"] = ["本队还没有队员，请先添加队员"]
    try:
        occasion = text(occasion, "occasion", "节日名称", max_len=30)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raise_if(errors)
    shifts, turn = [], 0
    tz = timezone.get_current_timezone()
    day = first_day
    while day <= last_day:
        s = datetime.combine(day, start, tzinfo=tz)
        e = datetime.combine(day + timedelta(days=1) if end < start else day, end, tzinfo=tz)
        crew = [people[(turn + i) % len(people)] for i in range(per_shift)]
        turn += per_shift
        shift_errors: dict = {}
        try:
            shifts.append(shift_create(actor=actor, team=team, kind=ShiftKind.HOLIDAY, starts_at=s, ends_at=e,
                                       route=route, members=crew, occasion=occasion))
        except ValidationError as exc:
            shift_errors = exc.message_dict
        for msgs in shift_errors.values():
            errors.setdefault("roster", []).extend(f"{day:%m-%d}：{m}" for m in msgs)
        day += timedelta(days=1)
    raise_if(errors)
    return shifts


@transaction.atomic
def shift_post_add(*, actor, shift: PatrolShift, member: PatrolMember) -> ShiftPost:
    require(actor, P.MANAGE, shift.team.community.path, "为该联防队排班")
    errors: dict = {}
    if member.team_id != shift.team_id or not member.active:
        raise ValidationError({"member": ["所选队员不在本队"]})
    if shift.posts.filter(member=member).exists():
        raise ValidationError({"member": [f"{member.name}已在本班次"]})
    _place(shift, [member], errors, "member")
    raise_if(errors)
    return shift.posts.get(member=member)


def can_manage_team(actor, team: PatrolTeam) -> bool:
    return has_perm_at(actor, P.MANAGE, team.community.path)


@transaction.atomic
def check_in(*, actor, post: ShiftPost, lat=None, lng=None, now=None) -> ShiftPost:
    """签到: the member on the post (or the community for them), from half an hour before the shift to its end."""
    post = ShiftPost.objects.select_for_update().select_related("member", "shift__team__community").get(pk=post.pk)
    own = post.member.user_id is not None and post.member.user_id == actor.pk
    if not own and not can_manage_team(actor, post.shift.team):
        raise ValidationError("只能为自己的班次签到")
    now = now or timezone.now()
    if post.checked_in_at is not None:
        raise ValidationError(f"已于 {timezone.localtime(post.checked_in_at):%m-%d %H:%M} 签到")
    if now < post.starts_at - CHECK_IN_EARLY:
        raise ValidationError(f"班次 {timezone.localtime(post.starts_at):%m-%d %H:%M} 开始，最早可提前 30 分钟签到")
    if now > post.ends_at:
        raise ValidationError("班次已结束，不能再签到")
    errors: dict = {}
    if (lat in (None, "")) != (lng in (None, "")):
        errors["lat"] = ["位置需要同时提供纬度和经度"]
    elif lat not in (None, ""):
        try:
            lat, lng = float(lat), float(lng)
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValueError
        except (TypeError, ValueError):
            errors["lat"] = ["位置格式不正确"]
    else:
        lat = lng = None
    raise_if(errors)
    post.checked_in_at, post.lat, post.lng = now, lat, lng
    post.save(update_fields=["checked_in_at", "lat", "lng"])
    record(actor=actor, action=AuditAction.UPDATE, obj=post.shift, object_repr=f"签到 {post.member.name}",
           changes={"checked_in": [None, post.member.name]})
    return post


@transaction.atomic
def incident_report(*, actor, shift: PatrolShift, place: str, description: str, found_at=None) -> PatrolIncident:
    """Something found on patrol becomes a demand (an event of the 安全隐患 category) in the community, on
    the 巡逻上报 channel, whoever of the shift (a member or staff) reports it."""
    from demands.models import Channel
    from demands.services import demand_create

    shift = PatrolShift.objects.select_related("team__community").get(pk=shift.pk)
    community = shift.team.community
    on_shift = shift.posts.filter(member__user_id=actor.pk).exists()
    if not on_shift and not has_perm_at(actor, P.REPORT, community.path) and not can_manage_team(actor, shift.team):
        raise ValidationError("只有本班次的队员或社区工作人员可以上报巡逻发现的问题")
    found_at = found_at or timezone.now()
    errors: dict = {}
    if found_at > timezone.now() + timedelta(minutes=5):
        errors["found_at"] = ["发现时间不能晚于现在"]
    try:
        clean = texts(("place", "地点", place, 200, True), ("description", "情况", description, 500, True))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    raise_if(errors)
    demand = demand_create(actor=actor, channel=Channel.PATROL, category="safety-hazard",
                           region=community, title=f"巡逻发现：{clean['description'][:40]}",
                           description=f"{shift.team.name}{shift.get_kind_display()}（{shift}）发现：{clean['description']}",
                           address=clean["place"], caller_name=actor.display_name[:50])
    incident = PatrolIncident.objects.create(shift=shift, reporter=actor, found_at=found_at, demand=demand, **clean)
    record(actor=actor, action=AuditAction.CREATE, obj=incident, object_repr=f"巡逻发现 {clean['place']}")
    return incident
