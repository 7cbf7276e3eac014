"""三亮 consent and quarterly service stars (服务标兵): the community proposes, the street approves."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from audit.models import AuditAction
from audit.services import record
from members.models import PartyMember
from notifications.services import notify
from regions.models import Region, RegionKind

from .. import selectors
from ..models import PublicityConsent, ServiceStar, StarState
from ..rules import P
from .common import require_at, require_own, text, today


@transaction.atomic
def consent_set(*, actor, member: PartyMember, show_name: bool, show_photo: bool) -> PublicityConsent:
    """The member says whether the public 三亮 board may show their name and photo; any later row
    replaces it (revocable at any time; the history stays)."""
    require_own(actor, member, "设置三亮公开授权")
    if show_photo and not show_name:
        raise ValidationError({"show_photo": "公开照片需要同时同意公开姓名"})
    c = PublicityConsent.objects.create(member=member, show_name=bool(show_name), show_photo=bool(show_photo),
                                        actor=actor)
    said = f"姓名:{'是' if show_name else '否'} 照片:{'是' if show_photo else '否'}"
    record(actor=actor, action=AuditAction.UPDATE, obj=member, changes={"sanliang_consent": [None, said]})
    return c


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


@transaction.atomic
def star_propose(*, actor, community: Region, member: PartyMember, year: int, quarter: int,
                 reason: str) -> ServiceStar:
    if community.kind != RegionKind.COMMUNITY:
        raise ValidationError({"community": "服务标兵由社区推荐"})
    require_at(actor, P.MANAGE, community.path, f"推荐“{community}”的服务标兵")
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "季度应为 1 至 4"})
    if (year, quarter) > quarter_of(today()):
        raise ValidationError({"quarter": "不能推荐尚未开始的季度"})
    if not any(c.pk == community.pk for c in selectors.member_communities(member)):
        raise ValidationError({"member": f"{member.name}不在本社区，也未向本社区报到"})
    stats = selectors.quarter_stats([member], year, quarter).get(member.pk)
    short = selectors.star_shortfalls(stats)
    if short:
        raise ValidationError({"member": f"{member.name}本季度未达到服务标兵条件：" + "；".join(short)})
    if ServiceStar.objects.filter(member=member, year=year, quarter=quarter).exists():
        raise ValidationError({"member": f"{member.name}已被推荐为{year}年第{quarter}季度服务标兵"})
    star = ServiceStar.objects.create(community=community, member=member, year=year, quarter=quarter,
                                      reason=text(reason, "reason", "推荐理由", max_len=300), proposed_by=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=star, changes={"member": [None, member.name],
                                                                     "quarter": [None, f"{year}Q{quarter}"]})
    return star


@transaction.atomic
def star_decide(*, actor, star: ServiceStar, approve: bool, reason: str = "") -> ServiceStar:
    star = ServiceStar.objects.select_for_update().select_related("community", "member").get(pk=star.pk)
    require_at(actor, P.STARS, star.community.path, "审定服务标兵（由街道审定）")
    if star.state != StarState.PROPOSED:
        raise ValidationError("该推荐已审定，不能重复审定")
    reason = text(reason, "reason", "退回原因", max_len=200, required=not approve)
    old = star.state
    star.state = StarState.APPROVED if approve else StarState.RETURNED
    star.returned_reason, star.decided_by = reason, actor
    star.save()
    record(actor=actor, action=AuditAction.TRANSITION, obj=star, changes={"state": [old, star.state]},
           purpose=reason)
    if approve and star.member.user_id:
        notify(recipients=[star.member.user], title=f"您被评为{star.year}年第{star.quarter}季度服务标兵",
               body=star.reason, link=reverse("vanguard:my"), source=star)
    return star
