"""Reads that depend on who asks: every list filtered by the asker's scope, a member's own things by the
linked account only."""

from __future__ import annotations

from django.db.models import Count, F, Q

from accounts.scope import scope_filter, scope_q
from core import treepaths as tree_paths
from members.models import ACTIVE_STATUSES, Category, Decision, PartyMember
from members.selectors import has_own_record
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
    """Whether the account is linked to a Party member record (one query a request, shared with 我的档案)."""
    return bool(getattr(user, "is_authenticated", False)) and has_own_record(user)


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
    q = tree_paths.under_any("region__path", [c.path for c in member_communities(member)])
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


# ---------------------------------------------------------------- zones


def zones(user, perm: str = P.VIEW):
    from .models import Zone

    return scope_filter(Zone.objects.select_related("community"), user, perm).annotate(
        household_count=Count("households", distinct=True), member_count=Count("members", distinct=True))


def zones_short_of_members(qs):
    r = rules()
    return qs.filter(Q(member_count__lt=r.zone_min_members) | Q(member_count__gt=r.zone_max_members))


def households_without_zone(user, perm: str = P.VIEW):
    """Active households of the scope that lie in no zone."""
    from grid.models import Household, HouseholdStatus

    return scope_filter(Household.objects.filter(status=HouseholdStatus.ACTIVE, zone_link__isnull=True), user, perm)


def silent_zone_members(user, today, perm: str = P.VIEW):
    """Members in charge of a zone of the scope with no contact logged for `zone_contact_weeks` weeks."""
    from datetime import timedelta

    from django.db.models import Exists, OuterRef

    from .models import ZoneContact, ZoneMember

    since = today - timedelta(weeks=rules().zone_contact_weeks)
    recent = ZoneContact.objects.filter(member=OuterRef("member"), zone=OuterRef("zone"), on__gte=since)
    return (scope_filter(ZoneMember.objects.all(), user, perm, "zone__community__path")
            .filter(zone__active=True).exclude(Exists(recent)).select_related("member", "zone"))


def my_zone_households(member):
    """The households of the zones a member is in charge of, each with the member's last contact; the member
    sees addresses, head of household and size, as on the grid worker's list (no ID or phone numbers)."""
    from django.db.models import Max

    from grid.models import Household

    from .models import ZoneContact

    households = list(Household.objects.filter(zone_link__zone__members__member=member)
                      .select_related("house", "zone_link__zone").order_by("house__address")[:500])
    last = dict(ZoneContact.objects.filter(member=member, household__in=households).values("household_id")
                .annotate(last=Max("on")).values_list("household_id", "last"))
    for h in households:
        h.last_contact = last.get(h.pk)
    return households


# ---------------------------------------------------------------- facts for the points ledger


def point_facts(year: int, member_ids=None):
    """The recorded facts of a year that earn points, as (fact, id, member id, quantity, day, label):
    fulfilled pledges (not rated 差), confirmed volunteer hours, zone contacts and approved service stars.
    Read by the points ledger (an app above this one); a fact that is undone disappears from here."""
    from datetime import date
    from decimal import Decimal

    from django.db.models import Exists, OuterRef

    from .models import DONE_PLEDGE, Grade, PledgeRating, ServiceStar, SignUp, StarState, ZoneContact

    def mine(qs, field="member_id"):
        return qs if member_ids is None else qs.filter(**{f"{field}__in": member_ids})

    poor = PledgeRating.objects.filter(pledge=OuterRef("pk"), grade=Grade.POOR)
    for pk, member_id, on, title in mine(Pledge.objects.filter(state__in=DONE_PLEDGE, fulfilled_on__year=year)
                                         .exclude(Exists(poor))).values_list("pk", "member_id", "fulfilled_on",
                                                                             "title").iterator():
        yield ("pledge", pk, member_id, Decimal(1), on, f"践诺：{title}"[:200])
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    for pk, member_id, hours, at, title in mine(SignUp.objects.filter(
            hours__gt=0, member__isnull=False, activity__starts_at__date__gte=start,
            activity__starts_at__date__lt=end)).values_list("pk", "member_id", "hours", "activity__starts_at",
                                                            "activity__title").iterator():
        yield ("volunteer", pk, member_id, hours, at.date(), f"志愿服务：{title}（{hours.normalize():f} 小时）"[:200])
    for pk, member_id, on, zone in mine(ZoneContact.objects.filter(on__year=year)).values_list(
            "pk", "member_id", "on", "zone__name").iterator():
        yield ("zone_contact", pk, member_id, Decimal(1), on, f"责任区联系住户：{zone}"[:200])
    stars = mine(ServiceStar.objects.filter(year=year, state=StarState.APPROVED))
    for pk, member_id, q in stars.values_list("pk", "member_id", "quarter").iterator():
        yield ("star", pk, member_id, Decimal(1), date(year, 3 * q, 1), f"{year}年第{q}季度服务标兵"[:200])


# ---------------------------------------------------------------- stars, 三亮 and the community's view


def quarter_range(year: int, quarter: int):
    from datetime import date

    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, end


