"""Reads of Party organizations that depend on who asks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.roles import Perm
from accounts.scope import scope_filter
from core import treepaths as tree_paths
from regions.models import Region, RegionKind

from .models import OrgLevel, PartyOrg


def org_list(*, actor, region: Region | None = None, level: str | None = None) -> QuerySet[PartyOrg]:
    qs = scope_filter(PartyOrg.objects.select_related("region", "parent"), actor, Perm.TREE_VIEW)
    if region is not None:
        qs = qs.filter(tree_paths.under("region__path", region.path))
    if level:
        qs = qs.filter(level=level)
    return qs


def leading_org(region: Region) -> PartyOrg | None:
    """The territorial organization that leads a node (not a unit organization sitting there)."""
    return (
        PartyOrg.objects.filter(region=region)
        .exclude(level__in=[OrgLevel.RESIDENT_UNIT, OrgLevel.NEW_ECONOMIC, OrgLevel.NEW_SOCIAL])
        .order_by("id")
        .first()
    )


def leading_orgs(regions: list[Region]) -> dict[int, PartyOrg]:
    """leading_org for many nodes in one query."""
    found: dict[int, PartyOrg] = {}
    qs = (
        PartyOrg.objects.filter(region__in=regions)
        .exclude(level__in=[OrgLevel.RESIDENT_UNIT, OrgLevel.NEW_ECONOMIC, OrgLevel.NEW_SOCIAL])
        .order_by("id")
    )
    for org in qs:
        found.setdefault(org.region_id, org)
    return found


@dataclass
class CoverageLine:
    label: str
    total: int
    covered: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.covered / self.total, 1) if self.total else None


def coverage(region: Region) -> list[CoverageLine]:
    """Organization coverage under a node: compounds, buildings and grids with a Party body of their
    own (the tree page adds the grid's firms and social organizations: dashboards.selectors.tree)."""
    under = Region.objects.under(region.path)
    orgs = PartyOrg.objects.filter(tree_paths.under("region__path", region.path))
    lines = []
    for kind, level, label in (
        (RegionKind.COMPOUND, OrgLevel.COMPOUND, "小区党组织覆盖"),
        (RegionKind.BUILDING, OrgLevel.BUILDING, "楼栋党小组覆盖"),
        (RegionKind.GRID, OrgLevel.GRID, "网格党支部覆盖"),
    ):
        total = under.filter(kind=kind).count()
        covered = orgs.filter(level=level, region__kind=kind).values("region").distinct().count()
        lines.append(CoverageLine(label, total, covered))
    return lines
