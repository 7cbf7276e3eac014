"""Reads of the network that depend on who asks (the scope), and the figures of its pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.scope import has_perm_at, scope_filter, scope_q
from core import treepaths
from meetings.selectors import Period, period_of
from regions.models import Region, RegionKind

from .models import (
    Committee,
    CommitteeKind,
    CommitteeMember,
    CompoundBody,
    CompoundBodyKind,
    CompoundBodyMember,
    CountyLeader,
    LeaderAssignment,
    LeaderProblem,
    LeaderVisit,
    NetworkRules,
    ProblemStatus,
    SocialOrg,
)
from .rules import P


def rules() -> NetworkRules:
    return NetworkRules.current()


def current_period(today: date) -> Period:
    """The visiting period that contains today (a quarter by default)."""
    return period_of(today, rules().visit_months or 3)


def can(actor, perm: str, region: Region) -> bool:
    return has_perm_at(actor, perm, region.path)


def regions(actor, kind: str, perm: str = P.VIEW) -> QuerySet[Region]:
    return scope_filter(Region.objects.filter(kind=kind), actor, perm, "path").select_related("parent").order_by("path")


def communities(actor, perm: str = P.VIEW) -> QuerySet[Region]:
    return regions(actor, RegionKind.COMMUNITY, perm)


# --- county leaders ---------------------------------------------------------------------------

def leaders(actor, perm: str = P.VIEW) -> QuerySet[CountyLeader]:
    """Leaders of a county in the scope, and leaders assigned to a community in the scope."""
    q_region = scope_q(actor, perm, "region__path")
    if q_region is None:
        return CountyLeader.objects.select_related("region", "user")
    q_assigned = scope_q(actor, perm, "community__path")
    if not q_region:
        return CountyLeader.objects.none()
    assigned = LeaderAssignment.objects.filter(q_assigned, leader=OuterRef("pk"))
    return CountyLeader.objects.filter(q_region | Q(Exists(assigned))).select_related("region", "user")


def assignments(actor, perm: str = P.VIEW) -> QuerySet[LeaderAssignment]:
    return scope_filter(LeaderAssignment.objects.select_related("leader", "community", "community__parent"),
                        actor, perm)


def visits(actor, perm: str = P.VIEW) -> QuerySet[LeaderVisit]:
    return scope_filter(LeaderVisit.objects.select_related("leader", "community", "community__parent", "meeting",
                                                           "recorded_by"), actor, perm)


def problems(actor, perm: str = P.VIEW) -> QuerySet[LeaderProblem]:
    return scope_filter(LeaderProblem.objects.select_related("leader", "community", "community__parent", "visit"),
                        actor, perm)


def overdue_problems(actor, today: date) -> QuerySet[LeaderProblem]:
    return problems(actor).exclude(status=ProblemStatus.RESOLVED).filter(deadline__lt=today).order_by("deadline", "id")


@dataclass
class Unvisited:
    assignment: LeaderAssignment
    last_visit: date | None


def unvisited(actor, today: date) -> list[Unvisited]:
    """Each active assignment of the scope whose leader has not visited the community in the current
    period (a quarter), with the last visit before it."""
    period = current_period(today)
    visited = LeaderVisit.objects.filter(leader=OuterRef("leader"), community=OuterRef("community"),
                                         date__gte=period.start, date__lte=period.end)
    rows = (assignments(actor).filter(ended_on__isnull=True, leader__active=True, since__lte=period.end)
            .exclude(Exists(visited)).order_by("leader__name", "leader_id", "community__path"))
    rows = list(rows)
    last = {}
    for leader_id, community_id, d in (LeaderVisit.objects.filter(
            leader_id__in={a.leader_id for a in rows}, community_id__in={a.community_id for a in rows})
            .values_list("leader_id", "community_id", "date")):
        key = (leader_id, community_id)
        last[key] = max(last.get(key, d), d)
    return [Unvisited(a, last.get((a.leader_id, a.community_id))) for a in rows]


@dataclass
class LeaderRow:
    leader: CountyLeader
    communities: list[Region]
    visits_this_period: int
    last_visit: date | None
    open_problems: int


def leader_rows(actor, leader_list: list[CountyLeader], today: date) -> list[LeaderRow]:
    period = current_period(today)
    ids = [x.pk for x in leader_list]
    comms: dict[int, list[Region]] = {}
    for a in assignments(actor).filter(leader_id__in=ids, ended_on__isnull=True).order_by("community__path"):
        comms.setdefault(a.leader_id, []).append(a.community)
    vs = visits(actor).filter(leader_id__in=ids)
    in_period = dict(vs.filter(date__gte=period.start, date__lte=period.end).values("leader")
                     .annotate(n=Count("id")).values_list("leader", "n"))
    last: dict[int, date] = {}
    for leader_id, d in vs.values_list("leader_id", "date"):
        last[leader_id] = max(last.get(leader_id, d), d)
    open_p = dict(problems(actor).filter(leader_id__in=ids).exclude(status=ProblemStatus.RESOLVED)
                  .values("leader").annotate(n=Count("id")).values_list("leader", "n"))
    return [LeaderRow(x, comms.get(x.pk, []), in_period.get(x.pk, 0), last.get(x.pk), open_p.get(x.pk, 0))
            for x in leader_list]


# --- the overview per community -----------------------------------------------------------------

@dataclass
class CommunityRow:
    region: Region
    leaders: int = 0
    limit: int = 3
    visited_leaders: int = 0
    open_problems: int = 0
    overdue_problems: int = 0
    member_units: int = 0
    compounds: int = 0
    covered: int = 0
    with_party_org: int = 0
    with_cross: int = 0
    social_orgs: int = 0

    @property
    def leaders_ok(self) -> bool:
        return self.leaders == self.limit

    @property
    def unvisited(self) -> int:
        return max(self.leaders - self.visited_leaders, 0)


def _by(qs, key: str) -> dict[int, int]:
    return dict(qs.values(key).annotate(n=Count("id", distinct=True)).values_list(key, "n"))


def compound_counts(community_list: list[Region]) -> dict[int, dict[str, int]]:
    """Per community: its compounds, those with an owners' committee or property firm (covered), those
    where one of them has a Party organization, those with someone appointed across (交叉任职)."""
    out = {c.pk: {"compounds": 0, "covered": 0, "with_party_org": 0, "with_cross": 0} for c in community_list}
    if not community_list:
        return out
    by_path = sorted(community_list, key=lambda c: c.path)
    compounds = Region.objects.filter(treepaths.under_any("path", [c.path for c in by_path]),
                                      kind=RegionKind.COMPOUND)
    bodies = CompoundBody.objects.filter(compound=OuterRef("pk"))
    compounds = compounds.annotate(
        covered=Exists(bodies),
        party=Exists(bodies.filter(party_org__isnull=False)),
        cross=Exists(CompoundBodyMember.objects.filter(body__compound=OuterRef("pk")).exclude(community_post="")),
    ).values_list("path", "covered", "party", "cross")
    for path, covered, party, cross in compounds:
        c = next((c for c in by_path if treepaths.is_under(path, c.path)), None)
        if c is None:
            continue
        row = out[c.pk]
        row["compounds"] += 1
        row["covered"] += int(covered)
        row["with_party_org"] += int(party)
        row["with_cross"] += int(cross)
    return out


def community_rows(actor, today: date) -> list[CommunityRow]:
    comms = list(communities(actor))
    ids = [c.pk for c in comms]
    period = current_period(today)
    limit = rules().leaders_per_community
    active = LeaderAssignment.objects.filter(community_id__in=ids, ended_on__isnull=True)
    n_leaders = _by(active, "community")
    visited_leaders = dict(LeaderVisit.objects.filter(community_id__in=ids, date__gte=period.start,
                                                      date__lte=period.end).values("community")
                           .annotate(n=Count("leader", distinct=True)).values_list("community", "n"))
    open_q = LeaderProblem.objects.filter(community_id__in=ids).exclude(status=ProblemStatus.RESOLVED)
    n_open = _by(open_q, "community")
    n_overdue = _by(open_q.filter(deadline__lt=today), "community")
    units = _by(CommitteeMember.objects.filter(committee__region_id__in=ids, committee__kind=CommitteeKind.COMMUNITY,
                                               term_start__lte=today).exclude(term_end__lt=today),
                "committee__region")
    orgs = _by(SocialOrg.objects.filter(community_id__in=ids), "community")
    cc = compound_counts(comms)
    return [CommunityRow(c, n_leaders.get(c.pk, 0), limit, visited_leaders.get(c.pk, 0), n_open.get(c.pk, 0),
                         n_overdue.get(c.pk, 0), units.get(c.pk, 0), social_orgs=orgs.get(c.pk, 0), **cc[c.pk])
            for c in comms]


def community_totals(rows: list[CommunityRow]) -> dict[str, int]:
    keys = ["leaders", "visited_leaders", "open_problems", "overdue_problems", "member_units", "compounds",
            "covered", "with_party_org", "with_cross", "social_orgs"]
    return {k: sum(getattr(r, k) for r in rows) for k in keys}


@dataclass
class CommunityNetwork:
    region: Region
    limit: int
    period: Period
    leaders: list = field(default_factory=list)  # (assignment, visits this period)
    visits: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def community_network(actor, community: Region, today: date) -> CommunityNetwork:
    period = current_period(today)
    active = list(assignments(actor).filter(community=community, ended_on__isnull=True).order_by("since", "id"))
    vs = list(visits(actor).filter(community=community)[:200])
    per = {}
    for v in vs:
        if period.start <= v.date <= period.end:
            per[v.leader_id] = per.get(v.leader_id, 0) + 1
    return CommunityNetwork(community, rules().leaders_per_community, period,
                            [(a, per.get(a.leader_id, 0)) for a in active], vs,
                            list(problems(actor).filter(community=community).order_by("status", "deadline")))


# --- 委员制, compounds, social organizations -------------------------------------------------------

def committees(actor, perm: str = P.VIEW) -> QuerySet[Committee]:
    return scope_filter(Committee.objects.select_related("region", "region__parent"), actor, perm).annotate(
        n_members=Count("members"))


def committee_members(committee: Committee) -> QuerySet[CommitteeMember]:
    return committee.members.select_related("unit", "unit_community").order_by("term_start", "id")


def compound_bodies(actor, perm: str = P.VIEW) -> QuerySet[CompoundBody]:
    return scope_filter(CompoundBody.objects.select_related("compound", "compound__parent", "party_org")
                        .annotate(n_members=Count("members"),
                                  n_cross=Count("members", filter=~Q(members__community_post=""))),
                        actor, perm)


def compounds(actor, perm: str = P.VIEW) -> QuerySet[Region]:
    return regions(actor, RegionKind.COMPOUND, perm)


def social_orgs(actor, perm: str = P.VIEW) -> QuerySet[SocialOrg]:
    return scope_filter(SocialOrg.objects.select_related("community", "community__parent", "party_org")
                        .prefetch_related("stages", "guides"), actor, perm)


def body_kinds() -> list:
    return list(CompoundBodyKind)
