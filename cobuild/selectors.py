"""Reads of co-building that depend on who asks: the territorial scope, plus the unit restriction
for a resident-unit liaison (who sees only their own unit's records)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accounts.scope import get_in_scope_or_404, scope_filter
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


def _restrict(qs: QuerySet, actor, unit_field: str | None) -> QuerySet:
    if unit_only(actor):
        if unit_field is None:
            return qs.none()
        return qs.filter(**{f"{unit_field}__liaison": actor})
    return qs


def units(actor, perm: str = P.VIEW) -> QuerySet[ResidentUnit]:
    qs = scope_filter(ResidentUnit.objects.select_related("region", "region__parent", "party_org", "liaison"),
                      actor, perm)
    if unit_only(actor):
        qs = qs.filter(liaison=actor)
    return qs


def unit_get(actor, pk, perm: str = P.VIEW) -> ResidentUnit:
    return get_in_scope_or_404(units(actor, perm), actor, perm, pk=pk)


def agreements(actor) -> QuerySet[Agreement]:
    qs = scope_filter(Agreement.objects.select_related("unit", "region"), actor, P.VIEW)
    return _restrict(qs, actor, "unit")


def agreement_get(actor, pk) -> Agreement:
    return get_in_scope_or_404(agreements(actor), actor, P.VIEW, pk=pk)


def needs(actor) -> QuerySet[Need]:
    qs = scope_filter(Need.objects.select_related("region", "agreement", "agreement__unit"), actor, P.VIEW)
    return _restrict(qs, actor, "agreement__unit")


def need_get(actor, pk) -> Need:
    return get_in_scope_or_404(needs(actor), actor, P.VIEW, pk=pk)


def resources(actor) -> QuerySet[Resource]:
    qs = scope_filter(Resource.objects.select_related("unit", "unit__region"), actor, P.VIEW)
    return _restrict(qs, actor, "unit")


def projects(actor) -> QuerySet[Project]:
    qs = scope_filter(Project.objects.select_related("region", "unit", "need", "resource"), actor, P.VIEW)
    return _restrict(qs, actor, "unit")


def project_get(actor, pk) -> Project:
    return get_in_scope_or_404(projects(actor), actor, P.VIEW, pk=pk)


def deeds(actor) -> QuerySet[Deed]:
    qs = scope_filter(Deed.objects.select_related("unit", "region", "project"), actor, P.VIEW)
    return _restrict(qs, actor, "unit")


def deed_get(actor, pk) -> Deed:
    return get_in_scope_or_404(deeds(actor), actor, P.VIEW, pk=pk)


def pairings(actor) -> QuerySet[Pairing]:
    qs = scope_filter(Pairing.objects.select_related("region", "unit").annotate(n_visits=Count("visits"))
                      .order_by("-since", "-id"), actor, P.VIEW)
    return _restrict(qs, actor, "unit")


def criticisms(actor) -> QuerySet[Criticism]:
    return _restrict(scope_filter(Criticism.objects.select_related("unit", "region"), actor, P.VIEW), actor, "unit")


def chronicle(actor) -> QuerySet[ChronicleEntry]:
    return _restrict(scope_filter(ChronicleEntry.objects.select_related("region"), actor, P.VIEW), actor, None)


def star_ratings(actor, year: int) -> QuerySet[StarRating]:
    qs = scope_filter(StarRating.objects.select_related("unit", "region", "overridden_by"), actor, P.VIEW)
    return _restrict(qs, actor, "unit").filter(year=year)


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
          .filter(tree_paths.under("unit__region__path", street_path))
          .select_related("unit", "unit__region"))
    result = []
    for r in qs:
        same = is_under(r.unit.region.path, community.path)
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


def unit_year_counts(unit_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    rows = (Deed.objects.filter(unit_id__in=unit_ids, date__year=year).values("unit_id")
            .annotate(n=Count("id"), team=Count("id", filter=Q(team_service=True))).order_by())
    return {r["unit_id"]: {"deeds": r["n"], "team": r["team"]} for r in rows}


def unit_shortfalls(actor, year: int) -> list[UnitShortfall]:
    r = rules()
    unit_list = list(units(actor).order_by("region__path", "name"))
    counts = unit_year_counts([u.pk for u in unit_list], year)
    result = []
    for u in unit_list:
        c = counts.get(u.pk, {"deeds": 0, "team": 0})
        short_deeds = c["deeds"] < r.min_unit_deeds
        short_team = u.has_volunteer_team and c["team"] < r.min_team_services
        if short_deeds or short_team:
            result.append(UnitShortfall(u, c["deeds"], c["team"], short_deeds, short_team))
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
    """Tree counter: resident units in each node's subtree (one query per node, few nodes per page)."""
    result = {}
    for n in nodes:
        if n.kind in (RegionKind.DISTRICT, RegionKind.STREET, RegionKind.COMMUNITY):
            c = ResidentUnit.objects.filter(tree_paths.under("region__path", n.path)).count()
            if c:
                result[n.pk] = ("驻区单位", c)
    return result
