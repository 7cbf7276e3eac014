"""Reads of the community workforce that depend on who asks (the scope), and the figures computed from the
roster: the statistics per community rolled up per street and district, staffing compliance against the
quotas, training against the yearly minimums. Nothing here is stored: every figure is counted when asked."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accounts.scope import has_perm_at, scope_filter, scope_paths
from core import treepaths
from core.masking import mask_id_number, mask_mobile
from regions.models import Region, RegionKind

from .models import (
    COLLEGE_AND_ABOVE,
    DEFAULT_MINIMUMS,
    DEFAULT_QUOTAS,
    NATIONAL,
    Attendance,
    Cadre,
    CadreStatus,
    Course,
    CourseKind,
    Employment,
    Movement,
    Position,
    StaffingQuota,
    Track,
    TrainingMinimum,
)
from .rules import P

ZERO = Decimal(0)
SALARY_MASK = "***"


# --- scope ------------------------------------------------------------------------------------

def communities(actor, perm: str = P.VIEW) -> QuerySet[Region]:
    return scope_filter(Region.objects.filter(kind=RegionKind.COMMUNITY), actor, perm, "path").select_related(
        "parent").order_by("path")


def can(actor, perm: str, region: Region) -> bool:
    return has_perm_at(actor, perm, region.path)


def cadres(actor, perm: str = P.VIEW) -> QuerySet[Cadre]:
    return scope_filter(Cadre.objects.select_related("region", "region__parent", "member"), actor, perm)


def active(qs: QuerySet[Cadre]) -> QuerySet[Cadre]:
    return qs.filter(status=CadreStatus.ACTIVE)


def movements(actor) -> QuerySet[Movement]:
    return scope_filter(Movement.objects.select_related("cadre", "from_region", "to_region", "recorded_by"),
                        actor, P.VIEW)


def tracks(actor, perm: str = P.VIEW) -> QuerySet[Track]:
    return scope_filter(Track.objects.select_related("cadre__region__parent"), actor, perm)


def attendances(actor, perm: str = P.VIEW) -> QuerySet[Attendance]:
    return scope_filter(Attendance.objects.select_related("course", "cadre__region"), actor, perm)


def courses(actor, perm: str = P.VIEW) -> QuerySet[Course]:
    """Courses organised inside the scope or above it (the county's Party school is open to every community)."""
    paths = scope_paths(actor, perm)
    if paths is None:
        return Course.objects.select_related("region")
    above = {p[:i] for p in paths for i in range(treepaths.SEGMENT, len(p) + 1, treepaths.SEGMENT)}
    return Course.objects.filter(treepaths.under_any("region__path", paths) | Q(region__path__in=above)
                                 ).select_related("region")


def roster(actor, *, community: Region | None = None, q: str = "", position: str = "", employment: str = "",
           status: str = CadreStatus.ACTIVE) -> QuerySet[Cadre]:
    qs = cadres(actor)
    if status in CadreStatus.values:
        qs = qs.filter(status=status)
    if community is not None:
        qs = qs.filter(region=community)
    if position in Position.values:
        qs = qs.filter(position=position)
    if employment in Employment.values:
        qs = qs.filter(employment=employment)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("region__path", "position", "name", "id")


# --- personal data ------------------------------------------------------------------------------

def can_see_salary(actor, cadre: Cadre) -> bool:
    return has_perm_at(actor, P.SALARY, cadre.region.path)


def salary_paths(actor):
    return scope_paths(actor, P.SALARY)


def allowance_text(cadre: Cadre, paths) -> str:
    """The allowance figure, or *** for someone without the salary right at the cadre's community."""
    if paths is None or any(treepaths.is_under(cadre.region.path, p) for p in paths):
        return f"{cadre.monthly_allowance:,.0f}"
    return SALARY_MASK


def masked(cadre: Cadre) -> dict:
    return {"id_number": mask_id_number(cadre.id_number), "mobile": mask_mobile(cadre.mobile) if cadre.mobile else ""}


# --- statistics ---------------------------------------------------------------------------------

@dataclass
class Stats:
    """The figures the seeds quote (seed 000: 社区干部 103 人，国家干部 48 人，聘用人员 55 人; seed 002: “两委”
    班子成员平均年龄 39.7 岁，“一肩挑”占 98.4%)."""

    total: int = 0
    by_employment: dict = field(default_factory=lambda: {e: 0 for e in Employment.values})
    national: int = 0
    hired: int = 0
    age_sum: int = 0
    under35: int = 0
    college: int = 0
    secretaries: int = 0
    one_shoulder: int = 0
    two_committees: int = 0
    two_committees_age_sum: int = 0
    branch_committee: int = 0
    grid_workers: int = 0
    members: int = 0

    def add(self, row: dict, today: date) -> None:
        b = row["birth_date"]
        age = today.year - b.year - ((today.month, today.day) < (b.month, b.day))
        self.total += 1
        self.by_employment[row["employment"]] += 1
        if row["employment"] in NATIONAL:
            self.national += 1
        else:
            self.hired += 1
        self.age_sum += age
        self.under35 += age < 35
        self.college += row["education"] in COLLEGE_AND_ABOVE
        if row["position"] == Position.SECRETARY:
            self.secretaries += 1
            self.one_shoulder += bool(row["one_shoulder"])
        if row["two_committees"]:
            self.two_committees += 1
            self.two_committees_age_sum += age
        self.branch_committee += bool(row["branch_committee"])
        self.grid_workers += row["position"] == Position.GRID_WORKER
        self.members += row["member_id"] is not None

    def merge(self, other: Stats) -> None:
        for name in ("total", "national", "hired", "age_sum", "under35", "college", "secretaries", "one_shoulder",
                     "two_committees", "two_committees_age_sum", "branch_committee", "grid_workers", "members"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.by_employment.items():
            self.by_employment[k] += v

    @staticmethod
    def _share(n: int, d: int) -> float | None:
        return round(100 * n / d, 1) if d else None

    @property
    def average_age(self) -> float | None:
        return round(self.age_sum / self.total, 1) if self.total else None

    @property
    def two_committees_average_age(self) -> float | None:
        return round(self.two_committees_age_sum / self.two_committees, 1) if self.two_committees else None

    @property
    def under35_share(self) -> float | None:
        return self._share(self.under35, self.total)

    @property
    def college_share(self) -> float | None:
        return self._share(self.college, self.total)

    @property
    def one_shoulder_share(self) -> float | None:
        return self._share(self.one_shoulder, self.secretaries)

    @property
    def employment_rows(self) -> list[tuple[str, int]]:
        return [(label, self.by_employment[value]) for value, label in Employment.choices]


@dataclass
class StatsRow:
    region: Region | None  # None on the total row
    level: str  # "community" | "street" | "total"
    stats: Stats


STAT_FIELDS = ("region_id", "birth_date", "employment", "education", "position", "one_shoulder", "two_committees",
               "branch_committee", "member_id")


def stats_rows(actor, today: date) -> list[StatsRow]:
    """Per community of the scope, then a row per street (town) after its communities, then the total."""
    regions = list(communities(actor))
    per: dict[int, Stats] = {r.pk: Stats() for r in regions}
    for row in active(cadres(actor)).values(*STAT_FIELDS).order_by():
        if row["region_id"] in per:
            per[row["region_id"]].add(row, today)
    rows: list[StatsRow] = []
    total = Stats()
    street_of: dict[int, list[Region]] = defaultdict(list)
    for r in regions:
        street_of[r.parent_id].append(r)
    for comms in street_of.values():
        street = Stats()
        for c in comms:
            rows.append(StatsRow(c, "community", per[c.pk]))
            street.merge(per[c.pk])
        if comms[0].parent is not None:
            rows.append(StatsRow(comms[0].parent, "street", street))
        total.merge(street)
    rows.append(StatsRow(None, "total", total))
    return rows


def stats_total(actor, today: date) -> Stats:
    return stats_rows(actor, today)[-1].stats


# --- quotas -------------------------------------------------------------------------------------

def quotas() -> dict[str, StaffingQuota]:
    found = {q.community_type: q for q in StaffingQuota.objects.all()}
    for ctype, admin, career, welfare, staff, per, basis in DEFAULT_QUOTAS:
        if ctype not in found:
            found[ctype] = StaffingQuota.objects.create(
                community_type=ctype, min_admin=admin, min_career=career, min_welfare=welfare, min_staff=staff,
                residents_per_grid_worker=per, basis=basis)
    return found


def type_labels() -> dict[str, str]:
    from stewardship.models import CommunityType

    return dict(CommunityType.choices)


@dataclass
class Compliance:
    region: Region
    community_type: str
    type_label: str
    quota: StaffingQuota
    counts: dict
    total: int
    grid_workers: int
    residents: int
    grid_workers_needed: int
    shortfalls: list[str]

    @property
    def compliant(self) -> bool:
        return not self.shortfalls


def compliance(actor, *, community: Region | None = None) -> list[Compliance]:
    """Each community of the scope against the quota of its type; the shortfall named line by line."""
    from grid.selectors import resident_counter
    from stewardship.selectors import community_types

    regions = [community] if community is not None else list(communities(actor))
    types = community_types(regions)
    qs = quotas()
    labels = type_labels()
    counts: dict[int, dict] = defaultdict(lambda: {e: 0 for e in Employment.values})
    grid_workers: dict[int, int] = defaultdict(int)
    rows = (Cadre.objects.filter(region__in=regions, status=CadreStatus.ACTIVE)
            .values("region_id", "employment").annotate(n=Count("id")).order_by())
    for r in rows:
        counts[r["region_id"]][r["employment"]] = r["n"]
    for r in (Cadre.objects.filter(region__in=regions, status=CadreStatus.ACTIVE, position=Position.GRID_WORKER)
              .values("region_id").annotate(n=Count("id")).order_by()):
        grid_workers[r["region_id"]] = r["n"]
    residents = resident_counter(regions)
    out = []
    for r in regions:
        ctype = types[r.pk]
        quota = qs.get(ctype) or qs["city"]
        c = counts[r.pk]
        total = sum(c.values())
        res = residents.get(r.pk, ("居民", 0))[1]
        needed = math.ceil(res / quota.residents_per_grid_worker) if res and quota.residents_per_grid_worker else 0
        short = []
        for key, minimum, label in ((Employment.ADMIN, quota.min_admin, "国家行政编制"),
                                    (Employment.CAREER, quota.min_career, "事业编制"),
                                    (Employment.WELFARE, quota.min_welfare, "公益性岗位")):
            if c[key] < minimum:
                short.append(f"{label}应不少于 {minimum} 名，现有 {c[key]} 名，缺 {minimum - c[key]} 名")
        if total < quota.min_staff:
            short.append(f"工作人员应不少于 {quota.min_staff} 名，现有 {total} 名，缺 {quota.min_staff - total} 名")
        if grid_workers[r.pk] < needed:
            short.append(f"居民 {res} 人按每名网格员不超过 {quota.residents_per_grid_worker} 人应配网格员 {needed} 名，"
                         f"现有 {grid_workers[r.pk]} 名，缺 {needed - grid_workers[r.pk]} 名")
        out.append(Compliance(r, ctype, labels.get(ctype, ctype), quota, dict(c), total, grid_workers[r.pk], res,
                              needed, short))
    return out


# --- training -----------------------------------------------------------------------------------

def days_text(days) -> str:
    """Days as people write them: 12, 12.5 (no trailing .0)."""
    return f"{Decimal(days):.1f}".removesuffix(".0")


def minimums() -> list[TrainingMinimum]:
    found = {m.kind: m for m in TrainingMinimum.objects.all()}
    for kind, sessions, days, basis in DEFAULT_MINIMUMS:
        if kind not in found:
            found[kind] = TrainingMinimum.objects.create(kind=kind, min_sessions=sessions, min_days=days, basis=basis)
    return sorted(found.values(), key=lambda m: m.pk)


@dataclass
class TrainingGap:
    cadre: Cadre
    lines: list[str]
    done: dict  # kind -> (sessions, days)


def training_done(cadre_ids: list[int], year: int) -> dict[int, dict[str, tuple[int, Decimal]]]:
    """Sessions and days attended by each cadre in courses starting in `year`, by course kind."""
    out: dict[int, dict[str, tuple[int, Decimal]]] = defaultdict(dict)
    rows = (Attendance.objects.filter(cadre_id__in=cadre_ids, course__start__year=year)
            .values("cadre_id", "course__kind").annotate(n=Count("id"), days=Sum("days")).order_by())
    for r in rows:
        out[r["cadre_id"]][r["course__kind"]] = (r["n"], r["days"] or ZERO)
    return out


def training_gaps(actor, year: int, *, community: Region | None = None) -> list[TrainingGap]:
    """Every active cadre of the scope short of a yearly minimum, with what is missing."""
    mins = minimums()
    qs = active(cadres(actor))
    if community is not None:
        qs = qs.filter(region=community)
    people = list(qs.order_by("region__path", "name", "id"))
    done = training_done([c.pk for c in people], year)
    labels = dict(CourseKind.choices)
    gaps = []
    for c in people:
        mine = done.get(c.pk, {})
        lines = []
        for m in mins:
            n, days = mine.get(m.kind, (0, ZERO))
            if n < m.min_sessions or days < m.min_days:
                lines.append(f"{labels[m.kind]}：应不少于 {m.min_sessions} 次、{m.min_days:.0f} 天，"
                             f"已参加 {n} 次、{days_text(days)} 天")
        if lines:
            gaps.append(TrainingGap(c, lines, mine))
    return gaps


def course_days_by_cadre(cadre_ids: list[int], year: int) -> dict[int, Decimal]:
    rows = (Attendance.objects.filter(cadre_id__in=cadre_ids, course__start__year=year)
            .values("cadre_id").annotate(days=Sum("days")).order_by())
    return {r["cadre_id"]: r["days"] or ZERO for r in rows}
