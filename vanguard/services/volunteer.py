"""志愿服务: a community, grid or resident unit's organization publishes an activity; members (and, where
enabled, residents with an account) sign up, check in on site by scanning the QR code on the organizer's
phone, and the organizer confirms the hours."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from members.models import PartyMember
from orgs.models import PartyOrg
from regions.models import Region, RegionKind

from ..models import Activity, SignUp
from ..rules import P
from .common import own_member, require_at, text

CHECKIN_EARLY = timedelta(minutes=30)   # check-in opens half an hour before the start
MAX_DURATION = timedelta(hours=24)
MAX_PLACES = 1000


def _local(dt: datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def activity_publish(*, actor, region: Region, title: str, place: str, starts_at: datetime, ends_at: datetime,
                     places, description: str = "", skills: str = "", open_to_residents: bool = False,
                     org: PartyOrg | None = None) -> Activity:
    if region.kind not in (RegionKind.COMMUNITY, RegionKind.GRID):
        raise ValidationError({"region": "志愿服务活动应发布在社区或网格"})
    require_at(actor, P.MANAGE, region.path, f"在“{region}”发布志愿服务活动")
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        raise ValidationError({"starts_at": "请填写活动开始和结束时间"})
    if starts_at < timezone.now() - timedelta(minutes=5):
        raise ValidationError({"starts_at": "开始时间不能早于现在"})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "结束时间应晚于开始时间"})
    if ends_at - starts_at > MAX_DURATION:
        raise ValidationError({"ends_at": "一次活动不能超过 24 小时，跨天的服务请分次发布"})
    try:
        places = int(places)
    except (TypeError, ValueError):
        raise ValidationError({"places": "名额应为整数"}) from None
    if not 1 <= places <= MAX_PLACES:
        raise ValidationError({"places": f"名额应在 1 到 {MAX_PLACES} 之间"})
    a = Activity.objects.create(
        region=region, org=org, title=text(title, "title", "活动名称", max_len=80),
        description=text(description, "description", "活动内容", max_len=1000, required=False),
        place=text(place, "place", "地点", max_len=100), starts_at=starts_at, ends_at=ends_at, places=places,
        skills=text(skills, "skills", "所需技能", max_len=100, required=False),
        open_to_residents=bool(open_to_residents), organizer=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=a, changes={"title": [None, a.title],
                                                                  "starts_at": [None, _local(starts_at)]})
    return a


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, reason: str) -> Activity:
    a = Activity.objects.select_for_update().select_related("region").get(pk=activity.pk)
    require_at(actor, P.MANAGE, a.region.path, "取消该活动")
    reason = text(reason, "reason", "取消原因", max_len=200)
    if a.cancelled:
        raise ValidationError("该活动已取消")
    a.cancelled = True
    a.save(update_fields=["cancelled"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=a, changes={"cancelled": [False, True]}, purpose=reason)
    return a


@transaction.atomic
def signup_create(*, actor, activity: Activity) -> SignUp:
    """A member signs up; a signed-in resident too when the activity is open to residents."""
    a = Activity.objects.select_for_update().get(pk=activity.pk)
    if a.cancelled:
        raise ValidationError("该活动已取消")
    if a.ends_at <= timezone.now():
        raise ValidationError("该活动已结束，不能报名")
    member = own_member(actor)
    if member is None and not a.open_to_residents:
        raise ValidationError("该活动仅限党员报名")
    if SignUp.objects.filter(activity=a, user=actor).exists() or (
            member is not None and SignUp.objects.filter(activity=a, member=member).exists()):
        raise ValidationError("您已报名该活动")
    if a.signups.count() >= a.places:
        raise ValidationError(f"该活动名额已满（{a.places} 人）")
    s = SignUp.objects.create(activity=a, user=actor, member=member,
                              name=member.name if member else (getattr(actor, "full_name", "") or actor.username))
    record(actor=actor, action=AuditAction.CREATE, obj=s, changes={"activity": [None, a.title]})
    return s


@transaction.atomic
def signup_add(*, actor, activity: Activity, member: PartyMember) -> SignUp:
    """On site, the organizer registers and checks in a member who has no phone or account (an elderly
    retiree, say): the member must be able to serve where the activity is, and the activity must be on."""
    a = Activity.objects.select_for_update().select_related("region").get(pk=activity.pk)
    require_at(actor, P.MANAGE, a.region.path, "为党员现场登记")
    if a.cancelled:
        raise ValidationError("该活动已取消")
    now = timezone.now()
    if not a.starts_at - CHECKIN_EARLY <= now <= a.ends_at:
        raise ValidationError(f"不在活动签到时间内（签到时间：{_local(a.starts_at - CHECKIN_EARLY)} 至 "
                              f"{_local(a.ends_at)}）")
    if SignUp.objects.filter(activity=a, member=member).exists():
        raise ValidationError({"member": f"{member.name}已报名该活动"})
    if a.signups.count() >= a.places:
        raise ValidationError(f"该活动名额已满（{a.places} 人）")
    s = SignUp.objects.create(activity=a, user=None, member=member, name=member.name, checked_in_at=now)
    record(actor=actor, action=AuditAction.CREATE, obj=s, changes={"member": [None, member.name],
                                                                  "checked_in_at": [None, _local(now)]})
    return s


@transaction.atomic
def signup_cancel(*, actor, signup: SignUp) -> None:
    s = SignUp.objects.select_for_update().select_related("activity").get(pk=signup.pk)
    if s.user_id != actor.pk:
        raise ValidationError("只能取消本人的报名")
    if s.checked_in_at:
        raise ValidationError("已签到，不能取消报名")
    record(actor=actor, action=AuditAction.DELETE, obj=s, changes={"activity": [s.activity.title, None]})
    s.delete()


@transaction.atomic
def checkin(*, actor, activity: Activity, token: str, now: datetime | None = None) -> SignUp:
    """On site: the participant scans the organizer's QR code (the activity's check-in address)."""
    a = Activity.objects.select_for_update().get(pk=activity.pk)
    if not hmac.compare_digest(a.checkin_token, token or ""):
        raise ValidationError("签到码无效，请扫描组织人手机上的签到二维码")
    if a.cancelled:
        raise ValidationError("该活动已取消")
    now = now or timezone.now()
    if not a.starts_at - CHECKIN_EARLY <= now <= a.ends_at:
        raise ValidationError(f"不在活动签到时间内（签到时间：{_local(a.starts_at - CHECKIN_EARLY)} 至 "
                              f"{_local(a.ends_at)}）")
    s = SignUp.objects.select_for_update().filter(activity=a, user=actor).first()
    if s is None:
        raise ValidationError("您没有报名该活动，请先报名")
    if s.checked_in_at:
        raise ValidationError(f"您已于 {_local(s.checked_in_at)} 签到")
    s.checked_in_at = now
    s.save(update_fields=["checked_in_at"])
    record(actor=actor, action=AuditAction.UPDATE, obj=s, changes={"checked_in_at": [None, _local(now)]})
    return s


def activity_hours(a: Activity) -> Decimal:
    return (Decimal((a.ends_at - a.starts_at).total_seconds()) / 3600).quantize(Decimal("0.1"))


@transaction.atomic
def hours_confirm(*, actor, signup: SignUp, hours) -> SignUp:
    """The organizer confirms a participant's hours: only for those who checked in, never longer than the
    activity. Setting 0 withdraws the hours (and the points they earned)."""
    s = SignUp.objects.select_for_update().select_related("activity__region").get(pk=signup.pk)
    a = s.activity
    require_at(actor, P.MANAGE, a.region.path, "确认志愿服务时长")
    if not s.checked_in_at:
        raise ValidationError({"hours": f"{s.name}没有签到，不能确认时长"})
    try:
        h = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": "时长应为数字"}) from None
    limit = activity_hours(a)
    if h < 0:
        raise ValidationError({"hours": "时长不能为负数"})
    if h > limit:
        raise ValidationError({"hours": f"时长不能超过活动时长 {limit.normalize():f} 小时"})
    old = s.hours
    s.hours = h if h > 0 else None
    s.confirmed_by, s.confirmed_at = (actor, timezone.now()) if h > 0 else (None, None)
    s.save(update_fields=["hours", "confirmed_by", "confirmed_at"])
    record(actor=actor, action=AuditAction.UPDATE, obj=s, changes={"hours": [str(old or ""), str(s.hours or "")]})
    return s
