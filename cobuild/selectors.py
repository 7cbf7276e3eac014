"""Reads of co-building that depend on who asks: the territorial scope, plus the unit restriction
for a resident-unit liaison (who sees only their own unit's records)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accounts.scope import get_in_scope_or_404, scope_filter, scope_paths
from core import treepaths as tree_paths
from core.treepaths import is_under
from members.selectors import deed_quota
from regions.models import Region, RegionKind

from .models import (
    Agreement,
    ChronicleEntry,
    CobuildRules,
    Criticism,
    Deed,
    DeedMember,
    Need,
    NeedStatus,
    Pairing,
    Project,
    ResidentUnit,
    Resource,
    StarRating,
)
from .rules import P, unit_only


def rules() -> CobuildRules:
    obj = CobuildRules.objects.order_by("pk").first()
    return obj or CobuildRules.objects.create()


def scoped(qs: QuerySet, actor, unit_field: str | None, perm: str = P.VIEW) -> QuerySet:
    """The territorial scope by the record's own community (`scope_path_field`); for a user whose
    only co-building role is the liaison: the records of their own units, in every community the
    unit serves (and nothing where there is no unit)."""
    if unit_only(actor):
        if unit_field is None:
            return qs.none()
        return qs.filter(**{f"{unit_field}__liaison": actor})
    return scope_filter(qs, actor, perm)


def units(actor, perm: str = P.VIEW) -> QuerySet[ResidentUnit]:
    """Units seen by `actor`: those with an agreement signed at a node of the actor's scope, or
    located in it; a liaison sees their own units."""
    qs = ResidentUnit.objects.select_related("region", "region__parent", "party_org", "liaison")
    if unit_only(actor):
        return qs.filter(liaison=actor)
    roots = scope_paths(actor, perm)
    if roots is None:
        return qs
    return qs.serving_any(roots)


def unit_get(actor, pk, perm: str = P.VIEW) -> ResidentUnit:
    return get_in_scope_or_404(units(actor, perm), pk=pk)


def all_units() -> QuerySet[ResidentUnit]:
    """Every unit by name, to sign an agreement with an organization already registered elsewhere
    (names and kinds only: a unit is an organization, not personal data)."""
    return ResidentUnit.objects.select_related("region").order_by("name")


def agreements(actor) -> QuerySet[Agreement]:
    return scoped(Agreement.objects.select_related("unit", "region"), actor, "unit")


def agreement_get(actor, pk) -> Agreement:
    return get_in_scope_or_404(agreements(actor), pk=pk)


def unit_links(actor) -> QuerySet:
    """(unit, community) pairs of the actor's scope: one per unit and community with an agreement
    (seed 000's “188个驻区单位与社区结对” counts these)."""
    return agreements(actor).values("unit_id", "region_id").distinct().order_by()


def unit_link_count(actor) -> int:
    return unit_links(actor).count()


def needs(actor) -> QuerySet[Need]:
    return scoped(Need.objects.select_related("region", "agreement", "agreement__unit"), actor, "agreement__unit")


def need_get(actor, pk) -> Need:
    return get_in_scope_or_404(needs(actor), pk=pk)


def resources(actor) -> QuerySet[Resource]:
    return scoped(Resource.objects.select_related("unit", "region"), actor, "unit")


def projects(actor) -> QuerySet[Project]:
    return scoped(Project.objects.select_related("region", "unit", "need", "resource"), actor, "unit")


def project_get(actor, pk) -> Project:
    return get_in_scope_or_404(projects(actor), pk=pk)


def deeds(actor) -> QuerySet[Deed]:
    return scoped(Deed.objects.select_related("unit", "region", "project"), actor, "unit")


def deed_get(actor, pk) -> Deed:
    return get_in_scope_or_404(deeds(actor), pk=pk)


def pairings(actor) -> QuerySet[Pairing]:
    return scoped(Pairing.objects.select_related("region", "unit").annotate(n_visits=Count("visits"))
                   .order_by("-since", "-id"), actor, "unit")


def criticisms(actor) -> QuerySet[Criticism]:
    return scoped(Criticism.objects.select_related("unit", "region"), actor, "unit")


def chronicle(actor) -> QuerySet[ChronicleEntry]:
    return scoped(ChronicleEntry.objects.select_related("region"), actor, None)


def star_ratings(actor, year: int) -> QuerySet[StarRating]:
    return scoped(StarRating.objects.select_related("unit", "region", "overridden_by"), actor, "unit") \
        .filter(year=year)


@dataclass
class UnitCommunity:
    """What a unit does in one community it serves: the agreements signed there, its deeds of the
    year and its star rating there."""

    region: Region
    agreements: list
    deeds: int
    rating: StarRating | None


def unit_communities(actor, unit: ResidentUnit, year: int) -> list[UnitCommunity]:
    """The communities a unit serves that the actor may see (the liaison: all of them), each
    with its own agreements, deeds and stars."""
    agr = list(agreements(actor).filter(unit=unit).select_related("region__parent").order_by("region__path", "-start"))
    deed_n = dict(deeds(actor).filter(unit=unit, date__year=year).values("region_id").annotate(n=Count("id"))
                  .values_list("region_id", "n").order_by())
    ratings = {r.region_id: r for r in star_ratings(actor, year).filter(unit=unit)}
    out: dict[int, UnitCommunity] = {}
    for a in agr:
        out.setdefault(a.region_id, UnitCommunity(a.region, [], deed_n.get(a.region_id, 0),
                                                  ratings.get(a.region_id))).agreements.append(a)
    return list(out.values())


def public_five_stars(year: int) -> QuerySet[StarRating]:
    """Five-star units of a year, for the public page (no personal data; disqualified units left out)."""
    return (StarRating.objects.filter(year=year, stars=5, disqualified=False)
            .select_related("unit", "region", "region__parent").order_by("region__path", "unit__name"))


def communities(actor, perm: str = P.EDIT) -> QuerySet[Region]:
    return scope_filter(Region.objects.filter(kind__in=[RegionKind.COMMUNITY, RegionKind.STREET]), actor, perm)


# --- matching ---------------------------------------------------------------------------------

@dataclass
class Proposal:
    resource: Resource
    nearness: str  # 本社区 / 本街道
    enough: bool


def proposals(need: Need, limit: int = 20) -> list[Proposal]:
    """Resources proposed for a need: same kind, available, with capacity; same community first,
    then the rest of the same street; within each, those covering the whole need first."""
    if need.status != NeedStatus.OPEN:
        return []
    community = need.region
    street_path = community.path[: -tree_paths.SEGMENT] if community.kind == RegionKind.COMMUNITY else community.path
    qs = (Resource.objects.filter(kind=need.kind, available=True, capacity__gt=0)
          .filter(tree_paths.under("region__path", street_path))
          .select_related("unit", "region"))
    result = []
    for r in qs:
        same = is_under(r.region.path, community.path)
        result.append(Proposal(r, "本社区" if same else "本街道", r.capacity >= need.quantity))
    result.sort(key=lambda p: (p.nearness != "本社区", not p.enough, -p.resource.capacity, p.resource.pk))
    return result[:limit]


def unmatched_needs(actor) -> QuerySet[Need]:
    return needs(actor).filter(status=NeedStatus.OPEN).order_by("created_at")


def idle_resources(actor) -> QuerySet[Resource]:
    """Available resources with capacity that no project uses yet."""
    return resources(actor).filter(available=True, capacity__gt=0, projects__isnull=True).order_by("created_at")


# --- yearly rules: who falls short -------------------------------------------------------------

@dataclass
class UnitShortfall:
    unit: ResidentUnit
    region: Region
    deeds: int
    team_services: int
    short_deeds: bool
    short_team: bool


@dataclass
class MemberLine:
    member_id: int | None
    name: str
    deeds: int
    hours: Decimal
    counted: int
    short: bool


def unit_year_counts(unit_ids: list[int], year: int) -> dict[tuple[int, int], dict[str, int]]:
    """Deeds and volunteer-team services of the year per (unit, community)."""
    rows = (Deed.objects.filter(unit_id__in=unit_ids, date__year=year).values("unit_id", "region_id")
            .annotate(n=Count("id"), team=Count("id", filter=Q(team_service=True))).order_by())
    return {(r["unit_id"], r["region_id"]): {"deeds": r["n"], "team": r["team"]} for r in rows}


def unit_community_pairs(actor, perm: str | None = P.VIEW) -> list[tuple[ResidentUnit, Region]]:
    """(unit, community) pairs: one per unit and community it has an agreement with, plus a unit
    located in a community it has no agreement with yet; within the actor's scope for `perm`
    (the liaison: all of their units' pairs; `perm` None: everything). In tree order."""
    agr = Agreement.objects.filter(region__kind=RegionKind.COMMUNITY).select_related("unit", "region")
    located = ResidentUnit.objects.filter(region__kind=RegionKind.COMMUNITY).select_related("region")
    if perm is not None:
        if unit_only(actor):
            agr, located = agr.filter(unit__liaison=actor), located.filter(liaison=actor)
        else:
            agr, located = scope_filter(agr, actor, perm), scope_filter(located, actor, perm)
    seen: dict[tuple[int, int], tuple[ResidentUnit, Region]] = {}
    for a in agr:
        seen.setdefault((a.unit_id, a.region_id), (a.unit, a.region))
    for u in located:
        seen.setdefault((u.pk, u.region_id), (u, u.region))
    return sorted(seen.values(), key=lambda p: (p[1].path, p[0].name, p[0].pk))


def unit_shortfalls(actor, year: int) -> list[UnitShortfall]:
    """Units short of the yearly rules in a community they serve (the rules hold per unit and
    community: a bureau serving three communities owes each of them its deed)."""
    r = rules()
    links = unit_community_pairs(actor)
    counts = unit_year_counts(list({u.pk for u, _ in links}), year)
    result = []
    for u, comm in links:
        c = counts.get((u.pk, comm.pk), {"deeds": 0, "team": 0})
        short_deeds = c["deeds"] < r.min_unit_deeds
        short_team = u.has_volunteer_team and c["team"] < r.min_team_services
        if short_deeds or short_team:
            result.append(UnitShortfall(u, comm, c["deeds"], c["team"], short_deeds, short_team))
    return result


def _members_models():
    """The members app's models when installed (it is written alongside; optional here)."""
    try:
        from members import models as member_models  # noqa: PLC0415
    except ImportError:
        return None
    if not all(hasattr(member_models, n) for n in ("PartyMember", "DualRegistration", "Decision")):
        return None
    return member_models


def _confirmed_dual(mm):
    return mm.DualRegistration.objects.filter(status=mm.Decision.CONFIRMED, member__isnull=False)


def _dual_registered(actor) -> list[tuple[int | None, str]]:
    """Dual-registered members (in-service members registered with a community of the actor's
    scope; for a liaison only their own units' staff), from the members app when installed."""
    from accounts.scope import scope_q

    mm = _members_models()
    if mm is None:
        return []
    qs = _confirmed_dual(mm)
    q = scope_q(actor, P.VIEW, "community__path")
    if q is not None:
        qs = qs.filter(q) if q else qs.none()
    if unit_only(actor):
        qs = qs.filter(member__unit_org__in=ResidentUnit.objects.filter(liaison=actor).values("party_org"))
    return list(qs.values_list("member_id", "member__name").distinct())


def member_for_name(unit: ResidentUnit, name: str) -> int | None:
    """The members-app id of a participant named `name` among the unit's staff members (the
    dual-registered first); None when unknown or ambiguous."""
    mm = _members_models()
    if mm is None or unit.party_org_id is None:
        return None
    staff = mm.PartyMember.objects.filter(unit_org_id=unit.party_org_id, name=name)
    ids = list(staff.filter(pk__in=_confirmed_dual(mm).values("member_id")).values_list("pk", flat=True)[:2])
    if not ids:
        ids = list(staff.values_list("pk", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None


def member_lines(actor, year: int) -> list[MemberLine]:
    """Deeds and volunteer hours per member for the year, and who falls short of the 1-2 rule
    (`members.selectors.deed_quota`, the one place the quota is kept)."""
    quota_min, quota_max = deed_quota()
    rows = (DeedMember.objects.filter(deed__in=deeds(actor).filter(date__year=year))
            .values("member_id", "name").annotate(n=Count("deed", distinct=True), h=Sum("hours")).order_by("name"))
    lines: dict[tuple, MemberLine] = {}
    for row in rows:
        key = (row["member_id"], row["name"]) if row["member_id"] else (None, row["name"])
        lines[key] = MemberLine(row["member_id"], row["name"], row["n"], row["h"] or Decimal(0),
                                min(row["n"], quota_max), row["n"] < quota_min)
    for member_id, name in _dual_registered(actor):
        if not any(k[0] == member_id or (k[0] is None and k[1] == name) for k in lines):
            lines[(member_id, name)] = MemberLine(member_id, name, 0, Decimal(0), 0, quota_min > 0)
    return sorted(lines.values(), key=lambda m: (not m.short, m.name))


def unit_dual_members(unit: ResidentUnit) -> list | None:
    """Staff Party members of the unit registered under dual registration; None when the members
    app is not installed (the page then leaves the section out)."""
    mm = _members_models()
    if mm is None:
        return None
    if unit.party_org_id is None:
        return []
    regs = (_confirmed_dual(mm).filter(member__unit_org_id=unit.party_org_id)
            .select_related("member", "community").order_by("member__name"))
    return [f"{r.member.name}（报到社区：{r.community.name}）" for r in regs[:200]]


def ledger_totals(qs: QuerySet[Deed]) -> dict:
    agg = qs.aggregate(n=Count("id"), people=Sum("beneficiaries"), hours=Sum("hours"), money=Sum("money"))
    return {k: (v or 0) for k, v in agg.items()}


def unit_counter(nodes: list[Region]) -> dict[int, tuple[str, int]]:
    """Tree counter: unit-community pairings (one per unit and community with an agreement) in
    each node's subtree (one query per node, few nodes per page)."""
    result = {}
    for n in nodes:
        if n.kind in (RegionKind.DISTRICT, RegionKind.STREET, RegionKind.COMMUNITY):
            c = (Agreement.objects.filter(tree_paths.under("region__path", n.path))
                 .values("unit_id", "region_id").distinct().count())
            if c:
                result[n.pk] = ("驻区单位结对", c)
    return result
