"""Reads that depend on who asks: every list filtered by the asker's scope, a member's own things by the
linked account only."""

from __future__ import annotations

from django.db.models import Count, F, Q

from accounts.scope import scope_filter, scope_q
from members.models import ACTIVE_STATUSES, Category, Decision, PartyMember
from regions import paths as tree_paths
from regions.models import Region, RegionKind

from .models import (
    OPEN_CLAIM,
    OPEN_PLEDGE,
    ClaimStatus,
    Pledge,
    PledgeState,
    Post,
    PostClaim,
    VanguardRules,
)
from .rules import P


def has_own_member(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and PartyMember.objects.filter(user=user).exists()


def community_of(region: Region | None) -> Region | None:
    """The community a node lies in (itself when it is one)."""
    if region is None:
        return None
    if region.kind == RegionKind.COMMUNITY:
        return region
    return Region.objects.filter(id__in=tree_paths.ancestor_ids(region.path), kind=RegionKind.COMMUNITY).first()


def member_communities(member: PartyMember) -> list[Region]:
    """Where a member may take a post or a zone: the community of their organization, every community
    that confirmed their 双报到 and, for members not in employment (retirees, …), the one they live in;
    an employed member serves where they live through 双报到."""
    found = {}
    regions = [member.org.region] + ([member.residence] if member.category != Category.EMPLOYED else [])
    for region in regions:
        c = community_of(region)
        if c is not None:
            found[c.pk] = c
    for reg in member.dual_registrations.filter(status=Decision.CONFIRMED).select_related("community"):
        found[reg.community_id] = reg.community
    return list(found.values())


def posts(user, perm: str = P.VIEW):
    return scope_filter(Post.objects.select_related("region", "org"), user, perm)


def posts_with_counts(qs):
    return qs.annotate(
        taken=Count("claims", filter=Q(claims__status=ClaimStatus.CONFIRMED)),
        pending=Count("claims", filter=Q(claims__status=ClaimStatus.PENDING)),
    ).annotate(vacant=F("capacity") - F("taken"))


def posts_open_to(member: PartyMember):
    """Active posts of the member's communities (and their grids)."""
    q = Q(pk__in=[])
    for c in member_communities(member):
        q |= Q(region__path__gte=c.path, region__path__lt=tree_paths.upper_bound(c.path))
    return posts_with_counts(Post.objects.filter(q, active=True).select_related("region"))


def claims(user, perm: str = P.VIEW):
    return scope_filter(PostClaim.objects.select_related("post__region", "member__org"), user, perm)


def members_without_post(user, perm: str = P.VIEW):
    """Active members of the scope holding no confirmed post."""
    qs = scope_filter(PartyMember.objects.filter(status__in=ACTIVE_STATUSES), user, perm)
    return qs.exclude(post_claims__status=ClaimStatus.CONFIRMED).select_related("org")


def pledges(user, perm: str = P.VIEW):
    """Pledges of the members of the scope's organizations and pledges served in the scope's communities."""
    qs = Pledge.objects.select_related("member__org__region", "member__org__parent__region", "post", "community")
    by_org = scope_q(user, perm, "member__org__region__path")
    if by_org is None:
        return qs
    return qs.filter(by_org | scope_q(user, perm, "community__path"))


def open_claims_of(member: PartyMember):
    return member.post_claims.filter(status__in=OPEN_CLAIM).select_related("post__region")


def overdue_pledges(qs, today):
    return qs.filter(state__in=OPEN_PLEDGE, due_on__lt=today)


def rules() -> VanguardRules:
    return VanguardRules.current()


STATE_ORDER = [PledgeState.DRAFT, PledgeState.DELIBERATED, PledgeState.APPROVED, PledgeState.PUBLISHED,
               PledgeState.FULFILLED, PledgeState.RATED]
