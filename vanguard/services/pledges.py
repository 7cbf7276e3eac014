"""六诺: 申诺 (the member drafts), 议诺 (the branch discusses), 审诺 (the superior organization approves
or returns), 示诺 (published on the 三亮 board), 践诺 (the member records fulfilment with evidence),
评诺 (rated by the branch, then the community). Every step is an append-only PledgeEvent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from audit.models import AuditAction
from audit.services import record
from core.images import check_image, to_jpeg
from members.models import ACTIVE_STATUSES, PartyMember
from notifications.services import notify

from .. import selectors
from ..models import (
    OPEN_PLEDGE,
    ClaimStatus,
    Grade,
    Pledge,
    PledgeEvent,
    PledgeKind,
    PledgeRating,
    PledgeState,
    Post,
    RatingLevel,
)
from ..rules import P
from .common import require_at, require_own, text, today

MAX_HORIZON_DAYS = 366 * 2
MAX_PHOTO_BYTES = 8 * 1024 * 1024


def _event(pledge: Pledge, action: str, old: str, *, actor, note: str = "") -> PledgeEvent:
    return PledgeEvent.objects.create(pledge=pledge, action=action, from_state=old, to_state=pledge.state,
                                      actor=actor, actor_name=getattr(actor, "full_name", "") or str(actor or ""),
                                      note=note[:300])


def _lock(pledge: Pledge | int) -> Pledge:
    pk = pledge.pk if isinstance(pledge, Pledge) else pledge
    # of=self: the nullable joins (post, community, the parent organization) may not be locked on PostgreSQL.
    return (Pledge.objects.select_for_update(of=("self",))
            .select_related("member__org__region", "member__org__parent__region", "post", "community").get(pk=pk))


def _expect(p: Pledge, *states: str, doing: str) -> None:
    if p.state not in states:
        raise ValidationError(f"该承诺当前为“{p.get_state_display()}”，不能{doing}")


def branch_path(p: Pledge) -> str:
    return p.member.org.region.path


def superior_path(p: Pledge) -> str:
    """审诺 is the superior organization's: the parent of the member's organization (or, at the top, itself)."""
    org = p.member.org
    return (org.parent.region if org.parent_id else org.region).path


def community_path(p: Pledge) -> str:
    c = p.community or selectors.community_of(p.member.org.region)
    return (c or p.member.org.region).path


def _due(value) -> date:
    if not isinstance(value, date):
        raise ValidationError({"due_on": "请填写承诺完成日期"})
    if value < today():
        raise ValidationError({"due_on": "承诺完成日期不能早于今天"})
    if value > today() + timedelta(days=MAX_HORIZON_DAYS):
        raise ValidationError({"due_on": "承诺完成日期不能晚于两年以后"})
    return value


def _post_for(member: PartyMember, kind: str, post: Post | None) -> Post | None:
    if kind not in PledgeKind.values:
        raise ValidationError({"kind": "请选择承诺类型"})
    if kind == PledgeKind.POST:
        if post is None:
            raise ValidationError({"post": "岗位承诺请选择您所在的岗位"})
        if not member.post_claims.filter(post=post, status=ClaimStatus.CONFIRMED).exists():
            raise ValidationError({"post": "只能对已在岗的岗位作出岗位承诺"})
        return post
    return None


@transaction.atomic
def pledge_draft(*, actor, member: PartyMember, kind: str, title: str, content: str, due_on,
                 post: Post | None = None) -> Pledge:
    """申诺."""
    require_own(actor, member, "作出承诺")
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError("只有在册党员可以作出承诺")
    post = _post_for(member, kind, post)
    communities = selectors.member_communities(member)
    community = selectors.community_of(post.region) if post else (communities[0] if communities else None)
    p = Pledge.objects.create(member=member, kind=kind, post=post, community=community,
                              title=text(title, "title", "承诺事项", max_len=100),
                              content=text(content, "content", "承诺内容", max_len=1000), due_on=_due(due_on))
    _event(p, "申诺", "", actor=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=p, changes={"title": [None, p.title],
                                                                  "due_on": [None, p.due_on.isoformat()]})
    return p


@transaction.atomic
def pledge_revise(*, actor, pledge: Pledge, title: str, content: str, due_on) -> Pledge:
    """A returned (or not yet discussed) pledge is edited by its member and goes to 议诺 again."""
    p = _lock(pledge)
    require_own(actor, p.member, "修改承诺")
    _expect(p, PledgeState.DRAFT, doing="修改")
    p.title = text(title, "title", "承诺事项", max_len=100)
    p.content = text(content, "content", "承诺内容", max_len=1000)
    p.due_on = _due(due_on)
    p.returned_reason = ""
    p.save()
    _event(p, "修改承诺", PledgeState.DRAFT, actor=actor)
    record(actor=actor, action=AuditAction.UPDATE, obj=p, changes={"title": [None, p.title]})
    return p


@transaction.atomic
def pledge_deliberate(*, actor, pledge: Pledge, meeting_on, note: str = "") -> Pledge:
    """议诺: the branch discussed it at a meeting (date and opinion recorded)."""
    p = _lock(pledge)
    require_at(actor, P.MANAGE, branch_path(p), "组织议诺")
    _expect(p, PledgeState.DRAFT, doing="议诺")
    if not isinstance(meeting_on, date):
        raise ValidationError({"meeting_on": "请填写议诺会议日期"})
    if meeting_on > today():
        raise ValidationError({"meeting_on": "议诺会议日期不能晚于今天"})
    if meeting_on < p.created_at.date() - timedelta(days=1):
        raise ValidationError({"meeting_on": "议诺会议日期不能早于申诺日期"})
    old = p.state
    p.state, p.meeting_on = PledgeState.DELIBERATED, meeting_on
    p.meeting_note = text(note, "note", "会议意见", max_len=300, required=False)
    p.save()
    _event(p, "议诺", old, actor=actor, note=p.meeting_note)
    record(actor=actor, action=AuditAction.TRANSITION, obj=p, changes={"state": [old, p.state]})
    return p


@transaction.atomic
def pledge_review(*, actor, pledge: Pledge, approve: bool, reason: str = "") -> Pledge:
    """审诺: the superior organization approves, or returns it to the member with a reason."""
    p = _lock(pledge)
    require_at(actor, P.MANAGE, superior_path(p), "审诺（应由上级党组织审核）")
    _expect(p, PledgeState.DELIBERATED, doing="审诺")
    reason = text(reason, "reason", "退回原因", max_len=200, required=not approve)
    old = p.state
    if approve:
        p.state = PledgeState.APPROVED
    else:
        p.state, p.returned_reason = PledgeState.DRAFT, reason
    p.save()
    _event(p, "审诺" if approve else "退回", old, actor=actor, note=reason)
    record(actor=actor, action=AuditAction.TRANSITION, obj=p, changes={"state": [old, p.state]}, purpose=reason)
    if not approve and p.member.user_id:
        notify(recipients=[p.member.user], title=f"承诺被退回：{p.title}", body=f"退回原因：{reason}",
               link=reverse("vanguard:my"), source=p)
    return p


@transaction.atomic
def pledge_publish(*, actor, pledge: Pledge) -> Pledge:
    """示诺: on the 三亮 board."""
    p = _lock(pledge)
    require_at(actor, P.MANAGE, branch_path(p), "公开示诺")
    _expect(p, PledgeState.APPROVED, doing="公开示诺")
    old, p.state = p.state, PledgeState.PUBLISHED
    p.save()
    _event(p, "示诺", old, actor=actor)
    record(actor=actor, action=AuditAction.TRANSITION, obj=p, changes={"state": [old, p.state]})
    return p


def _hours(value) -> Decimal:
    try:
        h = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        raise ValidationError({"hours": "服务时长应为数字"}) from None
    if not Decimal(0) <= h <= Decimal(1000):
        raise ValidationError({"hours": "服务时长应在 0 到 1000 小时之间"})
    return h.quantize(Decimal("0.1"))


def _households(value) -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError({"households_reached": "服务户数应为整数"}) from None
    if not 0 <= n <= 100_000:
        raise ValidationError({"households_reached": "服务户数应在 0 到 100000 之间"})
    return n


@transaction.atomic
def pledge_fulfil(*, actor, pledge: Pledge, on, fulfilment: str, hours=0, households_reached=0,
                  photo=None) -> Pledge:
    """践诺: the member records what was done, with a photo, hours and households reached."""
    p = _lock(pledge)
    require_own(actor, p.member, "登记践诺")
    _expect(p, PledgeState.PUBLISHED, doing="登记践诺（须先经议诺、审诺并公开示诺）")
    if not isinstance(on, date):
        raise ValidationError({"on": "请填写践诺日期"})
    if on > today():
        raise ValidationError({"on": "践诺日期不能晚于今天"})
    if on < p.created_at.date() - timedelta(days=1):
        raise ValidationError({"on": "践诺日期不能早于申诺日期"})
    p.fulfilment = text(fulfilment, "fulfilment", "践诺情况", max_len=1000)
    p.hours, p.households_reached = _hours(hours), _households(households_reached)
    if photo is not None:
        check_image(photo, field="photo", label=f"践诺照片（{getattr(photo, 'name', '')}）",
                    formats=("JPEG", "PNG"), max_bytes=MAX_PHOTO_BYTES, max_pixels=40_000_000)
        p.photo.save("evidence.jpg", ContentFile(to_jpeg(photo, box=(1280, 1280))), save=False)
    old = p.state
    p.state, p.fulfilled_on = PledgeState.FULFILLED, on
    p.save()
    _event(p, "践诺", old, actor=actor, note=p.fulfilment[:300])
    record(actor=actor, action=AuditAction.TRANSITION, obj=p, changes={"state": [old, p.state],
                                                                      "hours": [None, str(p.hours)]})
    return p


@transaction.atomic
def pledge_rate(*, actor, pledge: Pledge, level: str, grade: str, raters: str, note: str = "") -> PledgeRating:
    """评诺 in layers: the branch first, then the community (which closes the cycle)."""
    p = _lock(pledge)
    if level not in RatingLevel.values:
        raise ValidationError({"level": "请选择评议层级"})
    if grade not in Grade.values:
        raise ValidationError({"grade": "请选择评议等次（好、较好、一般、差）"})
    path = branch_path(p) if level == RatingLevel.BRANCH else community_path(p)
    require_at(actor, P.MANAGE, path, f"{RatingLevel(level).label}")
    _expect(p, PledgeState.FULFILLED, doing="评诺")
    done = set(p.ratings.values_list("level", flat=True))
    if level in done:
        raise ValidationError({"level": f"该承诺已有{RatingLevel(level).label}，不能重复评议"})
    if level == RatingLevel.COMMUNITY and RatingLevel.BRANCH not in done:
        raise ValidationError({"level": "请先由支部评议，再由社区评议"})
    rating = PledgeRating.objects.create(pledge=p, level=level, grade=grade,
                                         raters=text(raters, "raters", "评议人", max_len=200),
                                         note=text(note, "note", "评议意见", max_len=300, required=False),
                                         rated_by=actor)
    old = p.state
    if level == RatingLevel.COMMUNITY:
        p.state = PledgeState.RATED
        p.save()
    _event(p, RatingLevel(level).label, old, actor=actor, note=f"{Grade(grade).label}：{rating.raters}")
    record(actor=actor, action=AuditAction.TRANSITION, obj=p,
           changes={"state": [old, p.state], level: [None, grade]})
    return rating


@transaction.atomic
def pledge_withdraw(*, actor, pledge: Pledge, reason: str = "") -> Pledge:
    p = _lock(pledge)
    require_own(actor, p.member, "撤回承诺")
    _expect(p, *OPEN_PLEDGE, doing="撤回")
    old, p.state = p.state, PledgeState.WITHDRAWN
    p.save()
    reason = text(reason, "reason", "撤回原因", max_len=200, required=False)
    _event(p, "撤回", old, actor=actor, note=reason)
    record(actor=actor, action=AuditAction.TRANSITION, obj=p, changes={"state": [old, p.state]}, purpose=reason)
    return p


def pledges_remind_overdue(*, now_day: date | None = None) -> int:
    """Flag overdue open pledges to their members (once a week at most); returns how many were reminded."""
    day = now_day or today()
    sent = 0
    qs = (Pledge.objects.filter(state__in=OPEN_PLEDGE, due_on__lt=day, member__user__isnull=False)
          .exclude(reminded_on__gt=day - timedelta(days=7)).select_related("member__user"))
    for p in qs.iterator():
        with transaction.atomic():
            notify(recipients=[p.member.user], title=f"承诺已逾期：{p.title}",
                   body=f"承诺完成日期 {p.due_on:%Y-%m-%d}，请尽快践诺并登记", link=reverse("vanguard:my"), source=p)
            Pledge.objects.filter(pk=p.pk).update(reminded_on=day)
        sent += 1
    return sent