def quarter_stats(members, year: int, quarter: int) -> dict:
    """Per member: pledges fulfilled, zone contacts and confirmed volunteer hours in the quarter."""
    from decimal import Decimal

    from django.db.models import Sum

    from .models import DONE_PLEDGE, SignUp, ZoneContact

    start, end = quarter_range(year, quarter)
    ids = [m.pk for m in members]
    out = {pk: {"fulfilled": 0, "contacts": 0, "hours": Decimal(0)} for pk in ids}
    for row in (Pledge.objects.filter(member_id__in=ids, state__in=DONE_PLEDGE, fulfilled_on__gte=start,
                                      fulfilled_on__lt=end).values("member_id").annotate(n=Count("id"))):
        out[row["member_id"]]["fulfilled"] = row["n"]
    for row in (ZoneContact.objects.filter(member_id__in=ids, on__gte=start, on__lt=end)
                .values("member_id").annotate(n=Count("id"))):
        out[row["member_id"]]["contacts"] = row["n"]
    for row in (SignUp.objects.filter(member_id__in=ids, hours__gt=0, activity__starts_at__date__gte=start,
                                      activity__starts_at__date__lt=end).values("member_id").annotate(h=Sum("hours"))):
        out[row["member_id"]]["hours"] = row["h"] or Decimal(0)
    return out


def star_shortfalls(stats) -> list[str]:
    """What a member lacks against the service-star criteria (rules as data); empty when they qualify."""
    r = rules()
    stats = stats or {"fulfilled": 0, "contacts": 0, "hours": 0}
    short = []
    if stats["fulfilled"] < r.star_min_fulfilled:
        short.append(f"践诺 {stats['fulfilled']} 件，应至少 {r.star_min_fulfilled} 件")
    if stats["contacts"] < r.star_min_contacts:
        short.append(f"联系住户 {stats['contacts']} 次，应至少 {r.star_min_contacts} 次")
    if stats["hours"] < r.star_min_hours:
        short.append(f"志愿服务 {stats['hours']:g} 小时，应至少 {r.star_min_hours:g} 小时")
    return short


def community_members(community: Region):
    """Active members who serve in a community: of an organization in it, or registered with it (双报到)."""
    c = community
    within = tree_paths.under("org__region__path", c.path)
    registered = Q(dual_registrations__community=c, dual_registrations__status=Decision.CONFIRMED)
    return PartyMember.objects.filter(within | registered, status__in=ACTIVE_STATUSES).distinct()


def current_consent(member_ids) -> dict:
    """The latest 三亮 consent of each member: {member id: (show_name, show_photo)}."""
    from .models import PublicityConsent

    out = {}
    for m, name, photo in (PublicityConsent.objects.filter(member_id__in=member_ids)
                           .order_by("member_id", "-at", "-id").values_list("member_id", "show_name", "show_photo")):
        out.setdefault(m, (name, photo))
    return out


def sanliang_board(community: Region):
    """The public 三亮 board of a community: members with a post or a published pledge (亮身份), their
    pledges from 示诺 on (亮承诺), results and the approved service stars (亮业绩). Names and photos only
    where the member consented; otherwise the name is masked and no photo is shown."""
    from core.masking import mask_name

    from .models import DONE_PLEDGE, ServiceStar, StarState

    shown = [PledgeState.PUBLISHED, *DONE_PLEDGE]
    pledges = (Pledge.objects.filter(community=community, state__in=shown).select_related("member", "post")
               .prefetch_related("ratings").order_by("-updated_at")[:200])
    posts = (PostClaim.objects.filter(tree_paths.under("post__region__path", community.path),
                                      status=ClaimStatus.CONFIRMED)
             .select_related("post", "member"))
    people: dict[int, dict] = {}

    def person(m):
        return people.setdefault(m.pk, {"member": m, "posts": [], "pledges": [], "stars": []})

    for c in posts:
        person(c.member)["posts"].append(c.post)
    for p in pledges:
        person(p.member)["pledges"].append(p)
    stars = (ServiceStar.objects.filter(community=community, state=StarState.APPROVED).select_related("member")
             .order_by("-year", "-quarter")[:40])
    consent = current_consent(list(people) + [s.member_id for s in stars])
    for pk, d in people.items():
        show_name, show_photo = consent.get(pk, (False, False))
        d["name"] = d["member"].name if show_name else mask_name(d["member"].name)
        d["photo"] = show_photo and bool(d["member"].photo)
    star_rows = [(s, s.member.name if consent.get(s.member_id, (False, False))[0] else mask_name(s.member.name))
                 for s in stars]
    return sorted(people.values(), key=lambda d: (-len(d["pledges"]), d["member"].name_pinyin)), star_rows


def members_short(community: Region, year: int):
    """The community's view (seed 004): members living here who never registered (双报到), and members
    serving here with no post, no pledge this year or no volunteer hours this year."""
    from datetime import date

    from .models import SignUp

    c = community
    here = tree_paths.under("residence__path", c.path)
    in_org = tree_paths.under("org__region__path", c.path)
    registered = Q(dual_registrations__community=c,
                   dual_registrations__status__in=[Decision.CONFIRMED, Decision.PENDING])
    not_registered = (PartyMember.objects.filter(here, status__in=ACTIVE_STATUSES, category=Category.EMPLOYED)
                      .exclude(in_org).exclude(registered).select_related("org").distinct())
    serving = community_members(c)
    no_post = serving.exclude(post_claims__status=ClaimStatus.CONFIRMED)
    no_pledge = serving.exclude(pledges__created_at__year=year)
    with_hours = SignUp.objects.filter(hours__gt=0, member__isnull=False,
                                       activity__starts_at__date__gte=date(year, 1, 1),
                                       activity__starts_at__date__lt=date(year + 1, 1, 1)).values("member_id")
    no_hours = serving.exclude(pk__in=with_hours)
    return {"not_registered": not_registered, "no_post": no_post, "no_pledge": no_pledge, "no_hours": no_hours}
