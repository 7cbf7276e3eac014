"""Reads of community stewardship that depend on who asks (the scope), and the figures of the reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accounts.scope import has_perm_at, scope_filter
from regions.models import Region, RegionKind

from .models import (
    DEFAULT_STANDARDS,
    REQUIRED_FUNCTIONS,
    Asset,
    AssetStatus,
    CommunityProfile,
    CommunityType,
    Disposal,
    DisposalStatus,
    EntryKind,
    EntryStatus,
    FundingStandard,
    FundYear,
    IncomeSource,
    Inventory,
    LedgerEntry,
    Premises,
    Room,
    RoomFunction,
    StewardshipRules,
    VenueLoan,
    Voucher,
)
from .rules import P

ZERO = Decimal(0)


# --- rules ------------------------------------------------------------------------------------

def standards() -> dict[str, FundingStandard]:
    """The standard of each community type (the defaults are created on first read)."""
    found = {s.community_type: s for s in FundingStandard.objects.all()}
    for ctype, amount, basis in DEFAULT_STANDARDS:
        if ctype not in found:
            found[ctype] = FundingStandard.objects.create(community_type=ctype, yearly_amount=amount, basis=basis)
    return found


def community_type_of(region: Region) -> str:
    """The community's recorded type; without one, a community of a town is a 建制镇社区 and one of a
    street a 城市社区 (the county seat's communities are set by the district)."""
    profile = CommunityProfile.objects.filter(region=region).first()
    if profile:
        return profile.community_type
    parent = region.parent
    return CommunityType.TOWN if parent is not None and parent.town else CommunityType.CITY


def community_types(regions: list[Region]) -> dict[int, str]:
    recorded = dict(CommunityProfile.objects.filter(region__in=regions).values_list("region_id", "community_type"))
    out = {}
    for r in regions:
        out[r.pk] = recorded.get(r.pk) or (CommunityType.TOWN if r.parent is not None and r.parent.town
                                           else CommunityType.CITY)
    return out


# --- scope ------------------------------------------------------------------------------------

def communities(actor, perm: str = P.VIEW) -> QuerySet[Region]:
    return scope_filter(Region.objects.filter(kind=RegionKind.COMMUNITY), actor, perm, "path").select_related(
        "parent").order_by("path")


def can(actor, perm: str, region: Region) -> bool:
    return has_perm_at(actor, perm, region.path)


def fund_years(actor, perm: str = P.VIEW) -> QuerySet[FundYear]:
    return scope_filter(FundYear.objects.select_related("region", "region__parent"), actor, perm)


def entries(actor, perm: str = P.VIEW) -> QuerySet[LedgerEntry]:
    return scope_filter(LedgerEntry.objects.select_related("fund_year__region", "created_by", "decided_by"),
                        actor, perm)


def vouchers(actor) -> QuerySet[Voucher]:
    return scope_filter(Voucher.objects.select_related("entry__fund_year__region"), actor, P.VIEW)


def premises(actor, perm: str = P.VIEW) -> QuerySet[Premises]:
    return scope_filter(Premises.objects.select_related("region"), actor, perm)


def rooms(actor, perm: str = P.VIEW) -> QuerySet[Room]:
    return scope_filter(Room.objects.select_related("premises__region"), actor, perm)


def loans(actor) -> QuerySet[VenueLoan]:
    return scope_filter(VenueLoan.objects.select_related("room__premises__region", "unit", "project"), actor, P.VIEW)


def assets(actor, perm: str = P.VIEW) -> QuerySet[Asset]:
    return scope_filter(Asset.objects.select_related("region"), actor, perm)


def inventories(actor, perm: str = P.VIEW) -> QuerySet[Inventory]:
    return scope_filter(Inventory.objects.select_related("region"), actor, perm)


def disposals(actor, perm: str = P.VIEW) -> QuerySet[Disposal]:
    return scope_filter(Disposal.objects.select_related("asset__region", "requested_by", "decided_by"), actor, perm)


def pending_entries(actor) -> QuerySet[LedgerEntry]:
    return entries(actor, P.APPROVE).filter(status=EntryStatus.PENDING).order_by("created_at", "id")


def pending_disposals(actor) -> QuerySet[Disposal]:
    return disposals(actor, P.APPROVE).filter(status=DisposalStatus.PENDING).order_by("requested_at", "id")


def lendable_units(actor, region: Region):
    """The resident units serving the community (an agreement with it, or located there): one
    record per organization, whatever other communities it also serves."""
    from cobuild.models import ResidentUnit

    return ResidentUnit.objects.serving(region.path).order_by("name")


def unit_projects(unit, region: Region | None = None):
    """The unit's co-building projects (in `region` when given: a unit serving several
    communities has projects in each)."""
    from cobuild.models import Project
    from core import treepaths

    qs = Project.objects.filter(unit=unit)
    if region is not None:
        qs = qs.filter(treepaths.under("region__path", region.path))
    return qs.order_by("-created_at")


# --- funds figures ----------------------------------------------------------------------------

def _sum(qs) -> Decimal:
    return qs.aggregate(s=Sum("amount"))["s"] or ZERO


def balance(fund_year: FundYear) -> Decimal:
    posted = fund_year.entries.filter(status=EntryStatus.POSTED)
    return _sum(posted.filter(kind=EntryKind.INCOME)) - _sum(posted.filter(kind=EntryKind.SPENDING))


def spent_by_category(fund_year: FundYear) -> dict[str, Decimal]:
    rows = (fund_year.entries.filter(status=EntryStatus.POSTED, kind=EntryKind.SPENDING)
            .values("category").annotate(s=Sum("amount")))
    return {r["category"]: r["s"] for r in rows}


@dataclass
class LedgerRow:
    entry: LedgerEntry
    income: Decimal | None
    spending: Decimal | None
    balance: Decimal | None  # None for a line not counted (pending, refused)


def ledger(fund_year: FundYear) -> list[LedgerRow]:
    """Every line in date order with the running balance of the posted ones."""
    rows, running = [], ZERO
    for e in fund_year.entries.select_related("created_by", "decided_by").prefetch_related("vouchers").order_by(
            "date", "id"):
        counted = e.status == EntryStatus.POSTED
        if counted:
            running += e.amount if e.kind == EntryKind.INCOME else -e.amount
        rows.append(LedgerRow(e, e.amount if e.kind == EntryKind.INCOME else None,
                              e.amount if e.kind == EntryKind.SPENDING else None, running if counted else None))
    return rows


@dataclass
class FundSummary:
    fund_year: FundYear
    income: Decimal = ZERO
    allocation: Decimal = ZERO
    dues_share: Decimal = ZERO
    donation: Decimal = ZERO
    other_income: Decimal = ZERO
    spending: Decimal = ZERO
    budget: Decimal = ZERO
    pending: int = 0
    by_category: list = field(default_factory=list)  # (label, budget, spent, left)

    @property
    def balance(self) -> Decimal:
        return self.income - self.spending

    @property
    def meets_standard(self) -> bool:
        return self.allocation >= self.fund_year.standard

    @property
    def shortfall(self) -> Decimal:
        return max(ZERO, self.fund_year.standard - self.allocation)

    @property
    def spent_share(self) -> int:
        return round(self.spending * 100 / self.income) if self.income else 0


def summaries(fund_year_qs) -> list[FundSummary]:
    years = list(fund_year_qs.prefetch_related("budget"))
    if not years:
        return []
    posted = (LedgerEntry.objects.filter(fund_year__in=years, status=EntryStatus.POSTED)
              .values("fund_year_id", "kind", "source", "category").annotate(s=Sum("amount")))
    pending = dict(LedgerEntry.objects.filter(fund_year__in=years, status=EntryStatus.PENDING)
                   .values("fund_year_id").annotate(n=Count("id")).values_list("fund_year_id", "n"))
    out = {fy.pk: FundSummary(fy, budget=sum((b.amount for b in fy.budget.all()), ZERO),
                              pending=pending.get(fy.pk, 0)) for fy in years}
    spent: dict[int, dict[str, Decimal]] = {}
    for r in posted:
        s = out[r["fund_year_id"]]
        if r["kind"] == EntryKind.INCOME:
            s.income += r["s"]
            name = {IncomeSource.ALLOCATION: "allocation", IncomeSource.DUES_SHARE: "dues_share",
                    IncomeSource.DONATION: "donation"}.get(r["source"], "other_income")
            setattr(s, name, getattr(s, name) + r["s"])
        else:
            s.spending += r["s"]
            spent.setdefault(r["fund_year_id"], {})
            spent[r["fund_year_id"]][r["category"]] = spent[r["fund_year_id"]].get(r["category"], ZERO) + r["s"]
    from .models import SpendingCategory

    labels = dict(SpendingCategory.choices)
    for fy in years:
        s = out[fy.pk]
        budget = {b.category: b.amount for b in fy.budget.all()}
        mine = spent.get(fy.pk, {})
        cats = [c for c in SpendingCategory.values if c in budget or c in mine]
        s.by_category = [(labels[c], budget.get(c), mine.get(c, ZERO),
                          (budget[c] - mine.get(c, ZERO)) if c in budget else None) for c in cats]
    return [out[fy.pk] for fy in years]


# --- premises figures -------------------------------------------------------------------------

@dataclass
class PremisesStatus:
    region: Region
    premises: list
    area: Decimal
    minimum: Decimal
    present: list  # labels of the required functions present
    missing: list  # labels of the required functions missing

    @property
    def area_ok(self) -> bool:
        return self.area >= self.minimum

    @property
    def compliant(self) -> bool:
        return self.area_ok and not self.missing

    @property
    def area_short(self) -> Decimal:
        return max(ZERO, self.minimum - self.area)


def premises_statuses(regions: list[Region]) -> list[PremisesStatus]:
    minimum = StewardshipRules.current().min_premises_area
    by_region: dict[int, list[Premises]] = {r.pk: [] for r in regions}
    for p in Premises.objects.filter(region__in=regions).prefetch_related("rooms").order_by("id"):
        by_region[p.region_id].append(p)
    labels = dict(RoomFunction.choices)
    out = []
    for r in regions:
        ps = by_region[r.pk]
        functions = {room.function for p in ps for room in p.rooms.all()}
        out.append(PremisesStatus(r, ps, sum((p.area for p in ps), ZERO), minimum,
                                  [labels[f] for f in REQUIRED_FUNCTIONS if f in functions],
                                  [labels[f] for f in REQUIRED_FUNCTIONS if f not in functions]))
    return out


# --- asset figures ----------------------------------------------------------------------------

def asset_totals(qs: QuerySet[Asset]) -> dict:
    on_books = qs.exclude(status=AssetStatus.DISPOSED)
    agg = on_books.aggregate(n=Count("id"), value=Sum("value"),
                             missing=Count("id", filter=Q(status=AssetStatus.MISSING)))
    return {"n": agg["n"] or 0, "value": agg["value"] or ZERO, "missing": agg["missing"] or 0,
            "disposed": qs.filter(status=AssetStatus.DISPOSED).count()}


def uncounted(inventory: Inventory) -> list[Asset]:
    counted = inventory.lines.values_list("asset_id", flat=True)
    return list(Asset.objects.filter(region=inventory.region).exclude(status=AssetStatus.DISPOSED)
                .exclude(pk__in=counted).order_by("code"))


# --- the report -------------------------------------------------------------------------------

@dataclass
class CommunityRow:
    region: Region
    community_type: str
    standard: Decimal
    funds: FundSummary | None
    premises: PremisesStatus
    assets: dict

    @property
    def type_label(self) -> str:
        return CommunityType(self.community_type).label


def report(actor, year: int) -> list[CommunityRow]:
    """One row per community of the scope: its funds year, premises compliance and assets."""
    regions = list(communities(actor))
    types = community_types(regions)
    st = standards()
    funds = {s.fund_year.region_id: s for s in summaries(FundYear.objects.filter(region__in=regions, year=year))}
    prem = {p.region.pk: p for p in premises_statuses(regions)}
    asset_rows = (Asset.objects.filter(region__in=regions).exclude(status=AssetStatus.DISPOSED)
                  .values("region_id").annotate(n=Count("id"), value=Sum("value"),
                                                missing=Count("id", filter=Q(status=AssetStatus.MISSING))))
    by_region = {r["region_id"]: r for r in asset_rows}
    rows = []
    for r in regions:
        f = funds.get(r.pk)
        a = by_region.get(r.pk, {"n": 0, "value": ZERO, "missing": 0})
        rows.append(CommunityRow(r, types[r.pk], f.fund_year.standard if f else st[types[r.pk]].yearly_amount, f,
                                 prem[r.pk], {"n": a["n"], "value": a["value"] or ZERO, "missing": a["missing"]}))
    return rows


def report_totals(rows: list[CommunityRow]) -> dict:
    fs = [r.funds for r in rows if r.funds]
    return {
        "communities": len(rows), "with_funds": len(fs),
        "standard": sum((r.standard for r in rows), ZERO),
        "allocation": sum((f.allocation for f in fs), ZERO), "income": sum((f.income for f in fs), ZERO),
        "spending": sum((f.spending for f in fs), ZERO), "balance": sum((f.balance for f in fs), ZERO),
        "below_standard": sum(1 for r in rows if not (r.funds and r.funds.meets_standard)),
        "premises_ok": sum(1 for r in rows if r.premises.compliant),
        "assets": sum(r.assets["n"] for r in rows), "asset_value": sum((r.assets["value"] for r in rows), ZERO),
        "missing": sum(r.assets["missing"] for r in rows),
    }
