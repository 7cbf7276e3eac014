"""设岗定责: posts as data, members choose (选岗), the community approves (定岗)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from core.treepaths import is_under
from members.models import ACTIVE_STATUSES, PartyMember
from orgs.models import PartyOrg
from regions.models import Region, RegionKind

from .. import selectors
from ..models import ClaimStatus, Post, PostClaim, PostKind
from ..rules import P
from .common import require_at, require_own, text

POST_REGION_KINDS = (RegionKind.COMMUNITY, RegionKind.GRID)
MAX_CAPACITY = 200


def _capacity(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"capacity": "名额应为整数"}) from None
    if not 1 <= n <= MAX_CAPACITY:
        raise ValidationError({"capacity": f"名额应在 1 到 {MAX_CAPACITY} 之间"})
    return n


@transaction.atomic
def post_create(*, actor, region: Region, kind: str, title: str, duties: str, capacity,
                org: PartyOrg | None = None) -> Post:
    if region.kind not in POST_REGION_KINDS:
        raise ValidationError({"region": "岗位应设在社区或网格"})
    require_at(actor, P.MANAGE, region.path, f"在“{region}”设岗")
    if kind not in PostKind.values:
        raise ValidationError({"kind": "请选择岗位类别"})
    if org is not None and not is_under(org.region.path, selectors.community_of(region).path):
        raise ValidationError({"org": "设岗党组织应在本社区"})
    post = Post.objects.create(region=region, org=org, kind=kind, title=text(title, "title", "岗位名称", max_len=60),
                               duties=text(duties, "duties", "岗位职责", max_len=1000),
                               capacity=_capacity(capacity), created_by=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=post,
           changes={"title": [None, post.title], "capacity": [None, post.capacity]})
    return post


@transaction.atomic
def post_update(*, actor, post: Post, title: str, duties: str, capacity, active: bool = True) -> Post:
    post = Post.objects.select_for_update().select_related("region").get(pk=post.pk)
    require_at(actor, P.MANAGE, post.region.path, f"修改“{post}”")
    capacity = _capacity(capacity)
    taken = post.claims.filter(status=ClaimStatus.CONFIRMED).count()
    if capacity < taken:
        raise ValidationError({"capacity": f"名额不能少于已在岗的 {taken} 人"})
    before = {"title": post.title, "capacity": post.capacity, "active": post.active}
    post.title = text(title, "title", "岗位名称", max_len=60)
    post.duties = text(duties, "duties", "岗位职责", max_len=1000)
    post.capacity, post.active = capacity, bool(active)
    post.save()
    after = {"title": post.title, "capacity": post.capacity, "active": post.active}
    record(actor=actor, action=AuditAction.UPDATE, obj=post,
           changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return post


def _check_room(post: Post, member: PartyMember, *, counting_pending: bool) -> None:
    statuses = [ClaimStatus.CONFIRMED] + ([ClaimStatus.PENDING] if counting_pending else [])
    taken = post.claims.filter(status=ClaimStatus.CONFIRMED).count()
    if taken >= post.capacity:
        raise ValidationError({"post": f"“{post.title}”名额已满（{post.capacity} 人）"})
    limit = selectors.rules().posts_per_member
    held = member.post_claims.filter(status__in=statuses).exclude(post=post).count()
    if held >= limit:
        raise ValidationError({"post": f"每名党员最多认领 {limit} 个岗位（一人一职），请先离开现有岗位"})


@transaction.atomic
def post_claim(*, actor, post: Post, member: PartyMember, note: str = "") -> PostClaim:
    """The member chooses a post of a community they belong to, live in or registered with."""
    require_own(actor, member, "认领岗位")
    post = Post.objects.select_for_update().select_related("region").get(pk=post.pk)
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    if member.status not in ACTIVE_STATUSES:
        raise ValidationError("只有在册党员可以认领岗位")
    if not post.active:
        raise ValidationError({"post": "该岗位已停用"})
    if not any(is_under(post.region.path, c.path) for c in selectors.member_communities(member)):
        raise ValidationError({"post": "只能认领所在党组织、居住地或已报到社区的岗位，请先向居住地社区报到"})
    if member.post_claims.filter(post=post, status__in=[ClaimStatus.PENDING, ClaimStatus.CONFIRMED]).exists():
        raise ValidationError({"post": "您已认领该岗位（或正在等待审核）"})
    _check_room(post, member, counting_pending=True)
    claim = PostClaim.objects.create(post=post, member=member, note=text(note, "note", "认岗说明", max_len=200,
                                                                         required=False))
    record(actor=actor, action=AuditAction.CREATE, obj=claim, changes={"post": [None, post.title]})
    return claim


@transaction.atomic
def post_claim_decide(*, actor, claim: PostClaim, confirm: bool, reason: str = "") -> PostClaim:
    claim = PostClaim.objects.select_for_update().select_related("post__region", "member").get(pk=claim.pk)
    require_at(actor, P.MANAGE, claim.post.region.path, f"审核“{claim.post}”的认岗")
    if claim.status != ClaimStatus.PENDING:
        raise ValidationError("该认岗申请已处理，不能重复处理")
    reason = text(reason, "reason", "退回原因", max_len=200, required=not confirm)
    if confirm:
        Post.objects.select_for_update().get(pk=claim.post_id)
        _check_room(claim.post, claim.member, counting_pending=False)
    old = claim.status
    claim.status = ClaimStatus.CONFIRMED if confirm else ClaimStatus.RETURNED
    claim.reason, claim.decided_by, claim.decided_at = reason, actor, timezone.now()
    claim.save()
    record(actor=actor, action=AuditAction.TRANSITION, obj=claim, changes={"status": [old, claim.status]},
           purpose=reason)
    return claim


@transaction.atomic
def post_leave(*, actor, claim: PostClaim, reason: str = "") -> PostClaim:
    """The member leaves a post (or staff end it): the place opens again."""
    claim = PostClaim.objects.select_for_update().select_related("post__region", "member").get(pk=claim.pk)
    if not (claim.member.user_id == getattr(actor, "pk", None)):
        require_at(actor, P.MANAGE, claim.post.region.path, f"调整“{claim.post}”的在岗党员")
    if claim.status not in (ClaimStatus.PENDING, ClaimStatus.CONFIRMED):
        raise ValidationError("该岗位已离开，不能重复操作")
    old = claim.status
    claim.status, claim.reason = ClaimStatus.ENDED, text(reason, "reason", "说明", max_len=200, required=False)
    claim.decided_at = timezone.now()
    claim.save()
    record(actor=actor, action=AuditAction.TRANSITION, obj=claim, changes={"status": [old, claim.status]})
    return claim
